"""Corrections with maker-checker approval: void, refund, balance refunds, waiver, write-off, price override.

Every correction is new rows pointing at the original (DESIGN.md rule 2) and carries a
reason and the approval of a supervisor who is not the requester (`cashdesk.approval_for`
-> `auth.approve`).

- Void (作废): a payment of the caller's still-open shift is reversed completely (tenders,
  change, allocations, prepaid, journal); the receipt number stays in the sequence, marked
  void by the VOID payment that points to it.
- Refund (退费): a payment of an earlier, closed shift. All its allocations are reversed on the
  current business date; the refund is paid out by the chosen tender (cash from the drawer, other tenders to
  `refund_payable`, or `prepaid` into the payer's balance). A partial refund
  re-issues what remains as a new payment with a new receipt (the hospital rule).
  Refunded charges are outstanding again unless `cancel_charges` (the charge was not owed).
- A payment is voided or refunded at most once in total (`payment_correction.payment_id` is unique).
- `check_void`, `check_refund`, `check_balance_refund`, `check_waiver`, `check_write_off` run a correction's
  refusals that do not depend on the approver (the same code the correction runs first), so a
  dialog refuses before anyone types a password.
- No correction leaves a deposit held, a prepaid balance or a drawer's cash below zero
  (`_refuse_negative`, before posting); every correction here needs a second person's approval
  (`cashdesk.MANDATORY_APPROVAL`), except a price override that the settings leave optional.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.errors import AlreadyCorrected, InvalidInput, NotFound, PaymentRefused, ShiftError
from app.models import (
    AdjustmentKind,
    Allocation,
    BalanceRefund,
    Charge,
    ChargeAdjustment,
    ChargeKind,
    FeeItem,
    FeeKind,
    JournalEntry,
    Payment,
    PaymentCorrection,
    PaymentKind,
    Posting,
    PriceOverride,
    Receipt,
    ReceiptKind,
    Shift,
    ShiftStatus,
    Site,
    Station,
    Tender,
    TenderLine,
    User,
)
from app.money import Money, format_yuan
from app.services import Actor
from app.services.bills import billing
from app.services.clock import utcnow
from app.services.desk import receipts
from app.services.desk.cashdesk import approval_for, bdate, local
from app.services.desk.payments import TenderInput, payment_lines
from app.services.desk.shifts import open_shift_of
from app.services.journal import audit, concurrency, ledger
from app.services.system import auth, settings


@dataclass(frozen=True, slots=True)
class Corrected:
    kind: str
    id: int
    amount: int
    receipt_no: str = ""
    new_receipt_no: str = ""
    approved_by: str = ""
    reopened: int = 0

    def to_json(self) -> dict:
        return {"kind": self.kind, "id": self.id, "amount": format_yuan(self.amount), "receipt_no": self.receipt_no,
                "new_receipt_no": self.new_receipt_no or None, "approved_by": self.approved_by or None}


@dataclass(frozen=True, slots=True)
class CorrectionCheck:
    """A correction checked before anyone types a password (`check_*`): every refusal that does
    not depend on the approver comes from the same code as the correction itself."""

    kind: str
    amount: int  # what the correction would move (the whole when no amount was typed)
    available: int  # the most it may move: refundable, outstanding or held


def _approver_name(session: Session, approval) -> str:
    return session.get(User, approval.approver_id).display_name if approval else ""  # as printed


def _original(session: Session, receipt_no: str) -> Payment:
    orig = session.scalars(select(Payment).where(Payment.receipt_no == receipt_no.strip(),
                                                 Payment.kind == PaymentKind.PAYMENT)).first()
    if orig is None:
        raise NotFound(f"找不到收据“{receipt_no}”的收款")
    # Shared ledger: one money change per account at a time (prepaid, charges, the check below).
    concurrency.lock_account(session, orig.account_id)
    done = session.scalar(select(PaymentCorrection).where(PaymentCorrection.payment_id == orig.id))
    if done is not None:
        what = "作废" if done.kind == "void" else "退费"
        raise AlreadyCorrected(f"收据 {receipt_no} 已{what}，一笔收款只能作废或退费一次")
    return orig


def _allocations(session: Session, payment_id: int) -> list[tuple[Charge, int, FeeItem]]:
    rows = session.execute(
        select(Charge, Allocation.amount, FeeItem)
        .join(Allocation, Allocation.charge_id == Charge.id)
        .join(FeeItem, FeeItem.id == Charge.fee_item_id)
        .where(Allocation.payment_id == payment_id)
        .order_by(Allocation.id)
    )
    return [(c, int(a), f) for c, a, f in rows]


def _tenders(session: Session, payment_id: int) -> list[TenderInput]:
    return [
        TenderInput(t.method.value, t.amount, t.reference)
        for t in session.scalars(select(TenderLine).where(TenderLine.payment_id == payment_id).order_by(TenderLine.id))
    ]


def _payment_entry_id(session: Session, payment_id: int) -> int | None:
    return session.scalar(select(JournalEntry.id).where(JournalEntry.payment_id == payment_id)
                          .order_by(JournalEntry.id).limit(1))


def _insert_payment_rows(session: Session, payment: Payment, tenders: list[TenderInput],
                         allocations: list[tuple[Charge, int, FeeItem]], sign: int) -> None:
    session.add(payment)
    session.flush()
    session.execute(insert(TenderLine), [dict(payment_id=payment.id, method=Tender(t.method), amount=sign * t.amount,
                                              reference=t.reference) for t in tenders])
    if allocations:
        session.execute(insert(Allocation), [dict(payment_id=payment.id, charge_id=c.id, amount=sign * a)
                                             for c, a, _ in allocations])


def _drawer_cash(session: Session, shift_id: int) -> int:
    return ledger.balance(session, ledger.DRAWER, shift_id=shift_id, tender="cash")


def _refuse_negative(session: Session, lines: list[ledger.Line], *, training: bool) -> None:
    """No correction may leave a deposit, a prepaid balance or a drawer's cash below zero.

    Checked before posting, on the balances this correction moves (read under the account
    lock `_original` / `_charge` / `refund_balance` hold). A practice entry moves only its
    own drawer (the rest lands in the training book).
    """
    moves: dict[tuple, int] = {}
    for ln in lines:
        if ln.book == ledger.DEPOSIT_HELD and not training:
            key = (ln.book, ("account_id", ln.account_id), ("fee_item_id", ln.fee_item_id))
        elif ln.book == ledger.PREPAID and not training:
            key = (ln.book, ("account_id", ln.account_id))
        elif ln.book == ledger.DRAWER and ln.tender == "cash":
            key = (ln.book, ("shift_id", ln.shift_id), ("tender", "cash"))
        else:
            continue
        moves[key] = moves.get(key, 0) + ln.amount
    order = {ledger.DEPOSIT_HELD: 0, ledger.PREPAID: 1, ledger.DRAWER: 2}  # the payer's money is named first
    for (book, *dims), amount in sorted(moves.items(), key=lambda kv: order[kv[0][0]]):
        held = ledger.balance(session, book, **dict(dims))
        # Deposits and prepaid are owed to the payer (credit balances); the drawer holds cash (debit).
        after = held + amount if book == ledger.DRAWER else -(held + amount)
        if after < 0:
            raise PaymentRefused({
                ledger.DEPOSIT_HELD: "押金余额不足（押金已退还），不能办理：押金余额不能为负",
                ledger.PREPAID: "预存余额不足（预存已使用或已退款），不能办理：预存余额不能为负",
                ledger.DRAWER: "钱箱现金不足，不能办理：钱箱现金不能为负",
            }[book])


# ---- void (作废) ---------------------------------------------------------------------------

def _void_checks(session: Session, actor: Actor, receipt_no: str) -> tuple[User, Station, Shift, Payment]:
    """Every refusal of a void that does not depend on the approver's password."""
    user = auth.require(session, actor, auth.PAY)
    station = auth.station_of(session, actor)
    shift = open_shift_of(session, user, station, lock=True)
    orig = _original(session, receipt_no)
    if orig.shift_id != shift.id:
        raise ShiftError(f"收据 {receipt_no} 不是本班次的收款：已轧帐班次的收款请办理退费")
    if orig.prepaid_added:
        held = -ledger.balance(session, ledger.PREPAID, account_id=orig.account_id)
        if held < orig.prepaid_added:
            raise PaymentRefused(f"该收款转入的预存 {format_yuan(orig.prepaid_added)} 元已被使用，不能作废")
    return user, station, shift, orig


def check_void(session: Session, *, actor: Actor, receipt_no: str) -> CorrectionCheck:
    """Read: refuse a void now, before anyone types a password, as `void_payment` would."""
    *_, orig = _void_checks(session, actor, receipt_no)
    return CorrectionCheck("void", orig.tendered - orig.change, orig.tendered - orig.change)


def void_payment(session: Session, *, actor: Actor, receipt_no: str, reason: str, approver: str | None = None,
                 approver_password: str | None = None, at: dt.datetime | None = None) -> Corrected:
    user, station, shift, orig = _void_checks(session, actor, receipt_no)
    approval = approval_for(session, actor, user, action="void", amount=orig.tendered - orig.change, reason=reason,
                            approver=approver, approver_password=approver_password, reference=orig.receipt_no)
    at = at or utcnow()
    day = bdate(session, at)
    tenders = _tenders(session, orig.id)
    allocs = _allocations(session, orig.id)
    void = Payment(kind=PaymentKind.VOID, receipt_no=orig.receipt_no, account_id=orig.account_id,
                   payer_name=orig.payer_name, shift_id=shift.id, station_id=station.id, user_id=user.id,
                   business_date=day, created_at=at, tendered=-orig.tendered, change=-orig.change,
                   allocated=-orig.allocated, prepaid_added=-orig.prepaid_added, reverses_payment_id=orig.id,
                   approval_id=approval.id if approval else None, reason=reason.strip(), training=orig.training)
    _insert_payment_rows(session, void, tenders, allocs, -1)
    lines = payment_lines(shift_id=shift.id, account_id=orig.account_id, tenders=tenders, change=orig.change,
                          prepaid_added=orig.prepaid_added, allocations=allocs, sign=-1)
    _refuse_negative(session, lines, training=orig.training)
    ledger.post(session, actor=actor, kind="void", business_date=day, lines=lines, shift_id=shift.id,
                payment_id=void.id, station_id=station.id, training=orig.training,
                reverses_entry_id=_payment_entry_id(session, orig.id), memo=f"作废 {orig.receipt_no}")
    session.add(PaymentCorrection(payment_id=orig.id, correction_payment_id=void.id, kind="void", created_at=at))
    session.flush()
    audit.record(session, actor, "void", "payment", void.id, receipt_no=orig.receipt_no, original=orig.id,
                 amount=orig.tendered - orig.change, reason=reason.strip(), approver=_approver_name(session, approval))
    return Corrected("void", void.id, orig.tendered - orig.change, orig.receipt_no,
                     approved_by=_approver_name(session, approval), reopened=orig.allocated)


# ---- refund (退费) --------------------------------------------------------------------------

def _refund_lines(lines: list[ledger.Line]) -> list[ledger.Line]:
    """Money paid back by a non-cash tender is owed through `refund_payable`, not out of the drawer."""
    out = []
    for ln in lines:
        if ln.book == ledger.DRAWER and ln.tender != "cash":
            out.append(ledger.Line(ledger.REFUND_PAYABLE, ln.amount, tender=ln.tender))
        else:
            out.append(ln)
    return out


def _cancel(session: Session, actor: Actor, charge: Charge, fee: FeeItem, amount: int, reason: str,
            approval_id: int | None, day: dt.date, at: dt.datetime, kind: AdjustmentKind = AdjustmentKind.CANCEL):
    """Reduce a charge: a cancel reverses the income; a waiver or write-off is an expense
    (`waiver` / `bad_debt` by fee item). A deposit is never income: its billing is reversed."""
    if kind == AdjustmentKind.CANCEL or fee.kind == FeeKind.DEPOSIT:
        lines = billing.charge_lines(account_id=charge.account_id, fee=fee, charge_id=charge.id, amount=-amount,
                                     late=charge.kind == ChargeKind.LATE_FEE)
    else:
        expense = ledger.WAIVER if kind == AdjustmentKind.WAIVER else ledger.BAD_DEBT
        lines = [ledger.Line(ledger.RECEIVABLE, -amount, account_id=charge.account_id, fee_item_id=fee.id,
                             charge_id=charge.id),
                 ledger.Line(expense, amount, fee_item_id=fee.id)]
    entry_id = ledger.post(session, actor=actor, kind="charge_" + kind.value, business_date=day, lines=lines,
                        training=charge.training, memo=reason)
    session.add(ChargeAdjustment(charge_id=charge.id, kind=kind, amount=amount, reason=reason,
                                 approval_id=approval_id, journal_entry_id=entry_id, user_id=actor.user_id,
                                 business_date=day, created_at=at))


def _refund_checks(session: Session, actor: Actor, receipt_no: str, tender: str,
                   amount: str | None) -> tuple[User, Station, Shift, Payment, int]:
    """Every refusal of a refund that does not depend on the approver's password."""
    user = auth.require(session, actor, auth.PAY)
    station = auth.station_of(session, actor)
    shift = open_shift_of(session, user, station, lock=True)
    orig = _original(session, receipt_no)
    if orig.shift_id == shift.id:
        raise ShiftError(f"收据 {receipt_no} 是本班次的收款，请作废而不是退费")
    if session.get(Shift, orig.shift_id).status == ShiftStatus.OPEN:
        raise ShiftError(f"收据 {receipt_no} 所在班次尚未轧帐，请由原收费员作废")
    if orig.training != shift.training:
        raise ShiftError("练习模式的收据只能在练习模式中处理")
    if orig.allocated <= 0:
        raise InvalidInput(f"收据 {receipt_no} 没有可退的费用（预存余额请办理预存退款）")
    valid = {t.value for t in Tender}
    if tender not in valid:
        raise InvalidInput(f"未知的退款方式“{tender}”（可选：{'、'.join(sorted(valid))}）")
    value = Money.parse(amount).fen if amount else orig.allocated
    if not 0 < value <= orig.allocated:
        raise InvalidInput(f"退费金额必须大于零且不超过原收费 {format_yuan(orig.allocated)} 元")
    if tender == "cash" and value > _drawer_cash(session, shift.id):
        raise ShiftError(f"钱箱现金不足以退款 {format_yuan(value)} 元")
    return user, station, shift, orig, value


def check_refund(session: Session, *, actor: Actor, receipt_no: str, tender: str,
                 amount: str | None = None) -> CorrectionCheck:
    """Read: refuse a refund now, before anyone types a password, as `refund_payment` would."""
    *_, orig, value = _refund_checks(session, actor, receipt_no, tender, amount)
    return CorrectionCheck("refund", value, orig.allocated)


def refund_payment(session: Session, *, actor: Actor, receipt_no: str, tender: str, reason: str,
                   amount: str | None = None, cancel_charges: bool = False, approver: str | None = None,
                   approver_password: str | None = None, at: dt.datetime | None = None) -> Corrected:
    user, station, shift, orig, value = _refund_checks(session, actor, receipt_no, tender, amount)
    approval = approval_for(session, actor, user, action="refund", amount=value, reason=reason, approver=approver,
                            approver_password=approver_password, reference=orig.receipt_no)
    at = at or utcnow()
    day = bdate(session, at)
    allocs = _allocations(session, orig.id)
    remainder = orig.allocated - value
    tenders = [TenderInput(tender, value)] + ([TenderInput("prepaid", remainder)] if remainder else [])
    refund = Payment(kind=PaymentKind.REFUND, receipt_no=orig.receipt_no, account_id=orig.account_id,
                     payer_name=orig.payer_name, shift_id=shift.id, station_id=station.id, user_id=user.id,
                     business_date=day, created_at=at, tendered=-orig.allocated, change=0, allocated=-orig.allocated,
                     prepaid_added=0, reverses_payment_id=orig.id, approval_id=approval.id if approval else None,
                     reason=reason.strip(), training=orig.training)
    _insert_payment_rows(session, refund, tenders, allocs, -1)
    lines = _refund_lines(payment_lines(shift_id=shift.id, account_id=orig.account_id, tenders=tenders, change=0,
                                        prepaid_added=0, allocations=allocs, sign=-1))
    _refuse_negative(session, lines, training=orig.training)
    ledger.post(session, actor=actor, kind="refund", business_date=day, lines=lines, shift_id=shift.id,
                payment_id=refund.id, station_id=station.id, training=orig.training,
                reverses_entry_id=_payment_entry_id(session, orig.id), memo=f"退费 {orig.receipt_no}")
    # What remains paid keeps the original order (oldest first); the rest is reopened or cancelled.
    keep: list[tuple[Charge, int, FeeItem]] = []
    reopened: list[tuple[Charge, int, FeeItem]] = []
    left = remainder
    for charge, amt, fee in allocs:
        take = min(amt, left)
        left -= take
        if take:
            keep.append((charge, take, fee))
        if amt - take:
            reopened.append((charge, amt - take, fee))
    new_no = ""
    remainder_id = None
    if remainder:
        new_no, remainder_id = _reissue(session, actor, user, station, shift, orig, keep, remainder, reason, day, at)
    if cancel_charges:
        for charge, amt, fee in reopened:
            _cancel(session, actor, charge, fee, amt, f"退费取消：{reason.strip()}", approval.id if approval else None,
                    day, at)
    session.add(PaymentCorrection(payment_id=orig.id, correction_payment_id=refund.id, kind="refund",
                                  remainder_payment_id=remainder_id, created_at=at))
    session.flush()
    audit.record(session, actor, "refund", "payment", refund.id, receipt_no=orig.receipt_no, amount=value,
                 tender=tender, remainder=remainder, new_receipt_no=new_no, cancel=cancel_charges,
                 reason=reason.strip(), approver=_approver_name(session, approval))
    return Corrected("refund", refund.id, value, orig.receipt_no, new_no, _approver_name(session, approval),
                     reopened=0 if cancel_charges else value)


def _reissue(session: Session, actor: Actor, user: User, station: Station, shift: Shift, orig: Payment,
             keep: list[tuple[Charge, int, FeeItem]], remainder: int, reason: str, day: dt.date,
             at: dt.datetime) -> tuple[str, int]:
    """The new payment and receipt for what remains after a partial refund (paid from the refund itself)."""
    number = receipts.take_number(session, station=station, user=user, training=orig.training)
    tenders = [TenderInput("prepaid", remainder)]
    pay = Payment(kind=PaymentKind.PAYMENT, receipt_no=number.receipt_no, account_id=orig.account_id,
                  payer_name=orig.payer_name, shift_id=shift.id, station_id=station.id, user_id=user.id,
                  business_date=day, created_at=at, tendered=remainder, change=0, allocated=remainder,
                  prepaid_added=0, reason=f"部分退费后重开（原收据 {orig.receipt_no}）", training=orig.training)
    _insert_payment_rows(session, pay, tenders, keep, 1)
    ledger.post(session, actor=actor, kind="payment", business_date=day, shift_id=shift.id, payment_id=pay.id,
                station_id=station.id, training=orig.training, memo=number.receipt_no,
                lines=payment_lines(shift_id=shift.id, account_id=orig.account_id, tenders=tenders, change=0,
                                    prepaid_added=0, allocations=keep))
    old = session.scalar(select(Receipt).where(Receipt.payment_id == orig.id, Receipt.kind == ReceiptKind.PAYMENT)
                         .order_by(Receipt.id).limit(1))
    site = session.get(Site, station.site_id)
    issued = local(session, at).strftime("%Y-%m-%d %H:%M:%S")
    arrears_after, prepaid_after = ledger.account_balances(session, orig.account_id)
    doc_lines = [receipts.DocLine(f.name + ("滞纳金" if c.kind == ChargeKind.LATE_FEE else ""), c.period or "",
                                  c.basis, c.amount, a, c.kind == ChargeKind.LATE_FEE) for c, a, f in keep]
    base = receipts.ReceiptDoc.from_json(old.document) if old else None
    doc = receipts.ReceiptDoc(
        kind="payment", title=receipts.TITLES["payment"], receipt_no=number.receipt_no, site_name=site.name,
        station=station.name, cashier=user.display_name, issued_at=issued, business_date=day.isoformat(),
        account_code=base.account_code if base else "", payer=orig.payer_name, lines=doc_lines, total=remainder,
        total_upper=receipts.upper(remainder),
        tenders=[receipts.DocTender("prepaid", "原收据留用", remainder, orig.receipt_no or "")],
        tendered=remainder, change=0, prepaid_added=0, prepaid_balance=prepaid_after, arrears_after=arrears_after,
        footer=base.footer if base else "", hotline=site.hotline,
        verify_code=receipts.verification_code(session, number.receipt_no, remainder, issued),
        training=orig.training, original_receipt_no=orig.receipt_no or "", reason=f"部分退费：{reason.strip()}")
    session.add(Receipt(receipt_no=number.receipt_no, kind=ReceiptKind.PAYMENT, payment_id=pay.id,
                        station_id=station.id, range_id=number.range_id, number=number.number,
                        document=doc.to_json(), created_at=at))
    session.flush()
    return number.receipt_no, pay.id


# ---- deposit / prepaid refund -------------------------------------------------------------

def _balance_refund_checks(session: Session, actor: Actor, kind: str, account_code: str, tender: str,
                           amount: str | None, fee_code: str | None):
    """Every refusal of a balance refund that does not depend on the approver's password."""
    from app.services.master.accounts import find_account

    user = auth.require(session, actor, auth.PAY)
    station = auth.station_of(session, actor)
    shift = open_shift_of(session, user, station, lock=True)
    if kind not in ("deposit", "prepaid"):
        raise InvalidInput("退款类别只能是 deposit（押金）或 prepaid（预存）")
    acc = find_account(session, account_code)
    concurrency.lock_account(session, acc.id)  # balances are read under the lock: never below zero
    if tender not in {t.value for t in Tender} or tender == "prepaid":
        raise InvalidInput(f"退款方式不正确：“{tender}”")
    fee_id = None
    if kind == "deposit":
        q = (select(Posting.fee_item_id, func.sum(Posting.amount))
             .where(Posting.book == ledger.DEPOSIT_HELD, Posting.account_id == acc.id).group_by(Posting.fee_item_id))
        held = {fid: -int(v) for fid, v in session.execute(q) if int(v)}
        if fee_code:
            fee = session.scalar(select(FeeItem).where(FeeItem.code == fee_code))
            if fee is None:
                raise NotFound(f"收费项目“{fee_code}”不存在")
            held = {fee.id: held.get(fee.id, 0)}
        if len(held) > 1:
            raise InvalidInput("该户有多项押金，请指定收费项目")
        fee_id, available = next(iter(held.items()), (None, 0))
    else:
        available = -ledger.balance(session, ledger.PREPAID, account_id=acc.id)
    value = Money.parse(amount).fen if amount else available
    if available <= 0:
        raise InvalidInput(f"缴费户 {acc.code} 没有可退的{'押金' if kind == 'deposit' else '预存余额'}")
    if not 0 < value <= available:
        raise InvalidInput(f"退款金额必须大于零且不超过 {format_yuan(available)} 元")
    if tender == "cash" and value > _drawer_cash(session, shift.id):
        raise ShiftError(f"钱箱现金不足以退款 {format_yuan(value)} 元")
    return user, station, shift, acc, fee_id, available, value


def check_balance_refund(session: Session, *, actor: Actor, kind: str, account_code: str, tender: str,
                         amount: str | None = None, fee_code: str | None = None) -> CorrectionCheck:
    """Read: refuse a deposit or prepaid refund now, before anyone types a password."""
    *_, available, value = _balance_refund_checks(session, actor, kind, account_code, tender, amount,
                                                  fee_code)
    return CorrectionCheck(kind + "_refund", value, available)


def deposits_held(session: Session, *, actor: Actor, account_code: str) -> list[tuple[str, str, int]]:
    """Read: (fee code, fee name, amount held) of each deposit the account has paid and not had back."""
    from app.services.master.accounts import find_account

    auth.require(session, actor, auth.PAY)
    acc = find_account(session, account_code)
    q = (select(FeeItem.code, FeeItem.name, func.sum(Posting.amount))
         .join(FeeItem, FeeItem.id == Posting.fee_item_id)
         .where(Posting.book == ledger.DEPOSIT_HELD, Posting.account_id == acc.id)
         .group_by(FeeItem.code, FeeItem.name).order_by(FeeItem.code))
    return [(code, name, -int(v)) for code, name, v in session.execute(q) if int(v)]


def refund_balance(session: Session, *, actor: Actor, kind: str, account_code: str, tender: str, reason: str,
                   amount: str | None = None, fee_code: str | None = None, approver: str | None = None,
                   approver_password: str | None = None, at: dt.datetime | None = None) -> Corrected:
    """退押金 (kind='deposit') or 预存退款 (kind='prepaid'): money held for the payer paid back."""
    user, station, shift, acc, fee_id, _available, value = _balance_refund_checks(
        session, actor, kind, account_code, tender, amount, fee_code)
    action = kind + "_refund"
    approval = approval_for(session, actor, user, action=action, amount=value, reason=reason, approver=approver,
                            approver_password=approver_password, reference=acc.code)
    at = at or utcnow()
    day = bdate(session, at)
    debit = (ledger.Line(ledger.DEPOSIT_HELD, value, account_id=acc.id, fee_item_id=fee_id) if kind == "deposit"
             else ledger.Line(ledger.PREPAID, value, account_id=acc.id))
    credit = (ledger.Line(ledger.DRAWER, -value, shift_id=shift.id, tender="cash") if tender == "cash"
              else ledger.Line(ledger.REFUND_PAYABLE, -value, tender=tender))
    _refuse_negative(session, [debit, credit], training=shift.training)
    entry_id = ledger.post(session, actor=actor, kind=action, business_date=day, shift_id=shift.id,
                        station_id=station.id, training=shift.training, memo=reason.strip(), lines=[debit, credit])
    row = BalanceRefund(kind=kind, account_id=acc.id, fee_item_id=fee_id, amount=value, tender=tender,
                        shift_id=shift.id, approval_id=approval.id if approval else None, reason=reason.strip(),
                        journal_entry_id=entry_id, user_id=user.id, business_date=day, created_at=at,
                        training=shift.training)
    session.add(row)
    session.flush()
    audit.record(session, actor, action, "balance_refund", row.id, account=acc.code, amount=value, tender=tender,
                 reason=reason.strip(), approver=_approver_name(session, approval))
    return Corrected(action, row.id, value, approved_by=_approver_name(session, approval))


# ---- waiver, write-off, price override ----------------------------------------------------

def _charge(session: Session, charge_id: int) -> tuple[Charge, FeeItem, int]:
    charge = session.scalars(select(Charge).where(Charge.id == charge_id)).first()
    if charge is None:
        raise NotFound(f"费用 #{charge_id} 不存在")
    # The account row is the lock for its charges (the window role may not lock ledger rows).
    concurrency.lock_account(session, charge.account_id)
    fee = session.get(FeeItem, charge.fee_item_id)
    return charge, fee, ledger.charge_outstanding(session, [charge.id])[charge.id]


def _adjust_once(session: Session, charge: Charge, kind: AdjustmentKind, name: str) -> None:
    if session.scalar(select(ChargeAdjustment.id).where(ChargeAdjustment.charge_id == charge.id,
                                                        ChargeAdjustment.kind == kind)) is not None:
        raise AlreadyCorrected(f"费用 #{charge.id} 已{name}过，不能重复{name}")


def _waiver_checks(session: Session, actor: Actor, charge_id: int, amount: str | None):
    """Every refusal of a waiver that does not depend on the approver's password."""
    user = auth.require(session, actor, auth.PAY)
    charge, fee, outstanding = _charge(session, charge_id)
    _adjust_once(session, charge, AdjustmentKind.WAIVER, "减免")
    value = Money.parse(amount).fen if amount else outstanding
    if outstanding <= 0:
        raise InvalidInput(f"费用 #{charge_id} 已无欠款，不能减免")
    if not 0 < value <= outstanding:
        raise InvalidInput(f"减免金额必须大于零且不超过欠款 {format_yuan(outstanding)} 元")
    return user, charge, fee, outstanding, value


def check_waiver(session: Session, *, actor: Actor, charge_id: int,
                 amount: str | None = None) -> CorrectionCheck:
    """Read: refuse a waiver now, before anyone types a password, as `waive` would."""
    *_, outstanding, value = _waiver_checks(session, actor, charge_id, amount)
    return CorrectionCheck("waiver", value, outstanding)


def waive(session: Session, *, actor: Actor, charge_id: int, reason: str, amount: str | None = None,
          reference: str = "", approver: str | None = None, approver_password: str | None = None,
          at: dt.datetime | None = None) -> Corrected:
    """减免: reduce an outstanding charge (whole or part) with a reason and the written approval's reference."""
    user, charge, fee, _outstanding, value = _waiver_checks(session, actor, charge_id, amount)
    approval = approval_for(session, actor, user, action="waiver", amount=value, reason=reason, approver=approver,
                            approver_password=approver_password, reference=reference)
    at = at or utcnow()
    _cancel(session, actor, charge, fee, value, reason.strip(), approval.id if approval else None,
            bdate(session, at), at, AdjustmentKind.WAIVER)
    session.flush()
    audit.record(session, actor, "waiver", "charge", charge.id, amount=value, reason=reason.strip(),
                 reference=reference, approver=_approver_name(session, approval))
    return Corrected("waiver", charge.id, value, approved_by=_approver_name(session, approval))


def _write_off_checks(session: Session, actor: Actor, charge_id: int):
    """Every refusal of a write-off that does not depend on the approver's password."""
    user = auth.require(session, actor, auth.PAY)
    charge, fee, outstanding = _charge(session, charge_id)
    _adjust_once(session, charge, AdjustmentKind.WRITE_OFF, "核销")
    if outstanding <= 0:
        raise InvalidInput(f"费用 #{charge_id} 已无欠款，不能核销")
    return user, charge, fee, outstanding


def check_write_off(session: Session, *, actor: Actor, charge_id: int) -> CorrectionCheck:
    """Read: refuse a write-off now, before anyone types a password, as `write_off` would."""
    *_, outstanding = _write_off_checks(session, actor, charge_id)
    return CorrectionCheck("write_off", outstanding, outstanding)


def write_off(session: Session, *, actor: Actor, charge_id: int, reason: str, approver: str | None = None,
              approver_password: str | None = None, at: dt.datetime | None = None) -> Corrected:
    """核销: give up what is still owed on a charge as uncollectable (bad debt)."""
    user, charge, fee, outstanding = _write_off_checks(session, actor, charge_id)
    approval = approval_for(session, actor, user, action="write_off", amount=outstanding, reason=reason,
                            approver=approver, approver_password=approver_password, reference=f"charge:{charge.id}")
    at = at or utcnow()
    _cancel(session, actor, charge, fee, outstanding, reason.strip(), approval.id if approval else None,
            bdate(session, at), at, AdjustmentKind.WRITE_OFF)
    session.flush()
    audit.record(session, actor, "write_off", "charge", charge.id, amount=outstanding, reason=reason.strip(),
                 approver=_approver_name(session, approval))
    return Corrected("write_off", charge.id, outstanding, approved_by=_approver_name(session, approval))


def override_price(session: Session, *, actor: Actor, charge_id: int, new_amount: str, reason: str,
                   approver: str | None = None, approver_password: str | None = None,
                   at: dt.datetime | None = None) -> Corrected:
    """改价 of an unpaid ad-hoc charge: the original is cancelled and a new charge carries the new price."""
    user = auth.require(session, actor, auth.CHARGE)
    charge, fee, outstanding = _charge(session, charge_id)
    if charge.kind != ChargeKind.ADHOC:
        raise InvalidInput("只能对临时录入的费用改价")
    if session.scalar(select(PriceOverride.id).where(PriceOverride.original_charge_id == charge.id)) is not None:
        raise AlreadyCorrected(f"费用 #{charge.id} 已改价过，不能重复改价")
    if outstanding != charge.amount:
        raise InvalidInput(f"费用 #{charge.id} 已部分收款或已减免，不能改价")
    value = Money.parse(new_amount).fen
    if value <= 0 or value == charge.amount:
        raise InvalidInput("新价格必须大于零且与原价不同")
    approval = approval_for(session, actor, user, action="price_override", amount=abs(value - charge.amount),
                            reason=reason, approver=approver, approver_password=approver_password,
                            reference=f"charge:{charge.id}")
    at = at or utcnow()
    day = bdate(session, at)
    _cancel(session, actor, charge, fee, charge.amount, f"改价：{reason.strip()}", approval.id if approval else None,
            day, at)
    new = Charge(account_id=charge.account_id, fee_item_id=fee.id, kind=ChargeKind.ADHOC, period=None,
                 period_start=charge.period_start, period_end=charge.period_end, quantity_e2=charge.quantity_e2,
                 rate_e4=charge.rate_e4, amount=value, due_date=charge.due_date, basis=f"改价 #{charge.id}",
                 note=reason.strip()[:200], user_id=user.id, business_date=day, created_at=at,
                 training=charge.training)
    session.add(new)
    session.flush()
    ledger.post(session, actor=actor, kind="charge", business_date=day, training=charge.training,
                lines=billing.charge_lines(account_id=charge.account_id, fee=fee, charge_id=new.id, amount=value))
    session.add(PriceOverride(original_charge_id=charge.id, new_charge_id=new.id, old_amount=charge.amount,
                              new_amount=value, approval_id=approval.id if approval else None, reason=reason.strip(),
                              user_id=user.id, created_at=at))
    session.flush()
    audit.record(session, actor, "price_override", "charge", charge.id, new_charge=new.id, old=charge.amount,
                 new=value, reason=reason.strip(), approver=_approver_name(session, approval))
    return Corrected("price_override", new.id, value, approved_by=_approver_name(session, approval))


#: The corrections whose dialogs offer preset reasons (setting `reasons_<kind>`, one a line).
REASON_KINDS = ("void", "refund", "waiver", "write_off", "deposit_refund", "prepaid_refund")


def preset_reasons(session: Session, *, actor: Actor, kind: str) -> list[str]:
    """Read: the preset reasons of a correction kind, as the back office set them."""
    auth.require(session, actor, auth.READ)
    if kind not in REASON_KINDS:
        raise InvalidInput(f"未知的更正类别：{kind}")
    return [r.strip() for r in settings.get(session, f"reasons_{kind}").splitlines() if r.strip()]


def receipt_status(session: Session, receipt_no: str) -> str:
    """used | void | refunded (derived from the correction rows, never stored on the receipt)."""
    pid = session.scalar(
        select(Payment.id).where(Payment.receipt_no == receipt_no, Payment.kind == PaymentKind.PAYMENT)
    )
    if pid is None:
        return "unknown"
    kind = session.scalar(select(PaymentCorrection.kind).where(PaymentCorrection.payment_id == pid))
    return {"void": "void", "refund": "refunded"}.get(kind, "used")

