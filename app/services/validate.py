"""Checks of text a person typed: one place for length, printability and phone format.

Each returns the cleaned value or raises `InvalidInput` with a Chinese message naming the
field, so every form and command refuses bad text the same way and writes nothing.
"""

from __future__ import annotations

import re

from app.errors import InvalidInput

_PHONE = re.compile(r"[0-9+\- ]{3,20}")


def text(label: str, value: str | None, limit: int, *, required: bool = False) -> str:
    """Stripped text of at most `limit` printable characters (required: not empty)."""
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"{label}不能为空")
    if len(value) > limit or not value.isprintable():
        raise InvalidInput(f"{label}含有不可打印字符或过长（最多 {limit} 个字符）")
    return value


def phone(value: str | None) -> str:
    """A phone number: digits, spaces, '+' and '-' (empty allowed)."""
    value = text("电话", value, 30)
    if value and not _PHONE.fullmatch(value):
        raise InvalidInput(f"电话格式不正确：“{value}”")
    return value
