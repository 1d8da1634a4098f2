"""reports and dunning: dunning runs/notices, contact log, repayment plans, collector areas, targets

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from app.db.migrations.append_only import protect, unprotect

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APPEND_ONLY = ["dunning_run", "dunning_notice", "contact_log", "promise_instalment"]


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def upgrade() -> None:
    op.create_table(
        "dunning_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("pay_by", sa.Date(), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("notice_count", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_dunning_run_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_run")),
    )
    op.create_index(op.f("ix_dunning_run_business_date"), "dunning_run", ["business_date"])
    op.create_table(
        "dunning_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("notice_no", sa.String(length=30), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("oldest_due", sa.Date(), nullable=False),
        sa.Column("days_overdue", sa.Integer(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["dunning_run.id"], name=op.f("fk_dunning_notice_run_id_dunning_run")),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_dunning_notice_account_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_notice")),
        sa.UniqueConstraint("notice_no", name=op.f("uq_dunning_notice_notice_no")),
    )
    op.create_index(op.f("ix_dunning_notice_run_id"), "dunning_notice", ["run_id"])
    op.create_index(op.f("ix_dunning_notice_account_id"), "dunning_notice", ["account_id"])
    op.create_table(
        "contact_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("channel", _enum("contactchannel", "notice", "phone", "sms", "visit", "letter", "lawyer"),
                  nullable=False),
        sa.Column("result", _enum("contactresult", "no_answer", "promised", "refused", "paid", "delivered"),
                  nullable=False),
        sa.Column("reason_code", sa.String(length=24), nullable=False),
        sa.Column("promise_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_contact_log_account_id_account")),
        sa.ForeignKeyConstraint(["notice_id"], ["dunning_notice.id"],
                                name=op.f("fk_contact_log_notice_id_dunning_notice")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_contact_log_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_log")),
    )
    op.create_index("ix_contact_log_account", "contact_log", ["account_id", "id"])
    op.create_table(
        "payment_promise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_payment_promise_account_id_account")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_payment_promise_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_promise")),
    )
    op.create_index(op.f("ix_payment_promise_account_id"), "payment_promise", ["account_id"])
    op.create_table(
        "promise_instalment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["promise_id"], ["payment_promise.id"],
                                name=op.f("fk_promise_instalment_promise_id_payment_promise")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_instalment")),
        sa.UniqueConstraint("promise_id", "seq", name="uq_promise_instalment_seq"),
    )
    op.create_index(op.f("ix_promise_instalment_promise_id"), "promise_instalment", ["promise_id"])
    op.create_table(
        "collector_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_collector_area_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collector_area")),
        sa.UniqueConstraint("building", name=op.f("uq_collector_area_building")),
    )
    op.create_table(
        "collection_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("scope", _enum("targetscope", "building", "collector", "site"), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("ok_pct", sa.Integer(), nullable=False),
        sa.Column("alert_pct", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_collection_target_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_target")),
    )
    op.create_index(op.f("ix_collection_target_month"), "collection_target", ["month"])
    # The collection-rate report sums billed amounts per period and account: a covering index
    # makes that an index-only scan of the charge table.
    op.create_index("ix_charge_period_account", "charge", ["period", "account_id", "amount", "training"])
    protect(op, APPEND_ONLY)


def downgrade() -> None:
    unprotect(op, APPEND_ONLY)
    op.drop_index("ix_charge_period_account", table_name="charge")
    for table in ("collection_target", "collector_area", "promise_instalment", "payment_promise", "contact_log",
                  "dunning_notice", "dunning_run"):
        op.drop_table(table)
