"""Dunning (催缴): runs that print 催缴通知单, the contact log, repayment plans, effectiveness.

Writes dunning runs and notices, contact-log entries and repayment plans (tables of
app/models/dunning.py); reads arrears from the journal through `reports.iter_outstanding`.
Callers render notices with `app.reports.pdf.render_notices`; they never select accounts
themselves. Rules:

- A run selects accounts with charges due on or before the run date and still owed, by
  building, minimum amount owed, minimum days overdue (oldest charge) or oldest ageing bucket.
- Excluded from a run: accounts under a payment promise (latest contact says 承诺缴费 with a
  promise date not yet passed), under an active repayment plan that is not overdue, or in
  dispute (latest contact is a refusal with a dispute reason such as 维修纠纷, or an open
  complaint/repair ticket the owner gives as the reason not to pay: `tickets.disputed_accounts`).
- A repayment plan is overdue when the money allocated to the account since the plan started
  is less than the instalments due so far; it is completed when that money reaches its total.
- Effectiveness of a run: for its accounts, how many paid and how much money was allocated to
  their charges within 7 and within 30 days from the run date (run day included), counting
  only payments recorded after the run (not a payment made earlier on the run's day).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.models import (
    Account,
    Allocation,
    Charge,
    ContactChannel,
    ContactLog,
    ContactResult,
    DunningNotice,
    DunningRun,
    FeeItem,
    Payment,
    PaymentPromise,
    PromiseInstalment,
    User,
)
from app.money import Money, format_yuan, to_chinese_upper
from app.services import Actor
from app.services.bills.arrears import BUCKET_NAMES, BUCKETS, bucket_of
from app.services.clock import utcnow
from app.services.journal import audit
from app.services.master import owners, tickets
from app.services.master.accounts import default_site, find_account
from app.services.reports import ReportMeta, accounts_filter, iter_outstanding, report_meta
from app.services.system import auth, settings

CHANNEL_NAMES = {"notice": "张贴/送达通知单", "phone": "电话", "sms": "短信", "visit": "上门",
                 "letter": "挂号信", "lawyer": "律师函"}
RESULT_NAMES = {"no_answer": "无人应答", "promised": "承诺缴费", "refused": "拒缴", "paid": "已缴费",
                "delivered": "已送达"}
REASON_NAMES = {"repair_dispute": "维修纠纷", "service_dispute": "服务质量异议", "amount_dispute": "金额异议",
                "vacancy": "空置/未收房", "hardship": "经济困难", "unwilling": "无理由拒缴"}
#: Refusal reasons that put an account "in dispute": dunning runs leave it out until resolved.
DISPUTE_REASONS = {"repair_dispute", "service_dispute", "amount_dispute", "vacancy"}
DEFAULT_PAY_HOW = "现金、银行卡、微信支付、支付宝"


def _by_name(text: str, names: dict[str, str], label: str) -> str:
    t = (text or "").strip()
    if t in names:
        return t
    for code, name in names.items():
        if t == name:
            return code
    raise InvalidInput(f"{label}不正确：“{text}”（可选：{'、'.join(f'{k}({v})' for k, v in names.items())}）")


# ---- the run --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NoticeItem:
    fee: str
    period: str
    due_date: dt.date
    days_overdue: int
    outstanding: int


@dataclass(frozen=True, slots=True)
class NoticeDoc:
    """Everything one printed 催缴通知单 shows."""

    notice_no: str
    account_code: str
    owner: str
    phone: str
    address: str
    as_of: dt.date
    issued_on: dt.date
    pay_by: dt.date
    days_overdue: int
    items: list[NoticeItem]
    total: int
    total_upper: str
    site: str
    hotline: str
    pay_where: str
    pay_how: str
    late_fee_note: str


@dataclass(frozen=True, slots=True)
class DunningRunResult:
    run_id: int
    business_date: dt.date
    count: int
    total: int
    excluded_promise: int
    excluded_dispute: int
    meta: ReportMeta
    notices: list[NoticeDoc]

    def to_json(self) -> dict:
        return {"run_id": self.run_id, "date": self.business_date.isoformat(), "notices": self.count,
                "total": format_yuan(self.total), "excluded_promise": self.excluded_promise,
                "excluded_dispute": self.excluded_dispute,
                "accounts": [{"notice_no": n.notice_no, "account": n.account_code, "owner": n.owner,
                              "total": format_yuan(n.total), "days_overdue": n.days_overdue} for n in self.notices]}


def arrears_reasons(session: Session, as_of: dt.date) -> dict[int, str]:
    """Why each account does not pay, from its latest contact and its open tickets:
    '拒缴：维修纠纷（楼上漏水未修）', '承诺 2026-12-01 前缴费', '投诉/报修未办结：TK…'."""
    latest = (select(ContactLog.account_id, func.max(ContactLog.id).label("last"))
              .group_by(ContactLog.account_id).subquery())
    out: dict[int, str] = {}
    for acc_id, result, reason, pdate, note in session.execute(
            select(ContactLog.account_id, ContactLog.result, ContactLog.reason_code, ContactLog.promise_date,
                   ContactLog.note).join(latest, latest.c.last == ContactLog.id)):
        if result == ContactResult.REFUSED:
            out[acc_id] = f"拒缴：{REASON_NAMES.get(reason, reason)}" + (f"（{note}）" if note else "")
        elif result == ContactResult.PROMISED and pdate:
            out[acc_id] = f"承诺 {pdate.isoformat()} 前缴费" + ("（已过期）" if pdate < as_of else "")
    for acc_id in tickets.disputed_accounts(session):
        out[acc_id] = "；".join(x for x in (out.get(acc_id), "投诉/报修未办结，以此拒缴") if x)
    return out


def _excluded(session: Session, as_of: dt.date) -> tuple[set[int], set[int]]:
    """(accounts under a promise or a plan in good standing, accounts in dispute)."""
    latest = (select(ContactLog.account_id, func.max(ContactLog.id).label("last"))
              .group_by(ContactLog.account_id).subquery())
    promise, dispute = set(), set()
    for acc_id, result, reason, pdate in session.execute(
            select(ContactLog.account_id, ContactLog.result, ContactLog.reason_code, ContactLog.promise_date)
            .join(latest, latest.c.last == ContactLog.id)):
        if result == ContactResult.PROMISED and pdate and pdate >= as_of:
            promise.add(acc_id)
        elif result == ContactResult.REFUSED and reason in DISPUTE_REASONS:
            dispute.add(acc_id)
    dispute |= tickets.disputed_accounts(session)
    for st in _plan_statuses(session, as_of=as_of):
        if not st.cancelled and not st.completed and not st.overdue:
            promise.add(st.account_id)
    return promise, dispute


def _select(session: Session, *, as_of: dt.date, building: str | None, min_amount: int, min_days: int,
            bucket: str | None, account_ids: list[int] | None = None) -> Iterator[tuple[int, list[tuple]]]:
    """(account id, [(fee id, period, due date, outstanding)]) of accounts meeting the criteria.
    Arrears kept as a former owner's debt at a change of owner are not the current owner's."""
    kept = owners.kept_cutoffs(session)
    bucket_index = None
    if bucket:
        labels = [label for label, _, _ in BUCKETS]
        code = bucket if bucket in labels else next((k for k, v in BUCKET_NAMES.items() if v == bucket), None)
        if code is None:
            raise InvalidInput(f"账龄段不正确：“{bucket}”（可选：{'、'.join(labels)}）")
        bucket_index = labels.index(code)
    labels = [label for label, _, _ in BUCKETS]
    current, items = None, []

    def done(acc_id, items):
        total = sum(x[3] for x in items)
        oldest = min(x[2] for x in items)
        days = (as_of - oldest).days
        if total < min_amount or days < min_days:
            return False
        return bucket_index is None or labels.index(bucket_of(days)) >= bucket_index

    for acc_id, _cid, fee_id, period, due_date, _kind, out in iter_outstanding(session, as_of=as_of,
                                                                                building=building,
                                                                                account_ids=account_ids):
        if acc_id in kept and due_date <= kept[acc_id]:
            continue
        if acc_id != current:
            if current is not None and done(current, items):
                yield current, items
            current, items = acc_id, []
        items.append((fee_id, period, due_date, int(out)))
    if current is not None and done(current, items):
        yield current, items


def run_dunning(session: Session, *, actor: Actor, building: str | None = None, min_amount: int = 0,
                min_days: int = 1, bucket: str | None = None, pay_within_days: int = 15,
                pay_where: str = "", pay_how: str = "", status: str | None = None, tag: str | None = None,
                at: dt.datetime | None = None) -> DunningRunResult:
    """Select the accounts, record the run and its notices, and return the notices to print."""
    auth.require(session, actor, auth.SUPERVISE)
    if min_amount < 0 or min_days < 0 or not 1 <= pay_within_days <= 90:
        raise InvalidInput("催缴条件不正确（金额、天数不能为负，缴费期限 1–90 天）")
    at = at or utcnow()
    as_of = settings.business_day(session, at)
    pay_by = as_of + dt.timedelta(days=pay_within_days)
    promise, dispute = _excluded(session, as_of)
    fees = {f.id: f for f in session.scalars(select(FeeItem))}
    site = default_site(session)
    selected = []
    skipped_promise = skipped_dispute = 0
    for acc_id, items in _select(session, as_of=as_of, building=building, min_amount=min_amount,
                                 min_days=min_days, bucket=bucket, account_ids=accounts_filter(session, status, tag)):
        if acc_id in dispute:
            skipped_dispute += 1
            continue
        if acc_id in promise:
            skipped_promise += 1
            continue
        selected.append((acc_id, items))
    criteria = {"building": building, "min_amount": min_amount, "min_days": min_days, "bucket": bucket,
                "pay_within_days": pay_within_days, "status": status, "tag": tag}
    total = sum(sum(x[3] for x in items) for _, items in selected)
    run = DunningRun(business_date=as_of, pay_by=pay_by, criteria=json.dumps(criteria, ensure_ascii=False),
                     notice_count=len(selected), total=total, user_id=actor.user_id, created_at=at)
    session.add(run)
    session.flush()
    accounts = {}
    ids = [a for a, _ in selected]
    for i in range(0, len(ids), 900):
        for acc in session.scalars(select(Account).where(Account.id.in_(ids[i:i + 900]))):
            accounts[acc.id] = (acc.code, acc.owner_name, acc.owner_phone, address_of(acc))
    notices: list[NoticeDoc] = []
    rows = []
    for seq, (acc_id, items) in enumerate(selected, start=1):
        code, owner, phone, address = accounts[acc_id]
        lines = [NoticeItem(fees[f].name, p or "", d, (as_of - d).days, amt) for f, p, d, amt in items]
        amount = sum(x.outstanding for x in lines)
        oldest = min(x.due_date for x in lines)
        late = sorted({fees[f].late_fee_daily_ppm for f, *_ in items if fees[f].late_fee_daily_ppm})
        note = "逾期未缴的费用将按合同约定计收滞纳金。" if late else ""
        no = f"CJ{as_of:%Y%m%d}-{run.id:04d}-{seq:05d}"
        notices.append(NoticeDoc(no, code, owner, phone, address, as_of, as_of, pay_by, (as_of - oldest).days, lines,
                                 amount, to_chinese_upper(Money(amount)), site.name, site.hotline,
                                 pay_where or f"{site.name}收费窗口", pay_how or DEFAULT_PAY_HOW, note))
        rows.append(dict(run_id=run.id, notice_no=no, account_id=acc_id, amount=amount, oldest_due=oldest,
                         days_overdue=(as_of - oldest).days,
                         items=json.dumps([[x.fee, x.period, x.due_date.isoformat(), x.outstanding] for x in lines],
                                          ensure_ascii=False)))
    if rows:
        session.execute(insert(DunningNotice), rows)
    audit.record(session, actor, "dunning_run", "dunning_run", run.id, criteria=criteria, notices=len(rows),
                 total=total)
    meta = report_meta(session, actor, f"{as_of.isoformat()} 催缴（缴费期限 {pay_by.isoformat()}）", at)
    return DunningRunResult(run.id, as_of, len(rows), total, skipped_promise, skipped_dispute, meta, notices)


def address_of(acc: Account) -> str:
    if acc.building and acc.room:
        return f"{acc.building}栋{acc.entrance + '单元' if acc.entrance else ''}{acc.room}室"
    return acc.code


def notices_of_run(session: Session, *, actor: Actor, run_id: int) -> DunningRunResult:
    """The notices of an earlier run, as printed then (for a reprint)."""
    auth.require(session, actor, auth.READ)
    run = session.get(DunningRun, run_id)
    if run is None:
        raise NotFound(f"找不到催缴批次 #{run_id}")
    site = default_site(session)
    notices = []
    for n, acc in session.execute(select(DunningNotice, Account).join(Account, Account.id == DunningNotice.account_id)
                                  .where(DunningNotice.run_id == run_id).order_by(DunningNotice.id)):
        items = [NoticeItem(f, p, dt.date.fromisoformat(d), (run.business_date - dt.date.fromisoformat(d)).days, a)
                 for f, p, d, a in json.loads(n.items)]
        notices.append(NoticeDoc(n.notice_no, acc.code, acc.owner_name, acc.owner_phone, address_of(acc),
                                 run.business_date, run.business_date, run.pay_by, n.days_overdue, items, n.amount,
                                 to_chinese_upper(Money(n.amount)), site.name, site.hotline, f"{site.name}收费窗口",
                                 DEFAULT_PAY_HOW, ""))
    meta = report_meta(session, actor, f"{run.business_date.isoformat()} 催缴（补打）")
    return DunningRunResult(run.id, run.business_date, run.notice_count, run.total, 0, 0, meta, notices)


# ---- contact log ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ContactEntry:
    id: int
    account: str
    channel: str
    result: str
    reason: str
    promise_date: dt.date | None
    note: str
    who: str
    business_date: dt.date
    created_at: dt.datetime


def log_contact(session: Session, *, actor: Actor, account_code: str, channel: str, result: str,
                reason: str = "", promise_date: dt.date | None = None, note: str = "",
                at: dt.datetime | None = None) -> ContactEntry:
    """Record one contact: channel, result (承诺缴费 needs a date, 拒缴 a reason), who and when."""
    user = auth.require(session, actor, auth.PAY) if _can(session, actor, auth.PAY) else \
        auth.require(session, actor, auth.SUPERVISE)
    acc = find_account(session, account_code)
    if ":" in (result or "") and not reason:
        result, reason = result.split(":", 1)
    ch = ContactChannel(_by_name(channel, CHANNEL_NAMES, "联系方式"))
    res = ContactResult(_by_name(result, RESULT_NAMES, "联系结果"))
    at = at or utcnow()
    today = settings.business_day(session, at)
    reason_code = ""
    if res == ContactResult.PROMISED:
        if promise_date is None:
            raise InvalidInput("“承诺缴费”需要填写承诺缴费日期")
        if promise_date < today:
            raise InvalidInput(f"承诺缴费日期 {promise_date} 早于今天")
    elif promise_date is not None:
        raise InvalidInput("只有“承诺缴费”才填写承诺日期")
    if res == ContactResult.REFUSED:
        if not reason:
            raise InvalidInput("“拒缴”需要选择原因（" + "、".join(f"{k}({v})" for k, v in REASON_NAMES.items()) + "）")
        reason_code = _by_name(reason, REASON_NAMES, "拒缴原因")
    note = (note or "").strip()
    if len(note) > 500 or any(not ch_.isprintable() for ch_ in note):
        raise InvalidInput("备注过长或含有不可打印字符")
    row = ContactLog(account_id=acc.id, channel=ch, result=res, reason_code=reason_code, promise_date=promise_date,
                     note=note, user_id=user.id, business_date=today, created_at=at)
    session.add(row)
    session.flush()
    audit.record(session, actor, "contact_log", "contact_log", row.id, account=acc.code, channel=ch.value,
                 result=res.value, reason=reason_code, promise_date=promise_date)
    return ContactEntry(row.id, acc.code, CHANNEL_NAMES[ch.value], RESULT_NAMES[res.value],
                        REASON_NAMES.get(reason_code, ""), promise_date, note, user.display_name, today, at)


def _can(session: Session, actor: Actor, permission: str) -> bool:
    user = session.get(User, actor.user_id)
    return user is not None and permission in auth.PERMISSIONS[user.role]


def contact_history(session: Session, *, actor: Actor, account_code: str) -> list[ContactEntry]:
    auth.require(session, actor, auth.READ)
    acc = find_account(session, account_code)
    names = dict(session.execute(select(User.id, User.display_name)).all())
    return [ContactEntry(c.id, acc.code, CHANNEL_NAMES[c.channel.value], RESULT_NAMES[c.result.value],
                         REASON_NAMES.get(c.reason_code, ""), c.promise_date, c.note, names.get(c.user_id, ""),
                         c.business_date, c.created_at)
            for c in session.scalars(select(ContactLog).where(ContactLog.account_id == acc.id)
                                     .order_by(ContactLog.id))]


# ---- repayment plans ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PlanStatus:
    id: int
    account_id: int
    account: str
    start_date: dt.date
    total: int
    paid: int
    due_so_far: int
    instalments: list[tuple[dt.date, int]]
    cancelled: bool

    @property
    def overdue(self) -> bool:
        return not self.cancelled and self.paid < self.due_so_far

    @property
    def completed(self) -> bool:
        return self.paid >= self.total

    @property
    def status(self) -> str:
        if self.cancelled:
            return "已取消"
        if self.completed:
            return "已完成"
        return "逾期" if self.overdue else "履行中"

    def to_json(self) -> dict:
        return {"id": self.id, "account": self.account, "start": self.start_date.isoformat(),
                "total": format_yuan(self.total), "paid": format_yuan(self.paid),
                "due_so_far": format_yuan(self.due_so_far), "status": self.status, "overdue": self.overdue,
                "instalments": [{"due": d.isoformat(), "amount": format_yuan(a)} for d, a in self.instalments]}


def create_plan(session: Session, *, actor: Actor, account_code: str, instalments: list[tuple[dt.date, int]],
                note: str = "", at: dt.datetime | None = None) -> PlanStatus:
    """还款计划: instalments (date, fen) in date order; replaces nothing (cancel the old plan first)."""
    auth.require(session, actor, auth.SUPERVISE)
    acc = find_account(session, account_code)
    if not instalments:
        raise InvalidInput("还款计划至少需要一期")
    dates = [d for d, _ in instalments]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise InvalidInput("各期还款日期必须按先后顺序且不重复")
    if any(type(a) is not int or a <= 0 for _, a in instalments):
        raise InvalidInput("每期金额必须大于零")
    at = at or utcnow()
    today = settings.business_day(session, at)
    if dates[0] < today:
        raise InvalidInput(f"第一期还款日期 {dates[0]} 早于今天")
    active = [p for p in _plan_statuses(session, as_of=today, account_id=acc.id) if not p.cancelled
              and not p.completed]
    if active:
        raise InvalidInput(f"缴费户 {acc.code} 已有未完成的还款计划 #{active[0].id}，请先取消")
    plan = PaymentPromise(account_id=acc.id, start_date=today, total=sum(a for _, a in instalments),
                          note=(note or "").strip(), user_id=actor.user_id, created_at=at)
    session.add(plan)
    session.flush()
    session.execute(insert(PromiseInstalment), [dict(promise_id=plan.id, seq=i, due_date=d, amount=a)
                                                for i, (d, a) in enumerate(instalments, start=1)])
    audit.record(session, actor, "plan_create", "payment_promise", plan.id, account=acc.code, total=plan.total,
                 instalments=[(d.isoformat(), a) for d, a in instalments])
    return _plan_statuses(session, as_of=today, account_id=acc.id)[-1]


def cancel_plan(session: Session, *, actor: Actor, plan_id: int, reason: str) -> PlanStatus:
    auth.require(session, actor, auth.SUPERVISE)
    plan = session.get(PaymentPromise, plan_id)
    if plan is None:
        raise NotFound(f"找不到还款计划 #{plan_id}")
    if plan.cancelled_at is not None:
        raise InvalidInput(f"还款计划 #{plan_id} 已取消")
    if not (reason or "").strip():
        raise InvalidInput("请填写取消原因")
    plan.cancelled_at = utcnow()
    audit.record(session, actor, "plan_cancel", "payment_promise", plan.id, reason=reason.strip())
    return next(p for p in _plan_statuses(session, as_of=settings.today(session), account_id=plan.account_id)
                if p.id == plan_id)


def _plan_statuses(session: Session, *, as_of: dt.date, account_id: int | None = None) -> list[PlanStatus]:
    """Every plan (or one account's) with its instalments and money paid: three queries, however many plans."""
    mine = [PaymentPromise.account_id == account_id] if account_id is not None else []
    plans = session.execute(select(PaymentPromise, Account.code).join(Account, Account.id == PaymentPromise.account_id)
                            .where(*mine).order_by(PaymentPromise.id)).all()
    if not plans:
        return []
    instalments: dict[int, list[tuple[dt.date, int]]] = {}
    for pid, d, a in session.execute(
            select(PromiseInstalment.promise_id, PromiseInstalment.due_date, PromiseInstalment.amount)
            .join(PaymentPromise, PaymentPromise.id == PromiseInstalment.promise_id).where(*mine)
            .order_by(PromiseInstalment.promise_id, PromiseInstalment.seq)):
        instalments.setdefault(pid, []).append((d, int(a)))
    # Money allocated to the plan's account from its start date to as_of (practice payments left out).
    paid_by_plan = {pid: int(v) for pid, v in session.execute(
        select(PaymentPromise.id, func.sum(Allocation.amount))
        .join(Charge, Charge.account_id == PaymentPromise.account_id)
        .join(Allocation, Allocation.charge_id == Charge.id).join(Payment, Payment.id == Allocation.payment_id)
        .where(*mine, Payment.business_date >= PaymentPromise.start_date, Payment.business_date <= as_of,
               Payment.training.is_(False))
        .group_by(PaymentPromise.id))}
    out = []
    for plan, code in plans:
        inst = instalments.get(plan.id, [])
        paid = paid_by_plan.get(plan.id, 0)
        due = sum(a for d, a in inst if d <= as_of)
        out.append(PlanStatus(plan.id, plan.account_id, code, plan.start_date, plan.total, paid, due, inst,
                              plan.cancelled_at is not None))
    return out


def plans(session: Session, *, actor: Actor, account_code: str | None = None,
          as_of: dt.date | None = None) -> list[PlanStatus]:
    """Repayment plans with paid-so-far and the derived overdue flag."""
    auth.require(session, actor, auth.READ)
    acc_id = find_account(session, account_code).id if account_code else None
    return _plan_statuses(session, as_of=as_of or settings.today(session), account_id=acc_id)


# ---- effectiveness --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RunEffect:
    run_id: int
    business_date: dt.date
    notices: int
    total: int
    paid_7: int
    amount_7: int
    paid_30: int
    amount_30: int

    def to_json(self) -> dict:
        return {"run_id": self.run_id, "date": self.business_date.isoformat(), "notices": self.notices,
                "total": format_yuan(self.total), "paid_within_7_days": self.paid_7,
                "amount_within_7_days": format_yuan(self.amount_7), "paid_within_30_days": self.paid_30,
                "amount_within_30_days": format_yuan(self.amount_30)}


def effectiveness(session: Session, *, actor: Actor, run_id: int | None = None) -> list[RunEffect]:
    """For each run: accounts that paid and money allocated within 7 and 30 days of the run, counting
    only payments made after the run was made (a payment earlier the same day is not its effect)."""
    auth.require(session, actor, auth.READ)
    q = select(DunningRun).order_by(DunningRun.id)
    if run_id is not None:
        q = q.where(DunningRun.id == run_id)
    out = []
    for run in session.scalars(q).all():
        end = run.business_date + dt.timedelta(days=29)
        rows = session.execute(
            select(Charge.account_id, Payment.business_date, func.sum(Allocation.amount))
            .select_from(Allocation).join(Payment, Payment.id == Allocation.payment_id)
            .join(Charge, Charge.id == Allocation.charge_id)
            .where(Charge.account_id.in_(select(DunningNotice.account_id).where(DunningNotice.run_id == run.id)),
                   Payment.created_at > run.created_at, Payment.business_date <= end,
                   Payment.training.is_(False))
            .group_by(Charge.account_id, Payment.business_date)).all()
        week_end = run.business_date + dt.timedelta(days=6)
        by7: dict[int, int] = {}
        by30: dict[int, int] = {}
        for acc_id, day, amount in rows:
            by30[acc_id] = by30.get(acc_id, 0) + int(amount)
            if day <= week_end:
                by7[acc_id] = by7.get(acc_id, 0) + int(amount)
        out.append(RunEffect(run.id, run.business_date, run.notice_count, run.total,
                             sum(1 for v in by7.values() if v > 0), sum(by7.values()),
                             sum(1 for v in by30.values() if v > 0), sum(by30.values())))
    return out
