"""Shared fixtures: a migrated ledger per test, actors, and builders from short text.

Every test gets a fresh SQLite file migrated with Alembic (the app never calls create_all).
Migrating once and copying the file keeps this fast. `assert_ledger_balanced` runs after
every test that used the `ledger` fixture (BC `check_invariants`).

Backend: SQLite by default. With env FEEDESK_TEST_BACKEND=postgresql (the second pass of
`make test`) the same tests run on a real PostgreSQL server that the session starts itself
(tests/postgres/server.py): the template is a migrated database and every test gets a fresh
database created from it (CREATE DATABASE ... TEMPLATE), connected as the window role
`feedesk_app`. No PostgreSQL found means the run fails; it never skips.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reads or writes this user's FeeDesk data, saved ledger choice or logs.
os.environ["FEEDESK_HOME"] = tempfile.mkdtemp(prefix="feedesk-home-")

from app.db.engine import make_factory, upgrade  # noqa: E402
from app.services import Actor, run  # noqa: E402  # noqa: E402
from app.services.system import auth, setup  # noqa: E402  # noqa: E402

TEMPLATE: dict[str, Path] = {}


BACKEND = os.environ.get("FEEDESK_TEST_BACKEND", "sqlite")
if BACKEND not in ("sqlite", "postgresql"):
    raise RuntimeError(f"FEEDESK_TEST_BACKEND must be sqlite or postgresql, not {BACKEND!r}")
PG_TEMPLATE = "feedesk_template"
_PG: dict = {}  # the session's PostgreSQL server, once started


def pytest_collection_modifyitems(config, items):
    """PostgreSQL pass: deselect (not skip) tests of the SQLite file itself (marker sqlite_only)."""
    if BACKEND != "postgresql":
        return
    dropped = [it for it in items if it.get_closest_marker("sqlite_only")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [it for it in items if not it.get_closest_marker("sqlite_only")]


def _populate_template(url: str) -> None:
    factory = make_factory(url)
    run(factory, setup.bootstrap, station_code="W01", admin_password="admin", site_name="幸福里物业服务中心")
    run(factory, setup.add_station, code="W02", name="二号窗口")
    # Passwords equal the user names (as in the demo ledger) so tests can approve as anyone.
    for name, role in (("demo", "cashier"), ("boss", "supervisor"), ("lily", "cashier"), ("audit", "auditor"),
                       ("boss2", "supervisor")):
        run(factory, auth.add_user, actor=None, username=name, role=role, password=name)
    factory.kw["bind"].dispose()


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL server on loopback for the whole session (started on first use)."""
    from tests.postgres.server import PgServer

    server = PgServer().start()
    _PG["server"] = server
    yield server
    _PG.pop("server", None)
    server.stop()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory, request) -> Path | str:
    """SQLite: path of a migrated ledger file. PostgreSQL: name of the migrated template database."""
    if BACKEND == "postgresql":
        server = request.getfixturevalue("pg_server")
        server.create_database(PG_TEMPLATE)
        upgrade(server.url(PG_TEMPLATE))  # migrations run as the owner role
        _populate_template(server.url(PG_TEMPLATE))  # as `feedesk init` and the administrator do
        from tests.postgres.server import LedgerPool

        _PG["pool"] = LedgerPool(server, PG_TEMPLATE)  # per-test databases, reset between tests
        return PG_TEMPLATE
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    upgrade(str(path))
    _populate_template(str(path))
    return path


class Ledger:
    """A test ledger: factory, actors by name, and helpers that go through the services."""

    def __init__(self, path: Path | None, *, url: str | None = None, owner_url: str | None = None):
        #: SQLite file of the ledger; None on PostgreSQL.
        self.path = path
        self.url = url or str(path)
        #: Schema owner's connection (DDL, tampering tests); the same as `url` on SQLite.
        self.owner_url = owner_url or self.url
        self.backend = "postgresql" if self.url.startswith("postgresql") else "sqlite"
        self.factory = make_factory(self.url)
        self._admin_factory = None
        self._ids: dict[str, int] = {}

    @property
    def admin_factory(self):
        """The administrator's connection: the owner role on PostgreSQL (user administration,
        settings and stations need it, docs/postgresql.md); the same file on SQLite."""
        if self.owner_url == self.url:
            return self.factory
        if self._admin_factory is None:
            self._admin_factory = make_factory(self.owner_url)
        return self._admin_factory

    def actor(self, username: str, station: str = "W01") -> Actor:
        if username not in self._ids:
            with self.factory() as s:
                self._ids[username] = auth.user_by_name(s, username).id
        return Actor(self._ids[username], station)

    def run(self, fn, /, **kw):
        return run(self.factory, fn, **kw)

    def session(self):
        return self.factory()

    def admin_run(self, fn, /, **kw):
        """A use case on the administrator's connection (see `admin_factory`)."""
        return run(self.admin_factory, fn, **kw)

    def admin_session(self):
        return self.admin_factory()

    def close(self) -> None:
        self.factory.kw["bind"].dispose()
        if self._admin_factory is not None:
            self._admin_factory.kw["bind"].dispose()


@contextlib.contextmanager
def fresh_ledger(template_db: Path | str):
    """A new ledger copied from the template, on the session's backend; removed afterwards.

    For tests that need several ledgers in one test (hypothesis examples); others use `ledger`.
    """
    if BACKEND == "postgresql":
        from tests.postgres.server import APP

        server, pool = _PG["server"], _PG["pool"]
        name = pool.acquire()
        lg = Ledger(None, url=server.url(name, APP), owner_url=server.url(name))
        try:
            yield lg
        finally:
            lg.close()
            pool.release(name)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.db"
        shutil.copy(template_db, path)
        lg = Ledger(path)
        try:
            yield lg
        finally:
            lg.close()


@pytest.fixture
def ledger(template_db, tmp_path) -> Ledger:
    with fresh_ledger(template_db) as lg:
        yield lg
        from tests.helpers import assert_ledger_balanced

        assert_ledger_balanced(lg)


@pytest.fixture
def today() -> dt.date:
    return dt.date(2026, 11, 25)
