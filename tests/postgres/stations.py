"""Many windows on one ledger: the estate of the concurrency test and one station's worker.

`build_estate` prepares a shared ledger (accounts, a billed half-year, one station and one
cashier per worker, and yesterday's closed shifts whose receipts can be refunded);
`station_worker` is run in its own process per station: it opens a shift, takes payments
on randomly chosen (overlapping) accounts with random voids and refunds, then closes the
shift with a blind count equal to the drawer. Everything goes through the services.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter

from sqlalchemy import select

from app.db.engine import make_factory
from app.errors import FeeDeskError
from app.models import Charge, Payment, PaymentKind, User
from app.services import Actor, run
from app.services.bills import fees
from app.services.desk import closes, corrections, payments, shifts
from app.services.master import accounts
from app.services.system import auth, setup
from tests.helpers import at, bill, put_settings

DAY = "2026-11-25"
HISTORY_DAY = "2026-11-24"
# Fen coins too, so that a blind count can equal any drawer exactly.
DENOMINATIONS = [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 2, 1]


def station_code(i: int) -> str:
    return f"W{i + 1:02d}"


def cashier_name(i: int) -> str:
    return f"cashier{i + 1:02d}"


def breakdown(fen: int) -> dict[int, int]:
    out = {}
    for face in DENOMINATIONS:
        n, fen = divmod(fen, face)
        if n:
            out[face] = n
    return out


def build_estate(lg, *, n_accounts: int, n_stations: int, history_payments: int = 3) -> dict:
    admin = lg.actor("admin")
    codes = []
    for i in range(n_accounts):
        b, r = divmod(i, 40)
        code = f"{b + 1}-1-{r + 101}"
        lg.run(accounts.add_account, actor=admin, row=accounts.AccountInput(
            building=str(b + 1), entrance="1", room=str(r + 101), code=code, area=f"{60 + (i * 7) % 90}.{i % 100:02d}",
            owner=f"业主{i}", phone=f"1380000{i:04d}"))
        codes.append(code)
    lg.run(fees.add_fee, actor=admin, code="WYF", name="物业费", method="area", rate="2.35", cycle="monthly",
           due_days=15, late_fee_daily="0.0005")
    lg.run(fees.add_fee, actor=admin, code="LJF", name="垃圾费", method="fixed", rate="12.5", cycle="monthly")
    for code in ("WYF", "LJF"):
        lg.run(fees.assign_fee, actor=admin, fee_code=code, all_accounts=True)
    bill(lg, "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11")
    # Settings, stations and users: the administrator's (owner's) connection, as on a site.
    with lg.admin_factory.begin() as s:
        put_settings(s, denominations=",".join(str(d) for d in DENOMINATIONS))
    for i in range(n_stations):
        lg.admin_run(setup.add_station, code=station_code(i), name=f"{i + 1}号窗口")
        lg.admin_run(auth.add_user, actor=admin, username=cashier_name(i), role="cashier", password=cashier_name(i))
    # Yesterday: every station took a few payments and closed; today's workers may refund them.
    history = []
    for i in range(n_stations):
        actor = lg.actor(cashier_name(i), station_code(i))
        lg.run(shifts.open_shift, actor=actor, float_amount="100", at=at(HISTORY_DAY))
        for k in range(history_payments):
            r = lg.run(payments.pay, actor=actor, account_code=codes[(i * 17 + k * 5) % n_accounts],
                       tenders=[payments.TenderInput("cash", 30000)], at=at(HISTORY_DAY))
            history.append(r.receipt_no)
        close_exact(lg.factory, actor, HISTORY_DAY)
    return {"codes": codes, "history": history}


def close_exact(factory, actor: Actor, day: str):
    def _close(session, *, actor):
        user = auth.require(session, actor, auth.SHIFT)
        shift = shifts.open_shift_of(session, user, auth.station_of(session, actor))
        cash = shifts.drawer_balance(session, shift.id)
        return closes.close_shift(session, actor=actor, count=breakdown(cash), at=at(day))
    return run(factory, _close, actor=actor)


def _pay(factory, actor, rng: random.Random, codes: list[str], stats: Counter, latencies: list[float]):
    code = rng.choice(codes)
    r = rng.random()
    kw: dict = {}
    if r < 0.6:
        tenders = [payments.TenderInput("cash", rng.randint(50, 400) * 100)]
        kw["change_to_prepaid"] = rng.random() < 0.3
    elif r < 0.75:
        tenders = [payments.TenderInput("wechat", rng.randint(20, 300) * 100, f"WX{rng.randint(1, 10**9)}")]
        kw["change_to_prepaid"] = True
    elif r < 0.9:
        tenders = [payments.TenderInput("prepaid", rng.randint(1, 80) * 100), payments.TenderInput("cash", 10000)]
    else:
        # Pay one named charge: the oldest this window sees; another window may get there first.
        card = run(factory, accounts.account_card, actor=actor, code=code, as_of=dt.date.fromisoformat(DAY))
        if not card.charges:
            stats["nothing_to_pick"] += 1
            return None
        kw["charge_ids"] = [card.charges[0].id]
        tenders = [payments.TenderInput("cash", card.charges[0].outstanding + rng.randint(0, 5000))]
    t0 = time.perf_counter()
    result = run(factory, payments.pay, actor=actor, account_code=code, tenders=tenders, at=at(DAY), **kw)
    latencies.append(time.perf_counter() - t0)
    return result


def station_worker(url: str, index: int, n_payments: int, seed: int, codes: list[str], history: list[str],
                   void_rate: float = 0.06, refund_rate: float = 0.05) -> dict:
    """One window for a day: returns its counts, its shift id and its close's figures."""
    factory = make_factory(url)
    rng = random.Random(seed)
    with factory() as s:
        user_id = s.scalar(select(User.id).where(User.username == cashier_name(index)))
    actor = Actor(user_id, station_code(index))
    stats: Counter[str] = Counter()
    latencies: list[float] = []
    shift = run(factory, shifts.open_shift, actor=actor, float_amount="200", at=at(DAY))
    mine: list[str] = []
    try:
        while stats["payments"] < n_payments:
            r = rng.random()
            try:
                if r < void_rate and mine:
                    receipt_no = mine.pop(rng.randrange(len(mine)))
                    run(factory, corrections.void_payment, actor=actor, receipt_no=receipt_no, reason="收错户",
                        approver="boss", approver_password="boss", at=at(DAY))
                    stats["voids"] += 1
                elif r < void_rate + refund_rate:
                    receipt_no = rng.choice(history)
                    run(factory, corrections.refund_payment, actor=actor, receipt_no=receipt_no, tender="cash",
                        reason="重复缴费", approver="boss", approver_password="boss", at=at(DAY))
                    stats["refunds"] += 1
                else:
                    result = _pay(factory, actor, rng, codes, stats, latencies)
                    if result is not None:
                        mine.append(result.receipt_no)
                        stats["payments"] += 1
            except FeeDeskError as exc:
                stats[f"refused:{type(exc).__name__}"] += 1
                if "缴清，未重复收款" in exc.message:
                    stats["already_paid_elsewhere"] += 1
        closed = close_exact(factory, actor, DAY)
    finally:
        factory.kw["bind"].dispose()
    return {"station": station_code(index), "shift_id": shift.id, "stats": dict(stats),
            "expected": closed.expected, "difference": closed.difference, "latencies": latencies}


def charges_over_allocated(session) -> list[int]:
    from sqlalchemy import func

    from app.models import Allocation, ChargeAdjustment

    alloc = (select(Allocation.charge_id.label("cid"), func.sum(Allocation.amount).label("a"))
             .group_by(Allocation.charge_id).subquery())
    adj = (select(ChargeAdjustment.charge_id.label("cid"), func.sum(ChargeAdjustment.amount).label("w"))
           .group_by(ChargeAdjustment.charge_id).subquery())
    a = func.coalesce(alloc.c.a, 0)
    w = func.coalesce(adj.c.w, 0)
    return list(session.scalars(select(Charge.id).outerjoin(alloc, alloc.c.cid == Charge.id)
                                .outerjoin(adj, adj.c.cid == Charge.id)
                                .where((a + w > Charge.amount) | (a < 0))))


def payments_of_shift(session, shift_id: int) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(Payment).where(
        Payment.shift_id == shift_id, Payment.kind == PaymentKind.PAYMENT))
