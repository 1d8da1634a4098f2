"""Database triggers that make financial tables append-only (DESIGN.md rule 2).

Used by migrations: `protect(op, tables)` adds, `unprotect(op, tables)` drops. SQLite gets
`RAISE(ABORT)` triggers; PostgreSQL gets one plpgsql function and a trigger per table.
"""

from __future__ import annotations

MESSAGE = "append-only ledger table: UPDATE and DELETE are refused"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION feedesk_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{MESSAGE} (%)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def protect(op, tables: list[str]) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
    for table in tables:
        if dialect == "sqlite":
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
                )
        else:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION feedesk_append_only();"
            )


def unprotect(op, tables: list[str]) -> None:
    dialect = op.get_bind().dialect.name
    for table in tables:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
