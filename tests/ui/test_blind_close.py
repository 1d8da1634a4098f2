"""A blind close that is blind: no path shows a cashier what her open shift's drawer should hold
before her count is saved — not F12, not the drawer-limit warning, not a refused count."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.errors import PermissionDenied
from app.models import AuditEvent
from app.services.desk import closes
from tests.helpers import put_settings
from tests.ui.conftest import press, screenshot, type_text, wait_idle
from tests.ui.test_cashdesk import collect


def test_f12_does_not_open_the_supervisor_desk_for_a_cashier(qtbot, cashier, estate):
    collect(qtbot, cashier, "1-2-301", "400")  # the drawer holds 588.00
    desk = cashier.screens["supervisor"]
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F12)
    assert cashier.tabs.currentWidget() is cashier.workspace
    assert cashier.status_message.text() == "此界面仅限主管使用。"
    cashier.tabs.setCurrentWidget(desk)  # nor any other way to make it current
    assert cashier.tabs.currentWidget() is cashier.workspace
    desk.reload()  # and the desk's own read refuses her
    qtbot.waitUntil(lambda: desk.desk_message.text() != "", timeout=5000)
    wait_idle(qtbot, cashier)
    assert desk.shifts_model.rowCount() == 0
    assert "588" not in desk.shift_detail.text() and "588" not in desk.desk_message.text()


def test_supervisor_desk_read_refuses_a_cashier(estate):
    from app.services.desk import shifts
    from app.ui.supervisor import desk_rows

    estate.run(shifts.open_shift, actor=estate.actor("demo"), float_amount="200")
    with pytest.raises(PermissionDenied):
        estate.run(desk_rows, actor=estate.actor("demo"))
    rows = estate.run(desk_rows, actor=estate.actor("boss"))
    assert [r.takings for r in rows] == [{"cash": 20000}]


def test_drawer_over_the_limit_warns_without_the_drawers_cash(qtbot, cashier, estate):
    with estate.session() as s, s.begin():
        put_settings(s, cash_limit="30000")  # 300.00
    collect(qtbot, cashier, "1-2-301", "400")  # drawer 200 + 388 = 588.00
    qtbot.waitUntil(lambda: "超过限额" in cashier.status_labels["drawer"].text(), timeout=5000)
    assert "588" not in cashier.status_labels["drawer"].text()
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F11)
    screen = cashier.screens["shift"]
    qtbot.waitUntil(lambda: "超过限额" in screen.state.text() and 10000 in screen.count_inputs, timeout=5000)
    assert "588" not in screen.state.text()
    screenshot(cashier, "close-over-drawer-limit.png")
    # a cash-out beyond the drawer is refused without saying what it holds
    index = next(i for i in range(screen.move_kind.count()) if screen.move_kind.itemData(i) == "drop")
    screen.move_kind.setCurrentIndex(index)
    qtbot.keyClicks(screen.move_amount, "9999")
    type_text(screen.move_reason, "投库")
    qtbot.mouseClick(screen.move_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "不足" in screen.move_result.text(), timeout=5000)
    assert "588" not in screen.move_result.text()


def test_count_is_saved_first_then_the_difference_then_the_reason_with_approval(qtbot, cashier, estate):
    collect(qtbot, cashier, "1-2-301", "400")  # drawer 588.00
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F11)
    screen = cashier.screens["shift"]
    qtbot.waitUntil(lambda: 10000 in screen.count_inputs, timeout=5000)
    assert not screen.close_reason.isVisible()  # nothing to fill in before the count
    qtbot.keyClicks(screen.count_inputs[10000], "4")  # 400.00: 188.00 short, over the 50.00 limit
    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.result_box.isVisible(), timeout=5000)
    assert screen.close_error.text() == ""
    assert "短款 188.00" in screen.close_summary.text()
    assert estate.run(closes.list_shifts, actor=estate.actor("demo"))[0].status == "closed"
    assert screen.explain_box.isVisible()
    shift_id = estate.run(closes.list_shifts, actor=estate.actor("demo"))[0].id
    from app.errors import ShiftError

    with pytest.raises(ShiftError, match="尚未说明原因"):
        estate.run(closes.accept_close, actor=estate.actor("boss"), shift_id=shift_id)
    type_text(screen.close_reason, "找零多给")
    press(qtbot, screen.close_reason)
    qtbot.waitUntil(lambda: "主管审批" in screen.explain_error.text(), timeout=5000)
    assert screen.close_reason.text() == "找零多给"  # what was typed stays
    qtbot.keyClicks(screen.close_approver, "boss")
    qtbot.keyClicks(screen.close_approver_password, "wrong")
    press(qtbot, screen.close_approver_password)
    qtbot.waitUntil(lambda: "密码" in screen.explain_error.text(), timeout=5000)
    assert screen.close_reason.text() == "找零多给" and screen.close_approver.text() == "boss"
    qtbot.keyClicks(screen.close_approver_password, "boss")
    press(qtbot, screen.close_approver_password)
    qtbot.waitUntil(lambda: "审批主管：boss" in screen.close_summary.text(), timeout=5000)
    assert "找零多给" in screen.close_summary.text() and not screen.explain_box.isVisible()
    wait_idle(qtbot, cashier)
    with estate.session() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(shift_id),
                                                                  AuditEvent.action.like("shift_%"))))
    assert "shift_close" in actions and "shift_close_reason" in actions
    assert estate.run(closes.accept_close, actor=estate.actor("boss"), shift_id=shift_id).to_safe == 40000


def test_an_unexplained_difference_is_asked_again_after_logging_out_and_in(qtbot, cashier, estate):
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F11)
    screen = cashier.screens["shift"]
    qtbot.waitUntil(lambda: 10000 in screen.count_inputs, timeout=5000)
    qtbot.keyClicks(screen.count_inputs[10000], "1")  # 100.00 of the 200.00 float: 100.00 short
    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.explain_box.isVisible(), timeout=5000)
    wait_idle(qtbot, cashier)
    cashier.log_out()
    from tests.ui.conftest import log_in

    log_in(qtbot, cashier, "lily")  # another cashier sees nothing of it
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F11)
    wait_idle(qtbot, cashier)
    assert not screen.result_box.isVisible()
    cashier.log_out()
    log_in(qtbot, cashier, "demo")
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: screen.explain_box.isVisible(), timeout=5000)
    assert "短款 100.00" in screen.close_summary.text()
    type_text(screen.close_reason, "备用金少领")
    qtbot.keyClicks(screen.close_approver, "boss")
    qtbot.keyClicks(screen.close_approver_password, "boss")
    press(qtbot, screen.close_approver_password)
    qtbot.waitUntil(lambda: not screen.explain_box.isVisible(), timeout=5000)
    assert "备用金少领" in screen.close_summary.text()
