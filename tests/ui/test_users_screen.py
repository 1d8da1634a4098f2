"""Users screen (issue 13.4): the administrator disables and re-enables a user, resets a
password (the log-in page then asks for a new one), changes a role; the ledger and the audit
log are checked after each step. No demo hint on a non-demo ledger."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.errors import AuthenticationFailed
from app.models import AuditEvent, User
from app.services.system import auth
from tests.ui.conftest import log_in, press, wait_idle


def _login(estate, user, password):
    return auth.login_counting_failures(estate.factory, username=user, password=password, station_code="W01")


def _user(estate, name) -> User:
    with estate.session() as s:
        u = s.scalar(select(User).where(User.username == name))
        s.expunge(u)
        return u


def _actions(estate) -> list[tuple[str, str]]:
    with estate.session() as s:
        return [(e.action, json.loads(e.payload).get("username", "")) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action.like("user_%"), AuditEvent.action != "user_add")
            .order_by(AuditEvent.id))]


def _users_page(qtbot, window):
    bo = window.screens["backoffice"]
    window.tabs.setCurrentWidget(bo)
    bo.setCurrentWidget(bo.users_page)
    qtbot.waitUntil(lambda: bo.users_model.rowCount() > 0, timeout=5000)
    return bo


def _select(bo, name):
    row = next(r for r in range(bo.users_proxy.rowCount()) if bo.users_proxy.index(r, 0).data() == name)
    bo.users_view.setCurrentIndex(bo.users_proxy.index(row, 0))


def _state(bo, name):
    return next(bo.users_model.data(bo.users_model.index(r, 4)) for r, u in enumerate(bo.users_model.rows)
                if u.username == name)


def test_admin_disables_resets_and_changes_a_role(qtbot, window, estate):
    assert window.login_page.demo_hint.text() == ""  # the test ledger is no demo ledger
    log_in(qtbot, window, "admin")
    bo = _users_page(qtbot, window)

    _select(bo, "lily")
    qtbot.mouseClick(bo.user_active_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bo.users_message.text() == "已停用用户 lily。", timeout=5000)
    qtbot.waitUntil(lambda: _state(bo, "lily") == "已停用", timeout=5000)
    assert _user(estate, "lily").active is False
    with pytest.raises(AuthenticationFailed):
        _login(estate, "lily", "lily")
    _select(bo, "lily")
    qtbot.mouseClick(bo.user_active_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bo.users_message.text() == "已启用用户 lily。", timeout=5000)
    assert _user(estate, "lily").active is True

    _select(bo, "admin")  # never herself
    qtbot.mouseClick(bo.user_active_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "不能停用或启用自己的账号" in bo.users_message.text(), timeout=5000)
    assert _user(estate, "admin").active is True

    _select(bo, "boss")
    qtbot.keyClicks(bo.reset_password, "short")
    press(qtbot, bo.reset_password_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "主管的密码至少 8 位" in bo.users_message.text(), timeout=5000)
    qtbot.keyClicks(bo.reset_password, "temp-pass-1")
    press(qtbot, bo.reset_password_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "下次登录时须修改" in bo.users_message.text(), timeout=5000)
    qtbot.waitUntil(lambda: _state(bo, "boss") == "须修改密码", timeout=5000)

    _select(bo, "demo")
    bo.set_role.setCurrentIndex(bo.set_role.findData("auditor"))
    press(qtbot, bo.set_role_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: bo.users_message.text() == "已更改 demo 的角色。", timeout=5000)
    assert _user(estate, "demo").role.value == "auditor"
    wait_idle(qtbot, window)
    assert _actions(estate) == [("user_disable", "lily"), ("user_enable", "lily"),
                                ("user_password_reset", "boss"), ("user_role", "demo")]

    # boss logs in with the temporary password: the page asks for a new one before anything else
    press(qtbot, window.tabs, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    page = window.login_page
    qtbot.waitUntil(lambda: window.pages.currentWidget() is page, timeout=5000)
    page.username.clear()
    qtbot.keyClicks(page.username, "boss")
    press(qtbot, page.username)
    qtbot.keyClicks(page.password, "temp-pass-1")
    press(qtbot, page.password)
    qtbot.waitUntil(lambda: page.new_password.isVisible(), timeout=5000)
    assert "请设置新密码" in page.error.text() and window.pages.currentWidget() is page
    qtbot.keyClicks(page.new_password, "abcdef")
    press(qtbot, page.new_password)
    qtbot.keyClicks(page.new_password2, "abcdef")
    press(qtbot, page.new_password2)
    qtbot.waitUntil(lambda: "主管的密码至少 8 位" in page.error.text(), timeout=5000)
    qtbot.keyClicks(page.new_password, "boss-own-pass")
    press(qtbot, page.new_password)
    qtbot.keyClicks(page.new_password2, "boss-own-pass")
    press(qtbot, page.new_password2)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.tabs, timeout=5000)
    assert window.login.user.username == "boss"
    assert _login(estate, "boss", "boss-own-pass").must_change_password is False
    assert ("user_password_change", "boss") in _actions(estate)


def test_the_service_refuses_a_supervisor_whatever_the_screen_shows(estate):
    from app.errors import PermissionDenied

    for fn, kw in ((auth.set_active, dict(active=False)), (auth.reset_password, dict(password="x-temp-pass")),
                   (auth.set_role, dict(role="admin"))):
        with pytest.raises(PermissionDenied):
            estate.run(fn, actor=estate.actor("boss"), username="lily", **kw)
    assert _user(estate, "lily").role.value == "cashier" and _user(estate, "lily").active
