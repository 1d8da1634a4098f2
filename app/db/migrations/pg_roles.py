"""PostgreSQL only: what the window role `feedesk_app` may do, enforced by the database.

Every window PC holds the `feedesk_app` connection string, so the role gets only what a
window does. `apply(op)` (migrations 0005 and 0007, and again any later migration
that adds a table or column) does nothing on SQLite, and nothing when the site has no
`feedesk_app` role (a single-role installation). Otherwise it (re)grants, from the schema as
it stands:

- SELECT on every table, USAGE on every sequence (new rows get ids);
- INSERT on every table except `OWNER_WRITES`: users, settings, the site and the stations
  are written only on the owner role's connection (the administrator's, docs/postgresql.md);
- UPDATE only on tables that are NOT append-only (no `<table>_append_only` trigger, see
  `append_only.py`), column by column: on the tables of `WINDOW_UPDATE` only the columns
  listed there (the control rows a window moves: failed log-ins, a station's receipt counter,
  a chain head, shift status, print job state); on other mutable tables (master data, and
  any new table) every column except `id` and those in `FROZEN`;
- no DELETE, no TRUNCATE anywhere, no UPDATE on any financial table, no DDL (the role owns
  nothing and cannot disable the append-only triggers: only a table's owner can).

Where a column grant is too coarse, `guard(op)` adds a row trigger that holds every role but
the owner to what a window does: `app_user.locked` may only be set (a window locks a user
after failed log-ins, never unlocks one), and a chain head (`audit_head`) only moves forward.
A refusal is SQLSTATE 42501, like a missing grant, which the window shows in Chinese.

`protect_truncate(op)` adds a statement trigger refusing TRUNCATE on every append-only table:
row triggers do not fire on TRUNCATE, so without it even the owner could empty the journal
by accident.

What this cannot do (docs/postgresql.md): all windows share one role, so the database does
not know which window is which (a window can move any station's chain head forward, or
update any station's print job); the window role reads every password hash (log-in is
verified on the window); it can INSERT ledger and audit rows, which only the program's rules
and `verify` judge; and whoever holds the owner role can rewrite everything.
"""

from __future__ import annotations

APP_ROLE = "feedesk_app"

#: Tables only the owner role writes (user administration, settings, site, stations, schema
#: version): the window reads them, and may UPDATE only the columns `WINDOW_UPDATE` lists.
OWNER_WRITES = {"alembic_version", "app_user", "setting", "site", "station"}

#: The only columns a window may UPDATE in these tables. A new column of one of them stays
#: the owner's until it is added here (a new column of another mutable table is the window's
#: unless listed in `FROZEN`).
WINDOW_UPDATE: dict[str, set[str]] = {
    # a log-in attempt; `guard`: lock only, never unlock, and a timed lock is cleared only once run out
    "app_user": {"failed_logins", "locked", "locked_until"},
    "station": {"next_receipt_no"},  # the receipt counter
    "audit_head": {"last_seq", "last_hash"},  # the commit's link; `guard`: forward only
    "shift": {"status", "closed_at", "accepted_at", "accepted_by_id"},  # close, accept, reopen
    "receipt_range": {"next_number"},  # numbers used (paper stock)
    "print_job": {"status", "attempts", "last_error", "printer_id", "updated_at"},  # printing
}

#: Columns never updated on the other mutable tables (all tables: `id`).
FROZEN: dict[str, set[str]] = {
    "bill_run": {"period", "user_id", "created_at"},
    "payment_promise": {"account_id", "start_date", "total", "user_id", "created_at"},
}


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
        op.execute(f'GRANT SELECT ON "{table}" TO {APP_ROLE}')
        if table not in OWNER_WRITES:
            op.execute(f'GRANT INSERT ON "{table}" TO {APP_ROLE}')
        if table in protected:
            continue
        columns = _columns(conn, table)
        if table in WINDOW_UPDATE:
            cols = [c for c in columns if c in WINDOW_UPDATE[table]]
        elif table in OWNER_WRITES:
            cols = []
        else:
            cols = [c for c in columns if c != "id" and c not in FROZEN.get(table, set())]
        if cols:
            op.execute(f'GRANT UPDATE ({", ".join(chr(34) + c + chr(34) for c in cols)}) ON "{table}" TO {APP_ROLE}')
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")


def revoke(op) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql" or not role_exists(conn):
        return
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE}")


# -- guards: what a column grant cannot say ---------------------------------------------------

#: True for the owner of the trigger's table (and superusers): migrations, `feedesk db migrate`
#: and the administrator's connection are not held to what a window does.
_IS_OWNER = "pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')"

GUARDS: dict[str, str] = {
    "app_user": f"""
CREATE OR REPLACE FUNCTION feedesk_app_user_guard() RETURNS trigger AS $$
BEGIN
  IF OLD.locked AND NOT NEW.locked AND NOT {_IS_OWNER} THEN
    RAISE EXCEPTION 'only the owner role may unlock a user (app_user %)', OLD.username
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.locked_until > (now() AT TIME ZONE 'UTC')
     AND (NEW.locked_until IS NULL OR NEW.locked_until < OLD.locked_until) AND NOT {_IS_OWNER} THEN
    RAISE EXCEPTION 'only the owner role may shorten a lock-out (app_user %)', OLD.username
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    "audit_head": f"""
CREATE OR REPLACE FUNCTION feedesk_audit_head_guard() RETURNS trigger AS $$
BEGIN
  IF NEW.last_seq <= OLD.last_seq AND NOT {_IS_OWNER} THEN
    RAISE EXCEPTION 'an audit chain head only moves forward (audit_head %)', OLD.chain
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
}


def guard(op) -> None:
    """Create (or replace) the guard triggers of `GUARDS`; PostgreSQL only."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, function in GUARDS.items():
        op.execute(function)
        op.execute(f'DROP TRIGGER IF EXISTS {table}_window_guard ON "{table}"')
        op.execute(f'CREATE TRIGGER {table}_window_guard BEFORE UPDATE ON "{table}" '
                   f"FOR EACH ROW EXECUTE FUNCTION feedesk_{table}_guard()")


def unguard(op) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in GUARDS:
        op.execute(f'DROP TRIGGER IF EXISTS {table}_window_guard ON "{table}"')
        op.execute(f"DROP FUNCTION IF EXISTS feedesk_{table}_guard()")
