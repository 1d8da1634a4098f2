"""Fee items (收费项目), effective-dated tariffs (收费标准) and assignments to accounts.

A tariff is chosen by the date a charge's period starts; charges copy the rate, so a
new tariff never rewrites what was billed before it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.models import (
    Account,
    AssignmentScope,
    Cycle,
    FeeAssignment,
    FeeItem,
    FeeKind,
    PricingMethod,
    Tariff,
)
from app.services import Actor, validate
from app.services.clock import utcnow
from app.services.journal import audit
from app.services.master.accounts import default_site, find_account, pinyin_initials
from app.services.system import auth, settings

CYCLE_MONTHS = {Cycle.MONTHLY: 1, Cycle.QUARTERLY: 3, Cycle.YEARLY: 12, Cycle.ONCE: 1}
METHOD_NAMES = {"fixed": "固定", "area": "按面积", "metered": "按抄表", "quantity": "按数量"}
CYCLE_NAMES = {"monthly": "月", "quarterly": "季", "yearly": "年", "once": "一次性"}
KIND_NAMES = {"revenue": "自营收入", "passthrough": "代收代缴", "deposit": "押金"}


def parse_rate(text: str) -> int:
    """A rate in yuan with up to 4 decimals ('2.35', '0.5283') -> ten-thousandths of a yuan."""
    t = (text or "").strip().replace("￥", "").replace("¥", "")
    m = re.fullmatch(r"(\d{1,9})(?:\.(\d{1,4}))?", t, re.ASCII)
    if not m:
        raise InvalidInput(f"单价格式不正确：“{text}”（例：2.35，最多四位小数）")
    rate_e4 = int(m.group(1)) * 10000 + int((m.group(2) or "").ljust(4, "0"))
    if rate_e4 > MAX_RATE_E4:
        raise InvalidInput(f"单价过高：“{text}”（不超过 {MAX_RATE_E4 // 10000} 元）")
    return rate_e4


# Rates are stored in ten-thousandths of a yuan in a 32-bit column.
MAX_RATE_E4 = 2_000_000_000


def format_rate(rate_e4: int) -> str:
    """Ten-thousandths of a yuan -> '2.35' or '0.5283' (at least two decimals)."""
    whole, frac = divmod(rate_e4, 10000)
    digits = f"{frac:04d}"
    while len(digits) > 2 and digits.endswith("0"):
        digits = digits[:-1]
    return f"{whole}.{digits}"


def parse_late_fee_rate(text: str) -> int:
    """Daily late-fee rate as a fraction ('0.0005' = 万分之五) or percent ('0.05%') -> ppm."""
    t = (text or "").strip()
    percent = t.endswith("%")
    m = re.fullmatch(r"(\d{1,3})(?:\.(\d{1,6}))?", t.rstrip("%"), re.ASCII)
    if not m:
        raise InvalidInput(f"滞纳金日费率格式不正确：“{text}”（例：0.0005 或 0.05%）")
    ppm = int(m.group(1)) * 1_000_000 + int((m.group(2) or "").ljust(6, "0"))
    if percent:
        ppm //= 100
    if ppm > 100_000:
        raise InvalidInput("滞纳金日费率过高（不得超过 10%/日）")
    return ppm


def find_fee(session: Session, code: str) -> FeeItem:
    fee = session.scalar(select(FeeItem).where(FeeItem.code == (code or "").strip()))
    if fee is None:
        raise NotFound(f"找不到收费项目“{code}”")
    return fee


def _enum(enum_cls, value: str, label: str, names: dict):
    try:
        return enum_cls(value)
    except ValueError:
        raise InvalidInput(f"{label}不正确：“{value}”（可选：{'、'.join(names)}）") from None


@dataclass(frozen=True, slots=True)
class FeeInfo:
    code: str
    name: str
    kind: str
    method: str
    cycle: str
    rate: str
    effective_from: dt.date | None
    due_days: int
    late_fee_daily_ppm: int
    late_fee_grace_days: int
    department: str
    unit_name: str


def add_fee(session: Session, *, actor: Actor, code: str, name: str, method: str, rate: str, cycle: str,
            kind: str = "revenue", due_days: int = 0, late_fee_daily: str = "", late_fee_grace: int = 0,
            effective_from: dt.date | None = None, department: str = "", unit_name: str = "") -> FeeInfo:
    auth.require(session, actor, auth.MASTER)
    site = default_site(session)
    code = validate.text("收费项目编码", code, 40, required=True)
    name = validate.text("收费项目名称", name, 60, required=True)
    if session.scalar(select(FeeItem.id).where(FeeItem.code == code)):
        raise InvalidInput(f"收费项目“{code}”已存在")
    department, unit_name = validate.text("科室", department, 60), validate.text("单位", unit_name, 12)
    if not 0 <= due_days <= 3650 or not 0 <= late_fee_grace <= 3650:
        raise InvalidInput("天数超出范围（0–3650）")
    fee = FeeItem(site_id=site.id, code=code, name=name,
                  kind=_enum(FeeKind, kind, "费用类别", KIND_NAMES),
                  method=_enum(PricingMethod, method, "计费方式", METHOD_NAMES),
                  cycle=_enum(Cycle, cycle, "周期", CYCLE_NAMES), due_days=due_days,
                  late_fee_daily_ppm=parse_late_fee_rate(late_fee_daily) if late_fee_daily else 0,
                  late_fee_grace_days=late_fee_grace, department=department.strip(),
                  unit_name=unit_name.strip(), pinyin_initials=pinyin_initials(name))
    rate_e4 = parse_rate(rate)
    session.add(fee)
    session.flush()
    start = effective_from or dt.date(2000, 1, 1)
    session.add(Tariff(fee_item_id=fee.id, effective_from=start, rate_e4=rate_e4, created_at=utcnow()))
    audit.record(session, actor, "fee_add", "fee_item", fee.id, code=code, name=name, rate_e4=rate_e4,
                 method=method, cycle=cycle, kind=kind, effective_from=start)
    return fee_info(session, fee, start)


def add_tariff(session: Session, *, actor: Actor, code: str, rate: str, effective_from: dt.date) -> FeeInfo:
    """A new price from a date; earlier charges keep the rate they were billed at."""
    auth.require(session, actor, auth.MASTER)
    fee = find_fee(session, code)
    rate_e4 = parse_rate(rate)
    if session.scalar(select(Tariff.id).where(Tariff.fee_item_id == fee.id, Tariff.effective_from == effective_from)):
        raise InvalidInput(f"{effective_from} 起已有收费标准")
    session.add(Tariff(fee_item_id=fee.id, effective_from=effective_from, rate_e4=rate_e4, created_at=utcnow()))
    session.flush()
    audit.record(session, actor, "tariff_add", "fee_item", fee.id, rate_e4=rate_e4, effective_from=effective_from)
    return fee_info(session, fee, effective_from)


def rate_on(session: Session, fee_item_id: int, day: dt.date) -> int | None:
    return session.scalar(select(Tariff.rate_e4).where(Tariff.fee_item_id == fee_item_id, Tariff.effective_from <= day)
                          .order_by(Tariff.effective_from.desc()).limit(1))


def fee_info(session: Session, fee: FeeItem, day: dt.date | None = None) -> FeeInfo:
    day = day or settings.today(session)
    tariff = session.scalar(select(Tariff).where(Tariff.fee_item_id == fee.id, Tariff.effective_from <= day)
                            .order_by(Tariff.effective_from.desc()).limit(1))
    return FeeInfo(fee.code, fee.name, fee.kind.value, fee.method.value, fee.cycle.value,
                   format_rate(tariff.rate_e4) if tariff else "", tariff.effective_from if tariff else None,
                   fee.due_days, fee.late_fee_daily_ppm, fee.late_fee_grace_days, fee.department, fee.unit_name)


def list_fees(session: Session, *, actor: Actor, as_of: dt.date | None = None) -> list[FeeInfo]:
    auth.require(session, actor, auth.READ)
    return [fee_info(session, f, as_of) for f in session.scalars(select(FeeItem).order_by(FeeItem.code))]


def assign_fee(session: Session, *, actor: Actor, fee_code: str, all_accounts: bool = False,
               building: str | None = None, account_code: str | None = None, quantity: int = 1,
               start_date: dt.date | None = None, end_date: dt.date | None = None) -> int:
    """Attach a fee item to all accounts, a building or one account. Returns accounts covered.

    `start_date`/`end_date` bound the periods billed (a period is billed when it overlaps them);
    without them the assignment applies to every period a bill run is made for."""
    auth.require(session, actor, auth.MASTER)
    if start_date and end_date and end_date < start_date:
        raise InvalidInput(f"停止计费日期 {end_date.isoformat()} 早于开始计费日期 {start_date.isoformat()}")
    fee = find_fee(session, fee_code)
    chosen = [all_accounts, bool(building), bool(account_code)]
    if sum(chosen) != 1:
        raise InvalidInput(
            "请指定且只指定一种范围：全部缴费户（--all）、某个楼栋（--building）或某个缴费户（--account）"
        )
    if not 1 <= quantity <= 10000:
        raise InvalidInput("数量超出范围")
    row = FeeAssignment(fee_item_id=fee.id, quantity=quantity, created_at=utcnow(), start_date=start_date,
                        end_date=end_date,
                        scope=AssignmentScope.ALL if all_accounts else
                        AssignmentScope.BUILDING if building else AssignmentScope.ACCOUNT)
    if building:
        row.building = building.strip()
        count = len(session.scalars(select(Account.id).where(Account.building == row.building)).all())
        if count == 0:
            raise NotFound(f"楼栋“{building}”下没有缴费户")
    elif account_code:
        row.account_id = find_account(session, account_code).id
        count = 1
    else:
        count = len(session.scalars(select(Account.id)).all())
    session.add(row)
    session.flush()
    audit.record(session, actor, "fee_assign", "fee_item", fee.id, scope=row.scope.value,
                 building=row.building, account_id=row.account_id, quantity=quantity,
                 start=start_date.isoformat() if start_date else "", end=end_date.isoformat() if end_date else "")
    return count


def end_assignment(session: Session, *, actor: Actor, fee_code: str, account_code: str, end_date: dt.date) -> int:
    """Stop billing a fee to one account from a date (a parking lease ends): the account's own
    assignments end on `end_date`; periods after it are no longer billed. Returns how many ended."""
    auth.require(session, actor, auth.MASTER)
    fee = find_fee(session, fee_code)
    acc = find_account(session, account_code)
    rows = session.scalars(select(FeeAssignment).where(
        FeeAssignment.fee_item_id == fee.id, FeeAssignment.scope == AssignmentScope.ACCOUNT,
        FeeAssignment.account_id == acc.id)).all()
    open_rows = [r for r in rows if r.end_date is None or r.end_date > end_date]
    if not open_rows:
        raise NotFound(f"{acc.code} 没有单独指定的“{fee.name}”（或已在 {end_date.isoformat()} 前停止）："
                       "按楼栋或全部缴费户指定的收费项目请调整缴费户状态")
    for r in open_rows:
        if r.start_date and end_date < r.start_date:
            raise InvalidInput(f"停止日期早于开始计费日期 {r.start_date.isoformat()}")
        r.end_date = end_date
    session.flush()
    audit.record(session, actor, "fee_assignment_end", "fee_item", fee.id, account=acc.code,
                 end=end_date.isoformat(), assignments=len(open_rows))
    return len(open_rows)
