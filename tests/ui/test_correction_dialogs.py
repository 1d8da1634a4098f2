"""The correction dialogs driven by keyboard: refund (receipts screen), waiver, write-off, deposit
and prepaid refunds (account card). Each: the approval, the ledger afterwards, a refusal shown
before anyone types a password with nothing written, and a wrong password that keeps what was typed."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton, QTableWidget
from sqlalchemy import func, select

from app.models import (
    AuditEvent,
    BalanceRefund,
    ChargeAdjustment,
    JournalEntry,
    Payment,
    PaymentKind,
)
from app.printing.decode import decode
from app.services.bills import billing
from app.services.desk import closes, corrections, payments, receipts, shifts
from app.services.desk.cashdesk import parse_count
from app.services.master import accounts, admin
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


def test_void_dialog_offers_the_preset_reasons_and_refuses_an_earlier_shift_before_the_password(
        qtbot, window, estate):
    paid, _shift = mixed_receipt_in_a_closed_shift(estate)
    demo = estate.actor("demo")
    now = estate.run(payments.pay, actor=demo, account_code="1-2-302", tenders=[payments.parse_tender("cash=500")])
    log_in(qtbot, window, "demo")
    screen = open_receipt(qtbot, window, paid.receipt_no)
    before = written(estate)
    qtbot.mouseClick(screen.void_button, Qt.MouseButton.LeftButton)
    dlg = screen.approval_dialog
    wait_checked(qtbot, dlg)
    assert "不是本班次的收款：已轧帐班次的收款请办理退费" in dlg.error.text()
    assert not dlg.password.isEnabled() and written(estate) == before
    dlg.reject()
    screen.show_receipt(now.receipt_no)
    qtbot.waitUntil(lambda: screen.current_doc.receipt_no == now.receipt_no, timeout=5000)
    qtbot.mouseClick(screen.void_button, Qt.MouseButton.LeftButton)
    dlg = screen.approval_dialog
    wait_checked(qtbot, dlg)
    assert dlg.available.text() == "作废全额 414.00 元，按原付款方式退回" and dlg.amount is None
    assert dlg.reason.itemText(0) == "收错户号" and dlg.reason.lineEdit().hasFocus()
    qtbot.keyClick(dlg.reason, Qt.Key.Key_Down)
    press(qtbot, dlg.reason.lineEdit())
    qtbot.keyClicks(dlg.approver, "boss")
    press(qtbot, dlg.approver)
    qtbot.keyClicks(dlg.password, "boss")
    press(qtbot, dlg.password)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    wait_idle(qtbot, window)
    assert estate.run(lambda s: corrections.receipt_status(s, now.receipt_no)) == "void"
    with estate.session() as s:
        void = s.scalars(select(Payment).where(Payment.kind == PaymentKind.VOID)).one()
    assert (void.reason, void.tendered) == ("收错户号", -fen("500"))


# ---- from the account card ------------------------------------------------------------------------

def open_card(qtbot, win, code: str):
    ws = win.workspace
    ws.search_box.setFocus()
    ws.search_box.selectAll()
    qtbot.keyClicks(ws.search_box, code)
    press(qtbot, ws.search_box)
    qtbot.waitUntil(lambda: ws.card is not None and ws.card.code == code, timeout=5000)
    wait_idle(qtbot, win)
    return ws


def open_from_card(qtbot, ws, kind: str):
    """The card's 更正 menu entry of `kind` (the dialog opens on the charge under the cursor)."""
    ws.findChild(QAction, f"correction_{kind}").trigger()
    qtbot.waitUntil(lambda: getattr(ws, "correction_dialog", None) is not None
                    and ws.correction_dialog.isVisible() and ws.correction_dialog.kind == kind, timeout=5000)
    dlg = ws.correction_dialog
    wait_checked(qtbot, dlg)
    return dlg


def cursor_on_charge(qtbot, ws, row: int):
    ws.charges_table.setFocus()
    ws.charges_table.setCurrentIndex(ws.charges_proxy.index(0, 0))
    for _ in range(row):
        qtbot.keyClick(ws.charges_table, Qt.Key.Key_Down)
    return ws.charges_model.row_at(ws.charges_proxy.mapToSource(ws.charges_table.currentIndex()).row())


def test_waiver_from_the_account_card(qtbot, cashier, estate, tmp_path):
    out = file_printer(estate, tmp_path)
    estate.admin_run(admin.update_reason_presets, actor=estate.actor("admin"), kind="waiver",
                     reasons=["困难户减免", "开发商承诺减免"])
    ws = open_card(qtbot, cashier, "1-2-301")
    charge = cursor_on_charge(qtbot, ws, 1)  # the second row: 物业费 2026-11 179.00
    dlg = open_from_card(qtbot, ws, "waiver")
    assert charge.fee in dlg.summary.text() and "1-2-301" in dlg.summary.text()
    assert dlg.available.text() == f"欠款：{charge.outstanding / 100:.2f} 元"
    assert [dlg.reason.itemText(i) for i in range(dlg.reason.count())] == ["困难户减免", "开发商承诺减免"]
    before = written(estate)
    retype(qtbot, dlg.amount, "999")
    press(qtbot, dlg.amount)
    qtbot.waitUntil(lambda: "不超过欠款" in dlg.error.text(), timeout=5000)
    assert not dlg.password.isEnabled() and written(estate) == before
    retype(qtbot, dlg.amount, "5")
    press(qtbot, dlg.amount)
    assert dlg.reference.hasFocus()
    qtbot.keyClicks(dlg.reference, "JM-2026-018")
    press(qtbot, dlg.reference)
    assert dlg.reason.lineEdit().hasFocus()
    qtbot.keyClick(dlg.reason, Qt.Key.Key_Down)  # the first preset
    assert dlg.reason.currentText() == "困难户减免"
    qtbot.waitUntil(dlg.password.isEnabled, timeout=5000)
    screenshot(dlg, "waiver-dialog.png")
    press(qtbot, dlg.reason.lineEdit())
    qtbot.keyClicks(dlg.approver, "boss")
    press(qtbot, dlg.approver)
    qtbot.keyClicks(dlg.password, "boss")
    press(qtbot, dlg.password)
    qtbot.waitUntil(lambda: not dlg.isVisible() or bool(dlg.error.text()), timeout=5000)
    assert not dlg.isVisible(), dlg.error.text()
    wait_idle(qtbot, cashier)
    assert "已减免 5.00 元，审批：boss" in ws.last_receipt.text()
    card = estate.run(accounts.account_card, actor=estate.actor("demo"), code="1-2-301")
    assert card.arrears == fen("383")
    assert [c.outstanding for c in card.charges if c.id == charge.id] == [charge.outstanding - fen("5")]
    assert balance(estate, "waiver") == fen("5")
    with estate.session() as s:
        adj = s.scalars(select(ChargeAdjustment)).one()
        entry = s.get(JournalEntry, adj.journal_entry_id)
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "waiver")).one()
    assert (adj.charge_id, adj.amount, adj.reason, entry.kind) == (charge.id, fen("5"), "困难户减免", "charge_waiver")
    assert "JM-2026-018" in event.payload
    qtbot.waitUntil(lambda: ws.card.arrears == fen("383"), timeout=5000)  # the card reloaded
    qtbot.waitUntil(lambda: "凭证已打印" in cashier.status_labels["printer"].text(), timeout=5000)
    (slip,) = decode(out.read_bytes()).receipts
    assert [line.strip() for line in slip.big_lines][1] == "减免凭证"
    assert re.search(r"^减免金额 +￥5\.00$", slip.text, re.M)
    assert "困难户减免（审批：boss）" in slip.text and "户号：1-2-301" in slip.lines
    assert re.search(r"^尚欠金额 +383\.00$", slip.text, re.M)
    assert decode(out.read_bytes()).drawer_kicks == []


def test_write_off_refused_before_the_password_when_done_meanwhile(qtbot, cashier, estate):
    ws = open_card(qtbot, cashier, "2-1-101")
    charge = cursor_on_charge(qtbot, ws, 0)
    # another window writes the charge off while this card is open
    estate.run(corrections.write_off, actor=estate.actor("demo"), charge_id=charge.id, reason="业主失联",
               approver="boss", approver_password="boss")
    before = written(estate)
    dlg = open_from_card(qtbot, ws, "write_off")
    assert "已核销过，不能重复核销" in dlg.error.text()
    assert not dlg.approver.isEnabled() and not dlg.password.isEnabled()
    type_text(dlg.reason.lineEdit(), "业主失联")
    press(qtbot, dlg.reason.lineEdit())
    assert written(estate) == before and dlg.reason.currentText() == "业主失联"


def test_write_off_from_the_account_card_and_a_wrong_password(qtbot, cashier, estate):
    ws = open_card(qtbot, cashier, "2-1-101")
    charge = cursor_on_charge(qtbot, ws, 0)
    dlg = open_from_card(qtbot, ws, "write_off")
    assert dlg.amount is None and dlg.available.text() == f"核销全部欠款：{charge.outstanding / 100:.2f} 元"
    assert dlg.reason.lineEdit().hasFocus()
    before = written(estate)
    approve_with(qtbot, dlg, "业主失联三年", password="nope")
    qtbot.waitUntil(lambda: bool(dlg.error.text()), timeout=5000)
    assert dlg.isVisible() and written(estate) == before
    assert (dlg.reason.currentText(), dlg.approver.text(), dlg.password.selectedText()) == (
        "业主失联三年",
        "boss",
        "nope",
    )
    qtbot.keyClicks(dlg.password, "boss")
    press(qtbot, dlg.password)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    wait_idle(qtbot, cashier)
    assert balance(estate, "bad_debt") == charge.outstanding
    card = estate.run(accounts.account_card, actor=estate.actor("demo"), code="2-1-101")
    assert card.arrears == fen("302") - charge.outstanding
    assert any(f"#{charge.id}" in w for w in card.written_off)


def test_deposit_refund_from_the_account_card(qtbot, cashier, estate, tmp_path):
    out = file_printer(estate, tmp_path)
    make_fee(estate, "ZXYJ 装修押金 quantity 2000 once", kind="deposit")
    demo = estate.actor("demo")
    estate.run(billing.add_charge, actor=demo, account_code="1-2-302", fee_code="ZXYJ", quantity="1")
    dep = [c for c in estate.run(accounts.account_card, actor=demo, code="1-2-302").charges if c.fee == "装修押金"][0]
    estate.run(payments.pay, actor=demo, account_code="1-2-302", charge_ids=[dep.id],
               tenders=[payments.parse_tender("wechat=2000:4200002222")])
    ws = open_card(qtbot, cashier, "1-2-302")
    dlg = open_from_card(qtbot, ws, "deposit_refund")
    # the whole in cash from a 200.00 float: refused before the password; by WeChat it is not
    assert dlg.tender.currentData() == "cash"
    assert "钱箱现金不足以退款 2000.00 元" in dlg.error.text() and not dlg.password.isEnabled()
    dlg.tender.setFocus()
    qtbot.keyClick(dlg.tender, Qt.Key.Key_Down)  # 微信支付
    assert dlg.tender.currentData() == "wechat"
    qtbot.waitUntil(dlg.password.isEnabled, timeout=5000)
    assert dlg.available.text() == "押金余额：2000.00 元" and dlg.amount.text() == "2000.00"
    approve_with(qtbot, dlg, "装修完工验收合格")
    qtbot.waitUntil(lambda: not dlg.isVisible() or bool(dlg.error.text()), timeout=5000)
    assert not dlg.isVisible(), dlg.error.text()
    wait_idle(qtbot, cashier)
    card = estate.run(accounts.account_card, actor=demo, code="1-2-302")
    assert card.deposits == 0
    assert balance(estate, "refund_payable", tender="wechat") == -fen("2000")
    with estate.session() as s:
        kinds = list(s.scalars(select(JournalEntry.kind).order_by(JournalEntry.id.desc()).limit(1)))
    assert kinds == ["deposit_refund"]
    qtbot.waitUntil(lambda: "凭证已打印" in cashier.status_labels["printer"].text(), timeout=5000)
    (slip,) = decode(out.read_bytes()).receipts
    assert [line.strip() for line in slip.big_lines][1] == "退押金凭证"
    assert re.search(r"^退押金合计 +￥2000\.00$", slip.text, re.M)
    assert re.search(r"^微信支付 +2000\.00$", slip.text, re.M) and "装修押金" in slip.text


def test_prepaid_refund_from_the_account_card(qtbot, cashier, estate):
    demo = estate.actor("demo")
    ws = open_card(qtbot, cashier, "1-2-302")
    dlg = open_from_card(qtbot, ws, "prepaid_refund")  # nothing held: refused before the password
    assert "没有可退的预存余额" in dlg.error.text() and not dlg.password.isEnabled()
    dlg.reject()
    estate.run(payments.pay, actor=demo, account_code="1-2-302", change_to_prepaid=True,
               tenders=[payments.parse_tender("cash=500")])  # 414.00 due, 86.00 to prepaid
    ws = open_card(qtbot, cashier, "1-2-302")
    dlg = open_from_card(qtbot, ws, "prepaid_refund")
    assert dlg.available.text() == "预存余额：86.00 元"
    retype(qtbot, dlg.amount, "50")
    press(qtbot, dlg.amount)
    qtbot.waitUntil(dlg.password.isEnabled, timeout=5000)
    approve_with(qtbot, dlg, "业主搬离")
    press(qtbot, dlg.password)  # Enter again while the refund is in flight: refused, one refund
    dlg.on_buttons_accepted()
    qtbot.waitUntil(lambda: not dlg.isVisible() or bool(dlg.error.text()), timeout=5000)
    assert not dlg.isVisible(), dlg.error.text()
    wait_idle(qtbot, cashier)
    assert estate.run(accounts.account_card, actor=demo, code="1-2-302").prepaid == fen("36")
    assert rows(estate, BalanceRefund) == 1
    assert "已退预存 50.00 元，审批：boss" in ws.last_receipt.text()


# ---- preset reasons in the back office ----------------------------------------------------------

def test_back_office_edits_the_preset_reasons_of_a_correction(qtbot, window, estate):
    from tests.ui.test_backoffice_edit import open_back_office

    bo = open_back_office(qtbot, window)
    bo.setCurrentWidget(bo.settings_page)
    qtbot.waitUntil(lambda: bo.reasons_edit.toPlainText() != "", timeout=5000)
    assert bo.reasons_kind.currentText() == "作废"
    assert bo.reasons_edit.toPlainText().splitlines()[0] == "收错户号"  # the defaults
    bo.reasons_kind.setCurrentIndex(bo.reasons_kind.findData("refund"))
    qtbot.waitUntil(lambda: bo.reasons_edit.toPlainText().startswith("重复缴费"), timeout=5000)
    bo.reasons_edit.clear()
    type_text(bo.reasons_edit, "重复缴费\n\n  退租退房  \n收费标准调整\n重复缴费")
    qtbot.mouseClick(bo.findChild(QPushButton, "bo_reasons_save"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bo.reasons_message.text() == "已保存。", timeout=5000)
    assert bo.reasons_edit.toPlainText() == "重复缴费\n退租退房\n收费标准调整"  # blanks and repeats dropped
    presets = estate.run(corrections.preset_reasons, actor=estate.actor("demo"), kind="refund")
    assert presets == ["重复缴费", "退租退房", "收费标准调整"]
    with estate.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "setting")
                          .order_by(AuditEvent.id.desc()).limit(1)).one()
    assert event.entity_id == "reasons_refund" and "收费标准调整" in event.payload
    # a reason too long: refused next to the list, nothing stored, the text stays as typed
    type_text(bo.reasons_edit, "\n" + "长" * 41)
    typed = bo.reasons_edit.toPlainText()
    qtbot.mouseClick(bo.findChild(QPushButton, "bo_reasons_save"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "最多 40 个字符" in bo.reasons_message.text(), timeout=5000)
    assert bo.reasons_edit.toPlainText() == typed
    assert estate.run(corrections.preset_reasons, actor=estate.actor("demo"), kind="refund") == presets
