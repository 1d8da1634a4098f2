"""meters (表号, 互感器倍率) and reading reviews (held, confirmed, corrected readings)

Revision ID: 0008_meters
Revises: 0007_row_seals

`meter` is master data (one per account and metered fee item: number and multiplier).
`reading_review` is append-only and sealed (a `txn` column, app/services/journal/sealing.py SEALED):
a reading's hold, its confirmation by a supervisor and its correction are facts, never edits.
No existing table changes, so no existing row's seal changes.
"""

import sqlalchemy as sa
from alembic import op

from app.db.migrations import pg_roles
from app.db.migrations.append_only import protect, unprotect

revision = "0008_meters"
down_revision = "0007_row_seals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("fee_item_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("multiplier", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_meter_account_id_account")),
        sa.ForeignKeyConstraint(["fee_item_id"], ["fee_item.id"], name=op.f("fk_meter_fee_item_id_fee_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter")),
        sa.UniqueConstraint("account_id", "fee_item_id", name="uq_meter_account_fee"),
        sa.UniqueConstraint("number", name=op.f("uq_meter_number")),
    )
    op.create_table(
        "reading_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("txn", sa.BigInteger(), nullable=True),
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("replacement_id", sa.Integer(), nullable=True),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["reading_id"], ["meter_reading.id"],
                                name=op.f("fk_reading_review_reading_id_meter_reading")),
        sa.ForeignKeyConstraint(["replacement_id"], ["meter_reading.id"],
                                name=op.f("fk_reading_review_replacement_id_meter_reading")),
        sa.ForeignKeyConstraint(["approval_id"], ["approval.id"], name=op.f("fk_reading_review_approval_id_approval")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_reading_review_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_review")),
    )
    with op.batch_alter_table("reading_review") as batch:
        batch.create_index(batch.f("ix_reading_review_reading_id"), ["reading_id"], unique=False)
        batch.create_index(batch.f("ix_reading_review_txn"), ["txn"], unique=False)
    protect(op, ["reading_review"])
    pg_roles.protect_truncate(op)
    pg_roles.apply(op)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP TRIGGER IF EXISTS reading_review_no_truncate ON "reading_review"')
    unprotect(op, ["reading_review"])
    op.drop_table("reading_review")
    op.drop_table("meter")
    pg_roles.apply(op)
