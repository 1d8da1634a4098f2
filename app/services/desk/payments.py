"""Payments (收款): tenders, allocation, late fees, change, prepaid, receipt — one transaction.

Rules (each refused with a Chinese message, nothing written):
- every tender amount is positive; at least one tender;
- change only ever comes from cash: non-cash tenders (card, mobile, transfer, prepaid...)
  may not exceed what is due, unless the excess goes to the prepaid balance on request;
- the prepaid tender cannot exceed the account's prepaid balance;
- money is applied to the selected charges (or all outstanding) oldest due first; a payment
  smaller than what is due pays the oldest charges and leaves the rest outstanding;
- what is left over is change (cash handed back), or prepaid balance with `change_to_prepaid`;
  change is refused when the drawer held less cash than that before the payment;
- every tender except cash and prepaid carries its transaction reference (reconciliation);
- the payment is dated today or on its shift's business day; another day needs a supervisor (`pay`);
- an account with nothing due accepts money only as a prepayment (`change_to_prepaid`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, PaymentRefused
from app.labels import TENDER_NAMES
from app.models import (
    Allocation,
    Charge,
    ChargeKind,
    FeeItem,
    FeeKind,
    Payment,
    PaymentKind,
    Receipt,
    ReceiptKind,
    Tender,
    TenderLine,
)
from app.money import MAX_FEN, Money, format_yuan
from app.services import Actor, validate
from app.services.bills import billing
from app.services.clock import local_time, utcnow
from app.services.desk import cashdesk, receipts
from app.services.desk.payment_plan import LateFeeRule, OpenCharge, TenderInput, plan_payment
from app.services.desk.shifts import cashier_at_window, is_training
from app.services.journal import audit, ledger
from app.services.master.accounts import find_account
from app.services.system import auth, settings


def parse_tender(text: str) -> TenderInput:
    """'cash=100', 'wechat=50:4200001234' -> TenderInput (the CLI's METHOD=YUAN[:REF])."""
    method, sep, rest = (text or "").partition("=")
    if not sep:
        raise InvalidInput(f"付款方式格式不正确：“{text}”（例：cash=100 或 wechat=50:交易号）")
    amount, _, ref = rest.partition(":")
    return TenderInput(method.strip().lower(), Money.parse(amount).fen, ref.strip())


@dataclass(frozen=True, slots=True)
class AllocatedLine:
    charge_id: int
    fee: str
    period: str
    amount: int


@dataclass(frozen=True, slots=True)
class LateFeeLine:
    charge_id: int
    parent_charge_id: int
    fee: str
    amount: int


@dataclass(frozen=True, slots=True)
class PaymentResult:
    payment_id: int
    receipt_id: int
    receipt_no: str
    account: str
    allocated: list[AllocatedLine]
    late_fees: list[LateFeeLine]
    total_tendered: int
    change: int
    prepaid_added: int
    prepaid_balance: int
    arrears_after: int
    training: bool
    cash_tendered: int

    def to_json(self) -> dict:
        return {
            "payment_id": self.payment_id, "receipt_no": self.receipt_no, "account": self.account,
            "allocated": [{"charge_id": a.charge_id, "fee": a.fee, "period": a.period, "amount": format_yuan(a.amount)}
                          for a in self.allocated],
            "late_fees": [{"charge_id": x.charge_id, "for_charge_id": x.parent_charge_id, "fee": x.fee,
                           "amount": format_yuan(x.amount)} for x in self.late_fees],
            "total_tendered": format_yuan(self.total_tendered), "change": format_yuan(self.change),
            "prepaid_added": format_yuan(self.prepaid_added), "prepaid_balance": format_yuan(self.prepaid_balance),
            "arrears_after": format_yuan(self.arrears_after), "training": self.training,
        }


def _validate_tenders(tenders: list[TenderInput]) -> list[TenderInput]:
    if not tenders:
        raise InvalidInput("请输入收款金额")
    valid = {t.value for t in Tender}
    for t in tenders:
        if t.method not in valid:
            raise InvalidInput(f"未知的付款方式“{t.method}”（可选：{'、'.join(sorted(valid))}）")
        if type(t.amount) is not int or t.amount <= 0:
            raise InvalidInput(f"{TENDER_NAMES[t.method]}金额必须大于零")
        if t.amount > MAX_FEN:
            raise InvalidInput(f"{TENDER_NAMES[t.method]}金额超出上限")
        if len(t.reference) > 60 or not t.reference.isprintable():
            raise InvalidInput("交易参考号过长或含有不可打印字符")
        if t.method not in NO_REFERENCE and not t.reference.strip():
            raise InvalidInput(f"{TENDER_NAMES[t.method]}付款必须填写交易参考号（交易单号、凭证号），对账要用")
    return tenders


#: Tenders that carry no transaction reference; every other one (card, WeChat, Alipay, transfer,
#: cheque, insurance) needs the reference its statement is reconciled by.
NO_REFERENCE = frozenset({"cash", "prepaid"})


def validate_tender(tender: TenderInput) -> TenderInput:
    """One tender checked as `pay` will check it (the window checks each line as it is typed)."""
    return _validate_tenders([tender])[0]


# Prebuilt statements of the payment path (a counter does this hundreds of times a day; building
# a statement costs as much as running it). Payment and receipt rows go in through Core: the
# ORM unit of work cost more than the rows.
_INSERT_PAYMENT = insert(Payment.__table__)
_INSERT_TENDERS = insert(TenderLine.__table__)
_INSERT_ALLOCATIONS = insert(Allocation.__table__)
_INSERT_RECEIPT = insert(Receipt.__table__)


def pay(session: Session, *, actor: Actor, account_code: str, tenders: list[TenderInput],
        charge_ids: list[int] | None = None, change_to_prepaid: bool = False,
        business_date: dt.date | None = None, reason: str = "", approver: str | None = None,
        approver_password: str | None = None, at: dt.datetime | None = None,
        payer_name: str = "") -> PaymentResult:
    """Take a payment at the cashier's window, dated today (the business day of `at`).

    `business_date` may ask for the shift's own business day (a shift left open past the day
    cut-off); any other day (补记, a payment taken on paper earlier) needs a reason and a
    supervisor's approval. Either must be an open day: after the last settled day, not after
    today. Late fees are computed as of today (`at`), whatever day the payment is dated on.
    `at` is the clock (tests, demo); no person's input may set it. `payer_name`: who actually paid
    when not the owner (a tenant, a relative); on the receipt.

    Read (account under its lock, open charges, balances) → plan (`payment_plan.plan_payment`,
    pure: the window's preview plans the same way) → refuse or write → audit.
    """
    tenders = _validate_tenders(tenders)
    payer_name = validate.text("缴费人", payer_name, 60)
    user, station, site, shift = cashier_at_window(session, actor, auth.PAY)
    acc = find_account(session, account_code, lock=True)
    at = at or utcnow()
    tz = settings.get(session, "timezone")
    today = settings.business_day(session, at)
    bdate = today
    training = is_training(user, station)
    approval = None
    if business_date is not None and business_date != today:
        cashdesk.check_open_day(session, business_date, today)
        if business_date != shift.business_date:  # the shift's own day needs no second person
            approval = cashdesk.approval_for(
                session, actor, user, action="backdate", amount=sum(t.amount for t in tenders), reason=reason,
                approver=approver, approver_password=approver_password,
                reference=f"{acc.code} {business_date.isoformat()}")
        bdate = business_date

    if charge_ids and not training:  # a written-off charge chosen by the cashier is collectable again
        billing.reinstate_written_off(session, actor=actor, account_id=acc.id, charge_ids=charge_ids, day=bdate,
                                      at=at)
    open_charges = billing.outstanding_charges(session, acc.id, charge_ids)
    if charge_ids is not None:
        found = {c.id for c, _, _ in open_charges}
        missing = [cid for cid in charge_ids if cid not in found]
        if missing:
            _explain_missing(session, acc.id, missing)
    fees = {fee.id: fee for _, _, fee in open_charges}
    charges = {c.id: c for c, _, _ in open_charges}
    open_charges = [(c, d) for c, d, _ in open_charges if d > 0]

    arrears_before, prepaid_before = ledger.account_balances(session, acc.id)
    prepaid_tender = sum(t.amount for t in tenders if t.method == "prepaid")
    if prepaid_tender > prepaid_before:
        raise PaymentRefused(f"预存余额不足：余额 {format_yuan(prepaid_before)} 元，"
                             f"本次抵扣 {format_yuan(prepaid_tender)} 元")
    if not open_charges and not change_to_prepaid:
        raise PaymentRefused(f"缴费户 {acc.code} 没有欠费；如需预存，请选择“余额转预存”")

    plan = plan_payment(_open_for_plan(session, open_charges, fees), tenders, _late_fee_rules(fees.values()),
                        today, to_prepaid=change_to_prepaid)
    tendered, cash, allocated = plan.tendered, plan.cash, plan.allocated
    change, prepaid_added = plan.change, plan.to_prepaid
    if plan.noncash > allocated and not change_to_prepaid:
        raise PaymentRefused(f"非现金付款 {format_yuan(plan.noncash)} 元超过应收 {format_yuan(plan.due)} 元；"
                             "只有现金可以找零")
    if prepaid_tender > allocated:
        raise PaymentRefused("预存抵扣不能超过本次应收金额")
    # Change comes out of what the drawer held before this payment (the payer's note is not
    # broken in the drawer); the figure itself is not shown to the cashier (blind close).
    if change and change > ledger.balance(session, ledger.DRAWER, shift_id=shift.id, tender="cash"):
        raise PaymentRefused("钱箱现金不足以找零")

    # The plan written: new late-fee charges first (their ids), then the allocations in its order.
    late_fees: list[tuple[Charge, FeeItem]] = []
    for x in plan.late_fees:
        principal = charges[x.parent_charge_id]
        fee = fees[principal.fee_item_id]
        late_fees.append((_late_fee_charge(actor, principal, fee, x.amount, today, at, training), fee))
    _post_late_fees(session, actor, late_fees, bdate, training)
    late_lines = [LateFeeLine(lf.id, lf.parent_charge_id, fee.name, lf.amount) for lf, fee in late_fees]
    late_by_parent = {lf.parent_charge_id: lf for lf, _ in late_fees}
    paid: list[tuple[Charge, int]] = [
        (late_by_parent[a.charge_id] if a.late_fee else charges[a.charge_id], a.amount)
        for a in plan.allocations]

    number = receipts.take_number(session, station=station, user=user, training=training)
    payment_id = session.execute(
        _INSERT_PAYMENT,
        dict(
            kind=PaymentKind.PAYMENT,
            receipt_no=number.receipt_no,
            account_id=acc.id,
            payer_name=payer_name or acc.owner_name,
            payer_id_number="",
            shift_id=shift.id,
            station_id=station.id,
            user_id=user.id,
            business_date=bdate,
            created_at=at,
            tendered=tendered,
            change=change,
            allocated=allocated,
            prepaid_added=prepaid_added,
            approval_id=approval.id if approval else None,
            reason=reason.strip() if approval else "",
            training=training,
        ),
    ).inserted_primary_key[0]
    session.execute(_INSERT_TENDERS, [dict(payment_id=payment_id, method=Tender(t.method), amount=t.amount,
                                           reference=t.reference) for t in tenders])
    if paid:
        session.execute(_INSERT_ALLOCATIONS, [dict(payment_id=payment_id, charge_id=c.id, amount=amt)
                                              for c, amt in paid])

    lines = payment_lines(shift_id=shift.id, account_id=acc.id, tenders=tenders, change=change,
                          prepaid_added=prepaid_added,
                          allocations=[(c, amt, fees[c.fee_item_id]) for c, amt in paid])
    ledger.post(session, actor=actor, kind="payment", business_date=bdate, lines=lines, shift_id=shift.id,
                payment_id=payment_id, station_id=station.id, training=training, memo=number.receipt_no)

    # What the payment leaves, from the balances read under the account lock and the lines just
    # posted. A practice receipt shows the same as a real one would (its lines went to the
    # training book, so the real balances did not move).
    prepaid_after = prepaid_before - prepaid_tender + prepaid_added
    arrears_after = arrears_before + sum(x.amount for x in late_lines) - allocated
    alloc_lines = [AllocatedLine(c.id, fees[c.fee_item_id].name
                                 + ("滞纳金" if c.kind == ChargeKind.LATE_FEE else ""), c.period or "", amt)
                   for c, amt in paid]
    issued = local_time(at, tz).strftime("%Y-%m-%d %H:%M:%S")
    doc = receipts.ReceiptDoc(
        kind="payment", title=receipts.TITLES["payment"], receipt_no=number.receipt_no, site_name=site.name,
        station=station.name, cashier=user.display_name, issued_at=issued, business_date=bdate.isoformat(),
        account_code=acc.code, payer=payer_name or acc.owner_name,
        lines=[receipts.DocLine(a.fee, c.period or "", c.basis, c.amount, a.amount, c.kind == ChargeKind.LATE_FEE)
               for a, (c, _) in zip(alloc_lines, paid, strict=True)],
        total=allocated + prepaid_added, total_upper=receipts.upper(allocated + prepaid_added),
        tenders=[receipts.DocTender(t.method, TENDER_NAMES[t.method], t.amount, t.reference) for t in tenders],
        tendered=tendered, change=change, prepaid_added=prepaid_added, prepaid_balance=prepaid_after,
        arrears_after=arrears_after, footer=site.receipt_footer or settings.get(session, "receipt_footer"),
        hotline=site.hotline, verify_code=receipts.verification_code(session, number.receipt_no,
                                                                     allocated + prepaid_added, issued),
        training=training)
    receipt_id = session.execute(_INSERT_RECEIPT, dict(
        receipt_no=number.receipt_no, kind=ReceiptKind.PAYMENT, payment_id=payment_id, station_id=station.id,
        range_id=number.range_id, number=number.number, document=doc.to_json(),
        created_at=at)).inserted_primary_key[0]
    audit.record(session, actor, "payment", "payment", payment_id, receipt_no=number.receipt_no, account=acc.code,
                 tendered=tendered, allocated=allocated, change=change, prepaid_added=prepaid_added,
                 tenders=[(t.method, t.amount) for t in tenders],
                 **({"business_date": bdate, "reason": reason.strip(), "approver": approver} if approval else {}))
    return PaymentResult(payment_id, receipt_id, number.receipt_no, acc.code, alloc_lines, late_lines, tendered,
                         change, prepaid_added, prepaid_after, arrears_after, training, cash)


def _open_for_plan(session: Session, open_charges: list[tuple[Charge, int]],
                   fees: dict[int, FeeItem]) -> list[OpenCharge]:
    """The open charges as the plan sees them, with the late fees already charged on each principal."""
    charged = billing.late_fees_charged(session, [c.id for c, _ in open_charges if
                                                  fees[c.fee_item_id].late_fee_daily_ppm
                                                  and c.kind != ChargeKind.LATE_FEE])
    out = []
    for c, outstanding in open_charges:
        already, last = charged.get(c.id, (0, None))
        out.append(OpenCharge(c.id, c.fee_item_id, c.amount, outstanding, c.due_date,
                              is_late_fee=c.kind == ChargeKind.LATE_FEE, late_fee_charged=already,
                              late_fee_until=last))
    return out


def _late_fee_rules(fee_items) -> dict[int, LateFeeRule]:
    return {f.id: LateFeeRule(f.late_fee_daily_ppm, f.late_fee_grace_days) for f in fee_items}


def payment_lines(*, shift_id: int, account_id: int, tenders: list[TenderInput], change: int, prepaid_added: int,
                  allocations: list[tuple[Charge, int, FeeItem]], sign: int = 1) -> list[ledger.Line]:
    """Journal lines of a payment (sign=-1 gives the exact reversal, for voids and refunds).

    Dr drawer per tender (prepaid tender: Dr prepaid), Cr drawer cash for change,
    Cr receivable per allocated charge, Cr prepaid for money kept as prepaid; a deposit
    allocation also moves the deposit from billed to held.
    """
    lines: list[ledger.Line] = []
    for t in tenders:
        if t.method == "prepaid":
            lines.append(ledger.Line(ledger.PREPAID, sign * t.amount, account_id=account_id))
        else:
            lines.append(ledger.Line(ledger.DRAWER, sign * t.amount, shift_id=shift_id, tender=t.method))
    if change:
        lines.append(ledger.Line(ledger.DRAWER, -sign * change, shift_id=shift_id, tender="cash"))
    for charge, amount, fee in allocations:
        lines.append(ledger.Line(ledger.RECEIVABLE, -sign * amount, account_id=account_id, fee_item_id=fee.id,
                                 charge_id=charge.id))
        if fee.kind == FeeKind.DEPOSIT and charge.kind != ChargeKind.LATE_FEE:
            lines.append(ledger.Line(ledger.DEPOSIT_BILLED, sign * amount, account_id=account_id, fee_item_id=fee.id))
            lines.append(ledger.Line(ledger.DEPOSIT_HELD, -sign * amount, account_id=account_id, fee_item_id=fee.id))
    if prepaid_added:
        lines.append(ledger.Line(ledger.PREPAID, -sign * prepaid_added, account_id=account_id))
    return lines


def _late_fee_charge(actor: Actor, principal: Charge, fee: FeeItem, amount: int, bdate: dt.date, at: dt.datetime,
                     training: bool) -> Charge:
    """A late-fee charge computed up to `bdate` (today): its business date is where the next
    late fee of the principal starts counting, so it is never the day a payment was backdated to."""
    return Charge(account_id=principal.account_id, fee_item_id=fee.id, kind=ChargeKind.LATE_FEE, period=None,
                  period_start=principal.period_start, period_end=principal.period_end, quantity_e2=100, rate_e4=0,
                  amount=amount, due_date=bdate, basis=f"{principal.period or ''} 逾期滞纳金".strip(),
                  parent_charge_id=principal.id, note="", user_id=actor.user_id, business_date=bdate,
                  created_at=at, training=training)


def _post_late_fees(session: Session, actor: Actor, late_fees: list[tuple[Charge, FeeItem]], bdate: dt.date,
                    training: bool) -> None:
    """Write the payment's new late-fee charges and charge them in one journal entry."""
    if not late_fees:
        return
    session.add_all([lf for lf, _ in late_fees])
    session.flush()
    ledger.post(session, actor=actor, kind="late_fee", business_date=bdate, training=training,
                lines=[line for lf, fee in late_fees for line in billing.charge_lines(
                    account_id=lf.account_id, fee=fee, charge_id=lf.id, amount=lf.amount, late=True)])


def _explain_missing(session: Session, account_id: int, missing: list[int]) -> None:
    """A selected charge is not open: say whether it is unknown, another account's, or paid."""
    for cid in missing:
        ch = session.get(Charge, cid)
        if ch is None or ch.account_id != account_id:
            raise InvalidInput(f"费用 #{cid} 不属于该缴费户")
        paid_by = session.execute(
            select(Payment.receipt_no, Payment.station_id).join(Allocation, Allocation.payment_id == Payment.id)
            .where(Allocation.charge_id == cid, Allocation.amount > 0).order_by(Payment.id.desc()).limit(1)).first()
        if paid_by:
            from app.models import Station

            st = session.get(Station, paid_by.station_id)
            raise PaymentRefused(f"费用 #{cid} 已在 {st.name}（收据 {paid_by.receipt_no}）缴清，未重复收款")
        raise PaymentRefused(f"费用 #{cid} 已无欠款")
