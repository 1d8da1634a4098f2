"""Ledger settings with safe defaults. Stored in table `setting`; read through `get`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InvalidInput
from app.models import Setting
from app.services.clock import business_date, utcnow

DEFAULTS: dict[str, str] = {
    "timezone": "Asia/Shanghai",
    "day_cutoff": "00:00",
    "handin_cutoff": "16:00",
    "require_receipt_ranges": "0",
    "receipt_number_width": "8",
    "cash_limit": "500000",  # fen: drawer cash above which the cashier is warned
    "close_difference_limit": "5000",  # fen: a close difference above this needs approval
    "denominations": "10000,5000,2000,1000,500,100,50,10",  # fen
    "approval_required": "void,refund,deposit_refund,prepaid_refund,waiver,write_off,price_override",
    "preprinted_stock": "0",
    # Cash desk: corrections below a role's limit (fen) need no approval unless listed above.
    "correction_limit_cashier": "0",
    "correction_limit_supervisor": "0",
    "receipt_low_warning": "20",  # warn the cashier when fewer numbers than this are left
    "receipt_secret": "",
    "receipt_footer": "请妥善保管收据，如有疑问请致电物业服务中心。",
    "lockout_attempts": "5",
    # Automatic backups: where ('' = the `backups` folder next to the ledger) and how many to keep.
    "backup_dir": "",
    "backup_keep": "30",
    "backup_auto": "1",  # '0' turns off the daily and settlement backups (benchmarks, throwaway ledgers)
    # UTC time from which void/refund slips are owed ('' = always). Migration 0006 sets it on a
    # ledger that already had corrections: their slips were never printed, and are not missing.
    "correction_slips_since": "",
    # Complaints and repairs: days from receipt to the deadline of a ticket, by kind.
    "ticket_days_complaint": "2",
    "ticket_days_repair": "3",
    "ticket_days_inquiry": "1",
    # Bill notices (缴费通知单): when the window is open, printed on every notice.
    "window_hours": "周一至周日 8:30–17:30",
    # Meter readings: use above this multiple of the meter's recent average, or ('1') below that
    # average divided by it, is held until a supervisor confirms it ('0' turns the checks off).
    "meter_hold_multiple": "3",
    "meter_hold_low": "1",
    "password_min_length": "8",  # supervisors' and administrators' passwords (others: 4)
    "password_change_required": "",  # user ids whose password an administrator reset (auth.MUST_CHANGE)
    "close_wait_minutes": "30",  # a close waiting longer for acceptance is marked on the supervisor desk
    # Preset reasons offered in each correction's dialog, one a line (free text stays possible).
    "reasons_void": "收错户号\n金额录入错误\n收费项目选错\n缴费人当场取消",
    "reasons_refund": "重复缴费\n多收费用\n收费项目有误\n退租退房",
    "reasons_waiver": "困难户减免\n经审批的优惠\n计费有误\n服务未到位",
    "reasons_write_off": "业主失联\n欠费超过诉讼时效\n法院裁定无法执行\n经批准核销坏账",
    "reasons_deposit_refund": "装修完工验收合格\n租约到期退还\n押金项目取消",
    "reasons_prepaid_refund": "业主搬离\n客户申请退回预存\n预存多缴",
    "demo": "0",  # '1': the demo estate (`feedesk init --demo`); the log-in page lists the demo users
}


def _all(session: Session) -> dict[str, str]:
    """All settings, read once per transaction (a payment reads six of them)."""
    cache = session.info.get("settings")
    if cache is None:
        cache = dict(session.execute(select(Setting.key, Setting.value)).all())
        session.info["settings"] = cache
    return cache


def get(session: Session, key: str) -> str:
    value = _all(session).get(key)
    return value if value is not None else DEFAULTS.get(key, "")


def get_int(session: Session, key: str) -> int:
    return int(get(session, key) or 0)


def put(session: Session, key: str, value: str) -> None:
    """Write one setting (callers check permission and record the audit event)."""
    if key not in DEFAULTS:
        raise InvalidInput(f"未知的设置项：{key}")
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.info.pop("settings", None)


def business_day(session: Session, at: dt.datetime) -> dt.date:
    """The site's business date of a UTC time (time zone and day cut-off from the settings)."""
    return business_date(at, tz=get(session, "timezone"), cutoff=get(session, "day_cutoff"))


def today(session: Session) -> dt.date:
    """The current business date at this site."""
    return business_day(session, utcnow())
