"""every financial row, user and setting sealed into the audit chain

Revision ID: 0007_row_seals
Revises: 0007_window_role

Every financial (append-only) table gets a `txn` column: the transaction that wrote the row,
whose audit event seals those rows (count and digest, see app/services/journal/sealing.py). Rows
written before this revision have no txn; this migration seals them all at once in one event
of the public chain (per table the highest id, the count and the digest; the state of every
user and setting), so `verify` tells them apart from rows inserted later behind the
program's back. An empty ledger (a new database) gets no event.
"""

import sqlalchemy as sa
from alembic import op

from app.db.migrations import pg_roles

revision = "0007_row_seals"
down_revision = "0007_window_role"
branch_labels = None
depends_on = None

TABLES = ["charge", "charge_adjustment", "meter_reading", "approval", "payment", "tender_line", "allocation",
          "receipt", "receipt_number_event", "journal_entry", "posting", "cash_movement", "hand_in", "shift_close",
          "shift_reopen", "shift_accept", "handover", "payment_correction", "balance_refund", "price_override",
          "day_settlement", "month_close", "bank_deposit"]


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("txn", sa.BigInteger(), nullable=True))
            batch.create_index(batch.f(f"ix_{table}_txn"), ["txn"], unique=False)
    _seal_existing_rows()
    pg_roles.apply(op)


def _seal_existing_rows() -> None:
    from app.services.journal import audit, sealing
    from app.services.clock import utcnow

    conn = op.get_bind()
    seal = sealing.legacy_seal(conn)
    if seal is None:
        return
    head = sa.table("audit_head", sa.column("chain", sa.String), sa.column("last_seq", sa.Integer),
                    sa.column("last_hash", sa.String))
    ev = sa.table("audit_event", sa.column("chain", sa.String), sa.column("seq", sa.Integer),
                  sa.column("created_at", sa.DateTime), sa.column("user_id", sa.Integer),
                  sa.column("station", sa.String), sa.column("action", sa.String), sa.column("entity", sa.String),
                  sa.column("entity_id", sa.String), sa.column("payload", sa.Text),
                  sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    seq, prev = conn.execute(sa.select(head.c.last_seq, head.c.last_hash).where(head.c.chain == "")).one()
    at = utcnow()
    payload = audit.canonical({sealing.SEAL_KEY: seal})
    seq += 1
    h = audit._digest(prev, seq, at.isoformat(), None, "", "seal", "ledger", "0007", payload)
    conn.execute(sa.insert(ev).values(chain="", seq=seq, created_at=at, user_id=None, station="", action="seal",
                                      entity="ledger", entity_id="0007", payload=payload, prev_hash=prev, hash=h))
    conn.execute(sa.update(head).where(head.c.chain == "").values(last_seq=seq, last_hash=h))


def downgrade() -> None:
    """The txn columns go; the seal events stay in the chain (the audit log is append-only), and an
    upgrade again seals every row anew (a migration's seal supersedes the seals before it)."""
    for table in TABLES:
        op.drop_index(op.f(f"ix_{table}_txn"), table_name=table)
        # SQLite >= 3.35 drops a column in place: no table rebuild (which would meet the foreign
        # keys and lose the append-only triggers).
        op.execute(f"ALTER TABLE {table} DROP COLUMN txn")
    pg_roles.apply(op)
