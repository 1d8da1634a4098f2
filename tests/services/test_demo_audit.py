"""The demo estate names its site and flags itself through the audited back-office services:
after `feedesk init --demo` the audit log holds those setting events and `feedesk verify` passes.

The demo ledger is built on the session's backend: a SQLite file, or (PostgreSQL pass) a new
database on the test server.
"""

from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import select

from app.cli.commands import main
from app.db.engine import make_factory
from app.errors import InvalidInput, PermissionDenied
from app.models import AuditEvent, User
from app.services import Actor
from app.services.master import admin
from app.services.system import settings
from tests.conftest import BACKEND

_names = itertools.count(1)


@pytest.fixture
def demo_db(tmp_path, request):
    """URL of a new, empty ledger location on the session's backend."""
    if BACKEND != "postgresql":
        yield str(tmp_path / "demo.db")
        return
    server = request.getfixturevalue("pg_server")
    name = f"demo_audit{next(_names)}"
    server.create_database(name)
    try:
        yield server.url(name)  # the owner: `init` creates the schema
    finally:
        server.drop_database(name)


def test_demo_init_records_the_site_name_and_demo_flag_in_the_audit_log(demo_db, capsys):
    assert main(["--db", demo_db, "init", "--demo"]) == 0
    assert main(["--db", demo_db, "verify"]) == 0
    assert "账本核验通过" in capsys.readouterr().out
    factory = make_factory(demo_db)
    try:
        with factory() as s:
            admin_id = s.scalar(select(User.id).where(User.username == "admin"))
            events = [(e.user_id, e.entity, e.entity_id, json.loads(e.payload)) for e in s.scalars(
                select(AuditEvent).where(AuditEvent.action == "setting").order_by(AuditEvent.id))]
            assert settings.get(s, "demo") == "1"
            rows = {r.key: r.value for r in admin.list_settings(s, actor=Actor(admin_id, "W01"))}
        assert rows["site_name"] == "幸福里物业服务中心" and rows["hotline"] == "0571-88886666"
        assert [(who, entity, key, p["new"]) for who, entity, key, p in events] == [
            (admin_id, "site", "1", "幸福里物业服务中心"),
            (admin_id, "site", "1", "0571-88886666"),
            (admin_id, "setting", "demo", "1"),
        ]
        assert [p.get("key") for _, entity, _, p in events if entity == "site"] == ["site_name", "hotline"]
        assert events[2][3]["old"] == "0"
    finally:
        factory.kw["bind"].dispose()


def test_only_an_administrator_flags_a_demo_ledger_and_the_settings_screen_cannot(ledger):
    with pytest.raises(PermissionDenied):
        ledger.admin_run(admin.mark_demo_ledger, actor=ledger.actor("boss"))
    with pytest.raises(InvalidInput):
        ledger.admin_run(admin.update_setting, actor=ledger.actor("admin"), key="demo", value="1")
    with ledger.session() as s:
        assert settings.get(s, "demo") == "0"
    row = ledger.admin_run(admin.mark_demo_ledger, actor=ledger.actor("admin"))
    assert (row.key, row.value) == ("demo", "1")
    with ledger.session() as s:
        assert settings.get(s, "demo") == "1"
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        payload = json.loads(last.payload)
        assert set(payload.pop("seal")["settings"]) == {"demo"}  # the new value is sealed with the event
        assert (last.action, last.entity, last.entity_id, payload) == ("setting", "setting", "demo",
                                                                       {"old": "0", "new": "1"})
