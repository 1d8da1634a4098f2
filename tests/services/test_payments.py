"""Payments: allocation, partial payment, change, prepaid, deposits, late fees, refusals."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.errors import (
    InvalidAmount,
    InvalidInput,
    NotFound,
    PaymentRefused,
    PermissionDenied,
    ShiftError,
)
from app.models import Payment, Posting
from app.services.bills import billing, fees
from app.services.desk import payments
from tests.helpers import assign_all, at, bill, card, fen, make_accounts, make_fee, open_shift, pay


@pytest.fixture
def billed(ledger):
    """1-1-101 (100 m2) owes 物业费 2.00/m2 for Sep, Oct, Nov 2026: 200.00 each, due the 15th after."""
    make_accounts(ledger, "1-1-101 张三 100 13800001234\n1-1-102 李四 50")
    make_fee(ledger, "WYF 物业费 area 2 monthly", due_days=15)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-09", "2026-10", "2026-11")
    open_shift(ledger, float_yuan="100")
    return ledger


def rows(lg, model):
    with lg.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_cash_payment_pays_everything_and_gives_change(billed):
    r = pay(billed, "1-1-101", "cash=700")
    assert [a.amount for a in r.allocated] == [fen("200")] * 3
    assert (r.total_tendered, r.change, r.prepaid_added) == (fen("700"), fen("100"), 0)
    assert card(billed, "1-1-101").arrears == 0


def test_partial_payment_pays_oldest_first(billed):
    r = pay(billed, "1-1-101", "cash=250")
    assert [(a.period, a.amount) for a in r.allocated] == [("2026-09", fen("200")), ("2026-10", fen("50"))]
    assert r.change == 0
    c = card(billed, "1-1-101")
    assert [(ch.period, ch.outstanding) for ch in c.charges] == [("2026-10", fen("150")), ("2026-11", fen("200"))]
    assert c.arrears == fen("350")


def test_selected_charges_only(billed):
    nov = card(billed, "1-1-101").charges[-1]
    r = pay(billed, "1-1-101", "cash=200", charge_ids=[nov.id])
    assert [a.period for a in r.allocated] == ["2026-11"]
    assert [ch.period for ch in card(billed, "1-1-101").charges] == ["2026-09", "2026-10"]


def test_change_to_prepaid_keeps_the_rest_as_prepaid(billed):
    r = pay(billed, "1-1-101", "cash=700", change_to_prepaid=True)
    assert (r.change, r.prepaid_added, r.prepaid_balance) == (0, fen("100"), fen("100"))
    assert card(billed, "1-1-101").prepaid == fen("100")


def test_prepaid_balance_pays_charges(billed):
    pay(billed, "1-1-101", "cash=300", charge_ids=[card(billed, "1-1-101").charges[0].id], change_to_prepaid=True)
    assert card(billed, "1-1-101").prepaid == fen("100")
    r = pay(billed, "1-1-101", "prepaid=100", "wechat=300:WX123")
    assert r.change == 0 and r.prepaid_balance == 0
    c = card(billed, "1-1-101")
    assert (c.arrears, c.prepaid) == (0, 0)


def test_prepaid_tender_cannot_exceed_the_balance(billed):
    with pytest.raises(PaymentRefused) as err:
        pay(billed, "1-1-101", "prepaid=10")
    assert "预存余额不足" in err.value.message


def test_prepayment_on_an_account_with_nothing_due(billed):
    pay(billed, "1-1-101", "cash=600")
    with pytest.raises(PaymentRefused) as err:
        pay(billed, "1-1-101", "cash=100")
    assert "没有欠费" in err.value.message
    r = pay(billed, "1-1-101", "alipay=500:ALI1", change_to_prepaid=True)
    assert (r.prepaid_added, r.prepaid_balance) == (fen("500"), fen("500"))


def test_card_tender_larger_than_due_is_refused_and_writes_nothing(billed):
    before = rows(billed, Payment), rows(billed, Posting)
    with pytest.raises(PaymentRefused) as err:
        pay(billed, "1-1-101", "card=601:POS2")
    assert "只有现金可以找零" in err.value.message
    assert (rows(billed, Payment), rows(billed, Posting)) == before


def test_change_never_comes_from_a_card_in_a_split_tender(billed):
    r = pay(billed, "1-1-101", "card=550:POS1", "cash=100")
    assert (r.change, r.allocated[-1].amount) == (fen("50"), fen("200"))
    with pytest.raises(PaymentRefused):
        pay(billed, "1-1-102", "wechat=150:WX1", "cash=10")  # 1-1-102 owes 300; fine
        pay(billed, "1-1-102", "wechat=301:WX2")


@pytest.mark.parametrize("tender", ["cash=0", "cash=-5", "cash=abc", "cash=12.505", "cash=1e3", "bitcoin=5", "cash"])
def test_bad_tenders_are_refused(billed, tender):
    with pytest.raises((InvalidAmount, InvalidInput)):
        pay(billed, "1-1-101", tender)
    assert rows(billed, Payment) == 0


def test_unknown_account_is_refused(billed):
    with pytest.raises(NotFound) as err:
        pay(billed, "9-9-999", "cash=5")
    assert "找不到缴费户" in err.value.message


def test_payment_needs_an_open_shift(billed):
    with pytest.raises(ShiftError) as err:
        pay(billed, "1-1-101", "cash=5", cashier="lily")
    assert "开班" in err.value.message


def test_auditor_may_not_take_payments(billed):
    with pytest.raises(PermissionDenied):
        pay(billed, "1-1-101", "cash=5", cashier="audit")


def test_receipt_numbers_follow_the_station_sequence(billed):
    a = pay(billed, "1-1-101", "cash=200")
    b = pay(billed, "1-1-102", "cash=100")
    assert (a.receipt_no, b.receipt_no) == ("W0100000001", "W0100000002")


def test_receipt_document_is_stored_with_upper_amount(billed):
    from app.services.desk import receipts

    r = pay(billed, "1-1-101", "cash=700")
    with billed.session() as s:
        doc = receipts.receipt_doc(s, r.receipt_no)
    assert doc.total == fen("600") and doc.total_upper == "陆佰元整"
    assert doc.change == fen("100") and doc.site_name == "幸福里物业服务中心"
    assert [line.period for line in doc.lines] == ["2026-09", "2026-10", "2026-11"]
    assert doc.qr_payload.startswith(f"FEEDESK|{r.receipt_no}|600.00|")


def test_deposit_is_held_not_revenue(billed):
    make_fee(billed, "ZXYJ 装修押金 quantity 2000 once", kind="deposit")
    billed.run(billing.add_charge, actor=billed.actor("demo"), account_code="1-1-102", fee_code="ZXYJ",
               quantity="1", at=at("2026-11-25"))
    deposit = [c for c in card(billed, "1-1-102").charges if c.fee == "装修押金"][0]
    pay(billed, "1-1-102", "cash=2000", charge_ids=[deposit.id])
    c = card(billed, "1-1-102")
    assert c.deposits == fen("2000")
    with billed.session() as s:
        revenue = s.scalar(select(func.sum(Posting.amount)).where(Posting.book == "revenue"))
    assert -revenue == fen("200") * 3 + fen("100") * 3  # only the property fees are income


def test_late_fee_is_charged_as_its_own_line_at_payment(ledger):
    make_accounts(ledger, "1-1-101 张三 100")
    make_fee(ledger, "WYF 物业费 area 1 monthly", due_days=15, late_fee_daily="0.0005", late_fee_grace=0)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-09")  # 100.00 due 2026-10-15
    open_shift(ledger, day="2026-11-24", float_yuan="100")
    r = pay(ledger, "1-1-101", "cash=200", day="2026-11-24")
    # 100.00 x 0.0005 x 40 days (Oct 15 -> Nov 24) = 2.00
    assert [x.amount for x in r.late_fees] == [fen("2.00")]
    assert [a.fee for a in r.allocated] == ["物业费", "物业费滞纳金"]
    assert r.change == fen("98.00")


def test_partial_payment_late_fee_accrues_only_new_days(ledger):
    make_accounts(ledger, "1-1-101 张三 100")
    make_fee(ledger, "WYF 物业费 area 1 monthly", due_days=15, late_fee_daily="0.001", late_fee_grace=0)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-09")
    open_shift(ledger, day="2026-10-25", float_yuan="100")
    first = pay(ledger, "1-1-101", "cash=50", day="2026-10-25")  # 10 days on 100.00 = 1.00
    assert first.late_fees[0].amount == fen("1.00")
    assert card(ledger, "1-1-101", day="2026-10-25").arrears == fen("51.00")  # 50.00 + the unpaid late fee
    second = pay(ledger, "1-1-101", "cash=60", day="2026-11-04")  # 10 more days on 50.00 = 0.50
    assert second.late_fees[0].amount == fen("0.50")
    assert second.change == fen("8.50")  # 60 - 50.00 - 0.50 - 1.00
    assert card(ledger, "1-1-101", day="2026-11-04").arrears == 0


def test_no_late_fee_within_grace_days(ledger):
    make_accounts(ledger, "1-1-101 张三 100")
    make_fee(ledger, "WYF 物业费 area 1 monthly", due_days=15, late_fee_daily="0.0005", late_fee_grace=30)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-09")
    open_shift(ledger, day="2026-11-10", float_yuan="100")
    assert pay(ledger, "1-1-101", "cash=100", day="2026-11-10").late_fees == []


def test_second_cashier_cannot_pay_an_already_paid_charge(billed):
    sep = card(billed, "1-1-101").charges[0]
    pay(billed, "1-1-101", "cash=200", charge_ids=[sep.id])
    open_shift(billed, cashier="lily", station="W02")
    with pytest.raises(PaymentRefused) as err:
        pay(billed, "1-1-101", "cash=200", charge_ids=[sep.id], cashier="lily", station="W02")
    assert "已在" in err.value.message and "W0100000001" in err.value.message


def test_pay_rolls_back_on_error(billed, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(payments.receipts, "take_number", boom)
    with pytest.raises(RuntimeError):
        pay(billed, "1-1-101", "cash=700")
    assert rows(billed, Payment) == 0
    assert card(billed, "1-1-101").arrears == fen("600")


def test_fee_changes_need_master_data_permission(billed):
    with pytest.raises(PermissionDenied):
        billed.run(
            fees.add_tariff, actor=billed.actor("demo"), code="WYF", rate="3", effective_from=dt.date(2027, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        billed.run(billing.bill_run, actor=billed.actor("demo"), period="2026-12")
