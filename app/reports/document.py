"""The shape every report is rendered from: a `Document` of blocks (pure data, no I/O).

`app.reports.layouts` turns a service DTO into a Document; `pdf`, `xlsx` and `csvfile` render
any Document. Cells are typed so each renderer can format them its own way: `Money` for
amounts (fen), `Rate` for ratios, `int` for counts, `datetime.date`, or `str`. A table's rows
may be an iterator (streaming reports): each renderer consumes it exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.money import Money, format_yuan
from app.services.reports import Rate, ReportMeta

Cell = str | int | Money | Rate | dt.date | None

#: Text a spreadsheet reads as a formula when it starts a cell (OWASP "CSV injection"):
#: `=HYPERLINK(...)`, `=cmd|' /C calc'!A0`, `+1+1`, `-1+1`, `@SUM(...)`, and tab or CR before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Cell) -> Cell:
    """A cell as the XLSX and CSV exports write it: text that would start a formula gets
    OWASP's leading single quote (`'=cmd|...` shows as typed after the quote, and is never
    run); amounts, rates, counts and dates are returned unchanged (numbers stay numbers).

    Names like these are legitimate data (an import stores them as typed): they are
    neutralised here, on the way out, for every text cell of every export.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    #: Relative width (the PDF scales the weights to the page width).
    width: float = 1.0
    align: str = "l"  # l | r | c


@dataclass(slots=True)
class Table:
    columns: list[Column]
    rows: Iterable[list[Cell]]
    #: The totals row, or a callable giving it once `rows` is consumed (streamed tables).
    total: list[Cell] | Callable[[], list[Cell]] | None = None
    title: str = ""
    #: XLSX sheet name when the document is split into sheets (first table keeps the main sheet).
    sheet: str = ""


@dataclass(frozen=True, slots=True)
class KeyValues:
    pairs: list[tuple[str, Cell]]
    columns: int = 2


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    size: float = 9


@dataclass(frozen=True, slots=True)
class Signatures:
    labels: list[str]


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


Block = Table | KeyValues | Text | Signatures | PageBreak


@dataclass(slots=True)
class Document:
    title: str
    meta: ReportMeta
    blocks: list[Block] = field(default_factory=list)
    landscape: bool = False


def cell_text(value: Cell) -> str:
    """One formatter for PDF and CSV: amounts as 1234.56, rates as 95.20%, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return format_yuan(value, grouping=True)
    if isinstance(value, Rate):
        return value.text
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
