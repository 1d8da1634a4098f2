"""The journal and the audit chain: entries, postings, approvals, audit events and heads.

Append-only (DESIGN.md rule 2): amounts are never updated and rows never deleted; a correction
is a new row that points to the original (triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Fen, IntPK, Note, Txn, UtcTime


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
