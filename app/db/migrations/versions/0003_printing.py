"""printing (printers, print queue)

Adds the printer options the core tables lack: QR mode and the job timeout per printer,
the reason of a print job (reprint, explicit drawer opening) and the shift of a
remittance-slip job.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("printer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("qr_mode", sa.String(length=8), nullable=False, server_default="native"))
        batch_op.add_column(sa.Column("timeout_ms", sa.Integer(), nullable=False, server_default="3000"))
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("shift_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_print_job_shift_id_shift", "shift", ["shift_id"], ["id"])
        batch_op.create_index("ix_print_job_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.drop_index("ix_print_job_status")
        batch_op.drop_constraint("fk_print_job_shift_id_shift", type_="foreignkey")
        batch_op.drop_column("shift_id")
        batch_op.drop_column("reason")
    with op.batch_alter_table("printer", schema=None) as batch_op:
        batch_op.drop_column("timeout_ms")
        batch_op.drop_column("qr_mode")
