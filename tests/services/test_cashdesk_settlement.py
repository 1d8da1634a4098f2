"""Day settlement, month close, bank deposit, closed periods and training mode."""

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from app.errors import InvalidInput, PeriodClosed, ShiftError
from app.models import DaySettlement, Station
from app.services.bills import billing
from app.services.desk import settlement, shifts
from tests.helpers import card
from tests.services.cashdesk_helpers import (
    DAY,
    accept,
    at,
    audit_count,
    book,
    close,
    estate,
    fen,
    move,
    open_shift,
    pay,
    settle,
    void,
)


@pytest.fixture
def desk(ledger):
    estate(ledger)
    return ledger


def a_day(lg, day: str = DAY):
    """demo (float 500) takes 300 cash + 300 wechat; lily takes 100 cash and is 10 short; both accepted."""
    s1 = open_shift(lg, float_yuan="500", day=day)
    pay(lg, "1-1-101", "cash=300", day=day)
    pay(lg, "1-1-102", "wechat=300:W1", day=day)
    s2 = open_shift(lg, cashier="lily", station="W02", float_yuan="0", day=day)
    pay(lg, "1-1-103", "cash=100", cashier="lily", station="W02", day=day)
    close(lg, "100=8", day=day)
    close(lg, "50=1,20=2", cashier="lily", station="W02", reason="找错零钱", day=day)
    accept(lg, s1.id, day=day)
    accept(lg, s2.id, day=day)
    return s1, s2


def test_settlement_totals_per_tender_fee_item_and_cashier(desk):
    a_day(desk)
    r = settle(desk)
    t = r.totals
    assert t["tenders"]["expected"] == {"cash": fen("900"), "wechat": fen("300")}
    assert t["tenders"]["counted"] == {"cash": fen("890"), "wechat": fen("300")}
    assert t["tenders"]["difference"] == {"cash": -fen("10"), "wechat": 0}
    assert t["fee_items"]["WYF"]["amount"] == fen("700")
    assert (t["over"], t["short"]) == (0, fen("10"))
    assert t["cashiers"]["demo"]["counted"] == {"cash": fen("800"), "wechat": fen("300")}
    assert t["cashiers"]["lily"]["short"] == fen("10")
    assert t["cashiers"]["demo"]["receipts_count"] == 2
    assert r.cash_due_to_bank == fen("390")  # counted cash 890 less the 500 float
    out = r.to_json()
    assert out["tenders"]["counted"]["cash"] == "890.00" and out["cash_due_to_bank"] == "390.00"


def test_settlement_refused_while_a_shift_is_open(desk):
    open_shift(desk, float_yuan="0")
    with pytest.raises(ShiftError, match="未轧帐"):
        settle(desk)


def test_settlement_refused_while_a_close_is_not_accepted(desk):
    open_shift(desk, float_yuan="0")
    close(desk, "")
    with pytest.raises(ShiftError, match="未验收"):
        settle(desk)


def test_cannot_settle_a_day_twice(desk):
    settle(desk)
    with pytest.raises(PeriodClosed, match="重复"):
        settle(desk)


def test_cannot_settle_a_future_day(desk):
    with pytest.raises(InvalidInput, match="还没有到"):
        desk.run(settlement.settle_day, actor=desk.actor("boss"), day=dt.date(2026, 12, 1), at=at(DAY))


def test_postings_refused_on_a_settled_day(desk):
    a_day(desk)
    settle(desk)
    with pytest.raises(PeriodClosed, match="已日结"):
        open_shift(desk, float_yuan="100")
    open_shift(desk, float_yuan="100", day="2026-11-26")
    with pytest.raises(PeriodClosed, match="已日结"):  # even with a supervisor's approval
        pay(desk, "1-1-103", "cash=100", day="2026-11-26", business_date=dt.date.fromisoformat(DAY),
            reason="补记", approver="boss", approver_password="boss")
    with pytest.raises(PeriodClosed):
        desk.run(billing.add_charge, actor=desk.actor("demo"), account_code="1-1-101", fee_code="WYF",
                 quantity="1", at=at(DAY))
    pay(desk, "1-1-103", "cash=100", day="2026-11-26")  # the next day is open


def test_corrections_post_on_the_current_day_not_the_settled_one(desk):
    s1 = open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    close(desk, "100=3")
    accept(desk, s1.id)
    settle(desk)
    open_shift(desk, float_yuan="500", day="2026-11-26")
    from tests.services.cashdesk_helpers import refund

    refund(desk, p.receipt_no, day="2026-11-26")
    assert card(desk, "1-1-101", day="2026-11-26").arrears == fen("300")


def test_postings_refused_in_a_closed_month(desk):
    a_day(desk, day="2026-10-20")
    settle(desk, day="2026-10-20")
    m = desk.run(settlement.close_month, actor=desk.actor("boss"), month="2026-10", at=at(DAY))
    assert m.totals["days"] == 1 and m.totals["counted"]["cash"] == fen("890")
    with pytest.raises(PeriodClosed, match="已月结"):
        desk.run(billing.add_charge, actor=desk.actor("demo"), account_code="1-1-101", fee_code="WYF",
                 quantity="1", at=at("2026-10-05"))
    with pytest.raises(PeriodClosed, match="重复"):
        desk.run(settlement.close_month, actor=desk.actor("boss"), month="2026-10", at=at(DAY))


def test_month_close_requires_every_shift_day_settled(desk):
    a_day(desk, day="2026-10-20")
    with pytest.raises(ShiftError, match="2026-10-20"):
        desk.run(settlement.close_month, actor=desk.actor("boss"), month="2026-10", at=at(DAY))


def test_month_close_refused_before_month_end(desk):
    with pytest.raises(InvalidInput, match="尚未结束"):
        desk.run(settlement.close_month, actor=desk.actor("boss"), month="2026-11", at=at(DAY))


def test_bank_deposit_against_what_was_due(desk):
    a_day(desk)
    settle(desk)
    d = desk.run(settlement.bank_deposit, actor=desk.actor("boss"), amount="300", slip="ICBC-001",
                 at=at("2026-11-26"))
    assert (d.for_date, d.due, d.banked) == (dt.date(2026, 11, 25), fen("390"), fen("300"))
    report = desk.run(settlement.day_report, actor=desk.actor("boss"), day=dt.date(2026, 11, 25))
    assert report.to_json()["to_bank_outstanding"] == "90.00"
    assert book(desk, "bank") == fen("300") + fen("300")  # wechat remitted to the bank + the deposit


def test_bank_deposit_cannot_exceed_safe(desk):
    with pytest.raises(InvalidInput, match="保险柜"):
        desk.run(settlement.bank_deposit, actor=desk.actor("boss"), amount="1", slip="X", at=at(DAY))


def test_bank_run_counts_as_banked(desk):
    s = open_shift(desk, float_yuan="0")
    pay(desk, "1-1-101", "cash=300")
    move(desk, "bank_run", "200", reason="午间送行")
    close(desk, "100=1")
    accept(desk, s.id)
    r = settle(desk)
    assert (r.cash_due_to_bank, r.banked) == (fen("300"), fen("200"))


def test_training_mode_excluded_from_settlement_and_books(desk):
    with desk.admin_session() as s, s.begin():  # a station's set-up: the administrator's connection
        s.execute(update(Station).where(Station.code == "W02").values(training=True))
    t = open_shift(desk, cashier="lily", station="W02", float_yuan="100")
    assert t.training
    p = pay(desk, "1-1-101", "cash=300", cashier="lily", station="W02")
    assert p.training and p.receipt_no.startswith("LX")
    void(desk, p.receipt_no, cashier="lily", station="W02")
    pay(desk, "1-1-102", "cash=300", cashier="lily", station="W02")
    s1 = open_shift(desk, float_yuan="0")
    pay(desk, "1-1-103", "cash=100")
    close(desk, "100=1")
    accept(desk, s1.id)
    r = settle(desk)  # the training shift is still open: it never blocks or reaches the settlement
    assert r.totals["shifts"] == 1
    assert r.totals["tenders"]["counted"] == {"cash": fen("100")}
    assert r.totals["fee_items"]["WYF"]["amount"] == fen("100")
    # practice goes on after the real day is locked
    pay(desk, "1-1-101", "cash=300", cashier="lily", station="W02")


def test_settle_rolls_back_on_error(desk):
    open_shift(desk, float_yuan="0")
    events = audit_count(desk)
    with pytest.raises(ShiftError):
        settle(desk)
    with desk.session() as s:
        assert s.scalar(select(func.count()).select_from(DaySettlement)) == 0
    assert audit_count(desk) == events
    assert desk.run(shifts.current_shift, actor=desk.actor("demo")) is not None


def test_bank_deposit_rolls_back_on_error(desk):
    with pytest.raises(InvalidInput, match="缴款单号"):
        desk.run(settlement.bank_deposit, actor=desk.actor("boss"), amount="1", slip="", at=at(DAY))
    assert book(desk, "bank") == 0
