"""Reads behind the window's reports and the account history (`services.report_views`)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import PermissionDenied
from app.services import reports
from app.services.collection import dunning
from app.services.desk import corrections, payments
from app.services.report_views import account_history, takings_by_hour
from tests.helpers import at, pay


def test_takings_by_hour_add_up_to_the_income_report_per_tender(known_extras):
    lg = known_extras
    demo = lg.actor("demo")
    # 09:15 local (01:15 UTC) on 2026-10-10: a WeChat payment before the noon cash payment
    lg.run(
        payments.pay,
        actor=demo,
        account_code="1-1-102",
        tenders=[payments.parse_tender("wechat=50:WX9")],
        at=dt.datetime(2026, 10, 10, 1, 15),
    )
    boss = lg.actor("boss")
    for day in (dt.date(2026, 10, 10), dt.date(2026, 10, 20), dt.date(2026, 10, 25), dt.date(2026, 9, 20)):
        hours = lg.run(takings_by_hour, actor=boss, day=day)
        income = lg.run(reports.income, actor=boss, date_from=day, date_to=day)
        assert hours.totals() == {k: v for k, v in income.by_tender.items() if v}, day
    hours = lg.run(takings_by_hour, actor=boss, day=dt.date(2026, 10, 10))
    assert hours.by_tender["微信支付"][9] == 5000 and sum(hours.by_tender["微信支付"]) == 5000
    assert hours.by_tender["现金"][12] == 20000  # cash 300.00 less change 100.00, at noon
    with pytest.raises(PermissionDenied):  # a cashier never reads the day's takings (blind count)
        lg.run(takings_by_hour, actor=demo, day=dt.date(2026, 10, 10))
    with pytest.raises(PermissionDenied):  # nor the income summary, the same figure by another door
        lg.run(reports.income, actor=demo, date_from=dt.date(2026, 10, 10), date_to=dt.date(2026, 10, 10))


def test_takings_by_hour_net_a_void_out_of_its_hour(known_extras):
    lg = known_extras
    boss = lg.actor("boss")
    paid = pay(lg, "1-1-102", "cash=30", day="2026-10-10")
    lg.run(
        corrections.void_payment,
        actor=lg.actor("demo"),
        receipt_no=paid.receipt_no,
        reason="收错",
        approver="boss",
        approver_password="boss",
        at=at("2026-10-10"),
    )
    hours = lg.run(takings_by_hour, actor=boss, day=dt.date(2026, 10, 10))
    assert hours.by_tender["现金"][12] == 20000


def test_account_history_lists_money_events_charges_and_contacts_in_order(known_extras):
    lg = known_extras
    boss, demo = lg.actor("boss"), lg.actor("demo")
    wrong = pay(lg, "1-1-101", "cash=20", day="2026-10-11", change_to_prepaid=True)  # a prepayment
    lg.run(
        corrections.void_payment,
        actor=demo,
        receipt_no=wrong.receipt_no,
        reason="收错缴费户",
        approver="boss",
        approver_password="boss",
        at=at("2026-10-11"),
    )
    oct_charge = next(
        c
        for c in lg.run(account_history, actor=boss, account_code="1-1-102").charges
        if c.period == "2026-10"
    )
    lg.run(
        corrections.waive,
        actor=demo,
        charge_id=oct_charge.id,
        reason="空置减免",
        amount="50",
        approver="boss",
        approver_password="boss",
        at=at("2026-10-26"),
    )
    lg.run(
        dunning.log_contact,
        actor=boss,
        account_code="1-1-102",
        channel="phone",
        result="no_answer",
        at=at("2026-10-27"),
    )

    h = lg.run(account_history, actor=boss, account_code="1-1-101")
    assert [(e.business_date.isoformat(), e.kind, e.amount) for e in h.events] == [
        ("2026-09-20", "收款", 20000),
        ("2026-10-10", "收款", 20000),
        ("2026-10-11", "收款", 2000),
        ("2026-10-11", "作废", -2000),
    ]
    assert (
        h.events[-1].reason == f"原收据 {wrong.receipt_no} 收错缴费户" and h.events[1].detail == "现金 300.00"
    )
    assert [c.period for c in h.charges] == ["2026-09", "2026-10"] and all(
        c.outstanding == 0 for c in h.charges
    )
    assert h.first_day is not None and h.first_day <= dt.date(2026, 9, 20)

    h = lg.run(account_history, actor=boss, account_code="1-1-102")
    assert [(e.kind, e.amount, e.detail) for e in h.events] == [
        ("收款", 20000, "支付宝 200.00"),
        ("减免", -5000, "物业费 2026-10"),
    ]
    assert [(c.channel, c.result) for c in h.contacts] == [("电话", "无人应答")]
