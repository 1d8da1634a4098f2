"""shared ledger on PostgreSQL (roles, locks)

Revision ID: 0005
Revises: 0004

PostgreSQL only (nothing happens on SQLite, where the file's permissions are the guard):
- a TRUNCATE trigger on every append-only table (row triggers do not fire on TRUNCATE);
- the window role `feedesk_app` (created by scripts/pg-setup.sql) gets SELECT/INSERT
  everywhere, UPDATE only on the mutable control tables, and no UPDATE/DELETE/TRUNCATE on
  ledger rows; see app/db/migrations/pg_roles.py. A later migration that adds a table calls
  `pg_roles.apply(op)` again.
Locks need no schema: see app/services/journal/concurrency.py (row locks and advisory day locks).
"""

from alembic import op

from app.db.migrations import pg_roles

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pg_roles.protect_truncate(op)
    pg_roles.apply(op)


def downgrade() -> None:
    pg_roles.revoke(op)
    pg_roles.unprotect_truncate(op)
