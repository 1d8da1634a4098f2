"""the payer's side: complaints and repair requests (ticket, ticket_close) and changes of owner
(ownership_change), all append-only

Revision ID: 0007_payer
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from app.db.migrations import pg_roles
from app.db.migrations.append_only import protect, unprotect

revision = "0007_payer"
down_revision = "0006"
branch_labels = None
depends_on = None

APPEND_ONLY = ["ticket", "ticket_close", "ownership_change"]


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def upgrade() -> None:
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_no", sa.String(length=30), nullable=False),
        sa.Column("kind", _enum("ticketkind", "complaint", "repair", "inquiry"), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("caller_name", sa.String(length=60), nullable=False),
        sa.Column("caller_phone", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("assignee", sa.String(length=60), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("disputes_payment", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_ticket_account_id_account")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_ticket_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket")),
        sa.UniqueConstraint("ticket_no", name=op.f("uq_ticket_ticket_no")),
    )
    op.create_index("ix_ticket_account", "ticket", ["account_id"])
    op.create_index(op.f("ix_ticket_business_date"), "ticket", ["business_date"])
    op.create_table(
        "ticket_close",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("satisfaction", _enum("satisfaction", "very_satisfied", "satisfied", "neutral", "dissatisfied",
                                        "unreachable"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], name=op.f("fk_ticket_close_ticket_id_ticket")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_ticket_close_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_close")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_ticket_close_ticket_id")),
    )
    op.create_table(
        "ownership_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("former_owner", sa.String(length=60), nullable=False),
        sa.Column("former_phone", sa.String(length=30), nullable=False),
        sa.Column("new_owner", sa.String(length=60), nullable=False),
        sa.Column("new_phone", sa.String(length=30), nullable=False),
        sa.Column("arrears_mode", _enum("arrearsontransfer", "settled", "transferred", "kept"), nullable=False),
        sa.Column("arrears_amount", sa.BigInteger(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_ownership_change_account_id_account")),
        sa.ForeignKeyConstraint(["approval_id"], ["approval.id"],
                                name=op.f("fk_ownership_change_approval_id_approval")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_ownership_change_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership_change")),
    )
    op.create_index(op.f("ix_ownership_change_account_id"), "ownership_change", ["account_id"])
    protect(op, APPEND_ONLY)
    pg_roles.protect_truncate(op)
    pg_roles.apply(op)


def downgrade() -> None:
    pg_roles.unprotect_truncate(op)
    unprotect(op, APPEND_ONLY)
    op.drop_table("ownership_change")
    op.drop_table("ticket_close")
    op.drop_table("ticket")
    pg_roles.protect_truncate(op)
    pg_roles.apply(op)
