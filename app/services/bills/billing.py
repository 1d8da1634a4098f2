"""Billing: bill runs, meter readings, ad-hoc charges and the late-fee formula.

A bill run for a period creates each missing (account, fee item, period) charge and posts
them in one journal entry; running it again creates nothing (unique constraint + skip).

Late fee (滞纳金) formula, applied when a payment reaches an overdue charge:

    days = payment business date - max(due date + grace days, date late fee last charged)
    fee  = round_half_up(outstanding principal x daily rate x days)
    total late fee of a charge is capped at its principal amount.

The fee is posted as its own charge (kind late_fee, parent = the principal) on the payment
date, so the receipt shows it as a separate line and later payments accrue only new days.
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect_left
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, insert, or_, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput
from app.models import (
    Account,
    AccountStatus,
    AssignmentScope,
    BillRun,
    Charge,
    ChargeKind,
    Cycle,
    FeeAssignment,
    FeeItem,
    FeeKind,
    Meter,
    MeterReading,
    PricingMethod,
    ReadingReview,
    ReviewKind,
    Tariff,
)
from app.money import MAX_FEN, Money, format_yuan
from app.services import Actor, validate
from app.services.bills.fees import CYCLE_MONTHS, find_fee, format_rate, rate_on
from app.services.clock import (
    add_months,
    month_end,
    parse_period,
    period_start,
    utcnow,
)
from app.services.desk.cashdesk import approval_for
from app.services.journal import audit, ledger
from app.services.master.accounts import find_account
from app.services.system import auth, settings


def half_up_div(n: int, d: int) -> int:
    """Integer n/d rounded half away from zero (d > 0)."""
    q, r = divmod(abs(n), d)
    if 2 * r >= d:
        q += 1
    return q if n >= 0 else -q


def amount_for(quantity_e2: int, rate_e4: int) -> int:
    """Fen for a quantity (hundredths) at a rate (ten-thousandths of a yuan), half-up."""
    return half_up_div(quantity_e2 * rate_e4, 10_000)


def late_fee(*, outstanding: int, principal: int, already_charged: int, due_date: dt.date,
             grace_days: int, daily_ppm: int, accrued_until: dt.date | None, as_of: dt.date) -> int:
    """The module docstring's formula. Pure: all inputs are plain values."""
    if daily_ppm <= 0 or outstanding <= 0:
        return 0
    start = due_date + dt.timedelta(days=grace_days)
    if accrued_until and accrued_until > start:
        start = accrued_until
    days = (as_of - start).days
    if days <= 0:
        return 0
    fee = half_up_div(outstanding * daily_ppm * days, 1_000_000)
    return max(0, min(fee, principal - already_charged))


def revenue_book(kind: FeeKind) -> str:
    return {FeeKind.REVENUE: ledger.REVENUE, FeeKind.PASSTHROUGH: ledger.PASSTHROUGH,
            FeeKind.DEPOSIT: ledger.DEPOSIT_BILLED}[kind]


def charge_lines(
    *, account_id: int, fee: FeeItem, charge_id: int, amount: int, late: bool = False
) -> list[ledger.Line]:
    """Journal lines of a new charge: receivable against income, pass-through or deposit."""
    credit = ledger.LATE_FEE if late else revenue_book(fee.kind)
    return [
        ledger.Line(ledger.RECEIVABLE, amount, account_id=account_id, fee_item_id=fee.id, charge_id=charge_id),
        ledger.Line(credit, -amount, account_id=account_id if credit == ledger.DEPOSIT_BILLED else None,
                    fee_item_id=fee.id),
    ]


@dataclass(frozen=True, slots=True)
class BillRunResult:
    period: str
    created: int
    total: int
    skipped_existing: int
    flags: list[str] = field(default_factory=list)
    #: Assigned meters with no reading dated in the period ("1-1-101 水费"): not billed.
    missing: list[str] = field(default_factory=list)
    #: Held readings waiting for a supervisor's confirmation: not billed (nor any later reading of that meter).
    held: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"period": self.period, "created": self.created, "total": format_yuan(self.total),
                "skipped_existing": self.skipped_existing, "flags": self.flags, "missing": self.missing,
                "held": self.held}


def _assigned_accounts(session: Session, fee_item_id: int, first: dt.date, last: dt.date) -> dict[int, int]:
    """account id -> quantity for every open account a fee item is assigned to for some day of
    [first, last] (the assignment's start and end dates, when it has them, overlap the period)."""
    result: dict[int, int] = {}
    for a in session.scalars(select(FeeAssignment).where(
            FeeAssignment.fee_item_id == fee_item_id,
            or_(FeeAssignment.start_date.is_(None), FeeAssignment.start_date <= last),
            or_(FeeAssignment.end_date.is_(None), FeeAssignment.end_date >= first))):
        q = select(Account.id).where(Account.status != AccountStatus.CLOSED)
        if a.scope == AssignmentScope.BUILDING:
            q = q.where(Account.building == a.building)
        elif a.scope == AssignmentScope.ACCOUNT:
            q = q.where(Account.id == a.account_id)
        for acc_id in session.scalars(q):
            result[acc_id] = a.quantity
    return result


def bill_run(session: Session, *, actor: Actor, period: str, at: dt.datetime | None = None) -> BillRunResult:
    """Create every missing charge of `period` for fixed, area, quantity and metered fees."""
    auth.require(session, actor, auth.BILL)
    period = parse_period(period)
    start = period_start(period)
    at = at or utcnow()
    bdate = settings.business_day(session, at)
    lines: list[ledger.Line] = []
    flags: list[str] = []
    held: list[str] = []
    created = skipped = 0
    total = 0
    run = BillRun(period=period, created_count=0, total=0, flags="[]", user_id=actor.user_id, created_at=at)
    session.add(run)
    session.flush()
    for fee in session.scalars(select(FeeItem).where(FeeItem.active.is_(True), FeeItem.cycle != Cycle.ONCE)):
        if fee.method == PricingMethod.METERED:
            c, s, t, fl, ln = _bill_meter_readings(session, actor, fee, period, run.id, bdate, at, held)
        else:
            c, s, t, fl, ln = _bill_recurring(session, actor, fee, period, start, run.id, bdate, at)
        created, skipped, total = created + c, skipped + s, total + t
        flags += fl
        lines += ln
    if lines:
        ledger.post(session, actor=actor, kind="bill", business_date=bdate, lines=_merge_credits(lines),
                    memo=f"bill run {period}")
    # The run row records its outcome; it is written once here, inside the same transaction.
    run.created_count, run.total, run.flags = created, total, json.dumps(flags, ensure_ascii=False)
    missing = [f"{m.account} {m.fee}" for m in missing_meters(session, period)]
    audit.record(session, actor, "bill_run", "bill_run", run.id, period=period, created=created, total=total,
                 missing=len(missing), held=len(held))
    return BillRunResult(period, created, total, skipped, flags, missing, held)


@dataclass(frozen=True, slots=True)
class UnbilledRow:
    account: str
    owner: str
    fee: str
    reason: str


def unbilled(session: Session, *, actor: Actor, period: str) -> list[UnbilledRow]:
    """未计费清单: accounts a fee is assigned to for `period` that have no charge of it for the
    period — a bill run not made yet, a meter without a reading, an account skipped by hand."""
    auth.require(session, actor, auth.READ)
    period = parse_period(period)
    start = period_start(period)
    out: list[tuple[int, str, str]] = []
    for fee in session.scalars(select(FeeItem).where(FeeItem.active.is_(True), FeeItem.cycle != Cycle.ONCE)
                               .order_by(FeeItem.code)):
        months = CYCLE_MONTHS[fee.cycle]
        if (start.month - 1) % months != 0:  # not a billing month of this cycle
            continue
        assigned = _assigned_accounts(session, fee.id, start, month_end(add_months(start, months - 1)))
        billed = set(session.scalars(select(Charge.account_id).where(Charge.fee_item_id == fee.id,
                                                                     Charge.period == period)))
        reason = "无本期抄表读数" if fee.method == PricingMethod.METERED else "未计费"
        out += [(acc_id, fee, reason) for acc_id in assigned if acc_id not in billed]
    accounts = {i: (c, o, area) for i, c, o, area in session.execute(
        select(Account.id, Account.code, Account.owner_name, Account.built_area)
        .where(Account.id.in_({a for a, _, _ in out})))}

    def why(acc_id: int, fee: FeeItem, reason: str) -> str:
        zero_area = fee.method == PricingMethod.AREA and not accounts[acc_id][2]
        return "建筑面积为 0，计费金额为 0" if zero_area else reason

    return sorted(
        (UnbilledRow(accounts[a][0], accounts[a][1], fee.name, why(a, fee, reason)) for a, fee, reason in out),
        key=lambda r: (r.account, r.fee),
    )


def _merge_credits(lines: list[ledger.Line]) -> list[ledger.Line]:
    """One income line per (book, fee, account) instead of one per charge: fewer rows, same sums."""
    merged: dict[tuple, int] = {}
    out = []
    for ln in lines:
        if ln.book == ledger.RECEIVABLE:
            out.append(ln)
        else:
            key = (ln.book, ln.fee_item_id, ln.account_id)
            merged[key] = merged.get(key, 0) + ln.amount
    out += [ledger.Line(book, amt, fee_item_id=fee, account_id=acc) for (book, fee, acc), amt in merged.items()]
    return out


def _bill_recurring(session, actor, fee: FeeItem, period: str, start: dt.date, run_id: int, bdate, at):
    months = CYCLE_MONTHS[fee.cycle]
    if (start.month - 1) % months != 0:  # quarterly bills Jan/Apr/Jul/Oct, yearly bills January
        return 0, 0, 0, [], []
    rate = rate_on(session, fee.id, start)
    if rate is None:
        return 0, 0, 0, [f"{fee.name}：{period} 没有有效的收费标准，未计费"], []
    end = month_end(add_months(start, months - 1))
    assigned = _assigned_accounts(session, fee.id, start, end)
    if not assigned:
        return 0, 0, 0, [], []
    existing = set(
        session.scalars(select(Charge.account_id).where(Charge.fee_item_id == fee.id, Charge.period == period))
    )
    due = end + dt.timedelta(days=fee.due_days)
    areas = dict(session.execute(select(Account.id, Account.built_area).where(Account.id.in_(assigned))).all()) \
        if fee.method == PricingMethod.AREA else {}
    rows = []
    for acc_id, qty in assigned.items():
        if acc_id in existing:
            continue
        if fee.method == PricingMethod.AREA:
            quantity_e2 = areas[acc_id] * months
            basis = f"{areas[acc_id] / 100:.2f}㎡×{format_rate(rate)}×{months}月"
        else:
            quantity_e2 = qty * 100 * months
            basis = f"{qty}×{format_rate(rate)}×{months}月" if fee.method == PricingMethod.QUANTITY \
                else f"{format_rate(rate)}×{months}月"
        amount = amount_for(quantity_e2, rate)
        if amount <= 0:
            continue
        if amount > MAX_FEN:
            raise InvalidInput(f"{fee.name}：计费金额 {format_yuan(amount)} 元超出上限，请检查单价和面积/用量")
        rows.append(dict(account_id=acc_id, fee_item_id=fee.id, kind=ChargeKind.REGULAR, period=period,
                         period_start=start, period_end=end, quantity_e2=quantity_e2, rate_e4=rate, amount=amount,
                         due_date=due, basis=basis, bill_run_id=run_id, note="", user_id=actor.user_id,
                         business_date=bdate, created_at=at, training=False))
    if not rows:
        return 0, len(existing), 0, [], []
    lines = _insert_charges(session, fee, rows)
    return len(rows), len(existing), sum(r["amount"] for r in rows), [], lines


def _insert_charges(session: Session, fee: FeeItem, rows: list[dict]) -> list[ledger.Line]:
    """Insert one fee item's charges of a bill run (one per account) and return their journal lines.

    RETURNING gives (id, account_id) pairs; they are matched by account rather than by row
    order, because asking SQLite for ordered RETURNING makes SQLAlchemy insert row by row.
    """
    table = Charge.__table__  # Core insert: the ORM bulk layer adds nothing here but time
    returned = session.execute(insert(table).returning(table.c.id, table.c.account_id), rows).all()
    id_of = {acc: cid for cid, acc in returned}
    lines = []
    for row in rows:
        lines += charge_lines(account_id=row["account_id"], fee=fee, charge_id=id_of[row["account_id"]],
                              amount=row["amount"])
    return lines


@dataclass(frozen=True, slots=True)
class MeterResult:
    account: str
    fee: str
    previous: str
    reading: str
    usage: str
    flags: list[str]
    #: Why the reading is held for a supervisor's confirmation ('' = billable).
    held: str = ""


def parse_reading(text: str) -> int:
    t = (text or "").strip()
    try:
        money = Money.parse(t)  # same strict grammar: digits with up to two decimals
    except Exception:
        raise InvalidInput(f"读数格式不正确：“{text}”（最多两位小数）") from None
    if money.fen > MAX_READING_E2:
        raise InvalidInput(f"数值过大：“{text}”（不超过 {MAX_READING_E2 // 100}）")
    return money.fen


# Readings and quantities are stored in hundredths in 32-bit columns.
MAX_READING_E2 = 999_999_999


def effective_readings():
    """Filter: readings not replaced by a correction (a corrected reading stays, but counts no more)."""
    return ~MeterReading.id.in_(select(ReadingReview.reading_id).where(ReadingReview.kind == ReviewKind.CORRECTED))


def held_reading_ids(session: Session, fee_item_id: int | None = None) -> dict[int, str]:
    """reading id -> hold reason, for held readings no supervisor has confirmed yet."""
    q = (select(ReadingReview.reading_id, ReadingReview.reason).join(MeterReading, MeterReading.id ==
                                                                      ReadingReview.reading_id)
         .where(ReadingReview.kind == ReviewKind.HELD, effective_readings(),
                ~ReadingReview.reading_id.in_(select(ReadingReview.reading_id)
                                              .where(ReadingReview.kind == ReviewKind.CONFIRMED))))
    if fee_item_id is not None:
        q = q.where(MeterReading.fee_item_id == fee_item_id)
    return dict(session.execute(q).all())


def last_reading(session: Session, account_id: int, fee_item_id: int) -> MeterReading | None:
    return session.scalar(select(MeterReading).where(MeterReading.account_id == account_id,
                                                     MeterReading.fee_item_id == fee_item_id, effective_readings())
                          .order_by(MeterReading.id.desc()).limit(1))


def multiplier_of(session: Session, account_id: int, fee_item_id: int) -> int:
    """互感器倍率 of the account's meter (1 when no meter is registered)."""
    return session.scalar(select(Meter.multiplier).where(Meter.account_id == account_id,
                                                         Meter.fee_item_id == fee_item_id)) or 1


def meter_usage(value: int, previous: int, multiplier: int) -> int:
    usage = (value - previous) * multiplier
    if usage > MAX_READING_E2:
        raise InvalidInput(f"用量 {usage / 100:.2f} 过大（读数差×倍率 {multiplier}），请检查读数和倍率")
    return usage


def read_meter(session: Session, *, actor: Actor, account_code: str, fee_code: str, reading: str,
               read_on: dt.date | None = None, replaced: bool = False, reader: str = "") -> MeterResult:
    """Record a reading; lower than the last is refused unless the meter was replaced, and so is
    a second reading of the same meter on the same day. Usage = difference x the meter's multiplier.
    Unusual use (`hold_reason`) is held: not billed until a supervisor confirms it (`meters.confirm`)."""
    auth.require(session, actor, auth.BILL)
    acc = find_account(session, account_code)
    fee = find_fee(session, fee_code)
    if fee.method != PricingMethod.METERED:
        raise InvalidInput(f"“{fee.name}”不是抄表计费项目")
    value = parse_reading(reading)
    read_on = read_on or settings.today(session)
    last = last_reading(session, acc.id, fee.id)
    previous = last.reading_e2 if last else 0
    if last and read_on < last.read_on:
        raise InvalidInput(f"抄表日期早于上次抄表（{last.read_on}）")
    if last and read_on == last.read_on:
        raise InvalidInput(f"{acc.code} {fee.name} 在 {read_on} 已有读数 {previous / 100:.2f}，同一块表同一天不能再抄；"
                           "读数有误请办理“更正读数”")
    if replaced:
        previous = 0  # a new meter starts from zero
    elif value < previous:
        raise InvalidInput(f"读数 {value / 100:.2f} 小于上次读数 {previous / 100:.2f}；如已换表请标记“换表”")
    usage = meter_usage(value, previous, multiplier_of(session, acc.id, fee.id))
    row = MeterReading(account_id=acc.id, fee_item_id=fee.id, reading_e2=value, previous_e2=previous, usage_e2=usage,
                       read_on=read_on, replaced=replaced, user_id=actor.user_id, created_at=utcnow())
    session.add(row)
    session.flush()
    flags = _usage_flags(session, row, acc.code, fee.name) if last or replaced else []
    held = hold_reason(session, row) if last and not replaced else ""
    if held:
        session.add(ReadingReview(reading_id=row.id, kind=ReviewKind.HELD, reason=held, user_id=actor.user_id,
                                  created_at=row.created_at))
        session.flush()
    audit.record(session, actor, "meter_read", "meter_reading", row.id, account=acc.code, fee=fee.code,
                 reading_e2=value, previous_e2=previous, replaced=replaced, **({"held": held} if held else {}),
                 **({"reader": reader} if reader else {}))
    return MeterResult(acc.code, fee.code, f"{previous / 100:.2f}", f"{value / 100:.2f}", f"{usage / 100:.2f}",
                       flags, held)


#: A hold needs this many earlier readings of the meter: an average or a minimum of fewer says little.
HOLD_HISTORY = 3


def hold_reason(session: Session, row: MeterReading) -> str:
    """Why a new reading is held, or '': its use above `meter_hold_multiple` x the average of the
    meter's last (up to) 6 readings, or (`meter_hold_low` = 1) below that average divided by the
    same multiple. (Below the least recent use would hold every new low: dozens a month.)"""
    recent = _recent_usage(session, [row])[row.id]
    if len(recent) < HOLD_HISTORY:
        return ""
    multiple = settings.get(session, "meter_hold_multiple").strip() or "0"
    times = parse_reading(multiple)  # hundredths: '2.5' -> 250
    avg = sum(recent) / len(recent)
    if times and avg > 0 and row.usage_e2 * 100 > times * avg:
        return f"用量 {row.usage_e2 / 100:.2f} 超过近期平均 {avg / 100:.2f} 的 {multiple} 倍"
    if times and settings.get(session, "meter_hold_low") == "1" and row.usage_e2 * times < avg * 100:
        return f"用量 {row.usage_e2 / 100:.2f} 不到近期平均 {avg / 100:.2f} 的 1/{multiple}"
    return ""


@dataclass(frozen=True, slots=True)
class MissingMeter:
    account: str
    owner: str
    fee: str
    number: str
    last_read_on: dt.date | None


def missing_meters(session: Session, period: str) -> list[MissingMeter]:
    """Assigned meters with no reading dated in `period`: accounts a metered fee is assigned to
    for the period, and accounts with a registered meter of it (open accounts only)."""
    start = period_start(parse_period(period))
    end = month_end(start)
    out = []
    for fee in session.scalars(select(FeeItem).where(FeeItem.active.is_(True), FeeItem.method == PricingMethod.METERED)
                               .order_by(FeeItem.code)):
        numbers = dict(
            session.execute(
                select(Meter.account_id, Meter.number)
                .join(Account, Account.id == Meter.account_id)
                .where(Meter.fee_item_id == fee.id, Account.status != AccountStatus.CLOSED)
            ).all()
        )
        assigned = set(_assigned_accounts(session, fee.id, start, end)) | set(numbers)
        read = set(session.scalars(select(MeterReading.account_id).where(
            MeterReading.fee_item_id == fee.id, MeterReading.read_on >= start, MeterReading.read_on <= end,
            effective_readings())))
        last = dict(session.execute(select(MeterReading.account_id, func.max(MeterReading.read_on))
                                    .where(MeterReading.fee_item_id == fee.id, effective_readings())
                                    .group_by(MeterReading.account_id)).all())
        todo = assigned - read
        accounts = session.execute(select(Account.id, Account.code, Account.owner_name)
                                   .where(Account.id.in_(todo))).all()
        out += [MissingMeter(code, owner, fee.name, numbers.get(acc_id, ""), last.get(acc_id))
                for acc_id, code, owner in accounts]
    return sorted(out, key=lambda m: (m.account, m.fee))


def _usage_flags(session: Session, row: MeterReading, code: str, fee_name: str) -> list[str]:
    """Zero use, and use over 3x the average of the last (up to) 6 readings."""
    return _usage_flags_of(session, [(row, code)], fee_name)


def _usage_flags_of(session: Session, readings: list[tuple[MeterReading, str]], fee_name: str) -> list[str]:
    """`_usage_flags` of many (reading, account code) pairs, in their order, in one query.

    "Last 6 readings" of a reading: the latest earlier readings (by id) of the same meter
    that had a previous reading (previous_e2 > 0), as before; a bill run flags all its
    readings with one history query instead of one per reading.
    """
    recent_of = _recent_usage(session, [r for r, _ in readings if r.usage_e2 != 0])
    flags = []
    for row, code in readings:
        if row.usage_e2 == 0:
            flags.append(f"{code} {fee_name}：本期用量为零")
            continue
        recent = recent_of[row.id]
        if recent:
            avg = sum(recent) / len(recent)
            if avg > 0 and row.usage_e2 > 3 * avg:
                flags.append(f"{code} {fee_name}：用量 {row.usage_e2 / 100:.2f} 超过近期平均 {avg / 100:.2f} 的 3 倍")
    return flags


def _recent_usage(session: Session, readings: list[MeterReading]) -> dict[int, list[int]]:
    """reading id -> usage of up to 6 earlier effective readings of its meter with previous_e2 > 0."""
    if not readings:
        return {}
    meters = {(r.account_id, r.fee_item_id) for r in readings}
    q = select(MeterReading.account_id, MeterReading.fee_item_id, MeterReading.id, MeterReading.usage_e2).where(
        MeterReading.fee_item_id.in_({fee for _, fee in meters}), MeterReading.id < max(r.id for r in readings),
        MeterReading.previous_e2 > 0, effective_readings())
    if len(meters) == 1:  # one meter (a reading at the window): only its own history
        q = q.where(MeterReading.account_id == next(iter(meters))[0])
    history: dict[tuple[int, int], tuple[list[int], list[int]]] = {m: ([], []) for m in meters}
    for acc_id, fee_id, rid, usage in session.execute(q.order_by(MeterReading.id)):
        ids_usages = history.get((acc_id, fee_id))
        if ids_usages is not None:
            ids_usages[0].append(rid)
            ids_usages[1].append(usage)
    out = {}
    for r in readings:
        ids, usages = history[(r.account_id, r.fee_item_id)]
        k = bisect_left(ids, r.id)
        out[r.id] = usages[max(0, k - 6):k]
    return out


# ---- tariff changes between two readings ------------------------------------------------

@dataclass(frozen=True, slots=True)
class MeterPart:
    """Usage billed at one rate: the days from `since` on (until the next part)."""

    since: dt.date
    quantity_e2: int
    rate_e4: int
    amount: int


def split_usage(intervals: list[tuple[dt.date, dt.date, int]],
                tariffs: list[tuple[dt.date, int]]) -> list[MeterPart] | None:
    """Price the usage of reading intervals (previous reading date, reading date, usage) under
    effective-dated tariffs (effective_from, rate), ascending. Pure.

    The usage of an interval is spread evenly over its days (previous date .. reading date - 1);
    each day takes the rate in force on it, so a tariff change between two readings bills the
    days before it at the old rate and the rest at the new (pro rata by days, the quantity rounded
    half-up cumulatively so the parts sum to the usage). A reading taken on the change date ends
    an interval there, so each side is billed wholly at its own rate. Consecutive days at the same
    rate make one part. None when a day has no tariff.
    """
    def rate_on_day(day: dt.date) -> int | None:
        rate = None
        for since, r in tariffs:
            if since <= day:
                rate = r
        return rate

    parts: list[list] = []  # [since, quantity, rate]
    for prev, day, usage in intervals:
        days = (day - prev).days
        cuts = [prev] + [c for c, _ in tariffs if prev < c < day] + [day] if days > 0 else [day, day]
        total = max(days, 1)
        done = 0
        for a, b in zip(cuts, cuts[1:], strict=False):
            rate = rate_on_day(a)
            if rate is None:
                return None
            upto = half_up_div(usage * max((b - prev).days, 0), total) if days > 0 else usage
            q, done = upto - done, upto
            if parts and parts[-1][2] == rate:
                parts[-1][1] += q
            else:
                parts.append([a, q, rate])
    return [MeterPart(since, q, rate, amount_for(q, rate)) for since, q, rate in parts]


def meter_basis(first: MeterReading, last: MeterReading, usage: int, parts: list[MeterPart], multiplier: int) -> str:
    """The charge's basis: the reading range, the usage and, for a tariff change, one line per rate."""
    times = f"×{multiplier}" if multiplier != 1 else ""
    head = f"{first.previous_e2 / 100:.2f}→{last.reading_e2 / 100:.2f}{times} 用量{usage / 100:.2f}"
    if len(parts) == 1:
        return f"{head}×{format_rate(parts[0].rate_e4)}"
    lines = [head]
    for i, p in enumerate(parts):
        when = f"{parts[1].since.isoformat()}前" if i == 0 else f"{p.since.isoformat()}起"
        lines.append(f"{when} {p.quantity_e2 / 100:.2f}×{format_rate(p.rate_e4)}={format_yuan(p.amount)}")
    return "\n".join(lines)[:120]


def tariffs_of(session: Session, fee_item_id: int) -> list[tuple[dt.date, int]]:
    return [(t.effective_from, t.rate_e4) for t in session.scalars(
        select(Tariff).where(Tariff.fee_item_id == fee_item_id).order_by(Tariff.effective_from))]


def price_readings(tariffs: list[tuple[dt.date, int]], items: list[MeterReading],
                   previous_day: dict[int, dt.date]) -> tuple[list[MeterPart] | None, int]:
    """(parts, usage) of a charge covering `items` (previous_day: reading id -> date of the reading before)."""
    parts = split_usage([(previous_day[r.id], r.read_on, r.usage_e2) for r in items], tariffs)
    return parts, sum(r.usage_e2 for r in items)


def billed_through(session: Session, fee_item_id: int) -> dict[int, int]:
    """account id -> id of the last reading billed: the last reading a charge covers, or the reading
    that replaced it by a correction (re-billed by the correction itself, `meters.correct`)."""
    last = dict(session.execute(
        select(Charge.account_id, func.max(Charge.meter_reading_id))
        .where(Charge.fee_item_id == fee_item_id, Charge.meter_reading_id.is_not(None))
        .group_by(Charge.account_id)).all())
    replaced = dict(session.execute(select(ReadingReview.reading_id, ReadingReview.replacement_id).where(
        ReadingReview.kind == ReviewKind.CORRECTED)).all())
    for acc_id, rid in last.items():
        while rid in replaced:  # a correction may be corrected again: follow the chain
            rid = replaced[rid]
        last[acc_id] = rid
    return last


def _bill_meter_readings(session, actor, fee: FeeItem, period: str, run_id: int, bdate, at, held_out: list[str]):
    """Bill each account's readings taken up to the end of the period and not billed yet.

    A reading is billed once: a metered charge remembers the last reading it covers, and the
    next bill run starts after it. Several unbilled readings become one charge (their usage
    summed); the first reading of a meter only sets its starting point. A held reading (not yet
    confirmed) stops its meter: neither it nor any later reading is billed until it is confirmed.
    Each reading's usage is priced by `split_usage` (a tariff change between readings: two parts).
    """
    end = month_end(period_start(period))
    last_billed = billed_through(session, fee.id)
    existing = set(
        session.scalars(select(Charge.account_id).where(Charge.fee_item_id == fee.id, Charge.period == period))
    )
    readings = session.scalars(
        select(MeterReading)
        .where(MeterReading.fee_item_id == fee.id, MeterReading.read_on <= end, effective_readings())
        .order_by(MeterReading.account_id, MeterReading.id)
    ).all()
    held = held_reading_ids(session, fee.id)
    by_account: dict[int, list[MeterReading]] = {}
    stopped: dict[int, MeterReading] = {}
    previous_day: dict[int, dt.date] = {}
    last_of: dict[int, MeterReading] = {}
    for r in readings:
        before = last_of.get(r.account_id)
        last_of[r.account_id] = r
        if before is None or r.id <= last_billed.get(r.account_id, 0) or r.account_id in stopped:
            continue
        if r.id in held:
            stopped[r.account_id] = r
            continue
        previous_day[r.id] = before.read_on
        by_account.setdefault(r.account_id, []).append(r)
    codes = dict(session.execute(select(Account.id, Account.code)
                                 .where(Account.id.in_(set(by_account) | set(stopped)))).all())
    held_out += [
        f"{codes[acc_id]} {fee.name} {r.read_on} 读数 {r.reading_e2 / 100:.2f}：{held[r.id]}（待主管复核，未计费）"
        for acc_id, r in sorted(stopped.items(), key=lambda x: codes[x[0]])
    ]
    rows, skipped, no_rate = [], 0, False
    tariffs = tariffs_of(session, fee.id)
    multipliers = dict(session.execute(select(Meter.account_id, Meter.multiplier)
                                       .where(Meter.fee_item_id == fee.id)).all())
    flags = _usage_flags_of(session, [(r, codes[acc_id]) for acc_id, items in by_account.items()
                                      if acc_id not in existing for r in items], fee.name)
    for acc_id, items in by_account.items():
        if acc_id in existing:
            skipped += 1
            continue
        parts, usage = price_readings(tariffs, items, previous_day)
        if parts is None:
            no_rate = True
            continue
        amount = sum(p.amount for p in parts)
        if amount <= 0:
            continue
        if amount > MAX_FEN:
            raise InvalidInput(f"{fee.name}：计费金额 {format_yuan(amount)} 元超出上限，请检查单价和面积/用量")
        basis = meter_basis(items[0], items[-1], usage, parts, multipliers.get(acc_id, 1))
        rows.append(dict(account_id=acc_id, fee_item_id=fee.id, kind=ChargeKind.METERED, period=period,
                         period_start=period_start(period), period_end=end, quantity_e2=usage,
                         rate_e4=parts[-1].rate_e4, amount=amount, due_date=end + dt.timedelta(days=fee.due_days),
                         basis=basis, bill_run_id=run_id, meter_reading_id=items[-1].id, note="",
                         user_id=actor.user_id, business_date=bdate, created_at=at, training=False))
    if no_rate:
        flags.insert(0, f"{fee.name}：{period} 没有有效的收费标准，未计费")
    if not rows:
        return 0, skipped, 0, flags, []
    lines = _insert_charges(session, fee, rows)
    return len(rows), skipped, sum(r["amount"] for r in rows), flags, lines


@dataclass(frozen=True, slots=True)
class ChargeAdded:
    charge_id: int
    account: str
    fee: str
    amount: int


def add_charge(session: Session, *, actor: Actor, account_code: str, fee_code: str, quantity: str = "",
               amount: str = "", note: str = "", reason: str = "", approver: str | None = None,
               approver_password: str | None = None, at: dt.datetime | None = None,
               training: bool = False) -> ChargeAdded:
    """An ad-hoc itemised charge: quantity x the catalogue rate of the fee item.

    A typed amount instead of the catalogue price (a fee item without a rate, a one-off price)
    needs a reason and a supervisor's approval (`cashdesk.approval_for`, action charge_amount).
    """
    user = auth.require(session, actor, auth.CHARGE)
    acc = find_account(session, account_code)
    fee = find_fee(session, fee_code)
    at = at or utcnow()
    bdate = settings.business_day(session, at)
    rate = rate_on(session, fee.id, bdate) or 0
    approval = None
    if amount:
        value = Money.parse(amount).fen
        quantity_e2, basis = 100, note or "按金额"
        if quantity:
            raise InvalidInput("数量和金额只能填一项：按数量取收费标准，或按金额（需主管审批）")
        if 0 < value <= MAX_FEN:
            approval = approval_for(session, actor, user, action="charge_amount", amount=value, reason=reason,
                                    approver=approver, approver_password=approver_password,
                                    reference=f"{acc.code} {fee.code}")
    else:
        q = parse_reading(quantity or "1")
        if q <= 0:
            raise InvalidInput("数量必须大于零")
        value, quantity_e2 = amount_for(q, rate), q
        basis = f"{q / 100:g}{fee.unit_name}×{format_rate(rate)}"
    if value <= 0:
        raise InvalidInput("费用金额必须大于零")
    if value > MAX_FEN:
        raise InvalidInput(f"费用金额 {format_yuan(value)} 元超出上限，请检查数量和单价")
    note = validate.text("备注", note, 200)
    ch = Charge(account_id=acc.id, fee_item_id=fee.id, kind=ChargeKind.ADHOC, period=None, period_start=bdate,
                period_end=bdate, quantity_e2=quantity_e2, rate_e4=rate, amount=value, due_date=bdate, basis=basis,
                note=note, user_id=actor.user_id, business_date=bdate, created_at=at, training=training)
    session.add(ch)
    session.flush()
    ledger.post(session, actor=actor, kind="charge", business_date=bdate, training=training,
                lines=charge_lines(account_id=acc.id, fee=fee, charge_id=ch.id, amount=value))
    audit.record(session, actor, "charge_add", "charge", ch.id, account=acc.code, fee=fee.code, amount=value,
                 **({"reason": reason.strip(), "approver": approver} if approval else {}))
    return ChargeAdded(ch.id, acc.code, fee.code, value)


def _open_charges_query(*, selected: bool):
    due = (select(ledger.Posting.charge_id, func.sum(ledger.Posting.amount).label("due"))
           .where(ledger.Posting.book == ledger.RECEIVABLE, ledger.Posting.account_id == bindparam("account_id"))
           .group_by(ledger.Posting.charge_id).having(func.sum(ledger.Posting.amount) != 0).subquery())
    q = (select(Charge, due.c.due, FeeItem).join(due, due.c.charge_id == Charge.id)
         .join(FeeItem, FeeItem.id == Charge.fee_item_id).order_by(Charge.due_date, Charge.id))
    return q.where(Charge.id.in_(bindparam("charge_ids", expanding=True))) if selected else q


# Built once: the payment path runs these on every payment (building a statement costs as much as running it).
_OPEN_CHARGES = _open_charges_query(selected=False)
_OPEN_SELECTED_CHARGES = _open_charges_query(selected=True)
# Only real late fees count: a practice payment's late fee (练习模式, training book) must neither
# lower the cap nor move the accrual date of the late fee a real payment charges later.
_LATE_FEES_CHARGED = (
    select(Charge.parent_charge_id, func.sum(Charge.amount), func.max(Charge.business_date))
    .where(Charge.parent_charge_id.in_(bindparam("charge_ids", expanding=True)), Charge.kind == ChargeKind.LATE_FEE,
           Charge.training.is_(False))
    .group_by(Charge.parent_charge_id))


def reinstate_written_off(session: Session, *, actor: Actor, account_id: int, charge_ids: list[int],
                          day: dt.date, at: dt.datetime) -> int:
    """账销案存: a written-off debt stays collectable. When a payment selects a written-off charge,
    what was written off and not yet recovered is owed again (receivable back, bad debt reversed,
    a negative `write_off_recovery` adjustment) in the payment's own transaction, and the payment
    then pays it like any charge. Returns the fen reinstated (reported as 核销收回)."""
    from app.models import AdjustmentKind, ChargeAdjustment

    written = session.execute(
        select(ChargeAdjustment.charge_id, func.sum(ChargeAdjustment.amount))
        .join(Charge, Charge.id == ChargeAdjustment.charge_id)
        .where(Charge.account_id == account_id, Charge.id.in_(charge_ids), Charge.training.is_(False),
               ChargeAdjustment.kind.in_([AdjustmentKind.WRITE_OFF, AdjustmentKind.WRITE_OFF_RECOVERY]))
        .group_by(ChargeAdjustment.charge_id)).all()
    total = 0
    for charge_id, still_written_off in written:
        amount = int(still_written_off)
        if amount <= 0:
            continue
        charge = session.get(Charge, charge_id)
        lines = [ledger.Line(ledger.RECEIVABLE, amount, account_id=account_id, fee_item_id=charge.fee_item_id,
                             charge_id=charge_id),
                 ledger.Line(ledger.BAD_DEBT, -amount, fee_item_id=charge.fee_item_id)]
        entry_id = ledger.post(session, actor=actor, kind="write_off_recovery", business_date=day,
                               lines=lines, memo="核销后收回（账销案存）")
        session.add(ChargeAdjustment(charge_id=charge_id, kind=AdjustmentKind.WRITE_OFF_RECOVERY, amount=-amount,
                                     reason="核销后收回（账销案存）", approval_id=None, journal_entry_id=entry_id,
                                     user_id=actor.user_id, business_date=day, created_at=at))
        total += amount
    if total:
        session.flush()
        audit.record(session, actor, "write_off_recovery", "account", account_id, charges=[c for c, _ in written],
                     amount=total)
    return total


def written_off_charges(session: Session, account_id: int) -> list[tuple[int, str, str, int]]:
    """(charge id, fee name, period, amount still written off) of an account: debts given up but
    still collectable (a payment that selects one reinstates it, `reinstate_written_off`)."""
    from app.models import AdjustmentKind, ChargeAdjustment

    rows = session.execute(
        select(Charge.id, FeeItem.name, Charge.period, func.sum(ChargeAdjustment.amount))
        .join(ChargeAdjustment, ChargeAdjustment.charge_id == Charge.id).join(FeeItem, FeeItem.id == Charge.fee_item_id)
        .where(Charge.account_id == account_id, Charge.training.is_(False),
               ChargeAdjustment.kind.in_([AdjustmentKind.WRITE_OFF, AdjustmentKind.WRITE_OFF_RECOVERY]))
        .group_by(Charge.id, FeeItem.name, Charge.period).order_by(Charge.id)).all()
    return [(cid, name, period or "", int(amount)) for cid, name, period, amount in rows if amount > 0]


def outstanding_charges(session: Session, account_id: int,
                        charge_ids: list[int] | None = None) -> list[tuple[Charge, int, FeeItem]]:
    """(charge, outstanding, fee item) for an account's open charges, oldest due first.

    A caller that allocates money to them holds the account row lock first (the payment takes
    it with `find_account(lock=True)`), so two windows never allocate the same charge at once.
    """
    if charge_ids is None:
        rows = session.execute(_OPEN_CHARGES, {"account_id": account_id})
    else:
        rows = session.execute(_OPEN_SELECTED_CHARGES, {"account_id": account_id, "charge_ids": list(charge_ids)})
    return [(c, int(d), fee) for c, d, fee in rows]


def late_fees_charged(session: Session, charge_ids: list[int]) -> dict[int, tuple[int, dt.date]]:
    """parent charge id -> (late fee already charged, last date charged); practice late fees left out."""
    if not charge_ids:
        return {}
    rows = session.execute(_LATE_FEES_CHARGED, {"charge_ids": list(charge_ids)})
    return {pid: (int(total), last) for pid, total, last in rows}
