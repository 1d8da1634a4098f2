"""Users and passwords (issue 13.4): disable/enable, reset (change at the next log-in), role,
password policy; administrator only, each change audited. On PostgreSQL these are the
owner's writes: `admin_run`."""

import json

import pytest
from sqlalchemy import select

from app.errors import AuthenticationFailed, InvalidInput, PermissionDenied
from app.models import AuditEvent, User
from app.services.journal.verify import verify
from app.services.master import admin
from app.services.system import auth


def login(lg, user, password):
    return auth.login_counting_failures(lg.factory, username=user, password=password, station_code="W01")


def events(lg, action):
    with lg.session() as s:
        return [(e.user_id, json.loads(e.payload)) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


@pytest.mark.parametrize("fn, kw", [
    (auth.set_active, dict(username="demo", active=False)),
    (auth.reset_password, dict(username="demo", password="new-pass-1")),
    (auth.set_role, dict(username="demo", role="supervisor")),
])
def test_only_an_administrator_changes_users(ledger, fn, kw):
    for who in ("boss", "demo", "audit"):
        with pytest.raises(PermissionDenied):
            ledger.admin_run(fn, actor=ledger.actor(who), **kw)
    with ledger.session() as s:
        u = auth.user_by_name(s, "demo")
        assert (u.active, u.role.value) == (True, "cashier")
    assert login(ledger, "demo", "demo").must_change_password is False


def test_disable_and_enable_a_user(ledger):
    a = ledger.actor("admin")
    info = ledger.admin_run(auth.set_active, actor=a, username="lily", active=False)
    assert info.active is False
    with pytest.raises(AuthenticationFailed):
        login(ledger, "lily", "lily")
    with pytest.raises(InvalidInput, match="已经是停用"):
        ledger.admin_run(auth.set_active, actor=a, username="lily", active=False)
    with pytest.raises(InvalidInput, match="自己"):
        ledger.admin_run(auth.set_active, actor=a, username="admin", active=False)
    ledger.admin_run(auth.set_active, actor=a, username="lily", active=True)
    assert login(ledger, "lily", "lily").user.username == "lily"
    assert [p["username"] for _, p in events(ledger, "user_disable")] == ["lily"]
    assert [(uid, p["username"]) for uid, p in events(ledger, "user_enable")] == [(a.user_id, "lily")]
    assert ledger.run(verify).ok


def test_a_reset_password_must_be_changed_at_the_next_log_in(ledger):
    a = ledger.actor("admin")
    with pytest.raises(InvalidInput, match="主管的密码至少 8 位"):  # the policy for supervisors
        ledger.admin_run(auth.reset_password, actor=a, username="boss", password="short")
    ledger.admin_run(auth.reset_password, actor=a, username="boss", password="temp-pass-1")
    with pytest.raises(AuthenticationFailed):
        login(ledger, "boss", "boss")
    first = login(ledger, "boss", "temp-pass-1")
    assert first.must_change_password is True
    assert {u.username: u.must_change_password for u in ledger.run(auth.list_users, actor=a)}["boss"] is True
    change = dict(username="boss", password="temp-pass-1", station_code="W01")
    with pytest.raises(InvalidInput, match="不能与原密码相同"):
        ledger.admin_run(auth.change_password, new_password="temp-pass-1", **change)
    with pytest.raises(InvalidInput, match="至少 8 位"):
        ledger.admin_run(auth.change_password, new_password="boss2", **change)
    with pytest.raises(AuthenticationFailed):
        ledger.admin_run(auth.change_password, **{**change, "password": "wrong"}, new_password="my-own-pass")
    done = ledger.admin_run(auth.change_password, new_password="my-own-pass", **change)
    assert done.must_change_password is False
    assert login(ledger, "boss", "my-own-pass").must_change_password is False
    assert [p["username"] for _, p in events(ledger, "user_password_reset")] == ["boss"]
    assert [uid for uid, _ in events(ledger, "user_password_change")] == [ledger.actor("boss").user_id]
    assert ledger.run(verify).ok


def test_change_a_role(ledger):
    a = ledger.actor("admin")
    info = ledger.admin_run(auth.set_role, actor=a, username="lily", role="supervisor")
    assert info.role == "supervisor" and info.must_change_password  # her 4-letter password is too short now
    with ledger.session() as s:
        assert s.scalar(select(User.role).where(User.username == "lily")).value == "supervisor"
    with pytest.raises(InvalidInput, match="自己的角色"):
        ledger.admin_run(auth.set_role, actor=a, username="admin", role="cashier")
    with pytest.raises(InvalidInput, match="角色不正确"):
        ledger.admin_run(auth.set_role, actor=a, username="lily", role="king")
    payload = events(ledger, "user_role")[0][1]
    assert (payload["username"], payload["old"], payload["new"]) == ("lily", "cashier", "supervisor")


def test_password_policy_is_a_setting(ledger):
    a = ledger.actor("admin")
    with pytest.raises(InvalidInput, match="管理员的密码至少 8 位"):
        ledger.admin_run(auth.add_user, actor=a, username="x1", role="admin", password="abc1234")
    ledger.admin_run(auth.add_user, actor=a, username="x2", role="cashier", password="abcd")  # cashiers: 4
    ledger.admin_run(admin.update_setting, actor=a, key="password_min_length", value="12")
    with pytest.raises(InvalidInput, match="至少 12 位"):
        ledger.admin_run(auth.add_user, actor=a, username="x3", role="supervisor", password="abcdefgh")
    ledger.admin_run(auth.add_user, actor=a, username="x3", role="supervisor", password="abcdefghijkl")
    with pytest.raises(InvalidInput, match="4–64"):
        ledger.admin_run(admin.update_setting, actor=a, key="password_min_length", value="2")
