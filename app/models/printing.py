"""Printers and the persisted print jobs (the print queue's work list).

Append-only (DESIGN.md rule 2): amounts are never updated and rows never deleted; a correction
is a new row that points to the original (triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Code, IntPK, UtcTime, enum_column


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
