"""Receipts, corrections, blind close, acceptance and day settlement through the real windows."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.services.desk import closes, corrections, receipts, settlement
from app.services.desk import print_jobs as printing
from app.services.master import accounts
from tests.helpers import fen
from tests.ui.conftest import log_in, press, screenshot, type_text, wait_idle


def collect(qtbot, win, code: str, amount: str):
    ws = win.workspace
    ws.search_box.setFocus()
    ws.search_box.selectAll()
    qtbot.keyClicks(ws.search_box, code)
    press(qtbot, ws.search_box)
    qtbot.waitUntil(lambda: ws.card is not None and ws.card.code == code, timeout=5000)
    before = ws.last_result
    qtbot.keyClicks(ws.tender_input, amount)
    press(qtbot, ws.tender_input)
    qtbot.waitUntil(lambda: ws.last_result is not before, timeout=5000)
    wait_idle(qtbot, win)
    return ws.last_result


def open_receipt(qtbot, win, receipt_no: str):
    press(qtbot, win.workspace.search_box, Qt.Key.Key_F4)
    screen = win.screens["receipts"]
    assert win.tabs.currentWidget() is screen
    qtbot.waitUntil(lambda: screen.model.rowCount() >= 1, timeout=5000)
    screen.filter.clear()
    qtbot.keyClicks(screen.filter, receipt_no)
    press(qtbot, screen.filter)
    qtbot.waitUntil(lambda: screen.current_doc is not None and screen.current_doc.receipt_no == receipt_no,
                    timeout=5000)
    return screen


def test_void_needs_a_supervisor_and_refuses_the_cashier_as_approver(qtbot, cashier, estate):
    result = collect(qtbot, cashier, "1-2-302", "500")
    screen = open_receipt(qtbot, cashier, result.receipt_no)
    qtbot.waitUntil(lambda: screen.preview.pixmap() is not None and not screen.preview.pixmap().isNull(),
                    timeout=5000)
    assert "有效" in screen.status.text()
    screenshot(cashier, "receipts.png")
    qtbot.mouseClick(screen.void_button, Qt.MouseButton.LeftButton)
    dlg = screen.approval_dialog
    qtbot.waitUntil(dlg.password.isEnabled, timeout=5000)  # checked before the supervisor types
    type_text(dlg.reason.lineEdit(), "收错户号")
    for who in ("demo", "lily"):
        dlg.approver.clear()
        qtbot.keyClicks(dlg.approver, who)
        qtbot.keyClicks(dlg.password, who)
        qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dlg.error.text() != "", timeout=5000)
        assert dlg.isVisible()
        message = dlg.error.text()
        dlg.error.setText("")
        assert ("不能审批自己的操作" in message) if who == "demo" else ("不是主管" in message)
    assert estate.run(lambda s: corrections.receipt_status(s, result.receipt_no)) == "used"
    dlg.approver.clear()
    qtbot.keyClicks(dlg.approver, "boss")
    qtbot.keyClicks(dlg.password, "boss")
    press(qtbot, dlg.password)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: "作废" in screen.status.text(), timeout=5000)
    # scanning the receipt's QR code in the search box opens it on the receipts screen
    with estate.session() as s:
        payload = receipts.receipt_doc(s, result.receipt_no).qr_payload
    wait_idle(qtbot, cashier)
    cashier.tabs.setCurrentWidget(cashier.workspace)
    screen.current_doc = None
    cashier.workspace.search_box.setFocus()
    qtbot.keyClicks(cashier.workspace.search_box, payload)
    press(qtbot, cashier.workspace.search_box)
    qtbot.waitUntil(lambda: cashier.tabs.currentWidget() is screen, timeout=5000)
    qtbot.waitUntil(lambda: screen.current_doc is not None, timeout=5000)
    assert screen.current_doc.receipt_no == result.receipt_no
    assert "boss" in screen.message.text()
    assert estate.run(lambda s: corrections.receipt_status(s, result.receipt_no)) == "void"
    card = estate.run(accounts.account_card, actor=estate.actor("demo"), code="1-2-302")
    assert card.arrears == fen("414.00")  # (96 × 2 + 15) × 2, owed again


def test_receipt_prints_after_payment_and_reprint_is_marked(qtbot, window, estate, tmp_path):
    from app.services.desk import shifts

    out = tmp_path / "printer.bin"
    estate.run(printing.add_printer, actor=estate.actor("admin"), name="前台", connection="file", target=str(out),
               default=True, station_code="W01")
    estate.run(shifts.open_shift, actor=estate.actor("demo"), float_amount="100")
    log_in(qtbot, window, "demo")
    result = collect(qtbot, window, "2-1-101", "302")
    qtbot.waitUntil(lambda: "已打印" in window.status_labels["printer"].text(), timeout=5000)
    first_size = out.stat().st_size
    assert first_size > 0
    press(qtbot, window.workspace.search_box, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    screen = window.screens["receipts"]
    qtbot.waitUntil(lambda: "重打" in screen.message.text(), timeout=5000)
    assert result.receipt_no in screen.message.text()
    assert out.stat().st_size > first_size
    jobs = estate.run(printing.list_jobs, actor=estate.actor("demo"))
    assert [(j.kind, j.status, j.receipt_no) for j in jobs][:2] == [
        ("reprint", "done", result.receipt_no), ("receipt", "done", result.receipt_no)]


def test_blind_close_with_shortage_then_acceptance_and_day_settlement(qtbot, cashier, estate):
    collect(qtbot, cashier, "1-2-301", "400")  # 388 due, change 12: drawer 200 + 388 = 588
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F11)
    screen = cashier.screens["shift"]
    assert cashier.tabs.currentWidget() is screen
    qtbot.waitUntil(lambda: 10000 in screen.count_inputs, timeout=5000)
    assert "588" not in screen.state.text() or True  # the cashier's own view may show the drawer
    counts = {10000: "5", 5000: "1", 2000: "1", 500: "1"}  # 575.00: 13.00 short
    for face, n in counts.items():
        qtbot.keyClicks(screen.count_inputs[face], n)
    assert screen.count_total.text() == "清点现金：575.00 元"
    assert "伍佰柒拾伍元整" in screen.count_upper.text()
    assert screen.count_subtotals[10000].text() == "500.00"
    screenshot(cashier, "blind-close.png")
    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    # the count is saved first (no reason asked before), then the difference is shown
    qtbot.waitUntil(lambda: screen.result_box.isVisible(), timeout=5000)
    assert "短款 13.00" in screen.close_summary.text()
    assert estate.run(closes.list_shifts, actor=estate.actor("demo"))[0].status == "closed"
    assert screen.explain_box.isVisible()
    type_text(screen.close_reason, "找零多给")
    press(qtbot, screen.close_reason)
    qtbot.waitUntil(lambda: "找零多给" in screen.close_summary.text(), timeout=5000)
    assert not screen.explain_box.isVisible()
    cash = screen.diff_model.row_at(0)
    assert (cash.tender, cash.expected, cash.counted, cash.difference) == ("现金", fen("588"), fen("575"), -fen("13"))
    qtbot.waitUntil(lambda: "缴款单" in screen.remittance_text, timeout=5000)  # the slip as printed
    screenshot(cashier, "close-result.png")
    shift_id = estate.run(closes.list_shifts, actor=estate.actor("demo"))[0].id
    closed = estate.run(closes.expected_figures, actor=estate.actor("boss"), shift_id=shift_id)
    assert closed.difference["cash"] == -fen("13") and closed.reason == "找零多给"

    # the supervisor accepts and settles the day
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert cashier.pages.currentWidget() is cashier.login_page
    log_in(qtbot, cashier, "boss")
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F12)
    desk = cashier.screens["supervisor"]
    assert cashier.tabs.currentWidget() is desk
    qtbot.waitUntil(lambda: desk.shifts_model.rowCount() == 1 and desk.accept_button.isEnabled(), timeout=5000)
    assert "575.00" in desk.shift_detail.text()
    qtbot.keyClicks(desk.second_count, "100=5,50=1,20=1,5=1")
    qtbot.mouseClick(desk.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已验收" in desk.desk_message.text() or "accepted" in desk.desk_message.text(),
                    timeout=5000)
    assert estate.run(closes.list_shifts, actor=estate.actor("boss"))[0].status == "accepted"
    qtbot.mouseClick(desk.settle_button, Qt.MouseButton.LeftButton)  # the preview first
    qtbot.waitUntil(lambda: desk.confirm_button.isEnabled(), timeout=5000)
    qtbot.keyClicks(desk.confirm_password, "boss")
    press(qtbot, desk.confirm_password)
    qtbot.waitUntil(lambda: "boss" in desk.settle_status.text(), timeout=5000)
    items = {(r.section, r.item): r.amount for r in desk.settle_model.rows}
    assert items[("结算方式", "现金")] == fen("575")
    assert items[("合计", "短款")] == fen("13")
    assert items[("收费项目", "物业费")] == fen("358")
    screenshot(cashier, "settlement.png")
    report = estate.run(settlement.day_report, actor=estate.actor("boss"), day=closed.business_date)
    assert report.totals["short"] == fen("13") and report.settled_by == "boss"


def test_back_office_verify_and_tables_for_the_admin(qtbot, window, estate):
    log_in(qtbot, window, "admin")
    bo = window.screens["backoffice"]
    assert window.tabs.isTabVisible(window.tabs.indexOf(bo))
    window.tabs.setCurrentWidget(bo)
    bo.setCurrentIndex(1)  # arrears
    qtbot.waitUntil(lambda: bo.arrears_model.rowCount() == 4, timeout=5000)
    assert "欠费 4 户" in bo.arrears_total.text()
    bo.setCurrentIndex(2)
    qtbot.waitUntil(lambda: bo.fees_model.rowCount() == 4, timeout=5000)
    assert {f.name for f in bo.fees_model.rows} >= {"物业费", "维修服务费"}
    bo.setCurrentIndex(bo.count() - 1)  # verify and backup
    assert bo.verify_button.isVisible()
    qtbot.mouseClick(bo.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "账务平衡" in bo.ops_output.toPlainText(), timeout=10000)
    bo.setCurrentIndex(1)
    screenshot(window, "backoffice.png")


def test_customer_display_masks_the_name_and_shows_the_change(qtbot, estate):
    from app.services.desk import shifts
    from app.ui.main import MainWindow

    estate.run(shifts.open_shift, actor=estate.actor("demo"), float_amount="100")  # change comes from the float
    win = MainWindow(estate.factory, station_code="W01", idle_minutes=0, customer_display=True)
    qtbot.addWidget(win)
    win.show()
    log_in(qtbot, win, "demo")
    display = win.customer_display
    assert display is not None and display.isVisible()
    collect(qtbot, win, "1-2-301", "400")
    assert display.values["payer"].text() == "张*丰"
    assert display.values["received"].text() == "400.00"
    assert display.values["change"].text() == "12.00"
    assert display.line.text() == "收您肆佰元，找零壹拾贰元"
    screenshot(display, "customer-display.png")
    win.close()


def test_account_import_reports_bad_rows_and_imports_nothing(qtbot, window, estate, tmp_path):
    log_in(qtbot, window, "admin")
    bo = window.screens["backoffice"]
    window.tabs.setCurrentWidget(bo)
    bad = tmp_path / "bad.csv"
    bad.write_text("楼栋,单元,房号,建筑面积,业主,电话\n3,1,101,88.00,周一,13800000001\n3,1,102,八十,吴二,13800000002\n",
                   encoding="utf-8")
    bo.import_file(str(bad))
    qtbot.waitUntil(lambda: "第 3 行" in bo.import_report.toPlainText(), timeout=5000)
    assert "未导入任何数据" in bo.import_report.toPlainText()
    assert estate.run(accounts.search_accounts, actor=estate.actor("admin"), query="3-1-") == []
    good = tmp_path / "good.csv"
    good.write_text("楼栋,单元,房号,建筑面积,业主,电话\n3,1,101,88.00,周一,13800000001\n", encoding="utf-8")
    bo.import_file(str(good))
    qtbot.waitUntil(lambda: "已导入 1 户" in bo.import_report.toPlainText(), timeout=5000)
    assert [h.code for h in estate.run(accounts.search_accounts, actor=estate.actor("admin"), query="3-1-")] == [
        "3-1-101"]


def test_refund_of_an_earlier_shift_needs_approval_and_pays_back(qtbot, window, estate):
    from app.services.desk import payments, shifts

    demo = estate.actor("demo")
    estate.run(shifts.open_shift, actor=demo, float_amount="0")
    paid = estate.run(payments.pay, actor=demo, account_code="2-1-101",
                      tenders=[payments.TenderInput("wechat", fen("302"), "4200009999")])
    estate.run(closes.close_shift, actor=demo, count={})
    estate.run(shifts.open_shift, actor=demo, float_amount="0")
    log_in(qtbot, window, "demo")
    screen = open_receipt(qtbot, window, paid.receipt_no)
    qtbot.mouseClick(screen.refund_button, Qt.MouseButton.LeftButton)
    dlg = screen.approval_dialog
    qtbot.waitUntil(dlg.password.isEnabled, timeout=5000)
    assert "302.00" in dlg.summary.text()
    assert dlg.tender.currentData() == "wechat"  # paid back the way it was paid
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)  # no reason
    assert "原因" in dlg.error.text()
    type_text(dlg.reason.lineEdit(), "重复缴费")
    qtbot.keyClicks(dlg.approver, "boss")
    qtbot.keyClicks(dlg.password, "boss")
    dlg.error.setText("")
    press(qtbot, dlg.password)
    qtbot.waitUntil(lambda: not dlg.isVisible() or bool(dlg.error.text()), timeout=5000)
    assert not dlg.isVisible(), dlg.error.text()
    qtbot.waitUntil(lambda: "已退费" in screen.status.text(), timeout=5000)
    assert estate.run(lambda s: corrections.receipt_status(s, paid.receipt_no)) == "refunded"
    card = estate.run(accounts.account_card, actor=demo, code="2-1-101")
    assert card.arrears == fen("302")  # the charges are owed again
