"""The complaints/repairs screen driven by keyboard: register, the refusal, close; the cashier's card shows it."""

from PySide6.QtCore import Qt

from app.services.master import tickets
from tests.ui.conftest import press, screenshot, type_text, wait_idle


def open_tab(qtbot, win):
    screen = win.screens["tickets"]
    win.tabs.setCurrentWidget(screen)
    wait_idle(qtbot, win)
    return screen


def test_cashier_registers_and_closes_a_repair_by_keyboard(qtbot, cashier, estate):
    win = cashier
    s = open_tab(qtbot, win)
    s.kind.setCurrentIndex(list(tickets.KIND_NAMES).index("repair"))
    qtbot.keyClicks(s.account, "1-2-301")
    type_text(s.description, "厨房下水道堵塞")
    type_text(s.assignee, "")  # no one responsible yet: refused, nothing written
    press(qtbot, s.description)
    qtbot.waitUntil(lambda: "责任人" in s.message.text(), timeout=5000)
    assert estate.run(tickets.list_tickets, actor=estate.actor("boss")) == []
    type_text(s.assignee, "王师傅")
    press(qtbot, s.assignee)
    qtbot.waitUntil(lambda: s.message.text().startswith("已登记 TK"), timeout=5000)
    wait_idle(qtbot, win)
    assert s.model.rowCount() == 1 and s.description.text() == ""
    [t] = estate.run(tickets.list_tickets, actor=estate.actor("boss"))
    assert (t.kind, t.account_code, t.description, t.assignee, t.status) == ("报修", "1-2-301", "厨房下水道堵塞",
                                                                             "王师傅", "处理中")
    screenshot(win, "tickets-screen.png")
    # the cashier opening the account sees the open ticket on the card
    win.tabs.setCurrentWidget(win.workspace)
    ws = win.workspace
    ws.search_box.setFocus()
    qtbot.keyClicks(ws.search_box, "1-2-301")
    press(qtbot, ws.search_box)
    qtbot.waitUntil(lambda: "未办结工单：" + t.ticket_no in ws.card_warnings.text(), timeout=5000)
    # close it: select the row, type the outcome, Enter
    s = open_tab(qtbot, win)
    s.table.setFocus()
    s.table.selectRow(0)
    type_text(s.outcome, "已疏通")
    s.satisfaction.setCurrentIndex(list(tickets.SATISFACTION_NAMES).index("satisfied"))
    qtbot.keyClick(s.outcome, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: s.message.text() == f"已办结 {t.ticket_no}", timeout=5000)
    wait_idle(qtbot, win)
    assert s.model.rowCount() == 0  # open tickets only
    [done] = estate.run(tickets.list_tickets, actor=estate.actor("boss"))
    assert (done.status, done.outcome, done.satisfaction) == ("已办结", "已疏通", "满意")
