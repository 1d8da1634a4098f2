"""a close's difference explained after it was shown (blind close)

Revision ID: 0007_close_reason
Revises: 0007_lockout

The count of a close is saved first and only then compared; the reason for a difference
(and, over the limit, the supervisor's approval) comes after the difference is shown, as a
row of its own: `shift_close_reason`, append-only like the close it explains.
"""

import sqlalchemy as sa
from alembic import op

from app.db.migrations import pg_roles
from app.db.migrations.append_only import protect, unprotect

revision = "0007_close_reason"
down_revision = "0007_lockout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shift_close_reason",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("close_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["approval_id"], ["approval.id"], name=op.f("fk_shift_close_reason_approval_id_approval")),
        sa.ForeignKeyConstraint(["close_id"], ["shift_close.id"], name=op.f("fk_shift_close_reason_close_id_shift_close")),
        sa.ForeignKeyConstraint(["shift_id"], ["shift.id"], name=op.f("fk_shift_close_reason_shift_id_shift")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_shift_close_reason_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_close_reason")),
        sa.UniqueConstraint("close_id", name=op.f("uq_shift_close_reason_close_id")),
    )
    op.create_index(op.f("ix_shift_close_reason_shift_id"), "shift_close_reason", ["shift_id"], unique=False)
    protect(op, ["shift_close_reason"])
    pg_roles.protect_truncate(op)
    pg_roles.apply(op)


def downgrade() -> None:
    unprotect(op, ["shift_close_reason"])
    op.drop_table("shift_close_reason")
