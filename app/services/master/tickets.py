"""Complaints and repair requests (投诉/报修): register, list, close, and the monthly report.

Writes `ticket` and `ticket_close` (app/models/payer.py), append-only. Rules:

- First-receiver rule (首问责任制): whoever receives a complaint or repair request registers it
  at once — cashiers, supervisors and administrators may (permission `tickets`). Every ticket
  has a person responsible and a deadline (default: the business date plus the kind's days,
  settings `ticket_days_<kind>`); the deadline may not lie before the day it was received.
- A ticket is closed once, with the outcome and the caller's satisfaction (回访); it is never
  edited. Status is derived: 处理中 while not closed, 已超期 while not closed past its deadline.
- A ticket linked to an account with `disputes_payment` (the owner refuses to pay until it is
  fixed) puts the account "in dispute" while open: dunning runs leave it out, the cashier sees
  it on the account card.
- Monthly report, tickets by the month they were received: received, closed, closed on time
  (closed on or before the deadline), still open, overdue; on-time rate (投诉处理及时率) =
  closed on time ÷ (received − still open and not yet due); average handling days of the
  closed ones; satisfaction rate = (very satisfied + satisfied) ÷ closed with a rating.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.errors import AlreadyCorrected, InvalidInput, NotFound
from app.models import Account, Satisfaction, Ticket, TicketClose, TicketKind, User
from app.services import Actor
from app.services.clock import month_end, parse_period, period_start, utcnow
from app.services.journal import audit, concurrency
from app.services.master.accounts import find_account
from app.services.reports import Rate, ReportMeta, report_meta
from app.services.system import auth, settings

KIND_NAMES = {"complaint": "投诉", "repair": "报修", "inquiry": "咨询/建议"}
SATISFACTION_NAMES = {"very_satisfied": "非常满意", "satisfied": "满意", "neutral": "一般",
                      "dissatisfied": "不满意", "unreachable": "未能回访"}
STATUS_OPEN, STATUS_OVERDUE, STATUS_CLOSED = "处理中", "已超期", "已办结"


def _choice(text: str, names: dict[str, str], label: str) -> str:
    t = (text or "").strip()
    for code, name in names.items():
        if t in (code, name):
            return code
    raise InvalidInput(f"{label}不正确：“{text}”（可选：{'、'.join(names.values())}）")


@dataclass(frozen=True, slots=True)
class TicketRow:
    ticket_no: str
    kind: str  # 中文
    account_code: str
    caller: str
    phone: str
    description: str
    assignee: str
    received_on: dt.date
    deadline: dt.date
    disputes_payment: bool
    status: str
    closed_on: dt.date | None
    outcome: str
    satisfaction: str  # 中文, '' while open
    received_by: str

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def summary(self) -> str:
        """One line for the account card: 'TK… 报修：漏水（张师傅，期限 12-06，已超期）'."""
        flag = "，拒缴理由" if self.disputes_payment else ""
        return (f"{self.ticket_no} {self.kind}：{self.description[:30]}（{self.assignee}，"
                f"期限 {self.deadline:%m-%d}，{self.status}{flag}）")

    def to_json(self) -> dict:
        return {"ticket_no": self.ticket_no, "kind": self.kind, "account": self.account_code, "caller": self.caller,
                "phone": self.phone, "description": self.description, "assignee": self.assignee,
                "received_on": self.received_on.isoformat(), "deadline": self.deadline.isoformat(),
                "disputes_payment": self.disputes_payment, "status": self.status,
                "closed_on": self.closed_on.isoformat() if self.closed_on else None, "outcome": self.outcome,
                "satisfaction": self.satisfaction, "received_by": self.received_by}


#: Second key of the advisory lock of ticket numbering (PostgreSQL); see services.concurrency.
_NUMBERING_LOCK = -1801


def _hold_numbering(session: Session) -> None:
    """One ticket numbering at a time on a shared ledger, until commit: the next window counts
    the day's tickets only after this one's ticket is in, so no two windows take the same number
    (READ COMMITTED reads each statement afresh). SQLite's BEGIN IMMEDIATE already serialises."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"),
                        {"ns": concurrency.ADVISORY_NAMESPACE, "key": _NUMBERING_LOCK})


def register_ticket(session: Session, *, actor: Actor, kind: str, description: str, assignee: str,
                    account_code: str = "", caller_name: str = "", caller_phone: str = "",
                    deadline: dt.date | None = None, disputes_payment: bool = False,
                    at: dt.datetime | None = None) -> TicketRow:
    """登记投诉/报修 at once, with the person responsible and a deadline."""
    auth.require(session, actor, auth.TICKETS)
    kind = _choice(kind, KIND_NAMES, "工单类型")
    description, assignee = (description or "").strip(), (assignee or "").strip()
    if not description:
        raise InvalidInput("请填写投诉/报修内容")
    if not assignee:
        raise InvalidInput("请填写责任人（首问责任制：每张工单都要有人负责）")
    account = find_account(session, account_code) if (account_code or "").strip() else None
    if disputes_payment and account is None:
        raise InvalidInput("以此为由拒缴的工单必须关联缴费户")
    now = at or utcnow()
    today = settings.business_day(session, now)
    deadline = deadline or today + dt.timedelta(days=settings.get_int(session, f"ticket_days_{kind}"))
    if deadline < today:
        raise InvalidInput(f"处理期限 {deadline.isoformat()} 早于受理日期 {today.isoformat()}")
    _hold_numbering(session)
    count = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.business_date == today))
    ticket = Ticket(ticket_no=f"TK{today:%Y%m%d}-{count + 1:04d}-{actor.station_code or 'X'}", kind=TicketKind(kind),
                    account_id=account.id if account else None, caller_name=(caller_name or "").strip(),
                    caller_phone=(caller_phone or "").strip(), description=description, assignee=assignee,
                    deadline=deadline, disputes_payment=disputes_payment, user_id=actor.user_id,
                    business_date=today, created_at=now)
    session.add(ticket)
    session.flush()
    audit.record(session, actor, "ticket_register", "ticket", ticket.id, ticket_no=ticket.ticket_no, kind=kind,
                 account=account.code if account else "", deadline=deadline.isoformat(),
                 disputes_payment=disputes_payment)
    return _rows(session, today, Ticket.id == ticket.id)[0]


def close_ticket(session: Session, *, actor: Actor, ticket_no: str, outcome: str, satisfaction: str,
                 at: dt.datetime | None = None) -> TicketRow:
    """办结: the outcome and the caller's rating (回访). Once; never edited."""
    auth.require(session, actor, auth.TICKETS)
    ticket = session.scalars(select(Ticket).where(Ticket.ticket_no == (ticket_no or "").strip())).first()
    if ticket is None:
        raise NotFound(f"找不到工单“{ticket_no}”")
    if session.scalar(select(TicketClose.id).where(TicketClose.ticket_id == ticket.id)) is not None:
        raise AlreadyCorrected(f"工单 {ticket.ticket_no} 已办结")
    outcome = (outcome or "").strip()
    if not outcome:
        raise InvalidInput("请填写处理结果")
    code = _choice(satisfaction, SATISFACTION_NAMES, "回访满意度")
    now = at or utcnow()
    today = settings.business_day(session, now)
    session.add(TicketClose(ticket_id=ticket.id, outcome=outcome, satisfaction=Satisfaction(code),
                            user_id=actor.user_id, business_date=today, created_at=now))
    session.flush()
    audit.record(session, actor, "ticket_close", "ticket", ticket.id, ticket_no=ticket.ticket_no,
                 satisfaction=code, on_time=today <= ticket.deadline)
    return _rows(session, today, Ticket.id == ticket.id)[0]


def list_tickets(session: Session, *, actor: Actor, open_only: bool = False, account_code: str = "",
                 month: str = "", as_of: dt.date | None = None) -> list[TicketRow]:
    """Tickets, newest first: all, only open ones, one account's, or those received in a month."""
    auth.require(session, actor, auth.READ)
    where = []
    if (account_code or "").strip():
        where.append(Ticket.account_id == find_account(session, account_code).id)
    if month:
        first, last = _month_bounds(month)
        where.append(Ticket.business_date.between(first, last))
    rows = _rows(session, as_of or settings.today(session), *where)
    return [r for r in rows if r.is_open] if open_only else rows


def open_tickets_of(session: Session, account_id: int, as_of: dt.date) -> list[TicketRow]:
    """The account's open tickets as of a day (for the account card; the caller checked permission)."""
    return [r for r in _rows(session, as_of, Ticket.account_id == account_id) if r.is_open]


def disputed_accounts(session: Session) -> set[int]:
    """Accounts with an open ticket the owner gives as a reason not to pay (dunning leaves them out)."""
    return set(session.scalars(
        select(Ticket.account_id).outerjoin(TicketClose, TicketClose.ticket_id == Ticket.id)
        .where(Ticket.disputes_payment.is_(True), TicketClose.id.is_(None))))


def _rows(session: Session, today: dt.date, *where) -> list[TicketRow]:
    receiver = select(User.display_name).where(User.id == Ticket.user_id).scalar_subquery()
    q = (select(Ticket, TicketClose, Account.code, receiver)
         .outerjoin(TicketClose, TicketClose.ticket_id == Ticket.id)
         .outerjoin(Account, Account.id == Ticket.account_id)
         .where(*where).order_by(Ticket.id.desc()))
    rows = []
    for t, c, code, who in session.execute(q):
        status = STATUS_CLOSED if c else (STATUS_OVERDUE if today > t.deadline else STATUS_OPEN)
        rows.append(TicketRow(t.ticket_no, KIND_NAMES[t.kind.value], code or "", t.caller_name, t.caller_phone,
                              t.description, t.assignee, t.business_date, t.deadline, t.disputes_payment, status,
                              c.business_date if c else None, c.outcome if c else "",
                              SATISFACTION_NAMES[c.satisfaction.value] if c else "", who or ""))
    return rows


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    first = period_start(parse_period(month))
    return first, month_end(first)


# ---- the monthly report ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TicketMonth:
    month: str
    received: int
    closed: int
    on_time: int
    still_open: int
    overdue: int  # open past the deadline
    not_yet_due: int  # open, deadline not passed
    handling_days: int  # summed over the closed ones (received → closed, in business days)
    rated: int
    satisfied: int

    @property
    def on_time_rate(self) -> Rate:
        """投诉处理及时率: closed on time ÷ tickets whose outcome is known (received − open not yet due)."""
        return Rate(self.on_time, self.received - self.not_yet_due)

    @property
    def satisfaction_rate(self) -> Rate:
        return Rate(self.satisfied, self.rated)

    @property
    def average_days(self) -> str:
        """Average handling days of the closed tickets, one decimal ('4.5'), '—' without any."""
        if not self.closed:
            return "—"
        return str((Decimal(self.handling_days) / self.closed).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def to_json(self) -> dict:
        return {"month": self.month, "received": self.received, "closed": self.closed, "on_time": self.on_time,
                "still_open": self.still_open, "overdue": self.overdue, "not_yet_due": self.not_yet_due,
                "average_days": self.average_days, "on_time_rate": self.on_time_rate.text,
                "satisfaction_rate": self.satisfaction_rate.text}


@dataclass(frozen=True, slots=True)
class TicketReport:
    meta: ReportMeta
    first_month: str
    last_month: str
    kind: str  # 中文, '' = all kinds
    months: list[TicketMonth]

    @property
    def total(self) -> TicketMonth:
        f = [sum(getattr(m, name) for m in self.months) for name in
             ("received", "closed", "on_time", "still_open", "overdue", "not_yet_due", "handling_days", "rated",
              "satisfied")]
        return TicketMonth("合计", *f)

    def to_json(self) -> dict:
        return {"from": self.first_month, "to": self.last_month, "kind": self.kind,
                "months": [m.to_json() for m in self.months], "total": self.total.to_json()}


def ticket_report(session: Session, *, actor: Actor, first_month: str, last_month: str,
                  kind: str = "", as_of: dt.date | None = None) -> TicketReport:
    """投诉报修统计 per month received (see the module docstring for every figure)."""
    auth.require(session, actor, auth.READ)
    start, _ = _month_bounds(first_month)
    _, end = _month_bounds(last_month)
    if end < start:
        raise InvalidInput("结束月份早于开始月份")
    where = [Ticket.business_date.between(start, end)]
    if kind:
        kind = _choice(kind, KIND_NAMES, "工单类型")
        where.append(Ticket.kind == TicketKind(kind))
    today = as_of or settings.today(session)
    months: dict[str, list] = {}
    q = (select(Ticket.business_date, Ticket.deadline, TicketClose.business_date, TicketClose.satisfaction)
         .outerjoin(TicketClose, TicketClose.ticket_id == Ticket.id).where(*where))
    for received, deadline, closed, rating in session.execute(q):
        months.setdefault(f"{received:%Y-%m}", []).append((received, deadline, closed, rating))
    out = []
    for month in sorted(months):
        rows = months[month]
        closed = [r for r in rows if r[2] is not None]
        open_ = [r for r in rows if r[2] is None]
        rated = [r for r in closed if r[3] != Satisfaction.UNREACHABLE]
        out.append(TicketMonth(
            month, len(rows), len(closed), sum(1 for r in closed if r[2] <= r[1]), len(open_),
            sum(1 for r in open_ if today > r[1]), sum(1 for r in open_ if today <= r[1]),
            sum((r[2] - r[0]).days for r in closed), len(rated),
            sum(1 for r in rated if r[3] in (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED))))
    meta = report_meta(session, actor, f"{first_month} 至 {last_month}")
    return TicketReport(meta, first_month, last_month, KIND_NAMES.get(kind, ""), out)
