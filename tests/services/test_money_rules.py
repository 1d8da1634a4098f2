"""Issue #17 items 5-7: no backdating, maker-checker that settings cannot switch off, money holes.

Each test is an attack a cashier (or an administrator) could try, and checks what the ledger
holds afterwards: nothing written when refused, `verify` still passing when allowed.
"""

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.errors import (
    ApprovalRequired,
    InvalidInput,
    PaymentRefused,
    PeriodClosed,
    PermissionDenied,
)
from app.models import Approval, Charge, ChargeKind, Payment, ReceiptNumberEvent
from app.services.bills import billing
from app.services.desk import closes, corrections, receipt_stock
from app.services.master import admin
from app.services.system import settings
from tests.helpers import (
    assert_ledger_balanced,
    assign_all,
    bill,
    card,
    make_accounts,
    make_fee,
    put_settings,
)
from tests.services.cashdesk_helpers import (
    DAY,
    accept,
    at,
    book,
    close,
    drawer,
    estate,
    fen,
    open_shift,
    pay,
    settle,
    void,
)

D = dt.date.fromisoformat


@pytest.fixture
def desk(ledger):
    estate(ledger)
    return ledger


@pytest.fixture
def late(ledger):
    """1-1-101 owes 100.00 due 2026-10-15 with a late fee of 0.05% a day from the due date."""
    make_accounts(ledger, "1-1-101 张三 100")
    make_fee(ledger, "WYF 物业费 area 1 monthly", due_days=15, late_fee_daily="0.0005", late_fee_grace=0)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-09")
    return ledger


def payments_count(lg) -> int:
    with lg.session() as s:
        return s.scalar(select(func.count()).select_from(Payment))


def payment_day(lg, receipt_no: str) -> dt.date:
    with lg.session() as s:
        return s.scalar(select(Payment.business_date).where(Payment.receipt_no == receipt_no))


# ---- 5. backdating ------------------------------------------------------------------------

def test_payment_of_a_shift_left_open_past_midnight_may_keep_the_shift_day(late):
    open_shift(late, day="2026-11-24", float_yuan="100")
    r = pay(late, "1-1-101", "cash=110", day="2026-11-25", business_date=D("2026-11-24"))  # no approval needed
    assert payment_day(late, r.receipt_no) == D("2026-11-24")
    # The late fee runs to the day the money was really taken: 41 days on 100.00.
    assert [x.amount for x in r.late_fees] == [fen("2.05")]


@pytest.mark.parametrize("day", ["1900-01-01", "2026-01-01", "2026-11-20"])
def test_backdated_payment_needs_a_supervisor_and_a_reason(late, day):
    open_shift(late, day="2026-11-24", float_yuan="100")
    with pytest.raises(ApprovalRequired, match="主管审批"):
        pay(late, "1-1-101", "cash=110", day="2026-11-24", business_date=D(day), reason="补记纸质收据")
    with pytest.raises(InvalidInput, match="原因"):
        pay(late, "1-1-101", "cash=110", day="2026-11-24", business_date=D(day), approver="boss",
            approver_password="boss")
    with pytest.raises(PermissionDenied, match="不是主管"):
        pay(late, "1-1-101", "cash=110", day="2026-11-24", business_date=D(day), reason="补记",
            approver="lily", approver_password="lily")
    assert payments_count(late) == 0
    assert card(late, "1-1-101", day="2026-11-24").arrears == fen("100")


def test_backdating_never_skips_the_late_fee(late):
    open_shift(late, day="2026-11-24", float_yuan="100")
    r = pay(late, "1-1-101", "cash=110", day="2026-11-24", business_date=D("2026-10-10"),
            reason="10月10日收的纸质收据补记", approver="boss", approver_password="boss")
    assert payment_day(late, r.receipt_no) == D("2026-10-10")
    # Dated before the due date, but the late fee is that of the real payment day (Nov 24): 40 days.
    assert [x.amount for x in r.late_fees] == [fen("2.00")]
    assert r.change == fen("8.00")
    with late.session() as s:
        lf = s.scalars(select(Charge).where(Charge.kind == ChargeKind.LATE_FEE)).one()
        approval = s.scalars(select(Approval).where(Approval.action == "backdate")).one()
    assert lf.business_date == D("2026-11-24")  # the next late fee starts counting here, not on Oct 10
    assert approval.reason == "10月10日收的纸质收据补记"
    assert_ledger_balanced(late)


def test_backdating_refused_on_future_and_settled_days(desk):
    s1 = open_shift(desk, float_yuan="0", day="2026-11-24")
    close(desk, "", day="2026-11-24")
    accept(desk, s1.id, day="2026-11-24")
    settle(desk, "2026-11-24")
    open_shift(desk, float_yuan="0")  # 2026-11-25
    for day, message in (("9999-12-31", "未来"), ("2026-11-26", "未来"), ("2026-11-24", "已日结"),
                         ("2026-01-01", "已日结"), ("1900-01-01", "已日结")):
        with pytest.raises(PeriodClosed, match=message):
            pay(desk, "1-1-101", "cash=100", business_date=D(day), reason="补记", approver="boss",
                approver_password="boss")
    assert payments_count(desk) == 0


def test_shift_cannot_be_opened_on_a_day_before_the_last_settlement(desk):
    s1 = open_shift(desk, float_yuan="0", day="2026-11-24")
    close(desk, "", day="2026-11-24")
    accept(desk, s1.id, day="2026-11-24")
    settle(desk, "2026-11-24")
    with pytest.raises(PeriodClosed, match="已日结到 2026-11-24"):
        open_shift(desk, float_yuan="0", day="2026-01-01")


# ---- 6. maker-checker cannot be switched off ----------------------------------------------

def test_settings_cannot_remove_the_approval_of_voids_refunds_and_waivers(desk):
    # Settings as an administrator could have left them before this rule (written directly).
    with desk.admin_session() as s, s.begin():  # as if written behind the program's back (audited)
        put_settings(s, approval_required="", correction_limit_cashier="9999999900")
    open_shift(desk, float_yuan="500")
    p = pay(desk, "1-1-101", "cash=500", change_to_prepaid=True)
    charge = card(desk, "1-1-103").charges[0]
    demo = desk.actor("demo")
    attempts = [
        (corrections.void_payment, dict(receipt_no=p.receipt_no)),
        (corrections.waive, dict(charge_id=charge.id, amount="100")),
        (corrections.write_off, dict(charge_id=charge.id)),
        (corrections.refund_balance, dict(kind="prepaid", account_code="1-1-101", tender="cash")),
    ]
    for fn, kw in attempts:
        with pytest.raises(ApprovalRequired):
            desk.run(fn, actor=demo, reason="自己批", at=at(DAY), **kw)
        with pytest.raises(PermissionDenied, match="自己"):  # and never her own approval
            desk.run(fn, actor=demo, reason="自己批", approver="demo", approver_password="demo", at=at(DAY), **kw)
    assert card(desk, "1-1-103").arrears == fen("300")
    assert card(desk, "1-1-101").prepaid == fen("200")
    assert book(desk, "waiver") == 0 and book(desk, "bad_debt") == 0
    with desk.session() as s:
        assert corrections.receipt_status(s, p.receipt_no) == "used"


@pytest.mark.parametrize("value", ["", "price_override", "void,refund,deposit_refund,prepaid_refund,waiver"])
def test_administrator_cannot_switch_off_a_mandatory_approval(desk, value):
    with pytest.raises(InvalidInput, match="不能取消"):
        desk.run(admin.update_setting, actor=desk.actor("admin"), key="approval_required", value=value)
    with desk.session() as s:
        assert "void" in settings.get(s, "approval_required")


def test_administrator_may_drop_the_optional_price_override_approval(desk):
    value = "void,refund,deposit_refund,prepaid_refund,waiver,write_off"
    row = desk.admin_run(admin.update_setting, actor=desk.actor("admin"), key="approval_required", value=value)
    assert row.value == value


# ---- 7. money holes ------------------------------------------------------------------------

@pytest.fixture
def deposit(desk):
    """1-1-102 paid a 2000.00 renovation deposit in cash into demo's open shift (float 0)."""
    make_fee(desk, "ZXYJ 装修押金 quantity 2000 once", kind="deposit")
    desk.run(billing.add_charge, actor=desk.actor("demo"), account_code="1-1-102", fee_code="ZXYJ", quantity="1",
             at=at(DAY))
    s = open_shift(desk, float_yuan="0")
    dep = [c for c in card(desk, "1-1-102").charges if c.fee == "装修押金"][0]
    p = pay(desk, "1-1-102", "cash=2000", charge_ids=[dep.id])
    return desk, s, p


def test_void_after_a_partial_deposit_refund_is_refused(deposit):
    desk, s, p = deposit
    desk.run(corrections.refund_balance, actor=desk.actor("demo"), kind="deposit", account_code="1-1-102",
             amount="600", tender="cash", reason="部分退押金", approver="boss", approver_password="boss", at=at(DAY))
    with pytest.raises(PaymentRefused, match="押金余额不能为负"):
        void(desk, p.receipt_no)
    assert card(desk, "1-1-102").deposits == fen("1400")
    assert drawer(desk, s.id) == fen("1400")
    assert_ledger_balanced(desk)


def test_refund_after_the_deposit_was_paid_back_is_refused(deposit):
    desk, s, p = deposit
    desk.run(corrections.refund_balance, actor=desk.actor("demo"), kind="deposit", account_code="1-1-102",
             amount="600", tender="cash", reason="部分退押金", approver="boss", approver_password="boss", at=at(DAY))
    close(desk, "100=14")
    accept(desk, s.id)
    open_shift(desk, float_yuan="0")
    with pytest.raises(PaymentRefused, match="押金余额不能为负"):
        desk.run(corrections.refund_payment, actor=desk.actor("demo"), receipt_no=p.receipt_no, tender="wechat",
                 reason="退费", approver="boss", approver_password="boss", at=at(DAY))
    assert card(desk, "1-1-102").deposits == fen("1400")
    assert_ledger_balanced(desk)


def test_void_that_would_leave_the_drawer_negative_is_refused(desk):
    s = open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    desk.run(closes.move_cash, actor=desk.actor("demo"), kind="drop", amount="300", reason="投入保险柜", at=at(DAY))
    with pytest.raises(PaymentRefused, match="钱箱现金不能为负"):
        void(desk, p.receipt_no)
    assert drawer(desk, s.id) == 0
    assert card(desk, "1-1-101").arrears == 0


def test_adhoc_charge_takes_the_catalogue_price(desk):
    make_fee(desk, "WXF 维修服务费 quantity 50 once")
    added = desk.run(billing.add_charge, actor=desk.actor("demo"), account_code="1-1-101", fee_code="WXF",
                     quantity="2", at=at(DAY))
    assert added.amount == fen("100")


def test_adhoc_charge_at_a_typed_amount_needs_a_supervisor(desk):
    make_fee(desk, "WXF 维修服务费 quantity 50 once")
    demo = desk.actor("demo")
    before = card(desk, "1-1-101").arrears
    with pytest.raises(ApprovalRequired, match="按金额录入费用"):
        desk.run(billing.add_charge, actor=demo, account_code="1-1-101", fee_code="WXF", amount="999999",
                 reason="上门维修", at=at(DAY))
    with pytest.raises(PermissionDenied, match="自己"):
        desk.run(billing.add_charge, actor=desk.actor("boss"), account_code="1-1-101", fee_code="WXF",
                 amount="999999", reason="上门维修", approver="boss", approver_password="boss", at=at(DAY))
    assert card(desk, "1-1-101").arrears == before
    added = desk.run(billing.add_charge, actor=demo, account_code="1-1-101", fee_code="WXF", amount="180",
                     reason="更换水管，材料另计", approver="boss", approver_password="boss", at=at(DAY))
    assert added.amount == fen("180")
    assert card(desk, "1-1-101").arrears == before + fen("180")


def test_reporting_own_receipts_lost_needs_a_supervisor(desk):
    desk.run(receipt_stock.issue_range, actor=desk.actor("boss"), prefix="A", first=1, last=50, to_user="demo")
    demo = desk.actor("demo")
    with pytest.raises(ApprovalRequired, match="票据报损"):
        desk.run(receipt_stock.release_numbers, actor=demo, kind="lost", receipt_no="A00000001", count=5,
                 reason="丢了")
    with pytest.raises(PermissionDenied, match="自己"):
        desk.run(receipt_stock.release_numbers, actor=desk.actor("boss"), kind="lost", receipt_no="A00000001",
                 count=5, reason="丢了", approver="boss", approver_password="boss")
    with desk.session() as s:
        assert s.scalar(select(func.count()).select_from(ReceiptNumberEvent)) == 0
    r = desk.run(receipt_stock.release_numbers, actor=demo, kind="lost", receipt_no="A00000001", count=5,
                 reason="整本受潮", approver="boss", approver_password="boss")
    assert r.numbers == [f"A0000000{n}" for n in range(1, 6)]
    # Returning unused numbers stays the cashier's own act.
    desk.run(receipt_stock.release_numbers, actor=demo, kind="returned", receipt_no="A00000006", count=1,
             reason="交回")


@pytest.mark.parametrize("tender", ["wechat=100", "alipay=100:", "card=100: ", "transfer=100", "cheque=100",
                                    "insurance=100"])
def test_non_cash_tender_needs_its_transaction_reference(desk, tender):
    open_shift(desk, float_yuan="0")
    with pytest.raises(InvalidInput, match="交易参考号"):
        pay(desk, "1-1-101", tender)
    assert payments_count(desk) == 0
    assert pay(desk, "1-1-101", tender.split(":")[0] + ":4200001234").allocated


def test_change_larger_than_the_drawer_holds_is_refused(desk):
    s = open_shift(desk, float_yuan="50")
    with pytest.raises(PaymentRefused) as err:
        pay(desk, "1-1-101", "cash=400")  # 300.00 due: 100.00 change, the drawer holds 50.00
    assert err.value.message == "钱箱现金不足以找零"  # the drawer's figure is not shown (blind close)
    assert payments_count(desk) == 0
    assert pay(desk, "1-1-101", "cash=350").change == fen("50")
    assert drawer(desk, s.id) == fen("350")
    # Kept as prepaid instead, no change is needed.
    assert pay(desk, "1-1-102", "cash=400", change_to_prepaid=True).prepaid_added == fen("100")
