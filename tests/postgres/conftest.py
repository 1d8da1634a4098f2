"""Fixtures of the shared-ledger suite: always on a real PostgreSQL server, whatever the backend.

`shared` is a fresh ledger database (from a migrated template, as the `ledger` fixture of
the PostgreSQL pass) connected as the window role `feedesk_app`; `verify` runs afterwards.
"""

from __future__ import annotations

import itertools

import pytest

from app.db.engine import upgrade
from tests.conftest import Ledger, _populate_template
from tests.helpers import assert_ledger_balanced
from tests.postgres.server import APP

TEMPLATE = "feedesk_shared_template"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def shared_template(pg_server) -> str:
    pg_server.create_database(TEMPLATE)
    upgrade(pg_server.url(TEMPLATE))
    _populate_template(pg_server.url(TEMPLATE))  # as `feedesk init` and the administrator do
    return TEMPLATE


def new_shared(pg_server, template: str, prefix: str = "s") -> tuple[Ledger, str]:
    name = f"{prefix}{next(_names)}"
    pg_server.create_database(name, template=template)
    return Ledger(None, url=pg_server.url(name, APP), owner_url=pg_server.url(name)), name


@pytest.fixture
def shared(pg_server, shared_template):
    lg, name = new_shared(pg_server, shared_template)
    try:
        yield lg
        assert_ledger_balanced(lg)
    finally:
        lg.close()
        pg_server.drop_database(name)
