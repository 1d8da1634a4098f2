"""Keyboard everywhere (#12.3): Enter submits the form that has focus, Tab follows the eye and
leaves tables, and on the receipts screen Ctrl+R / Ctrl+D / Ctrl+T act on the receipt selected."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from app.models import BankDeposit, CashMovement
from app.services.desk import closes, payments, shifts
from app.services.desk import print_jobs as printing
from tests.ui.conftest import log_in, press, type_text, wait_idle
from tests.ui.screen_texts import cut_off
from tests.ui.test_cashdesk import collect


def focused() -> str:
    w = QApplication.focusWidget()
    return w.objectName() if w is not None else ""


def tab(qtbot) -> str:
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    return focused()


def count_rows(estate, table) -> int:
    with estate.session() as s:
        return s.scalar(select(func.count()).select_from(table))


def choose(combo, data) -> None:
    combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemData(i) == data))


def test_enter_records_a_cash_movement_once(qtbot, cashier, estate):
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F11)
    screen = cashier.screens["shift"]
    qtbot.waitUntil(lambda: screen.move_box.isVisible(), timeout=5000)
    choose(screen.move_kind, "top_up")
    qtbot.keyClicks(screen.move_amount, "50")
    press(qtbot, screen.move_amount)  # the reason is still empty: Enter goes there
    assert focused() == "move_reason" and count_rows(estate, CashMovement) == 0
    type_text(screen.move_reason, "主管补零钱")
    press(qtbot, screen.move_reason)
    press(qtbot, screen.move_reason)  # a second Enter while the first is in flight records nothing more
    qtbot.waitUntil(lambda: screen.move_result.text() != "", timeout=5000)
    assert "已登记" in screen.move_result.text(), screen.move_result.text()
    wait_idle(qtbot, cashier)
    assert count_rows(estate, CashMovement) == 1
    assert screen.move_button.text() == "登记 (Enter)"


def test_enter_walks_the_count_and_saves_it_on_the_button(qtbot, cashier):
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F11)
    screen = cashier.screens["shift"]
    qtbot.waitUntil(lambda: 10000 in screen.count_inputs and screen.close_box.isVisible(), timeout=5000)
    screen.focus_first()
    qtbot.keyClicks(screen.count_inputs[10000], "2")  # the float: 200.00
    for _ in range(len(screen.count_inputs)):
        press(qtbot, QApplication.focusWidget())
    assert focused() == "close_shift_button"
    press(qtbot, screen.close_button)  # Enter on the save button saves the count
    qtbot.waitUntil(lambda: screen.result_box.isVisible(), timeout=5000)
    wait_idle(qtbot, cashier)
    assert "帐相符" in screen.close_summary.text() or "相符" in screen.close_summary.text()


def test_tab_on_the_close_goes_notes_then_slips_then_save(qtbot, cashier):
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F11)
    screen = cashier.screens["shift"]
    qtbot.waitUntil(lambda: 10000 in screen.count_inputs and screen.close_box.isVisible(), timeout=5000)
    faces = sorted(screen.count_inputs, reverse=True)
    screen.count_inputs[faces[0]].setFocus()
    order = [focused()] + [tab(qtbot) for _ in range(len(faces) + 2 * len(screen.slip_inputs))]
    assert order == ([f"count_{f}" for f in faces]
                     + [n for t in screen.slip_inputs for n in (f"slips_{t}", f"slips_total_{t}")]
                     + ["close_shift_button"])


def test_tab_goes_from_the_amount_to_the_charges_and_out_of_them(qtbot, cashier):
    ws = cashier.workspace
    type_text(ws.search_box, "1-2-301")
    press(qtbot, ws.search_box)
    qtbot.waitUntil(lambda: ws.card is not None, timeout=5000)
    wait_idle(qtbot, cashier)
    assert focused() == "tender_input"
    assert tab(qtbot) == "charges_table"
    assert tab(qtbot) != "charges_table"  # Tab leaves the table; arrows move inside it


def test_enter_accepts_a_close_and_records_a_bank_deposit(qtbot, window, estate):
    estate.run(shifts.open_shift, actor=estate.actor("demo"), float_amount="200")
    estate.run(payments.pay, actor=estate.actor("demo"), account_code="1-2-301",
               tenders=[payments.TenderInput("cash", 38800)])
    estate.run(closes.close_shift, actor=estate.actor("demo"),
               count={10000: 5, 5000: 1, 2000: 1, 1000: 1, 500: 1, 100: 3})  # 588.00, as expected
    log_in(qtbot, window, "boss")
    press(qtbot, window.workspace.search_box, Qt.Key.Key_F12)
    desk = window.screens["supervisor"]
    qtbot.waitUntil(lambda: desk.shifts_model.rowCount() == 1, timeout=5000)
    desk.shifts_table.selectRow(0)
    desk.second_count.setFocus()
    press(qtbot, desk.second_count)
    press(qtbot, desk.second_count)  # once only
    qtbot.waitUntil(lambda: estate.run(closes.list_shifts, actor=estate.actor("boss"))[0].status == "accepted",
                    timeout=5000)
    wait_idle(qtbot, window)
    qtbot.keyClicks(desk.deposit_amount, "388")
    press(qtbot, desk.deposit_amount)
    assert focused() == "deposit_slip" and count_rows(estate, BankDeposit) == 0
    qtbot.keyClicks(desk.deposit_slip, "BANK-001")
    press(qtbot, desk.deposit_slip)
    press(qtbot, desk.deposit_slip)
    qtbot.waitUntil(lambda: desk.other_message.text() != "", timeout=5000)
    wait_idle(qtbot, window)
    assert count_rows(estate, BankDeposit) == 1, desk.other_message.text()


def _receipts(qtbot, window, estate, tmp_path):
    estate.run(printing.add_printer, actor=estate.actor("admin"), name="前台", connection="file",
               target=str(tmp_path / "printer.bin"), default=True, station_code="W01")
    first = collect(qtbot, window, "2-1-101", "302")
    second = collect(qtbot, window, "1-2-302", "500")
    press(qtbot, window.workspace.search_box, Qt.Key.Key_F4)
    screen = window.screens["receipts"]
    qtbot.waitUntil(lambda: screen.proxy.rowCount() == 2, timeout=5000)
    wait_idle(qtbot, window)
    return screen, first, second


def test_ctrl_r_reprints_the_selected_receipt_and_names_the_copy(qtbot, cashier, estate, tmp_path):
    screen, first, second = _receipts(qtbot, cashier, estate, tmp_path)
    assert screen.proxy.index(0, 0).data() == second.receipt_no  # the newest first
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Down)  # the older one, by keyboard
    qtbot.keyClick(screen.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: screen.current_doc is not None and screen.current_doc.receipt_no == first.receipt_no,
                    timeout=5000)
    for n in (1, 2):
        qtbot.keyClick(screen.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda n=n: f"重打第 {n} 次" in screen.message.text(), timeout=15000)
        assert screen.message.text().startswith(f"收据 {first.receipt_no}，重打第 {n} 次")
        wait_idle(qtbot, cashier, timeout=15000)
    assert cut_off(cashier.statusBar()) == []  # the status bar says it briefly, in full
    jobs = estate.run(printing.list_jobs, actor=estate.actor("demo"))
    assert sorted((j.receipt_no, j.reprint_count) for j in jobs if j.kind == "reprint") == [
        (first.receipt_no, 1), (first.receipt_no, 2)]


def test_void_and_refund_keys_act_on_the_selected_receipt(qtbot, cashier, estate, tmp_path):
    screen, first, _second = _receipts(qtbot, cashier, estate, tmp_path)
    screen.table.setFocus()
    screen.table.selectRow(1)
    qtbot.waitUntil(lambda: screen.current_doc is not None and screen.current_doc.receipt_no == first.receipt_no
                    and screen.void_button.isEnabled(), timeout=5000)
    for key, word in ((Qt.Key.Key_D, "作废"), (Qt.Key.Key_T, "退费")):
        qtbot.keyClick(screen.table, key, Qt.KeyboardModifier.ControlModifier)
        dialog = screen.approval_dialog
        qtbot.waitUntil(dialog.isVisible, timeout=5000)
        assert word in dialog.windowTitle() and first.receipt_no in dialog.windowTitle()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc cancels: nothing written
        qtbot.waitUntil(lambda d=dialog: not d.isVisible(), timeout=5000)
        screen.table.setFocus()
    assert "Ctrl+D" in screen.void_button.text() and "Ctrl+T" in screen.refund_button.text()
    assert screen.table.tabKeyNavigation() is False
    assert tab(qtbot) != "receipts_table"


def test_the_shortcut_sheet_lists_the_receipts_keys():
    from app.ui.dialogs import SHORTCUTS
    from app.ui.main import MainWindow

    keys = [k for k, _text in SHORTCUTS]
    assert {"Ctrl+D", "Ctrl+T", "Ctrl+R"} <= set(keys) and len(keys) == len(set(keys))
    window_keys = {"F1", "F2", "F3", "F4", "F11", "F12", "Ctrl+L", "Ctrl+P", "Ctrl+R", "Ctrl+Q", "Ctrl+Backspace"}
    assert not {"Ctrl+D", "Ctrl+T"} & window_keys
    assert MainWindow  # the window's own keys are the ones above (app/ui/main.py _build_shortcuts)
