"""Closing the gaps of the first version: walk-in payers in quick charge, back-office settings,
account edits, fee items/tariffs/assignments, and printing the remittance slip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services import accounts, receipts
from tests.helpers import fen
from tests.ui.conftest import press, type_text, wait_idle


def quick_charge_walk_in(qtbot, win, name: str, id_number: str, phone: str, item: str):
    ws = win.workspace
    win.activateWindow()  # the offscreen platform does not hand activation back after a dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=2000)
    press(qtbot, ws.search_box, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: getattr(win, "quick_charge_dialog", None) is not None
                    and win.quick_charge_dialog.isVisible() and win.quick_charge_dialog.catalogue != [],
                    timeout=5000)
    dlg = win.quick_charge_dialog
    dlg.walk_in.setFocus()
    qtbot.keyClick(dlg.walk_in, Qt.Key.Key_Space)
    assert dlg.walk_in.isChecked() and dlg.walk_in_name.isVisible() and not dlg.account.isEnabled()
    type_text(dlg.walk_in_name, name)
    press(qtbot, dlg.walk_in_name)
    qtbot.keyClicks(dlg.walk_in_id, id_number)
    press(qtbot, dlg.walk_in_id)
    qtbot.keyClicks(dlg.walk_in_phone, phone)
    press(qtbot, dlg.walk_in_phone)
    qtbot.keyClicks(dlg.item, item)
    press(qtbot, dlg.item)
    press(qtbot, dlg.quantity)
    assert dlg.items_model.rowCount() == 1
    return dlg


def test_quick_charge_for_a_walk_in_payer_collects_on_their_own_account(qtbot, cashier, estate):
    ws = cashier.workspace
    dlg = quick_charge_walk_in(qtbot, cashier, "孙悟空", "110101199001011234", "13500001111", "WXF")
    # no name: the service's message shows in the dialog and nothing is posted
    dlg.walk_in_name.clear()
    press(qtbot, dlg.quantity, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dlg.error.text() != "", timeout=5000)
    assert dlg.error.text() == "请填写缴费人姓名"
    assert estate.run(accounts.search_accounts, actor=estate.actor("demo"), query="孙悟空") == []
    type_text(dlg.walk_in_name, "孙悟空")
    press(qtbot, dlg.quantity, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ws.card is not None and ws.card.code.startswith("LK"), timeout=5000)
    code = ws.card.code
    assert ws.card_fields["owner"].text() == "孙悟空"
    assert ws.amount_due.text() == "50.00"
    qtbot.keyClicks(ws.tender_input, "100")
    press(qtbot, ws.tender_input)
    qtbot.waitUntil(lambda: ws.last_result is not None, timeout=5000)
    assert ws.change_label.text() == "50.00"
    wait_idle(qtbot, cashier)
    with estate.session() as s:
        doc = receipts.receipt_doc(s, ws.last_result.receipt_no)
    assert doc.payer == "孙悟空" and doc.total == fen("50") and doc.change == fen("50")
    assert [(line.fee, line.amount) for line in doc.lines] == [("维修服务费", fen("50"))]
    card = estate.run(accounts.account_card, actor=estate.actor("demo"), code=code)
    assert card.arrears == 0 and card.owner == "孙悟空"

    # the same ID number comes back to the same account
    first = ws.last_result
    quick_charge_walk_in(qtbot, cashier, "孙悟空", "110101199001011234", "", "KSF")
    press(qtbot, cashier.quick_charge_dialog.quantity, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ws.card is not None and ws.amount_due.text() == "30.00", timeout=5000)
    assert ws.card.code == code
    qtbot.keyClicks(ws.tender_input, "30")
    press(qtbot, ws.tender_input)
    qtbot.waitUntil(lambda: ws.last_result is not first, timeout=5000)
    wait_idle(qtbot, cashier)
    card = estate.run(accounts.account_card, actor=estate.actor("demo"), code=code)
    assert card.arrears == 0
    assert [h.code for h in estate.run(accounts.search_accounts, actor=estate.actor("demo"), query="孙悟空")] == [code]
