"""The correction dialogs driven by keyboard: refund (receipts screen), waiver, write-off, deposit
and prepaid refunds (account card). Each: the approval, the ledger afterwards, a refusal shown
before anyone types a password with nothing written, and a wrong password that keeps what was typed."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget
from sqlalchemy import func, select

from app.models import AuditEvent, ChargeAdjustment, JournalEntry, Payment, PaymentKind
from app.printing.decode import decode
from app.services import accounts, admin, billing, closes, corrections, payments, receipts, shifts
from app.services.cashdesk import parse_count
from tests.helpers import fen, make_fee
from tests.ui.conftest import log_in, press, screenshot, type_text, wait_idle
from tests.ui.test_cashdesk import open_receipt
from tests.ui.test_correction_slips import file_printer


def rows(estate, model) -> int:
    with estate.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def written(estate) -> tuple[int, int, int]:
    """What a correction would add: payments, journal entries, charge adjustments."""
    return rows(estate, Payment), rows(estate, JournalEntry), rows(estate, ChargeAdjustment)


def mixed_receipt_in_a_closed_shift(estate):
    """demo takes 388.00 for 1-2-301 as 300.00 cash + 88.00 WeChat, closes; a new shift opens with 500.00."""
    demo = estate.actor("demo")
    estate.run(shifts.open_shift, actor=demo, float_amount="0")
    paid = estate.run(payments.pay, actor=demo, account_code="1-2-301",
                      tenders=[payments.parse_tender("cash=300"), payments.parse_tender("wechat=88:4200001111")])
    estate.run(closes.close_shift, actor=demo, count=parse_count("100=3"))
    shift = estate.run(shifts.open_shift, actor=demo, float_amount="500")
    return paid, shift


def open_refund(qtbot, screen):
    qtbot.mouseClick(screen.refund_button, Qt.MouseButton.LeftButton)
    dlg = screen.approval_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=2000)
    return dlg


def wait_checked(qtbot, dlg) -> None:
    qtbot.waitUntil(lambda: dlg.password.isEnabled() or bool(dlg.error.text()), timeout=5000)


def retype(qtbot, edit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def approve_with(qtbot, dlg, reason: str, who: str = "boss", password: str | None = None) -> None:
    """Reason, Enter, supervisor, Enter, password, Enter (the keyboard path)."""
    type_text(dlg.reason.lineEdit(), reason)
    press(qtbot, dlg.reason.lineEdit())
    assert dlg.approver.hasFocus()
    qtbot.keyClicks(dlg.approver, who)
    press(qtbot, dlg.approver)
    qtbot.keyClicks(dlg.password, password or who)
    press(qtbot, dlg.password)


def balance(estate, book: str, **dims) -> int:
    from tests.services.cashdesk_helpers import book as book_sum

    return book_sum(estate, book, **dims)


# ---- refund -------------------------------------------------------------------------------------

def test_partial_refund_of_a_mixed_tender_receipt(qtbot, window, estate, tmp_path):
    paid, shift = mixed_receipt_in_a_closed_shift(estate)
    out = file_printer(estate, tmp_path)
    log_in(qtbot, window, "demo")
    screen = open_receipt(qtbot, window, paid.receipt_no)
    dlg = open_refund(qtbot, screen)
    wait_checked(qtbot, dlg)
    # the receipt's tenders as taken, the refundable amount, the whole prefilled
    table = dlg.findChild(QTableWidget, "correction_tenders")
    cells = [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]
    assert cells == [["现金", "300.00", ""], ["微信支付", "88.00", "4200001111"]]
    assert dlg.available.text() == "可退金额：388.00 元"
    assert dlg.amount.text() == "388.00" and dlg.amount.hasFocus()
    assert dlg.tender.currentData() == "cash"  # the receipt's first tender
    qtbot.keyClicks(dlg.amount, "100")  # the prefilled whole is selected: typing replaces it
    press(qtbot, dlg.amount)
    assert dlg.tender.hasFocus()
    qtbot.keyClick(dlg.tender, Qt.Key.Key_Tab)
    assert dlg.reason.lineEdit().hasFocus()
    qtbot.waitUntil(dlg.password.isEnabled, timeout=5000)
    screenshot(dlg, "refund-dialog.png")
    approve_with(qtbot, dlg, "多收费用")
    qtbot.waitUntil(lambda: not dlg.isVisible() or bool(dlg.error.text()), timeout=5000)
    assert not dlg.isVisible(), dlg.error.text()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: "凭证已打印" in screen.message.text(), timeout=5000)
    result = dlg.result_value
    assert result.amount == fen("100") and result.approved_by == "boss" and result.new_receipt_no
    assert f"余款另开收据 {result.new_receipt_no}" in screen.message.text()
    # the ledger: 100.00 cash out of this shift's drawer, 288.00 stays paid on a new receipt
    assert balance(estate, "drawer", shift_id=shift.id, tender="cash") == fen("400")
    new = estate.run(lambda s: receipts.receipt_doc(s, result.new_receipt_no))
    assert new.total == fen("288") and new.original_receipt_no == paid.receipt_no
    card = estate.run(accounts.account_card, actor=estate.actor("demo"), code="1-2-301")
    assert card.arrears == fen("100")
    with estate.session() as s:
        kinds = list(s.scalars(select(JournalEntry.kind).order_by(JournalEntry.id.desc()).limit(2)))
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "refund")).one()
    assert kinds == ["payment", "refund"]
    assert "多收费用" in event.payload and "boss" in event.payload
    slip = decode(out.read_bytes()).receipts[0]
    assert [line.strip() for line in slip.big_lines][1] == "退款凭证"
    assert re.search(r"^退款合计 +￥100\.00$", slip.text, re.M)
    assert re.search(r"^现金 +100\.00$", slip.text, re.M)


def test_refund_refusals_come_before_the_password_and_keep_what_was_typed(qtbot, window, estate):
    demo = estate.actor("demo")
    estate.run(shifts.open_shift, actor=demo, float_amount="0")
    same = estate.run(payments.pay, actor=demo, account_code="1-2-302",
                      tenders=[payments.parse_tender("cash=414")])
    log_in(qtbot, window, "demo")
    screen = open_receipt(qtbot, window, same.receipt_no)
    before = written(estate)
    dlg = open_refund(qtbot, screen)
    wait_checked(qtbot, dlg)
    assert "本班次的收款，请作废而不是退费" in dlg.error.text()
    assert not dlg.approver.isEnabled() and not dlg.password.isEnabled() and not dlg.ok_button.isEnabled()
    press(qtbot, dlg.amount)  # Enter anywhere: still refused, nothing written
    assert written(estate) == before
    dlg.reject()
    # an earlier shift's receipt: more than refundable, and cash beyond the drawer, refused before the password
    estate.run(closes.close_shift, actor=demo, count=parse_count("100=4,10=1,1=4"))
    estate.run(shifts.open_shift, actor=demo, float_amount="50")
    before = written(estate)
    screen.show_receipt(same.receipt_no)
    qtbot.waitUntil(lambda: screen.refund_button.isEnabled(), timeout=5000)
    dlg = open_refund(qtbot, screen)
    wait_checked(qtbot, dlg)
    assert "钱箱现金不足以退款 414.00 元" in dlg.error.text()  # the whole, in cash, from a 50.00 float
    assert not dlg.password.isEnabled() and dlg.amount.text() == ""
    retype(qtbot, dlg.amount, "500")
    press(qtbot, dlg.amount)
    qtbot.waitUntil(lambda: "不超过原收费 414.00 元" in dlg.error.text(), timeout=5000)
    assert not dlg.password.isEnabled() and dlg.amount.text() == "500"
    assert written(estate) == before
    retype(qtbot, dlg.amount, "40")
    press(qtbot, dlg.amount)
    qtbot.waitUntil(dlg.password.isEnabled, timeout=5000)
    assert dlg.error.text() == "" and dlg.available.text() == "可退金额：414.00 元"
    retype(qtbot, dlg.amount, "60")  # more than the drawer holds again: the supervisor fields close at once
    assert not dlg.password.isEnabled()
    press(qtbot, dlg.amount)
    qtbot.waitUntil(lambda: "钱箱现金不足" in dlg.error.text(), timeout=5000)
    dlg.tender.setCurrentIndex(dlg.tender.findData("prepaid"))  # into the prepaid balance: no cash needed
    qtbot.waitUntil(dlg.password.isEnabled, timeout=5000)
    assert dlg.error.text() == "" and dlg.amount.text() == "60"
    # a wrong password: refused, everything typed stays, the password is selected to be typed over
    before = written(estate)
    approve_with(qtbot, dlg, "重复缴费", password="wrong")
    qtbot.waitUntil(lambda: bool(dlg.error.text()), timeout=5000)
    assert dlg.isVisible() and "密码" in dlg.error.text()
    assert (dlg.amount.text(), dlg.reason.currentText(), dlg.approver.text(), dlg.password.text()) == (
        "60", "重复缴费", "boss", "wrong")
    assert dlg.password.hasFocus() and dlg.password.selectedText() == "wrong"
    assert written(estate) == before
    assert estate.run(lambda s: corrections.receipt_status(s, same.receipt_no)) == "used"
    qtbot.keyClicks(dlg.password, "boss")
    press(qtbot, dlg.password)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    assert estate.run(lambda s: corrections.receipt_status(s, same.receipt_no)) == "refunded"
