"""Meters and the controls of a reading round; rules in docs/meters.md.

Owns: the meter register (表号, 互感器倍率), held readings and their confirmation by a second
person, the correction of a wrong reading (never an edit: a new reading row, a `corrected`
review, the reversal of what its charge still owes and a new charge or a credit for the
difference), the list of meters without a reading, and the import of a reading round's sheet.
Taking a single reading and billing readings stay in `services.billing`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound, PermissionDenied
from app.models import (
    Account,
    Charge,
    ChargeKind,
    FeeItem,
    Meter,
    MeterReading,
    PricingMethod,
    ReadingReview,
    ReviewKind,
)
from app.money import MAX_FEN, format_yuan
from app.services import Actor
from app.services.bills import billing
from app.services.bills.fees import find_fee
from app.services.clock import parse_period, utcnow
from app.services.desk.corrections import _cancel  # reverses a charge (cancel)
from app.services.journal import audit, concurrency, ledger
from app.services.master.accounts import find_account, read_table
from app.services.system import auth, settings


def _metered(session: Session, fee_code: str) -> FeeItem:
    fee = find_fee(session, fee_code)
    if fee.method != PricingMethod.METERED:
        raise InvalidInput(f"“{fee.name}”不是抄表计费项目")
    return fee


# ---- the meter register -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MeterInfo:
    account: str
    fee: str
    number: str
    multiplier: int


def set_meter(session: Session, *, actor: Actor, account_code: str, fee_code: str, number: str,
              multiplier: int = 1) -> MeterInfo:
    """Register an account's meter of a metered fee item, or change its number or multiplier.

    The multiplier applies to readings taken from now on; a reading keeps the usage it was taken with."""
    auth.require(session, actor, auth.MASTER)
    acc = find_account(session, account_code)
    fee = _metered(session, fee_code)
    number = (number or "").strip()
    if not number or len(number) > 40:
        raise InvalidInput("表号不能为空，且不超过 40 个字符")
    if not 1 <= multiplier <= 100_000:
        raise InvalidInput("倍率必须是 1–100000 的整数")
    other = session.scalar(select(Meter).where(Meter.number == number))
    if other is not None and (other.account_id, other.fee_item_id) != (acc.id, fee.id):
        raise InvalidInput(f"表号“{number}”已用于另一缴费户")
    meter = session.scalar(select(Meter).where(Meter.account_id == acc.id, Meter.fee_item_id == fee.id))
    if meter is None:
        meter = Meter(account_id=acc.id, fee_item_id=fee.id, created_at=utcnow())
        session.add(meter)
    meter.number, meter.multiplier = number, multiplier
    session.flush()
    audit.record(session, actor, "meter_set", "meter", meter.id, account=acc.code, fee=fee.code, number=number,
                 multiplier=multiplier)
    return MeterInfo(acc.code, fee.code, number, multiplier)


def missing(session: Session, *, actor: Actor, period: str) -> list[billing.MissingMeter]:
    """未抄表清单: assigned meters with no reading dated in the period."""
    auth.require(session, actor, auth.READ)
    return billing.missing_meters(session, parse_period(period))


# ---- held readings ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HeldReading:
    reading_id: int
    account: str
    fee: str
    read_on: dt.date
    previous: str
    reading: str
    usage: str
    reason: str


def held(session: Session, *, actor: Actor) -> list[HeldReading]:
    """Held readings waiting for a supervisor's confirmation (or a correction)."""
    auth.require(session, actor, auth.READ)
    reasons = billing.held_reading_ids(session)
    rows = session.execute(select(MeterReading, Account.code, FeeItem.code)
                           .join(Account, Account.id == MeterReading.account_id)
                           .join(FeeItem, FeeItem.id == MeterReading.fee_item_id)
                           .where(MeterReading.id.in_(reasons)).order_by(Account.code, MeterReading.id)).all()
    return [HeldReading(r.id, code, fee, r.read_on, f"{r.previous_e2 / 100:.2f}", f"{r.reading_e2 / 100:.2f}",
                        f"{r.usage_e2 / 100:.2f}", reasons[r.id]) for r, code, fee in rows]


@dataclass(frozen=True, slots=True)
class Confirmed:
    account: str
    fee: str
    read_on: dt.date
    reading: str
    approved_by: str


def confirm(session: Session, *, actor: Actor, account_code: str, fee_code: str, reason: str,
            approver: str | None = None, approver_password: str | None = None) -> Confirmed:
    """A supervisor who did not take the reading confirms the meter's held reading: it is billed
    by the next bill run (with the readings after it)."""
    auth.require(session, actor, auth.BILL)
    acc = find_account(session, account_code)
    fee = _metered(session, fee_code)
    reasons = billing.held_reading_ids(session, fee.id)
    row = session.scalar(select(MeterReading).where(MeterReading.account_id == acc.id,
                                                    MeterReading.fee_item_id == fee.id,
                                                    MeterReading.id.in_(reasons)).order_by(MeterReading.id).limit(1))
    if row is None:
        raise NotFound(f"{acc.code} {fee.name} 没有待复核的读数")
    if not approver:
        raise PermissionDenied("确认异常读数需要主管审批：请由另一位主管输入用户名和密码")
    approval = auth.approve(session, actor=actor, action="reading_confirm", approver=approver,
                            approver_password=approver_password or "", reason=reason,
                            reference=f"{acc.code} {fee.code} {row.read_on}")
    if approval.approver_id == row.user_id:
        raise PermissionDenied("录入读数的人不能复核自己的读数，请由另一位主管审批")
    session.add(ReadingReview(reading_id=row.id, kind=ReviewKind.CONFIRMED, approval_id=approval.id,
                              reason=reason.strip(), user_id=actor.user_id, created_at=utcnow()))
    session.flush()
    audit.record(session, actor, "reading_confirm", "meter_reading", row.id, account=acc.code, fee=fee.code,
                 approver=approver, reason=reason.strip())
    return Confirmed(acc.code, fee.code, row.read_on, f"{row.reading_e2 / 100:.2f}", approver)


# ---- correction of a wrong reading -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ReadingCorrected:
    account: str
    fee: str
    old: str
    new: str
    #: What the wrong reading's charge still owed, reversed (0 when it was not billed yet).
    reversed: int
    #: The new charge (0 = none), and the credit to the prepaid balance when more was paid than is owed.
    new_charge: int
    credit: int
    approved_by: str


def correct(session: Session, *, actor: Actor, account_code: str, fee_code: str, reading: str, reason: str,
            approver: str | None = None, approver_password: str | None = None,
            at: dt.datetime | None = None) -> ReadingCorrected:
    """更正读数 of a meter's latest reading, with a supervisor's approval. Nothing is edited:

    - a new reading row with the right value (same date) and a `corrected` review pointing to it;
    - when the wrong reading was billed, what its charge still owes is reversed (a `cancel`
      adjustment, posted today) and the readings the charge covered are priced again; the
      difference with what was settled on it (paid, waived) becomes a new charge, or a credit
      to the account's prepaid balance when more was paid than is now owed.
    """
    user = auth.require(session, actor, auth.BILL)
    acc = find_account(session, account_code)
    fee = _metered(session, fee_code)
    concurrency.lock_account(session, acc.id)  # the account row is the lock of its charges
    wrong = billing.last_reading(session, acc.id, fee.id)
    if wrong is None:
        raise NotFound(f"{acc.code} {fee.name} 没有读数可更正")
    value = billing.parse_reading(reading)
    if value == wrong.reading_e2:
        raise InvalidInput(f"新读数与原读数相同（{value / 100:.2f}），无需更正")
    if not wrong.replaced and value < wrong.previous_e2:
        raise InvalidInput(f"读数 {value / 100:.2f} 小于上次读数 {wrong.previous_e2 / 100:.2f}")
    multiplier = billing.multiplier_of(session, acc.id, fee.id)
    if _replaced_a_billed_reading(session, wrong.id):
        raise InvalidInput(f"{acc.code} {fee.name} {wrong.read_on} 的读数已更正并重新计费过一次，不能再次更正；"
                           "请与主管核对后办理减免或补收")
    usage = billing.meter_usage(value, wrong.previous_e2, multiplier)
    if not approver:
        raise PermissionDenied("更正读数需要主管审批：请由另一位主管输入用户名和密码")
    approval = auth.approve(session, actor=actor, action="reading_correction", approver=approver,
                            approver_password=approver_password or "", reason=reason,
                            reference=f"{acc.code} {fee.code} {wrong.read_on}")
    at = at or utcnow()
    day = settings.business_day(session, at)
    right = MeterReading(account_id=acc.id, fee_item_id=fee.id, reading_e2=value, previous_e2=wrong.previous_e2,
                         usage_e2=usage, read_on=wrong.read_on, replaced=wrong.replaced, user_id=user.id,
                         created_at=at)
    session.add(right)
    session.flush()
    session.add(ReadingReview(reading_id=wrong.id, kind=ReviewKind.CORRECTED, replacement_id=right.id,
                              approval_id=approval.id, reason=reason.strip(), user_id=user.id, created_at=at))
    session.flush()
    charge = session.scalar(select(Charge).where(Charge.meter_reading_id == wrong.id, Charge.training.is_(False)))
    reversed_ = new_amount = credit = 0
    if charge is not None:
        reversed_, new_amount, credit = _rebill(session, actor, charge, fee, right, multiplier, reason.strip(),
                                                approval.id, day, at)
    audit.record(session, actor, "reading_correct", "meter_reading", wrong.id, account=acc.code, fee=fee.code,
                 old_e2=wrong.reading_e2, new_e2=value, replacement=right.id, reversed=reversed_,
                 new_charge=new_amount, credit=credit, approver=approver, reason=reason.strip())
    return ReadingCorrected(acc.code, fee.code, f"{wrong.reading_e2 / 100:.2f}", f"{value / 100:.2f}", reversed_,
                            new_amount, credit, approver)


def _replaced_a_billed_reading(session: Session, reading_id: int) -> bool:
    """A correction's reading whose original was billed: its difference is already on the account
    (a new charge or a prepaid credit), which a second correction cannot see; refused."""
    original = select(ReadingReview.reading_id).where(ReadingReview.kind == ReviewKind.CORRECTED,
                                                      ReadingReview.replacement_id == reading_id)
    return session.scalar(select(Charge.id).where(Charge.meter_reading_id.in_(original)).limit(1)) is not None


def _rebill(session: Session, actor: Actor, charge: Charge, fee: FeeItem, right: MeterReading, multiplier: int,
            reason: str, approval_id: int, day: dt.date, at: dt.datetime) -> tuple[int, int, int]:
    """Reverse what `charge` still owes and bill its readings again; returns (reversed, new charge, credit)."""
    readings = session.scalars(select(MeterReading).where(
        MeterReading.account_id == charge.account_id, MeterReading.fee_item_id == fee.id,
        billing.effective_readings(), MeterReading.id <= right.id).order_by(MeterReading.id)).all()
    boundary = session.scalar(select(func.max(Charge.meter_reading_id)).where(
        Charge.account_id == charge.account_id, Charge.fee_item_id == fee.id, Charge.training.is_(False),
        Charge.meter_reading_id < charge.meter_reading_id,
        Charge.meter_reading_id.in_(select(MeterReading.id).where(billing.effective_readings()))))
    items, previous_day = [], {}
    for before, r in zip(readings, readings[1:], strict=False):
        if boundary is None or r.id > boundary:
            items.append(r)
            previous_day[r.id] = before.read_on
    parts, usage = billing.price_readings(billing.tariffs_of(session, fee.id), items, previous_day)
    if parts is None:
        raise InvalidInput(f"{fee.name}：没有有效的收费标准，不能重新计费")
    owed = sum(p.amount for p in parts)
    if owed > MAX_FEN:
        raise InvalidInput(f"{fee.name}：计费金额 {format_yuan(owed)} 元超出上限，请检查读数")
    outstanding = ledger.charge_outstanding(session, [charge.id]).get(charge.id, 0)
    settled = charge.amount - outstanding  # paid, waived or written off already
    if outstanding > 0:
        _cancel(session, actor, charge, fee, outstanding, f"更正读数：{reason}", approval_id, day, at)
    diff = owed - settled
    basis = billing.meter_basis(items[0], items[-1], usage, parts, multiplier)
    if diff > 0:
        head = f"更正#{charge.id} 应收{format_yuan(owed)}−已结{format_yuan(settled)}\n" if settled else ""
        new = Charge(account_id=charge.account_id, fee_item_id=fee.id, kind=ChargeKind.METERED, period=None,
                     period_start=charge.period_start, period_end=charge.period_end, quantity_e2=usage,
                     rate_e4=parts[-1].rate_e4, amount=diff, due_date=max(charge.due_date, day),
                     basis=(head + basis)[:120], meter_reading_id=right.id, note=f"更正 {charge.period or ''} 读数",
                     user_id=actor.user_id, business_date=day, created_at=at, training=False)
        session.add(new)
        session.flush()
        ledger.post(session, actor=actor, kind="charge", business_date=day, memo=f"更正读数 #{charge.id}",
                    lines=billing.charge_lines(account_id=charge.account_id, fee=fee, charge_id=new.id, amount=diff))
    elif diff < 0:  # more was paid than the right reading owes: the difference is the payer's, kept as prepaid
        ledger.post(session, actor=actor, kind="meter_credit", business_date=day, memo=f"更正读数 #{charge.id}",
                    lines=[ledger.Line(billing.revenue_book(fee.kind), -diff, fee_item_id=fee.id),
                           ledger.Line(ledger.PREPAID, diff, account_id=charge.account_id)])
    session.flush()
    return outstanding, max(diff, 0), max(-diff, 0)


# ---- import of a reading round ------------------------------------------------------------

HEADERS = {
    "房号": "account", "户号": "account", "编号": "account", "account": "account",
    "表号": "number", "meter": "number", "本次读数": "reading", "读数": "reading", "reading": "reading",
    "抄表日期": "date", "日期": "date", "date": "date", "抄表员": "reader", "reader": "reader",
    "收费项目": "fee", "fee": "fee", "换表": "replaced", "上次读数": "previous",
}
YES = {"是", "y", "yes", "1", "换表", "true"}


def parse_sheet_date(text: str) -> dt.date:
    t = (text or "").strip().split(" ")[0]
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", t) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", t)
    if not m:
        raise InvalidInput(f"抄表日期格式不正确：“{text}”（例：2026-10-31）")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise InvalidInput(f"抄表日期不存在：“{text}”") from None


@dataclass(frozen=True, slots=True)
class ImportedRound:
    imported: int
    held: list[str]


def import_readings(session: Session, *, actor: Actor, path: str, fee_code: str = "") -> ImportedRound:
    """A reading round's sheet (CSV or XLSX, Chinese headers), all rows or none.

    Columns: 房号 (account code) or 表号 (registered meter number), 本次读数, 抄表日期; optional
    抄表员 (kept in the audit log), 收费项目 (else `fee_code`), 换表 (是), 上次读数 (checked
    against the ledger's last reading). Every bad row is reported with its line number; one bad
    row imports nothing.
    """
    auth.require(session, actor, auth.BILL)
    rows = read_table(Path(path))
    if not rows:
        raise InvalidInput("文件为空")
    header = [HEADERS.get(h.strip().lower() if h.isascii() else h.strip()) for h in rows[0]]
    if "account" not in header and "number" not in header:
        raise InvalidInput("表头缺少“房号”或“表号”列（表头：房号,表号,本次读数,抄表日期,抄表员）")
    for need, name in (("reading", "本次读数"), ("date", "抄表日期")):
        if need not in header:
            raise InvalidInput(f"表头缺少“{name}”列")
    numbers = {n: (code, fee) for n, code, fee in session.execute(
        select(Meter.number, Account.code, FeeItem.code).join(Account, Account.id == Meter.account_id)
        .join(FeeItem, FeeItem.id == Meter.fee_item_id))}
    errors: list[str] = []
    held_rows: list[str] = []
    count = 0
    for lineno, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        data = {key: (values[i].strip() if i < len(values) else "") for i, key in enumerate(header) if key}
        try:
            account, fee = _row_meter(data, numbers, fee_code)
            previous = data.get("previous", "")
            if previous:
                last = billing.last_reading(session, find_account(session, account).id, find_fee(session, fee).id)
                if last is None or billing.parse_reading(previous) != last.reading_e2:
                    raise InvalidInput(f"上次读数 {previous} 与系统记录 "
                                       f"{'无' if last is None else f'{last.reading_e2 / 100:.2f}'} 不符")
            r = billing.read_meter(session, actor=actor, account_code=account, fee_code=fee, reading=data["reading"],
                                   read_on=parse_sheet_date(data["date"]),
                                   replaced=data.get("replaced", "").lower() in YES, reader=data.get("reader", ""))
        except (InvalidInput, NotFound) as exc:
            errors.append(f"第 {lineno} 行：{exc.message}")
            continue
        count += 1
        if r.held:
            held_rows.append(f"第 {lineno} 行 {r.account}：{r.held}")
    if errors:
        raise InvalidInput("导入失败，未导入任何读数：\n" + "\n".join(errors[:50]), errors=errors)
    if not count:
        raise InvalidInput("文件中没有读数")
    audit.record(session, actor, "meter_import", "meter_reading", "", file=Path(path).name, rows=count,
                 held=len(held_rows))
    return ImportedRound(count, held_rows)


def _row_meter(data: dict, numbers: dict, fee_code: str) -> tuple[str, str]:
    """(account code, fee code) of a sheet row: by 表号 when given, else by 房号."""
    number = data.get("number", "")
    fee = data.get("fee", "") or fee_code
    if number:
        if number not in numbers:
            raise NotFound(f"表号“{number}”未登记")
        account, meter_fee = numbers[number]
        if data.get("account") and data["account"] != account:
            raise InvalidInput(f"表号“{number}”属于 {account}，不是 {data['account']}")
        return account, meter_fee
    if not data.get("account"):
        raise InvalidInput("房号和表号都为空")
    if not fee:
        raise InvalidInput("请指定收费项目（--fee，或表中“收费项目”列）")
    return data["account"], fee
