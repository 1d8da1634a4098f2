"""What is owed: charges and their adjustments, bill runs, meter readings and their reviews.

Append-only (DESIGN.md rule 2): amounts are never updated and rows never deleted; a correction
is a new row that points to the original (triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Fen, IntPK, Note, Txn, UtcTime, enum_column


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


class BillRun(Base):
    __tablename__ = "bill_run"
    id: Mapped[IntPK]
    period: Mapped[str] = mapped_column(String(7), index=True)
    created_count: Mapped[int] = mapped_column(Integer)
    total: Mapped[Fen]
    flags: Mapped[str] = mapped_column(Text, default="[]")
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
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
