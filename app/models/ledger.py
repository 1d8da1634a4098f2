"""Financial rows: charges, payments, allocations, receipts, journal, shifts, audit.

Append-only (DESIGN.md rule 2): amounts are never updated and rows are never deleted;
a correction is a new row that points to the original. Database triggers (migration 0001)
refuse UPDATE and DELETE on the journal, postings, allocations, tender lines and audit.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Code, Fen, IntPK, Note, Txn, UtcTime, enum_column


class ChargeKind(enum.Enum):
    REGULAR = "regular"  #: from a bill run (fixed, area, quantity)
    METERED = "metered"  #: from a meter reading
    ADHOC = "adhoc"  #: itemised charge posted directly (repair, hospital items)
    LATE_FEE = "late_fee"  #: 滞纳金 computed at payment; parent_charge_id is the principal


class Charge(Base):
    """应收. Outstanding is derived: amount - allocations - adjustments."""

    __tablename__ = "charge"
    # Idempotent bill runs: one regular charge per account, fee item and period.
    __table_args__ = (
        UniqueConstraint("account_id", "fee_item_id", "period", name="uq_charge_period"),
        Index("ix_charge_fee_period", "fee_item_id", "period"),  # bill runs: what exists already
        Index("ix_charge_parent", "parent_charge_id"),  # late fees of a principal
        # Collection-rate reports read a period's charges from this index alone (migration 0004).
        Index("ix_charge_period_account", "period", "account_id", "amount", "training"),
    )
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_item.id"))
    kind: Mapped[ChargeKind] = enum_column(ChargeKind)
    #: 'YYYY-MM' of the first month billed; NULL for ad-hoc and late-fee charges.
    period: Mapped[str | None] = mapped_column(String(7))
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    #: Quantity in hundredths (area m² x months, units used, items).
    quantity_e2: Mapped[int] = mapped_column(Integer, default=100)
    rate_e4: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Fen]
    due_date: Mapped[dt.date] = mapped_column(Date, index=True)
    basis: Mapped[str] = mapped_column(String(120), default="")
    bill_run_id: Mapped[int | None] = mapped_column(ForeignKey("bill_run.id"))
    parent_charge_id: Mapped[int | None] = mapped_column(ForeignKey("charge.id"))
    meter_reading_id: Mapped[int | None] = mapped_column(ForeignKey("meter_reading.id"))
    note: Mapped[Note]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[UtcTime]
    training: Mapped[bool] = mapped_column(Boolean, default=False)


class AdjustmentKind(enum.Enum):
    WAIVER = "waiver"  #: 减免 / 优惠
    WRITE_OFF = "write_off"  #: 核销(坏账)
    CANCEL = "cancel"  #: charge cancelled with a refund (退费 of a charge not owed)
    #: 账销案存: a written-off amount owed again because the payer pays it after all (amount < 0)
    WRITE_OFF_RECOVERY = "write_off_recovery"


class ChargeAdjustment(Base):
    """A reduction of a charge, always with a reason and an approval (a write-off recovery, which
    makes a written-off amount owed again when the payer pays it, is the one negative kind)."""

    __tablename__ = "charge_adjustment"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    charge_id: Mapped[int] = mapped_column(ForeignKey("charge.id"), index=True)
    kind: Mapped[AdjustmentKind] = enum_column(AdjustmentKind)
    amount: Mapped[Fen]
    reason: Mapped[Note]
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[UtcTime]


class MeterReading(Base):
    __tablename__ = "meter_reading"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_item.id"))
    #: Readings in hundredths of a unit (m³, kWh).
    reading_e2: Mapped[int] = mapped_column(Integer)
    previous_e2: Mapped[int] = mapped_column(Integer)
    usage_e2: Mapped[int] = mapped_column(Integer)
    read_on: Mapped[dt.date] = mapped_column(Date)
    replaced: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]

    __table_args__ = (Index("ix_meter_reading_account_fee", "account_id", "fee_item_id", "id"),)


class BillRun(Base):
    __tablename__ = "bill_run"
    id: Mapped[IntPK]
    period: Mapped[str] = mapped_column(String(7), index=True)
    created_count: Mapped[int] = mapped_column(Integer)
    total: Mapped[Fen]
    flags: Mapped[str] = mapped_column(Text, default="[]")
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]


class Approval(Base):
    """Maker-checker: the supervisor who approved a correction, checked by the service."""

    __tablename__ = "approval"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    action: Mapped[str] = mapped_column(String(40))
    approver_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[Note]
    reference: Mapped[str] = mapped_column(String(80), default="")
    amount: Mapped[Fen] = mapped_column(default=0)
    created_at: Mapped[UtcTime]


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


class JournalEntry(Base):
    """One balanced money event. Corrections are new entries with `reverses_entry_id`."""

    __tablename__ = "journal_entry"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    kind: Mapped[str] = mapped_column(String(24))
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[UtcTime]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    reverses_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))
    memo: Mapped[Note]
    training: Mapped[bool] = mapped_column(Boolean, default=False)


class Posting(Base):
    """One signed line of a journal entry: debit > 0, credit < 0; an entry sums to zero.

    `book` names the ledger account (see `services.ledger.Book`); the dimension columns say
    whose: the payer account, the fee item, the shift's drawer and tender, the user.
    """

    __tablename__ = "posting"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id"), index=True)
    book: Mapped[str] = mapped_column(String(24))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    fee_item_id: Mapped[int | None] = mapped_column(ForeignKey("fee_item.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    tender: Mapped[str | None] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    charge_id: Mapped[int | None] = mapped_column(ForeignKey("charge.id"))
    amount: Mapped[Fen]

    __table_args__ = (
        Index("ix_posting_book_account", "book", "account_id"),
        Index("ix_posting_book_shift", "book", "shift_id", "tender"),
        # Covering: outstanding per charge (arrears, verify) is read from the index alone.
        Index("ix_posting_charge", "charge_id", "book", "amount"),
    )


class AuditEvent(Base):
    """Hash-chained log of every write: hash = sha256(prev_hash + canonical fields).

    One chain per station (`chain` = the station code; '' for writes without a station and for
    every event written before migration 0006, when there was one chain): a window links its
    own events, so windows sharing a PostgreSQL ledger never wait for each other's audit link.
    `seq` numbers a chain's events from 1 without gaps; `id` only orders events across chains.
    """

    __tablename__ = "audit_event"
    id: Mapped[IntPK]
    chain: Mapped[str] = mapped_column(String(40), default="")
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[UtcTime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    station: Mapped[str] = mapped_column(String(40), default="")
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[str] = mapped_column(String(40), default="")
    payload: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (UniqueConstraint("chain", "seq"),)


class AuditHead(Base):
    """A chain's last link, one row per chain, locked by its writer so the chain never forks."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain: Mapped[str] = mapped_column(String(40), unique=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class Printer(Base):
    __tablename__ = "printer"
    id: Mapped[IntPK]
    name: Mapped[Code] = mapped_column(unique=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"))
    #: network | usb | serial | file | windows | dummy
    connection: Mapped[str] = mapped_column(String(12))
    target: Mapped[str] = mapped_column(String(200))
    width_mm: Mapped[int] = mapped_column(Integer, default=80)
    mode: Mapped[str] = mapped_column(String(8), default="text")
    cut: Mapped[str] = mapped_column(String(8), default="partial")
    drawer_pin: Mapped[int] = mapped_column(Integer, default=2)
    encoding: Mapped[str] = mapped_column(String(12), default="gb18030")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    #: native | image: QR by the printer's own command or as a raster (migration 0003)
    qr_mode: Mapped[str] = mapped_column(String(8), default="native")
    #: the longest one print job may block on this printer: connect, status, send (0003)
    timeout_ms: Mapped[int] = mapped_column(Integer, default=3000)


class PrintJobStatus(enum.Enum):
    """PENDING -> DONE | FAILED; FAILED -> PENDING on retry."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class PrintJob(Base):
    """A persisted print: the payment commits first, the job runs after, off the GUI thread."""

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_status", "status"),)  # failed and pending jobs (migration 0003)
    id: Mapped[IntPK]
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id"), index=True)
    printer_id: Mapped[int | None] = mapped_column(ForeignKey("printer.id"))
    #: receipt | reprint | late_print | void_slip | test | remittance
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[PrintJobStatus] = enum_column(PrintJobStatus)
    open_drawer: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    reprint_count: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]
    updated_at: Mapped[UtcTime]
    #: why the job exists beyond printing: a reprint's or an explicit drawer opening's reason (0003)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: the shift of a remittance slip (缴款单) job (0003)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    #: the correction a slip of the account card prints (0008): a charge_adjustment (waiver_slip,
    #: write_off_slip) or a balance_refund (deposit_slip, prepaid_slip); the kind says which table
    correction_id: Mapped[int | None] = mapped_column(Integer)




class ReviewKind(enum.Enum):
    """What happened to a meter reading after it was taken.

    A reading is billable unless it is HELD and not CONFIRMED, or CORRECTED (replaced by a later
    reading row, `replacement_id`). Nothing here is ever updated: the state is derived from these rows.
    """

    HELD = "held"  #: unusual use: not billed until a supervisor confirms it
    CONFIRMED = "confirmed"  #: a held reading confirmed by a second person (approval_id)
    CORRECTED = "corrected"  #: a wrong reading replaced by `replacement_id` (its charge reversed)


class ReadingReview(Base):
    """Append-only: holds, confirmations and corrections of meter readings (抄表复核)."""

    __tablename__ = "reading_review"
    id: Mapped[IntPK]
    txn: Mapped[Txn]
    reading_id: Mapped[int] = mapped_column(ForeignKey("meter_reading.id"), index=True)
    kind: Mapped[ReviewKind] = enum_column(ReviewKind)
    replacement_id: Mapped[int | None] = mapped_column(ForeignKey("meter_reading.id"))
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    reason: Mapped[Note]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]
