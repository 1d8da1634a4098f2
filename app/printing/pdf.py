"""PDF receipts (reportlab) for sites that print on ordinary printers.

Paper: `a5` (148 x 210 mm) or `continuous` (241 mm wide continuous form, as long as the
receipt). The bundled CJK font (WenQuanYi Micro Hei, the first face of the .ttc) is embedded
as a subset, so the PDF looks the same on any machine. The receipt is the same layout as on
the thermal printer, placed on the 48-cell grid: text runs start at their cell and amounts
end at the right edge, so columns line up and text stays extractable.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from app.config import font_path
from app.printing import raster
from app.printing.layout import Line, QrBlock, cells, layout_receipt
from app.services.desk.receipts import ReceiptDoc

FONT = "WenQuanYiMicroHei"
PAPERS = ("a5", "continuous")


@lru_cache(maxsize=1)
def register_font() -> str:
    pdfmetrics.registerFont(TTFont(FONT, str(font_path()), subfontIndex=0))
    return FONT


def _runs(text: str) -> list[tuple[int, str]]:
    """Split a laid-out line into (start cell, text) runs separated by 2+ spaces."""
    out = []
    col = 0
    for part in re.split(r"( {2,})", text):
        if part and not part.startswith("  "):
            out.append((col, part))
        col += cells(part)
    return out


def receipt_pdf(doc: ReceiptDoc, *, paper: str = "a5", reprint_count: int = 0, late_print: bool = False,
                printed_at: str = "") -> bytes:
    """The receipt as PDF bytes."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {PAPERS}")
    font = register_font()
    layout = layout_receipt(doc, width_mm=80, reprint_count=reprint_count, late_print=late_print,
                            printed_at=printed_at)
    margin = 12 * mm
    width = A5[0] if paper == "a5" else 241 * mm
    text_w = (84 if paper == "a5" else 110) * mm
    left = (width - text_w) / 2
    cell = text_w / layout.columns
    size = cell * 2 * 0.95  # a CJK glyph fills two cells
    line_h = size * 1.2
    qr_side = 22 * mm
    body_h = sum(qr_side + 2 * mm if isinstance(b, QrBlock) else line_h * (2 if b.big else 1)
                 for b in layout.blocks)
    height = A5[1] if paper == "a5" else max(body_h + 2 * margin + 2 * mm, 93 * mm)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1)
    c.setTitle(f"{doc.title} {doc.receipt_no}")
    c.setAuthor(doc.site_name)
    c.setCreator("FeeDesk")
    y = height - margin
    for b in layout.blocks:
        if isinstance(b, QrBlock):
            if y - qr_side < margin:
                c.showPage()
                y = height - margin
            from reportlab.lib.utils import ImageReader

            img = raster.qr_image(b.payload, 576)
            side = img.height
            crop = img.crop(((576 - side) // 2, 0, (576 - side) // 2 + side, side))
            c.drawImage(ImageReader(crop), width / 2 - qr_side / 2, y - qr_side, qr_side, qr_side)
            y -= qr_side + 2 * mm
            continue
        scale = 2 if b.big else 1
        h = line_h * scale
        if y - h < margin:
            c.showPage()
            y = height - margin
        y -= h
        c.setFont(font, size * scale)
        _draw_line(c, b, left, y + (h - size * scale) * 0.4, cell * scale, layout.columns // scale)
    c.showPage()
    c.save()
    return buf.getvalue()


def _draw_line(c: canvas.Canvas, line: Line, left: float, y: float, cell: float, columns: int) -> None:
    text = line.text
    width = cells(text)
    font, size = c._fontname, c._fontsize
    for start, run in _runs(text):
        end = start + cells(run)
        x = left + start * cell
        if end == width and width == columns and start > 0:  # an amount: flush right
            x = left + end * cell - pdfmetrics.stringWidth(run, font, size)
        t = c.beginText(x, y)
        t.setFont(font, size)
        if line.bold:  # fill + stroke: bold without a second font, text stays extractable once
            c.setLineWidth(size * 0.03)
            t.setTextRenderMode(2)
        t.textOut(run)
        c.drawText(t)
