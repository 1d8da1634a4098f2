"""A shared ledger that answers but refuses (issue 17.9): a wrong password and a missing database
are named as such, with user, database and server, not as a network problem; a server that
does not answer still is one. Checked where a person meets them: the CLI and the window's open."""

from __future__ import annotations

import pytest

from app.cli.commands import main
from app.errors import LedgerUnreachable, LedgerUnusable
from app.ui.main import open_ledger
from tests.postgres.server import APP

ROLE, PASSWORD = "feedesk_pwcheck", "right-pw"


@pytest.fixture
def password_role(pg_server):
    """A role that must give its password (the test server trusts loopback otherwise)."""
    hba = pg_server.tmp / "data" / "pg_hba.conf"
    original = hba.read_text()
    with pg_server.admin() as conn:
        conn.execute(f"DROP ROLE IF EXISTS {ROLE}")
        conn.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
        hba.write_text(f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n" + original)
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield f"127.0.0.1:{pg_server.port}"
    finally:
        hba.write_text(original)
        with pg_server.admin() as conn:
            conn.execute("SELECT pg_reload_conf()")
            conn.execute(f"DROP ROLE IF EXISTS {ROLE}")


def _cli(capsys, db: str) -> tuple[int, str]:
    code = main(["--db", db, "--user", "demo", "account", "show", "1-1-101"])
    return code, capsys.readouterr().err


def test_wrong_password_is_named_not_a_network_problem(password_role, capsys):
    db = f"postgresql://{ROLE}:wrong-pw@{password_role}/postgres"
    code, err = _cli(capsys, db)
    assert code == 1 and "拒绝登录" in err and ROLE in err and "密码不正确" in err, err
    assert "无法连接" not in err and "wrong-pw" not in err and "不是网络问题" in err
    with pytest.raises(LedgerUnusable) as info:
        open_ledger(db, "W01")
    assert "密码不正确" in info.value.message
    # the right password gets in, and finds no ledger in that database: said so too
    code, err = _cli(capsys, f"postgresql://{ROLE}:{PASSWORD}@{password_role}/postgres")
    assert code == 1 and "共享账本尚未建立" in err, err


def test_missing_database_and_unknown_user_are_named(pg_server, capsys):
    code, err = _cli(capsys, pg_server.url("no_such_ledger", APP))
    assert code == 1 and "没有数据库“no_such_ledger”" in err and "无法连接" not in err, err
    with pytest.raises(LedgerUnusable) as info:
        open_ledger(pg_server.url("no_such_ledger", APP), "W01")
    assert "no_such_ledger" in info.value.message
    code, err = _cli(capsys, f"postgresql://nobody_here:x@127.0.0.1:{pg_server.port}/postgres")
    assert code == 1 and "拒绝登录" in err and "nobody_here" in err, err


def test_a_server_that_does_not_answer_is_still_a_network_problem(pg_server, capsys):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = f"postgresql://{APP}:x@127.0.0.1:{port}/feedesk"
    code, err = _cli(capsys, db)
    assert code == 1 and LedgerUnreachable.message in err, err
