"""CSV rendering: the tables of a `Document`, UTF-8 with BOM (Excel on Chinese Windows opens it).

A title line, the meta lines (site, period, who printed it and when), then each table with
its header; amounts are plain 1234.56 (no grouping) so spreadsheets read them as numbers.
Every text cell goes through `safe_cell` (a name typed as `=cmd|...` is written `'=cmd|...`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from app.money import Money, format_yuan
from app.reports.document import Cell, Document, KeyValues, Table, cell_text, safe_cell


def _plain(value: Cell) -> str:
    if isinstance(value, Money):
        return format_yuan(value)
    return cell_text(safe_cell(value))


def render(doc: Document, path: str | Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([_plain(doc.title)])
        w.writerow([f"单位：{doc.meta.site}", f"期间：{doc.meta.period}", f"打印人：{doc.meta.printed_by}",
                    f"打印时间：{doc.meta.printed_at}"])
        for block in doc.blocks:
            if isinstance(block, Table):
                w.writerow([])
                if block.title:
                    w.writerow([_plain(block.title)])
                w.writerow([_plain(c.title) for c in block.columns])
                for row in block.rows:
                    w.writerow([_plain(v) for v in row])
                total = block.total() if callable(block.total) else block.total
                if total is not None:
                    w.writerow([_plain(v) for v in total])
            elif isinstance(block, KeyValues):
                for label, value in block.pairs:
                    w.writerow([_plain(label), _plain(value)])


def render_rows(columns: list[str], rows: list[list[Cell]], path: str | Path) -> None:
    """A bare table (one header line, then the rows) for programs that import CSV, such as an
    SMS platform: no title or meta lines. Cells go through the same `_plain` as reports."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for row in rows:
            w.writerow([_plain(v) for v in row])
