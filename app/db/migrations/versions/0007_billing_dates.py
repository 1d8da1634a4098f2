"""billing start and stop per fee assignment: fee_assignment.start_date, end_date

Revision ID: 0007_billing_dates
Revises: 0007_payer
"""

import sqlalchemy as sa
from alembic import op

from app.db.migrations import pg_roles

revision = "0007_billing_dates"
down_revision = "0007_payer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fee_assignment") as batch:
        batch.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("end_date", sa.Date(), nullable=True))
    pg_roles.apply(op)


def downgrade() -> None:
    with op.batch_alter_table("fee_assignment") as batch:
        batch.drop_column("end_date")
        batch.drop_column("start_date")
    pg_roles.apply(op)
