"""Previews of a receipt for the screen, the docs and tests: plain text and PNG.

Both draw the same layout as the printer (`layout.layout_receipt`), the PNG with the bundled
font on the printer's own dot grid, so what the cashier sees is what the paper shows.
These functions are pure and thread-safe: the UI may call them off the GUI thread.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from app.printing import raster
from app.printing.layout import ReceiptLayout, layout_receipt
from app.services.desk.receipts import ReceiptDoc


def render_preview_text(doc: ReceiptDoc, width_mm: int = 80, **marks) -> str:
    """The receipt as plain text, one printed line per line (`marks`: reprint_count,
    late_print, printed_at as in `layout_receipt`)."""
    return layout_text(layout_receipt(doc, width_mm=width_mm, **marks))


def layout_text(layout: ReceiptLayout) -> str:
    return "\n".join(line.rstrip() for line in layout.text_lines()) + "\n"


def layout_png(layout: ReceiptLayout, *, margin: int = 16, border: bool = True) -> bytes:
    img = raster.render_layout(layout, margin=margin)
    if border:
        img = ImageOps.expand(img, border=1, fill=200)
    buf = io.BytesIO()
    img.convert("L").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def render_preview_png(doc: ReceiptDoc, width_mm: int = 80, **marks) -> bytes:
    """The receipt as a PNG (384 or 576 dots wide plus a margin), bundled font."""
    return layout_png(layout_receipt(doc, width_mm=width_mm, **marks))


def paper_png(paper, columns: int = 48) -> bytes:
    """What a printer would put on paper for a decoded piece (`decode.PrintedReceipt`), as a
    PNG: text lines on the printer's grid, raster images and QR codes as sent. The loopback
    printer uses it to let a person look at what FeeDesk printed."""
    from app.printing.layout import Line

    dots = raster.DOTS[columns]
    parts: list[Image.Image] = []
    for item in paper.items:
        if item[0] == "text":
            text, style = item[1], item[2]
            img = Image.new(
                "L", (dots * (2 if style == "big" else 1), raster.LINE_H * (2 if style == "big" else 1)), 255
            )
            raster.draw_line(img, Line(text, style), 0)
            parts.append(img.crop((0, 0, dots, img.height)))
        elif item[0] == "image":
            parts.append(item[1].to_pil().crop((0, 0, min(dots, item[1].width), item[1].height)))
        elif item[0] == "qr":
            parts.append(raster.qr_image(item[1], dots))
    height = sum(p.height for p in parts) or raster.LINE_H
    page = Image.new("L", (dots + 32, height + 32), 255)
    y = 16
    for p in parts:
        page.paste(p, (16, y))
        y += p.height
    buf = io.BytesIO()
    ImageOps.expand(page, border=1, fill=200).save(buf, format="PNG", optimize=True)
    return buf.getvalue()
