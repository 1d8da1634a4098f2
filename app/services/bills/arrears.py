"""Arrears (欠费) and ageing (账龄): outstanding charges per account, bucketed by days overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.models import Account, Charge
from app.money import format_yuan
from app.services import Actor
from app.services.journal import ledger
from app.services.system import auth, settings

# (label, first day, last day) of days overdue; the last bucket is open-ended.
BUCKETS = [("0-30", 0, 30), ("31-90", 31, 90), ("91-180", 91, 180), ("181-365", 181, 365),
           ("1-2y", 366, 730), ("2-3y", 731, 1095), ("3y+", 1096, None)]
BUCKET_NAMES = {"0-30": "30天内", "31-90": "31-90天", "91-180": "91-180天", "181-365": "181-365天",
                "1-2y": "1-2年", "2-3y": "2-3年", "3y+": "3年以上"}


def bucket_of(days: int) -> str:
    for label, lo, hi in BUCKETS:
        if days >= lo and (hi is None or days <= hi):
            return label
    return BUCKETS[0][0]


@dataclass(frozen=True, slots=True)
class ArrearsRow:
    code: str
    owner: str
    phone: str
    building: str
    outstanding: int
    oldest_due: dt.date
    days_overdue: int
    buckets: dict[str, int]


@dataclass(frozen=True, slots=True)
class ArrearsReport:
    as_of: dt.date
    rows: list[ArrearsRow]
    totals: dict[str, int] = field(default_factory=dict)
    total: int = 0

    def to_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(), "total": format_yuan(self.total),
            "buckets": {k: format_yuan(v) for k, v in self.totals.items()},
            "accounts": [{"code": r.code, "owner": r.owner, "phone": r.phone, "building": r.building,
                          "outstanding": format_yuan(r.outstanding), "oldest_due": r.oldest_due.isoformat(),
                          "days_overdue": r.days_overdue,
                          "buckets": {k: format_yuan(v) for k, v in r.buckets.items() if v}} for r in self.rows],
        }


def arrears(
    session: Session, *, actor: Actor, as_of: dt.date | None = None, building: str | None = None
) -> ArrearsReport:
    """Every account with charges due on or before `as_of` still outstanding, oldest first per account.

    Summed per account and per ageing bucket in SQL (bucket edges become due-date edges), so
    the whole ledger's arrears come back as one row per owing account, not one per charge.
    """
    auth.require(session, actor, auth.READ)
    as_of = as_of or settings.today(session)
    by_charge = ledger.receivable_by_charge()
    due = by_charge.having(by_charge.selected_columns.due > 0).subquery()
    bucket_sums = []
    for label, lo, hi in BUCKETS:
        newest = as_of - dt.timedelta(days=lo)  # days overdue >= lo  <=>  due_date <= as_of - lo
        cond = Charge.due_date <= newest
        if hi is not None:
            cond = and_(cond, Charge.due_date >= as_of - dt.timedelta(days=hi))
        bucket_sums.append(func.sum(case((cond, due.c.due), else_=0)).label(label))
    q = (select(Account.code, Account.owner_name, Account.owner_phone, Account.building,
                func.sum(due.c.due), func.min(Charge.due_date), *bucket_sums)
         .join(Charge, Charge.id == due.c.charge_id).join(Account, Account.id == Charge.account_id)
         .where(Charge.due_date <= as_of, Charge.training.is_(False))
         .group_by(Account.id).order_by(Account.code))
    if building:
        q = q.where(Account.building == building)
    rows: list[ArrearsRow] = []
    totals = {label: 0 for label, _, _ in BUCKETS}
    for code, owner, phone, bld, outstanding, oldest, *per_bucket in session.execute(q):
        buckets = {label: int(v) for (label, _, _), v in zip(BUCKETS, per_bucket, strict=True)}
        for label, v in buckets.items():
            totals[label] += v
        rows.append(ArrearsRow(code=code, owner=owner, phone=phone, building=bld, outstanding=int(outstanding),
                               oldest_due=oldest, days_overdue=(as_of - oldest).days, buckets=buckets))
    return ArrearsReport(as_of, rows, totals, sum(totals.values()))
