"""Money: an amount of renminbi held as integer fen (分).

This module owns the one parser (`Money.parse`) and the one formatter (`format_yuan`)
of amounts, the 人民币大写 spelling (`to_chinese_upper`) and the only division (`split`).
Callers must never build amounts from floats or format them by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.errors import InvalidAmount

# Strict, once one leading sign and one trailing unit are taken off: optional minus, digits,
# optional point with 1-2 digits. ASCII digits only (full-width ones are folded first):
# Arabic-Indic or mathematical digits are refused.
_AMOUNT_RE = re.compile(r"^(-)?(\d+)(?:\.(\d{1,2}))?\Z", re.ASCII)
# The largest amount a person may type: 亿 (10^8 yuan) keeps the 大写 spelling in range.
MAX_FEN = 100_000_000 * 100 - 1
# The only places a currency sign or unit may stand: before the number, or after it.
_PREFIXES = ("￥", "¥", "RMB")
_SUFFIXES = ("元", "RMB")


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An amount in fen. `+`/`-` only with Money, `*` only by int."""

    fen: int = 0

    def __post_init__(self) -> None:
        if type(self.fen) is not int:  # bool and float are refused on purpose
            raise TypeError(f"Money needs int fen, got {type(self.fen).__name__}")

    @classmethod
    def parse(cls, text: str, *, allow_negative: bool = False) -> Money:
        """Parse an amount typed by a person: `12`, `12.5`, `12.50`, `￥12.50`, `12.50元`, `RMB12.50`.

        Refuses `12.505`, `1e3`, `1,000`, `1元5`, `1RMB00`, `￥￥12`, empty text, and full-width digits are folded
        to ASCII first so a Chinese input method does not trip the cashier.
        """
        if not isinstance(text, str):
            raise InvalidAmount(str(text))
        raw = text.strip().translate(_FULLWIDTH)
        # A currency sign or unit may stand only at the start (￥, ¥, RMB) or at the end
        # (元, RMB), once each: "1元5" or "1RMB00" are refused, never read as 15 or 100.
        minus = raw.startswith("-")
        if minus:
            raw = raw[1:]
        for prefix in _PREFIXES:
            if raw[: len(prefix)].upper() == prefix:
                raw = raw[len(prefix):].lstrip()
                break
        for suffix in _SUFFIXES:
            if raw[-len(suffix):].upper() == suffix:
                raw = raw[: -len(suffix)].rstrip()
                break
        if minus:
            raw = "-" + raw
        match = _AMOUNT_RE.match(raw)
        if not match:
            raise InvalidAmount(text)
        minus, whole, frac = match.groups()
        if len(whole) > 12:
            raise InvalidAmount(text)
        fen = int(whole) * 100 + int((frac or "").ljust(2, "0"))
        if fen > MAX_FEN:
            raise InvalidAmount(text)
        if minus:
            if not allow_negative:
                raise InvalidAmount(text)
            fen = -fen
        return cls(fen)

    @classmethod
    def from_decimal(cls, value: Decimal) -> Money:
        """Round a computed Decimal number of yuan to fen, half-up."""
        return cls(int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen - other.fen)

    def __mul__(self, k: int) -> Money:
        if type(k) is not int:
            return NotImplemented
        return Money(self.fen * k)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def __bool__(self) -> bool:
        return self.fen != 0

    def __str__(self) -> str:
        return format_yuan(self)

    @property
    def yuan_text(self) -> str:
        return format_yuan(self)


ZERO = Money(0)

_FULLWIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")


def format_yuan(m: Money | int, *, symbol: bool = False, grouping: bool = False) -> str:
    """`Money(123456)` -> `1234.56` (`￥1,234.56` with symbol and grouping)."""
    fen = m.fen if isinstance(m, Money) else m
    sign = "-" if fen < 0 else ""
    whole, frac = divmod(abs(fen), 100)
    body = f"{whole:,}" if grouping else str(whole)
    return f"{sign}{'￥' if symbol else ''}{body}.{frac:02d}"


def split(total: Money, n: int) -> list[Money]:
    """Divide `total` into `n` parts that differ by at most one fen and sum to `total`."""
    if n <= 0:
        raise ValueError("split needs n >= 1")
    base, rest = divmod(total.fen, n)
    return [Money(base + (1 if i < rest else 0)) for i in range(n)]


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def _four_digits(n: int) -> str:
    """Spell 0 < n < 10000 with 拾佰仟, zeros collapsed (1009 -> 壹仟零玖)."""
    out = []
    zero_pending = False
    for pos in range(3, -1, -1):
        d = (n // 10**pos) % 10
        if d == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[d] + _SMALL_UNITS[pos])
    return "".join(out)


def to_chinese_upper(m: Money) -> str:
    """人民币大写 as written on receipts: 1409.50 -> 壹仟肆佰零玖元伍角.

    Rules (People's Bank of China bill-writing rules): whole yuan end in 元 and, when there
    are no jiao and fen, 整; a zero run inside the number is written as one 零; a missing
    jiao before fen is written 零 (16409.02 -> 壹万陆仟肆佰零玖元零贰分).
    """
    fen = m.fen
    if fen < 0:
        return "负" + to_chinese_upper(Money(-fen))
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    parts: list[str] = []
    if yuan:
        groups = []
        k = 0
        while yuan:
            groups.append((yuan % 10000, k))
            yuan //= 10000
            k += 1
        text = ""
        need_zero = False
        for value, k in reversed(groups):
            if value == 0:
                need_zero = bool(text)
                continue
            if text and (need_zero or value < 1000):
                text += "零"
            text += _four_digits(value) + _BIG_UNITS[k]
            need_zero = False
        parts.append(text + "元")
    if jiao == 0 and fen_digit == 0:
        return ("".join(parts) or "零元") + "整"
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif parts:
        parts.append("零")
    if fen_digit:
        parts.append(_DIGITS[fen_digit] + "分")
    return "".join(parts)
