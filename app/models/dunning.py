"""Tables of the reports and dunning issue: dunning runs and notices, the contact log,
payment promises / repayment plans with instalments, collectors' areas and collection targets.

Only `app.services.collection.dunning` and `app.services.reports` write these. No money is moved here:
the amounts on a notice are a copy of what the journal said when the notice was printed.
Dunning runs, notices and contact-log entries are append-only (trigger in migration 0004);
a plan is ended by setting `cancelled_at`, its instalments are never edited.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Fen, IntPK, Note, UtcTime, enum_column

__all__ = [
    "CollectionTarget", "CollectorArea", "ContactChannel", "ContactLog", "ContactResult", "DunningNotice",
    "DunningRun", "PaymentPromise", "PromiseInstalment", "TargetScope",
]


class DunningRun(Base):
    """One 催缴 run: the selection criteria and when/who; its notices point to it."""

    __tablename__ = "dunning_run"
    id: Mapped[IntPK]
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    #: The pay-by date printed on every notice of the run.
    pay_by: Mapped[dt.date] = mapped_column(Date)
    #: JSON of the selection: building, min_amount, min_days, bucket.
    criteria: Mapped[str] = mapped_column(Text, default="{}")
    notice_count: Mapped[int] = mapped_column(Integer)
    total: Mapped[Fen]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]


class DunningNotice(Base):
    """催缴通知单: one account of a run, with the itemised arrears as printed (JSON)."""

    __tablename__ = "dunning_notice"
    id: Mapped[IntPK]
    run_id: Mapped[int] = mapped_column(ForeignKey("dunning_run.id"), index=True)
    notice_no: Mapped[str] = mapped_column(String(30), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    amount: Mapped[Fen]
    oldest_due: Mapped[dt.date] = mapped_column(Date)
    days_overdue: Mapped[int] = mapped_column(Integer)
    #: JSON list of {fee, period, due_date, outstanding}.
    items: Mapped[str] = mapped_column(Text)


class ContactChannel(enum.Enum):
    NOTICE = "notice"  #: 张贴/送达催缴通知单
    PHONE = "phone"  #: 电话
    SMS = "sms"  #: 短信
    VISIT = "visit"  #: 上门
    LETTER = "letter"  #: 挂号信
    LAWYER = "lawyer"  #: 律师函


class ContactResult(enum.Enum):
    NO_ANSWER = "no_answer"  #: 无人接听/无人应答
    PROMISED = "promised"  #: 承诺缴费 (promise_date required)
    REFUSED = "refused"  #: 拒缴 (reason_code required; dispute reasons exclude from dunning runs)
    PAID = "paid"  #: 已缴费
    DELIVERED = "delivered"  #: 已送达 (notice posted / letter delivered, no answer yet)


class ContactLog(Base):
    """催缴记录: who contacted the account, how, and what came of it."""

    __tablename__ = "contact_log"
    id: Mapped[IntPK]
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    channel: Mapped[ContactChannel] = enum_column(ContactChannel)
    result: Mapped[ContactResult] = enum_column(ContactResult)
    reason_code: Mapped[str] = mapped_column(String(24), default="")
    promise_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[Note]
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("dunning_notice.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[UtcTime]

    __table_args__ = (Index("ix_contact_log_account", "account_id", "id"),)


class PaymentPromise(Base):
    """A repayment plan (还款计划): instalments with dates. Status is derived from the journal.

    Transitions: active -> cancelled (`cancelled_at` set, final). Overdue and completed are
    derived: money allocated to the account since `start_date` against instalments due.
    """

    __tablename__ = "payment_promise"
    id: Mapped[IntPK]
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    total: Mapped[Fen]
    note: Mapped[Note]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False))


class PromiseInstalment(Base):
    __tablename__ = "promise_instalment"
    __table_args__ = (UniqueConstraint("promise_id", "seq", name="uq_promise_instalment_seq"),)
    id: Mapped[IntPK]
    promise_id: Mapped[int] = mapped_column(ForeignKey("payment_promise.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Fen]


class CollectorArea(Base):
    """Which collector (收费员) answers for a building: the basis of the per-collector rate."""

    __tablename__ = "collector_area"
    id: Mapped[IntPK]
    building: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))


class TargetScope(enum.Enum):
    BUILDING = "building"  #: key = building
    COLLECTOR = "collector"  #: key = username
    SITE = "site"  #: key = '' (the whole site)


class CollectionTarget(Base):
    """A monthly collection target (计划) set by the manager; the latest row per key wins.

    `ok_pct` and `alert_pct` are the manager's variance bands: actual/target at or above
    `ok_pct` is 达标, below `alert_pct` is 预警, in between 关注.
    """

    __tablename__ = "collection_target"
    id: Mapped[IntPK]
    month: Mapped[str] = mapped_column(String(7), index=True)
    scope: Mapped[TargetScope] = enum_column(TargetScope)
    key: Mapped[str] = mapped_column(String(40), default="")
    amount: Mapped[Fen]
    ok_pct: Mapped[int] = mapped_column(Integer, default=100)
    alert_pct: Mapped[int] = mapped_column(Integer, default=90)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[UtcTime]
