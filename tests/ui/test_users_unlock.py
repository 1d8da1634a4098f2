"""Users screen: a user locked by wrong passwords shows as locked, and the administrator's
button unlocks at once (issue 17.4)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.errors import AccountLocked, AuthenticationFailed
from app.services.system import auth
from tests.ui.conftest import log_in, screenshot, wait_idle


def _login(estate, user, password):
    return auth.login_counting_failures(estate.factory, username=user, password=password, station_code="W01")


def test_admin_unlocks_a_locked_supervisor_with_the_button(qtbot, window, estate):
    for _ in range(5):  # a cashier guessing the supervisor's approval password
        with pytest.raises((AuthenticationFailed, AccountLocked)):
            _login(estate, "boss", "guess")
    with pytest.raises(AccountLocked):
        _login(estate, "boss", "boss")
    log_in(qtbot, window, "admin")
    bo = window.screens["backoffice"]
    window.tabs.setCurrentWidget(bo)
    bo.setCurrentWidget(bo.users_page)
    qtbot.waitUntil(lambda: bo.users_model.rowCount() > 0, timeout=5000)
    states = {u.username: bo.users_model.data(bo.users_model.index(r, 4)) for r, u in enumerate(bo.users_model.rows)}
    assert states["boss"].startswith("锁定至 ") and states["demo"] == ""

    # Nothing selected: a message, nothing unlocked.
    bo.users_view.clearSelection()
    bo.users_view.setCurrentIndex(bo.users_proxy.index(-1, -1))
    qtbot.mouseClick(bo.unlock_user_button, Qt.MouseButton.LeftButton)
    assert bo.users_message.text() == "请先在列表中选择用户。"

    row = next(r for r in range(bo.users_proxy.rowCount())
               if bo.users_proxy.index(r, 0).data() == "boss")
    bo.users_view.setCurrentIndex(bo.users_proxy.index(row, 0))
    qtbot.mouseClick(bo.unlock_user_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bo.users_message.text() == "已解锁用户 boss。", timeout=5000)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: all(bo.users_model.data(bo.users_model.index(r, 4)) == ""
                                for r in range(bo.users_model.rowCount())), timeout=5000)
    screenshot(window, "backoffice-users-unlock.png")
    assert _login(estate, "boss", "boss").user.username == "boss"
