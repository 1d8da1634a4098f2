"""Receipt stock (票据管理): ranges issued to a cashier or station, return, loss, reprint, gap check.

The next number is taken by `receipts.take_number` from the cashier's active range (then
the station's). This module issues ranges (overlaps refused), tells the cashier *before* a
payment when the stock is exhausted or low (`stock_status`, `ensure_stock`), records the
life of numbers as `receipt_number_event` rows (returned, lost, reprinted, late-printed,
recovered), and lists numbers nobody can account for (`gaps`).

Unused numbers can only be returned or reported lost from the head of a range (the next
numbers to be used), because the counter hands numbers out in order; a number the gap
check lists can be reported lost on its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound, ReceiptStockError
from app.models import (
    Payment,
    Receipt,
    ReceiptKind,
    ReceiptNumberEvent,
    ReceiptNumberEventKind,
    ReceiptRange,
    Station,
    User,
)
from app.services import Actor
from app.services.clock import utcnow
from app.services.desk import receipts
from app.services.desk.cashdesk import approval_for
from app.services.desk.shifts import is_training
from app.services.journal import audit
from app.services.system import auth, settings

EXPLAINED = ("returned", "lost", "recovered")


def _fmt(session: Session, prefix: str, n: int) -> str:
    return f"{prefix}{n:0{settings.get_int(session, 'receipt_number_width')}d}"


@dataclass(frozen=True, slots=True)
class RangeInfo:
    id: int
    prefix: str
    first: int
    last: int
    next: int
    holder: str
    remaining: int

    def to_json(self) -> dict:
        return {"range_id": self.id, "prefix": self.prefix, "from": self.first, "to": self.last, "next": self.next,
                "holder": self.holder, "remaining": self.remaining}


def _info(session: Session, r: ReceiptRange) -> RangeInfo:
    holder = (
        session.get(User, r.user_id).username if r.user_id else f"station:{session.get(Station, r.station_id).code}"
    )
    return RangeInfo(r.id, r.prefix, r.first_number, r.last_number, r.next_number, holder,
                     max(0, r.last_number - r.next_number + 1))


def issue_range(session: Session, *, actor: Actor, prefix: str, first: int, last: int, to_user: str | None = None,
                to_station: str | None = None, at: dt.datetime | None = None) -> RangeInfo:
    """领用: issue numbers first..last with a prefix to a cashier or a station; overlaps refused."""
    auth.require(session, actor, auth.SUPERVISE)
    prefix = (prefix or "").strip()
    if len(prefix) > 12 or not prefix.isprintable():
        raise InvalidInput("票据前缀过长或含有不可打印字符")
    if first <= 0 or last < first:
        raise InvalidInput("号段起止不正确（起始号须大于零且不大于结束号）")
    if bool(to_user) == bool(to_station):
        raise InvalidInput("请指定领用人或收费点（二选一）")
    user_id = station_id = None
    if to_user:
        user_id = auth.user_by_name(session, to_user).id
    else:
        st = session.scalar(select(Station).where(Station.code == to_station))
        if st is None:
            raise NotFound(f"收费点“{to_station}”不存在")
        station_id = st.id
    clash = session.scalars(select(ReceiptRange).where(ReceiptRange.prefix == prefix,
                                                       ReceiptRange.first_number <= last,
                                                       ReceiptRange.last_number >= first)).first()
    if clash is not None:
        raise ReceiptStockError(f"号段与已领用号段 #{clash.id}（{_fmt(session, prefix, clash.first_number)}–"
                                f"{_fmt(session, prefix, clash.last_number)}）重叠，未领用")
    lo, hi = _fmt(session, prefix, first), _fmt(session, prefix, last)
    used = session.scalar(select(Receipt.receipt_no).where(Receipt.receipt_no >= lo, Receipt.receipt_no <= hi,
                                                           func.length(Receipt.receipt_no) == len(lo)).limit(1))
    if used is not None:
        raise ReceiptStockError(f"号段内的票据号 {used} 已被使用，未领用")
    rng = ReceiptRange(prefix=prefix, first_number=first, last_number=last, next_number=first, user_id=user_id,
                       station_id=station_id, issued_by_id=actor.user_id, issued_at=at or utcnow())
    session.add(rng)
    session.flush()
    audit.record(session, actor, "receipt_range_issue", "receipt_range", rng.id, prefix=prefix, first=first,
                 last=last, to_user=to_user or "", to_station=to_station or "")
    return _info(session, rng)


@dataclass(frozen=True, slots=True)
class StockStatus:
    remaining: int
    next_receipt_no: str | None
    warning: str | None
    uses_ranges: bool

    def to_json(self) -> dict:
        return {"remaining": self.remaining, "next_receipt_no": self.next_receipt_no, "warning": self.warning,
                "uses_ranges": self.uses_ranges}


def _active_ranges(session: Session, user: User, station: Station) -> list[ReceiptRange]:
    mine = list(session.scalars(select(ReceiptRange).where(ReceiptRange.user_id == user.id,
                                                           ReceiptRange.next_number <= ReceiptRange.last_number)
                                .order_by(ReceiptRange.id)))
    theirs = list(session.scalars(select(ReceiptRange).where(ReceiptRange.station_id == station.id,
                                                             ReceiptRange.user_id.is_(None),
                                                             ReceiptRange.next_number <= ReceiptRange.last_number)
                                  .order_by(ReceiptRange.id)))
    return mine + theirs


def stock_status(session: Session, *, actor: Actor) -> StockStatus:
    """What the window shows before a payment: numbers left and a warning when low or out."""
    user = auth.require(session, actor, auth.READ)
    station = auth.station_of(session, actor)
    if is_training(user, station):
        return StockStatus(0, None, None, False)
    ranges = _active_ranges(session, user, station)
    required = settings.get(session, "require_receipt_ranges") == "1"
    has_any = session.scalar(select(ReceiptRange.id).where(
        (ReceiptRange.user_id == user.id) | ((ReceiptRange.station_id == station.id) & ReceiptRange.user_id.is_(None)))
        .limit(1)) is not None
    if not ranges:
        if required or has_any:
            msg = "票据已用完：请先向主管领用新号段再收款" if required else "领用的票据号段已用完，将改用收费点流水号"
            return StockStatus(0, None, msg, True)
        return StockStatus(0, _fmt(session, station.receipt_prefix, station.next_receipt_no), None, False)
    remaining = sum(r.last_number - r.next_number + 1 for r in ranges)
    low = settings.get_int(session, "receipt_low_warning")
    warning = f"票据仅剩 {remaining} 张，请及时领用" if remaining <= low else None
    return StockStatus(remaining, _fmt(session, ranges[0].prefix, ranges[0].next_number), warning, True)


def ensure_stock(session: Session, *, actor: Actor) -> StockStatus:
    """Refuse before the payment when no receipt number can be taken (ranges required)."""
    status = stock_status(session, actor=actor)
    if status.uses_ranges and status.remaining == 0 and settings.get(session, "require_receipt_ranges") == "1":
        raise ReceiptStockError(status.warning)
    return status


def _range_of_number(session: Session, receipt_no: str) -> tuple[ReceiptRange, int]:
    width = settings.get_int(session, "receipt_number_width")
    prefix, digits = receipt_no[:-width], receipt_no[-width:]
    if not digits.isdigit():
        raise InvalidInput(f"票据号格式不正确：“{receipt_no}”")
    n = int(digits)
    rng = session.scalars(select(ReceiptRange).where(ReceiptRange.prefix == prefix, ReceiptRange.first_number <= n,
                                                     ReceiptRange.last_number >= n)).first()
    if rng is None:
        raise NotFound(f"票据号 {receipt_no} 不在任何已领用号段中")
    return rng, n


@dataclass(frozen=True, slots=True)
class NumbersReleased:
    kind: str
    numbers: list[str]

    def to_json(self) -> dict:
        return {"kind": self.kind, "numbers": self.numbers, "count": len(self.numbers)}


def release_numbers(session: Session, *, actor: Actor, kind: str, receipt_no: str, count: int = 0,
                    reason: str, approver: str | None = None, approver_password: str | None = None) -> NumbersReleased:
    """退回 (kind='returned') or 报损 (kind='lost') unused numbers from the head of a range.

    `count=0` with kind 'returned' returns the whole rest of the range. Numbers reported lost
    need a second person's approval (a supervisor who is not the reporter): a lost number
    explains a gap in the sequence, so nobody explains her own gaps alone.
    """
    user = auth.require(session, actor, auth.SHIFT)
    if kind not in ("returned", "lost"):
        raise InvalidInput("只能退回（returned）或报损（lost）")
    if not reason or not reason.strip():
        raise InvalidInput("请填写原因")
    rng, n = _range_of_number(session, receipt_no)
    if rng.user_id not in (None, user.id) and auth.SUPERVISE not in auth.PERMISSIONS[user.role]:
        raise InvalidInput("只能退回或报损自己领用的票据")
    if kind == "lost":
        approval_for(session, actor, user, action="receipt_lost", amount=0, reason=reason, approver=approver,
                     approver_password=approver_password, reference=f"{receipt_no} ×{max(count, 1)}")
    if n < rng.next_number:
        used = session.scalar(select(Receipt.id).where(Receipt.receipt_no == receipt_no)) is not None
        explained = session.scalar(select(ReceiptNumberEvent.id).where(
            ReceiptNumberEvent.receipt_no == receipt_no, ReceiptNumberEvent.kind.in_(EXPLAINED))) is not None
        if kind == "lost" and not used and not explained:
            # A gap found by the gap check (e.g. a sheet spoiled in the printer) is reported lost.
            session.add(ReceiptNumberEvent(receipt_no=receipt_no, range_id=rng.id, kind=ReceiptNumberEventKind.LOST,
                                           reason=reason.strip(), user_id=user.id, created_at=utcnow()))
            session.flush()
            audit.record(session, actor, "receipt_lost", "receipt_range", rng.id, first=receipt_no, last=receipt_no,
                         count=1, reason=reason.strip(), approver=approver)
            return NumbersReleased(kind, [receipt_no])
        raise ReceiptStockError(f"票据号 {receipt_no} 已使用，不能{'退回' if kind == 'returned' else '报损'}")
    if n != rng.next_number:
        raise ReceiptStockError(f"只能从下一张未用票据 {_fmt(session, rng.prefix, rng.next_number)} 开始退回或报损")
    end = rng.last_number if count == 0 and kind == "returned" else n + max(count, 1) - 1
    if end > rng.last_number:
        raise InvalidInput("数量超出号段范围")
    numbers = [_fmt(session, rng.prefix, k) for k in range(n, end + 1)]
    now = utcnow()
    session.add_all([ReceiptNumberEvent(receipt_no=no, range_id=rng.id, kind=ReceiptNumberEventKind(kind),
                                        reason=reason.strip(), user_id=user.id, created_at=now) for no in numbers])
    rng.next_number = end + 1
    session.flush()
    audit.record(session, actor, "receipt_" + kind, "receipt_range", rng.id, first=numbers[0], last=numbers[-1],
                 count=len(numbers), reason=reason.strip(), **({"approver": approver} if kind == "lost" else {}))
    return NumbersReleased(kind, numbers)


@dataclass(frozen=True, slots=True)
class Reprinted:
    receipt_no: str
    printed_no: str
    kind: str  # reprinted | late_printed
    count: int
    document: receipts.ReceiptDoc

    def to_json(self) -> dict:
        return {"receipt_no": self.receipt_no, "printed_no": self.printed_no, "kind": self.kind, "count": self.count,
                "mark": "重打" if self.kind == "reprinted" else "补打"}


def reprint(session: Session, *, actor: Actor, receipt_no: str, reason: str = "", late: bool = False) -> Reprinted:
    """重打 (same number, marked with a count) or 补打 (first print of a payment never printed).

    With pre-numbered paper (setting `preprinted_stock` = 1) a reprint uses the next paper
    number: a new receipt row for the same payment, and the old number is marked 重打收回.
    """
    user = auth.require(session, actor, auth.PAY)
    station = auth.station_of(session, actor)
    rec = session.scalar(select(Receipt).where(Receipt.receipt_no == receipt_no))
    if rec is None:
        raise NotFound(f"找不到收据“{receipt_no}”")
    prior = session.scalar(select(func.count()).select_from(ReceiptNumberEvent).where(
        ReceiptNumberEvent.receipt_no == receipt_no,
        ReceiptNumberEvent.kind.in_([ReceiptNumberEventKind.REPRINTED, ReceiptNumberEventKind.LATE_PRINTED])))
    if late and prior:
        raise InvalidInput(f"收据 {receipt_no} 已打印过，请用重打")
    kind = ReceiptNumberEventKind.LATE_PRINTED if late else ReceiptNumberEventKind.REPRINTED
    now = utcnow()
    session.add(ReceiptNumberEvent(receipt_no=receipt_no, range_id=rec.range_id, kind=kind,
                                   reason=(reason or "").strip(), user_id=user.id, created_at=now))
    doc = receipts.ReceiptDoc.from_json(rec.document)
    printed_no = receipt_no
    if not late and settings.get(session, "preprinted_stock") == "1" and rec.kind == ReceiptKind.PAYMENT:
        pay = session.get(Payment, rec.payment_id)
        number = receipts.take_number(session, station=station, user=user, training=pay.training)
        printed_no = number.receipt_no
        doc = dataclasses.replace(doc, receipt_no=printed_no, original_receipt_no=receipt_no,
                                  reason=f"重打（原票据 {receipt_no} 收回）")
        session.add(Receipt(receipt_no=printed_no, kind=rec.kind, payment_id=rec.payment_id, station_id=station.id,
                            range_id=number.range_id, number=number.number, document=doc.to_json(), created_at=now))
        session.add(ReceiptNumberEvent(receipt_no=receipt_no, range_id=rec.range_id,
                                       kind=ReceiptNumberEventKind.RECOVERED, reason=f"重打，新票据 {printed_no}",
                                       user_id=user.id, created_at=now))
    session.flush()
    audit.record(session, actor, kind.value, "receipt", rec.id, receipt_no=receipt_no, printed_no=printed_no,
                 count=prior + 1, reason=(reason or "").strip())
    return Reprinted(receipt_no, printed_no, kind.value, prior + 1, doc)


@dataclass(frozen=True, slots=True)
class Gap:
    receipt_no: str
    range_id: int | None
    where: str


def gaps(session: Session, *, actor: Actor) -> list[Gap]:
    """Numbers below a range's (or station's) counter that are neither used, voided, returned,
    reported lost nor recovered. A voided receipt keeps its row, so it is never a gap."""
    auth.require(session, actor, auth.READ)
    explained = set(session.scalars(select(ReceiptNumberEvent.receipt_no).where(
        ReceiptNumberEvent.kind.in_(EXPLAINED))))
    used_by_range: dict[int, set[int]] = {}
    for range_id, number in session.execute(select(Receipt.range_id, Receipt.number).where(
            Receipt.range_id.is_not(None))):
        used_by_range.setdefault(range_id, set()).add(number)
    out: list[Gap] = []
    for rng in session.scalars(select(ReceiptRange).order_by(ReceiptRange.id)):
        used = used_by_range.get(rng.id, set())
        for n in range(rng.first_number, rng.next_number):
            no = _fmt(session, rng.prefix, n)
            if n not in used and no not in explained:
                out.append(Gap(no, rng.id, f"号段 #{rng.id}"))
    for st in session.scalars(select(Station).order_by(Station.id)):
        used = set(session.scalars(select(Receipt.number).where(
            Receipt.station_id == st.id, Receipt.range_id.is_(None), ~Receipt.receipt_no.like("LX%"))))
        for n in range(1, st.next_receipt_no):
            no = _fmt(session, st.receipt_prefix, n)
            if n not in used and no not in explained:
                out.append(Gap(no, None, f"收费点 {st.code}"))
    return out


def list_ranges(session: Session, *, actor: Actor) -> list[RangeInfo]:
    auth.require(session, actor, auth.READ)
    return [_info(session, r) for r in session.scalars(select(ReceiptRange).order_by(ReceiptRange.id))]


@dataclass(frozen=True, slots=True)
class NumberEvent:
    at: dt.datetime
    event: str  # used | void | refund | reprinted | late_printed | recovered | returned | lost
    user: str
    reason: str
    approved_by: str = ""


def receipt_history(session: Session, *, actor: Actor, receipt_no: str) -> list[NumberEvent]:
    """The life of one receipt number: used, voided or refunded (with reason and approver),
    reprinted, late-printed, recovered, returned or lost — oldest first."""
    from app.models import Approval, PaymentKind

    auth.require(session, actor, auth.READ)
    names = dict(session.execute(select(User.id, User.username)).all())
    out: list[NumberEvent] = []
    for p in session.scalars(select(Payment).where(Payment.receipt_no == receipt_no).order_by(Payment.id)):
        approver = ""
        if p.approval_id:
            approver = names.get(session.get(Approval, p.approval_id).approver_id, "")
        event = {PaymentKind.PAYMENT: "used", PaymentKind.VOID: "void", PaymentKind.REFUND: "refund"}[p.kind]
        out.append(NumberEvent(p.created_at, event, names.get(p.user_id, ""), p.reason, approver))
    if not out and session.scalar(select(Receipt.id).where(Receipt.receipt_no == receipt_no)) is not None:
        rec = session.scalar(select(Receipt).where(Receipt.receipt_no == receipt_no))
        out.append(NumberEvent(rec.created_at, "used", "", "重打新票据"))
    for ev in session.scalars(select(ReceiptNumberEvent).where(ReceiptNumberEvent.receipt_no == receipt_no)
                              .order_by(ReceiptNumberEvent.id)):
        out.append(NumberEvent(ev.created_at, ev.kind.value, names.get(ev.user_id, ""), ev.reason))
    if not out:
        raise NotFound(f"票据号 {receipt_no} 没有任何记录")
    return sorted(out, key=lambda e: e.at)
