"""Bill notices (缴费通知单): before the due date, what falls due this period and what is still owed.

A read of the journal (through `reports.iter_outstanding`) plus one audit event per run; no
table of its own, since nothing on a bill notice is a promise the ledger must keep. Rules:

- A notice for period P lists, per account, the charges of P still owed (本期应缴) and every
  earlier charge still owed (往期未缴). Charges of later periods are not listed.
- Pay by (请于…前缴清): the earliest due date among the account's charges of P; an account
  with only earlier arrears is asked to pay by the latest due date of P's charges at the site
  (or the last day of P when nothing of P was billed).
- Arrears kept as a former owner's debt at a change of owner (过户) are left off.
- Each notice carries the payment ways, the window and its opening hours (setting
  `window_hours`) and the hotline. The SMS export is name, phone, amounts and pay-by date,
  for a platform outside the program (FeeDesk is offline and sends nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Account, Charge, FeeItem
from app.money import Money, format_yuan, to_chinese_upper
from app.services import Actor
from app.services.clock import month_end, parse_period, period_start, utcnow
from app.services.collection.dunning import DEFAULT_PAY_HOW, address_of
from app.services.journal import audit
from app.services.master import owners
from app.services.master.accounts import default_site
from app.services.reports import ReportMeta, iter_outstanding, report_meta
from app.services.system import auth, settings


@dataclass(frozen=True, slots=True)
class BillItem:
    fee: str
    period: str
    due_date: dt.date
    amount: int  # still owed
    current: bool  # a charge of the notice's period (本期), else an earlier arrear (往期)


@dataclass(frozen=True, slots=True)
class BillNotice:
    """Everything one printed 缴费通知单 shows."""

    notice_no: str
    account_code: str
    owner: str
    phone: str
    address: str
    period: str
    issued_on: dt.date
    pay_by: dt.date
    items: list[BillItem]
    current_total: int
    arrears_total: int
    total: int
    total_upper: str
    site: str
    hotline: str
    pay_where: str
    pay_how: str
    hours: str


@dataclass(frozen=True, slots=True)
class BillNoticeRun:
    period: str
    count: int
    total: int
    meta: ReportMeta
    notices: list[BillNotice]

    def to_json(self) -> dict:
        return {"period": self.period, "notices": self.count, "total": format_yuan(self.total),
                "accounts": [{"notice_no": n.notice_no, "account": n.account_code, "owner": n.owner,
                              "current": format_yuan(n.current_total), "arrears": format_yuan(n.arrears_total),
                              "total": format_yuan(n.total), "pay_by": n.pay_by.isoformat()} for n in self.notices]}

    def sms_rows(self) -> list[list]:
        """缴费户, 姓名, 电话, 本期应缴, 往期未缴, 合计, 缴费截止日 — accounts with a phone number."""
        return [[n.account_code, n.owner, n.phone, Money(n.current_total), Money(n.arrears_total), Money(n.total),
                 n.pay_by] for n in self.notices if n.phone]


SMS_COLUMNS = ["缴费户", "姓名", "电话", "本期应缴", "往期未缴", "合计", "缴费截止日"]


def bill_notices(session: Session, *, actor: Actor, period: str, building: str | None = None,
                 at: dt.datetime | None = None) -> BillNoticeRun:
    """One 缴费通知单 per account that owes anything of period P or before (see the module docstring)."""
    auth.require(session, actor, auth.SUPERVISE)
    period = parse_period(period)
    last_day = month_end(period_start(period))
    at = at or utcnow()
    issued_on = settings.business_day(session, at)
    site_due = session.scalar(select(func.max(Charge.due_date)).where(Charge.period == period,
                                                                      Charge.training.is_(False)))
    horizon = max(site_due or last_day, last_day)
    fees = dict(session.execute(select(FeeItem.id, FeeItem.name)).all())
    owed: dict[int, list[BillItem]] = {}
    kept = owners.kept_cutoffs(session)  # a former owner's arrears are not on the new owner's notice
    for acc_id, _cid, fee_id, p, due, _kind, out in iter_outstanding(session, as_of=horizon, building=building):
        if (p and p > period) or (acc_id in kept and due <= kept[acc_id]):
            continue
        owed.setdefault(acc_id, []).append(BillItem(fees[fee_id], p or "", due, int(out), p == period))
    accounts = {}
    ids = list(owed)
    for i in range(0, len(ids), 900):
        for acc in session.scalars(select(Account).where(Account.id.in_(ids[i:i + 900]))):
            accounts[acc.id] = acc
    site = default_site(session)
    hours = settings.get(session, "window_hours")
    notices = []
    for seq, acc_id in enumerate(sorted(owed, key=lambda a: accounts[a].code), start=1):
        acc, items = accounts[acc_id], owed[acc_id]
        current = sum(i.amount for i in items if i.current)
        arrears = sum(i.amount for i in items if not i.current)
        pay_by = min((i.due_date for i in items if i.current), default=site_due or last_day)
        notices.append(BillNotice(
            f"TZ{period.replace('-', '')}-{seq:05d}", acc.code, acc.owner_name, acc.owner_phone, address_of(acc),
            period, issued_on, pay_by, items, current, arrears, current + arrears,
            to_chinese_upper(Money(current + arrears)), site.name, site.hotline, f"{site.name}收费窗口",
            DEFAULT_PAY_HOW, hours))
    total = sum(n.total for n in notices)
    audit.record(session, actor, "bill_notice_run", "bill_notice", period, building=building or "",
                 notices=len(notices), total=total)
    meta = report_meta(session, actor, f"{period} 缴费通知", at)
    return BillNoticeRun(period, len(notices), total, meta, notices)
