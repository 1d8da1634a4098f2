"""The payer's side: complaints and repair requests (投诉/报修工单) under the first-receiver rule
(首问责任制), and changes of owner (过户).

A ticket is registered when it is received (`ticket`), with a deadline and the person
responsible; it is closed once (`ticket_close`, with the outcome and the caller's
satisfaction). Both tables are append-only (trigger in migration 0007_payer): a ticket's
status is derived — open while it has no close row, overdue while open past its deadline.
Only `app.services.master.tickets` and `app.services.master.owners` write these; all are append-only. No
money is moved here.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Fen, IntPK, Note, UtcTime, enum_column

__all__ = ["ArrearsOnTransfer", "OwnershipChange", "Satisfaction", "Ticket", "TicketClose", "TicketKind"]


class TicketKind(enum.Enum):
    COMPLAINT = "complaint"  #: 投诉
    REPAIR = "repair"  #: 报修
    INQUIRY = "inquiry"  #: 咨询/建议


class Satisfaction(enum.Enum):
    VERY_SATISFIED = "very_satisfied"  #: 非常满意
    SATISFIED = "satisfied"  #: 满意
    NEUTRAL = "neutral"  #: 一般
    DISSATISFIED = "dissatisfied"  #: 不满意
    UNREACHABLE = "unreachable"  #: 未能回访


class Ticket(Base):
    """投诉/报修工单. `disputes_payment`: the caller refuses to pay until it is resolved."""

    __tablename__ = "ticket"
    id: Mapped[IntPK]
    ticket_no: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[TicketKind] = enum_column(TicketKind)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    caller_name: Mapped[str] = mapped_column(String(60), default="")
    caller_phone: Mapped[str] = mapped_column(String(30), default="")
    description: Mapped[str] = mapped_column(Text)
    assignee: Mapped[str] = mapped_column(String(60))
    deadline: Mapped[dt.date] = mapped_column(Date)
    disputes_payment: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[UtcTime]

    __table_args__ = (Index("ix_ticket_account", "account_id"),)


class TicketClose(Base):
    """The closing of a ticket: what was done and how the caller rated it (回访)."""

    __tablename__ = "ticket_close"
    id: Mapped[IntPK]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), unique=True)
    outcome: Mapped[Note]
    satisfaction: Mapped[Satisfaction] = enum_column(Satisfaction)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[UtcTime]


class ArrearsOnTransfer(enum.Enum):
    """What happens to the arrears up to the date of a change of owner (过户)."""

    SETTLED = "settled"  #: nothing was owed up to the date (the former owner paid first)
    TRANSFERRED = "transferred"  #: the new owner takes the arrears over (both agree; a supervisor approves)
    KEPT = "kept"  #: the arrears stay the former owner's debt, shown apart; the new owner starts clean


class OwnershipChange(Base):
    """过户: a dated change of owner. The account's current owner is on `account`; this row keeps
    who owned it before, from when, and what became of the arrears up to the date."""

    __tablename__ = "ownership_change"
    id: Mapped[IntPK]
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    effective_date: Mapped[dt.date] = mapped_column(Date)
    former_owner: Mapped[str] = mapped_column(String(60))
    former_phone: Mapped[str] = mapped_column(String(30), default="")
    new_owner: Mapped[str] = mapped_column(String(60))
    new_phone: Mapped[str] = mapped_column(String(30), default="")
    arrears_mode: Mapped[ArrearsOnTransfer] = enum_column(ArrearsOnTransfer)
    #: Fen owed on charges due on or before `effective_date` when the change was recorded.
    arrears_amount: Mapped[Fen]
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    note: Mapped[Note]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]
