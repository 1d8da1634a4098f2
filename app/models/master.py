"""Master data: sites, stations, users, people, accounts, fee items, tariffs, assignments.

These rows may be edited (a phone number changes); money never lives here.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Code, IntPK, Name, Note, UtcTime, enum_column


class Site(Base):
    __tablename__ = "site"
    id: Mapped[IntPK]
    code: Mapped[Code] = mapped_column(unique=True)
    name: Mapped[Name]
    hotline: Mapped[str] = mapped_column(String(40), default="")
    receipt_footer: Mapped[Note]


class Station(Base):
    """One counter (窗口) with its drawer and printer."""

    __tablename__ = "station"
    id: Mapped[IntPK]
    code: Mapped[Code] = mapped_column(unique=True)
    name: Mapped[Name]
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    receipt_prefix: Mapped[str] = mapped_column(String(12), default="")
    #: Next number of the station's own sequence; used when the cashier has no issued range.
    next_receipt_no: Mapped[int] = mapped_column(Integer, default=1)
    training: Mapped[bool] = mapped_column(Boolean, default=False)


class Role(enum.Enum):
    """What a user may do; the permission table lives in `services.auth`."""

    CASHIER = "cashier"  #: takes payments at a window, opens and closes own shift
    SUPERVISOR = "supervisor"  #: approves corrections, accepts closes, settles days
    ADMIN = "admin"  #: master data, users, printers, settings
    AUDITOR = "auditor"  #: read-only, audit log, verify


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[IntPK]
    username: Mapped[Code] = mapped_column(unique=True)
    display_name: Mapped[Name]
    role: Mapped[Role] = enum_column(Role)
    password_hash: Mapped[str] = mapped_column(String(200))
    #: Wrong passwords in a row (log-in or approval); reset by a right one or an unlock.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    #: Locked by hand until an administrator unlocks (no longer set by wrong passwords).
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Wrong passwords lock for a growing time (`auth.lock_minutes`): no log-in or approval before this (UTC).
    locked_until: Mapped[dt.datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Training-mode user: everything works, nothing reaches the real books.
    training: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[UtcTime]


class AccountKind(enum.Enum):
    UNIT = "unit"
    PARKING = "parking"
    CONTRACT = "contract"
    PATIENT = "patient"
    OTHER = "other"


class AccountStatus(enum.Enum):
    OCCUPIED = "occupied"  #: 已入住
    VACANT = "vacant"  #: 空置
    DELIVERED = "delivered"  #: 已交付未收房
    CLOSED = "closed"  #: 已销户: no new charges


class Account(Base):
    """缴费户: what charges attach to. Search fields are kept here so lookup is one index."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("site_id", "code"),)
    id: Mapped[IntPK]
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    code: Mapped[Code] = mapped_column(index=True)
    kind: Mapped[AccountKind] = enum_column(AccountKind)
    building: Mapped[str] = mapped_column(String(20), default="", index=True)
    entrance: Mapped[str] = mapped_column(String(20), default="")
    room: Mapped[str] = mapped_column(String(20), default="")
    #: Areas in hundredths of a square metre (12345 = 123.45 m²).
    built_area: Mapped[int] = mapped_column(Integer, default=0)
    inner_area: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[AccountStatus] = enum_column(AccountStatus)
    owner_name: Mapped[str] = mapped_column(String(60), default="", index=True)
    owner_phone: Mapped[str] = mapped_column(String(30), default="")
    phone_last4: Mapped[str] = mapped_column(String(4), default="", index=True)
    pinyin_initials: Mapped[str] = mapped_column(String(20), default="", index=True)
    tags: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[Note]


class PartyRole(enum.Enum):
    OWNER = "owner"
    TENANT = "tenant"
    PAYER = "payer"


class Person(Base):
    __tablename__ = "person"
    id: Mapped[IntPK]
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(30), default="")
    id_number: Mapped[str] = mapped_column(String(30), default="")


class AccountParty(Base):
    __tablename__ = "account_party"
    id: Mapped[IntPK]
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    role: Mapped[PartyRole] = enum_column(PartyRole)


class FeeKind(enum.Enum):
    REVENUE = "revenue"  #: own income
    PASSTHROUGH = "passthrough"  #: 代收代缴: collected for a third party
    DEPOSIT = "deposit"  #: 押金: held and refunded later


class PricingMethod(enum.Enum):
    FIXED = "fixed"  #: rate per month
    AREA = "area"  #: rate per m² of built area per month
    METERED = "metered"  #: rate per unit used, from meter readings
    QUANTITY = "quantity"  #: rate per unit, quantity given when charged


class Cycle(enum.Enum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    ONCE = "once"


class FeeItem(Base):
    __tablename__ = "fee_item"
    __table_args__ = (UniqueConstraint("site_id", "code"),)
    id: Mapped[IntPK]
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    code: Mapped[Code]
    name: Mapped[Name]
    kind: Mapped[FeeKind] = enum_column(FeeKind)
    method: Mapped[PricingMethod] = enum_column(PricingMethod)
    cycle: Mapped[Cycle] = enum_column(Cycle)
    due_days: Mapped[int] = mapped_column(Integer, default=0)
    #: Late fee per day in parts per million of the overdue principal (500 = 万分之五).
    late_fee_daily_ppm: Mapped[int] = mapped_column(Integer, default=0)
    late_fee_grace_days: Mapped[int] = mapped_column(Integer, default=0)
    department: Mapped[str] = mapped_column(String(60), default="")
    unit_name: Mapped[str] = mapped_column(String(12), default="")
    pinyin_initials: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Tariff(Base):
    """An effective-dated price: charges copy the rate, so a new tariff never rewrites them."""

    __tablename__ = "tariff"
    __table_args__ = (UniqueConstraint("fee_item_id", "effective_from"),)
    id: Mapped[IntPK]
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_item.id"))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    #: Rate in ten-thousandths of a yuan (electricity is priced like 0.5283 元/度).
    rate_e4: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[UtcTime]


class AssignmentScope(enum.Enum):
    ALL = "all"
    BUILDING = "building"
    ACCOUNT = "account"


class FeeAssignment(Base):
    __tablename__ = "fee_assignment"
    id: Mapped[IntPK]
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_item.id"), index=True)
    scope: Mapped[AssignmentScope] = enum_column(AssignmentScope)
    building: Mapped[str | None] = mapped_column(String(20))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    #: For quantity-priced recurring fees (e.g. two parking spaces).
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    #: Billing start and stop: a period is billed when it overlaps [start_date, end_date];
    #: None = open on that side (an assignment without dates applies to every period billed).
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[UtcTime]


class Meter(Base):
    """A meter (表) of an account for a metered fee item: its number (表号) and multiplier
    (互感器倍率), by which the difference of two readings is multiplied to give the usage."""

    __tablename__ = "meter"
    __table_args__ = (UniqueConstraint("account_id", "fee_item_id", name="uq_meter_account_fee"),)
    id: Mapped[IntPK]
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_item.id"))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    multiplier: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[UtcTime]


class Setting(Base):
    """Key/value settings of the ledger (site-wide, shared by every window)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))

