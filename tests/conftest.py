"""Shared fixtures: a migrated ledger per test, actors, and builders from short text.

Every test gets a fresh SQLite file migrated with Alembic (the app never calls create_all).
Migrating once and copying the file keeps this fast. `assert_ledger_balanced` runs after
every test that used the `ledger` fixture (BC `check_invariants`).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.models.db import make_factory, upgrade  # noqa: E402
from app.services import Actor, auth, run, setup  # noqa: E402  # noqa: E402

TEMPLATE: dict[str, Path] = {}


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    upgrade(str(path))
    factory = make_factory(str(path))
    run(factory, setup.bootstrap, station_code="W01", admin_password="admin", site_name="幸福里物业服务中心")
    run(factory, setup.add_station, code="W02", name="二号窗口")
    # Passwords equal the user names (as in the demo ledger) so tests can approve as anyone.
    for name, role in (("demo", "cashier"), ("boss", "supervisor"), ("lily", "cashier"), ("audit", "auditor"),
                       ("boss2", "supervisor")):
        run(factory, auth.add_user, actor=None, username=name, role=role, password=name)
    factory.kw["bind"].dispose()
    return path


class Ledger:
    """A test ledger: factory, actors by name, and helpers that go through the services."""

    def __init__(self, path: Path):
        self.path = path
        self.url = str(path)
        self.factory = make_factory(self.url)
        self._ids: dict[str, int] = {}

    def actor(self, username: str, station: str = "W01") -> Actor:
        if username not in self._ids:
            with self.factory() as s:
                self._ids[username] = auth.user_by_name(s, username).id
        return Actor(self._ids[username], station)

    def run(self, fn, /, **kw):
        return run(self.factory, fn, **kw)

    def session(self):
        return self.factory()


@pytest.fixture
def ledger(template_db, tmp_path) -> Ledger:
    path = tmp_path / "ledger.db"
    shutil.copy(template_db, path)
    lg = Ledger(path)
    yield lg
    from tests.helpers import assert_ledger_balanced

    assert_ledger_balanced(lg)
    lg.factory.kw["bind"].dispose()


@pytest.fixture
def today() -> dt.date:
    return dt.date(2026, 11, 25)
