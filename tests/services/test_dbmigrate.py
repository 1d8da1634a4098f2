"""`feedesk db migrate` refuses a target that already holds data, and never deletes on it.

The target is a database on the test-suite's PostgreSQL server (`pg_server`, started by
tests/conftest.py in both passes); the source is a small window ledger in a SQLite file.
"""

from __future__ import annotations

import itertools
import json

import psycopg
import pytest
from sqlalchemy import inspect, select, text

from app.cli.commands import main
from app.db.engine import make_engine, upgrade
from app.errors import InvalidInput
from app.models import AuditHead
from app.services.system import dbmigrate
from tests.conftest import Ledger, _populate_template
from tests.helpers import assign_all, bill, make_accounts, make_fee, open_shift, pay
from tests.postgres.server import OWNER, OWNER_PASSWORD

_names = itertools.count(1)
REFUSED = "目标数据库已有账本数据"


@pytest.fixture
def window_ledger(tmp_path) -> str:
    """A SQLite window ledger with two paid bills; returns its path."""
    path = tmp_path / "window.db"
    upgrade(str(path))
    _populate_template(str(path))
    lg = Ledger(path)
    make_accounts(lg, "1-2-301 张三 89.50 13800001234\n1-2-302 李四 100")
    make_fee(lg, "WYF 物业费 area 2.35 monthly", due_days=15)
    assign_all(lg, "WYF")
    bill(lg, "2026-10")
    open_shift(lg, float_yuan="200")
    pay(lg, "1-2-301", "cash=300")
    lg.factory.kw["bind"].dispose()
    return str(path)


@pytest.fixture
def target(pg_server):
    """An empty database on the test server; yields (owner URL, name); dropped afterwards."""
    name = f"migrate_target{next(_names)}"
    pg_server.create_database(name)
    try:
        yield pg_server.url(name), name
    finally:
        pg_server.drop_database(name)


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table of a database (sorted), to show nothing changed."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for name in sorted(inspect(conn).get_table_names()):
                rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()
                out[name] = sorted(tuple(str(v) for v in r) for r in rows)
            return out
    finally:
        engine.dispose()


def refused(capsys, source: str, to: str) -> str:
    assert main(["db", "migrate", "--from", source, "--to", to]) == 1
    return capsys.readouterr().err


def test_an_upgraded_empty_target_is_migrated_and_its_seeded_chain_head_becomes_the_sources(
        window_ledger, target, capsys):
    to, _ = target
    upgrade(to)  # schema and the seeded chain head already there: still an empty ledger
    engine = make_engine(to)
    with engine.connect() as conn:
        assert dbmigrate.tables_with_rows(conn) == []
    engine.dispose()
    assert main(["db", "migrate", "--from", window_ledger, "--to", to, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    src, dst = out["source_figures"], out["target_figures"]
    assert dst["verify_ok"] and src == dst and dst["rows"]["payment"] == 1
    engine = make_engine(to)
    with engine.connect() as conn:  # the seeded head (chain '') now carries the source's chain
        head = AuditHead.__table__.c
        assert conn.execute(select(head.last_hash).where(head.chain == "")).scalar_one() != "0" * 64
    engine.dispose()


def test_a_target_with_rows_in_any_ledger_table_is_refused_and_left_as_it_was(window_ledger, target, capsys):
    """No users (app_user empty), only a setting and a site: once this was emptied and overwritten."""
    to, _ = target
    upgrade(to)
    engine = make_engine(to)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('receipt_footer', '旧账本的页脚')"))
    engine.dispose()
    before = snapshot(to)
    err = refused(capsys, window_ledger, to)
    assert REFUSED in err and "setting" in err and "未删除" in err
    assert snapshot(to) == before
    assert before["setting"] == [("receipt_footer", "旧账本的页脚")]


def test_a_used_ledger_as_target_is_refused_nothing_written_nothing_deleted(window_ledger, target, capsys):
    to, _ = target
    upgrade(to)
    _populate_template(to)  # a ledger in use: users, stations, audit events
    before = snapshot(to)
    err = refused(capsys, window_ledger, to)
    assert REFUSED in err and "app_user" in err and "audit_event" in err
    assert snapshot(to) == before


def test_a_chain_head_moved_on_by_a_used_ledger_counts_as_data(window_ledger, target, capsys):
    to, _ = target
    upgrade(to)
    engine = make_engine(to)
    with engine.begin() as conn:
        conn.execute(AuditHead.__table__.update().values(last_hash="a" * 64))
    engine.dispose()
    before = snapshot(to)
    assert "audit_head" in refused(capsys, window_ledger, to)
    assert snapshot(to) == before


def test_a_database_holding_another_programs_rows_gets_no_schema_either(window_ledger, target, pg_server, capsys):
    to, name = target
    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user=OWNER, password=OWNER_PASSWORD, dbname=name,
                         autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
        conn.execute("INSERT INTO notes VALUES (1, '别的程序的数据')")
    err = refused(capsys, window_ledger, to)
    assert REFUSED in err and "notes" in err
    assert snapshot(to) == {"notes": [("1", "别的程序的数据")]}  # no FeeDesk table, no alembic_version


def test_the_service_refuses_with_a_domain_error(window_ledger, target):
    to, _ = target
    upgrade(to)
    _populate_template(to)
    with pytest.raises(InvalidInput) as err:
        dbmigrate.migrate(window_ledger, to)
    assert err.value.message.startswith(REFUSED)
