"""cash desk (shifts, corrections, receipt stock, settlement)

Revision ID: 0002
Revises: 0001

Tables of app/models/desk.py (then cashdesk.py); all of them append-only (triggers from
app/db/migrations/append_only.py), because closes, settlements and corrections are
financial records: a reopen or an acceptance is a new row, never an edit.
"""

import sqlalchemy as sa
from alembic import op

from app.db.migrations.append_only import protect, unprotect

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = ['cash_movement', 'hand_in', 'shift_close', 'shift_reopen', 'shift_accept', 'handover', 'payment_correction', 'balance_refund', 'price_override', 'day_settlement', 'month_close', 'bank_deposit']


def upgrade() -> None:
    op.create_table('day_settlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('totals_json', sa.Text(), nullable=False),
    sa.Column('cash_due_to_bank', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_day_settlement_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_settlement')),
    sa.UniqueConstraint('business_date', name=op.f('uq_day_settlement_business_date'))
    )
    op.create_table('month_close',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('totals_json', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_month_close_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_close')),
    sa.UniqueConstraint('month', name=op.f('uq_month_close_month'))
    )
    op.create_table('payment_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('correction_payment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('remainder_payment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['correction_payment_id'], ['payment.id'], name=op.f('fk_payment_correction_correction_payment_id_payment')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_payment_correction_payment_id_payment')),
    sa.ForeignKeyConstraint(['remainder_payment_id'], ['payment.id'], name=op.f('fk_payment_correction_remainder_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_correction')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_payment_correction_payment_id'))
    )
    op.create_table('price_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('original_charge_id', sa.Integer(), nullable=False),
    sa.Column('new_charge_id', sa.Integer(), nullable=False),
    sa.Column('old_amount', sa.BigInteger(), nullable=False),
    sa.Column('new_amount', sa.BigInteger(), nullable=False),
    sa.Column('approval_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approval_id'], ['approval.id'], name=op.f('fk_price_override_approval_id_approval')),
    sa.ForeignKeyConstraint(['new_charge_id'], ['charge.id'], name=op.f('fk_price_override_new_charge_id_charge')),
    sa.ForeignKeyConstraint(['original_charge_id'], ['charge.id'], name=op.f('fk_price_override_original_charge_id_charge')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_price_override_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_override')),
    sa.UniqueConstraint('original_charge_id', name=op.f('uq_price_override_original_charge_id'))
    )
    op.create_table('balance_refund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('fee_item_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('tender', sa.String(length=12), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('approval_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('journal_entry_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('training', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_balance_refund_account_id_account')),
    sa.ForeignKeyConstraint(['approval_id'], ['approval.id'], name=op.f('fk_balance_refund_approval_id_approval')),
    sa.ForeignKeyConstraint(['fee_item_id'], ['fee_item.id'], name=op.f('fk_balance_refund_fee_item_id_fee_item')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'], name=op.f('fk_balance_refund_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_balance_refund_shift_id_shift')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_balance_refund_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_balance_refund'))
    )
    op.create_index(op.f('ix_balance_refund_account_id'), 'balance_refund', ['account_id'], unique=False)
    op.create_index(op.f('ix_balance_refund_shift_id'), 'balance_refund', ['shift_id'], unique=False)
    op.create_table('bank_deposit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('slip_no', sa.String(length=60), nullable=False),
    sa.Column('for_date', sa.Date(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('journal_entry_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'], name=op.f('fk_bank_deposit_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_bank_deposit_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_deposit'))
    )
    op.create_index(op.f('ix_bank_deposit_for_date'), 'bank_deposit', ['for_date'], unique=False)
    op.create_table('cash_movement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('top_up', 'paid_in', 'drop', 'bank_run', 'counterfeit', name='cashmovementkind', native_enum=False, length=24), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('denomination', sa.Integer(), nullable=True),
    sa.Column('serial', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('journal_entry_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('training', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'], name=op.f('fk_cash_movement_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_cash_movement_shift_id_shift')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_cash_movement_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_movement'))
    )
    op.create_index(op.f('ix_cash_movement_business_date'), 'cash_movement', ['business_date'], unique=False)
    op.create_index(op.f('ix_cash_movement_shift_id'), 'cash_movement', ['shift_id'], unique=False)
    op.create_table('hand_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collector_id', sa.Integer(), nullable=False),
    sa.Column('collector_shift_id', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('after_cutoff', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('journal_entry_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('training', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_hand_in_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['collector_id'], ['app_user.id'], name=op.f('fk_hand_in_collector_id_app_user')),
    sa.ForeignKeyConstraint(['collector_shift_id'], ['shift.id'], name=op.f('fk_hand_in_collector_shift_id_shift')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'], name=op.f('fk_hand_in_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_hand_in_shift_id_shift')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hand_in'))
    )
    op.create_index(op.f('ix_hand_in_business_date'), 'hand_in', ['business_date'], unique=False)
    op.create_index(op.f('ix_hand_in_collector_id'), 'hand_in', ['collector_id'], unique=False)
    op.create_index(op.f('ix_hand_in_shift_id'), 'hand_in', ['shift_id'], unique=False)
    op.create_table('handover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_shift_id', sa.Integer(), nullable=False),
    sa.Column('to_shift_id', sa.Integer(), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('journal_entry_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['from_shift_id'], ['shift.id'], name=op.f('fk_handover_from_shift_id_shift')),
    sa.ForeignKeyConstraint(['from_user_id'], ['app_user.id'], name=op.f('fk_handover_from_user_id_app_user')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'], name=op.f('fk_handover_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['to_shift_id'], ['shift.id'], name=op.f('fk_handover_to_shift_id_shift')),
    sa.ForeignKeyConstraint(['to_user_id'], ['app_user.id'], name=op.f('fk_handover_to_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover')),
    sa.UniqueConstraint('from_shift_id', name=op.f('uq_handover_from_shift_id')),
    sa.UniqueConstraint('to_shift_id', name=op.f('uq_handover_to_shift_id'))
    )
    op.create_table('shift_close',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('count_json', sa.Text(), nullable=False),
    sa.Column('slips_json', sa.Text(), nullable=False),
    sa.Column('expected_json', sa.Text(), nullable=False),
    sa.Column('counted_json', sa.Text(), nullable=False),
    sa.Column('difference_json', sa.Text(), nullable=False),
    sa.Column('summary_json', sa.Text(), nullable=False),
    sa.Column('cash_counted', sa.BigInteger(), nullable=False),
    sa.Column('difference_total', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('approval_id', sa.Integer(), nullable=True),
    sa.Column('journal_entry_id', sa.Integer(), nullable=True),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('training', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['approval_id'], ['approval.id'], name=op.f('fk_shift_close_approval_id_approval')),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_shift_close_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'], name=op.f('fk_shift_close_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_shift_close_shift_id_shift')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_close'))
    )
    op.create_index(op.f('ix_shift_close_shift_id'), 'shift_close', ['shift_id'], unique=False)
    op.create_table('shift_accept',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('close_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('second_count_json', sa.Text(), nullable=False),
    sa.Column('second_cash', sa.Integer(), nullable=True),
    sa.Column('journal_entry_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['close_id'], ['shift_close.id'], name=op.f('fk_shift_accept_close_id_shift_close')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'], name=op.f('fk_shift_accept_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_shift_accept_shift_id_shift')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['app_user.id'], name=op.f('fk_shift_accept_supervisor_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_accept')),
    sa.UniqueConstraint('close_id', name=op.f('uq_shift_accept_close_id')),
    sa.UniqueConstraint('shift_id', name=op.f('uq_shift_accept_shift_id'))
    )
    op.create_table('shift_reopen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('close_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reversal_entry_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['close_id'], ['shift_close.id'], name=op.f('fk_shift_reopen_close_id_shift_close')),
    sa.ForeignKeyConstraint(['reversal_entry_id'], ['journal_entry.id'], name=op.f('fk_shift_reopen_reversal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_shift_reopen_shift_id_shift')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_shift_reopen_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_reopen')),
    sa.UniqueConstraint('close_id', name=op.f('uq_shift_reopen_close_id'))
    )
    op.create_index(op.f('ix_shift_reopen_shift_id'), 'shift_reopen', ['shift_id'], unique=False)
    protect(op, APPEND_ONLY)


def downgrade() -> None:
    unprotect(op, APPEND_ONLY)
    for table in reversed(APPEND_ONLY):
        op.drop_table(table)
