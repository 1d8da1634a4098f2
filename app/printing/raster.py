"""Raster rendering of the receipt layout with the bundled font (Pillow).

One renderer serves the printer's image mode (the whole receipt as a raster), the image
fallback of single lines whose characters the printer's font lacks, and the PNG preview.
Text is drawn on the printer's own cell grid (12 dots per cell, 24-dot glyphs, 30-dot
lines), so the picture lines up exactly like the printed text. Callers must not draw text
with a proportional layout of their own: columns would stop lining up.
"""

from __future__ import annotations

from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont

from app.config import font_path
from app.printing.layout import Line, QrBlock, ReceiptLayout

CELL = 12  # dots per cell (font A on 203 dpi Chinese printers: 12x24, CJK 24x24)
GLYPH = 24
LINE_H = 30
DOTS = {32: 384, 48: 576}


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size, index=0)


@lru_cache(maxsize=4096)
def _glyph(ch: str, scale: int) -> Image.Image:
    """The ink mask ('L', 255 = black) of one character, exactly its cells wide."""
    width = (1 if ord(ch) < 0x80 else 2) * CELL * scale
    height = LINE_H * scale
    size = GLYPH * scale
    font = _font(size if ord(ch) >= 0x80 else size - 2 * scale)
    advance = font.getlength(ch)
    canvas_w = max(width, int(advance) + 2)
    img = Image.new("L", (canvas_w, height), 0)
    draw = ImageDraw.Draw(img)
    top = (height - size) // 2
    draw.text(((canvas_w - advance) / 2, top), ch, font=font, fill=255)
    if canvas_w != width:  # a wide ASCII glyph (W, M, @) is squeezed into its cell
        img = img.resize((width, height), Image.Resampling.LANCZOS)
    return img


def draw_line(img: Image.Image, line: Line, y: int, *, x0: int = 0, bold_offset: bool = True) -> int:
    """Draw one layout line at `y`; return the next line's y."""
    scale = 2 if line.big else 1
    x = x0
    for ch in line.text:
        g = _glyph(ch, scale)
        if ch != " ":
            img.paste(0, (x, y, x + g.width, y + g.height), g)
            if line.bold and bold_offset:
                img.paste(0, (x + 1, y, x + 1 + g.width, y + g.height), g)
        x += g.width
    return y + LINE_H * scale


def qr_image(payload: str, dots: int) -> Image.Image:
    """The QR code as a black-on-white 'L' image, centred on a `dots` wide strip."""
    q = qrcode.QRCode(version=None, box_size=6 if dots >= 576 else 5, border=2,
                      error_correction=qrcode.constants.ERROR_CORRECT_M)
    q.add_data(payload)
    q.make(fit=True)
    code = q.make_image().get_image().convert("L")
    strip = Image.new("L", (dots, code.height), 255)
    strip.paste(code, ((dots - code.width) // 2, 0))
    return strip


def render_line(line: Line, columns: int) -> Image.Image:
    """One line as a printer-width image (the fallback for characters the font lacks)."""
    dots = DOTS[columns]
    img = Image.new("L", (dots, LINE_H * (2 if line.big else 1)), 255)
    draw_line(img, line, 0)
    return img


def render_layout(layout: ReceiptLayout, *, margin: int = 0) -> Image.Image:
    """The whole receipt as one 'L' image, `DOTS[columns]` wide (plus `margin` each side)."""
    dots = DOTS[layout.columns]
    qrs = {i: qr_image(b.payload, dots) for i, b in enumerate(layout.blocks) if isinstance(b, QrBlock)}
    height = sum(qrs[i].height if i in qrs else LINE_H * (2 if b.big else 1)
                 for i, b in enumerate(layout.blocks))
    img = Image.new("L", (dots + 2 * margin, height + 2 * margin), 255)
    y = margin
    for i, b in enumerate(layout.blocks):
        if i in qrs:
            img.paste(qrs[i], (margin, y))
            y += qrs[i].height
        else:
            y = draw_line(img, b, y, x0=margin)
    return img


