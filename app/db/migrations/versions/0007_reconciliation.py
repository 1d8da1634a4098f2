"""reconciliation (对账): statements, statement lines, mappings, runs, matches, resolutions

Revision ID: 0007_reconciliation
Revises: 0007_billing_dates

Tables of app/models/reconcile.py. All append-only (triggers from app/db/migrations/append_only.py,
TRUNCATE refused on PostgreSQL): an imported statement, a match and a resolution are facts;
a new mapping version is a new row. The window role gets SELECT and INSERT only (pg_roles.apply).
Self-contained: nothing here touches an existing table.
"""

import sqlalchemy as sa
from alembic import op

from app.db.migrations import pg_roles
from app.db.migrations.append_only import protect, unprotect

APPEND_ONLY = ["statement_mapping", "statement", "statement_line", "recon_run", "recon_match", "recon_resolution"]


revision = '0007_reconciliation'
down_revision = '0007_billing_dates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recon_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('result_json', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_recon_run_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recon_run'))
    )
    with op.batch_alter_table('recon_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recon_run_business_date'), ['business_date'], unique=False)

    op.create_table('statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('mapping_name', sa.String(length=40), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('last_date', sa.Date(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('total_in', sa.BigInteger(), nullable=False),
    sa.Column('total_out', sa.BigInteger(), nullable=False),
    sa.Column('total_fee', sa.BigInteger(), nullable=False),
    sa.Column('opening_balance', sa.BigInteger(), nullable=True),
    sa.Column('closing_balance', sa.BigInteger(), nullable=True),
    sa.Column('summary_json', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_statement_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_statement_content_hash'))
    )
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_channel'), ['channel'], unique=False)

    op.create_table('statement_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('columns_json', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_statement_mapping_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_mapping'))
    )
    with op.batch_alter_table('statement_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_mapping_name'), ['name'], unique=False)

    op.create_table('statement_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('fee', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('merchant_ref', sa.String(length=120), nullable=False),
    sa.Column('refund_ref', sa.String(length=120), nullable=False),
    sa.Column('counterparty', sa.String(length=120), nullable=False),
    sa.Column('raw_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statement.id'], name=op.f('fk_statement_line_statement_id_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_line'))
    )
    with op.batch_alter_table('statement_line', schema=None) as batch_op:
        batch_op.create_index('ix_statement_line_channel_day', ['channel', 'business_date'], unique=False)
        batch_op.create_index('ix_statement_line_reference', ['reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_line_statement_id'), ['statement_id'], unique=False)

    op.create_table('recon_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_line_id', sa.Integer(), nullable=False),
    sa.Column('tender_line_id', sa.Integer(), nullable=True),
    sa.Column('bank_deposit_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('rule', sa.String(length=16), nullable=False),
    sa.Column('difference', sa.BigInteger(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bank_deposit_id'], ['bank_deposit.id'], name=op.f('fk_recon_match_bank_deposit_id_bank_deposit')),
    sa.ForeignKeyConstraint(['run_id'], ['recon_run.id'], name=op.f('fk_recon_match_run_id_recon_run')),
    sa.ForeignKeyConstraint(['statement_line_id'], ['statement_line.id'], name=op.f('fk_recon_match_statement_line_id_statement_line')),
    sa.ForeignKeyConstraint(['tender_line_id'], ['tender_line.id'], name=op.f('fk_recon_match_tender_line_id_tender_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recon_match')),
    sa.UniqueConstraint('bank_deposit_id', name=op.f('uq_recon_match_bank_deposit_id')),
    sa.UniqueConstraint('statement_line_id', name=op.f('uq_recon_match_statement_line_id')),
    sa.UniqueConstraint('tender_line_id', name=op.f('uq_recon_match_tender_line_id'))
    )
    with op.batch_alter_table('recon_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recon_match_business_date'), ['business_date'], unique=False)

    op.create_table('recon_resolution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('item', sa.String(length=24), nullable=False),
    sa.Column('statement_line_id', sa.Integer(), nullable=True),
    sa.Column('tender_line_id', sa.Integer(), nullable=True),
    sa.Column('bank_deposit_id', sa.Integer(), nullable=True),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('journal_entry_id', sa.Integer(), nullable=True),
    sa.Column('approval_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approval_id'], ['approval.id'], name=op.f('fk_recon_resolution_approval_id_approval')),
    sa.ForeignKeyConstraint(['bank_deposit_id'], ['bank_deposit.id'], name=op.f('fk_recon_resolution_bank_deposit_id_bank_deposit')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'], name=op.f('fk_recon_resolution_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['match_id'], ['recon_match.id'], name=op.f('fk_recon_resolution_match_id_recon_match')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_recon_resolution_payment_id_payment')),
    sa.ForeignKeyConstraint(['statement_line_id'], ['statement_line.id'], name=op.f('fk_recon_resolution_statement_line_id_statement_line')),
    sa.ForeignKeyConstraint(['tender_line_id'], ['tender_line.id'], name=op.f('fk_recon_resolution_tender_line_id_tender_line')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_recon_resolution_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recon_resolution')),
    sa.UniqueConstraint('bank_deposit_id', name=op.f('uq_recon_resolution_bank_deposit_id')),
    sa.UniqueConstraint('match_id', name=op.f('uq_recon_resolution_match_id')),
    sa.UniqueConstraint('statement_line_id', name=op.f('uq_recon_resolution_statement_line_id')),
    sa.UniqueConstraint('tender_line_id', name=op.f('uq_recon_resolution_tender_line_id'))
    )
    with op.batch_alter_table('recon_resolution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recon_resolution_business_date'), ['business_date'], unique=False)
    protect(op, APPEND_ONLY)
    pg_roles.protect_truncate(op)
    pg_roles.apply(op)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # only this revision's TRUNCATE triggers
        for table in APPEND_ONLY:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_no_truncate ON "{table}"')
    unprotect(op, APPEND_ONLY)
    with op.batch_alter_table('recon_resolution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recon_resolution_business_date'))

    op.drop_table('recon_resolution')
    with op.batch_alter_table('recon_match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recon_match_business_date'))

    op.drop_table('recon_match')
    with op.batch_alter_table('statement_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_line_statement_id'))
        batch_op.drop_index('ix_statement_line_reference')
        batch_op.drop_index('ix_statement_line_channel_day')

    op.drop_table('statement_line')
    with op.batch_alter_table('statement_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_mapping_name'))

    op.drop_table('statement_mapping')
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_channel'))

    op.drop_table('statement')
    with op.batch_alter_table('recon_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recon_run_business_date'))

    op.drop_table('recon_run')
