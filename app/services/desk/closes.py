"""The drawer of a shift: cash in/out, hand-ins, blind-count close, acceptance, reopen, handover.

Expected figures are journal sums (book `drawer` by shift and tender, an indexed sum), so a
close costs the same for 50 or 5,000 payments. The close is a **blind count**: `close_shift`
takes the count first, saves it, and only then returns expected vs counted;
`expected_figures` refuses while the shift is open. Differences are booked at once:
an overage to `over_short` (other income), a shortage to `cashier_owed` (the cashier owes it
until paid in with a `paid_in` movement). Acceptance moves the drawer to the safe (cash) and
the bank (non-cash): an accepted shift's drawer is zero, which `verify` checks.

Callers must not compute expected cash themselves; read it here after the close.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from app.errors import ApprovalRequired, InvalidInput, NotFound, PermissionDenied, ShiftError
from app.labels import MOVEMENT_NAMES, TENDER_NAMES
from app.models import (
    BalanceRefund,
    CashMovement,
    CashMovementKind,
    FeeItem,
    HandIn,
    Handover,
    JournalEntry,
    Payment,
    PaymentCorrection,
    PaymentKind,
    Posting,
    ReceiptNumberEvent,
    ReceiptNumberEventKind,
    Shift,
    ShiftAccept,
    ShiftClose,
    ShiftCloseReason,
    ShiftReopen,
    ShiftStatus,
    Station,
    User,
)
from app.money import Money, format_yuan
from app.services import Actor
from app.services.clock import utcnow
from app.services.desk.cashdesk import approval_for, bdate, check_count, dumps, local, yuan_map
from app.services.desk.shifts import is_training, open_shift_of
from app.services.journal import audit, ledger
from app.services.system import auth, settings

CASH_IN = {CashMovementKind.TOP_UP, CashMovementKind.PAID_IN}


# ---- cash in / cash out -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CashMoved:
    movement_id: int
    shift_id: int
    kind: str
    amount: int  # signed effect on the drawer
    drawer_cash: int
    warning: str | None

    def to_json(self) -> dict:
        return {"movement_id": self.movement_id, "shift_id": self.shift_id, "kind": self.kind,
                "amount": format_yuan(self.amount), "warning": self.warning}


def _movement_lines(kind: CashMovementKind, amount: int, shift_id: int, user_id: int) -> list[ledger.Line]:
    drawer = ledger.Line(ledger.DRAWER, amount if kind in CASH_IN else -amount, shift_id=shift_id, tender="cash")
    other = {
        CashMovementKind.TOP_UP: ledger.Line(ledger.SAFE, -amount),
        CashMovementKind.PAID_IN: ledger.Line(ledger.CASHIER_OWED, -amount, user_id=user_id),
        CashMovementKind.DROP: ledger.Line(ledger.SAFE, amount),
        CashMovementKind.BANK_RUN: ledger.Line(ledger.BANK, amount),
        CashMovementKind.COUNTERFEIT: ledger.Line(ledger.CASHIER_OWED, amount, user_id=user_id),
    }[kind]
    return [drawer, other]


def cash_limit_warning(session: Session, drawer_cash: int) -> str | None:
    limit = settings.get_int(session, "cash_limit")
    if limit and drawer_cash > limit:
        return f"钱箱现金已超过限额 {format_yuan(limit)} 元，请投库"  # never the drawer's cash: the count is blind
    return None


def move_cash(session: Session, *, actor: Actor, kind: str, amount: str = "", reason: str,
              denomination: str = "", serial: str = "", at: dt.datetime | None = None) -> CashMoved:
    """Cash in (top_up, paid_in) or cash out (drop, bank_run, counterfeit) of the open shift.

    A counterfeit note is recorded against the cashier with its face value and serial
    number(s); its amount defaults to one note and must be whole notes.
    """
    user = auth.require(session, actor, auth.SHIFT)
    station = auth.station_of(session, actor)
    try:
        k = CashMovementKind(kind)
    except ValueError:
        raise InvalidInput(f"款项类别不正确：“{kind}”（可选：{'、'.join(MOVEMENT_NAMES)}）") from None
    if not reason or not reason.strip():
        raise InvalidInput("请填写现金出入的原因")
    shift = open_shift_of(session, user, station, lock=True)
    face = None
    if k == CashMovementKind.COUNTERFEIT:
        if not denomination or not serial.strip():
            raise InvalidInput("假币必须登记面额和冠字号")
        face = Money.parse(denomination).fen
        check_count(session, {face: 1})
        value = Money.parse(amount).fen if amount else face
        if value % face:
            raise InvalidInput(f"假币金额必须是面额 {format_yuan(face)} 元的整数倍")
    else:
        value = Money.parse(amount).fen
    if value <= 0:
        raise InvalidInput("金额必须大于零")
    cash = ledger.balance(session, ledger.DRAWER, shift_id=shift.id, tender="cash")
    if k not in CASH_IN and value > cash:
        raise ShiftError(f"钱箱现金不足，不能取出 {format_yuan(value)} 元")  # not how much: the count is blind
    if k == CashMovementKind.PAID_IN:
        owed = ledger.balance(session, ledger.CASHIER_OWED, user_id=user.id)
        if value > owed:
            raise InvalidInput(f"您的短款/假币欠款只有 {format_yuan(owed)} 元")
    at = at or utcnow()
    day = bdate(session, at)
    entry_id = ledger.post(session, actor=actor, kind="cash_" + k.value, business_date=day, shift_id=shift.id,
                        station_id=station.id, training=shift.training, memo=reason.strip(),
                        lines=_movement_lines(k, value, shift.id, user.id))
    signed = value if k in CASH_IN else -value
    mv = CashMovement(shift_id=shift.id, kind=k, amount=signed, reason=reason.strip(), denomination=face,
                      serial=serial.strip(), user_id=user.id, journal_entry_id=entry_id, business_date=day,
                      created_at=at, training=shift.training)
    session.add(mv)
    session.flush()
    audit.record(session, actor, "cash_" + k.value, "cash_movement", mv.id, shift_id=shift.id, amount=signed,
                 reason=reason.strip(), denomination=face, serial=serial.strip())
    after = cash + signed
    return CashMoved(mv.id, shift.id, k.value, signed, after, cash_limit_warning(session, after))


@dataclass(frozen=True, slots=True)
class DrawerStatus:
    shift_id: int
    warning: str | None


def drawer_warning(session: Session, *, actor: Actor) -> DrawerStatus:
    """For the window after each payment: is the drawer over the cash-on-hand limit?

    Only the warning is shown, never the amount (the count stays blind)."""
    user = auth.require(session, actor, auth.SHIFT)
    shift = open_shift_of(session, user, auth.station_of(session, actor))
    cash = ledger.balance(session, ledger.DRAWER, shift_id=shift.id, tender="cash")
    return DrawerStatus(shift.id, cash_limit_warning(session, cash))


# ---- hand-in (交账) -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HandedIn:
    hand_in_id: int
    collector: str
    cashier: str
    amount: int
    business_date: dt.date
    after_cutoff: bool

    def to_json(self) -> dict:
        return {"hand_in_id": self.hand_in_id, "collector": self.collector, "cashier": self.cashier,
                "amount": format_yuan(self.amount), "business_date": self.business_date.isoformat(),
                "after_cutoff": self.after_cutoff}


def hand_in(session: Session, *, actor: Actor, collector: str, amount: str, note: str = "",
            at: dt.datetime | None = None) -> HandedIn:
    """A field collector hands cash to the cashier: collector's drawer -> cashier's drawer.

    After the cut-off (setting `handin_cutoff`, default 16:00 local) the hand-in belongs to
    the next business day (its posting and the settlement that lists it).
    """
    user = auth.require(session, actor, auth.SHIFT)
    station = auth.station_of(session, actor)
    shift = open_shift_of(session, user, station, lock=True)
    coll = auth.user_by_name(session, collector)
    if coll.id == user.id:
        raise InvalidInput("不能向自己交账")
    coll_shift = session.scalars(select(Shift).where(Shift.cashier_id == coll.id,
                                                     Shift.status == ShiftStatus.OPEN)).first()
    if coll_shift is None:
        raise ShiftError(f"外收员“{collector}”没有未轧帐的班次，无法交账（外收款须记在其班次中）")
    if coll_shift.training != shift.training:
        raise ShiftError("练习模式与正式账不能相互交账")
    value = Money.parse(amount).fen
    if value <= 0:
        raise InvalidInput("交账金额必须大于零")
    at = at or utcnow()
    day = bdate(session, at)
    hh, mm = (int(x) for x in settings.get(session, "handin_cutoff").split(":"))
    late = local(session, at).time() >= dt.time(hh, mm)
    if late:
        day = day + dt.timedelta(days=1)
    entry_id = ledger.post(session, actor=actor, kind="hand_in", business_date=day, shift_id=shift.id,
                        station_id=station.id, training=shift.training, memo=f"交账 {coll.username}", lines=[
                            ledger.Line(ledger.DRAWER, value, shift_id=shift.id, tender="cash"),
                            ledger.Line(ledger.DRAWER, -value, shift_id=coll_shift.id, tender="cash")])
    row = HandIn(collector_id=coll.id, collector_shift_id=coll_shift.id, cashier_id=user.id, shift_id=shift.id,
                 amount=value, business_date=day, after_cutoff=late, note=note, journal_entry_id=entry_id,
                 created_at=at, training=shift.training)
    session.add(row)
    session.flush()
    audit.record(session, actor, "hand_in", "hand_in", row.id, collector=coll.username, amount=value,
                 business_date=day, after_cutoff=late)
    return HandedIn(row.id, coll.username, user.username, value, day, late)


# ---- close (轧帐) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeeTakings:
    """Money a shift took for one fee item (net of its voids and refunds), fen."""

    code: str
    name: str
    kind: str
    amount: int


@dataclass(frozen=True, slots=True)
class ReceiptsUsed:
    first: str
    last: str
    count: int
    voided: list[str]
    reprinted: list[str]


@dataclass(frozen=True, slots=True)
class RefundLine:
    """Money paid back: a payment's refund (kind 'refund', already inside the fee lines) or a
    deposit/prepaid refund ('deposit_refund', 'prepaid_refund', deducted on the slip)."""

    receipt_no: str
    amount: int
    kind: str


@dataclass(frozen=True, slots=True)
class VoidLine:
    """What a voided payment had taken (already inside the fee lines)."""

    receipt_no: str
    amount: int


@dataclass(frozen=True, slots=True)
class ShiftSummary:
    """The remittance slip's (缴款单) figures of a shift close, fen; stored as `summary_json`."""

    fee_items: list[FeeTakings]
    prepaid: int
    receipts: ReceiptsUsed
    refunds: list[RefundLine]
    voids: list[VoidLine]
    movements: dict[str, int]  # cash movement kind -> signed total
    hand_ins: int  # money other cashiers handed in to this shift
    handed_out: int  # money this shift handed in to a collector
    float_amount: int
    cash_takings: int  # 应缴现金: due to the bank
    bank_run: int

    def to_json(self) -> dict:
        """The stored form (keys and order as the close has always saved them)."""
        r = self.receipts
        return {
            "fee_items": [{"code": f.code, "name": f.name, "kind": f.kind, "amount": f.amount}
                          for f in self.fee_items],
            "prepaid": self.prepaid,
            "receipts": {"first": r.first, "last": r.last, "count": r.count, "voided": r.voided,
                         "reprinted": r.reprinted},
            "refunds": [{"receipt_no": x.receipt_no, "amount": x.amount, "kind": x.kind}
                        for x in self.refunds],
            "voids": [{"receipt_no": v.receipt_no, "amount": v.amount} for v in self.voids],
            "movements": self.movements, "hand_ins": self.hand_ins, "handed_out": self.handed_out,
            "float": self.float_amount, "cash_takings": self.cash_takings, "bank_run": self.bank_run,
        }

    @classmethod
    def from_json(cls, d: dict) -> ShiftSummary:
        """A stored summary; closes saved before voids were listed have no 'voids'."""
        r = d["receipts"]
        return cls([FeeTakings(**f) for f in d["fee_items"]], d["prepaid"],
                   ReceiptsUsed(r["first"], r["last"], r["count"], r["voided"], r["reprinted"]),
                   [RefundLine(**x) for x in d["refunds"]], [VoidLine(**v) for v in d.get("voids", [])],
                   d["movements"], d["hand_ins"], d["handed_out"], d["float"], d["cash_takings"],
                   d["bank_run"])


@dataclass(frozen=True, slots=True)
class ShiftClosed:
    """Expected vs counted per tender, and the remittance slip (缴款单) data."""

    shift_id: int
    close_id: int
    cashier: str
    station: str
    business_date: dt.date
    expected: dict[str, int]
    counted: dict[str, int]
    difference: dict[str, int]
    slips: dict[str, dict]
    count: dict[int, int]
    summary: ShiftSummary
    reason: str
    approved_by: str | None
    warnings: list[str] = field(default_factory=list)
    #: what the difference still lacks before the supervisor can accept: "", "reason" or "approval"
    pending: str = ""

    @property
    def overage(self) -> int:
        return sum(d for d in self.difference.values() if d > 0)

    @property
    def shortage(self) -> int:
        return -sum(d for d in self.difference.values() if d < 0)

    def to_json(self) -> dict:
        return {
            "shift_id": self.shift_id, "close_id": self.close_id, "cashier": self.cashier, "station": self.station,
            "business_date": self.business_date.isoformat(),
            "expected": yuan_map(self.expected), "counted": yuan_map(self.counted),
            "difference": yuan_map(self.difference),
            "overage": format_yuan(self.overage), "shortage": format_yuan(self.shortage),
            "count": {format_yuan(k): v for k, v in sorted(self.count.items(), reverse=True)},
            "slips": self.slips, "reason": self.reason, "approved_by": self.approved_by,
            "remittance": remittance_json(self.summary), "warnings": self.warnings, "pending": self.pending,
        }


def remittance_json(summary: ShiftSummary) -> dict:
    """The remittance slip (缴款单) as yuan strings; printing and reports render this."""
    y = format_yuan
    return {
        "fee_items": [{"code": f.code, "name": f.name, "kind": f.kind, "amount": y(f.amount)}
                      for f in summary.fee_items],
        "prepaid": y(summary.prepaid),
        "receipts": summary.to_json()["receipts"],
        "refunds": [{"receipt_no": r.receipt_no, "amount": y(r.amount), "kind": r.kind}
                    for r in summary.refunds],
        "voids": [{"receipt_no": v.receipt_no, "amount": y(v.amount)} for v in summary.voids],
        "movements": {k: y(v) for k, v in summary.movements.items()},
        "hand_ins": y(summary.hand_ins), "float": y(summary.float_amount),
        "cash_takings": y(summary.cash_takings),
        "signatures": ["收费员（缴款人）", "复核人", "主管（收款人）"],
    }


def _drawer(session: Session, shift_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """Drawer balance per tender and the non-cash slips it should hold, in one indexed read
    of posting(book, shift_id, tender): a slip is a non-cash drawer debit; a void's credit
    takes its slip back (non-cash refunds go to `refund_payable`, not the drawer)."""
    rows = session.execute(
        select(Posting.tender, func.sum(Posting.amount),
               func.sum(case((Posting.amount > 0, 1), else_=0)) - func.sum(case((Posting.amount < 0, 1), else_=0)))
        .where(Posting.book == ledger.DRAWER, Posting.shift_id == shift_id).group_by(Posting.tender))
    balances = {"cash": 0}
    slips = {}
    for tender, total, n in rows:
        balances[tender] = int(total)
        if tender != "cash":
            slips[tender] = int(n)
    return balances, slips


def _expected(session: Session, shift_id: int) -> dict[str, int]:
    """Drawer balance per tender: one indexed sum over posting(book, shift_id, tender)."""
    return _drawer(session, shift_id)[0]


def _summary(session: Session, shift: Shift, counted_cash: int) -> ShiftSummary:
    """Remittance-slip data of a shift, from indexed reads of its own rows."""
    # Entries of the shift first (index on journal_entry.shift_id), then their postings by
    # entry_id; no predicate on `book`, so the planner never scans a whole book instead.
    entries = select(JournalEntry.id).where(JournalEntry.shift_id == shift.id,
                                            JournalEntry.kind.in_(["payment", "void", "refund"]))
    fee_rows = [(fid, v) for book, fid, v in session.execute(
        select(Posting.book, Posting.fee_item_id, func.sum(Posting.amount)).where(Posting.entry_id.in_(entries))
        .group_by(Posting.book, Posting.fee_item_id)) if book in (ledger.RECEIVABLE, ledger.PREPAID)]
    fees = {f.id: f for f in session.scalars(select(FeeItem).where(
        FeeItem.id.in_([fid for fid, _ in fee_rows if fid is not None])))}
    fee_items = [FeeTakings(fees[fid].code, fees[fid].name, fees[fid].kind.value, -int(v))
                 for fid, v in fee_rows if fid is not None and int(v)]
    prepaid = -sum(int(v) for fid, v in fee_rows if fid is None)
    # Receipts used: one aggregate over the shift's payments (index payment.shift_id); the
    # void and refund rows are read only when there are any.
    per_kind = {kind: (lo, hi, int(n)) for kind, lo, hi, n in session.execute(
        select(Payment.kind, func.min(Payment.receipt_no), func.max(Payment.receipt_no), func.count())
        .where(Payment.shift_id == shift.id).group_by(Payment.kind))}
    voided: list[str] = []
    voids: list[VoidLine] = []
    refunds: list[RefundLine] = []
    if PaymentKind.VOID in per_kind or PaymentKind.REFUND in per_kind:
        # A void gives back what its payment took (tendered less change). A refund row carries
        # the whole allocation it reverses; after a partial refund the new payment of the
        # remainder (`payment_correction.remainder_payment_id`) re-takes part of it, so the
        # money refunded is the row's amount less that remainder. The fee lines above are
        # already net of both: these lines say what was deducted, they are not deducted again.
        remainder = aliased(Payment)
        for kind, no, tendered, change, kept in session.execute(
                select(Payment.kind, Payment.receipt_no, Payment.tendered, Payment.change, remainder.allocated)
                .outerjoin(PaymentCorrection, PaymentCorrection.payment_id == Payment.reverses_payment_id)
                .outerjoin(remainder, remainder.id == PaymentCorrection.remainder_payment_id)
                .where(Payment.shift_id == shift.id, Payment.kind.in_([PaymentKind.VOID, PaymentKind.REFUND]))
                .order_by(Payment.id)):
            if kind == PaymentKind.VOID:
                voided.append(no)
                voids.append(VoidLine(no or "", int(change) - int(tendered)))
            else:
                refunds.append(RefundLine(no or "", -int(tendered) - int(kept or 0), "refund"))
    rec = per_kind.get(PaymentKind.PAYMENT, ("", "", 0))
    reprinted: list[str] = []
    if rec[2]:
        candidates = set(session.scalars(
            select(ReceiptNumberEvent.receipt_no).where(ReceiptNumberEvent.receipt_no >= rec[0],
                                                        ReceiptNumberEvent.receipt_no <= rec[1],
                                                        ReceiptNumberEvent.kind == ReceiptNumberEventKind.REPRINTED)))
        if candidates:  # keep only this shift's receipts (another prefix may sort in between)
            reprinted = sorted(set(session.scalars(select(Payment.receipt_no).where(
                Payment.shift_id == shift.id, Payment.receipt_no.in_(candidates)))))
    refunds += [RefundLine("", r.amount, r.kind + "_refund") for r in session.scalars(
        select(BalanceRefund).where(BalanceRefund.shift_id == shift.id).order_by(BalanceRefund.id))]
    moves: dict[str, int] = {}
    for kind, total in session.execute(select(CashMovement.kind, func.sum(CashMovement.amount))
                                       .where(CashMovement.shift_id == shift.id).group_by(CashMovement.kind)):
        moves[kind.value] = int(total)
    hand_ins = int(session.scalar(select(func.coalesce(func.sum(HandIn.amount), 0))
                                  .where(HandIn.shift_id == shift.id)))
    handed_out = int(session.scalar(select(func.coalesce(func.sum(HandIn.amount), 0))
                                    .where(HandIn.collector_shift_id == shift.id)))
    # Takings due to the bank: what was counted, less the change fund that came from the safe,
    # plus what already left the drawer for the safe or the bank.
    takings = (counted_cash - shift.float_amount - moves.get("top_up", 0) - moves.get("drop", 0)
               - moves.get("bank_run", 0))
    receipts = ReceiptsUsed(rec[0] or "", rec[1] or "", int(rec[2]), voided, reprinted)
    return ShiftSummary(fee_items, prepaid, receipts,
                        refunds, voids, moves, hand_ins, handed_out, shift.float_amount, takings,
                        -moves.get("bank_run", 0))


def _close_lines(shift: Shift, difference: dict[str, int]) -> list[ledger.Line]:
    """Overage: Dr drawer / Cr over_short. Shortage: Dr cashier_owed / Cr drawer."""
    lines = []
    for tender, d in difference.items():
        if d > 0:
            lines += [ledger.Line(ledger.DRAWER, d, shift_id=shift.id, tender=tender),
                      ledger.Line(ledger.OVER_SHORT, -d, shift_id=shift.id)]
        elif d < 0:
            lines += [ledger.Line(ledger.CASHIER_OWED, -d, user_id=shift.cashier_id),
                      ledger.Line(ledger.DRAWER, d, shift_id=shift.id, tender=tender)]
    return lines


def close_shift(session: Session, *, actor: Actor, count: dict[int, int],
                slips: dict[str, tuple[int, int | None]] | None = None, reason: str = "",
                approver: str | None = None, approver_password: str | None = None,
                at: dt.datetime | None = None) -> ShiftClosed:
    """轧帐 of the caller's open shift with a blind count.

    The count is taken as given (cash by denomination, non-cash slips per tender with an
    optional total; without a total the slips are taken at the expected amount), saved, and
    only then compared: a count is never refused for its difference, so the difference can
    not be learnt by trying counts. A difference needs a reason, and above
    `close_difference_limit` a supervisor's approval; both may come with the count or after
    it (`explain_difference`), and the supervisor cannot accept the close before.
    """
    user = auth.require(session, actor, auth.SHIFT)
    station = auth.station_of(session, actor)
    shift = open_shift_of(session, user, station, lock=True)
    cash_counted = check_count(session, count)
    slips = dict(slips or {})
    for method, (n, amount) in slips.items():
        if method not in TENDER_NAMES or method in ("cash", "prepaid"):
            raise InvalidInput(f"单据的付款方式不正确：“{method}”")
        if n < 0 or (amount is not None and amount < 0):
            raise InvalidInput("单据张数和金额不能为负")
    at = at or utcnow()
    expected, slip_expected = _drawer(session, shift.id)
    counted = {"cash": cash_counted}
    for tender, value in expected.items():
        if tender != "cash":
            given = slips.get(tender)
            counted[tender] = given[1] if given and given[1] is not None else value
    for tender, (_, amount) in slips.items():
        if tender not in counted:
            counted[tender] = amount or 0
            expected[tender] = 0
    difference = {t: counted[t] - expected.get(t, 0) for t in counted}
    slip_table = {t: {"expected": slip_expected.get(t, 0), "counted": slips.get(t, (slip_expected.get(t, 0), None))[0]}
                  for t in sorted(set(slip_expected) | set(slips))}
    warnings = [f"{TENDER_NAMES[t]}单据应有 {v['expected']} 张，清点 {v['counted']} 张"
                for t, v in slip_table.items() if v["expected"] != v["counted"]]
    total_abs = sum(abs(d) for d in difference.values())
    approval = None
    if approver:  # checked whatever the difference: a refusal must not tell a count from the right one
        approval = approval_for(session, actor, user, action="close_difference", amount=total_abs,
                                reason=reason, approver=approver, approver_password=approver_password,
                                reference=f"shift:{shift.id}")
    entry_id = None
    lines = _close_lines(shift, difference)
    if lines:
        entry_id = ledger.post(session, actor=actor, kind="over_short", business_date=shift.business_date,
                            shift_id=shift.id, station_id=station.id, training=shift.training,
                            memo=reason.strip(), lines=lines)
    summary = _summary(session, shift, cash_counted)
    row = ShiftClose(shift_id=shift.id, cashier_id=user.id, count_json=dumps({str(k): v for k, v in count.items()}),
                     slips_json=dumps(slip_table), expected_json=dumps(expected), counted_json=dumps(counted),
                     difference_json=dumps(difference), summary_json=dumps(summary.to_json()),
                     cash_counted=cash_counted,
                     difference_total=sum(difference.values()), reason=(reason or "").strip(),
                     approval_id=approval.id if approval else None, journal_entry_id=entry_id,
                     business_date=shift.business_date, created_at=at, training=shift.training)
    session.add(row)
    shift.status = ShiftStatus.CLOSED
    shift.closed_at = at
    session.flush()
    audit.record(session, actor, "shift_close", "shift", shift.id, close_id=row.id, counted=counted,
                 expected=expected, difference=difference, reason=row.reason)
    # people by their display names, as on every receipt, slip and 缴款单
    return ShiftClosed(shift.id, row.id, user.display_name, station.code, shift.business_date, expected, counted,
                       difference, slip_table, dict(count), summary, row.reason,
                       session.get(User, approval.approver_id).display_name if approval else None, warnings,
                       _pending(session, row))


def _explanation(session: Session, close: ShiftClose) -> tuple[str, int | None]:
    """(reason, approval id) of a close: given with the count, or afterwards."""
    note = session.scalars(select(ShiftCloseReason).where(ShiftCloseReason.close_id == close.id)).first()
    if note is None:
        return close.reason, close.approval_id
    return close.reason or note.reason, close.approval_id or note.approval_id


def _pending(session: Session, close: ShiftClose) -> str:
    """What the close's difference still lacks: "" (nothing), "reason" or "approval"."""
    total_abs = sum(abs(d) for d in json.loads(close.difference_json).values())
    if not total_abs:
        return ""
    reason, approval_id = _explanation(session, close)
    if not reason:
        return "reason"
    if approval_id is None and total_abs > settings.get_int(session, "close_difference_limit"):
        return "approval"
    return ""


def explain_difference(session: Session, *, actor: Actor, shift_id: int, reason: str,
                       approver: str | None = None, approver_password: str | None = None,
                       at: dt.datetime | None = None) -> ShiftClosed:
    """The cashier's reason for the difference her saved count showed; above
    `close_difference_limit` with a supervisor's approval. Once per close; audited."""
    user = auth.require(session, actor, auth.SHIFT)
    shift = _shift(session, shift_id)
    if shift.cashier_id != user.id:
        raise PermissionDenied("只能说明自己的轧帐差额")
    if shift.status != ShiftStatus.CLOSED:
        raise ShiftError(f"班次 #{shift_id} 尚未轧帐" if shift.status == ShiftStatus.OPEN
                         else f"班次 #{shift_id} 已验收，不能再修改")
    close = _latest_close(session, shift.id)
    missing = _pending(session, close)
    if not missing:
        raise ShiftError("这次轧帐没有待说明的差额")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写差额原因")
    total_abs = sum(abs(d) for d in json.loads(close.difference_json).values())
    limit = settings.get_int(session, "close_difference_limit")
    approval = None
    if total_abs > limit or approver:
        if not approver:
            raise ApprovalRequired(f"差额超过 {format_yuan(limit)} 元，需要主管审批：请由主管输入用户名和密码")
        approval = approval_for(session, actor, user, action="close_difference", amount=total_abs, reason=reason,
                                approver=approver, approver_password=approver_password,
                                reference=f"shift:{shift.id}")
    note = ShiftCloseReason(shift_id=shift.id, close_id=close.id, user_id=user.id, reason=reason,
                            approval_id=approval.id if approval else None, created_at=at or utcnow())
    session.add(note)
    session.flush()
    audit.record(session, actor, "shift_close_reason", "shift", shift.id, close_id=close.id, reason=reason,
                 approved_by=approver if approval else None)
    return _closed_result(session, shift, close)


def _latest_close(session: Session, shift_id: int) -> ShiftClose | None:
    return session.scalars(select(ShiftClose).where(ShiftClose.shift_id == shift_id)
                           .order_by(ShiftClose.id.desc()).limit(1)).first()


def _closed_result(session: Session, shift: Shift, close: ShiftClose) -> ShiftClosed:
    cashier = session.get(User, shift.cashier_id)
    station = session.get(Station, shift.station_id)
    approved_by = None
    reason, approval_id = _explanation(session, close)
    if approval_id:
        from app.models import Approval

        approved_by = session.get(User, session.get(Approval, approval_id).approver_id).display_name
    return ShiftClosed(shift.id, close.id, cashier.display_name, station.code, shift.business_date,
                       json.loads(close.expected_json), json.loads(close.counted_json),
                       json.loads(close.difference_json), json.loads(close.slips_json),
                       {int(k): v for k, v in json.loads(close.count_json).items()},
                       ShiftSummary.from_json(json.loads(close.summary_json)), reason, approved_by,
                       pending=_pending(session, close))


def _shift(session: Session, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(f"班次 #{shift_id} 不存在")
    return shift


def expected_figures(session: Session, *, actor: Actor, shift_id: int) -> ShiftClosed:
    """Expected vs counted of a closed shift. Refused while the shift is open (blind count)."""
    user = auth.require(session, actor, auth.READ)
    shift = _shift(session, shift_id)
    if shift.status == ShiftStatus.OPEN:
        raise ShiftError("盲点：轧帐（点钞）保存之前不显示应有金额")
    if shift.cashier_id != user.id and auth.SUPERVISE not in auth.PERMISSIONS[user.role] \
            and auth.VERIFY not in auth.PERMISSIONS[user.role]:
        raise PermissionDenied("只能查看自己的轧帐")
    return _closed_result(session, shift, _latest_close(session, shift.id))


# ---- accept / reopen ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ShiftAccepted:
    shift_id: int
    close_id: int
    supervisor: str
    to_safe: int
    to_bank: int

    def to_json(self) -> dict:
        return {"shift_id": self.shift_id, "close_id": self.close_id, "accepted_by": self.supervisor,
                "to_safe": format_yuan(self.to_safe), "to_bank": format_yuan(self.to_bank)}


def accept_close(session: Session, *, actor: Actor, shift_id: int, second_count: dict[int, int] | None = None,
                 at: dt.datetime | None = None) -> ShiftAccepted:
    """The supervisor accepts a close; the drawer is remitted (cash to the safe, non-cash to the bank)."""
    sup = auth.require(session, actor, auth.SUPERVISE)
    shift = session.scalars(select(Shift).where(Shift.id == shift_id).with_for_update()).first()
    if shift is None:
        raise NotFound(f"班次 #{shift_id} 不存在")
    if shift.status == ShiftStatus.OPEN:
        raise ShiftError(f"班次 #{shift_id} 尚未轧帐，不能验收")
    if shift.status == ShiftStatus.ACCEPTED:
        raise ShiftError(f"班次 #{shift_id} 已验收，不能重复验收")
    if shift.cashier_id == sup.id:
        raise PermissionDenied("不能验收自己的轧帐，请由另一位主管验收")
    close = _latest_close(session, shift.id)
    missing = _pending(session, close)
    if missing:
        raise ShiftError(f"班次 #{shift_id} 的轧帐差额" + ("尚未说明原因" if missing == "reason" else "尚未经主管审批")
                         + "，请收费员先在轧帐界面补填，再验收")
    second = None
    if second_count is not None:
        second = check_count(session, second_count)
        if second != close.cash_counted:
            raise ShiftError(f"主管复点现金 {format_yuan(second)} 元与收费员点数 {format_yuan(close.cash_counted)} 元"
                             "不符：请退回重新轧帐")
    at = at or utcnow()
    balances = _expected(session, shift.id)
    lines = []
    to_safe = to_bank = 0
    for tender, value in balances.items():
        if not value:
            continue
        lines.append(ledger.Line(ledger.DRAWER, -value, shift_id=shift.id, tender=tender))
        if tender == "cash":
            lines.append(ledger.Line(ledger.SAFE, value))
            to_safe += value
        else:
            lines.append(ledger.Line(ledger.BANK, value))
            to_bank += value
    entry_id = None
    if lines:
        entry_id = ledger.post(session, actor=actor, kind="remittance", business_date=shift.business_date,
                            shift_id=shift.id, station_id=shift.station_id, training=shift.training,
                            memo=f"缴款 班次#{shift.id}", lines=lines)
    row = ShiftAccept(shift_id=shift.id, close_id=close.id, supervisor_id=sup.id,
                      second_count_json=dumps({str(k): v for k, v in (second_count or {}).items()}),
                      second_cash=second, journal_entry_id=entry_id, created_at=at)
    session.add(row)
    shift.status = ShiftStatus.ACCEPTED
    shift.accepted_at = at
    shift.accepted_by_id = sup.id
    session.flush()
    audit.record(session, actor, "shift_accept", "shift", shift.id, close_id=close.id, second_cash=second,
                 to_safe=to_safe, to_bank=to_bank)
    return ShiftAccepted(shift.id, close.id, sup.display_name, to_safe, to_bank)


@dataclass(frozen=True, slots=True)
class ShiftReopened:
    shift_id: int
    close_id: int

    def to_json(self) -> dict:
        return {"shift_id": self.shift_id, "reopened_close_id": self.close_id}


def reopen_shift(session: Session, *, actor: Actor, shift_id: int, reason: str,
                 at: dt.datetime | None = None) -> ShiftReopened:
    """A supervisor sends back the latest, not yet accepted close of a cashier for a recount.

    The close row stays; its over/short entry is reversed by a new entry.
    """
    auth.require(session, actor, auth.SUPERVISE)
    if not reason or not reason.strip():
        raise InvalidInput("请填写退回重点的原因")
    shift = session.scalars(select(Shift).where(Shift.id == shift_id).with_for_update()).first()
    if shift is None:
        raise NotFound(f"班次 #{shift_id} 不存在")
    if shift.status == ShiftStatus.ACCEPTED:
        raise ShiftError(f"班次 #{shift_id} 已验收，验收后的轧帐不能退回")
    if shift.status != ShiftStatus.CLOSED:
        raise ShiftError(f"班次 #{shift_id} 尚未轧帐")
    if shift.cashier_id == actor.user_id:
        raise PermissionDenied("不能退回自己的轧帐，请由另一位主管处理")
    later = session.scalar(select(Shift.id).where(Shift.cashier_id == shift.cashier_id, Shift.id > shift.id).limit(1))
    if later is not None:
        raise ShiftError(f"只能退回该收费员最近一次轧帐（之后已有班次 #{later}）")
    if session.scalar(select(Handover.id).where(Handover.from_shift_id == shift.id)) is not None:
        raise ShiftError("该班次已交接班，备用金已转给下一班，不能退回")
    busy = session.scalar(select(Shift.id).where(Shift.station_id == shift.station_id,
                                                 Shift.status == ShiftStatus.OPEN).limit(1))
    if busy is not None:
        raise ShiftError(f"该收费点已有未轧帐的班次 #{busy}，不能退回")
    close = _latest_close(session, shift.id)
    reversal_id = None
    if close.journal_entry_id:
        lines = [ledger.Line(p.book, -p.amount, p.account_id, p.fee_item_id, p.shift_id, p.tender, p.user_id,
                             p.charge_id)
                 for p in session.scalars(select(Posting).where(Posting.entry_id == close.journal_entry_id))]
        reversal_id = ledger.post(session, actor=actor, kind="over_short_reversal", business_date=shift.business_date,
                               shift_id=shift.id, station_id=shift.station_id, training=shift.training,
                               reverses_entry_id=close.journal_entry_id, memo=reason.strip(), lines=lines)
    at = at or utcnow()
    session.add(ShiftReopen(shift_id=shift.id, close_id=close.id, reason=reason.strip(), user_id=actor.user_id,
                            reversal_entry_id=reversal_id, created_at=at))
    shift.status = ShiftStatus.OPEN
    shift.closed_at = None
    session.flush()
    audit.record(session, actor, "shift_reopen", "shift", shift.id, close_id=close.id, reason=reason.strip())
    return ShiftReopened(shift.id, close.id)


# ---- handover (交接班) ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HandedOver:
    closed: ShiftClosed
    next_shift_id: int
    next_cashier: str
    carried: int

    def to_json(self) -> dict:
        return {**self.closed.to_json(), "next_shift_id": self.next_shift_id, "next_cashier": self.next_cashier,
                "carried_float": format_yuan(self.carried)}


def handover(session: Session, *, actor: Actor, count: dict[int, int], next_user: str, next_password: str,
             carry: str | None = None, slips: dict[str, tuple[int, int | None]] | None = None, reason: str = "",
             approver: str | None = None, approver_password: str | None = None,
             at: dt.datetime | None = None) -> HandedOver:
    """Close this cashier's shift (blind count) and open the next cashier's at the same station,
    carrying the float (default: the same float) from one drawer to the other. The next
    cashier confirms with their own password; both are recorded."""
    closed = close_shift(session, actor=actor, count=count, slips=slips, reason=reason, approver=approver,
                         approver_password=approver_password, at=at)
    station = auth.station_of(session, actor)
    nxt = auth.login(session, username=next_user, password=next_password, station_code=station.code)
    nxt_user = session.get(User, nxt.user.id)
    if nxt_user.id == actor.user_id:
        raise InvalidInput("交接班的接班人不能是自己")
    auth.require(session, nxt.actor, auth.SHIFT)
    old = session.get(Shift, closed.shift_id)
    amount = Money.parse(carry).fen if carry else old.float_amount
    if amount > closed.counted["cash"]:
        raise InvalidInput(f"移交备用金 {format_yuan(amount)} 元超过清点现金 {format_yuan(closed.counted['cash'])} 元")
    if session.scalar(select(Shift.id).where(Shift.cashier_id == nxt_user.id, Shift.status == ShiftStatus.OPEN)):
        raise ShiftError(f"接班人“{next_user}”已有未轧帐的班次")
    at = at or utcnow()
    training = is_training(nxt_user, station)
    if training != old.training:
        raise ShiftError("练习模式与正式账不能交接班")
    new = Shift(
        station_id=station.id,
        cashier_id=nxt_user.id,
        status=ShiftStatus.OPEN,
        business_date=bdate(session, at),
        float_amount=amount,
        float_by_id=actor.user_id,
        opened_at=at,
        training=training,
    )
    session.add(new)
    session.flush()
    entry_id = None
    if amount:
        entry_id = ledger.post(session, actor=actor, kind="handover", business_date=old.business_date, shift_id=old.id,
                            station_id=station.id, training=training, memo=f"交接班 → {next_user}", lines=[
                                ledger.Line(ledger.DRAWER, amount, shift_id=new.id, tender="cash"),
                                ledger.Line(ledger.DRAWER, -amount, shift_id=old.id, tender="cash")])
    session.add(Handover(from_shift_id=old.id, to_shift_id=new.id, from_user_id=actor.user_id, to_user_id=nxt_user.id,
                         amount=amount, journal_entry_id=entry_id, created_at=at))
    session.flush()
    audit.record(session, actor, "handover", "shift", old.id, to_shift=new.id, to_user=next_user, amount=amount)
    return HandedOver(closed, new.id, next_user, amount)


# ---- reads ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ShiftRow:
    id: int
    station: str
    cashier: str
    status: str
    business_date: dt.date
    training: bool
    closed_at: dt.datetime | None = None  # when the count was saved (a close waiting for acceptance)


def unexplained_close(session: Session, *, actor: Actor) -> ShiftClosed | None:
    """The caller's latest closed, not yet accepted shift whose difference still lacks its
    reason or approval (so the shift screen asks again after a log-out), else None."""
    user = auth.require(session, actor, auth.SHIFT)
    shift = session.scalars(select(Shift).where(Shift.cashier_id == user.id, Shift.status == ShiftStatus.CLOSED)
                            .order_by(Shift.id.desc()).limit(1)).first()
    if shift is None:
        return None
    close = _latest_close(session, shift.id)
    return _closed_result(session, shift, close) if _pending(session, close) else None


def open_takings(session: Session, *, actor: Actor, shift_id: int) -> dict[str, int]:
    """What an open shift's drawer holds per tender, for the supervisor desk. Never for the
    shift's own cashier, nor for anyone without the supervisor's permission: the count is blind."""
    user = auth.require(session, actor, auth.SUPERVISE)
    shift = _shift(session, shift_id)
    if shift.cashier_id == user.id and shift.status == ShiftStatus.OPEN:
        raise PermissionDenied("盲点：自己的班次在轧帐之前不显示应有金额")
    return {t: v for t, v in _drawer(session, shift.id)[0].items() if t != "prepaid"}


def list_shifts(session: Session, *, actor: Actor, status: str | None = None,
                day: dt.date | None = None) -> list[ShiftRow]:
    auth.require(session, actor, auth.READ)
    q = select(Shift, Station.code, User.display_name).join(Station, Station.id == Shift.station_id) \
        .join(User, User.id == Shift.cashier_id).order_by(Shift.id)
    if status:
        q = q.where(Shift.status == ShiftStatus(status))
    if day:
        q = q.where(Shift.business_date == day)
    return [ShiftRow(s.id, st, u, s.status.value, s.business_date, s.training, s.closed_at)
            for s, st, u in session.execute(q)]


def accepted_closes(session: Session, shift_ids: list[int]) -> dict[int, ShiftClose]:
    """shift id -> its accepted close, one query."""
    if not shift_ids:
        return {}
    rows = session.execute(
        select(ShiftAccept.shift_id, ShiftClose)
        .join(ShiftClose, ShiftClose.id == ShiftAccept.close_id)
        .where(ShiftAccept.shift_id.in_(shift_ids))
    )
    return {sid: c for sid, c in rows}


