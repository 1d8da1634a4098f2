"""Many windows at once on one PostgreSQL ledger: nothing double-paid, nothing double-numbered.

The two-window races are made deterministic: window A's transaction is held open (its
locks taken, not committed) while window B starts the same action in a thread; the test
waits until PostgreSQL reports B waiting on a lock, then lets A commit and reads B's answer.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from app.errors import PaymentRefused, PeriodClosed
from app.models import Payment, PaymentKind, Posting, Receipt, Shift, ShiftClose
from app.services import run
from app.services.bills import billing
from app.services.desk import payments, settlement
from app.services.journal import ledger
from app.services.journal.verify import verify
from tests.helpers import assign_all, at, bill, card, fen, make_accounts, make_fee, open_shift, pay
from tests.postgres import stations

DAY = "2026-11-25"


def _estate(lg):
    make_accounts(lg, "1-2-301 张三 89.50 13800001234\n1-2-302 李四 100")
    make_fee(lg, "WYF 物业费 area 2.35 monthly", due_days=15)
    assign_all(lg, "WYF")
    bill(lg, "2026-10")
    open_shift(lg, "demo", float_yuan="100", station="W01")
    open_shift(lg, "lily", float_yuan="100", station="W02")


def _wait_until_blocked(lg, timeout: float = 20.0) -> None:
    """Until some other session of this database waits on a lock (row or advisory)."""
    deadline = time.monotonic() + timeout
    with lg.factory() as s:
        while time.monotonic() < deadline:
            waiting = s.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")).scalar()
            s.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the second window never waited for the first one's lock")


class Window(threading.Thread):
    """Window B: runs one use case in its own transaction and keeps the result or the error."""

    def __init__(self, lg, fn, **kw):
        super().__init__(daemon=True)
        self.lg, self.fn, self.kw = lg, fn, kw
        self.result = self.error = None

    def run(self):
        try:
            self.result = run(self.lg.factory, self.fn, **self.kw)
        except Exception as exc:  # handed to the test thread
            self.error = exc


def test_two_windows_paying_the_same_charge_at_once_only_one_allocates(shared):
    _estate(shared)
    charge_id = card(shared, "1-2-301").charges[0].id
    with shared.factory.begin() as session_a:
        first = payments.pay(session_a, actor=shared.actor("demo", "W01"), account_code="1-2-301",
                             tenders=[payments.TenderInput("cash", 30000)], charge_ids=[charge_id], at=at(DAY))
        b = Window(shared, payments.pay, actor=shared.actor("lily", "W02"), account_code="1-2-301",
                   tenders=[payments.TenderInput("cash", 30000)], charge_ids=[charge_id], at=at(DAY))
        b.start()
        _wait_until_blocked(shared)
    b.join(30)
    assert isinstance(b.error, PaymentRefused), b.error
    assert f"费用 #{charge_id} 已在 W01 收费窗口（收据 {first.receipt_no}）缴清，未重复收款" == b.error.message
    with shared.session() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 1
        assert ledger.charge_outstanding(s, [charge_id])[charge_id] == 0
    assert card(shared, "1-2-301").arrears == 0


def test_concurrent_prepaid_spending_never_goes_below_zero(shared):
    _estate(shared)
    pay(shared, "1-2-302", "cash=500", change_to_prepaid=True)  # 235.00 owed, 265.00 kept as prepaid
    bill(shared, "2026-11")
    assert card(shared, "1-2-302").prepaid == fen("265.00")
    with shared.factory.begin() as session_a:
        payments.pay(session_a, actor=shared.actor("demo", "W01"), account_code="1-2-302",
                     tenders=[payments.TenderInput("prepaid", fen("200"))], at=at(DAY))
        b = Window(shared, payments.pay, actor=shared.actor("lily", "W02"), account_code="1-2-302",
                   tenders=[payments.TenderInput("prepaid", fen("200"))], at=at(DAY))
        b.start()
        _wait_until_blocked(shared)
    b.join(30)
    assert isinstance(b.error, PaymentRefused), b.error
    assert "预存余额不足：余额 65.00 元" in b.error.message
    assert card(shared, "1-2-302").prepaid == fen("65.00")


def test_day_settlement_waits_for_a_window_still_posting_into_that_day(shared):
    make_accounts(shared, "1-2-301 张三 89.50")
    make_fee(shared, "WXF 维修费 quantity 50 once")
    day = dt.date(2026, 11, 20)
    with shared.factory.begin() as session_a:
        billing.add_charge(session_a, actor=shared.actor("demo"), account_code="1-2-301", fee_code="WXF",
                           quantity="1", at=at(day))
        b = Window(shared, settlement.settle_day, actor=shared.actor("boss"), day=day, at=at(day + dt.timedelta(1)))
        b.start()
        _wait_until_blocked(shared)
        assert b.is_alive()  # the settlement is held while the posting is in flight
    b.join(30)
    assert b.error is None, b.error
    assert b.result.business_date == day and b.result.settled_by == "boss"


def test_posting_into_a_day_being_settled_waits_then_is_refused(shared):
    make_accounts(shared, "1-2-301 张三 89.50")
    make_fee(shared, "WXF 维修费 quantity 50 once")
    day = dt.date(2026, 11, 20)
    with shared.factory.begin() as session_a:
        settlement.settle_day(session_a, actor=shared.actor("boss"), day=day, at=at(day + dt.timedelta(1)))
        b = Window(shared, billing.add_charge, actor=shared.actor("demo"), account_code="1-2-301", fee_code="WXF",
                   quantity="1", at=at(day))
        b.start()
        _wait_until_blocked(shared)
    b.join(30)
    assert isinstance(b.error, PeriodClosed), b.error
    assert "营业日 2026-11-20 已日结" in b.error.message
    with shared.session() as s:
        assert s.scalar(select(func.count()).select_from(Posting)) == 0


def _sizes() -> tuple[int, int, int]:
    """(stations, payments per station, accounts): the issue's figures under `make stress`."""
    if os.environ.get("FEEDESK_STRESS") == "1":
        return 8, 500, 200
    return 8, 40, 200


@pytest.mark.stress
def test_eight_stations_posting_at_once_keep_the_books_exact(pg_server, shared_template):
    from tests.postgres.conftest import new_shared

    n_stations, n_payments, n_accounts = _sizes()
    lg, name = new_shared(pg_server, shared_template, prefix="stress")
    try:
        estate = stations.build_estate(lg, n_accounts=n_accounts, n_stations=n_stations)
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(n_stations) as pool:
            jobs = [pool.apply_async(stations.station_worker,
                                     (lg.url, i, n_payments, 1000 + i, estate["codes"], estate["history"]))
                    for i in range(n_stations)]
            results = [j.get(timeout=3600) for j in jobs]
        totals = Counter()
        for r in results:
            totals.update(r["stats"])
        # Nobody deadlocked or hit anything but a refusal a cashier can read.
        assert totals["refused:ConcurrentUpdate"] == 0, totals
        assert totals["payments"] == n_stations * n_payments
        with lg.session() as s:
            # No duplicate receipt number, in receipts or among payments (a void row repeats its original's).
            assert not s.execute(select(Receipt.receipt_no).group_by(Receipt.receipt_no)
                                 .having(func.count() > 1)).all()
            assert not s.execute(select(Payment.receipt_no).where(Payment.kind == PaymentKind.PAYMENT)
                                 .group_by(Payment.receipt_no).having(func.count() > 1)).all()
            # No charge allocated beyond its amount (nor below zero).
            assert stations.charges_over_allocated(s) == []
            for r in results:
                shift = s.get(Shift, r["shift_id"])
                assert shift.status.value == "closed"
                assert stations.payments_of_shift(s, shift.id) >= r["stats"]["payments"]
                # The close equals the shift's postings: expected per tender = the drawer's journal.
                drawer = dict(s.execute(select(Posting.tender, func.sum(Posting.amount)).where(
                    Posting.book == ledger.DRAWER, Posting.shift_id == shift.id).group_by(Posting.tender)).all())
                assert {t: v for t, v in r["expected"].items() if v} == {t: int(v) for t, v in drawer.items() if v}
                assert all(v == 0 for v in r["difference"].values()), r["difference"]
                close = s.scalar(select(ShiftClose).where(ShiftClose.shift_id == shift.id))
                assert close.difference_total == 0
            # No prepaid balance below zero, and the whole ledger verifies.
            negative = s.execute(select(Posting.account_id).where(Posting.book == ledger.PREPAID)
                                 .group_by(Posting.account_id).having(func.sum(Posting.amount) > 0)).all()
            assert negative == []
            result = verify(s)
            assert result.ok, result.first_failure
        latencies = sorted(x for r in results for x in r["latencies"])
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(f"\nshared ledger: {n_stations} stations x {n_payments} payments on {n_accounts} accounts; "
              f"refusals {dict((k, v) for k, v in totals.items() if k.startswith('refused'))}; "
              f"voids {totals['voids']}, refunds {totals['refunds']}, "
              f"already paid elsewhere {totals['already_paid_elsewhere']}; pay p99 {p99:.1f} ms")
    finally:
        lg.close()
        pg_server.drop_database(name)


def test_a_deadlock_between_two_windows_is_told_as_retry_and_writes_nothing(shared):
    from app.errors import ConcurrentUpdate
    from app.models import Account
    from app.services.journal import concurrency

    make_accounts(shared, "1-2-301 张三 89.50\n1-2-302 李四 100")
    with shared.session() as s:
        first, second = s.scalars(select(Account.id).order_by(Account.id)).all()

    def b_side(session):  # window B takes the accounts in the opposite order
        concurrency.lock_account(session, second)
        concurrency.lock_account(session, first)
        return "b committed"

    outcome = {}
    try:
        with shared.factory.begin() as session_a:
            concurrency.lock_account(session_a, first)
            b = Window(shared, b_side)
            b.start()
            _wait_until_blocked(shared)  # B holds `second` and waits for `first`
            concurrency.lock_account(session_a, second)  # a cycle: PostgreSQL aborts one of the two
            outcome["a"] = "a committed"
    except ConcurrentUpdate as exc:
        outcome["a"] = exc.message
    b.join(30)
    outcome["b"] = b.result if b.error is None else getattr(b.error, "message", repr(b.error))
    refused = [v for v in outcome.values() if "请重试" in v]
    assert len(refused) == 1, outcome
    assert refused[0] == "另一个窗口正在处理同一笔数据，本次操作未保存，请重试"
    assert sum(v.endswith("committed") for v in outcome.values()) == 1  # the other window went through


def _drawer_after_locking_the_shift(session, *, actor):
    """What a close does first: lock the cashier's open shift, then read its drawer."""
    from app.services.desk import shifts
    from app.services.system import auth

    user = auth.require(session, actor, auth.SHIFT)
    shift = shifts.open_shift_of(session, user, auth.station_of(session, actor), lock=True)
    return shifts.drawer_balance(session, shift.id)


def test_a_close_waits_for_a_payment_in_flight_and_counts_it(shared):
    _estate(shared)
    demo = shared.actor("demo", "W01")
    before = run(shared.factory, _drawer_after_locking_the_shift, actor=demo)
    with shared.factory.begin() as session_a:
        r = payments.pay(session_a, actor=demo, account_code="1-2-301",
                         tenders=[payments.TenderInput("cash", fen("300"))], at=at(DAY))
        b = Window(shared, _drawer_after_locking_the_shift, actor=demo)
        b.start()
        _wait_until_blocked(shared)
        assert b.is_alive()  # the close is held while the payment is in flight
    b.join(30)
    assert b.error is None, b.error
    assert r.change > 0 and b.result == before + r.total_tendered - r.change  # the payment is in the count


def test_a_payment_that_waited_for_the_close_of_its_shift_is_refused(shared):
    from app.errors import ShiftError
    from app.services.desk import closes, shifts

    _estate(shared)
    demo = shared.actor("demo", "W01")
    with shared.factory.begin() as session_a:
        user = shifts.auth.require(session_a, demo, shifts.auth.SHIFT)
        shift = shifts.open_shift_of(session_a, user, shifts.auth.station_of(session_a, demo), lock=True)
        closes.close_shift(session_a, actor=demo, count=stations.breakdown(shifts.drawer_balance(session_a, shift.id)),
                           at=at(DAY))
        b = Window(shared, payments.pay, actor=demo, account_code="1-2-301",
                   tenders=[payments.TenderInput("cash", fen("100"))], at=at(DAY))
        b.start()
        _wait_until_blocked(shared)
    b.join(30)
    assert isinstance(b.error, ShiftError), b.error
    with shared.session() as s:  # nothing of the refused payment was written into the closed shift
        assert s.scalar(select(func.count()).select_from(Payment).where(Payment.shift_id == shift.id)) == 0


@pytest.mark.parametrize("station_b", ["W01", "W02"])
def test_two_windows_registering_tickets_at_once_get_the_next_numbers(shared, station_b):
    """Ticket numbers count the day's tickets: window B waits for A's ticket to commit and
    takes the next number (before: the same count, a unique-key failure at the same station
    and two tickets numbered 0001 at two stations)."""
    from app.services.master import tickets

    def register(session, **kw):
        return tickets.register_ticket(session, kind="repair", description="楼上漏水", assignee="张师傅",
                                       at=at(DAY), **kw)

    with shared.factory.begin() as session_a:
        first = register(session_a, actor=shared.actor("demo", "W01"))
        b = Window(shared, register, actor=shared.actor("lily", station_b))
        b.start()
        _wait_until_blocked(shared)
    b.join(30)
    assert b.error is None, b.error
    assert first.ticket_no == "TK20261125-0001-W01" and b.result.ticket_no == f"TK20261125-0002-{station_b}"
