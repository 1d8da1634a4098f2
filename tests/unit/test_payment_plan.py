"""The payment plan without a database: properties over random accounts and tenders (fen ints)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from app.services.desk.payment_plan import LateFeeRule, OpenCharge, TenderInput, plan_payment

DAY0 = dt.date(2026, 1, 1)
RULES = {"WYF": LateFeeRule(daily_ppm=1000, grace_days=0), "SF": LateFeeRule(daily_ppm=3000, grace_days=10),
         "TCF": LateFeeRule(daily_ppm=0, grace_days=0)}


@st.composite
def open_charges(draw):
    n = draw(st.integers(0, 6))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    out = []
    for cid in ids:
        amount = draw(st.integers(1, 5_000_00))
        late = draw(st.booleans())
        out.append(OpenCharge(
            id=cid, fee=draw(st.sampled_from([*RULES, "NONE"])), amount=amount,
            outstanding=draw(st.integers(-100, amount)),
            due_date=DAY0 + dt.timedelta(days=draw(st.integers(0, 400))),
            is_late_fee=draw(st.booleans()), late_fee_charged=draw(st.integers(0, amount)) if late else 0,
            late_fee_until=DAY0 + dt.timedelta(days=draw(st.integers(0, 500))) if late else None))
    return out


tenders = st.lists(st.builds(TenderInput, method=st.sampled_from(["cash", "wechat", "prepaid"]),
                             amount=st.integers(1, 10_000_00), reference=st.just("R")), max_size=4)
as_of = st.integers(0, 600).map(lambda d: DAY0 + dt.timedelta(days=d))


@given(open_charges(), tenders, as_of, st.booleans())
def test_every_fen_tendered_is_allocated_given_back_or_kept(charges, tenders, today, keep):
    plan = plan_payment(charges, tenders, RULES, today, to_prepaid=keep)
    assert plan.tendered == sum(t.amount for t in tenders)
    assert plan.allocated + plan.change + plan.to_prepaid == plan.tendered
    assert plan.change >= 0 and plan.to_prepaid >= 0
    assert (plan.change if keep else plan.to_prepaid) == 0
    assert plan.cash + plan.noncash == plan.tendered
    assert plan.prepaid_tender == sum(t.amount for t in tenders if t.method == "prepaid")


@given(open_charges(), tenders, as_of)
def test_no_charge_gets_more_than_it_owes(charges, tenders, today):
    plan = plan_payment(charges, tenders, RULES, today)
    owed = {c.id: c.outstanding for c in charges}
    late = {x.parent_charge_id: x.amount for x in plan.late_fees}
    for a in plan.allocations:
        assert a.amount > 0
        assert a.amount <= (late[a.charge_id] if a.late_fee else owed[a.charge_id])
    assert len({(a.charge_id, a.late_fee) for a in plan.allocations}) == len(plan.allocations)
    assert plan.allocated <= plan.due
    assert plan.due == sum(max(0, c.outstanding) for c in charges) + sum(late.values())
    # change only when everything due is paid
    if plan.change:
        assert plan.allocated == plan.due


@given(open_charges(), tenders, as_of)
def test_oldest_charges_are_paid_first(charges, tenders, today):
    plan = plan_payment(charges, tenders, RULES, today)
    by_id = {c.id: c for c in charges}
    order = [(by_id[a.charge_id].due_date, a.charge_id) for a in plan.allocations]
    assert order == sorted(order)
    paid = {a.charge_id: 0 for a in plan.allocations}
    for a in plan.allocations:
        if not a.late_fee:
            paid[a.charge_id] += a.amount
    # every charge but the last one reached is paid in full (its late fee too)
    late = {x.parent_charge_id: x.amount for x in plan.late_fees}
    reached = [cid for cid in dict.fromkeys(a.charge_id for a in plan.allocations)]
    for cid in reached[:-1]:
        assert paid[cid] == by_id[cid].outstanding
        late_paid = sum(a.amount for a in plan.allocations if a.late_fee and a.charge_id == cid)
        assert late_paid == late.get(cid, 0)
    # an open charge that got nothing is newer than every charge that got something
    unpaid = [c for c in charges if c.outstanding > 0 and c.id not in paid]
    if reached and unpaid:
        assert min((c.due_date, c.id) for c in unpaid) > max((by_id[cid].due_date, cid) for cid in reached)


@given(open_charges(), tenders, as_of)
def test_late_fees_are_never_negative_only_where_money_reaches_and_within_the_cap(charges, tenders, today):
    plan = plan_payment(charges, tenders, RULES, today)
    by_id = {c.id: c for c in charges}
    reached = {a.charge_id for a in plan.allocations if not a.late_fee}
    for x in plan.late_fees:
        c = by_id[x.parent_charge_id]
        assert x.amount > 0 and x.parent_charge_id in reached
        assert not c.is_late_fee and RULES.get(c.fee, LateFeeRule(0, 0)).daily_ppm > 0
        assert x.amount <= c.amount - c.late_fee_charged
        assert today > c.due_date + dt.timedelta(days=RULES[c.fee].grace_days)
        assert plan.late_fees_if_paid[c.id] == x.amount
    assert all(v > 0 for v in plan.late_fees_if_paid.values())


@given(open_charges(), as_of)
def test_no_late_fee_up_to_the_due_date_and_grace_days(charges, today):
    early = [OpenCharge(c.id, c.fee, c.amount, c.outstanding, max(c.due_date, today), c.is_late_fee,
                        c.late_fee_charged, c.late_fee_until) for c in charges]
    plan = plan_payment(early, [TenderInput("cash", 100_000_000)], RULES, today)
    assert plan.late_fees == () and dict(plan.late_fees_if_paid) == {}


@given(open_charges(), tenders, as_of)
def test_paying_in_full_charges_every_late_fee_the_preview_announces(charges, tenders, today):
    preview = plan_payment(charges, (), RULES, today)
    assert preview.allocations == () and preview.late_fees == ()
    full = plan_payment(charges, [TenderInput("cash", preview.due + sum(preview.late_fees_if_paid.values()))],
                        RULES, today)
    assert {x.parent_charge_id: x.amount for x in full.late_fees} == dict(preview.late_fees_if_paid)
    assert full.change == 0 and full.allocated == full.due


def test_a_worked_example():
    """100.00 due 10-15 at 1‰ a day, 50.00 due 11-15 with no late fee; 200.00 cash on 11-04."""
    charges = [OpenCharge(2, "TCF", 5000, 5000, dt.date(2026, 11, 15)),
               OpenCharge(1, "WYF", 10000, 10000, dt.date(2026, 10, 15))]
    plan = plan_payment(charges, [TenderInput("cash", 20000)], RULES, dt.date(2026, 11, 4))
    assert [(a.charge_id, a.amount, a.late_fee) for a in plan.allocations] == [
        (1, 10000, False), (1, 200, True), (2, 5000, False)]
    assert plan.due == 15200 and plan.change == 4800 and plan.to_prepaid == 0
    short = plan_payment(charges, [TenderInput("wechat", 10100, "R")], RULES, dt.date(2026, 11, 4))
    assert [(a.charge_id, a.amount, a.late_fee) for a in short.allocations] == [
        (1, 10000, False), (1, 100, True)]
    assert short.change == 0 and short.noncash == 10100
