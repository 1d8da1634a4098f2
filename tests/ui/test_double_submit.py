"""One submit, one write: keys pressed again while a write is in flight do nothing.

Every key here goes to the widget that has the keyboard focus, as at the window. The
extra presses happen before the first write returns (qtbot's key clicks do not run the
event loop, so the op's answer is still queued), which is what a cashier's fast second
Enter does; the ledger then holds exactly one payment / movement / correction.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from app.models import CashMovement, Charge, Payment, PaymentKind
from app.models.master import Account
from app.services.desk import closes, corrections
from tests.helpers import fen
from tests.ui.conftest import press, type_text, wait_idle


def key(qtbot, k, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


def typed(qtbot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


def payments_of(estate, code: str) -> list[tuple[int, int]]:
    """(tendered, allocated + prepaid) of every payment of the account, in order."""
    with estate.session() as s:
        rows = s.execute(select(Payment.tendered - Payment.change, Payment.allocated + Payment.prepaid_added)
                         .join(Account, Account.id == Payment.account_id)
                         .where(Account.code == code, Payment.kind == PaymentKind.PAYMENT)
                         .order_by(Payment.id)).all()
    return [tuple(r) for r in rows]


def open_account(qtbot, ws, code: str) -> None:
    ws.search_box.setFocus()
    ws.search_box.selectAll()
    typed(qtbot, code)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.card is not None and ws.card.code == code and
                    QApplication.focusWidget() is ws.tender_input, timeout=5000)


def paid(qtbot, cashier) -> None:
    qtbot.waitUntil(lambda: cashier.workspace.last_result is not None, timeout=5000)
    wait_idle(qtbot, cashier)


@pytest.mark.parametrize("extra", [1, 2])
def test_part_payment_enter_pressed_again_takes_the_money_once(qtbot, cashier, estate, extra):
    ws = cashier.workspace
    open_account(qtbot, ws, "2-1-101")  # 302.00 due
    typed(qtbot, "100")
    key(qtbot, Qt.Key.Key_Return)
    assert "少于应收" in ws.tender_error.text()
    key(qtbot, Qt.Key.Key_Return)  # collect the part payment
    for _ in range(extra):
        key(qtbot, Qt.Key.Key_Return)
    paid(qtbot, cashier)
    assert payments_of(estate, "2-1-101") == [(fen("100"), fen("100"))]
    assert ws.change_label.text() == "0.00"


@pytest.mark.parametrize("extra", [1, 2])
def test_full_payment_enter_pressed_again_takes_the_money_once(qtbot, cashier, estate, extra):
    ws = cashier.workspace
    open_account(qtbot, ws, "1-2-301")  # 388.00 due
    typed(qtbot, "400")
    key(qtbot, Qt.Key.Key_Return)
    for _ in range(extra):
        key(qtbot, Qt.Key.Key_Return)
    paid(qtbot, cashier)
    assert payments_of(estate, "1-2-301") == [(fen("388"), fen("388"))]
    assert ws.change_label.text() == "12.00"
    assert ws.tender_error.text() == "", ws.tender_error.text()


@pytest.mark.parametrize("extra", [1, 2])
def test_full_payment_keeping_the_change_enter_pressed_again_takes_the_money_once(qtbot, cashier, estate, extra):
    """With the change kept as prepaid a second payment would be taken whole as prepaid."""
    ws = cashier.workspace
    open_account(qtbot, ws, "1-2-301")  # 388.00 due
    key(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    typed(qtbot, "400")
    key(qtbot, Qt.Key.Key_Return)
    for _ in range(extra):
        key(qtbot, Qt.Key.Key_Return)
    paid(qtbot, cashier)
    assert payments_of(estate, "1-2-301") == [(fen("400"), fen("400"))]
    qtbot.waitUntil(lambda: ws.card_fields["prepaid"].text() == "12.00", timeout=5000)


@pytest.mark.parametrize("extra", [1, 2])
def test_mixed_tender_payment_enter_pressed_again_takes_the_money_once(qtbot, cashier, estate, extra):
    ws = cashier.workspace
    open_account(qtbot, ws, "2-1-101")  # 302.00 due
    key(qtbot, Qt.Key.Key_F5)
    ws.tender_input.clear()
    typed(qtbot, "200 4200001234")
    key(qtbot, Qt.Key.Key_Return)
    typed(qtbot, "110")
    key(qtbot, Qt.Key.Key_Return)
    for _ in range(extra):
        key(qtbot, Qt.Key.Key_Return)
    paid(qtbot, cashier)
    assert payments_of(estate, "2-1-101") == [(fen("302"), fen("302"))]
    assert ws.change_label.text() == "8.00"
    assert ws.tender_error.text() == "", ws.tender_error.text()


@pytest.mark.parametrize("extra", [1, 2])
def test_mixed_tender_part_payment_enter_pressed_again_takes_the_money_once(qtbot, cashier, estate, extra):
    ws = cashier.workspace
    open_account(qtbot, ws, "2-1-101")  # 302.00 due
    key(qtbot, Qt.Key.Key_F5)
    ws.tender_input.clear()
    typed(qtbot, "100 4200001234")
    key(qtbot, Qt.Key.Key_Return)
    typed(qtbot, "50")
    key(qtbot, Qt.Key.Key_Return)
    assert "少于应收" in ws.tender_error.text()
    key(qtbot, Qt.Key.Key_Return)  # collect the part payment
    for _ in range(extra):
        key(qtbot, Qt.Key.Key_Return)
    paid(qtbot, cashier)
    assert payments_of(estate, "2-1-101") == [(fen("150"), fen("150"))]


def test_pay_button_function_keys_and_escape_do_nothing_while_a_payment_is_in_flight(qtbot, cashier, estate):
    ws = cashier.workspace
    open_account(qtbot, ws, "2-1-101")
    typed(qtbot, "100")
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)  # part payment on its way
    qtbot.mouseClick(ws.pay_button, Qt.MouseButton.LeftButton)
    ws.on_pay_button_clicked()  # the button's slot itself, as a shortcut or a stuck click would call it
    ws.pay()
    key(qtbot, Qt.Key.Key_F5)  # a tender key would re-fill the input with the rest
    key(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # change to prepaid
    key(qtbot, Qt.Key.Key_Escape)  # would clear the card under the payment
    key(qtbot, Qt.Key.Key_F11)  # no screen switch under the payment either
    assert cashier.tabs.currentWidget() is ws
    paid(qtbot, cashier)
    assert payments_of(estate, "2-1-101") == [(fen("100"), fen("100"))]
    assert ws.card is not None and ws.card.code == "2-1-101"
    assert not ws.change_to_prepaid.isChecked()
    assert ws.method == "cash"
    # the form is free again once the payment returned: the next key acts
    key(qtbot, Qt.Key.Key_F11)
    assert cashier.tabs.currentWidget() is cashier.screens["shift"]


def test_next_payer_is_taken_normally_after_a_guarded_payment(qtbot, cashier, estate):
    ws = cashier.workspace
    open_account(qtbot, ws, "1-2-301")
    typed(qtbot, "400")
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    paid(qtbot, cashier)
    first = ws.last_result
    open_account(qtbot, ws, "1-2-302")
    typed(qtbot, "500")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.last_result is not first, timeout=5000)
    wait_idle(qtbot, cashier)
    assert payments_of(estate, "1-2-302") == [(fen("414"), fen("414"))]
    assert payments_of(estate, "1-2-301") == [(fen("388"), fen("388"))]


def test_a_refused_payment_frees_the_form_for_the_corrected_one(qtbot, cashier, estate):
    """The hold ends with the write, also when the write is refused."""
    ws = cashier.workspace
    open_account(qtbot, ws, "2-1-101")
    key(qtbot, Qt.Key.Key_F9)  # prepaid: the account has none
    ws.tender_input.clear()
    typed(qtbot, "50")
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.tender_error.text() != "" and "少于应收" not in ws.tender_error.text(),
                    timeout=5000)
    wait_idle(qtbot, cashier)
    assert payments_of(estate, "2-1-101") == []
    key(qtbot, Qt.Key.Key_Escape)
    typed(qtbot, "302")
    key(qtbot, Qt.Key.Key_Return)
    paid(qtbot, cashier)
    assert payments_of(estate, "2-1-101") == [(fen("302"), fen("302"))]


def movements(estate) -> list[int]:
    with estate.session() as s:
        return list(s.scalars(select(CashMovement.amount).order_by(CashMovement.id)))


def test_cash_in_out_recorded_once_however_often_enter_is_pressed(qtbot, cashier, estate):
    key(qtbot, Qt.Key.Key_F11)
    screen = cashier.screens["shift"]
    assert cashier.tabs.currentWidget() is screen
    before = movements(estate)
    index = next(i for i in range(screen.move_kind.count()) if screen.move_kind.itemData(i) != "hand_in")
    screen.move_kind.setCurrentIndex(index)
    screen.move_amount.setFocus()
    typed(qtbot, "50")
    type_text(screen.move_reason, "备用金")
    screen.move_reason.setFocus()
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.mouseClick(screen.move_button, Qt.MouseButton.LeftButton)
    screen.move_button.click()
    qtbot.waitUntil(lambda: screen.move_result.text() != "", timeout=5000)
    wait_idle(qtbot, cashier)
    added = movements(estate)[len(before):]
    assert len(added) == 1 and abs(added[0]) == fen("50"), screen.move_result.text()


def test_blind_close_saved_once_however_often_it_is_submitted(qtbot, cashier, estate):
    key(qtbot, Qt.Key.Key_F11)
    screen = cashier.screens["shift"]
    qtbot.waitUntil(lambda: 10000 in screen.count_inputs, timeout=5000)
    qtbot.keyClicks(screen.count_inputs[10000], "2")  # 200.00, the float
    screen.close_button.setFocus()
    key(qtbot, Qt.Key.Key_Space)
    key(qtbot, Qt.Key.Key_Space)
    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    screen.on_close_button_clicked()
    qtbot.waitUntil(lambda: screen.result_box.isVisible() or screen.close_error.text() != "", timeout=5000)
    wait_idle(qtbot, cashier)
    assert screen.result_box.isVisible(), screen.close_error.text()
    assert screen.close_error.text() == ""  # no "already closed" from a second attempt
    shifts = estate.run(closes.list_shifts, actor=estate.actor("boss"))
    assert [s.status for s in shifts] == ["closed"]


def test_quick_charge_posts_its_items_once(qtbot, cashier, estate):
    ws = cashier.workspace
    key(qtbot, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: getattr(cashier, "quick_charge_dialog", None) is not None
                    and cashier.quick_charge_dialog.catalogue != [], timeout=5000)
    dlg = cashier.quick_charge_dialog
    qtbot.keyClicks(dlg.account, "P-001")
    press(qtbot, dlg.account)
    qtbot.keyClicks(dlg.item, "KSF")
    press(qtbot, dlg.item)
    press(qtbot, dlg.quantity)
    assert dlg.items_model.rowCount() == 1
    dlg.ok_button.setEnabled(True)  # even with the button's own guard out of the way
    dlg.on_buttons_accepted()
    dlg.ok_button.setEnabled(True)
    dlg.on_buttons_accepted()
    press(qtbot, dlg.quantity, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ws.card is not None and ws.card.code == "P-001", timeout=5000)
    wait_idle(qtbot, cashier)
    with estate.session() as s:
        n = s.scalar(select(func.count()).select_from(Charge).join(Account, Account.id == Charge.account_id)
                     .where(Account.code == "P-001", Charge.amount == fen("30")))
    assert n == 1


def test_void_approved_once_however_often_enter_is_pressed(qtbot, cashier, estate):
    from tests.ui.test_cashdesk import collect, open_receipt

    result = collect(qtbot, cashier, "1-2-302", "500")
    screen = open_receipt(qtbot, cashier, result.receipt_no)
    qtbot.mouseClick(screen.void_button, Qt.MouseButton.LeftButton)
    dlg = screen.approval_dialog
    qtbot.waitUntil(dlg.password.isEnabled, timeout=5000)  # checked before the supervisor types
    type_text(dlg.reason.lineEdit(), "收错户号")
    qtbot.keyClicks(dlg.approver, "boss")
    qtbot.keyClicks(dlg.password, "boss")
    press(qtbot, dlg.password)
    dlg._busy = False  # even with the dialog's own guard out of the way
    press(qtbot, dlg.password)
    dlg._busy = False
    dlg.on_buttons_accepted()
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    wait_idle(qtbot, cashier)
    assert estate.run(lambda s: corrections.receipt_status(s, result.receipt_no)) == "void"
    with estate.session() as s:
        voids = s.scalar(select(func.count()).select_from(Payment).where(Payment.kind == PaymentKind.VOID))
    assert voids == 1
    assert "作废" in screen.message.text()
    assert dlg.error.text() == "", dlg.error.text()
