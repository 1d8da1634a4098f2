"""Day settlement (日结), month close (月结) and bank deposit (解款).

A day is settled once every real shift of that day (and before) is closed and accepted. Its
totals are the sums of the accepted closes (stored with each close, so settling 20 shifts of
5,000 payments reads 20 rows, not 100,000 payments). After settlement the date is locked:
`ledger.post` (its `period_guard`) refuses any posting carrying it. A month close sums the month's
settlements and locks the month. Training shifts never reach a settlement.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound, PeriodClosed, ShiftError
from app.models import (
    BankDeposit,
    CashMovement,
    CashMovementKind,
    DaySettlement,
    HandIn,
    JournalEntry,
    MonthClose,
    Payment,
    PaymentKind,
    Posting,
    Shift,
    ShiftStatus,
    Station,
    User,
)
from app.money import Money, format_yuan
from app.services import Actor
from app.services.clock import month_end, parse_period, period_start, utcnow
from app.services.desk.cashdesk import bdate, day_settled, dumps, month_closed
from app.services.desk.closes import ShiftSummary, accepted_closes
from app.services.journal import audit, concurrency, ledger
from app.services.system import auth


def _add(target: dict[str, int], source: dict[str, int]) -> None:
    for k, v in source.items():
        target[k] = target.get(k, 0) + int(v)


COUNT_KEYS = {"count", "shifts", "receipts_count", "voided_count", "reprinted_count", "imported_shifts", "days"}


def _yuan_tree(data):
    """Fen integers under money keys -> yuan strings, for JSON output (counts stay numbers)."""
    if isinstance(data, dict):
        return {k: format_yuan(v) if isinstance(v, int) and k not in COUNT_KEYS else _yuan_tree(v)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_yuan_tree(x) for x in data]
    return data


@dataclass(frozen=True, slots=True)
class DaySettled:
    business_date: dt.date
    totals: dict
    cash_due_to_bank: int
    banked: int
    settled_by: str
    #: channels of the day not reconciled (对账) yet: [{"channel", "status", "open_items"}]
    unreconciled: tuple = ()

    def to_json(self) -> dict:
        return {
            "business_date": self.business_date.isoformat(),
            "settled_by": self.settled_by,
            **_yuan_tree(self.totals),
            "cash_due_to_bank": format_yuan(self.cash_due_to_bank),
            "banked": format_yuan(self.banked),
            "to_bank_outstanding": format_yuan(self.cash_due_to_bank - self.banked),
            "unreconciled": list(self.unreconciled),
        }


def _unreconciled(session: Session, first: dt.date, last: dt.date) -> list[dict]:
    from app.services.bank import reconcile

    return [{"date": d.isoformat(), "channel": ch, "status": status, "open_items": n}
            for d, ch, status, n in reconcile.unreconciled(session, first, last)]


def _day_totals(session: Session, day: dt.date) -> dict:
    shifts = list(session.scalars(select(Shift).where(Shift.business_date == day, Shift.training.is_(False))
                                  .order_by(Shift.id)))
    closes = accepted_closes(session, [s.id for s in shifts])
    users = {u.id: u.username for u in session.scalars(select(User))}
    expected: dict[str, int] = {}
    counted: dict[str, int] = {}
    difference: dict[str, int] = {}
    fee_items: dict[str, dict] = {}
    cashiers: dict[str, dict] = {}
    prepaid = over = short = takings = refunds = bank_run = imported = 0
    for s in shifts:
        c = closes.get(s.id)
        if c is None:  # history imported in bulk as already accepted: it has no close to sum
            imported += 1
            continue
        e, k, d = json.loads(c.expected_json), json.loads(c.counted_json), json.loads(c.difference_json)
        summary = ShiftSummary.from_json(json.loads(c.summary_json))
        _add(expected, e)
        _add(counted, k)
        _add(difference, d)
        for f in summary.fee_items:
            row = fee_items.setdefault(f.code, {"name": f.name, "kind": f.kind, "amount": 0})
            row["amount"] += f.amount
        prepaid += summary.prepaid
        s_over = sum(v for v in d.values() if v > 0)
        s_short = -sum(v for v in d.values() if v < 0)
        over += s_over
        short += s_short
        takings += summary.cash_takings
        bank_run += summary.bank_run
        refunds += sum(r.amount for r in summary.refunds)
        who = cashiers.setdefault(users[s.cashier_id], {"counted": {}, "over": 0, "short": 0, "cash_takings": 0,
                                                        "receipts_count": 0, "voided_count": 0, "reprinted_count": 0,
                                                        "shifts": 0})
        _add(who["counted"], k)
        who["over"] += s_over
        who["short"] += s_short
        who["cash_takings"] += summary.cash_takings
        who["receipts_count"] += summary.receipts.count
        who["voided_count"] += len(summary.receipts.voided)
        who["reprinted_count"] += len(summary.receipts.reprinted)
        who["shifts"] += 1
    hand_ins = int(session.scalar(select(func.coalesce(func.sum(HandIn.amount), 0))
                                  .where(HandIn.business_date == day, HandIn.training.is_(False))))
    counterfeit = -int(session.scalar(select(func.coalesce(func.sum(CashMovement.amount), 0)).where(
        CashMovement.business_date == day, CashMovement.kind == CashMovementKind.COUNTERFEIT,
        CashMovement.training.is_(False))))
    return {"shifts": len(shifts) - imported, "imported_shifts": imported,
            "shift_ids": [s.id for s in shifts if s.id in closes], "tenders": {
        "expected": expected, "counted": counted, "difference": difference},
        "fee_items": fee_items, "prepaid": prepaid, "cashiers": cashiers, "over": over, "short": short,
        "refunds": refunds, "hand_ins": hand_ins, "counterfeit": counterfeit, "cash_takings": takings,
        "bank_run": bank_run}


def _banked(session: Session, day: dt.date, totals: dict) -> int:
    deposits = int(session.scalar(select(func.coalesce(func.sum(BankDeposit.amount), 0))
                                  .where(BankDeposit.for_date == day)))
    return deposits + totals.get("bank_run", 0)


PENDING_NAMES = {"open": "未轧帐", "closed": "未验收"}


@dataclass(frozen=True, slots=True)
class PreviewShift:
    id: int
    station: str
    cashier: str
    status: str  # open / closed / accepted
    business_date: dt.date
    #: counted per tender once accepted (the figures the settlement sums), else empty
    counted: dict
    blocker: bool


def _day_refusal(session: Session, day: dt.date, at: dt.datetime) -> None:
    """What refuses settling `day` whatever its shifts: settled already, month closed, not come yet."""
    if day_settled(session, day):
        raise PeriodClosed(f"营业日 {day} 已日结，不能重复日结")
    if month_closed(session, f"{day.year:04d}-{day.month:02d}"):
        raise PeriodClosed(f"{day:%Y-%m} 已月结")
    if day > bdate(session, at):
        raise InvalidInput(f"营业日 {day} 还没有到，不能日结")


def _pending_shifts(session: Session, day: dt.date) -> list[PreviewShift]:
    """Real shifts of `day` or before that are open or not accepted: each one blocks the settlement."""
    return [PreviewShift(s.id, st, u, s.status.value, s.business_date, {}, True) for s, st, u in session.execute(
        select(Shift, Station.code, User.username).join(Station, Station.id == Shift.station_id)
        .join(User, User.id == Shift.cashier_id)
        .where(Shift.business_date <= day, Shift.status != ShiftStatus.ACCEPTED, Shift.training.is_(False))
        .order_by(Shift.id))]


@dataclass(frozen=True, slots=True)
class DayPreview:
    """What `settle_day` would settle, read without writing: every shift with its state, what
    blocks the settlement, totals by tender of the accepted closes, cash due to the bank, and
    the receipts of the day (used, voided; number gaps anywhere in the ledger)."""

    business_date: dt.date
    shifts: tuple[PreviewShift, ...]
    blockers: tuple[str, ...]
    totals: dict
    cash_due_to_bank: int
    receipts_used: int
    receipts_voided: int
    receipt_gaps: tuple[str, ...]

    @property
    def can_settle(self) -> bool:
        return not self.blockers


def day_preview(session: Session, *, actor: Actor, day: dt.date, at: dt.datetime | None = None) -> DayPreview:
    """The settlement of `day` before it is made (the window shows this, then asks for the password)."""
    auth.require(session, actor, auth.SUPERVISE)
    from app.services.desk.receipt_stock import gaps

    blockers = []
    try:
        _day_refusal(session, day, at or utcnow())
    except (PeriodClosed, InvalidInput) as exc:
        blockers.append(exc.message)
    pending = _pending_shifts(session, day)
    blockers += [f"班次 #{p.id}（{p.cashier}，{p.station}，{p.business_date}）{PENDING_NAMES[p.status]}"
                 for p in pending]
    totals = _day_totals(session, day)
    closes = accepted_closes(session, totals["shift_ids"])
    accepted = [PreviewShift(s.id, st, u, s.status.value, s.business_date,
                             json.loads(closes[s.id].counted_json) if s.id in closes else {}, False)
                for s, st, u in session.execute(
                    select(Shift, Station.code, User.username).join(Station, Station.id == Shift.station_id)
                    .join(User, User.id == Shift.cashier_id)
                    .where(Shift.business_date == day, Shift.status == ShiftStatus.ACCEPTED,
                           Shift.training.is_(False)).order_by(Shift.id))]
    counts = dict(session.execute(select(Payment.kind, func.count()).where(
        Payment.business_date == day, Payment.training.is_(False)).group_by(Payment.kind)).all())
    return DayPreview(day, tuple(sorted(accepted + pending, key=lambda p: p.id)), tuple(blockers), totals,
                      totals["cash_takings"], int(counts.get(PaymentKind.PAYMENT, 0)),
                      int(counts.get(PaymentKind.VOID, 0)),
                      tuple(g.receipt_no for g in gaps(session, actor=actor)))


def _confirm(session: Session, user: User, password: str | None) -> None:
    """The window's confirm step: the supervisor types her own password again (`None`: the CLI,
    whose caller logged in for this one command). A wrong one counts like a log-in's."""
    if password is not None:
        auth.confirm_password(session, user, password)


def settle_day(session: Session, *, actor: Actor, day: dt.date, at: dt.datetime | None = None,
               backup: bool = True, password: str | None = None) -> DaySettled:
    """日结 of `day`. `backup=False` skips the automatic backup after the commit (only for bulk
    catch-up such as the demo's history, which settles many past days in a row). `password`:
    the window's confirmation after the preview (`day_preview`)."""
    user = auth.require(session, actor, auth.SUPERVISE)
    _confirm(session, user, password)
    # Shared ledger: wait for every window still posting into this day to commit, and keep
    # new postings out until this settlement commits (advisory lock; services.concurrency).
    concurrency.hold_day_for_settlement(session, day)
    at = at or utcnow()
    _day_refusal(session, day, at)
    pending = _pending_shifts(session, day)
    if pending:
        listed = "、".join(f"#{p.id}（{PENDING_NAMES[p.status]}）" for p in pending[:10])
        raise ShiftError(f"还有班次未轧帐或未验收：{listed}，不能日结")
    totals = _day_totals(session, day)
    row = DaySettlement(business_date=day, totals_json=dumps(totals), cash_due_to_bank=totals["cash_takings"],
                        user_id=user.id, created_at=at)
    session.add(row)
    session.flush()
    session.info.pop(ledger.CHECKED_DAYS, None)  # the day is closed now, also to this transaction
    audit.record(session, actor, "day_settle", "day_settlement", row.id, business_date=day,
                 counted=totals["tenders"]["counted"], cash_due_to_bank=totals["cash_takings"])
    # Issue 8: an automatic backup at every day settlement, taken once this transaction commits
    # (a failed backup never undoes the settlement; see services.backup.backup_after_commit).
    if backup:
        from app.services.system.backup import backup_after_commit

        backup_after_commit(session, reason="settlement")
    return DaySettled(day, totals, totals["cash_takings"], _banked(session, day, totals), user.username,
                      _day_unreconciled(session, day))


def _day_unreconciled(session: Session, day: dt.date) -> tuple:
    return tuple({k: v for k, v in row.items() if k != "date"} for row in _unreconciled(session, day, day))


def day_report(session: Session, *, actor: Actor, day: dt.date) -> DaySettled:
    """A settled day as settled, with what has been banked for it so far."""
    auth.require(session, actor, auth.READ)
    row = session.scalar(select(DaySettlement).where(DaySettlement.business_date == day))
    if row is None:
        raise NotFound(f"营业日 {day} 尚未日结")
    totals = json.loads(row.totals_json)
    return DaySettled(day, totals, row.cash_due_to_bank, _banked(session, day, totals),
                      session.get(User, row.user_id).username, _day_unreconciled(session, day))


@dataclass(frozen=True, slots=True)
class MonthClosed:
    month: str
    totals: dict
    closed_by: str

    def to_json(self) -> dict:
        return {"month": self.month, "closed_by": self.closed_by, **_yuan_tree(self.totals)}


def close_month(session: Session, *, actor: Actor, month: str, at: dt.datetime | None = None,
                password: str | None = None) -> MonthClosed:
    user = auth.require(session, actor, auth.SUPERVISE)
    _confirm(session, user, password)
    month = parse_period(month)
    if month_closed(session, month):
        raise PeriodClosed(f"{month} 已月结，不能重复月结")
    first = period_start(month)
    last = month_end(first)
    concurrency.hold_month_for_closing(session, first, last)  # as settle_day, for every day
    at = at or utcnow()
    if bdate(session, at) <= last:
        raise InvalidInput(f"{month} 尚未结束，不能月结")
    missing, settled = _month_days(session, first, last)
    if missing:
        raise ShiftError(f"以下营业日尚未日结：{'、'.join(d.isoformat() for d in missing[:10])}，不能月结")
    totals = _month_totals(session, first, last, settled)
    row = MonthClose(month=month, totals_json=dumps(totals), user_id=user.id, created_at=at)
    session.add(row)
    session.flush()
    session.info.pop(ledger.CHECKED_DAYS, None)  # the day is closed now, also to this transaction
    audit.record(session, actor, "month_close", "month_close", row.id, month=month, counted=totals["counted"])
    return MonthClosed(month, totals, user.username)


def _month_days(session: Session, first: dt.date, last: dt.date) -> tuple[list[dt.date], dict]:
    """(days of the month with real shifts but no settlement, settlements of the month by day)."""
    shift_days = set(session.scalars(select(Shift.business_date).where(
        Shift.business_date >= first, Shift.business_date <= last, Shift.training.is_(False)).distinct()))
    settled = {r.business_date: r for r in session.scalars(select(DaySettlement).where(
        DaySettlement.business_date >= first, DaySettlement.business_date <= last))}
    return sorted(shift_days - set(settled)), settled


@dataclass(frozen=True, slots=True)
class MonthPreview:
    month: str
    settled_days: tuple[dt.date, ...]
    blockers: tuple[str, ...]
    totals: dict

    @property
    def can_close(self) -> bool:
        return not self.blockers


def month_preview(session: Session, *, actor: Actor, month: str, at: dt.datetime | None = None) -> MonthPreview:
    """What `close_month` would close, and what refuses it, read without writing."""
    auth.require(session, actor, auth.SUPERVISE)
    month = parse_period(month)
    first = period_start(month)
    last = month_end(first)
    blockers = []
    if month_closed(session, month):
        blockers.append(f"{month} 已月结，不能重复月结")
    if bdate(session, at or utcnow()) <= last:
        blockers.append(f"{month} 尚未结束，不能月结")
    missing, settled = _month_days(session, first, last)
    blockers += [f"营业日 {d} 尚未日结" for d in missing]
    return MonthPreview(month, tuple(sorted(settled)), tuple(blockers), _month_totals(session, first, last, settled))


def _month_totals(session: Session, first: dt.date, last: dt.date, settled: dict) -> dict:
    counted: dict[str, int] = {}
    fee_items: dict[str, int] = {}
    over = short = takings = 0
    for row in settled.values():
        t = json.loads(row.totals_json)
        _add(counted, t["tenders"]["counted"])
        for code, f in t["fee_items"].items():
            fee_items[code] = fee_items.get(code, 0) + f["amount"]
        over += t["over"]
        short += t["short"]
        takings += t["cash_takings"]
    banked = int(session.scalar(select(func.coalesce(func.sum(BankDeposit.amount), 0)).where(
        BankDeposit.for_date >= first, BankDeposit.for_date <= last)))
    totals = {"days": len(settled), "counted": counted, "fee_items": fee_items, "over": over, "short": short,
              "cash_takings": takings, "banked": banked,
              # shown, not enforced: days whose non-cash channels or bank deposits are not reconciled
              "unreconciled_days": _unreconciled(session, first, last)}
    return totals


@dataclass(frozen=True, slots=True)
class Deposited:
    deposit_id: int
    amount: int
    slip_no: str
    for_date: dt.date
    due: int
    banked: int
    #: the open business day the deposit is posted on (`posting_day`)
    business_date: dt.date | None = None

    def to_json(self) -> dict:
        return {"deposit_id": self.deposit_id, "amount": format_yuan(self.amount), "slip": self.slip_no,
                "for_date": self.for_date.isoformat(), "due": format_yuan(self.due),
                "posted_on": self.business_date.isoformat() if self.business_date else None,
                "banked": format_yuan(self.banked), "outstanding": format_yuan(self.due - self.banked)}


def real_safe_balance(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Posting.amount), 0))
                              .join(JournalEntry, JournalEntry.id == Posting.entry_id)
                              .where(Posting.book == ledger.SAFE, JournalEntry.training.is_(False))))


def posting_day(session: Session, today: dt.date) -> dt.date:
    """The business day a bank deposit is posted on: today, or once today is settled the next
    open day (the day after the last settled one). A settled day takes no posting (closed
    periods stay closed); the deposit row still names the settled day it banks (`for_date`)."""
    last = session.scalar(select(func.max(DaySettlement.business_date)))
    return today if last is None or today > last else last + dt.timedelta(days=1)


def bank_deposit(session: Session, *, actor: Actor, amount: str, slip: str, for_date: dt.date | None = None,
                 at: dt.datetime | None = None) -> Deposited:
    """解款: cash from the safe to the bank. `for_date` defaults to the oldest settled day not yet fully banked."""
    user = auth.require(session, actor, auth.SUPERVISE)
    slip = (slip or "").strip()
    if not slip or len(slip) > 60 or not slip.isprintable():
        raise InvalidInput("请填写银行缴款单号")
    value = Money.parse(amount).fen
    if value <= 0:
        raise InvalidInput("解款金额必须大于零")
    safe = real_safe_balance(session)
    if value > safe:
        raise InvalidInput(f"保险柜现金只有 {format_yuan(safe)} 元，不能解款 {format_yuan(value)} 元")
    at = at or utcnow()
    today = posting_day(session, bdate(session, at))
    if for_date is None:
        for_date = today
        deposits = dict(session.execute(select(BankDeposit.for_date, func.sum(BankDeposit.amount))
                                        .group_by(BankDeposit.for_date)).all())
        for row in session.scalars(select(DaySettlement).where(DaySettlement.cash_due_to_bank > 0)
                                   .order_by(DaySettlement.business_date)):
            runs = json.loads(row.totals_json).get("bank_run", 0)
            if int(deposits.get(row.business_date, 0)) + runs < row.cash_due_to_bank:
                for_date = row.business_date
                break
    entry_id = ledger.post(session, actor=actor, kind="bank_deposit", business_date=today, memo=f"解款 {slip}",
                        lines=[ledger.Line(ledger.BANK, value), ledger.Line(ledger.SAFE, -value)])
    row = BankDeposit(amount=value, slip_no=slip, for_date=for_date, business_date=today, journal_entry_id=entry_id,
                      user_id=user.id, created_at=at)
    session.add(row)
    session.flush()
    audit.record(session, actor, "bank_deposit", "bank_deposit", row.id, amount=value, slip=slip, for_date=for_date)
    settlement = session.scalar(select(DaySettlement).where(DaySettlement.business_date == for_date))
    totals = json.loads(settlement.totals_json) if settlement else {}
    due = settlement.cash_due_to_bank if settlement else 0
    return Deposited(row.id, value, slip, for_date, due, _banked(session, for_date, totals), today)
