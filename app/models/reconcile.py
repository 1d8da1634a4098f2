"""Reconciliation (对账) tables: statements as imported, their lines, matches and resolutions.

Append-only (migration 0007 adds the triggers): an imported statement is never edited or
deleted; a match is never undone; a resolution is a new row that points to the correction
(payment, void/refund, journal entry) that settled the open item. What is still open on a
day is derived from these rows, never stored as a flag.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Fen, IntPK, Note, UtcTime

__all__ = ["ReconMatch", "ReconResolution", "ReconRun", "Statement", "StatementLine", "StatementMapping"]


class StatementMapping(Base):
    """Column mapping of a bank or card-terminal statement layout, saved once per bank.

    A new version of a mapping is a new row with the same name; the newest row wins.
    """

    __tablename__ = "statement_mapping"
    id: Mapped[IntPK]
    name: Mapped[str] = mapped_column(String(40), index=True)
    #: bank | card
    channel: Mapped[str] = mapped_column(String(12))
    #: JSON: {"date": "交易日期", "credit": "贷方发生额", ...} (see services.statements.MAPPING_FIELDS)
    columns_json: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]


class Statement(Base):
    """One imported statement file, checked whole before any of it was stored."""

    __tablename__ = "statement"
    id: Mapped[IntPK]
    #: wechat | alipay | bank | card
    channel: Mapped[str] = mapped_column(String(12), index=True)
    #: The bank/terminal mapping used ('' for WeChat and Alipay); overlap is checked per channel and mapping.
    mapping_name: Mapped[str] = mapped_column(String(40), default="")
    file_name: Mapped[str] = mapped_column(String(200))
    #: sha256 of the file's bytes: the same file is never imported twice.
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    first_date: Mapped[dt.date] = mapped_column(Date)
    last_date: Mapped[dt.date] = mapped_column(Date)
    line_count: Mapped[int] = mapped_column(Integer)
    total_in: Mapped[Fen]
    total_out: Mapped[Fen]
    total_fee: Mapped[Fen]
    #: Bank statements: the balance before the first and after the last line (NULL without a balance column).
    opening_balance: Mapped[int | None] = mapped_column(BigInteger)
    closing_balance: Mapped[int | None] = mapped_column(BigInteger)
    #: The file's own summary/comment lines as read (JSON).
    summary_json: Mapped[str] = mapped_column(Text, default="{}")
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]


class StatementLine(Base):
    """One money line of a statement. `amount` is signed: > 0 money in, < 0 refund or money out."""

    __tablename__ = "statement_line"
    __table_args__ = (
        Index("ix_statement_line_channel_day", "channel", "business_date"),
        Index("ix_statement_line_reference", "reference"),
    )
    id: Mapped[IntPK]
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    channel: Mapped[str] = mapped_column(String(12))
    #: the line number in the file (what the messages and the screen show)
    line_no: Mapped[int] = mapped_column(Integer)
    #: payment | refund (providers, card) ; credit | debit (bank)
    kind: Mapped[str] = mapped_column(String(12))
    #: local calendar date of the transaction
    business_date: Mapped[dt.date] = mapped_column(Date)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    amount: Mapped[Fen]
    fee: Mapped[Fen] = mapped_column(default=0)
    #: provider transaction number (微信订单号, 支付宝交易号, 检索参考号, bank serial)
    reference: Mapped[str] = mapped_column(String(80), default="")
    #: merchant order number (商户订单号) or the bank's 摘要/附言
    merchant_ref: Mapped[str] = mapped_column(String(120), default="")
    #: refund numbers (微信退款单号 / 商户退款单号 / 退款批次号)
    refund_ref: Mapped[str] = mapped_column(String(120), default="")
    counterparty: Mapped[str] = mapped_column(String(120), default="")
    #: every column of the line as published (JSON)
    raw_json: Mapped[str] = mapped_column(Text)


class ReconRun(Base):
    """One matching run of a channel and business day, with what it found (JSON counts)."""

    __tablename__ = "recon_run"
    id: Mapped[IntPK]
    channel: Mapped[str] = mapped_column(String(12))
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    matched: Mapped[int] = mapped_column(Integer)
    result_json: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]


class ReconMatch(Base):
    """A statement line matched to one FeeDesk tender line or bank deposit (never two).

    `difference` = FeeDesk amount - statement amount (0 when they agree).
    """

    __tablename__ = "recon_match"
    id: Mapped[IntPK]
    statement_line_id: Mapped[int] = mapped_column(ForeignKey("statement_line.id"), unique=True)
    tender_line_id: Mapped[int | None] = mapped_column(ForeignKey("tender_line.id"), unique=True)
    bank_deposit_id: Mapped[int | None] = mapped_column(ForeignKey("bank_deposit.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(12))
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    #: reference | amount_time | resolution
    rule: Mapped[str] = mapped_column(String(16))
    difference: Mapped[Fen]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("recon_run.id"))
    created_at: Mapped[UtcTime]


class ReconResolution(Base):
    """A supervisor's resolution of one open item, through an existing correction.

    action: record (a payment and receipt for a statement line missing in FeeDesk) |
    reverse (void/refund of a tender that never arrived) | charge_cashier (shortage owed by
    the cashier) | explain (approved explanation, nothing posted).
    """

    __tablename__ = "recon_resolution"
    id: Mapped[IntPK]
    channel: Mapped[str] = mapped_column(String(12))
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    #: missing_in_feedesk | missing_on_statement | difference
    item: Mapped[str] = mapped_column(String(24))
    statement_line_id: Mapped[int | None] = mapped_column(ForeignKey("statement_line.id"), unique=True)
    tender_line_id: Mapped[int | None] = mapped_column(ForeignKey("tender_line.id"), unique=True)
    bank_deposit_id: Mapped[int | None] = mapped_column(ForeignKey("bank_deposit.id"), unique=True)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("recon_match.id"), unique=True)
    action: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Fen]
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    reason: Mapped[Note]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]
