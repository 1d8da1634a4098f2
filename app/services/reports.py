"""Report read functions: every figure of every report, read from the ledger as DTOs.

`app/reports/` only renders what these functions return; it never runs SQL. Big reports
aggregate in SQL and stream rows (`yield_per`), so no report loads the ledger into memory;
functions whose DTO carries an iterator say so, and the caller consumes it inside the same
`services.run(...)` frame. Training rows (practice mode) never appear in any report.

Collection-rate figures (收费率), for a report over periods FROM..TO (months 'YYYY-MM') with
a cut-off date CUT (default: the last day of TO). "Periodic charges" are charges with a
period (bill runs and meter readings); late fees and ad-hoc charges are not periodic.

- 当期应收 (due): the amounts of the periodic charges whose period is in FROM..TO, less
  waivers (减免) and cancellations (退费撤销) recorded by CUT. Write-offs (核销) do NOT reduce it:
  giving up a debt is not collecting it.
- 当期实收 (collected): money allocated to exactly those charges by payments dated on or
  before CUT (voids and refunds are negative allocations and count against it). With
  `in_period=True` only money paid by each charge's own period end counts (当月收缴).
- 收费率 = 当期实收 ÷ 当期应收.
- 应缴户 / 缴清户 / 户收费率: an account is billed for a period if it has periodic charges of
  that period with something due; it has paid if the money allocated to those charges by CUT
  covers what is due. Over several months the counts add up per month (户次).
- 期初欠费 (arrears at start): what was still owed, at the start of FROM (for a month row:
  at the start of that month), on periodic charges of earlier periods: amount less money
  allocated before the start, less all adjustments (incl. write-offs) dated before the start.
- 欠费追回 (recovered): money allocated between the start and CUT (for a month row: within
  that month, up to CUT) to those earlier-period charges. 清欠率 = 欠费追回 ÷ 期初欠费.
- 预存 (prepayments): money added to prepaid balances between the start and CUT (payments
  add; voids, refunds and 预存退款 take back). Prepaid money counts in 当期实收 only when it is later
  applied to a current charge — never when it is received.
- 其他收费: money allocated between the start and CUT to late fees and ad-hoc charges.

Prepayments, recoveries and other money are separate columns and are never part of 当期实收:
a prepayment or an old-arrears recovery cannot raise the current-period rate.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, extract, func, literal, select, union_all
from sqlalchemy.orm import Session

from app.errors import InvalidInput
from app.labels import MOVEMENT_NAMES, TENDER_NAMES
from app.models import (
    Account,
    AccountStatus,
    AdjustmentKind,
    Allocation,
    Charge,
    ChargeAdjustment,
    ChargeKind,
    CollectionTarget,
    CollectorArea,
    FeeItem,
    JournalEntry,
    Payment,
    PaymentKind,
    Posting,
    Site,
    Station,
    Tariff,
    TenderLine,
    User,
)
from app.services import Actor
from app.services.bank import reconcile
from app.services.bills.arrears import BUCKET_NAMES, BUCKETS, bucket_of
from app.services.bills.fees import CYCLE_NAMES, KIND_NAMES, METHOD_NAMES, format_rate
from app.services.clock import (
    add_months,
    local_time,
    month_end,
    parse_period,
    period_start,
    utcnow,
)
from app.services.journal import ledger
from app.services.master.accounts import STATUS_BY_TEXT, default_site, find_account
from app.services.system import auth, settings

KIND_LABELS = {"payment": "收款", "void": "作废", "refund": "退费", "waiver": "减免", "write_off": "核销",
               "cancel": "退费撤销", "write_off_recovery": "核销收回"}
#: Journal kinds that change what is owed but move no money (left out of money totals).
NON_MONEY_KINDS = {"减免", "核销", "退费撤销", "核销收回"}
BALANCE_REFUND_LABELS = {"deposit": "退押金", "prepaid": "预存退款"}
#: Journal entry kinds as a statement prints them (an adjustment's entry is 'charge_<kind>').
ENTRY_LABELS = {**KIND_LABELS, **{f"charge_{k}": v for k, v in KIND_LABELS.items()},
                "prepaid_refund": "预存退款", "deposit_refund": "退押金"}
UNASSIGNED = "（未分配）"
NO_FEE = "（预存，不分项目）"


# ---- shared pieces ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Rate:
    """A ratio kept as two integers; shown half-up to 0.01% ('95.24%'), '—' when nothing is due."""

    num: int
    den: int

    @property
    def decimal(self) -> Decimal | None:
        if self.den == 0:
            return None
        return (Decimal(self.num) / Decimal(self.den)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)

    @property
    def text(self) -> str:
        if self.den == 0:
            return "—"
        pct = (Decimal(self.num) * 100 / Decimal(self.den)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return f"{pct}%"


@dataclass(frozen=True, slots=True)
class ReportMeta:
    """What every printed report carries: site, period, who printed it and when (local time)."""

    site: str
    period: str
    printed_by: str
    printed_at: str


def report_meta(session: Session, actor: Actor, period: str, at: dt.datetime | None = None) -> ReportMeta:
    user = session.get(User, actor.user_id)
    site = session.scalar(select(Site).order_by(Site.id))
    at = at or utcnow()
    when = local_time(at, settings.get(session, "timezone")).strftime("%Y-%m-%d %H:%M")
    return ReportMeta(site.name if site else "", period, user.display_name if user else "", when)


def _month(y, m) -> str:
    return f"{int(y):04d}-{int(m):02d}"


def _periods(first: str, last: str) -> list[str]:
    out, day = [], period_start(first)
    while (p := f"{day.year:04d}-{day.month:02d}") <= last:
        out.append(p)
        day = add_months(day, 1)
    return out


def _signed_prepaid():
    """Prepaid added by a payment row: + for a payment, - for a void or refund (whatever its sign)."""
    return case((Payment.kind == PaymentKind.PAYMENT, Payment.prepaid_added),
                else_=-func.abs(Payment.prepaid_added))


def _collector_names(session: Session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.display_name))}


def _check_range(date_from: dt.date, date_to: dt.date) -> None:
    if date_to < date_from:
        raise InvalidInput(f"结束日期 {date_to} 早于开始日期 {date_from}")


# ---- 收费率 ------------------------------------------------------------------------------

GROUPINGS = {"building": "楼栋", "fee": "收费项目", "collector": "收费员", "month": "月份"}


@dataclass(frozen=True, slots=True)
class CollectionRow:
    key: str
    due: int
    collected: int
    billed_households: int
    paid_households: int
    arrears_start: int
    recovered: int
    prepaid: int
    other: int

    @property
    def rate(self) -> Rate:
        return Rate(self.collected, self.due)

    @property
    def household_rate(self) -> Rate:
        return Rate(self.paid_households, self.billed_households)

    @property
    def recovery_rate(self) -> Rate:
        return Rate(self.recovered, self.arrears_start)

    def to_json(self) -> dict:
        from app.money import format_yuan

        return {"key": self.key, "due": format_yuan(self.due), "collected": format_yuan(self.collected),
                "rate": self.rate.text, "billed_households": self.billed_households,
                "paid_households": self.paid_households, "household_rate": self.household_rate.text,
                "arrears_start": format_yuan(self.arrears_start), "recovered": format_yuan(self.recovered),
                "recovery_rate": self.recovery_rate.text, "prepaid": format_yuan(self.prepaid),
                "other": format_yuan(self.other)}


@dataclass(frozen=True, slots=True)
class CollectionReport:
    meta: ReportMeta
    from_period: str
    to_period: str
    cutoff: dt.date
    by: str
    in_period: bool
    rows: list[CollectionRow]
    total: CollectionRow

    def to_json(self) -> dict:
        return {"from": self.from_period, "to": self.to_period, "cutoff": self.cutoff.isoformat(), "by": self.by,
                "in_period": self.in_period, "rows": [r.to_json() for r in self.rows],
                "total": self.total.to_json()}


def _keyer(session: Session, by: str):
    """(account id, fee item id) -> the group key of a collection report."""
    if by == "fee":
        return lambda acc, fee: fee
    if by == "month":
        return lambda acc, fee: ""
    buildings = dict(session.execute(select(Account.id, Account.building)).all())
    if by == "building":
        return lambda acc, fee: buildings.get(acc)
    collectors = dict(session.execute(select(CollectorArea.building, CollectorArea.user_id)).all())
    return lambda acc, fee: collectors.get(buildings.get(acc))


def _ym(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True, slots=True)
class _PeriodicCharge:
    """A periodic charge as the collection report groups it."""

    id: int
    account_id: int
    fee_item_id: int
    period: str
    period_end: dt.date | None


@dataclass(frozen=True, slots=True)
class _Adjustment:
    """A waiver, cancellation or write-off of a periodic charge."""

    charge: _PeriodicCharge
    kind: AdjustmentKind
    business_date: dt.date
    amount: int


@dataclass(frozen=True, slots=True)
class _DatedAdjustment:
    """An adjustment dated in START..CUT, by group, charge period and the month it is dated in."""

    key: object
    period: str
    month: str
    amount: int


@dataclass(slots=True)
class _Figures:
    """What the rows of a collection report are folded from; each dict is keyed by (group, period)
    unless said otherwise. Built in steps A-E of `collection_rate`."""

    charged: dict[tuple, int]  # amounts billed
    billed: dict[tuple, int]  # billed households (periods in range)
    owed_at_cutoff: dict[tuple, int]  # owed at the cut-off: the arrears at the start of a month
    owed_cut: dict[tuple, int]  # owed at each charge's own cut-off (in-period counts earlier money)
    reduced: dict[tuple, int]  # waivers and cancellations
    written_off: dict[tuple, int]
    unpaid_count: dict[tuple, int]  # households that have not paid
    other: dict[tuple, int]  # (group, pay month) -> late fees and ad-hoc money
    prepaid: dict[tuple, int]  # (group, pay month) -> prepayments less refunds
    matrix: dict[tuple, int]  # (group, charge period, pay month) -> money to earlier periods
    adj_dated: list[_DatedAdjustment]
    cut_month: str
    with_arrears: bool

    def row(self, groups: set, row_months: list[str], text: str,
            row_start: str | None = None) -> CollectionRow:
        lo, hi = row_months[0], row_months[-1]
        rs = row_start or lo  # arrears are of periods before this month
        rs_last = rs if row_start else self.cut_month  # recovery counted up to this pay month
        due = collected = hh_billed = hh_unpaid = arrears = recovered = 0
        for (k, p), amount in self.charged.items():
            if k not in groups:
                continue
            if lo <= p <= hi:
                net = amount - self.reduced.get((k, p), 0)
                due += net
                collected += net - self.written_off.get((k, p), 0) - self.owed_cut.get((k, p), 0)
                hh_billed += self.billed.get((k, p), 0)
                hh_unpaid += self.unpaid_count.get((k, p), 0)
            elif p < rs:
                arrears += self.owed_at_cutoff.get((k, p), 0)
        for (k, p, qm), amount in self.matrix.items():
            if k in groups and p < rs and qm >= rs:
                arrears += amount  # paid after the start: it was still owed at the start
                if qm <= rs_last:
                    recovered += amount
        for a in self.adj_dated:
            if a.key in groups and a.period < rs and a.month >= rs:
                arrears += a.amount
        if not self.with_arrears:
            arrears = recovered = 0
        other_sum = sum(a for (k, qm), a in self.other.items() if k in groups and rs <= qm <= rs_last)
        pre_sum = sum(a for (k, qm), a in self.prepaid.items() if k in groups and rs <= qm <= rs_last)
        return CollectionRow(text, due, collected, hh_billed, hh_billed - hh_unpaid, arrears, recovered,
                             pre_sum, other_sum)


def collection_rate(session: Session, *, actor: Actor, from_period: str, to_period: str, by: str = "building",
                    cutoff: dt.date | None = None, in_period: bool = False, at: dt.datetime | None = None,
                    with_arrears: bool = True) -> CollectionReport:
    """收费率 per building, fee item, collector or month; figures as in the module docstring.

    `with_arrears=False` leaves 期初欠费/欠费追回 at zero (charts that only need the rates).

    How it stays fast on a big ledger: money collected on a charge by the cut-off is derived as
    amount - adjustments - what is still owed at the cut-off, and what is still owed comes from
    the journal's per-charge balance (one covering-index scan that returns only owed charges)
    plus the few allocations and adjustments dated after the cut-off. Only the month rows of
    `by="month"` read the allocations of the window one by one (arrears per month).
    """
    auth.require(session, actor, auth.READ)
    first, last = parse_period(from_period), parse_period(to_period)
    if last < first:
        raise InvalidInput(f"结束账期 {last} 早于开始账期 {first}")
    if by not in GROUPINGS:
        raise InvalidInput(f"分组方式不正确：“{by}”（可选：building、fee、collector、month）")
    start = period_start(first)
    cutoff = cutoff or month_end(period_start(last))
    months = _periods(first, last)
    key_of = _keyer(session, by)
    periodic = and_(Charge.period.is_not(None), Charge.period <= last, Charge.training.is_(False))

    charged, billed = _billed(session, by, first, periodic)  # A
    adjustments = _adjustments(session, last)  # B
    owed = _owed_at_cutoff(session, periodic, cutoff, adjustments)  # C
    # Owed at the cut-off, per (group, period): what the arrears at the start of a month are built
    # from. Kept apart from the in-period figures below, which count some earlier money as owed.
    owed_at_cutoff = _by_group(owed.values(), key_of)
    if in_period:
        _add_paid_after_period_end(session, owed, first, last, cutoff)

    def as_of_charge(p: str, period_end: dt.date | None) -> dt.date:
        """The date money must arrive by to count for a charge of period p."""
        if in_period and p >= first and period_end is not None:
            return min(cutoff, period_end)
        return cutoff

    reduced: dict[tuple, int] = defaultdict(int)  # waivers and cancellations per (group, period)
    written_off: dict[tuple, int] = defaultdict(int)
    unpaid: set[tuple] = set()
    for adj in adjustments:
        c = adj.charge
        k = key_of(c.account_id, c.fee_item_id)
        if adj.business_date > cutoff:
            continue  # already owed at the cut-off (above)
        if adj.business_date > as_of_charge(c.period, c.period_end):  # after its own cut-off: still owed then
            owed.setdefault(c.id, _Owed(c)).amount += adj.amount
            continue
        if adj.kind in (AdjustmentKind.WAIVER, AdjustmentKind.CANCEL):
            reduced[(k, c.period)] += adj.amount
        else:
            written_off[(k, c.period)] += adj.amount
            unpaid.add((k, c.period, c.account_id))
    owed_cut = _by_group(owed.values(), key_of)
    for o in owed.values():
        if o.amount > 0 and o.charge.period >= first:
            k = key_of(o.charge.account_id, o.charge.fee_item_id)
            unpaid.add((k, o.charge.period, o.charge.account_id))
    unpaid_count: dict[tuple, int] = defaultdict(int)
    for k, p, _acc in unpaid:
        unpaid_count[(k, p)] += 1

    other, prepaid = _other_and_prepaid(session, by, key_of, start, cutoff)  # D
    matrix = _arrears_matrix(session, by, first, last, start, cutoff) if with_arrears else {}  # E
    adj_dated = [_DatedAdjustment(key_of(a.charge.account_id, a.charge.fee_item_id), a.charge.period,
                                  _ym(a.business_date), a.amount)
                 for a in adjustments if start <= a.business_date <= cutoff]
    figures = _Figures(charged, billed, owed_at_cutoff, owed_cut, reduced, written_off, unpaid_count, other,
                       prepaid, matrix, adj_dated, _ym(cutoff), with_arrears)

    label = _labeller(session, by)
    keys = {k for k, _ in charged} | {k for k, _ in other} | {k for k, _ in prepaid}
    rows: list[CollectionRow] = []
    if by == "month":
        for m in months:
            rows.append(figures.row({""}, [m], m, row_start=m))
    else:
        for key in sorted((k for k in keys if k is not None or by != "fee"), key=lambda k: _sort_key(k, label)):
            rows.append(figures.row({key}, months, label(key)))
        if by == "fee" and None in keys:
            rows.append(figures.row({None}, months, NO_FEE))
    total = figures.row(keys | {None}, months, "合计")
    meta = report_meta(session, actor, f"{first} 至 {last}（截至 {cutoff.isoformat()}）", at)
    return CollectionReport(meta, first, last, cutoff, by, in_period, rows, total)


def _billed(session: Session, by: str, first: str, periodic) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """A. amounts billed per (group, period), and billed households per (group, period) in range."""
    charged: dict[tuple, int] = defaultdict(int)
    billed: dict[tuple, int] = defaultdict(int)
    if by == "fee":
        q = (select(Charge.fee_item_id, Charge.period, func.sum(Charge.amount), func.count()).where(periodic)
             .group_by(Charge.fee_item_id, Charge.period))
    elif by == "month":
        q = (select(literal(""), Charge.period, func.sum(Charge.amount), func.count(func.distinct(Charge.account_id)))
             .where(periodic).group_by(Charge.period))
    else:
        inner = (select(Charge.account_id.label("acc"), Charge.period.label("p"), func.sum(Charge.amount).label("s"))
                 .where(periodic).group_by(Charge.period, Charge.account_id).subquery())
        g = Account.building if by == "building" else CollectorArea.user_id
        q = select(g, inner.c.p, func.sum(inner.c.s), func.count()).select_from(inner).join(
            Account, Account.id == inner.c.acc)
        if by == "collector":
            q = q.outerjoin(CollectorArea, CollectorArea.building == Account.building)
        q = q.group_by(g, inner.c.p)
    for k, p, amount, n in session.execute(q):
        charged[(k, p)] += int(amount)
        if p >= first:
            billed[(k, p)] += int(n)
    return charged, billed


def _adjustments(session: Session, last: str) -> list[_Adjustment]:
    """B. adjustments of periodic charges (a small table); those dated after the cut-off were still
    owed at the cut-off and are added back, like money paid after it."""
    adj_rows = session.execute(select(ChargeAdjustment.charge_id, ChargeAdjustment.kind,
                                      ChargeAdjustment.business_date, ChargeAdjustment.amount)).all()
    info = _charge_info(session, {r[0] for r in adj_rows}, last)
    return [_Adjustment(info[cid], kind, bdate, int(amount))
            for cid, kind, bdate, amount in adj_rows if cid in info]


@dataclass(slots=True)
class _Owed:
    """What a periodic charge still owed at the cut-off (summed over several reads)."""

    charge: _PeriodicCharge
    amount: int = 0


_PERIODIC_COLUMNS = (Charge.id, Charge.account_id, Charge.fee_item_id, Charge.period, Charge.period_end)


def _owed_at_cutoff(session: Session, periodic, cutoff: dt.date,
                    adjustments: list[_Adjustment]) -> dict[int, _Owed]:
    """C. owed at the cut-off per charge: journal balance now + money and adjustments dated later."""
    receivable = func.sum(case((Posting.book == ledger.RECEIVABLE, Posting.amount), else_=0))
    owed_now = (select(Posting.charge_id.label("cid"), receivable.label("s")).where(Posting.charge_id.is_not(None))
                .group_by(Posting.charge_id).having(receivable != 0).subquery())
    owed: dict[int, _Owed] = {}
    for *charge, amount in session.execute(
            select(*_PERIODIC_COLUMNS, owed_now.c.s).join(owed_now, owed_now.c.cid == Charge.id)
            .where(periodic)):
        owed[charge[0]] = _Owed(_PeriodicCharge(*charge), int(amount))
    # money dated after the cut-off: the payments after it (payment-date index), their allocations
    # (payment index), then their charges by key. Written as IN (subquery) so that SQLite starts
    # from the payment dates; a plain join let it scan every charge or allocation (1-3 s).
    later = (select(Allocation.charge_id.label("cid"), func.sum(Allocation.amount).label("s"))
             .where(Allocation.payment_id.in_(select(Payment.id).where(Payment.business_date > cutoff)))
             .group_by(Allocation.charge_id).subquery())
    for *charge, amount in session.execute(
            select(*_PERIODIC_COLUMNS, later.c.s).join(later, later.c.cid == Charge.id).where(periodic)):
        owed.setdefault(charge[0], _Owed(_PeriodicCharge(*charge))).amount += int(amount)
    for adj in adjustments:
        if adj.business_date > cutoff:  # waived or written off after the cut-off: still owed at it
            owed.setdefault(adj.charge.id, _Owed(adj.charge)).amount += adj.amount
    return owed


def _add_paid_after_period_end(session: Session, owed: dict[int, _Owed], first: str, last: str,
                               cutoff: dt.date) -> None:
    """In-period figures: money paid after each current charge's own period end (and by the
    cut-off) counts as still owed."""
    for *charge, amount in session.execute(
            select(*_PERIODIC_COLUMNS, func.sum(Allocation.amount))
            .select_from(Charge).join(Allocation, Allocation.charge_id == Charge.id)
            .join(Payment, Payment.id == Allocation.payment_id)
            .where(Charge.period >= first, Charge.period <= last, Charge.training.is_(False),
                   Payment.business_date > Charge.period_end, Payment.business_date <= cutoff)
            .group_by(*_PERIODIC_COLUMNS)):
        owed.setdefault(charge[0], _Owed(_PeriodicCharge(*charge))).amount += int(amount)


def _by_group(owed, key_of) -> dict[tuple, int]:
    """(group, period) -> the positive amounts owed."""
    out: dict[tuple, int] = defaultdict(int)
    for o in owed:
        if o.amount > 0:
            out[(key_of(o.charge.account_id, o.charge.fee_item_id), o.charge.period)] += o.amount
    return out


def _pay_month():
    return extract("year", Payment.business_date), extract("month", Payment.business_date)


def _pay_window(start: dt.date, cutoff: dt.date):
    return and_(Payment.business_date >= start, Payment.business_date <= cutoff, Payment.training.is_(False))


def _other_and_prepaid(session: Session, by: str, key_of, start: dt.date,
                       cutoff: dt.date) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """D. other money (late fees, ad-hoc) and prepayments in START..CUT: (group, pay month) -> amount."""
    from app.models import BalanceRefund

    py, pm = _pay_month()
    window = _pay_window(start, cutoff)
    other: dict[tuple, int] = defaultdict(int)
    for acc, fee, y, m, amount in session.execute(
            select(Charge.account_id, Charge.fee_item_id, py, pm, func.sum(Allocation.amount))
            .select_from(Charge).join(Allocation, Allocation.charge_id == Charge.id)
            .join(Payment, Payment.id == Allocation.payment_id)
            .where(Charge.period.is_(None), Charge.training.is_(False), window)
            .group_by(Charge.account_id, Charge.fee_item_id, py, pm)):
        other[(key_of(acc, fee), _month(y, m))] += int(amount)
    prepaid: dict[tuple, int] = defaultdict(int)
    for acc, y, m, amount in session.execute(
            select(Payment.account_id, py, pm, func.sum(_signed_prepaid()))
            .where(window, Payment.account_id.is_not(None), Payment.prepaid_added != 0)
            .group_by(Payment.account_id, py, pm)):
        if amount:
            prepaid[(None if by == "fee" else key_of(acc, None), _month(y, m))] += int(amount)
    ry, rm = extract("year", BalanceRefund.business_date), extract("month", BalanceRefund.business_date)
    for acc, y, m, amount in session.execute(  # 预存退款 takes prepaid money back out
            select(BalanceRefund.account_id, ry, rm, func.sum(BalanceRefund.amount))
            .where(BalanceRefund.kind == "prepaid", BalanceRefund.training.is_(False),
                   BalanceRefund.business_date >= start, BalanceRefund.business_date <= cutoff)
            .group_by(BalanceRefund.account_id, ry, rm)):
        prepaid[(None if by == "fee" else key_of(acc, None), _month(y, m))] -= int(amount)
    return other, prepaid


def _arrears_matrix(session: Session, by: str, first: str, last: str, start: dt.date,
                    cutoff: dt.date) -> dict[tuple, int]:
    """E. arrears at the start and money recovered: allocations dated START..CUT to earlier
    charges, (group, charge period, pay month) -> amount."""
    matrix: dict[tuple, int] = defaultdict(int)
    has_earlier = session.scalar(select(func.count()).select_from(
        select(Charge.id).where(Charge.period.is_not(None), Charge.period < first, Charge.training.is_(False))
        .limit(1).subquery()))
    if not has_earlier and by != "month":
        return matrix
    py, pm = _pay_month()
    # The period terms are wrapped in coalesce so that no index on charge.period can drive the
    # join: the planner must start from the payment-date index (only the window's payments).
    cp = func.coalesce(Charge.period, "")
    period_cond = and_(cp != "", cp < first if by != "month" else cp <= last)
    # grouped in SQL by the report's own key, so the result stays small (groups x periods x months)
    gk = {"fee": Charge.fee_item_id, "month": literal(""), "building": Account.building,
          "collector": CollectorArea.user_id}[by]
    q = (select(gk, Charge.period, py, pm, func.sum(Allocation.amount))
         .select_from(Payment).join(Allocation, Allocation.payment_id == Payment.id)
         .join(Charge, Charge.id == Allocation.charge_id)
         .where(_pay_window(start, cutoff), Charge.training.is_(False), period_cond))
    if by in ("building", "collector"):
        q = q.join(Account, Account.id == Charge.account_id)
    if by == "collector":
        q = q.outerjoin(CollectorArea, CollectorArea.building == Account.building)
    group = [Charge.period, py, pm] if by == "month" else [gk, Charge.period, py, pm]  # no constant GROUP BY
    for k, p, y, m, amount in session.execute(q.group_by(*group)):
        matrix[(k, p, _month(y, m))] += int(amount)
    return matrix


def _charge_info(session: Session, ids: set[int], last: str) -> dict[int, _PeriodicCharge]:
    """charge id -> the periodic charge, for periodic charges up to `last`."""
    out: dict[int, _PeriodicCharge] = {}
    ids_list = list(ids)
    for i in range(0, len(ids_list), 900):
        for charge in session.execute(
                select(*_PERIODIC_COLUMNS)
                .where(Charge.id.in_(ids_list[i:i + 900]), Charge.period.is_not(None), Charge.period <= last,
                       Charge.training.is_(False))):
            out[charge[0]] = _PeriodicCharge(*charge)
    return out


def _sort_key(k, label):
    text = str(label(k))
    return (k is None, natural_key(text))


def _labeller(session: Session, by: str):
    if by == "fee":
        names = dict(session.execute(select(FeeItem.id, FeeItem.name)).all())
        return lambda k: names.get(k, NO_FEE) if k is not None else NO_FEE
    if by == "collector":
        names = _collector_names(session)
        return lambda k: names.get(k, UNASSIGNED) if k is not None else UNASSIGNED
    if by == "building":
        return lambda k: (f"{k}号楼" if k and str(k).isdigit() else (k or "（无楼栋）"))
    return lambda k: k or ""


# ---- 欠费明细 / 账龄分析 ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AgeingRow:
    code: str
    owner: str
    phone: str
    building: str
    area: int  # hundredths of m²
    fees: str
    oldest_due: dt.date
    days_overdue: int
    amount: int
    buckets: dict[str, int]
    #: Why it is not paid, from the contact log and open tickets ('拒缴：维修纠纷', '承诺 12-01 缴费').
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AgeingReport:
    """`rows` is a list of one row per account in arrears (aggregated in SQL, ~100 bytes each)."""

    meta: ReportMeta
    as_of: dt.date
    building: str | None
    rows: list[AgeingRow]
    by_bucket: dict[str, int]
    by_building: dict[str, dict[str, int]]
    accounts_by_building: dict[str, int]
    total: int

    def to_json(self) -> dict:
        from app.money import format_yuan

        return {"as_of": self.as_of.isoformat(), "building": self.building, "total": format_yuan(self.total),
                "accounts": len(self.rows),
                "buckets": {BUCKET_NAMES[k]: format_yuan(v) for k, v in self.by_bucket.items()},
                "buildings": {b: {"accounts": self.accounts_by_building[b], "total": format_yuan(sum(v.values())),
                                  **{BUCKET_NAMES[k]: format_yuan(x) for k, x in v.items()}}
                              for b, v in self.by_building.items()},
                "rows": [{"code": r.code, "owner": r.owner, "phone": r.phone, "building": r.building,
                          "area": f"{r.area / 100:.2f}", "fees": r.fees, "oldest_due": r.oldest_due.isoformat(),
                          "days_overdue": r.days_overdue, "amount": format_yuan(r.amount), "reason": r.reason}
                         for r in self.rows]}


def iter_outstanding(session: Session, *, as_of: dt.date, building: str | None = None,
                     account_ids: list[int] | None = None):
    """Stream (account id, charge id, fee id, period, due date, kind, outstanding) of charges due by
    `as_of` with money owed at the end of `as_of`, ordered by account and due date.

    Owed at the end of `as_of` = the charge's receivable balance in the journal now (which is
    amount - allocations - adjustments: `verify` check 2), plus what payments dated after `as_of`
    allocated to it, plus adjustments dated after `as_of`. The journal part is one scan of the
    covering index posting(charge_id, book, amount); the "after" parts touch only recent rows.
    """
    # book as a CASE (not a WHERE term) so the planner walks the covering index in charge order
    receivable = func.sum(case((Posting.book == ledger.RECEIVABLE, Posting.amount), else_=0))
    owed = (select(Posting.charge_id.label("cid"), receivable.label("s"))
            .where(Posting.charge_id.is_not(None)).group_by(Posting.charge_id).having(receivable != 0))
    later_paid = (select(Allocation.charge_id.label("cid"), func.sum(Allocation.amount).label("s"))
                  .join(Payment, Payment.id == Allocation.payment_id).where(Payment.business_date > as_of)
                  .group_by(Allocation.charge_id))
    later_adj = (select(ChargeAdjustment.charge_id.label("cid"), func.sum(ChargeAdjustment.amount).label("s"))
                 .where(ChargeAdjustment.business_date > as_of).group_by(ChargeAdjustment.charge_id))
    moves = union_all(owed, later_paid, later_adj).subquery()
    per = (select(moves.c.cid, func.sum(moves.c.s).label("out")).group_by(moves.c.cid)
           .having(func.sum(moves.c.s) > 0).subquery())
    q = (select(Charge.account_id, Charge.id, Charge.fee_item_id, Charge.period, Charge.due_date, Charge.kind,
                per.c.out)
         .join(per, per.c.cid == Charge.id).where(Charge.due_date <= as_of, Charge.training.is_(False)))
    if building:
        q = q.where(Charge.account_id.in_(select(Account.id).where(Account.building == building)))
    if account_ids is not None:
        q = q.where(Charge.account_id.in_(account_ids))
    q = q.order_by(Charge.account_id, Charge.due_date, Charge.id)
    yield from session.execute(q.execution_options(yield_per=5000))


def accounts_filter(session: Session, status: str | None, tag: str | None) -> list[int] | None:
    """Ids of the accounts of a status (已入住/空置/已交付未收房/已销户) carrying a tag; None = no filter."""
    if not status and not tag:
        return None
    q = select(Account.id)
    if status:
        key = STATUS_BY_TEXT.get(status.strip())
        if key is None:
            raise InvalidInput(f"状态不正确：“{status}”（已入住、空置、已交付未收房、已销户）")
        q = q.where(Account.status == AccountStatus(key))
    if tag and tag.strip():
        q = q.where(Account.tags.contains(tag.strip()))
    return list(session.scalars(q))


def ageing(session: Session, *, actor: Actor, as_of: dt.date | None = None, building: str | None = None,
           status: str | None = None, tag: str | None = None, at: dt.datetime | None = None) -> AgeingReport:
    """欠费明细/账龄分析: per account in arrears, and totals per building and per ageing bucket;
    optionally only accounts of a status (空置 …) or carrying a tag (商铺 …); each row with the
    reason it is not paid (`dunning.arrears_reasons`)."""
    # dunning reads its arrears through this module: imported here, not at the top
    from app.services.collection.dunning import arrears_reasons

    auth.require(session, actor, auth.READ)
    as_of = as_of or settings.today(session)
    chosen = accounts_filter(session, status, tag)
    fee_names = dict(session.execute(select(FeeItem.id, FeeItem.name)).all())
    rows: list[AgeingRow] = []
    by_bucket = {label: 0 for label, _, _ in BUCKETS}
    per_account: dict[int, dict] = {}
    order: list[int] = []
    for acc_id, _cid, fee_id, _period, due_date, _kind, out in iter_outstanding(session, as_of=as_of,
                                                                                 building=building,
                                                                                 account_ids=chosen):
        out = int(out)
        label = bucket_of((as_of - due_date).days)
        by_bucket[label] += out
        cur = per_account.get(acc_id)
        if cur is None:
            cur = per_account[acc_id] = {"oldest": due_date, "amount": 0, "fees": [], "buckets": {}}
            order.append(acc_id)
        cur["amount"] += out
        cur["buckets"][label] = cur["buckets"].get(label, 0) + out
        name = fee_names.get(fee_id, "")
        if name not in cur["fees"]:
            cur["fees"].append(name)
    info: dict[int, tuple] = {}
    ids = list(per_account)
    for i in range(0, len(ids), 900):
        for row in session.execute(select(Account.id, Account.code, Account.owner_name, Account.owner_phone,
                                          Account.building, Account.built_area)
                                   .where(Account.id.in_(ids[i:i + 900]))):
            info[row[0]] = row[1:]
    by_building: dict[str, dict[str, int]] = {}
    accounts_by_building: dict[str, int] = defaultdict(int)
    reasons = arrears_reasons(session, as_of)
    for acc_id in order:
        code, owner, phone, bld, area = info[acc_id]
        cur = per_account[acc_id]
        rows.append(AgeingRow(code, owner, phone, bld, area, "、".join(cur["fees"]), cur["oldest"],
                              (as_of - cur["oldest"]).days, cur["amount"], cur["buckets"], reasons.get(acc_id, "")))
        bb = by_building.setdefault(bld, {label: 0 for label, _, _ in BUCKETS})
        for k, v in cur["buckets"].items():
            bb[k] += v
        accounts_by_building[bld] += 1
    rows.sort(key=lambda r: (_building_key(r.building), natural_key(r.code)))
    by_building = dict(sorted(by_building.items(), key=lambda kv: _building_key(kv[0])))
    meta = report_meta(session, actor, f"截至 {as_of.isoformat()}" + (f"　楼栋 {building}" if building else "")
                       + (f"　状态 {status}" if status else "") + (f"　标签 {tag}" if tag else ""), at)
    return AgeingReport(meta, as_of, building, rows, by_bucket, by_building, dict(accounts_by_building),
                        sum(by_bucket.values()))


def _building_key(b: str):
    return (0, int(b), "") if b.isdigit() else (1, 0, b) if b else (2, 0, "")


def natural_key(code: str) -> list:
    """'1-1-101' < '1-1-1001': numbers inside codes compare as numbers."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", code)]




# ---- 收费明细 journal -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class JournalRow:
    business_date: dt.date
    time: str
    receipt_no: str
    kind: str  # 收款 作废 退费 减免 核销 退费撤销
    account: str
    payer: str
    items: str
    tenders: str
    amount: int  # money in (+) or out (-); for 减免/核销 the reduction of the charge
    operator: str
    station: str
    reference: str  # the original receipt of a correction, or the reason


@dataclass(frozen=True, slots=True)
class JournalReport:
    """`rows` is an iterator over the period, in business-date and entry order (streamed)."""

    meta: ReportMeta
    date_from: dt.date
    date_to: dt.date
    rows: Iterator[JournalRow]


def journal(session: Session, *, actor: Actor, date_from: dt.date, date_to: dt.date,
            at: dt.datetime | None = None) -> JournalReport:
    """收费明细: every payment, void, refund, waiver and write-off of the period (streamed)."""
    auth.require(session, actor, auth.READ)
    _check_range(date_from, date_to)
    meta = report_meta(session, actor, f"{date_from.isoformat()} 至 {date_to.isoformat()}", at)
    return JournalReport(meta, date_from, date_to, _journal_rows(session, date_from, date_to))


def _journal_rows(session: Session, date_from: dt.date, date_to: dt.date) -> Iterator[JournalRow]:
    users = _collector_names(session)
    stations = dict(session.execute(select(Station.id, Station.name)).all())
    fee_names = dict(session.execute(select(FeeItem.id, FeeItem.name)).all())
    tz = settings.get(session, "timezone")
    originals: dict[int, str] = {}
    q = (select(Payment.id, Payment.kind, Payment.receipt_no, Payment.business_date, Payment.created_at,
                Payment.account_id, Payment.payer_name, Payment.user_id, Payment.station_id, Payment.tendered,
                Payment.change, Payment.reverses_payment_id, Payment.reason)
         .where(Payment.business_date >= date_from, Payment.business_date <= date_to, Payment.training.is_(False))
         .order_by(Payment.business_date, Payment.id))
    batch: list = []

    def flush(batch):
        ids = [r.id for r in batch]
        items: dict[int, list] = defaultdict(list)
        for pid, fee_id, period, kind, _amount in session.execute(
                select(Allocation.payment_id, Charge.fee_item_id, Charge.period, Charge.kind, Allocation.amount)
                .join(Charge, Charge.id == Allocation.charge_id).where(Allocation.payment_id.in_(ids))
                .order_by(Allocation.id)):
            name = fee_names.get(fee_id, "") + ("滞纳金" if kind == ChargeKind.LATE_FEE else "")
            items[pid].append((name, period or ""))
        tenders: dict[int, list] = defaultdict(list)
        for pid, method, amount in session.execute(select(TenderLine.payment_id, TenderLine.method, TenderLine.amount)
                                                   .where(TenderLine.payment_id.in_(ids)).order_by(TenderLine.id)):
            tenders[pid].append(f"{TENDER_NAMES.get(method.value, method.value)}{_yuan(abs(amount))}")
        accounts = dict(session.execute(select(Account.id, Account.code).where(
            Account.id.in_({r.account_id for r in batch if r.account_id}))).all())
        missing = {r.reverses_payment_id for r in batch if r.reverses_payment_id and r.reverses_payment_id
                   not in originals}
        if missing:
            originals.update(dict(session.execute(select(Payment.id, Payment.receipt_no)
                                                  .where(Payment.id.in_(missing))).all()))
        for r in batch:
            sign = 1 if r.kind == PaymentKind.PAYMENT else -1
            amount = sign * (abs(r.tendered) - abs(r.change))
            ref = originals.get(r.reverses_payment_id, "") if r.reverses_payment_id else ""
            if r.reason:
                ref = f"{ref} {r.reason}".strip()
            originals.setdefault(r.id, r.receipt_no or "")
            yield JournalRow(r.business_date, local_time(r.created_at, tz).strftime("%H:%M"), r.receipt_no or "",
                             KIND_LABELS.get(r.kind.value, r.kind.value), accounts.get(r.account_id, ""),
                             r.payer_name, _summarise_items(items.get(r.id, [])), "、".join(tenders.get(r.id, [])),
                             amount, users.get(r.user_id, ""), stations.get(r.station_id, ""), ref)

    for row in session.execute(q.execution_options(yield_per=1000)):
        batch.append(row)
        if len(batch) >= 500:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)
    # charge adjustments (减免 / 核销 / 退费撤销) of the period
    q = (select(ChargeAdjustment.business_date, ChargeAdjustment.created_at, ChargeAdjustment.kind,
                ChargeAdjustment.amount, ChargeAdjustment.reason, ChargeAdjustment.user_id, Charge.fee_item_id,
                Charge.period, Account.code, Account.owner_name)
         .join(Charge, Charge.id == ChargeAdjustment.charge_id).join(Account, Account.id == Charge.account_id)
         .where(ChargeAdjustment.business_date >= date_from, ChargeAdjustment.business_date <= date_to)
         .order_by(ChargeAdjustment.business_date, ChargeAdjustment.id))
    for bd, created, kind, amount, reason, uid, fee_id, period, code, owner in session.execute(q):
        yield JournalRow(bd, local_time(created, tz).strftime("%H:%M"), "", KIND_LABELS.get(kind.value, kind.value),
                         code, owner, _summarise_items([(fee_names.get(fee_id, ""), period or "")]), "",
                         -int(amount), users.get(uid, ""), "", reason or "")
    # 退押金 / 预存退款: money paid back out of a deposit or a prepaid balance
    from app.models import BalanceRefund, Shift

    q = (select(BalanceRefund.business_date, BalanceRefund.created_at, BalanceRefund.kind, BalanceRefund.amount,
                BalanceRefund.tender, BalanceRefund.reason, BalanceRefund.user_id, BalanceRefund.fee_item_id,
                Shift.station_id, Account.code, Account.owner_name)
         .join(Account, Account.id == BalanceRefund.account_id).join(Shift, Shift.id == BalanceRefund.shift_id)
         .where(BalanceRefund.business_date >= date_from, BalanceRefund.business_date <= date_to,
                BalanceRefund.training.is_(False))
         .order_by(BalanceRefund.business_date, BalanceRefund.id))
    for bd, created, kind, amount, tender, reason, uid, fee_id, st, code, owner in session.execute(q):
        yield JournalRow(bd, local_time(created, tz).strftime("%H:%M"), "", BALANCE_REFUND_LABELS.get(kind, kind),
                         code, owner, fee_names.get(fee_id, "") if fee_id else "预存",
                         f"{TENDER_NAMES.get(tender, tender)}{_yuan(int(amount))}", -int(amount), users.get(uid, ""),
                         stations.get(st, ""), reason or "")


def _yuan(fen: int) -> str:
    from app.money import format_yuan

    return format_yuan(fen)


def _summarise_items(items: list[tuple[str, str]]) -> str:
    """[('物业费','2026-09'),('物业费','2026-10'),('水费','2026-10')] -> '物业费 2026-09~2026-10、水费 2026-10'."""
    grouped: dict[str, list[str]] = {}
    for name, period in items:
        grouped.setdefault(name, [])
        if period and period not in grouped[name]:
            grouped[name].append(period)
    parts = []
    for name, periods in grouped.items():
        if not periods:
            parts.append(name)
        elif len(periods) == 1:
            parts.append(f"{name} {periods[0]}")
        else:
            parts.append(f"{name} {min(periods)}~{max(periods)}")
    return "、".join(parts) or "预存"


# ---- 收入汇总 / department revenue -------------------------------------------------------

@dataclass(frozen=True, slots=True)
class IncomeLine:
    name: str
    category: str  # 自营收入 代收代缴 押金 预存 滞纳金
    department: str
    amount: int


@dataclass(frozen=True, slots=True)
class IncomeReport:
    meta: ReportMeta
    date_from: dt.date
    date_to: dt.date
    by_fee: list[IncomeLine]
    by_category: dict[str, int]
    by_tender: dict[str, int]
    by_department: dict[str, int]
    total: int

    def to_json(self) -> dict:
        from app.money import format_yuan

        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "total": format_yuan(self.total),
                "by_fee": [{"name": x.name, "category": x.category, "department": x.department,
                            "amount": format_yuan(x.amount)} for x in self.by_fee],
                "by_category": {k: format_yuan(v) for k, v in self.by_category.items()},
                "by_tender": {k: format_yuan(v) for k, v in self.by_tender.items()},
                "by_department": {k: format_yuan(v) for k, v in self.by_department.items()}}


def income(session: Session, *, actor: Actor, date_from: dt.date, date_to: dt.date,
           at: dt.datetime | None = None) -> IncomeReport:
    """收入汇总 by fee item (revenue / pass-through / deposit / late fee) plus prepaid, by tender
    (net of change, voids and refunds), and department revenue (own revenue items only).
    Money is counted on the payment's business date; the fee-item total equals the tender total."""
    auth.require(session, actor, auth.VERIFY)  # takings per tender include open drawers: not for a cashier
    _check_range(date_from, date_to)
    in_range = and_(Payment.business_date >= date_from, Payment.business_date <= date_to,
                    Payment.training.is_(False))
    late = case((Charge.kind == ChargeKind.LATE_FEE, 1), else_=0)
    q = (select(FeeItem.name, FeeItem.kind, FeeItem.department, late, func.sum(Allocation.amount))
         .select_from(Allocation).join(Payment, Payment.id == Allocation.payment_id)
         .join(Charge, Charge.id == Allocation.charge_id).join(FeeItem, FeeItem.id == Charge.fee_item_id)
         .where(in_range).group_by(FeeItem.name, FeeItem.kind, FeeItem.department, late)
         .order_by(FeeItem.name))
    by_fee: list[IncomeLine] = []
    by_category: dict[str, int] = defaultdict(int)
    by_department: dict[str, int] = defaultdict(int)
    for name, kind, dept, is_late, amount in session.execute(q):
        amount = int(amount)
        category = "滞纳金" if is_late else KIND_NAMES[kind.value]
        by_fee.append(IncomeLine(name + ("滞纳金" if is_late else ""), category, dept or "", amount))
        by_category[category] += amount
        if kind.value == "revenue" or is_late:
            by_department[dept or "（未分科室）"] += amount
    prepaid = int(session.scalar(select(func.coalesce(func.sum(_signed_prepaid()), 0)).where(in_range)))
    if prepaid:
        by_fee.append(IncomeLine("预存款", "预存", "", prepaid))
        by_category["预存"] += prepaid
    # 退押金 / 预存退款 pay money back out: negative lines, and out of their tender
    from app.models import BalanceRefund

    refunds_out: dict[str, int] = defaultdict(int)
    for kind, fee_name, tender, amount in session.execute(
            select(BalanceRefund.kind, FeeItem.name, BalanceRefund.tender, func.sum(BalanceRefund.amount))
            .outerjoin(FeeItem, FeeItem.id == BalanceRefund.fee_item_id)
            .where(BalanceRefund.business_date >= date_from, BalanceRefund.business_date <= date_to,
                   BalanceRefund.training.is_(False))
            .group_by(BalanceRefund.kind, FeeItem.name, BalanceRefund.tender)):
        category = "押金" if kind == "deposit" else "预存"
        label = f"{fee_name or ''}{BALANCE_REFUND_LABELS.get(kind, kind)}"
        by_fee.append(IncomeLine(label, category, "", -int(amount)))
        by_category[category] -= int(amount)
        refunds_out[TENDER_NAMES.get(tender, tender)] += int(amount)
    # tenders: each tender line signed by its payment's kind; cash net of change
    sign = case((Payment.kind == PaymentKind.PAYMENT, 1), else_=-1)
    by_tender: dict[str, int] = defaultdict(int)
    for method, amount in session.execute(
            select(TenderLine.method, func.sum(sign * func.abs(TenderLine.amount)))
            .join(Payment, Payment.id == TenderLine.payment_id).where(in_range).group_by(TenderLine.method)):
        by_tender[TENDER_NAMES.get(method.value, method.value)] += int(amount)
    change = int(session.scalar(select(func.coalesce(func.sum(sign * func.abs(Payment.change)), 0)).where(in_range)))
    if change:
        by_tender[TENDER_NAMES["cash"]] -= change
    for name, amount in refunds_out.items():
        by_tender[name] -= amount
    order = list(TENDER_NAMES.values())
    by_tender = dict(sorted(by_tender.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))
    meta = report_meta(session, actor, f"{date_from.isoformat()} 至 {date_to.isoformat()}", at)
    return IncomeReport(meta, date_from, date_to, by_fee, dict(by_category), dict(by_tender), dict(by_department),
                        sum(x.amount for x in by_fee))


# ---- 对账单 -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StatementLine:
    business_date: dt.date
    description: str
    charged: int  # 应收 added (+)
    paid: int  # money received against the account (+)
    corrected: int  # other changes to what is owed (signed: + owes more)
    balance: int


@dataclass(frozen=True, slots=True)
class Statement:
    """对账单. Balance = receivable less prepaid: what the account owes (negative: in credit)."""

    meta: ReportMeta
    account: str
    owner: str
    phone: str
    address: str
    date_from: dt.date
    date_to: dt.date
    opening: int
    lines: list[StatementLine]
    charged: int
    paid: int
    corrected: int
    closing: int
    prepaid_closing: int

    def to_json(self) -> dict:
        from app.money import format_yuan

        return {"account": self.account, "owner": self.owner, "from": self.date_from.isoformat(),
                "to": self.date_to.isoformat(), "opening": format_yuan(self.opening),
                "charged": format_yuan(self.charged), "paid": format_yuan(self.paid),
                "corrected": format_yuan(self.corrected), "closing": format_yuan(self.closing),
                "prepaid_closing": format_yuan(self.prepaid_closing),
                "lines": [{"date": x.business_date.isoformat(), "description": x.description,
                           "charged": format_yuan(x.charged), "paid": format_yuan(x.paid),
                           "corrected": format_yuan(x.corrected), "balance": format_yuan(x.balance)}
                          for x in self.lines]}


CHARGE_ENTRY_KINDS = {"bill", "charge", "late_fee"}
PAYMENT_ENTRY_KINDS = {"payment"}


def statement(session: Session, *, actor: Actor, account_code: str, date_from: dt.date, date_to: dt.date,
              at: dt.datetime | None = None) -> Statement:
    """对账单 from the journal: receivable and prepaid postings of the account, entry by entry."""
    auth.require(session, actor, auth.READ)
    _check_range(date_from, date_to)
    acc = find_account(session, account_code)
    books = [ledger.RECEIVABLE, ledger.PREPAID]
    base = (select(func.coalesce(func.sum(Posting.amount), 0)).join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .where(Posting.account_id == acc.id, Posting.book.in_(books), JournalEntry.training.is_(False)))
    opening = int(session.scalar(base.where(JournalEntry.business_date < date_from)))
    prepaid_closing = -int(session.scalar(
        base.where(JournalEntry.business_date <= date_to, Posting.book == ledger.PREPAID)))
    fee_names = dict(session.execute(select(FeeItem.id, FeeItem.name)).all())
    q = (select(JournalEntry.id, JournalEntry.business_date, JournalEntry.kind, JournalEntry.memo,
                JournalEntry.payment_id, Posting.book, Posting.amount, Posting.charge_id, Charge.fee_item_id,
                Charge.period, Charge.kind)
         .join(Posting, Posting.entry_id == JournalEntry.id).outerjoin(Charge, Charge.id == Posting.charge_id)
         .where(Posting.account_id == acc.id, Posting.book.in_(books), JournalEntry.training.is_(False),
                JournalEntry.business_date >= date_from, JournalEntry.business_date <= date_to)
         .order_by(JournalEntry.business_date, JournalEntry.id, Posting.id))
    receipts = {}
    lines: list[StatementLine] = []
    balance = opening
    current: dict | None = None

    def close(cur):
        nonlocal balance
        if cur is None:
            return
        net = cur["net"]
        if cur["kind"] in CHARGE_ENTRY_KINDS:
            charged, paid, corrected = net, 0, 0
        elif cur["kind"] in PAYMENT_ENTRY_KINDS:
            charged, paid, corrected = 0, -net, 0
        else:
            charged, paid, corrected = 0, 0, net
        balance += net
        lines.append(StatementLine(cur["date"], cur["desc"], charged, paid, corrected, balance))

    for eid, bdate, kind, memo, pid, book, amount, _cid, fee_id, period, ckind in session.execute(q):
        amount = int(amount)
        if kind in CHARGE_ENTRY_KINDS:
            # one line per charge: bill runs post many charges in one entry
            close(current)
            name = fee_names.get(fee_id, "") + ("滞纳金" if ckind == ChargeKind.LATE_FEE else "")
            current = {"date": bdate, "kind": kind, "net": amount, "desc": f"{name} {period or ''}".strip()}
            continue
        if current is None or current.get("eid") != eid:
            close(current)
            if pid and pid not in receipts:
                receipts[pid] = session.scalar(select(Payment.receipt_no).where(Payment.id == pid)) or ""
            label = ENTRY_LABELS.get(kind, kind)
            desc = f"{label}（收据 {receipts[pid]}）" if pid else (f"{label} {memo}".strip())
            current = {"eid": eid, "date": bdate, "kind": kind, "net": 0, "desc": desc, "prepaid_used": 0}
        current["net"] += amount
        if book == ledger.PREPAID and amount > 0 and kind in PAYMENT_ENTRY_KINDS:
            current["prepaid_used"] += amount
            current["desc"] = current["desc"].split("，")[0] + f"，预存抵扣 {_yuan(current['prepaid_used'])}"
    close(current)
    meta = report_meta(session, actor, f"{date_from.isoformat()} 至 {date_to.isoformat()}", at)
    address = acc.code if not (acc.building and acc.room) else \
        f"{acc.building}栋{acc.entrance + '单元' if acc.entrance else ''}{acc.room}室"
    return Statement(meta, acc.code, acc.owner_name, acc.owner_phone, address, date_from, date_to, opening, lines,
                     sum(x.charged for x in lines), sum(x.paid for x in lines), sum(x.corrected for x in lines),
                     balance, prepaid_closing)


# ---- 收费标准公示 ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TariffRow:
    code: str
    name: str
    category: str
    method: str
    rate: str  # '2.35 元/㎡·月'
    cycle: str
    effective_from: dt.date | None
    due_rule: str
    late_fee_rule: str
    next_change: str


@dataclass(frozen=True, slots=True)
class TariffSchedule:
    meta: ReportMeta
    as_of: dt.date
    rows: list[TariffRow]
    hotline: str

    def to_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "hotline": self.hotline,
            "rows": [
                {
                    "code": r.code,
                    "name": r.name,
                    "category": r.category,
                    "method": r.method,
                    "rate": r.rate,
                    "cycle": r.cycle,
                    "effective_from": r.effective_from.isoformat() if r.effective_from else None,
                    "due_rule": r.due_rule,
                    "late_fee_rule": r.late_fee_rule,
                    "next_change": r.next_change,
                }
                for r in self.rows
            ],
        }


def rate_with_unit(rate_e4: int, method: str, cycle: str, unit_name: str) -> str:
    per = {"monthly": "月", "quarterly": "季", "yearly": "年", "once": "次"}[cycle]
    if method == "area":
        return f"{format_rate(rate_e4)} 元/㎡·{per}"
    if method == "metered":
        return f"{format_rate(rate_e4)} 元/{unit_name or '单位'}"
    if method == "quantity":
        return f"{format_rate(rate_e4)} 元/{unit_name or '个'}" + ("" if cycle == "once" else f"·{per}")
    return f"{format_rate(rate_e4)} 元/{per}" if cycle != "once" else f"{format_rate(rate_e4)} 元"


def late_fee_rule(daily_ppm: int, grace_days: int) -> str:
    if not daily_ppm:
        return "不收滞纳金"
    if daily_ppm % 100 == 0 and daily_ppm < 10000:
        rate = f"日万分之{'零一二三四五六七八九'[daily_ppm // 100] if daily_ppm // 100 < 10 else daily_ppm // 100}"
    else:
        rate = f"日{(Decimal(daily_ppm) / 10000).normalize()}%"
    return f"逾期{f'超过 {grace_days} 天' if grace_days else ''}按欠费{rate}计收"


def tariffs(session: Session, *, actor: Actor, as_of: dt.date | None = None,
            at: dt.datetime | None = None) -> TariffSchedule:
    """收费标准公示: every active fee item with the tariff in force on `as_of` and the next change."""
    auth.require(session, actor, auth.READ)
    as_of = as_of or settings.today(session)
    rows = []
    for fee in session.scalars(select(FeeItem).where(FeeItem.active.is_(True)).order_by(FeeItem.code)):
        current = session.scalar(select(Tariff).where(Tariff.fee_item_id == fee.id, Tariff.effective_from <= as_of)
                                 .order_by(Tariff.effective_from.desc()).limit(1))
        upcoming = session.scalar(select(Tariff).where(Tariff.fee_item_id == fee.id, Tariff.effective_from > as_of)
                                  .order_by(Tariff.effective_from).limit(1))
        if current is None and upcoming is None:
            continue
        m, c = fee.method.value, fee.cycle.value
        due = {"once": "收费时缴纳"}.get(c, f"账期结束后 {fee.due_days} 天内" if fee.due_days else "账期结束时")
        rows.append(TariffRow(
            fee.code, fee.name, KIND_NAMES[fee.kind.value], METHOD_NAMES[m],
            rate_with_unit(current.rate_e4, m, c, fee.unit_name) if current else "（尚未生效）",
            CYCLE_NAMES[c], current.effective_from if current else None, due,
            late_fee_rule(fee.late_fee_daily_ppm, fee.late_fee_grace_days),
            f"{upcoming.effective_from.isoformat()} 起 {rate_with_unit(upcoming.rate_e4, m, c, fee.unit_name)}"
            if upcoming else ""))
    site = default_site(session)
    meta = report_meta(session, actor, f"{as_of.isoformat()} 起执行", at)
    return TariffSchedule(meta, as_of, rows, site.hotline)


# ---- 计划与实收 (the targets are set in services/collection/targets.py) -----------------------

@dataclass(frozen=True, slots=True)
class PlanRow:
    month: str
    scope: str  # 全小区 / 楼栋 / 收费员
    key: str
    target: int
    actual: int
    ok_pct: int
    alert_pct: int

    @property
    def variance(self) -> int:
        return self.actual - self.target

    @property
    def rate(self) -> Rate:
        return Rate(self.actual, self.target)

    @property
    def band(self) -> str:
        if self.actual * 100 >= self.target * self.ok_pct:
            return "达标"
        if self.actual * 100 < self.target * self.alert_pct:
            return "预警"
        return "关注"


@dataclass(frozen=True, slots=True)
class PlanReport:
    meta: ReportMeta
    rows: list[PlanRow]

    def to_json(self) -> dict:
        from app.money import format_yuan

        return {"rows": [{"month": r.month, "scope": r.scope, "key": r.key, "target": format_yuan(r.target),
                          "actual": format_yuan(r.actual), "variance": format_yuan(r.variance), "rate": r.rate.text,
                          "band": r.band} for r in self.rows]}


SCOPE_NAMES = {"site": "全小区", "building": "楼栋", "collector": "收费员"}


def plan_vs_actual(session: Session, *, actor: Actor, from_period: str, to_period: str,
                   at: dt.datetime | None = None) -> PlanReport:
    """计划与实收: each target against the money collected in its month — everything allocated to
    charges of the scope's accounts by payments dated in that month (current, arrears, late fees;
    prepayments are not collections until applied). A collector's scope is the buildings assigned."""
    auth.require(session, actor, auth.READ)
    first, last = parse_period(from_period), parse_period(to_period)
    targets: dict[tuple, CollectionTarget] = {}
    for t in session.scalars(select(CollectionTarget).where(CollectionTarget.month >= first,
                                                            CollectionTarget.month <= last)
                             .order_by(CollectionTarget.id)):
        targets[(t.month, t.scope.value, t.key)] = t  # the latest row wins
    py, pm = extract("year", Payment.business_date), extract("month", Payment.business_date)
    start, end = period_start(first), month_end(period_start(last))
    q = (select(Account.building, CollectorArea.user_id, py, pm, func.sum(Allocation.amount))
         .select_from(Allocation).join(Payment, Payment.id == Allocation.payment_id)
         .join(Charge, Charge.id == Allocation.charge_id).join(Account, Account.id == Charge.account_id)
         .outerjoin(CollectorArea, CollectorArea.building == Account.building)
         .where(Payment.business_date >= start, Payment.business_date <= end, Payment.training.is_(False))
         .group_by(Account.building, CollectorArea.user_id, py, pm))
    usernames = dict(session.execute(select(User.id, User.username)).all())
    actual: dict[tuple, int] = defaultdict(int)
    for bld, uid, y, m, amount in session.execute(q):
        month = _month(y, m)
        actual[(month, "site", "")] += int(amount)
        actual[(month, "building", bld)] += int(amount)
        if uid:
            actual[(month, "collector", usernames.get(uid, ""))] += int(amount)
    names = dict(session.execute(select(User.username, User.display_name)).all())
    rows = []
    for (month, scope, key), t in sorted(targets.items(), key=lambda kv: (kv[0][0], ["site", "building",
                                                                                    "collector"].index(kv[0][1]),
                                                                         _building_key(kv[0][2]))):
        shown = names.get(key, key) if scope == "collector" else key
        rows.append(PlanRow(month, SCOPE_NAMES[scope], shown, t.amount, actual.get((month, scope, key), 0),
                            t.ok_pct, t.alert_pct))
    meta = report_meta(session, actor, f"{first} 至 {last}", at)
    return PlanReport(meta, rows)


# ---- supervisor desk charts ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MonthlyRatePoint:
    month: int  # 1..12
    this_year: Rate
    last_year: Rate


@dataclass(frozen=True, slots=True)
class RateByMonthChart:
    """收费率 by month, this year against last year; each month counts money paid within that
    month's own billing period (当月收缴率), so years compare like for like."""

    year: int
    points: list[MonthlyRatePoint]


def chart_rate_by_month(session: Session, *, actor: Actor, year: int | None = None,
                        today: dt.date | None = None) -> RateByMonthChart:
    auth.require(session, actor, auth.READ)
    today = today or settings.today(session)
    year = year or today.year
    by_year = {}
    for y in (year - 1, year):
        rep = collection_rate(session, actor=actor, from_period=f"{y}-01", to_period=f"{y}-12", by="month",
                              cutoff=min(today, dt.date(y, 12, 31)), in_period=True, with_arrears=False)
        by_year[y] = {int(r.key[5:]): r.rate for r in rep.rows}
    return RateByMonthChart(year, [MonthlyRatePoint(m, by_year[year][m], by_year[year - 1][m]) for m in range(1, 13)])


@dataclass(frozen=True, slots=True)
class TenderMixChart:
    date_from: dt.date
    date_to: dt.date
    slices: list[tuple[str, int]]  # (tender name, fen), largest first
    total: int


def chart_tender_mix(session: Session, *, actor: Actor, date_from: dt.date, date_to: dt.date) -> TenderMixChart:
    """结算方式构成: money taken per tender in the date range (net of change, voids, refunds)."""
    rep = income(session, actor=actor, date_from=date_from, date_to=date_to)
    slices = sorted(((k, v) for k, v in rep.by_tender.items() if v), key=lambda kv: -kv[1])
    return TenderMixChart(date_from, date_to, slices, sum(v for _, v in slices))


@dataclass(frozen=True, slots=True)
class AgeingChart:
    as_of: dt.date
    buckets: list[tuple[str, int]]  # (bucket name, fen) in ageing order
    total: int
    accounts: int


def chart_ageing(session: Session, *, actor: Actor, as_of: dt.date | None = None) -> AgeingChart:
    rep = ageing(session, actor=actor, as_of=as_of)
    return AgeingChart(rep.as_of, [(BUCKET_NAMES[k], v) for k, v in rep.by_bucket.items()], rep.total,
                       len(rep.rows))


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)



# ---- cash-desk reports: 缴款单/收费员日报, 日结报表, 月结汇总 ----------------------------------
# Built on the cash desk's own read functions (closes.expected_figures, settlement.day_report):
# the figures are the ones stored with each close and settlement, never recomputed here.

REFUND_NAMES = {"refund": "退费", "prepaid_refund": "预存退款", "deposit_refund": "退押金"}


@dataclass(frozen=True, slots=True)
class TenderFigure:
    tender: str
    expected: int
    counted: int
    difference: int


@dataclass(frozen=True, slots=True)
class ReceiptAmount:
    receipt_no: str
    amount: int
    kind: str = ""


@dataclass(frozen=True, slots=True)
class FeeIncome:
    name: str
    category: str
    amount: int


@dataclass(frozen=True, slots=True)
class ShiftReport:
    """缴款单 / 收费员日报 of one closed shift, as counted and stored by the close."""

    meta: ReportMeta
    shift_id: int
    cashier: str
    station: str
    business_date: dt.date
    status: str
    tenders: list[TenderFigure]
    count: dict[int, int]
    receipts_first: str
    receipts_last: str
    receipts_count: int
    voided: list[ReceiptAmount]
    reprinted: list[ReceiptAmount]
    refunds: list[ReceiptAmount]
    fee_items: list[FeeIncome]
    prepaid: int
    movements: dict[str, int]
    hand_ins: int
    float_amount: int
    cash_takings: int
    reason: str
    approved_by: str | None

    @property
    def income_total(self) -> int:
        return sum(f.amount for f in self.fee_items) + self.prepaid

    def to_json(self) -> dict:
        from app.money import format_yuan as y

        return {"shift_id": self.shift_id, "cashier": self.cashier, "station": self.station,
                "business_date": self.business_date.isoformat(), "status": self.status,
                "tenders": [{"tender": t.tender, "expected": y(t.expected), "counted": y(t.counted),
                             "difference": y(t.difference)} for t in self.tenders],
                "receipts": {"first": self.receipts_first, "last": self.receipts_last, "count": self.receipts_count},
                "voided": [{"receipt_no": r.receipt_no, "amount": y(r.amount)} for r in self.voided],
                "reprinted": [{"receipt_no": r.receipt_no, "amount": y(r.amount)} for r in self.reprinted],
                "refunds": [{"receipt_no": r.receipt_no, "amount": y(r.amount), "kind": r.kind} for r in self.refunds],
                "fee_items": [{"name": f.name, "category": f.category, "amount": y(f.amount)} for f in self.fee_items],
                "prepaid": y(self.prepaid), "income_total": y(self.income_total), "float": y(self.float_amount),
                "hand_ins": y(self.hand_ins), "movements": {k: y(v) for k, v in self.movements.items()},
                "cash_takings": y(self.cash_takings)}


def _tender_rows(expected: dict, counted: dict, difference: dict) -> list[TenderFigure]:
    order = list(TENDER_NAMES)
    keys = sorted(set(expected) | set(counted), key=lambda t: order.index(t) if t in order else 99)
    return [TenderFigure(TENDER_NAMES.get(t, t), int(expected.get(t, 0)), int(counted.get(t, 0)),
                         int(difference.get(t, 0))) for t in keys]


def _payment_amounts(session: Session, receipt_nos: list[str], kind: PaymentKind,
                     shift_id: int | None = None) -> list[ReceiptAmount]:
    if not receipt_nos:
        return []
    q = select(Payment.receipt_no, Payment.tendered, Payment.change).where(
        Payment.receipt_no.in_(receipt_nos), Payment.kind == kind)
    if shift_id is not None:
        q = q.where(Payment.shift_id == shift_id)
    amounts = {no: abs(int(t)) - abs(int(c)) for no, t, c in session.execute(q)}
    return [ReceiptAmount(no, amounts.get(no, 0)) for no in receipt_nos]


def shift_report(session: Session, *, actor: Actor, shift_id: int, at: dt.datetime | None = None) -> ShiftReport:
    """缴款单 of a closed shift (refused while open: the count is blind until saved)."""
    from app.models import Shift
    from app.services.desk import closes

    c = closes.expected_figures(session, actor=actor, shift_id=shift_id)
    shift = session.get(Shift, shift_id)
    cashier = session.get(User, shift.cashier_id)
    station = session.get(Station, shift.station_id)
    s = c.summary
    fee_items = [FeeIncome(f.name, KIND_NAMES.get(f.kind, f.kind), f.amount) for f in s.fee_items]
    refunds = [ReceiptAmount(r.receipt_no, r.amount, REFUND_NAMES.get(r.kind, r.kind)) for r in s.refunds]
    status = {"open": "未轧帐", "closed": "已轧帐待验收", "accepted": "已验收"}[shift.status.value]
    meta = report_meta(session, actor, f"{shift.business_date.isoformat()} 班次 #{shift.id}", at)
    return ShiftReport(meta, shift.id, cashier.display_name, station.name, shift.business_date, status,
                       _tender_rows(c.expected, c.counted, c.difference), dict(c.count),
                       s.receipts.first, s.receipts.last, s.receipts.count,
                       _payment_amounts(session, s.receipts.voided, PaymentKind.VOID, shift.id),
                       _payment_amounts(session, s.receipts.reprinted, PaymentKind.PAYMENT),
                       refunds, fee_items, s.prepaid,
                       {MOVEMENT_NAMES.get(k, k): v for k, v in s.movements.items()},
                       s.hand_ins, s.float_amount, s.cash_takings, c.reason, c.approved_by)


@dataclass(frozen=True, slots=True)
class CashierDay:
    cashier: str
    shifts: int
    counted: int
    over: int
    short: int
    cash_takings: int
    receipts: int
    voided: int
    reprinted: int


@dataclass(frozen=True, slots=True)
class DayReport:
    """日结报表 of a settled day: the settlement's stored totals plus money taken per tender."""

    meta: ReportMeta
    day: dt.date
    settled_by: str
    shifts: int
    tenders: list[TenderFigure]
    by_tender: dict[str, int]
    cashiers: list[CashierDay]
    fee_items: list[FeeIncome]
    by_category: dict[str, int]
    prepaid: int
    over: int
    short: int
    refunds: int
    hand_ins: int
    counterfeit: int
    cash_due_to_bank: int
    banked: int
    #: each channel's reconciliation (对账) of the day: reconcile.ChannelStatus
    reconciliation: tuple = ()

    @property
    def total(self) -> int:
        return sum(f.amount for f in self.fee_items) + self.prepaid

    def to_json(self) -> dict:
        from app.money import format_yuan as y

        return {"day": self.day.isoformat(), "settled_by": self.settled_by, "shifts": self.shifts,
                "total": y(self.total), "by_tender": {k: y(v) for k, v in self.by_tender.items()},
                "tenders": [{"tender": t.tender, "expected": y(t.expected), "counted": y(t.counted),
                             "difference": y(t.difference)} for t in self.tenders],
                "cashiers": [{"cashier": x.cashier, "shifts": x.shifts, "counted": y(x.counted), "over": y(x.over),
                              "short": y(x.short), "cash_takings": y(x.cash_takings), "receipts": x.receipts,
                              "voided": x.voided, "reprinted": x.reprinted} for x in self.cashiers],
                "fee_items": [{"name": f.name, "category": f.category, "amount": y(f.amount)} for f in self.fee_items],
                "by_category": {k: y(v) for k, v in self.by_category.items()}, "prepaid": y(self.prepaid),
                "over": y(self.over), "short": y(self.short), "refunds": y(self.refunds),
                "hand_ins": y(self.hand_ins), "counterfeit": y(self.counterfeit),
                "cash_due_to_bank": y(self.cash_due_to_bank), "banked": y(self.banked),
                "to_bank_outstanding": y(self.cash_due_to_bank - self.banked),
                "reconciliation": [c.to_json() for c in self.reconciliation]}


def day_report(session: Session, *, actor: Actor, day: dt.date, at: dt.datetime | None = None) -> DayReport:
    """日结报表: refused for a day that is not settled yet (the settlement is its source)."""
    from app.services.desk import settlement

    d = settlement.day_report(session, actor=actor, day=day)
    t = d.totals
    names = dict(session.execute(select(User.username, User.display_name)).all())
    cashiers = [CashierDay(names.get(u, u), int(x["shifts"]), sum(int(v) for v in x["counted"].values()),
                           int(x["over"]), int(x["short"]), int(x["cash_takings"]), int(x["receipts_count"]),
                           int(x["voided_count"]), int(x["reprinted_count"])) for u, x in t["cashiers"].items()]
    order = ["revenue", "passthrough", "deposit"]
    fee_items = [FeeIncome(f["name"], KIND_NAMES.get(f["kind"], f["kind"]), int(f["amount"]))
                 for _, f in sorted(t["fee_items"].items(), key=lambda kv: (order.index(kv[1]["kind"])
                                                                            if kv[1]["kind"] in order else 9, kv[0]))]
    by_category: dict[str, int] = {}
    for f in fee_items:
        by_category[f.category] = by_category.get(f.category, 0) + f.amount
    if t["prepaid"]:
        by_category["预存"] = int(t["prepaid"])
    taken = _tenders_of_shifts(session, [int(i) for i in t.get("shift_ids", [])])
    meta = report_meta(session, actor, day.isoformat(), at)
    return DayReport(meta, day, names.get(d.settled_by, d.settled_by), int(t["shifts"]),
                     _tender_rows(t["tenders"]["expected"], t["tenders"]["counted"], t["tenders"]["difference"]),
                     taken, cashiers, fee_items, by_category, int(t["prepaid"]), int(t["over"]),
                     int(t["short"]), int(t["refunds"]), int(t["hand_ins"]), int(t["counterfeit"]),
                     d.cash_due_to_bank, d.banked, tuple(reconcile.day_status(session, day)))


def _tenders_of_shifts(session: Session, shift_ids: list[int]) -> dict[str, int]:
    """Money taken per tender by the payments of these shifts (the settlement's basis), net of
    change, voids and refunds — the same sums as `income`, keyed by shift instead of date."""
    if not shift_ids:
        return {}
    sign = case((Payment.kind == PaymentKind.PAYMENT, 1), else_=-1)
    out: dict[str, int] = {}
    for method, amount in session.execute(
            select(TenderLine.method, func.sum(sign * func.abs(TenderLine.amount)))
            .join(Payment, Payment.id == TenderLine.payment_id).where(Payment.shift_id.in_(shift_ids))
            .group_by(TenderLine.method)):
        name = TENDER_NAMES.get(method.value, method.value)
        out[name] = out.get(name, 0) + int(amount)
    change = int(session.scalar(select(func.coalesce(func.sum(sign * func.abs(Payment.change)), 0))
                                .where(Payment.shift_id.in_(shift_ids))))
    if change:
        out[TENDER_NAMES["cash"]] = out.get(TENDER_NAMES["cash"], 0) - change
    order = list(TENDER_NAMES.values())
    return dict(sorted(out.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))


@dataclass(frozen=True, slots=True)
class MonthDay:
    day: dt.date
    settled: bool
    total: int
    cash_due_to_bank: int
    banked: int
    over: int
    short: int


@dataclass(frozen=True, slots=True)
class MonthReport:
    """月结汇总: the month's settled days (each from `settlement.day_report`), summed."""

    meta: ReportMeta
    month: str
    closed: bool
    days: list[MonthDay]
    fee_items: list[FeeIncome]
    by_category: dict[str, int]
    by_tender: dict[str, int]
    unsettled_days: list[dt.date]
    #: the month's channel-days not reconciled (对账): reconcile.ChannelStatus
    unreconciled: tuple = ()

    @property
    def total(self) -> int:
        return sum(d.total for d in self.days)

    def to_json(self) -> dict:
        from app.money import format_yuan as y

        return {"month": self.month, "closed": self.closed, "total": y(self.total),
                "days": [{"day": d.day.isoformat(), "total": y(d.total), "cash_due_to_bank": y(d.cash_due_to_bank),
                          "banked": y(d.banked), "over": y(d.over), "short": y(d.short)} for d in self.days],
                "fee_items": [{"name": f.name, "category": f.category, "amount": y(f.amount)} for f in self.fee_items],
                "by_category": {k: y(v) for k, v in self.by_category.items()},
                "by_tender": {k: y(v) for k, v in self.by_tender.items()},
                "unsettled_days": [d.isoformat() for d in self.unsettled_days],
                "unreconciled": [c.to_json() for c in self.unreconciled]}


def month_report(session: Session, *, actor: Actor, month: str, at: dt.datetime | None = None) -> MonthReport:
    from app.models import Shift
    from app.services.desk import cashdesk

    auth.require(session, actor, auth.READ)
    month = parse_period(month)
    first = period_start(month)
    last = month_end(first)
    shift_days = set(session.scalars(select(Shift.business_date).where(
        Shift.business_date >= first, Shift.business_date <= last, Shift.training.is_(False)).distinct()))
    days: list[MonthDay] = []
    fees: dict[tuple[str, str], int] = {}
    by_category: dict[str, int] = {}
    by_tender: dict[str, int] = {}
    unsettled = []
    day = first
    while day <= last:
        if cashdesk.day_settled(session, day):
            d = day_report(session, actor=actor, day=day, at=at)
            days.append(MonthDay(day, True, d.total, d.cash_due_to_bank, d.banked, d.over, d.short))
            for f in d.fee_items:
                fees[(f.name, f.category)] = fees.get((f.name, f.category), 0) + f.amount
            for k, v in d.by_category.items():
                by_category[k] = by_category.get(k, 0) + v
            for k, v in d.by_tender.items():
                by_tender[k] = by_tender.get(k, 0) + v
        elif day in shift_days:
            unsettled.append(day)
        day += dt.timedelta(days=1)
    meta = report_meta(session, actor, month, at)
    return MonthReport(meta, month, cashdesk.month_closed(session, month), days,
                       [FeeIncome(n, c, a) for (n, c), a in fees.items()], by_category, by_tender, unsettled,
                       tuple(reconcile.unreconciled_days(session, month)))
