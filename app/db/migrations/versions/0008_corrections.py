"""print jobs of the account card's correction slips

Revision ID: 0008_corrections
Revises: 0008_meters

A waiver, write-off, deposit refund or prepaid refund made at the window prints its slip
(减免凭证, 核销凭证, 退押金凭证, 预存退款凭证) from a persisted print job like every other print.
Such a slip has no receipt of its own: `print_job.correction_id` names the charge_adjustment or
balance_refund row it prints (the job's kind says which table). print_job is not sealed and
its rows are only inserted with this column, so no grant changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_corrections"
down_revision = "0008_meters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("print_job") as batch:
        batch.add_column(sa.Column("correction_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("print_job") as batch:
        batch.drop_column("correction_id")
