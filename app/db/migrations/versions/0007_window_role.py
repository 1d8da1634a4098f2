"""the window role gets only what a window does (PostgreSQL)

Revision ID: 0007_window_role
Revises: 0007_close_reason

PostgreSQL only (nothing happens on SQLite). Until now `feedesk_app`, the role every window
connects as, could UPDATE `app_user` (role, password hash, lock), `setting`, `site` and
`station`, and INSERT users: a stolen window connection string made its holder an
administrator. From here on (app/db/migrations/pg_roles.py):
- users, settings, the site and the stations are written only by the owner role (the
  administrator's connection); a window updates only `app_user.failed_logins`/`locked` (a
  log-in attempt) and `station.next_receipt_no`;
- the control tables a window updates are narrowed to the columns it changes (shift status,
  print job state, a range's next number, a chain head's link);
- guard triggers: a window may lock a user but never unlock one, and a chain head only
  moves forward.
"""

from alembic import op

from app.db.migrations import pg_roles

revision = "0007_window_role"
down_revision = "0007_close_reason"
branch_labels = None
depends_on = None

# The grants of 0005 (for the downgrade): UPDATE on every column of a mutable table but these.
_FROZEN_0005 = {
    "shift": {"station_id", "cashier_id", "business_date", "float_amount", "opened_at", "training"},
    "receipt_range": {"prefix", "first_number", "last_number", "issued_by_id", "issued_at"},
    "audit_head": {"chain"},
    "app_user": {"username", "created_at"},
    "bill_run": {"period", "user_id", "created_at"},
}


def upgrade() -> None:
    pg_roles.guard(op)
    pg_roles.apply(op)


def downgrade() -> None:
    pg_roles.unguard(op)
    conn = op.get_bind()
    if conn.dialect.name != "postgresql" or not pg_roles.role_exists(conn):
        return
    app = pg_roles.APP_ROLE
    protected = pg_roles.append_only_tables(conn)
    for table in pg_roles._tables(conn):
        if table == "alembic_version":
            continue
        op.execute(f'GRANT SELECT, INSERT ON "{table}" TO {app}')
        if table in protected:
            continue
        cols = [c for c in pg_roles._columns(conn, table) if c != "id" and c not in _FROZEN_0005.get(table, set())]
        if cols:
            op.execute(f'GRANT UPDATE ({", ".join(chr(34) + c + chr(34) for c in cols)}) ON "{table}" TO {app}')
