"""Time: UTC timestamps for storage and the local business date with a day cut-off.

A business day runs from the cut-off (setting `day_cutoff`, default 00:00) to the next in
the site's time zone (setting `timezone`, default Asia/Shanghai). Tests and `--date` pass an
explicit time; nothing else reads the wall clock.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from app.errors import InvalidInput


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def business_date(at_utc: dt.datetime, *, tz: str = "Asia/Shanghai", cutoff: str = "00:00") -> dt.date:
    local = at_utc.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(tz))
    hours, minutes = (int(x) for x in cutoff.split(":"))
    return (local - dt.timedelta(hours=hours, minutes=minutes)).date()


def local_time(at_utc: dt.datetime, tz: str = "Asia/Shanghai") -> dt.datetime:
    return at_utc.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def at_local_noon(day: dt.date, tz: str = "Asia/Shanghai") -> dt.datetime:
    """A UTC time inside business day `day` (for `--date` back-dating in tests and demo)."""
    local = dt.datetime.combine(day, dt.time(12, 0), tzinfo=ZoneInfo(tz))
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InvalidInput(f"日期格式不正确：“{text}”（例：2026-09-30）") from None


def parse_period(text: str) -> str:
    """'2026-09' -> '2026-09'; refuses anything else."""
    try:
        day = dt.date.fromisoformat(text.strip() + "-01")
    except (ValueError, AttributeError):
        raise InvalidInput(f"账期格式不正确：“{text}”（例：2026-09）") from None
    if not 2000 <= day.year <= 2100:
        raise InvalidInput(f"账期超出范围：“{text}”")
    return f"{day.year:04d}-{day.month:02d}"


def period_start(period: str) -> dt.date:
    return dt.date.fromisoformat(period + "-01")


def add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - dt.timedelta(days=1)
