"""PostgreSQL only: what the window role `feedesk_app` may do, enforced by the database.

Used by migration 0005 (and again by any later migration that adds a table):
`apply(op)` does nothing on SQLite, and nothing when the site has no `feedesk_app` role
(a single-role installation). Otherwise it (re)grants, from the schema as it stands:

- SELECT and INSERT on every table, USAGE on every sequence (new rows get ids);
- UPDATE only on tables that are NOT append-only (no `<table>_append_only` trigger, see
  `append_only.py`): the mutable control tables (shift status, receipt range and station
  counters, print jobs, audit chain head, settings, users' log-in counters, master data).
  Even there, the columns in `FROZEN` (ids, money and identity of a shift or range) are not
  updatable: the grant is column by column;
- no DELETE, no TRUNCATE anywhere, no UPDATE on any financial table, no DDL (the role owns
  nothing and cannot disable the append-only triggers: only a table's owner can).

`protect_truncate(op)` adds a statement trigger refusing TRUNCATE on every append-only table:
row triggers do not fire on TRUNCATE, so without it even the owner could empty the journal
by accident.

So a stolen window connection string still cannot rewrite history; the owner role's
password stays with the administrator (`feedesk init`, `feedesk db migrate`).
"""

from __future__ import annotations

APP_ROLE = "feedesk_app"

#: Columns never updated, even on mutable tables (all tables: `id`).
FROZEN: dict[str, set[str]] = {
    "shift": {"station_id", "cashier_id", "business_date", "float_amount", "opened_at", "training"},
    "receipt_range": {"prefix", "first_number", "last_number", "issued_by_id", "issued_at"},
    "audit_event": set(),  # append-only anyway
    "audit_head": {"chain"},
    "app_user": {"username", "created_at"},
    "bill_run": {"period", "user_id", "created_at"},
}

#: Tables the window role only reads.
READ_ONLY = {"alembic_version"}


def _tables(conn) -> list[str]:
    return [r[0] for r in conn.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")]


def append_only_tables(conn) -> set[str]:
    rows = conn.exec_driver_sql(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND t.tgname = c.relname || '_append_only'")
    return {r[0] for r in rows}


def _columns(conn, table: str) -> list[str]:
    return [r[0] for r in conn.exec_driver_sql(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %(t)s ORDER BY ordinal_position", {"t": table})]


def protect_truncate(op) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    existing = {r[0] for r in conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
    for table in sorted(append_only_tables(conn)):
        if f"{table}_no_truncate" not in existing:
            op.execute(f'CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON "{table}" '
                       "FOR EACH STATEMENT EXECUTE FUNCTION feedesk_append_only()")


def unprotect_truncate(op) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for table in sorted(append_only_tables(conn)):
        op.execute(f'DROP TRIGGER IF EXISTS {table}_no_truncate ON "{table}"')


def role_exists(conn, role: str = APP_ROLE) -> bool:
    return bool(conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": role}).scalar())


def apply(op) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql" or not role_exists(conn):
        return
    protected = append_only_tables(conn)
    for table in _tables(conn):
        op.execute(f'REVOKE ALL ON "{table}" FROM {APP_ROLE}')
        if table in READ_ONLY:
            op.execute(f'GRANT SELECT ON "{table}" TO {APP_ROLE}')
            continue
        op.execute(f'GRANT SELECT, INSERT ON "{table}" TO {APP_ROLE}')
        if table in protected:
            continue
        cols = [c for c in _columns(conn, table) if c != "id" and c not in FROZEN.get(table, set())]
        if cols:
            op.execute(f'GRANT UPDATE ({", ".join(chr(34) + c + chr(34) for c in cols)}) ON "{table}" TO {APP_ROLE}')
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")


def revoke(op) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql" or not role_exists(conn):
        return
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE}")
