"""XLSX rendering with openpyxl (write-only mode: rows stream to disk, memory stays flat).

Each sheet starts with the report title, site, period, who printed it and when; amounts are
numeric cells (exact decimals of yuan, format 0.00) and rates are numeric percentages, so a
manager can sum and chart them in Excel. The printed page carries 第 &P 页 / 共 &N 页.
No cell is ever a formula: every text cell goes through `safe_cell` (OWASP's leading single
quote before `=`, `+`, `-`, `@`, tab, CR), so an owner named `=HYPERLINK(...)` stays text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.money import Money
from app.reports.document import (
    Cell,
    Document,
    KeyValues,
    PageBreak,
    Signatures,
    Table,
    Text,
    cell_text,
    safe_cell,
)
from app.services.reports import Rate

MONEY_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")


def _value(ws, value: Cell, *, bold: bool = False, fill: PatternFill | None = None) -> WriteOnlyCell:
    if isinstance(value, Money):
        cell = WriteOnlyCell(ws, Decimal(value.fen) / 100)
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, Rate):
        d = value.decimal
        cell = WriteOnlyCell(ws, d if d is not None else "—")
        if d is not None:
            cell.number_format = RATE_FORMAT
    elif isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = "yyyy-mm-dd"
    elif value is None:
        cell = WriteOnlyCell(ws, None)
    else:
        cell = WriteOnlyCell(ws, safe_cell(value))
    if bold:
        cell.font = _BOLD
    if fill is not None:
        cell.fill = fill
    return cell


class _Sheet:
    def __init__(self, wb: Workbook, name: str, doc: Document, columns: list | None):
        self.ws = wb.create_sheet(title=name[:31])
        # write-only sheets write their column widths before the first row
        for i, col in enumerate(columns or [], start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = max(8, min(60, col.width * 11))
        self.doc = doc
        self.ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
        self.ws.oddHeader.left.text = doc.meta.site
        self.ws.oddHeader.right.text = f"打印人：{doc.meta.printed_by} {doc.meta.printed_at}"
        self.ws.page_setup.orientation = "landscape" if doc.landscape else "portrait"
        self.ws.page_setup.paperSize = "9"  # A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.row = 0
        title = _value(self.ws, doc.title)
        title.font = _TITLE
        self.append([title])
        self.append([f"单位：{doc.meta.site}", f"期间：{doc.meta.period}"])
        self.append([f"打印人：{doc.meta.printed_by}", f"打印时间：{doc.meta.printed_at}"])
        self.append([])

    def append(self, cells: list) -> None:
        self.ws.append(cells)
        self.row += 1

    def table(self, t: Table) -> None:
        if t.title:
            self.append([_value(self.ws, t.title, bold=True)])
        head = []
        for col in t.columns:
            c = _value(self.ws, col.title, bold=True, fill=_HEAD_FILL)
            c.alignment = Alignment(horizontal="center")
            head.append(c)
        self.append(head)
        if self.ws.print_title_rows is None:
            self.ws.print_title_rows = f"{self.row}:{self.row}"
        for r in t.rows:
            self.append([_value(self.ws, v) for v in r])
        total = t.total() if callable(t.total) else t.total
        if total is not None:
            self.append([_value(self.ws, v, bold=True) for v in total])
        self.append([])


def render(doc: Document, path: str | Path) -> None:
    """Write `doc` as an XLSX workbook: a table with `sheet` set opens a new sheet."""
    wb = Workbook(write_only=True)
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    sheet = _Sheet(wb, doc.title, doc, tables[0].columns if tables else None)
    for block in doc.blocks:
        if isinstance(block, Table):
            if block.sheet:
                sheet = _Sheet(wb, block.sheet, doc, block.columns)
            sheet.table(block)
        elif isinstance(block, KeyValues):
            for label, value in block.pairs:
                sheet.append([_value(sheet.ws, label), _value(sheet.ws, value)])
            sheet.append([])
        elif isinstance(block, Text):
            sheet.append([_value(sheet.ws, block.text)])
        elif isinstance(block, Signatures):
            sheet.append([])
            sheet.append([f"{label}：" for label in block.labels])
        elif isinstance(block, PageBreak):
            continue
    wb.save(str(path))


def text_of(value: Cell) -> str:
    return cell_text(value)
