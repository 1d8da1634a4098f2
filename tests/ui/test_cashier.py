"""The cashier's day at the window, driven through the real main window."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.money import format_yuan
from app.services.desk import receipts
from tests.helpers import fen
from tests.ui.conftest import press, screenshot, type_text, wait_idle


def test_login_shows_station_and_refuses_wrong_password(qtbot, window):
    page = window.login_page
    assert "FeeDesk 收费台" in window.windowTitle()
    assert "W01" in page.station_label.text()
    assert "收费点" in page.station_label.text()
    screenshot(window, "login.png")
    qtbot.keyClicks(page.username, "demo")
    press(qtbot, page.username)
    qtbot.keyClicks(page.password, "wrong")
    press(qtbot, page.password)
    qtbot.waitUntil(lambda: page.error.text() != "", timeout=5000)
    assert page.error.text() == "用户名或密码错误"
    assert window.pages.currentWidget() is page


def test_typical_cash_payment_takes_code_amount_and_two_enters(qtbot, cashier, estate):
    """Every key goes to whatever widget has the keyboard focus: no mouse, no widget picked by the test."""
    from PySide6.QtWidgets import QApplication

    ws = cashier.workspace
    keystrokes = 0

    def key(k):
        nonlocal keystrokes
        keystrokes += 1
        qtbot.keyClick(QApplication.focusWidget(), k)

    assert QApplication.focusWidget() is ws.search_box
    for ch in "1-2-301":
        key(ch)
    key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.card is not None, timeout=5000)
    assert QApplication.focusWidget() is ws.tender_input
    assert ws.card_fields["owner"].text() == "张三丰"
    # 89.50 m² × 2.00 = 179.00 + 15 refuse, two months, all selected, oldest first
    assert ws.charges_model.rowCount() == 4 and len(ws.charges_model.checked) == 4
    assert [c.period for c in ws.charges_model.rows] == ["2026-10", "2026-10", "2026-11", "2026-11"]
    assert ws.amount_due.text() == "388.00"
    for ch in "400":
        key(ch)
    key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.last_result is not None, timeout=5000)
    assert keystrokes == len("1-2-301") + len("400") + 2
    assert ws.change_label.text() == "12.00"
    assert QApplication.focusWidget() is ws.search_box
    assert ws.last_result.receipt_no in ws.last_receipt.text()
    wait_idle(qtbot, cashier)
    with estate.session() as s:
        doc = receipts.receipt_doc(s, ws.last_result.receipt_no)
    assert doc.total == fen("388.00") and doc.change == fen("12.00") and doc.payer == "张三丰"
    card = estate.run(__import__("app.services.master.accounts", fromlist=["x"]).account_card,
                      actor=estate.actor("demo"), code="1-2-301")
    assert card.arrears == 0 and card.charges == []
    # the drawer holds 200 + 388 = 588, but the cashier's count stays blind: only the limit shows
    from app.services.desk import shifts

    shift = estate.run(shifts.current_shift, actor=estate.actor("demo"))
    with estate.session() as s:
        assert shifts.drawer_balance(s, shift.id) == fen("588.00")
    assert cashier.status_labels["drawer"].text() == "钱箱未超限额 5000.00"
    assert "588" not in cashier.status_labels["drawer"].text()


def test_find_by_pinyin_initials_and_by_name(qtbot, cashier):
    ws = cashier.workspace
    qtbot.keyClicks(ws.search_box, "lxl")
    qtbot.waitUntil(lambda: ws.hits_model.rowCount() == 1, timeout=5000)
    assert ws.hits_model.row_at(0).code == "1-2-302"
    press(qtbot, ws.search_box)
    qtbot.waitUntil(lambda: ws.card is not None, timeout=5000)
    assert ws.card_fields["owner"].text() == "李小龙"
    press(qtbot, ws.tender_input, Qt.Key.Key_Escape)
    press(qtbot, ws.tender_input, Qt.Key.Key_Escape)
    assert ws.card is None
    type_text(ws.search_box, "王")
    qtbot.waitUntil(lambda: ws.hits_model.rowCount() == 1, timeout=5000)
    assert ws.hits_model.row_at(0).owner == "王芳"


def open_card(qtbot, ws, code: str) -> None:
    ws.search_box.setFocus()
    ws.search_box.selectAll()
    qtbot.keyClicks(ws.search_box, code)
    press(qtbot, ws.search_box)
    qtbot.waitUntil(lambda: ws.card is not None and ws.card.code == code, timeout=5000)


def test_split_tender_wechat_then_cash(qtbot, cashier, estate):
    ws = cashier.workspace
    open_card(qtbot, ws, "2-1-101")
    assert ws.amount_due.text() == "302.00"  # (68 × 2 + 15) × 2
    press(qtbot, ws.tender_input, Qt.Key.Key_F5)
    assert "微信支付" in ws.tender_method.text() and "F5" in ws.tender_method.text()
    assert ws.tender_input.text() == "302.00"
    ws.tender_input.clear()
    qtbot.keyClicks(ws.tender_input, "200 4200001234")
    press(qtbot, ws.tender_input)
    assert "微信支付  200.00" in ws.tender_lines.text()
    assert ws.last_result is None
    screenshot(cashier, "workspace.png")
    qtbot.keyClicks(ws.tender_input, "110")
    press(qtbot, ws.tender_input)
    qtbot.waitUntil(lambda: ws.last_result is not None, timeout=5000)
    assert ws.change_label.text() == "8.00"
    wait_idle(qtbot, cashier)
    with estate.session() as s:
        doc = receipts.receipt_doc(s, ws.last_result.receipt_no)
    assert [(t.method, t.amount, t.reference) for t in doc.tenders] == [
        ("wechat", fen("200"), "4200001234"), ("cash", fen("110"), "")]
    assert doc.change == fen("8.00")


def test_wechat_without_its_reference_is_refused_at_the_input(qtbot, cashier, estate):
    ws = cashier.workspace
    open_card(qtbot, ws, "2-1-101")
    press(qtbot, ws.tender_input, Qt.Key.Key_F5)
    ws.tender_input.clear()
    qtbot.keyClicks(ws.tender_input, "302")
    press(qtbot, ws.tender_input)
    assert "必须填写交易参考号" in ws.tender_error.text()
    assert ws.tenders == [] and ws.last_result is None
    ws.tender_input.clear()
    qtbot.keyClicks(ws.tender_input, "302 4200001234")
    press(qtbot, ws.tender_input)
    qtbot.waitUntil(lambda: ws.last_result is not None, timeout=5000)
    wait_idle(qtbot, cashier)
    with estate.session() as s:
        doc = receipts.receipt_doc(s, ws.last_result.receipt_no)
    assert [(t.method, t.reference) for t in doc.tenders] == [("wechat", "4200001234")]


def test_change_to_prepaid_keeps_the_change(qtbot, cashier, estate):
    ws = cashier.workspace
    open_card(qtbot, ws, "2-1-101")
    press(qtbot, ws.tender_input, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert ws.change_to_prepaid.isChecked()
    qtbot.keyClicks(ws.tender_input, "350")
    press(qtbot, ws.tender_input)
    qtbot.waitUntil(lambda: ws.last_result is not None, timeout=5000)
    assert ws.change_label.text() == "0.00"
    assert "48.00" in ws.last_receipt.text()
    wait_idle(qtbot, cashier)
    qtbot.waitUntil(lambda: ws.card_fields["prepaid"].text() == "48.00", timeout=5000)
    from app.services.master import accounts

    card = estate.run(accounts.account_card, actor=estate.actor("demo"), code="2-1-101")
    assert card.prepaid == fen("48.00") and card.arrears == 0


def test_part_payment_needs_a_second_enter_and_pays_oldest_first(qtbot, cashier, estate):
    ws = cashier.workspace
    open_card(qtbot, ws, "2-1-101")
    qtbot.keyClicks(ws.tender_input, "151")
    press(qtbot, ws.tender_input)
    assert "少于应收" in ws.tender_error.text()
    assert ws.last_result is None
    press(qtbot, ws.tender_input)
    qtbot.waitUntil(lambda: ws.last_result is not None, timeout=5000)
    assert ws.change_label.text() == "0.00"
    wait_idle(qtbot, cashier)
    qtbot.waitUntil(lambda: ws.charges_model.rowCount() == 2, timeout=5000)
    assert {c.period for c in ws.charges_model.rows} == {"2026-11"}


def test_bad_amount_is_shown_next_to_the_input(qtbot, cashier):
    ws = cashier.workspace
    open_card(qtbot, ws, "1-2-302")
    qtbot.keyClicks(ws.tender_input, "12.505")
    press(qtbot, ws.tender_input)
    assert "金额格式不正确" in ws.tender_error.text()
    assert ws.tenders == []


def test_quick_charge_posts_items_and_collects(qtbot, cashier, estate):
    ws = cashier.workspace
    press(qtbot, ws.search_box, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: getattr(cashier, "quick_charge_dialog", None) is not None
                    and cashier.quick_charge_dialog.catalogue != [], timeout=5000)
    dlg = cashier.quick_charge_dialog
    qtbot.keyClicks(dlg.account, "P-001")
    press(qtbot, dlg.account)
    qtbot.keyClicks(dlg.item, "wx")
    assert "维修服务费" in dlg.match.text() and "工程部" in dlg.match.text()
    press(qtbot, dlg.item)
    dlg.quantity.selectAll()
    qtbot.keyClicks(dlg.quantity, "2")
    press(qtbot, dlg.quantity)
    qtbot.keyClicks(dlg.item, "KSF")
    press(qtbot, dlg.item)
    press(qtbot, dlg.quantity)
    assert dlg.items_model.rowCount() == 2
    assert dlg.total.text() == "合计 130.00 元"
    screenshot(dlg, "quick-charge.png")
    press(qtbot, dlg.quantity, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ws.card is not None and ws.card.code == "P-001", timeout=5000)
    # only the two new items are selected, not the account's other charges
    assert ws.amount_due.text() == "130.00"
    assert ws.charges_model.rowCount() == 4  # two refuse-fee months stay unselected
    assert len(ws.charges_model.checked) == 2
    qtbot.keyClicks(ws.tender_input, "150")
    press(qtbot, ws.tender_input)
    qtbot.waitUntil(lambda: ws.last_result is not None, timeout=5000)
    assert ws.change_label.text() == "20.00"
    wait_idle(qtbot, cashier)
    with estate.session() as s:
        doc = receipts.receipt_doc(s, ws.last_result.receipt_no)
    assert sorted((line.fee, line.amount) for line in doc.lines) == [("开锁服务费", fen("30")),
                                                                     ("维修服务费", fen("100"))]


def test_lock_hides_amounts_and_unlock_needs_same_user_or_supervisor(qtbot, cashier):
    ws = cashier.workspace
    open_card(qtbot, ws, "1-2-301")
    press(qtbot, ws.tender_input, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    lock = cashier.lock_page
    assert cashier.pages.currentWidget() is lock
    assert not ws.isVisible() and not ws.amount_due.isVisible()
    screenshot(cashier, "lock.png")
    # another cashier cannot unlock
    lock.username.clear()
    qtbot.keyClicks(lock.username, "lily")
    qtbot.keyClicks(lock.password, "lily")
    press(qtbot, lock.password)
    qtbot.waitUntil(lambda: lock.error.text() != "", timeout=5000)
    assert lock.error.text() == "只有本人或主管可以解锁"
    assert cashier.pages.currentWidget() is lock
    lock.username.clear()
    qtbot.keyClicks(lock.username, "demo")
    qtbot.keyClicks(lock.password, "demo")
    press(qtbot, lock.password)
    qtbot.waitUntil(lambda: cashier.pages.currentWidget() is cashier.tabs, timeout=5000)
    assert ws.amount_due.isVisible() and ws.card.code == "1-2-301"


def test_supervisor_unlocks_and_idle_lock(qtbot, cashier):
    cashier.idle_minutes = 1
    cashier.idle_timer.start(30)
    qtbot.waitUntil(lambda: cashier.pages.currentWidget() is cashier.lock_page, timeout=3000)
    lock = cashier.lock_page
    lock.username.clear()
    qtbot.keyClicks(lock.username, "boss")
    qtbot.keyClicks(lock.password, "boss")
    press(qtbot, lock.password)
    qtbot.waitUntil(lambda: cashier.pages.currentWidget() is cashier.tabs, timeout=5000)
    assert "已解锁" in cashier.status_message.text()
    assert cashier.login.user.username == "demo"


def test_open_shift_from_the_shift_screen(qtbot, window, estate):
    from app.services.desk import shifts
    from tests.ui.conftest import log_in

    log_in(qtbot, window, "lily")
    qtbot.waitUntil(lambda: "未开班" in window.status_labels["shift"].text(), timeout=5000)
    press(qtbot, window.workspace.search_box, Qt.Key.Key_F11)
    screen = window.screens["shift"]
    assert window.tabs.currentWidget() is screen
    assert screen.float_amount.hasFocus()
    qtbot.keyClicks(screen.float_amount, "300")
    press(qtbot, screen.float_amount)
    qtbot.waitUntil(lambda: "班次 #" in window.status_labels["shift"].text(), timeout=5000)
    info = estate.run(shifts.current_shift, actor=estate.actor("lily"))
    assert info is not None and info.float_amount == fen("300")
    assert window.workspace.search_box.hasFocus()
    assert "备用金 300.00 元" in screen.state.text()


def test_f1_shows_the_shortcut_sheet(qtbot, cashier):
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F1)
    sheet = cashier.findChild(__import__("app.ui.dialogs", fromlist=["x"]).ShortcutSheet, "shortcut_sheet")
    qtbot.waitUntil(lambda: sheet is not None and sheet.isVisible(), timeout=2000)
    table = sheet.findChild(__import__("PySide6.QtWidgets", fromlist=["x"]).QTableWidget, "shortcut_table")
    texts = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert "付款方式：微信支付" in texts and "锁屏" in texts
    sheet.close()


def test_amount_due_includes_the_late_fees_the_payment_will_charge(qtbot, cashier, estate):
    from tests.helpers import bill, make_fee

    fee = make_fee(estate, "GLF 管理费 fixed 100 monthly", due_days=5, late_fee_daily="0.001")
    estate.run(__import__("app.services.bills.fees", fromlist=["x"]).assign_fee, actor=estate.actor("admin"),
               fee_code="GLF", account_code="P-001")
    bill(estate, "2026-08")  # long overdue by now: late fees accrue daily
    ws = cashier.workspace
    ws.search_box.setFocus()
    qtbot.keyClicks(ws.search_box, "P-001")
    press(qtbot, ws.search_box)
    qtbot.waitUntil(lambda: ws.card is not None, timeout=5000)
    late = sum(ws.late_fees.values())
    assert fee.code == "GLF" and late > 0
    outstanding = sum(c.outstanding for c in ws.card.charges)
    assert ws.amount_due.text() == format_yuan(outstanding + late)
    assert format_yuan(late) in ws.late_fee_note.text()
    qtbot.keyClicks(ws.tender_input, format_yuan(outstanding + late + fen("100")))  # the float gives the change
    press(qtbot, ws.tender_input)
    qtbot.waitUntil(lambda: ws.last_result is not None, timeout=5000)
    result = ws.last_result
    assert sum(x.amount for x in result.late_fees) == late  # exactly what the screen announced
    assert result.change == fen("100")
    assert ws.change_label.text() == format_yuan(result.change)
    assert result.arrears_after == 0
