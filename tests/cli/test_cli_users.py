"""`feedesk user list|unlock|recover-admin`: nobody can lock the administrators out for good (issue 17.4)."""

import json
import os
import sqlite3

from tests.cli.test_cli_core import cli  # noqa: F401 - the fixture


def lock_out(cli, name: str) -> None:  # noqa: F811
    for _ in range(5):
        cli("user", "list", user=name, password="guess", expect=1)


def audit_rows(db: str, action: str) -> list[dict]:
    con = sqlite3.connect(db)
    try:
        return [json.loads(p) for (p,) in con.execute(
            "SELECT payload FROM audit_event WHERE action = ? ORDER BY id", (action,))]
    finally:
        con.close()


def test_admin_unlocks_a_user_from_the_command_line(cli):  # noqa: F811
    admin = dict(user="admin", password="admin-pass")
    cli("user", "add", "wang", "--role", "cashier", "--password", "wang1234", **admin)
    cli("user", "add", "root2", "--role", "admin", "--password", "root2pass", **admin)
    lock_out(cli, "admin")  # anyone at a keyboard can do this
    assert "暂时锁定" in cli("user", "list", user="admin", password="admin-pass", expect=1)
    listed = cli("user", "list", "--json", user="root2", password="root2pass")
    assert [u["locked_until"] is not None for u in listed if u["username"] == "admin"] == [True]
    assert "锁定至" in cli("user", "list", user="root2", password="root2pass")
    out = cli("user", "unlock", "admin", user="wang", password="wang1234", expect=1)
    assert "没有“系统管理”权限" in out
    assert "已解锁用户 admin" in cli("user", "unlock", "admin", user="root2", password="root2pass")
    assert "admin" in cli("user", "list", user="admin", password="admin-pass")


def test_last_admin_locked_out_is_recovered_on_the_ledger_file_and_it_is_audited(cli, monkeypatch):  # noqa: F811
    db = os.environ["FEEDESK_DB"]
    lock_out(cli, "admin")
    monkeypatch.delenv("FEEDESK_USER")
    monkeypatch.delenv("FEEDESK_PASSWORD")
    out = cli("user", "recover-admin", "admin", "--new-password", "fresh-pass")
    assert "已恢复管理员 admin" in out and "重设密码" in out
    assert "admin" in cli("user", "list", user="admin", password="fresh-pass")
    cli("user", "list", user="admin", password="admin-pass", expect=1)  # the old password is gone
    (row,) = audit_rows(db, "admin_recovered")
    assert row["username"] == "admin" and row["password_reset"] is True and row["failed"] == 5
    assert row["os_user"] and row["host"]
    verified = cli("verify", "--json", user="admin", password="fresh-pass")
    assert verified["ok"] is True


def test_recover_admin_is_refused_for_others_for_a_server_and_without_write_access(cli, tmp_path):  # noqa: F811
    db = os.environ["FEEDESK_DB"]
    cli("user", "add", "wang", "--role", "cashier", "--password", "wang1234", user="admin", password="admin-pass")
    os.environ.pop("FEEDESK_USER")
    assert "不是管理员" in cli("user", "recover-admin", "wang", expect=1)
    assert "只适用于本机的 SQLite 账本" in cli(
        "--db", "postgresql://feedesk_app:x@127.0.0.1:1/feedesk", "user", "recover-admin", "admin", expect=1)
    os.chmod(db, 0o444)  # marked read-only (also refused when the OS refuses writing, e.g. not root)
    try:
        assert "无法写入账本文件" in cli("user", "recover-admin", "admin", expect=1)
    finally:
        os.chmod(db, 0o644)
    assert audit_rows(db, "admin_recovered") == []


def test_disable_enable_reset_password_and_set_role_from_the_command_line(cli, monkeypatch):  # noqa: F811
    db = os.environ["FEEDESK_DB"]
    admin = dict(user="admin", password="admin-pass")
    cli("user", "add", "wang", "--role", "cashier", "--password", "wang1234", **admin)
    assert "没有“系统管理”权限" in cli("user", "disable", "admin", user="wang", password="wang1234", expect=1)
    assert "已停用用户 wang" in cli("user", "disable", "wang", **admin)
    cli("user", "list", user="wang", password="wang1234", expect=1)
    assert "已启用用户 wang" in cli("user", "enable", "wang", **admin)
    assert "角色已改为主管" in cli("user", "set-role", "wang", "--role", "supervisor", **admin)
    assert "至少 8 位" in cli("user", "reset-password", "wang", "--password", "tmp1", **admin, expect=1)
    assert "下次登录时须修改" in cli("user", "reset-password", "wang", "--password", "temp-pass-9", **admin)
    assert "请先修改密码" in cli("user", "list", user="wang", password="temp-pass-9", expect=1)
    monkeypatch.setenv("FEEDESK_NEW_PASSWORD", "wang-own-pass")
    assert "密码已修改" in cli("user", "passwd", user="wang", password="temp-pass-9")
    assert "wang" in cli("user", "list", user="wang", password="wang-own-pass")
    assert [r["username"] for r in audit_rows(db, "user_disable")] == ["wang"]
    assert [(r["old"], r["new"]) for r in audit_rows(db, "user_role")] == [("cashier", "supervisor")]
    assert len(audit_rows(db, "user_password_reset")) == 1 and len(audit_rows(db, "user_password_change")) == 1
