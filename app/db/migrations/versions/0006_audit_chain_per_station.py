"""one audit chain per station

Revision ID: 0006
Revises: 0005

Until now every write of every window was linked into one chain whose head row each
transaction locked until its COMMIT was on disk: on a shared PostgreSQL ledger all windows
queued for that one row. From here on each station links its own chain (`chain` = station
code), so windows never wait for each other's audit link. The events written so far stay
exactly as they are, as the chain '' with `seq` = their id (their hashes already cover that
number), and the single head row becomes the head of chain ''. Nothing is re-hashed.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from app.db.migrations import pg_roles
from app.db.migrations.append_only import protect, unprotect

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    unprotect(op, ["audit_event"])  # the one-time fill of `seq` below
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("chain", sa.String(length=40), nullable=False, server_default=""))
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    op.execute("UPDATE audit_event SET seq = id")
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(op.f("uq_audit_event_chain"), ["chain", "seq"])
    protect(op, ["audit_event"])
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("chain", sa.String(length=40), nullable=False, server_default=""))
        batch.alter_column("last_event_id", new_column_name="last_seq", existing_type=sa.Integer(),
                           existing_nullable=False)
        batch.create_unique_constraint(op.f("uq_audit_head_chain"), ["chain"])
    # Every station has its chain's head from now on (new stations get one when they are added):
    # verify then notices a station whose whole chain, head included, was deleted.
    op.execute("INSERT INTO audit_head (chain, last_seq, last_hash) "
               "SELECT code, 0, '" + "0" * 64 + "' FROM station WHERE code NOT IN (SELECT chain FROM audit_head)")
    if op.get_bind().dialect.name == "postgresql":
        # Event ids (and the one head row) were given explicitly until now; from here on the id
        # sequences give them.
        for table in ("audit_event", "audit_head"):
            op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
    # This release prints a slip for every void and refund; the corrections made before it never
    # had one, so the unprinted list owes slips only from now on (settings.correction_slips_since).
    since = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    op.execute(f"INSERT INTO setting (\"key\", value) SELECT 'correction_slips_since', '{since}' "
               "WHERE EXISTS (SELECT 1 FROM payment_correction) "
               "AND NOT EXISTS (SELECT 1 FROM setting WHERE \"key\" = 'correction_slips_since')")
    pg_roles.apply(op)


def downgrade() -> None:
    """Back to one chain: every event is linked again in id order under the old rule (the id
    in the hash). This re-hashes the log, so it is an administrator's step with a backup at hand."""
    from app.services.journal.audit import GENESIS, _digest

    conn = op.get_bind()
    unprotect(op, ["audit_event"])
    ev = sa.table("audit_event", sa.column("id", sa.Integer), sa.column("created_at", sa.DateTime),
                  sa.column("user_id", sa.Integer), sa.column("station", sa.String), sa.column("action", sa.String),
                  sa.column("entity", sa.String), sa.column("entity_id", sa.String), sa.column("payload", sa.Text),
                  sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    prev, last = GENESIS, 0
    for r in conn.execute(sa.select(ev).order_by(ev.c.id)).all():
        h = _digest(prev, r.id, r.created_at.isoformat(), r.user_id, r.station, r.action, r.entity, r.entity_id,
                    r.payload)
        if (r.prev_hash, r.hash) != (prev, h):
            conn.execute(sa.update(ev).where(ev.c.id == r.id).values(prev_hash=prev, hash=h))
        prev, last = h, r.id
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_constraint(op.f("uq_audit_event_chain"), type_="unique")
        batch.drop_column("seq")
        batch.drop_column("chain")
    protect(op, ["audit_event"])
    op.execute("DELETE FROM audit_head WHERE chain <> ''")
    op.execute("DELETE FROM setting WHERE \"key\" = 'correction_slips_since'")
    head = sa.table("audit_head", sa.column("chain", sa.String), sa.column("last_seq", sa.Integer),
                    sa.column("last_hash", sa.String))
    conn.execute(sa.update(head).values(last_seq=last, last_hash=prev))
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_constraint(op.f("uq_audit_head_chain"), type_="unique")
        batch.drop_column("chain")
        batch.alter_column("last_seq", new_column_name="last_event_id", existing_type=sa.Integer(),
                           existing_nullable=False)
    pg_roles.apply(op)
