"""Tables of the counter: shifts, payments and their tenders and allocations, receipts and their
numbers, and the cash desk (closes, cash movements, hand-ins, corrections, settlements).

Every table here is append-only except `shift.status` (its one mutable state): a close that is
reopened keeps its row and gets a `shift_reopen` row; an acceptance is a `shift_accept` row.
Amounts are fen. JSON columns hold figures keyed by tender or fee item exactly as the cashier saw them.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Fen, IntPK, Note, Txn, UtcTime, enum_column


class ShiftStatus(enum.Enum):
    """A cashier's session at a station.

    Transitions: OPEN -> CLOSED (blind count saved) -> ACCEPTED (supervisor, final);
    CLOSED -> OPEN (reopen, only the cashier's latest close, before acceptance).
    """

    OPEN = "open"  #: takes payments, refunds and cash movements
    CLOSED = "closed"  #: counted; no postings; waiting for the supervisor
    ACCEPTED = "accepted"  #: immutable


class Shift(Base):
    __tablename__ = "shift"
    id: Mapped[IntPK]
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    status: Mapped[ShiftStatus] = enum_column(ShiftStatus)
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    float_amount: Mapped[Fen]
    float_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    opened_at: Mapped[UtcTime]
    closed_at: Mapped[dt.datetime | None]
    accepted_at: Mapped[dt.datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    training: Mapped[bool] = mapped_column(Boolean, default=False)


class PaymentKind(enum.Enum):
    PAYMENT = "payment"  #: 收款
    VOID = "void"  #: 作废: full reversal in the same shift; points to the payment
    REFUND = "refund"  #: 退费: whole or part, later; points to the payment


class Payment(Base):
    """One collection event (收款) or its reversal. Amounts are facts at the time of writing."""

    __tablename__ = "payment"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    kind: Mapped[PaymentKind] = enum_column(PaymentKind)
    receipt_no: Mapped[str | None] = mapped_column(String(40), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    payer_name: Mapped[str] = mapped_column(String(60), default="")
    payer_id_number: Mapped[str] = mapped_column(String(30), default="")
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[UtcTime]
    tendered: Mapped[Fen]
    change: Mapped[Fen]
    allocated: Mapped[Fen]
    prepaid_added: Mapped[Fen]
    reverses_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    reason: Mapped[Note]
    training: Mapped[bool] = mapped_column(Boolean, default=False)


class Tender(enum.Enum):
    """结算方式. Only cash can give change."""

    CASH = "cash"
    CARD = "card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    TRANSFER = "transfer"
    CHEQUE = "cheque"
    PREPAID = "prepaid"  #: paid from the account's prepaid balance
    INSURANCE = "insurance"  #: 医保


class TenderLine(Base):
    __tablename__ = "tender_line"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    method: Mapped[Tender] = enum_column(Tender)
    amount: Mapped[Fen]
    reference: Mapped[str] = mapped_column(String(60), default="")


class Allocation(Base):
    """Money of a payment applied to a charge (negative in a void or refund)."""

    __tablename__ = "allocation"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    charge_id: Mapped[int] = mapped_column(ForeignKey("charge.id"), index=True)
    amount: Mapped[Fen]


class ReceiptKind(enum.Enum):
    PAYMENT = "payment"  #: 收款收据
    REFUND = "refund"  #: 退款凭证
    VOID = "void"  #: 作废凭证 (the void slip; the voided number keeps its row)


class Receipt(Base):
    """The numbered proof of a payment, with the document exactly as first printed."""

    __tablename__ = "receipt"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[ReceiptKind] = enum_column(ReceiptKind)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    range_id: Mapped[int | None] = mapped_column(ForeignKey("receipt_range.id"))
    number: Mapped[int] = mapped_column(Integer)
    #: JSON of `services.receipts.ReceiptDoc`: printing never recomputes amounts.
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[UtcTime]


class ReceiptRange(Base):
    """票据号段 issued (领用) to a cashier or a station. `next_number` is a counter, not money."""

    __tablename__ = "receipt_range"
    id: Mapped[IntPK]
    prefix: Mapped[str] = mapped_column(String(12), default="")
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    next_number: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    issued_at: Mapped[UtcTime]


class ReceiptNumberEventKind(enum.Enum):
    RETURNED = "returned"  #: 退回: unused number handed back
    LOST = "lost"  #: 报损
    RECOVERED = "recovered"  #: 重打收回: pre-numbered paper consumed by a reprint
    REPRINTED = "reprinted"  #: 重打
    LATE_PRINTED = "late_printed"  #: 补打


class ReceiptNumberEvent(Base):
    __tablename__ = "receipt_number_event"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    receipt_no: Mapped[str] = mapped_column(String(40), index=True)
    range_id: Mapped[int | None] = mapped_column(ForeignKey("receipt_range.id"))
    kind: Mapped[ReceiptNumberEventKind] = enum_column(ReceiptNumberEventKind)
    reason: Mapped[Note]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]


class CashMovementKind(enum.Enum):
    """Cash in / cash out of a drawer; the sign is fixed by the kind."""

    TOP_UP = "top_up"  #: 备用金补充: safe -> drawer (cash in)
    PAID_IN = "paid_in"  #: 短款补交: the cashier pays an owed shortage into the drawer (cash in)
    DROP = "drop"  #: 投库: drawer -> safe (cash out)
    BANK_RUN = "bank_run"  #: 送银行: drawer -> bank (cash out)
    COUNTERFEIT = "counterfeit"  #: 假币: taken out of the drawer, owed by the cashier (cash out)


class CashMovement(Base):
    __tablename__ = "cash_movement"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    kind: Mapped[CashMovementKind] = enum_column(CashMovementKind)
    #: Signed effect on the drawer: > 0 cash in, < 0 cash out.
    amount: Mapped[Fen]
    reason: Mapped[Note]
    #: Counterfeit notes: face value of one note (fen) and the serials, comma separated.
    denomination: Mapped[int | None] = mapped_column(Integer)
    serial: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    journal_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id"))
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[UtcTime]
    training: Mapped[bool] = mapped_column(Boolean, default=False)


class HandIn(Base):
    """交账: a field collector's cash moved from the collector's drawer into a cashier's drawer."""

    __tablename__ = "hand_in"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    collector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    collector_shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"))
    cashier_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    amount: Mapped[Fen]
    #: Business day by the hand-in cut-off (setting `handin_cutoff`): late hand-ins count tomorrow.
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    after_cutoff: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[Note]
    journal_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id"))
    created_at: Mapped[UtcTime]
    training: Mapped[bool] = mapped_column(Boolean, default=False)


class ShiftClose(Base):
    """轧帐: one blind count of a shift and what the system expected. A reopen adds a new close later."""

    __tablename__ = "shift_close"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    #: {"10000": 3, "5000": 1, ...} notes per denomination in fen, as typed.
    count_json: Mapped[str] = mapped_column(Text)
    #: {"card": {"count": 3, "amount": 45000}, ...} non-cash slips per tender.
    slips_json: Mapped[str] = mapped_column(Text)
    #: {"cash": 107200, ...} per tender, fen.
    expected_json: Mapped[str] = mapped_column(Text)
    counted_json: Mapped[str] = mapped_column(Text)
    difference_json: Mapped[str] = mapped_column(Text)
    #: Remittance-slip data: fee items, receipts, refunds, cash takings (see services.closes).
    summary_json: Mapped[str] = mapped_column(Text)
    cash_counted: Mapped[Fen]
    difference_total: Mapped[Fen]
    reason: Mapped[Note]
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    #: The over/short entry (NULL when the count matched).
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[UtcTime]
    training: Mapped[bool] = mapped_column(Boolean, default=False)


class ShiftCloseReason(Base):
    """The reason for a close's difference, given after the difference was shown (the count is
    saved first, blind); over `close_difference_limit` with a supervisor's approval. One per close."""

    __tablename__ = "shift_close_reason"
    id: Mapped[IntPK]
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    close_id: Mapped[int] = mapped_column(ForeignKey("shift_close.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[Note]
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    created_at: Mapped[UtcTime]


class ShiftReopen(Base):
    __tablename__ = "shift_reopen"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    close_id: Mapped[int] = mapped_column(ForeignKey("shift_close.id"), unique=True)
    reason: Mapped[Note]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reversal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))
    created_at: Mapped[UtcTime]


class ShiftAccept(Base):
    """The supervisor's acceptance of a close (optionally with a second count); final."""

    __tablename__ = "shift_accept"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), unique=True)
    close_id: Mapped[int] = mapped_column(ForeignKey("shift_close.id"), unique=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    second_count_json: Mapped[str] = mapped_column(Text, default="")
    second_cash: Mapped[int | None] = mapped_column(Integer)
    #: Remittance (缴款): drawer balances moved to the safe (cash) and the bank (non-cash).
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))
    created_at: Mapped[UtcTime]


class Handover(Base):
    """交接班: the float carried from one cashier's drawer to the next at the same station."""

    __tablename__ = "handover"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    from_shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), unique=True)
    to_shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), unique=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    amount: Mapped[Fen]
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))
    created_at: Mapped[UtcTime]


class PaymentCorrection(Base):
    """A payment is voided or refunded at most once in total: the unique key enforces it."""

    __tablename__ = "payment_correction"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), unique=True)
    correction_payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"))
    #: void | refund
    kind: Mapped[str] = mapped_column(String(12))
    #: Partial refund (hospital rule): the new payment and receipt for what remains.
    remainder_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    created_at: Mapped[UtcTime]


class BalanceRefund(Base):
    """退押金 / 预存退款: money held for a payer paid back, with approval."""

    __tablename__ = "balance_refund"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    #: deposit | prepaid
    kind: Mapped[str] = mapped_column(String(12))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    fee_item_id: Mapped[int | None] = mapped_column(ForeignKey("fee_item.id"))
    amount: Mapped[Fen]
    tender: Mapped[str] = mapped_column(String(12))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    reason: Mapped[Note]
    journal_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[UtcTime]
    training: Mapped[bool] = mapped_column(Boolean, default=False)


class PriceOverride(Base):
    """改价 of an unpaid ad-hoc charge: the original is cancelled, a new charge carries the price."""

    __tablename__ = "price_override"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    original_charge_id: Mapped[int] = mapped_column(ForeignKey("charge.id"), unique=True)
    new_charge_id: Mapped[int] = mapped_column(ForeignKey("charge.id"))
    old_amount: Mapped[Fen]
    new_amount: Mapped[Fen]
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    reason: Mapped[Note]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]


class DaySettlement(Base):
    """日结: the locked business day, with the totals as settled (JSON, fen)."""

    __tablename__ = "day_settlement"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    business_date: Mapped[dt.date] = mapped_column(Date, unique=True)
    totals_json: Mapped[str] = mapped_column(Text)
    cash_due_to_bank: Mapped[Fen]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]


class MonthClose(Base):
    """月结: the locked month ('YYYY-MM') and the sum of its settlements."""

    __tablename__ = "month_close"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    month: Mapped[str] = mapped_column(String(7), unique=True)
    totals_json: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]


class BankDeposit(Base):
    """解款: cash from the safe to the bank, with the bank slip number."""

    __tablename__ = "bank_deposit"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    amount: Mapped[Fen]
    slip_no: Mapped[str] = mapped_column(String(60))
    #: The settled (or to-be-settled) business day whose takings this banks.
    for_date: Mapped[dt.date] = mapped_column(Date, index=True)
    business_date: Mapped[dt.date] = mapped_column(Date)
    journal_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]
