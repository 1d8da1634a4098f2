"""Reading what the reports wrote, as a manager would: PDF text layer, PDF fonts, XLSX cells."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader


def pdf_text(path: str | Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def pdf_pages(path: str | Path) -> int:
    return len(PdfReader(str(path)).pages)


def pdf_fonts(path: str | Path) -> list[tuple[str, bool]]:
    """(base font name, embedded?) of every font used on any page."""
    out = {}
    for page in PdfReader(str(path)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            name = str(font["/BaseFont"])
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            out[name] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return sorted(out.items())


def assert_cjk_font_embedded(path: str | Path) -> None:
    fonts = pdf_fonts(path)
    assert fonts, "no fonts"
    assert all("WenQuanYi" in name and embedded for name, embedded in fonts), fonts


def xlsx_rows(path: str | Path, sheet: str | None = None) -> list[list]:
    wb = load_workbook(str(path), read_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def xlsx_row(path: str | Path, first: str, sheet: str | None = None) -> list:
    """The row whose first cell is `first`."""
    for row in xlsx_rows(path, sheet):
        if row and row[0] == first:
            return row
    raise AssertionError(f"no row starting with {first!r}")


def cents(value) -> int:
    """An XLSX money cell (a number of yuan) as fen, exactly."""
    return int((Decimal(str(value)) * 100).to_integral_value())
