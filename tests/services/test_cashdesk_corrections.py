"""Corrections with maker-checker approval: void, refund, balance refunds, waiver, write-off, price override."""

import pytest
from sqlalchemy import func, select

from app.errors import (
    AlreadyCorrected,
    ApprovalRequired,
    AuthenticationFailed,
    InvalidInput,
    PermissionDenied,
    ShiftError,
)
from app.models import ChargeAdjustment, Payment, PaymentKind
from app.services.bills import billing
from app.services.desk import corrections, receipt_stock, receipts
from app.services.desk.closes import ReceiptsUsed, RefundLine
from app.services.master import admin
from tests.helpers import card, put_settings
from tests.services.cashdesk_helpers import (
    DAY,
    accept,
    at,
    audit_actions_after,
    audit_count,
    book,
    close,
    drawer,
    estate,
    fen,
    make_fee,
    move,
    open_shift,
    pay,
    refund,
    void,
)


@pytest.fixture
def desk(ledger):
    estate(ledger)
    return ledger


@pytest.fixture
def paid_earlier(desk):
    """1-1-101 paid 300.00 cash (Sep-Nov) in shift 1, closed and accepted; shift 2 is open."""
    s1 = open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    close(desk, "100=3")
    accept(desk, s1.id)
    s2 = open_shift(desk, float_yuan="500")
    return desk, p, s2


def test_void_reverses_payment_completely(desk):
    s = open_shift(desk, float_yuan="500")
    p = pay(desk, "1-1-101", "cash=500")
    assert card(desk, "1-1-101").arrears == 0
    r = void(desk, p.receipt_no)
    assert r.approved_by == "boss" and r.amount == fen("300")
    assert card(desk, "1-1-101").arrears == fen("300")
    assert drawer(desk, s.id) == fen("500")
    with desk.session() as ss:
        assert corrections.receipt_status(ss, p.receipt_no) == "void"
        v = ss.scalar(select(Payment).where(Payment.kind == PaymentKind.VOID))
        assert (v.reverses_payment_id, v.tendered, v.change, v.reason) == (p.payment_id, -fen("500"), -fen("200"),
                                                                            "收错户")


def test_voided_receipt_number_stays_in_sequence(desk):
    open_shift(desk, float_yuan="0")
    p1 = pay(desk, "1-1-101", "cash=300")
    void(desk, p1.receipt_no)
    p2 = pay(desk, "1-1-102", "cash=300")
    assert (p1.receipt_no, p2.receipt_no) == ("W0100000001", "W0100000002")
    assert desk.run(receipt_stock.gaps, actor=desk.actor("boss")) == []
    r = close(desk, "100=3")
    assert r.summary.receipts == ReceiptsUsed(first="W0100000001", last="W0100000002", count=2,
                                              voided=["W0100000001"], reprinted=[])


def test_cannot_void_twice(desk):
    open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    void(desk, p.receipt_no)
    with pytest.raises(AlreadyCorrected, match="已作废"):
        void(desk, p.receipt_no)


def test_cannot_void_payment_of_a_closed_shift(paid_earlier):
    desk, p, _ = paid_earlier
    with pytest.raises(ShiftError, match="退费"):
        void(desk, p.receipt_no)


def test_void_needs_approval(desk):
    open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    with pytest.raises(ApprovalRequired):
        desk.run(corrections.void_payment, actor=desk.actor("demo"), receipt_no=p.receipt_no, reason="错")


def test_void_needs_reason(desk):
    open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    with pytest.raises(InvalidInput, match="原因"):
        void(desk, p.receipt_no, reason=" ")


def test_supervisor_cannot_approve_own_correction(desk):
    open_shift(desk, cashier="boss", float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300", cashier="boss")
    with pytest.raises(PermissionDenied, match="自己"):
        void(desk, p.receipt_no, cashier="boss", approver="boss")
    assert void(desk, p.receipt_no, cashier="boss", approver="boss2").approved_by == "boss2"


def test_cashier_refused_as_approver(desk):
    open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    with pytest.raises(PermissionDenied, match="不是主管"):
        void(desk, p.receipt_no, approver="lily")
    with pytest.raises(PermissionDenied, match="自己"):
        void(desk, p.receipt_no, approver="demo")


def test_approver_wrong_password_refused(desk):
    open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    with pytest.raises(AuthenticationFailed, match="审批人"):
        desk.run(corrections.void_payment, actor=desk.actor("demo"), receipt_no=p.receipt_no, reason="错",
                 approver="boss", approver_password="nope")


def test_price_override_below_role_limit_needs_no_approval_when_not_listed(desk):
    with desk.admin_session() as s, s.begin():  # settings: the administrator's connection
        put_settings(s, approval_required="void,refund,deposit_refund,prepaid_refund,waiver,write_off",
                     correction_limit_cashier="5000")
    make_fee(desk, "WXF 维修服务费 quantity 50 once")
    added = desk.run(billing.add_charge, actor=desk.actor("demo"), account_code="1-1-101", fee_code="WXF",
                     quantity="2", at=at(DAY))
    r = desk.run(corrections.override_price, actor=desk.actor("demo"), charge_id=added.charge_id, new_amount="80",
                 reason="老客户优惠", at=at(DAY))
    assert r.approved_by == "" and r.amount == fen("80")
    with pytest.raises(ApprovalRequired, match="改价"):
        desk.run(corrections.override_price, actor=desk.actor("demo"), charge_id=r.id, new_amount="10",
                 reason="再降", at=at(DAY))


def test_void_rolls_back_on_error(desk):
    s = open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    events = audit_count(desk)
    with pytest.raises(AuthenticationFailed):
        desk.run(corrections.void_payment, actor=desk.actor("demo"), receipt_no=p.receipt_no, reason="错",
                 approver="boss", approver_password="nope")
    assert drawer(desk, s.id) == fen("300")
    assert card(desk, "1-1-101").arrears == 0
    # Nothing of the use case is recorded; only the approver's wrong password is counted.
    assert audit_actions_after(desk, events) == ["login_failed"]


def test_whole_refund_reopens_charges(paid_earlier):
    desk, p, s2 = paid_earlier
    r = refund(desk, p.receipt_no)
    assert r.amount == fen("300") and r.new_receipt_no == ""
    assert card(desk, "1-1-101").arrears == fen("300")
    assert drawer(desk, s2.id) == fen("200")
    with desk.session() as ss:
        assert corrections.receipt_status(ss, p.receipt_no) == "refunded"


def test_partial_refund_issues_new_receipt_for_what_remains(paid_earlier):
    desk, p, s2 = paid_earlier
    r = refund(desk, p.receipt_no, amount="100")
    assert r.new_receipt_no == "W0100000002"
    assert card(desk, "1-1-101").arrears == fen("100")
    assert drawer(desk, s2.id) == fen("400")
    assert card(desk, "1-1-101").prepaid == 0
    with desk.session() as ss:
        doc = receipts.receipt_doc(ss, r.new_receipt_no)
    assert doc.total == fen("200") and doc.original_receipt_no == p.receipt_no
    assert [(ln.period, ln.amount) for ln in doc.lines] == [("2026-09", fen("100")), ("2026-10", fen("100"))]


def test_refund_for_cancelled_charge_leaves_nothing_owed(paid_earlier):
    desk, p, _ = paid_earlier
    refund(desk, p.receipt_no, amount="100", cancel_charges=True, reason="11 月费用收错")
    assert card(desk, "1-1-101").arrears == 0
    assert book(desk, "revenue") == -fen("900") + fen("100")
    with desk.session() as ss:
        assert ss.scalar(select(func.count()).select_from(ChargeAdjustment)) == 1


def test_refund_by_wechat_is_owed_not_taken_from_drawer(paid_earlier):
    desk, p, s2 = paid_earlier
    refund(desk, p.receipt_no, tender="wechat")
    assert drawer(desk, s2.id) == fen("500")
    assert book(desk, "refund_payable") == -fen("300")


def test_cannot_refund_twice(paid_earlier):
    desk, p, _ = paid_earlier
    refund(desk, p.receipt_no, amount="50")
    with pytest.raises(AlreadyCorrected, match="已退费"):
        refund(desk, p.receipt_no, amount="50")


def test_cannot_refund_a_voided_payment(desk):
    s1 = open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    void(desk, p.receipt_no)
    close(desk, "")
    accept(desk, s1.id)
    open_shift(desk, float_yuan="500")
    with pytest.raises(AlreadyCorrected, match="已作废"):
        refund(desk, p.receipt_no)


def test_refund_of_this_shift_is_a_void(desk):
    open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    with pytest.raises(ShiftError, match="作废"):
        refund(desk, p.receipt_no)


def test_refund_more_than_paid_refused(paid_earlier):
    desk, p, _ = paid_earlier
    with pytest.raises(InvalidInput, match="不超过"):
        refund(desk, p.receipt_no, amount="301")


def test_refund_rolls_back_on_error(ledger):
    estate(ledger)
    s1 = open_shift(ledger, float_yuan="0")
    p = pay(ledger, "1-1-101", "cash=300")
    close(ledger, "100=3")
    accept(ledger, s1.id)
    s2 = open_shift(ledger, float_yuan="100")
    events = audit_count(ledger)
    with pytest.raises(ShiftError, match="现金不足"):
        refund(ledger, p.receipt_no)
    assert drawer(ledger, s2.id) == fen("100")
    assert card(ledger, "1-1-101").arrears == 0
    assert audit_count(ledger) == events


def test_deposit_refund(desk):
    make_fee(desk, "ZXYJ 装修押金 quantity 2000 once", kind="deposit")
    desk.run(billing.add_charge, actor=desk.actor("demo"), account_code="1-1-102", fee_code="ZXYJ", quantity="1",
             at=at(DAY))
    s = open_shift(desk, float_yuan="0")
    dep = [c for c in card(desk, "1-1-102").charges if c.fee == "装修押金"][0]
    pay(desk, "1-1-102", "cash=2000", charge_ids=[dep.id])
    r = desk.run(corrections.refund_balance, actor=desk.actor("demo"), kind="deposit", account_code="1-1-102",
                 tender="cash", reason="装修完工验收合格", approver="boss", approver_password="boss", at=at(DAY))
    assert r.amount == fen("2000")
    assert card(desk, "1-1-102").deposits == 0
    assert drawer(desk, s.id) == 0
    c = close(desk, "")
    assert c.summary.refunds == [RefundLine(receipt_no="", amount=fen("2000"), kind="deposit_refund")]


def test_prepaid_refund(desk):
    s = open_shift(desk, float_yuan="0")
    pay(desk, "1-1-101", "cash=500", change_to_prepaid=True)
    assert card(desk, "1-1-101").prepaid == fen("200")
    with pytest.raises(ApprovalRequired):
        desk.run(corrections.refund_balance, actor=desk.actor("demo"), kind="prepaid", account_code="1-1-101",
                 tender="cash", reason="搬走", at=at(DAY))
    desk.run(corrections.refund_balance, actor=desk.actor("demo"), kind="prepaid", account_code="1-1-101",
             amount="150", tender="cash", reason="搬走", approver="boss", approver_password="boss", at=at(DAY))
    assert card(desk, "1-1-101").prepaid == fen("50")
    assert drawer(desk, s.id) == fen("350")


def test_waiver_with_written_approval_reference_once(desk):
    charge = card(desk, "1-1-103").charges[0]
    r = desk.run(corrections.waive, actor=desk.actor("demo"), charge_id=charge.id, amount="30", reason="困难户",
                 reference="减免审批单 2026-018", approver="boss", approver_password="boss", at=at(DAY))
    assert r.amount == fen("30")
    assert card(desk, "1-1-103").arrears == fen("270")
    assert book(desk, "waiver") == fen("30")
    with pytest.raises(AlreadyCorrected, match="减免过"):
        desk.run(corrections.waive, actor=desk.actor("demo"), charge_id=charge.id, amount="10", reason="再减",
                 approver="boss", approver_password="boss", at=at(DAY))


def test_waiver_rolls_back_on_error(desk):
    charge = card(desk, "1-1-103").charges[0]
    with pytest.raises(InvalidInput, match="不超过"):
        desk.run(corrections.waive, actor=desk.actor("demo"), charge_id=charge.id, amount="101", reason="困难户",
                 approver="boss", approver_password="boss", at=at(DAY))
    assert card(desk, "1-1-103").arrears == fen("300")
    assert book(desk, "waiver") == 0


def test_write_off_of_uncollectable_charge(desk):
    charge = card(desk, "1-1-103").charges[0]
    r = desk.run(corrections.write_off, actor=desk.actor("demo"), charge_id=charge.id, reason="业主失联三年",
                 approver="boss", approver_password="boss", at=at(DAY))
    assert r.amount == fen("100")
    assert book(desk, "bad_debt") == fen("100")
    assert card(desk, "1-1-103").arrears == fen("200")
    with pytest.raises(AlreadyCorrected):
        desk.run(corrections.write_off, actor=desk.actor("demo"), charge_id=charge.id, reason="again",
                 approver="boss", approver_password="boss", at=at(DAY))


def test_price_override_on_adhoc_charge(desk):
    make_fee(desk, "WXF 维修服务费 quantity 50 once")
    added = desk.run(billing.add_charge, actor=desk.actor("demo"), account_code="1-1-101", fee_code="WXF",
                     quantity="2", at=at(DAY))
    r = desk.run(corrections.override_price, actor=desk.actor("demo"), charge_id=added.charge_id, new_amount="80",
                 reason="老客户优惠", approver="boss", approver_password="boss", at=at(DAY))
    charges = {c.id: c for c in card(desk, "1-1-101").charges}
    assert added.charge_id not in charges
    assert charges[r.id].amount == fen("80")
    with pytest.raises(AlreadyCorrected, match="改价过"):
        desk.run(corrections.override_price, actor=desk.actor("demo"), charge_id=added.charge_id, new_amount="70",
                 reason="再改", approver="boss", approver_password="boss", at=at(DAY))


def test_price_override_refused_on_billed_charge(desk):
    charge = card(desk, "1-1-101").charges[0]
    with pytest.raises(InvalidInput, match="临时"):
        desk.run(corrections.override_price, actor=desk.actor("demo"), charge_id=charge.id, new_amount="80",
                 reason="x", approver="boss", approver_password="boss", at=at(DAY))


# ---- checks before the password, preset reasons (the window's correction dialogs) ------------------

def test_check_refund_refuses_what_the_refund_would_and_writes_nothing(paid_earlier):
    ledger, p, s2 = paid_earlier
    demo = ledger.actor("demo")
    ok = ledger.run(corrections.check_refund, actor=demo, receipt_no=p.receipt_no, tender="cash", amount="120")
    assert (ok.kind, ok.amount, ok.available) == ("refund", fen("120"), fen("300"))
    assert ledger.run(corrections.check_refund, actor=demo, receipt_no=p.receipt_no, tender="wechat").amount == \
        fen("300")
    with pytest.raises(InvalidInput, match="不超过原收费 300.00 元"):
        ledger.run(corrections.check_refund, actor=demo, receipt_no=p.receipt_no, tender="cash", amount="301")
    move(ledger, "drop", "300")  # the drawer keeps 200.00 of its 500.00 float
    with pytest.raises(ShiftError, match="钱箱现金不足以退款 300.00 元"):
        ledger.run(corrections.check_refund, actor=demo, receipt_no=p.receipt_no, tender="cash")
    same = pay(ledger, "1-1-102", "cash=100")
    events = audit_count(ledger)
    with pytest.raises(ShiftError, match="请作废而不是退费"):
        ledger.run(corrections.check_refund, actor=demo, receipt_no=same.receipt_no, tender="cash")
    assert audit_count(ledger) == events  # a check is a read: no approval, no event
    refund(ledger, p.receipt_no, amount="120")
    with pytest.raises(AlreadyCorrected, match="已退费"):
        ledger.run(corrections.check_refund, actor=demo, receipt_no=p.receipt_no, tender="cash")


def test_checks_of_waiver_write_off_and_balance_refunds(desk):
    open_shift(desk, float_yuan="0")
    demo = desk.actor("demo")
    charge = card(desk, "1-1-103").charges[0]
    assert desk.run(corrections.check_waiver, actor=demo, charge_id=charge.id, amount="30").amount == fen("30")
    with pytest.raises(InvalidInput, match="不超过欠款 100.00 元"):
        desk.run(corrections.check_waiver, actor=demo, charge_id=charge.id, amount="101")
    assert desk.run(corrections.check_write_off, actor=demo, charge_id=charge.id).available == fen("100")
    desk.run(corrections.write_off, actor=demo, charge_id=charge.id, reason="业主失联", approver="boss",
             approver_password="boss", at=at(DAY))
    with pytest.raises(AlreadyCorrected, match="已核销过"):
        desk.run(corrections.check_write_off, actor=demo, charge_id=charge.id)
    with pytest.raises(InvalidInput, match="没有可退的预存余额"):
        desk.run(corrections.check_balance_refund, actor=demo, kind="prepaid", account_code="1-1-101", tender="cash")
    pay(desk, "1-1-101", "cash=500", change_to_prepaid=True)  # 300.00 owed, 200.00 to prepaid
    chk = desk.run(corrections.check_balance_refund, actor=demo, kind="prepaid", account_code="1-1-101",
                   tender="wechat")
    assert (chk.kind, chk.amount, chk.available) == ("prepaid_refund", fen("200"), fen("200"))
    make_fee(desk, "ZXYJ 装修押金 quantity 2000 once", kind="deposit")
    desk.run(billing.add_charge, actor=demo, account_code="1-1-102", fee_code="ZXYJ", quantity="1", at=at(DAY))
    dep = [c for c in card(desk, "1-1-102").charges if c.fee == "装修押金"][0]
    pay(desk, "1-1-102", "wechat=2000:4200003333", charge_ids=[dep.id])
    assert desk.run(corrections.deposits_held, actor=demo, account_code="1-1-102") == [
        ("ZXYJ", "装修押金", fen("2000"))
    ]
    with pytest.raises(ShiftError, match="钱箱现金不足以退款 2000.00 元"):
        desk.run(corrections.check_balance_refund, actor=demo, kind="deposit", account_code="1-1-102", tender="cash")


def test_preset_reasons_default_and_are_set_by_the_administrator_only(desk):
    assert desk.run(corrections.preset_reasons, actor=desk.actor("demo"), kind="void")[0] == "收错户号"
    events = audit_count(desk)
    saved = desk.admin_run(admin.update_reason_presets, actor=desk.actor("admin"), kind="waiver",
                           reasons=[" 困难户减免 ", "", "困难户减免", "拆迁过渡期"])
    assert saved == ["困难户减免", "拆迁过渡期"]
    assert desk.run(corrections.preset_reasons, actor=desk.actor("demo"), kind="waiver") == saved
    assert audit_count(desk) == events + 1
    with pytest.raises(PermissionDenied):
        desk.run(admin.update_reason_presets, actor=desk.actor("boss"), kind="waiver", reasons=["随便"])
    with pytest.raises(InvalidInput, match="未知的更正类别"):
        desk.admin_run(admin.update_reason_presets, actor=desk.actor("admin"), kind="price_override", reasons=["x"])
    with pytest.raises(InvalidInput, match="最多 40 个字符"):
        desk.admin_run(admin.update_reason_presets, actor=desk.actor("admin"), kind="waiver", reasons=["长" * 41])
    assert desk.run(corrections.preset_reasons, actor=desk.actor("demo"), kind="waiver") == saved
