"""Reconciliation (对账): statements against FeeDesk tenders and bank deposits.

Use cases (each one transaction through `services.run`, each audited):
- `save_mapping`: a bank's or card terminal's column layout, saved once (new version = new row);
- `import_statement`: a statement file read whole by `services.statements` and checked
  (format, truncation, same file twice, overlapping dates for the channel) before one row of
  it is stored;
- `run_matching`: per channel and business day, statement lines matched to tender lines:
  first by reference (the transaction number the cashier typed, or the merchant order
  number), then, for tenders typed without a reference, by the same amount within a time
  window; a line matches at most one tender and a tender one line (unique keys); refunds
  and voids match refund lines. Matches are final (append-only);
- `resolve`: an open item settled by a supervisor, with a reason, through the existing
  corrections only: `record` (a payment with a receipt for money that arrived),
  `reverse` (void/refund with approval of a tender that never arrived), `charge_cashier`
  (the cashier owes it, with approval), `explain` (approved explanation, nothing posted).

Reads: `day_view` (matched, the three kinds of open items, fees; a channel-day is
"reconciled" when a statement covers it, it was run and nothing is open), `unreconciled`
(days and channels not reconciled, for the day report and the month close) and
`month_report` (the month's days and the 银行存款余额调节表).

Callers must not write the reconciliation tables themselves, and nothing here edits a
tender, a payment or a statement line.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from app.errors import ApprovalRequired, InvalidInput, NotFound, PermissionDenied
from app.models import (
    BankDeposit,
    Payment,
    PaymentKind,
    Posting,
    ReconMatch,
    ReconResolution,
    ReconRun,
    Shift,
    ShiftStatus,
    Statement,
    StatementLine,
    StatementMapping,
    Tender,
    TenderLine,
    User,
)
from app.money import format_yuan
from app.services import Actor
from app.services.bank.statements import (
    BUILTIN_MAPPINGS,
    CHANNEL_TENDER,
    CHANNELS,
    StatementRefused,
    check_mapping,
    parse,
)
from app.services.clock import local_time, month_end, parse_period, period_start, utcnow
from app.services.desk import cashdesk
from app.services.journal import audit, concurrency, ledger
from app.services.system import auth, settings

cashdesk.ACTION_NAMES.setdefault("reconcile", "对账处理")

#: minutes either side of a tender's time in which an amount match is accepted (providers, card)
WINDOW_MINUTES = 10
#: days after a bank deposit or transfer in which the bank's credit is accepted
BANK_WINDOW_DAYS = 3
#: what a provider's settlement credit says on a bank statement (counterparty or 摘要, upper-cased)
SETTLEMENT_NAMES = {"wechat": ("财付通", "微信", "TENPAY", "WECHAT"), "alipay": ("支付宝", "ALIPAY"),
                    "card": ("银联", "银商", "UNIONPAY", "收单")}

ITEM_NAMES = {"missing_on_statement": "FeeDesk 有、对账单没有", "missing_in_feedesk": "对账单有、FeeDesk 没有",
              "difference": "金额不符"}
ACTION_NAMES = {"record": "补录收款", "reverse": "冲销（作废/退费）", "charge_cashier": "计收费员短款",
                "explain": "说明（经审批）"}


def _channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise InvalidInput(f"未知的对账渠道“{channel}”（可选：wechat、alipay、bank、card）")
    return channel


#: Second key of the advisory lock of a channel's reconciliation (PostgreSQL); business days use
#: day numbers (services.concurrency._day_key), far below these.
_CHANNEL_LOCK = {"wechat": -1401, "alipay": -1402, "bank": -1403, "card": -1404}


def _lock_channel(session: Session, channel: str) -> None:
    """One reconciliation writer per channel at a time on a shared ledger (SQLite: BEGIN IMMEDIATE
    already serialises writers): two supervisors importing, matching or resolving at once wait for
    each other instead of one failing on a unique key."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"),
                        {"ns": concurrency.ADVISORY_NAMESPACE, "key": _CHANNEL_LOCK[channel]})


def _norm(ref: str) -> str:
    return "".join((ref or "").split()).upper()


# ---- mappings ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MappingInfo:
    name: str
    channel: str
    columns: dict
    builtin: bool

    def to_json(self) -> dict:
        return {"name": self.name, "channel": self.channel, "columns": self.columns, "builtin": self.builtin}


def find_mapping(session: Session, name: str) -> MappingInfo:
    row = session.scalars(select(StatementMapping).where(StatementMapping.name == name)
                          .order_by(StatementMapping.id.desc()).limit(1)).first()
    if row is not None:
        return MappingInfo(row.name, row.channel, json.loads(row.columns_json), False)
    if name in BUILTIN_MAPPINGS:
        m = BUILTIN_MAPPINGS[name]
        return MappingInfo(name, m["channel"], dict(m["columns"]), True)
    raise NotFound(f"没有名为“{name}”的列映射（内置：{'、'.join(BUILTIN_MAPPINGS)}）")


def save_mapping(session: Session, *, actor: Actor, name: str, channel: str, columns: dict,
                 at: dt.datetime | None = None) -> MappingInfo:
    user = auth.require(session, actor, auth.SUPERVISE)
    name = (name or "").strip()
    if not name or len(name) > 40 or not name.isprintable():
        raise InvalidInput("请填写列映射名称（不超过 40 个字符）")
    if name in BUILTIN_MAPPINGS:
        raise InvalidInput(f"“{name}”是内置列映射的名称，请另取一个名称")
    cols = check_mapping(_channel(channel), columns)
    row = StatementMapping(name=name, channel=channel, columns_json=json.dumps(cols, ensure_ascii=False),
                           user_id=user.id, created_at=at or utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor, "recon_mapping", "statement_mapping", row.id, name=name, channel=channel,
                 columns=cols)
    return MappingInfo(name, channel, cols, False)


def list_mappings(session: Session, *, actor: Actor) -> list[MappingInfo]:
    auth.require(session, actor, auth.READ)
    names = list(session.scalars(select(StatementMapping.name).distinct()))
    return [find_mapping(session, n) for n in list(BUILTIN_MAPPINGS) + sorted(set(names) - set(BUILTIN_MAPPINGS))]


# ---- import --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Imported:
    statement_id: int
    channel: str
    file_name: str
    first_date: dt.date
    last_date: dt.date
    lines: int
    total_in: int
    total_out: int
    total_fee: int

    def to_json(self) -> dict:
        return {"statement_id": self.statement_id, "channel": self.channel, "file": self.file_name,
                "from": self.first_date.isoformat(), "to": self.last_date.isoformat(), "lines": self.lines,
                "total_in": format_yuan(self.total_in), "total_out": format_yuan(self.total_out),
                "fees": format_yuan(self.total_fee)}


_INSERT_LINES = insert(StatementLine.__table__)


def import_statement(session: Session, *, actor: Actor, channel: str, path: str | None = None,
                     data: bytes | None = None, file_name: str = "", mapping: str | None = None,
                     at: dt.datetime | None = None) -> Imported:
    """Read, check and store one statement file; nothing of it is stored if any check fails."""
    user = auth.require(session, actor, auth.SUPERVISE)
    channel = _channel(channel)
    _lock_channel(session, channel)
    if data is None:
        if not path:
            raise InvalidInput("请选择对账单文件")
        p = Path(path)
        if not p.is_file():
            raise NotFound(f"找不到文件：{path}")
        data = p.read_bytes()
        file_name = file_name or p.name
    file_name = (file_name or "statement")[-200:]
    columns = None
    mapping_name = ""
    if channel in ("bank", "card"):
        mapping_name = mapping or ("generic" if channel == "bank" else "card-generic")
        info = find_mapping(session, mapping_name)
        if info.channel != channel:
            raise InvalidInput(f"列映射“{mapping_name}”用于{CHANNELS[info.channel]}，不能用于{CHANNELS[channel]}")
        columns = info.columns
    elif mapping:
        raise InvalidInput("微信和支付宝对账单按官方格式读取，不需要列映射")
    parsed = parse(data, channel=channel, tz=settings.get(session, "timezone"), mapping=columns,
                   file_name=file_name)
    digest = hashlib.sha256(data).hexdigest()
    same = session.scalars(select(Statement).where(Statement.content_hash == digest)).first()
    if same is not None:
        when = local_time(same.created_at, settings.get(session, "timezone"))
        raise StatementRefused(f"该文件已于 {when:%Y-%m-%d %H:%M} 导入过（对账单 #{same.id}，"
                               f"{same.file_name}），不能重复导入")
    overlap = session.scalars(select(Statement).where(
        Statement.channel == channel, Statement.mapping_name == mapping_name,
        Statement.first_date <= parsed.last_date, Statement.last_date >= parsed.first_date)).first()
    if overlap is not None:
        raise StatementRefused(f"{CHANNELS[channel]}对账单 #{overlap.id}（{overlap.file_name}）已包含 "
                               f"{overlap.first_date} 至 {overlap.last_date}，与本文件的 {parsed.first_date} 至 "
                               f"{parsed.last_date} 重叠，不能重复导入")
    row = Statement(channel=channel, mapping_name=mapping_name, file_name=file_name, content_hash=digest,
                    first_date=parsed.first_date, last_date=parsed.last_date, line_count=len(parsed.lines),
                    total_in=parsed.total_in, total_out=parsed.total_out, total_fee=parsed.total_fee,
                    opening_balance=parsed.opening_balance, closing_balance=parsed.closing_balance,
                    summary_json=json.dumps(parsed.summary, ensure_ascii=False, default=str), user_id=user.id,
                    created_at=at or utcnow())
    session.add(row)
    session.flush()
    session.execute(_INSERT_LINES, [dict(
        statement_id=row.id, channel=channel, line_no=ln.line_no, kind=ln.kind, business_date=ln.business_date,
        occurred_at=ln.occurred_at, amount=ln.amount, fee=ln.fee, reference=ln.reference[:80],
        merchant_ref=ln.merchant_ref[:120], refund_ref=ln.refund_ref[:120], counterparty=ln.counterparty[:120],
        raw_json=json.dumps(ln.raw, ensure_ascii=False)) for ln in parsed.lines])
    audit.record(session, actor, "recon_import", "statement", row.id, channel=channel, file=file_name,
                 sha256=digest, first=parsed.first_date, last=parsed.last_date, lines=len(parsed.lines),
                 total_in=parsed.total_in, total_out=parsed.total_out, fees=parsed.total_fee)
    return Imported(row.id, channel, file_name, parsed.first_date, parsed.last_date, len(parsed.lines),
                    parsed.total_in, parsed.total_out, parsed.total_fee)


# ---- matching (pure) -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Candidate:
    """A FeeDesk side item: a tender line (`tender:ID`) or a bank deposit (`deposit:ID`)."""

    key: str
    amount: int
    refs: tuple[str, ...]
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class LineRef:
    id: int
    amount: int
    refs: tuple[str, ...]
    at: dt.datetime
    text: str = ""  # free text (bank 摘要) searched for a deposit's slip number


def match(cands: list[Candidate], lines: list[LineRef], window: dt.timedelta) -> list[tuple[str, int, str]]:
    """(candidate key, line id, rule) pairs; each line and each candidate used at most once.

    1. reference: a candidate's reference equals a line's provider or merchant reference (or,
       for bank deposits, appears in the line's free text), with the same direction (money in
       with money in, a refund or void with a refund line);
    2. amount_time: a candidate without a reference takes the unused line of exactly the same
       amount closest in time within `window`.
    """
    used: set[int] = set()
    out: list[tuple[str, int, str]] = []
    by_ref: dict[str, list[LineRef]] = {}
    for ln in lines:
        for r in ln.refs:
            if r:
                by_ref.setdefault(r, []).append(ln)
    rest: list[Candidate] = []
    for c in cands:
        found = None
        for r in c.refs:
            for ln in by_ref.get(r, ()):
                if ln.id not in used and (ln.amount > 0) == (c.amount > 0):
                    found = ln
                    break
            if found is None and r and c.key.startswith("deposit:"):
                found = next((ln for ln in lines if ln.id not in used and ln.amount > 0 and r in ln.text), None)
            if found is not None:
                break
        if found is not None:
            used.add(found.id)
            out.append((c.key, found.id, "reference"))
        elif not any(c.refs):
            rest.append(c)
    by_amount: dict[int, list[LineRef]] = {}
    for ln in lines:
        by_amount.setdefault(ln.amount, []).append(ln)
    for group in by_amount.values():
        group.sort(key=lambda ln: ln.at)
    for c in sorted(rest, key=lambda c: c.at):
        group = by_amount.get(c.amount)
        if not group:
            continue
        times = [ln.at for ln in group]
        i = bisect.bisect_left(times, c.at - window)
        best = None
        while i < len(group) and group[i].at <= c.at + window:
            ln = group[i]
            if ln.id not in used and (best is None or abs(ln.at - c.at) < abs(best.at - c.at)):
                best = ln
            i += 1
        if best is not None:
            used.add(best.id)
            out.append((c.key, best.id, "amount_time"))
    return out


def match_settlements(cands: list[tuple[str, int, dt.date]], lines: list[tuple[int, int, dt.date, str]],
                      days: int = BANK_WINDOW_DAYS) -> list[tuple[str, int, str]]:
    """(settlement key, line id, rule) pairs: a provider's settlement of a channel-day
    (`settle:CHANNEL:DATE`, its net: lines minus fees) and the bank credit of exactly that amount,
    dated from that day to `days` after, whose counterparty or 摘要 names the provider
    (SETTLEMENT_NAMES). Each line is used once, the earliest first; rule `settle_<channel>`."""
    used: set[int] = set()
    out: list[tuple[str, int, str]] = []
    lines = sorted(lines, key=lambda ln: (ln[2], ln[0]))
    for key, amount, day in sorted(cands, key=lambda c: (c[2], c[0])):
        channel = key.split(":")[1]
        for lid, value, when, memo in lines:
            if (lid not in used and value == amount and day <= when <= day + dt.timedelta(days=days)
                    and any(name in memo.upper() for name in SETTLEMENT_NAMES[channel])):
                used.add(lid)
                out.append((key, lid, f"settle_{channel}"))
                break
    return out


# ---- the two sides of a channel-day -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FeeDeskItem:
    key: str  # tender:ID | deposit:ID
    id: int
    kind: str  # payment | void | refund | deposit
    amount: int
    reference: str
    at: dt.datetime
    business_date: dt.date
    receipt_no: str
    account_code: str
    cashier: str
    payment_id: int | None


def _feedesk_items(session: Session, channel: str, first: dt.date, last: dt.date) -> list[FeeDeskItem]:
    from app.models import Account

    method = Tender(CHANNEL_TENDER[channel])
    users = dict(session.execute(select(User.id, User.username)).all())
    rows = session.execute(
        select(TenderLine.id, TenderLine.amount, TenderLine.reference, Payment.id, Payment.kind, Payment.created_at,
               Payment.business_date, Payment.receipt_no, Payment.user_id, Payment.reverses_payment_id,
               Account.code)
        .join(Payment, Payment.id == TenderLine.payment_id).outerjoin(Account, Account.id == Payment.account_id)
        .where(Payment.business_date >= first, Payment.business_date <= last, Payment.training.is_(False),
               TenderLine.method == method,
               # the void or refund a resolution made is the resolution itself, not a new item to reconcile
               Payment.id.not_in(select(ReconResolution.payment_id).where(ReconResolution.action == "reverse",
                                                                          ReconResolution.payment_id.is_not(None))))
        .order_by(Payment.created_at, TenderLine.id)).all()
    # A void or refund carries the original payment's reference when it has none of its own.
    originals = {r[9] for r in rows if r[9] is not None and not r[2]}
    orig_refs: dict[int, str] = {}
    if originals:
        for pid, ref in session.execute(select(TenderLine.payment_id, TenderLine.reference).where(
                TenderLine.payment_id.in_(originals), TenderLine.method == method, TenderLine.reference != "")):
            orig_refs.setdefault(pid, ref)
    out = [FeeDeskItem(f"tender:{tid}", tid, kind.value, int(amount), ref or orig_refs.get(rev, ""), created,
                       bday, receipt or "", code or "", users.get(uid, ""), pid)
           for tid, amount, ref, pid, kind, created, bday, receipt, uid, rev, code in rows]
    if channel == "bank":
        for d in session.scalars(select(BankDeposit).where(BankDeposit.business_date >= first,
                                                           BankDeposit.business_date <= last)
                                 .order_by(BankDeposit.id)):
            out.append(FeeDeskItem(f"deposit:{d.id}", d.id, "deposit", d.amount, d.slip_no, d.created_at,
                                   d.business_date, "", "", users.get(d.user_id, ""), None))
        out += _settlements(session, first, last)
    return out


def _settlements(session: Session, first: dt.date, last: dt.date) -> list[FeeDeskItem]:
    """What the bank should receive from the providers: per provider channel-day with statement
    lines, its net (lines minus fees, as the provider pays it out). Keyed `settle:CHANNEL:DATE`."""
    rows = session.execute(
        select(StatementLine.channel, StatementLine.business_date,
               func.sum(StatementLine.amount - StatementLine.fee), func.min(StatementLine.occurred_at))
        .where(StatementLine.channel.in_(list(SETTLEMENT_NAMES)), StatementLine.kind != "revoked",
               StatementLine.business_date >= first, StatementLine.business_date <= last)
        .group_by(StatementLine.channel, StatementLine.business_date)
        .order_by(StatementLine.business_date, StatementLine.channel))
    return [FeeDeskItem(f"settle:{ch}:{day.isoformat()}", 0, "settlement", int(net), "", when, day, "", "", "",
                        None) for ch, day, net, when in rows if net > 0]


# Core rows (attribute access like the ORM objects): a month holds thousands of lines and matches.
_LINE = StatementLine.__table__
_MATCH = ReconMatch.__table__


def _statement_lines(session: Session, channel: str, first: dt.date, last: dt.date) -> list:
    return list(session.execute(select(*_LINE.c).where(
        StatementLine.channel == channel, StatementLine.business_date >= first, StatementLine.business_date <= last,
        StatementLine.kind != "revoked").order_by(StatementLine.occurred_at, StatementLine.id)))


def _matched_keys(session: Session, items: list[FeeDeskItem]) -> dict[str, ReconMatch]:
    tids = [i.id for i in items if i.key.startswith("tender:")]
    dids = [i.id for i in items if i.key.startswith("deposit:")]
    out: dict[str, ReconMatch] = {}
    for chunk in (tids[i:i + 900] for i in range(0, len(tids), 900)):
        for m in session.execute(select(*_MATCH.c).where(ReconMatch.tender_line_id.in_(chunk))):
            out[f"tender:{m.tender_line_id}"] = m
    if dids:
        for m in session.execute(select(*_MATCH.c).where(ReconMatch.bank_deposit_id.in_(dids))):
            out[f"deposit:{m.bank_deposit_id}"] = m
    days = [i.business_date for i in items if i.kind == "settlement"]
    if days:
        for m in session.execute(select(*_MATCH.c).where(
                ReconMatch.rule.in_([f"settle_{c}" for c in SETTLEMENT_NAMES]),
                ReconMatch.business_date >= min(days), ReconMatch.business_date <= max(days))):
            out[f"settle:{m.rule[7:]}:{m.business_date.isoformat()}"] = m
    return out


def _matched_lines(session: Session, line_ids: list[int]) -> dict[int, ReconMatch]:
    out: dict[int, ReconMatch] = {}
    for chunk in (line_ids[i:i + 900] for i in range(0, len(line_ids), 900)):
        for m in session.execute(select(*_MATCH.c).where(ReconMatch.statement_line_id.in_(chunk))):
            out[m.statement_line_id] = m
    return out


# ---- run -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RunResult:
    channel: str
    business_date: dt.date
    new_matches: int
    by_reference: int
    by_amount_time: int
    open_items: int

    def to_json(self) -> dict:
        return {"channel": self.channel, "date": self.business_date.isoformat(), "new_matches": self.new_matches,
                "by_reference": self.by_reference, "by_amount_time": self.by_amount_time,
                "open_items": self.open_items}


def _window(channel: str) -> dt.timedelta:
    return dt.timedelta(days=BANK_WINDOW_DAYS) if channel == "bank" else dt.timedelta(minutes=WINDOW_MINUTES)


def _line_ref(ln: StatementLine) -> LineRef:
    refs = tuple(r for r in {_norm(ln.reference), _norm(ln.merchant_ref), *map(_norm, ln.refund_ref.split())} if r)
    at = ln.occurred_at
    return LineRef(ln.id, ln.amount, refs, at, f"{ln.merchant_ref} {ln.reference} {ln.counterparty}")


def run_matching(session: Session, *, actor: Actor, day: dt.date, channel: str | None = None,
                 last: dt.date | None = None, at: dt.datetime | None = None) -> list[RunResult]:
    """Match every channel (or one) for `day` (through `last`, for a month at once)."""
    user = auth.require(session, actor, auth.SUPERVISE)
    channels = [_channel(channel)] if channel else list(CHANNELS)
    last = last or day
    if last < day:
        raise InvalidInput("结束日期不能早于开始日期")
    if (last - day).days > 62:
        raise InvalidInput("一次最多对账 62 天")
    at = at or utcnow()
    final: list[RunResult] = []
    for ch in channels:
        _lock_channel(session, ch)
        margin = dt.timedelta(days=BANK_WINDOW_DAYS if ch == "bank" else 1)
        items = _feedesk_items(session, ch, day, last)
        done = _matched_keys(session, items)
        lines = _statement_lines(session, ch, day - margin, last + margin)
        taken = _matched_lines(session, [ln.id for ln in lines])
        res = _resolutions(session, ch, day - margin, last + margin)
        free_lines = [ln for ln in lines if ln.id not in taken]
        free_items = [i for i in items if i.key not in done and i.key not in res]
        # a provider's settlement credit first: a transfer typed without reference must not take it
        pairs = match_settlements(
            [(i.key, i.amount, i.business_date) for i in free_items if i.kind == "settlement"],
            [(ln.id, ln.amount, ln.business_date, _line_ref(ln).text) for ln in free_lines])
        settled = {lid for _, lid, _ in pairs}
        pairs += match([Candidate(i.key, i.amount, (_norm(i.reference),) if i.reference else (), i.at)
                        for i in free_items if i.kind != "settlement"],
                       [_line_ref(ln) for ln in free_lines if ln.id not in settled], _window(ch))
        by_key = {i.key: i for i in free_items}
        by_line = {ln.id: ln for ln in free_lines}
        new_keys = {key: lid for key, lid, _ in pairs}
        used_lines = {lid for _, lid, _ in pairs}
        statements = list(session.execute(select(Statement.first_date, Statement.last_date).where(
            Statement.channel == ch, Statement.first_date <= last, Statement.last_date >= day)))
        per_day: dict[dt.date, list] = {}
        for key, lid, rule in pairs:
            per_day.setdefault(by_key[key].business_date, []).append((key, lid, rule))
        # what stays open per day, from what is in hand (the same rules as `_views`)
        open_count: dict[dt.date, int] = {}
        for i in items:
            m = done.get(i.key)
            if m is not None:
                bad = m.difference != 0 and f"match:{m.id}" not in res
            elif i.key in new_keys:
                bad = i.amount != by_line[new_keys[i.key]].amount
            else:  # a settlement not (yet) on the bank statement is in transit, not an exception
                bad = (i.key not in res and i.kind != "settlement"
                       and any(a <= i.business_date <= b for a, b in statements))
            open_count[i.business_date] = open_count.get(i.business_date, 0) + bad
        for ln in lines:
            if ln.id not in taken and ln.id not in used_lines and f"line:{ln.id}" not in res:
                open_count[ln.business_date] = open_count.get(ln.business_date, 0) + 1
        for d in _days(day, last):
            mine = per_day.get(d, [])
            result = RunResult(ch, d, len(mine), sum(1 for m in mine if m[2] == "reference"),
                               sum(1 for m in mine if m[2] == "amount_time"), open_count.get(d, 0))
            run_id = session.execute(insert(ReconRun).returning(ReconRun.id), dict(
                channel=ch, business_date=d, matched=len(mine), result_json=json.dumps(result.to_json()),
                user_id=user.id, created_at=at)).scalar_one()
            if mine:
                session.execute(insert(_MATCH), [dict(
                    statement_line_id=lid, tender_line_id=int(key[7:]) if key.startswith("tender:") else None,
                    bank_deposit_id=int(key[8:]) if key.startswith("deposit:") else None, channel=ch,
                    business_date=d, rule=rule, difference=by_key[key].amount - by_line[lid].amount,
                    run_id=run_id, created_at=at) for key, lid, rule in mine])
            final.append(result)
            if result.new_matches or result.open_items:
                audit.record(session, actor, "recon_run", "recon", f"{ch}:{d}", **result.to_json())
    if not any(r.new_matches or r.open_items for r in final):
        audit.record(session, actor, "recon_run", "recon", f"{channel or '*'}:{day}", channels=channels,
                     to=last, new_matches=0)
    return final


def _resolutions(session: Session, channel: str, first: dt.date, last: dt.date) -> set[str]:
    """Keys (tender:, deposit:, line:, match:) resolved for a channel in a date range."""
    out: set[str] = set()
    for t, d, ln, m in session.execute(select(
            ReconResolution.tender_line_id, ReconResolution.bank_deposit_id, ReconResolution.statement_line_id,
            ReconResolution.match_id).where(ReconResolution.channel == channel, ReconResolution.business_date >= first,
                                            ReconResolution.business_date <= last)):
        out.update(k for k in (t and f"tender:{t}", d and f"deposit:{d}", ln and f"line:{ln}", m and f"match:{m}") if k)
    return out


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# ---- the view of a channel-day ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OpenItem:
    """One exception: `item` (missing_on_statement | missing_in_feedesk | difference) and the id
    to resolve it by (tender:ID, deposit:ID, line:ID or match:ID)."""

    item: str
    key: str
    channel: str
    business_date: dt.date
    amount: int  # the FeeDesk amount, the statement amount, or the difference
    reference: str
    detail: str


@dataclass(frozen=True, slots=True)
class MatchedLine:
    key: str
    line_id: int
    rule: str
    amount: int
    statement_amount: int
    fee: int
    reference: str
    detail: str
    resolved: str = ""


@dataclass(frozen=True, slots=True)
class ResolvedItem:
    id: int
    item: str
    action: str
    amount: int
    reason: str
    by: str
    approver: str
    receipt_no: str


@dataclass(frozen=True, slots=True)
class ChannelDay:
    channel: str
    business_date: dt.date
    covered: bool  # a statement of this channel covers the day
    run: bool  # matching was run for the day
    feedesk_total: int
    statement_total: int
    fees: int
    matched: list[MatchedLine] = field(default_factory=list)
    open_items: list[OpenItem] = field(default_factory=list)
    resolved: list[ResolvedItem] = field(default_factory=list)
    #: bank: providers' settlements of the day not (yet) on the bank statement (item `in_transit`):
    #: shown and counted in the 银行存款余额调节表, not an exception (the provider's own statement is)
    in_transit: list[OpenItem] = field(default_factory=list)

    @property
    def status(self) -> str:
        """reconciled | open | not_run | no_statement | nothing (no money either side)."""
        if not self.feedesk_total and not self.statement_total and not self.matched and not self.open_items \
                and not self.covered:
            return "nothing"
        if not self.covered:
            return "no_statement"
        if not self.run:
            return "not_run"
        return "open" if self.open_items else "reconciled"

    def to_json(self) -> dict:
        return {"channel": self.channel, "date": self.business_date.isoformat(), "status": self.status,
                "feedesk_total": format_yuan(self.feedesk_total), "statement_total": format_yuan(self.statement_total),
                "fees": format_yuan(self.fees), "matched": len(self.matched),
                "open_items": [{"item": o.item, "key": o.key, "amount": format_yuan(o.amount),
                                "reference": o.reference, "detail": o.detail} for o in self.open_items],
                "in_transit": [{"key": o.key, "amount": format_yuan(o.amount), "detail": o.detail}
                               for o in self.in_transit],
                "resolved": [{"id": r.id, "item": r.item, "action": r.action, "amount": format_yuan(r.amount),
                              "reason": r.reason, "by": r.by, "approver": r.approver, "receipt_no": r.receipt_no}
                             for r in self.resolved]}


STATUS_NAMES = {"reconciled": "已对平", "open": "有未处理差异", "not_run": "未对账", "no_statement": "缺对账单",
                "nothing": "无交易"}


def _views(session: Session, channels: list[str], first: dt.date, last: dt.date) -> list[ChannelDay]:
    out = []
    users = dict(session.execute(select(User.id, User.username)).all())
    tz = settings.get(session, "timezone")
    for ch in channels:
        items = _feedesk_items(session, ch, first, last)
        lines = _statement_lines(session, ch, first - dt.timedelta(days=BANK_WINDOW_DAYS),
                                 last + dt.timedelta(days=BANK_WINDOW_DAYS))
        by_key = _matched_keys(session, items)
        line_match = _matched_lines(session, [ln.id for ln in lines])
        # matches whose FeeDesk side is outside the range still claim their lines
        statements = list(session.scalars(select(Statement).where(
            Statement.channel == ch, Statement.first_date <= last, Statement.last_date >= first)))
        runs = set(session.scalars(select(ReconRun.business_date).where(
            ReconRun.channel == ch, ReconRun.business_date >= first, ReconRun.business_date <= last).distinct()))
        res_rows = list(session.scalars(select(ReconResolution).where(
            ReconResolution.channel == ch, ReconResolution.business_date >= first,
            ReconResolution.business_date <= last)))
        res_keys = set()
        for r in res_rows:
            if r.tender_line_id is not None:
                res_keys.add(f"tender:{r.tender_line_id}")
            if r.bank_deposit_id is not None:
                res_keys.add(f"deposit:{r.bank_deposit_id}")
            if r.statement_line_id is not None:
                res_keys.add(f"line:{r.statement_line_id}")
            if r.match_id is not None:
                res_keys.add(f"match:{r.match_id}")
        # resolutions of items dated outside the range but touching these lines
        line_ids = [ln.id for ln in lines]
        for chunk in (line_ids[i:i + 900] for i in range(0, len(line_ids), 900)):
            for lid in session.scalars(select(ReconResolution.statement_line_id).where(
                    ReconResolution.statement_line_id.in_(chunk))):
                res_keys.add(f"line:{lid}")
        line_by_id = {ln.id: ln for ln in lines}
        receipts = {}
        pids = [r.payment_id for r in res_rows if r.payment_id]
        if pids:
            receipts = dict(session.execute(select(Payment.id, Payment.receipt_no).where(Payment.id.in_(pids))).all())
        approvers = {}
        from app.models import Approval

        aids = [r.approval_id for r in res_rows if r.approval_id]
        if aids:
            approvers = {a.id: users.get(a.approver_id, "") for a in
                         session.scalars(select(Approval).where(Approval.id.in_(aids)))}
        items_by_day: dict[dt.date, list[FeeDeskItem]] = {}
        for i in items:
            items_by_day.setdefault(i.business_date, []).append(i)
        lines_by_day: dict[dt.date, list] = {}
        for ln in lines:
            lines_by_day.setdefault(ln.business_date, []).append(ln)
        for d in _days(first, last):
            covered = any(s.first_date <= d <= s.last_date for s in statements)
            day_items = items_by_day.get(d, [])
            day_lines = lines_by_day.get(d, [])
            matched, open_items, in_transit = [], [], []
            for i in day_items:
                m = by_key.get(i.key)
                desc = _item_desc(i)
                if m is not None:
                    ln = line_by_id.get(m.statement_line_id) or session.get(StatementLine, m.statement_line_id)
                    mk = f"match:{m.id}"
                    matched.append(MatchedLine(i.key, ln.id, m.rule, i.amount, ln.amount, ln.fee, ln.reference, desc,
                                               "已处理" if mk in res_keys else ""))
                    if m.difference and mk not in res_keys:
                        open_items.append(OpenItem("difference", mk, ch, d, m.difference, ln.reference,
                                                   f"{desc}：FeeDesk {format_yuan(i.amount)}，对账单 "
                                                   f"{format_yuan(ln.amount)}（第 {ln.line_no} 行）"))
                elif i.kind == "settlement":
                    in_transit.append(OpenItem("in_transit", i.key, ch, d, i.amount, "", f"{desc} 尚未到账"))
                elif i.key not in res_keys and covered:
                    open_items.append(OpenItem("missing_on_statement", i.key, ch, d, i.amount, i.reference,
                                               f"{desc}：{_kind_name(i.kind)} {format_yuan(i.amount)} 不在对账单上"))
            for ln in day_lines:
                if ln.id in line_match or f"line:{ln.id}" in res_keys:
                    continue
                open_items.append(
                    OpenItem(
                        "missing_in_feedesk",
                        f"line:{ln.id}",
                        ch,
                        d,
                        ln.amount,
                        ln.reference,
                        f"对账单第 {ln.line_no} 行 {_hm(local_time(ln.occurred_at, tz))}{_line_kind(ln)} "
                        f"{format_yuan(ln.amount)} {ln.merchant_ref} {ln.counterparty}".strip(),
                    )
                )
            day_res = [ResolvedItem(r.id, r.item, r.action, r.amount, r.reason, users.get(r.user_id, ""),
                                    approvers.get(r.approval_id, ""), receipts.get(r.payment_id, "") or "")
                       for r in res_rows if r.business_date == d]
            out.append(ChannelDay(ch, d, covered, d in runs, sum(i.amount for i in day_items),
                                  sum(ln.amount for ln in day_lines), sum(ln.fee for ln in day_lines), matched,
                                  open_items, day_res, in_transit))
    return out


def _item_desc(i: FeeDeskItem) -> str:
    if i.kind == "settlement":
        channel = i.key.split(":")[1]
        return f"{CHANNELS[channel]} {i.business_date} 结算净额（已扣手续费）"
    return f"{i.receipt_no or '解款'} {i.account_code} {i.cashier}".strip()


def _hm(local: dt.datetime) -> str:
    """'09:20 ' of a provider's line; nothing for a bank line that has only a date."""
    return "" if local.time() == dt.time() else f"{local:%H:%M} "


def _kind_name(kind: str) -> str:
    return {"payment": "收款", "void": "作废", "refund": "退费", "deposit": "解款"}.get(kind, kind)


def _line_kind(ln: StatementLine) -> str:
    return {"payment": "收款", "refund": "退款", "credit": "收入", "debit": "支出"}.get(ln.kind, ln.kind)


def day_view(session: Session, *, actor: Actor, day: dt.date, channel: str | None = None) -> list[ChannelDay]:
    auth.require(session, actor, auth.READ)
    channels = [_channel(channel)] if channel else list(CHANNELS)
    return _views(session, channels, day, day)


def unreconciled(session: Session, first: dt.date, last: dt.date) -> list[tuple[dt.date, str, str, int]]:
    """(day, channel, status, open items) of every channel-day with money that is not reconciled."""
    return [(c.business_date, c.channel, c.status, c.open_items)
            for c in _statuses(session, first, last) if c.status not in ("reconciled", "nothing")]


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """Where a channel-day stands, for the day report, the month report and the month close."""

    business_date: dt.date
    channel: str
    status: str  # ChannelDay.status
    open_items: int
    feedesk_total: int
    statement_total: int
    fees: int  # the provider's fees (手续费) of the day: shown apart, never part of a difference

    @property
    def label(self) -> str:
        """'已对平', '有未处理差异（3 项）', '缺对账单' ..."""
        return STATUS_NAMES[self.status] + (f"（{self.open_items} 项）" if self.open_items else "")

    def to_json(self) -> dict:
        return {"date": self.business_date.isoformat(), "channel": self.channel, "status": self.status,
                "open_items": self.open_items, "feedesk_total": format_yuan(self.feedesk_total),
                "statement_total": format_yuan(self.statement_total), "fees": format_yuan(self.fees)}


def _statuses(session: Session, first: dt.date, last: dt.date) -> list[ChannelStatus]:
    return [ChannelStatus(v.business_date, v.channel, v.status, len(v.open_items), v.feedesk_total,
                          v.statement_total, v.fees) for v in _views(session, list(CHANNELS), first, last)]


def day_status(session: Session, day: dt.date) -> list[ChannelStatus]:
    """Every channel of a day, reconciled or not (the day report's 对账 table). The caller has
    checked the reader's permission (a report's own read function)."""
    return _statuses(session, day, day)


def unreconciled_days(session: Session, month: str) -> list[ChannelStatus]:
    """The month's channel-days with money that are not reconciled (open items, matching not
    run, no statement imported), by day then channel: the month report and the month close
    preview list them. The caller has checked the reader's permission."""
    first = period_start(parse_period(month))
    return [c for c in _statuses(session, first, month_end(first))
            if c.status not in ("reconciled", "nothing")]


# ---- resolve ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Resolved:
    resolution_id: int
    item: str
    action: str
    amount: int
    receipt_no: str
    approved_by: str

    def to_json(self) -> dict:
        return {"resolution_id": self.resolution_id, "item": self.item, "action": self.action,
                "amount": format_yuan(self.amount), "receipt_no": self.receipt_no or None,
                "approved_by": self.approved_by or None}


def _parse_key(key: str) -> tuple[str, int]:
    kind, _, num = (key or "").strip().partition(":")
    if kind not in ("tender", "deposit", "line", "match") or not num.isdigit():
        raise InvalidInput(f"待处理项编号不正确：“{key}”（例：line:12、tender:34、deposit:5、match:7）")
    return kind, int(num)


def _open_item(session: Session, key: str) -> OpenItem:
    kind, num = _parse_key(key)
    if kind == "tender":
        tl = session.get(TenderLine, num)
        pay = session.get(Payment, tl.payment_id) if tl else None
        if pay is None or pay.training or tl.method.value not in CHANNEL_TENDER.values():
            raise NotFound(f"找不到待对账的收款 {key}")
        ch = next(c for c, t in CHANNEL_TENDER.items() if t == tl.method.value)
        day = pay.business_date
    elif kind == "deposit":
        dep = session.get(BankDeposit, num)
        if dep is None:
            raise NotFound(f"找不到解款 {key}")
        ch, day = "bank", dep.business_date
    elif kind == "line":
        ln = session.get(StatementLine, num)
        if ln is None:
            raise NotFound(f"找不到对账单明细 {key}")
        ch, day = ln.channel, ln.business_date
    else:
        m = session.get(ReconMatch, num)
        if m is None:
            raise NotFound(f"找不到对账匹配 {key}")
        ch, day = m.channel, m.business_date
    for v in _views(session, [ch], day, day):
        for o in v.open_items:
            if o.key == f"{kind}:{num}":
                return o
    raise InvalidInput(f"{key} 不是待处理项（已匹配、已处理，或该日尚无对账单）")


def resolve(session: Session, *, actor: Actor, key: str, action: str, reason: str, account_code: str | None = None,
            approver: str | None = None, approver_password: str | None = None,
            at: dt.datetime | None = None) -> Resolved:
    """Settle one open item through an existing correction; the item itself is never edited."""
    user = auth.require(session, actor, auth.SUPERVISE)
    if auth.APPROVE not in auth.PERMISSIONS[user.role]:
        raise PermissionDenied("只有主管可以处理对账差异")
    if action not in ACTION_NAMES:
        raise InvalidInput(f"处理方式不正确：“{action}”（可选：{'、'.join(ACTION_NAMES)}）")
    if not reason or not reason.strip():
        raise InvalidInput("处理对账差异必须填写原因")
    reason = reason.strip()
    _lock_channel(session, _open_item(session, key).channel)
    item = _open_item(session, key)  # again, under the channel's lock
    kind, num = _parse_key(key)
    at = at or utcnow()
    allowed = {"missing_in_feedesk": {"record", "explain"},
               "missing_on_statement": {"reverse", "charge_cashier", "explain"},
               "difference": {"charge_cashier", "explain"}}[item.item]
    if action not in allowed:
        raise InvalidInput(f"“{ITEM_NAMES[item.item]}”的差异只能{'、'.join(ACTION_NAMES[a] for a in sorted(allowed))}")
    payment_id = entry_id = approval = None
    receipt_no = ""
    amount = item.amount
    row = dict(channel=item.channel, business_date=item.business_date, item=item.item, action=action, reason=reason,
               user_id=user.id, created_at=at)
    if kind == "tender":
        row["tender_line_id"] = num
    elif kind == "deposit":
        row["bank_deposit_id"] = num
    elif kind == "line":
        row["statement_line_id"] = num
    else:
        row["match_id"] = num
    match_row = None

    if action == "record":
        ln = session.get(StatementLine, num)
        if ln.amount <= 0:
            raise InvalidInput("只有收到的款项可以补录收款；退款或支出请选择“说明”")
        if not account_code:
            raise InvalidInput("补录收款请指定缴费户（--account）")
        from app.services.desk import payments

        result = payments.pay(session, actor=actor, account_code=account_code, change_to_prepaid=True, at=at,
                              tenders=[payments.TenderInput(CHANNEL_TENDER[ln.channel], ln.amount,
                                                            (ln.reference or ln.merchant_ref)[:60])])
        payment_id, receipt_no = result.payment_id, result.receipt_no
        tl_id = session.scalar(select(TenderLine.id).where(TenderLine.payment_id == payment_id))
        match_row = ReconMatch(statement_line_id=ln.id, tender_line_id=tl_id, channel=ln.channel,
                               business_date=ln.business_date, rule="resolution", difference=0, created_at=at)
    elif action == "reverse":
        if not approver:  # whatever the settings allow for ordinary voids and refunds
            raise ApprovalRequired("冲销未到账的收款需要另一位主管审批：请输入审批主管的用户名和密码")
        if kind != "tender":
            raise InvalidInput("只有收款可以冲销；解款未到账请选择“计收费员短款”或“说明”")
        payment_id, receipt_no, approval_name, entry_id = _reverse(session, actor, user, num, reason, approver,
                                                                   approver_password, at)
        row["approval_id"] = session.get(Payment, payment_id).approval_id
    else:
        who = _owner_of(session, kind, num)
        approval = cashdesk.approval_for(session, actor, user, action="reconcile", amount=abs(amount), reason=reason,
                                         approver=approver, approver_password=approver_password, reference=key)
        if approval is None:  # never without a second person's approval: a settings change cannot drop it
            raise PermissionDenied("对账差异的计短款或说明需要另一位主管审批")
        row["approval_id"] = approval.id
        if action == "charge_cashier":
            if amount <= 0:
                raise InvalidInput("只有 FeeDesk 多于实际到账的金额可以计为收费员短款")
            entry_id = ledger.post(
                session,
                actor=actor,
                kind="recon_shortage",
                business_date=cashdesk.bdate(session, at),
                lines=[ledger.Line(ledger.CASHIER_OWED, amount, user_id=who), ledger.Line(ledger.BANK, -amount)],
                memo=f"对账短款 {key}：{reason}",
            )
    res = ReconResolution(amount=amount, payment_id=payment_id, journal_entry_id=entry_id, **row)
    session.add(res)
    if match_row is not None:
        session.add(match_row)
    session.flush()
    if match_row is not None:
        res_match = match_row.id
    else:
        res_match = None
    approved_by = ""
    if approval is not None:
        approved_by = session.get(User, approval.approver_id).username
    elif action == "reverse":
        approved_by = approval_name
    audit.record(session, actor, "recon_resolve", "recon_resolution", res.id, key=key, item=item.item,
                 action=action, amount=amount, reason=reason, receipt_no=receipt_no, approver=approved_by,
                 match_id=res_match, entry_id=entry_id)
    return Resolved(res.id, item.item, action, amount, receipt_no, approved_by)


def _owner_of(session: Session, kind: str, num: int) -> int | None:
    """The cashier a shortage is charged to: who took the tender, or who recorded the deposit."""
    if kind == "tender":
        return session.scalar(select(Payment.user_id).join(TenderLine, TenderLine.payment_id == Payment.id)
                              .where(TenderLine.id == num))
    if kind == "deposit":
        return session.scalar(select(BankDeposit.user_id).where(BankDeposit.id == num))
    if kind == "match":
        m = session.get(ReconMatch, num)
        if m.tender_line_id is not None:
            return _owner_of(session, "tender", m.tender_line_id)
        return _owner_of(session, "deposit", m.bank_deposit_id)
    return None


def _reverse(session: Session, actor: Actor, user: User, tender_line_id: int, reason: str, approver, password,
             at) -> tuple[int, str, str, int | None]:
    """Void (the caller's own open shift) or refund the payment of a tender that never arrived.

    A refund by a non-cash tender is owed through `refund_payable`; here nothing will ever be
    paid out (the money never arrived), so that debt is cleared against the bank book, where
    the shift's acceptance put the tender.
    """
    from app.services.desk import corrections

    tl = session.get(TenderLine, tender_line_id)
    pay = session.get(Payment, tl.payment_id)
    if pay.kind != PaymentKind.PAYMENT or tl.amount <= 0:
        raise InvalidInput("作废或退费本身不能再冲销；请选择“说明”或“计收费员短款”")
    shift = session.get(Shift, pay.shift_id)
    if shift.status == ShiftStatus.OPEN and shift.cashier_id == user.id:
        done = corrections.void_payment(session, actor=actor, receipt_no=pay.receipt_no, reason=reason,
                                        approver=approver, approver_password=password, at=at)
        return done.id, pay.receipt_no, done.approved_by, None
    value = min(tl.amount, pay.allocated)
    if value <= 0:
        raise InvalidInput(f"收据 {pay.receipt_no} 没有可退的费用，请选择“计收费员短款”或“说明”")
    done = corrections.refund_payment(session, actor=actor, receipt_no=pay.receipt_no, tender=tl.method.value,
                                      reason=f"对账未到账：{reason}", amount=format_yuan(value), approver=approver,
                                      approver_password=password, at=at)
    entry = ledger.post(session, actor=actor, kind="recon_reversal", business_date=cashdesk.bdate(session, at),
                        lines=[ledger.Line(ledger.REFUND_PAYABLE, value, tender=tl.method.value),
                               ledger.Line(ledger.BANK, -value)],
                        memo=f"对账未到账，退费不付款：{pay.receipt_no}")
    return done.id, done.new_receipt_no or pay.receipt_no, done.approved_by, entry


# ---- month report ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BankReconciliation:
    """银行存款余额调节表 at the end of a month."""

    statement_balance: int | None
    book_balance: int
    feedesk_not_on_statement: int  # 企业已收、银行未收
    statement_not_in_feedesk_in: int  # 银行已收、企业未收
    statement_not_in_feedesk_out: int  # 银行已付、企业未付
    #: providers' settlements (net) of the month's days not yet credited by the bank (在途)
    settlements_in_transit: int = 0
    #: the providers' fees up to the month's end: the bank book takes non-cash takings gross at each
    #: shift acceptance, the providers pay out net; FeeDesk shows the fees and does not post them
    fees_not_booked: int = 0

    @property
    def adjusted_statement(self) -> int | None:
        if self.statement_balance is None:
            return None
        return self.statement_balance + self.feedesk_not_on_statement + self.settlements_in_transit

    @property
    def adjusted_book(self) -> int:
        return (self.book_balance + self.statement_not_in_feedesk_in - self.statement_not_in_feedesk_out
                - self.fees_not_booked)


@dataclass(frozen=True, slots=True)
class MonthRecon:
    month: str
    days: list[ChannelDay]
    bank: BankReconciliation
    meta: object = None  # services.reports.ReportMeta, for the printed report

    def to_json(self) -> dict:
        b = self.bank
        return {"month": self.month,
                "days": [{"date": d.business_date.isoformat(), "channel": d.channel, "status": d.status,
                          "feedesk_total": format_yuan(d.feedesk_total),
                          "statement_total": format_yuan(d.statement_total), "fees": format_yuan(d.fees),
                          "matched": len(d.matched), "open_items": len(d.open_items)}
                         for d in self.days if d.status != "nothing"],
                "bank_reconciliation": {
                    "statement_balance": None if b.statement_balance is None else format_yuan(b.statement_balance),
                    "feedesk_not_on_statement": format_yuan(b.feedesk_not_on_statement),
                    "adjusted_statement": None if b.adjusted_statement is None else format_yuan(b.adjusted_statement),
                    "book_balance": format_yuan(b.book_balance),
                    "statement_not_in_feedesk_in": format_yuan(b.statement_not_in_feedesk_in),
                    "statement_not_in_feedesk_out": format_yuan(b.statement_not_in_feedesk_out),
                    "settlements_in_transit": format_yuan(b.settlements_in_transit),
                    "fees_not_booked": format_yuan(b.fees_not_booked),
                    "adjusted_book": format_yuan(b.adjusted_book)}}


def month_report(session: Session, *, actor: Actor, month: str) -> MonthRecon:
    auth.require(session, actor, auth.READ)
    month = parse_period(month)
    first = period_start(month)
    last = month_end(first)
    days = _views(session, list(CHANNELS), first, last)
    from app.models import JournalEntry

    book = int(session.scalar(select(func.coalesce(func.sum(Posting.amount), 0))
                              .join(JournalEntry, JournalEntry.id == Posting.entry_id)
                              .where(Posting.book == ledger.BANK, JournalEntry.business_date <= last,
                                     JournalEntry.training.is_(False))))
    last_line = session.execute(
        select(Statement.closing_balance, Statement.last_date).where(
            Statement.channel == "bank", Statement.closing_balance.is_not(None), Statement.first_date <= last)
        .order_by(Statement.last_date.desc()).limit(1)).first()
    balance = None
    if last_line is not None:
        balance = last_line[0]
        if last_line[1] > last:  # the statement runs past the month: the balance after its last line in the month
            later = session.scalar(select(func.coalesce(func.sum(StatementLine.amount), 0)).join(
                Statement, Statement.id == StatementLine.statement_id).where(
                StatementLine.channel == "bank", StatementLine.business_date > last,
                Statement.closing_balance.is_not(None)))
            balance -= int(later)
    bank_days = [d for d in days if d.channel == "bank"]
    on_books_not_bank = sum(o.amount for d in bank_days for o in d.open_items if o.item == "missing_on_statement")
    bank_in = sum(o.amount for d in bank_days for o in d.open_items if o.item == "missing_in_feedesk" and o.amount > 0)
    bank_out = -sum(
        o.amount for d in bank_days for o in d.open_items if o.item == "missing_in_feedesk" and o.amount < 0
    )
    in_transit = sum(o.amount for d in bank_days for o in d.in_transit)
    fees = int(session.scalar(select(func.coalesce(func.sum(StatementLine.fee), 0)).where(
        StatementLine.channel.in_(list(SETTLEMENT_NAMES)), StatementLine.kind != "revoked",
        StatementLine.business_date <= last)))
    from app.services.reports import report_meta

    return MonthRecon(month, days, BankReconciliation(balance, book, on_books_not_bank, bank_in, bank_out,
                                                      in_transit, fees),
                      report_meta(session, actor, month))


def statement_rows(session: Session, *, actor: Actor) -> list[dict]:
    auth.require(session, actor, auth.READ)
    return [{"id": s.id, "channel": s.channel, "file": s.file_name, "from": s.first_date, "to": s.last_date,
             "lines": s.line_count} for s in session.scalars(select(Statement).order_by(Statement.id))]

