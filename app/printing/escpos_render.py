"""Receipt layout -> ESC/POS bytes for Chinese thermal printers (pure; no device I/O).

python-escpos 3.1 does not print Chinese reliably (it sends raw GB18030 only on lines with
an ideograph, loses full-width punctuation elsewhere and sends `¥` as bytes GBK printers
print as garbage), so the text path is written here: every text line is sent in the
printer's Chinese mode (`FS &` ... `FS .`) encoded with the profile's encoding (GB2312,
GBK or GB18030), `¥` is printed as `￥`, and a line holding a character the printer's
encoding lacks (a rare name such as 喆 on a GB2312 printer) is sent as a raster image of
that line. QR codes (native `GS ( k`) and raster images (`GS v 0`) are produced by
python-escpos's own command writers on a `Dummy` printer. Image mode sends the whole receipt
as a raster rendered with the bundled font, for printers without a Chinese font.

Callers must not add their own cut or drawer commands: one job is one receipt with exactly
one cut, and the drawer kick is part of the job when the payment took cash.
"""

from __future__ import annotations

from dataclasses import dataclass

from escpos.constants import CD_KICK_2, CD_KICK_5, PAPER_FULL_CUT, PAPER_PART_CUT, QR_ECLEVEL_M
from escpos.printer import Dummy
from PIL import Image

from app.printing import raster
from app.printing.layout import Line, QrBlock, ReceiptLayout, columns_for

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
INIT = ESC + b"@"
CN_ON, CN_OFF = FS + b"&", FS + b"."
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
BIG_ON = GS + b"!\x11" + FS + b"!\x0c"  # double width+height for ASCII (GS !) and Chinese (FS !)
BIG_OFF = GS + b"!\x00" + FS + b"!\x00"
ALIGN_LEFT, ALIGN_CENTER = ESC + b"a\x00", ESC + b"a\x01"
ENCODINGS = ("gb18030", "gbk", "gb2312")
#: Same-width substitutions for characters some printer fonts lack.
_SUBSTITUTE = {"¥": "￥", "\u00a0": " ", "㎡": "m2"}
# python-escpos profiles whose media width matches our paper (image width checks, QR size).
_ESCPOS_PROFILE = {58: "POS-5890", 80: "TM-T20II"}


@dataclass(frozen=True, slots=True)
class PrintProfile:
    """How one printer wants its receipts: paper, encoding, text or image, cut, drawer, QR."""

    width_mm: int = 80
    encoding: str = "gb18030"  # gb18030 | gbk | gb2312
    mode: str = "text"  # text | image
    cut: str = "partial"  # full | partial | none
    drawer_pin: int = 2  # 2 | 5
    qr: str = "native"  # native | image

    @property
    def columns(self) -> int:
        return columns_for(self.width_mm)

    @property
    def dots(self) -> int:
        return raster.DOTS[self.columns]


def encode_line(text: str, encoding: str) -> bytes | None:
    """The line's bytes in the printer's encoding, or None when a character is missing."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode(encoding))
        except UnicodeEncodeError:
            sub = _SUBSTITUTE.get(ch)
            if sub is None:
                return None
            try:
                out.append(sub.encode(encoding))
            except UnicodeEncodeError:
                return None
    return b"".join(out)


def _normalise(text: str) -> str:
    return text.replace("¥", "￥").replace("\u00a0", " ")


def drawer_kick(pin: int) -> bytes:
    if pin not in (2, 5):
        raise ValueError("drawer pin must be 2 or 5")
    return CD_KICK_2 if pin == 2 else CD_KICK_5


def cut_bytes(mode: str) -> bytes:
    feed = ESC + b"d\x04"
    if mode == "none":
        return feed
    return feed + (PAPER_FULL_CUT if mode == "full" else PAPER_PART_CUT)


def _dummy(profile: PrintProfile) -> Dummy:
    return Dummy(profile=_ESCPOS_PROFILE[profile.width_mm])


def image_bytes(img: Image.Image, profile: PrintProfile) -> bytes:
    """A raster image (`GS v 0`, split in bands of 960 dots) via python-escpos."""
    d = _dummy(profile)
    d.image(img, impl="bitImageRaster", fragment_height=960)
    return d.output


def _text_line(line: Line, profile: PrintProfile) -> bytes:
    text = _normalise(line.text)
    data = encode_line(text, profile.encoding)
    if data is None:
        return image_bytes(raster.render_line(Line(text, line.style), profile.columns), profile)
    pre, post = b"", b""
    if line.big:
        pre, post = BIG_ON + BOLD_ON, BOLD_OFF + BIG_OFF
    elif line.bold:
        pre, post = BOLD_ON, BOLD_OFF
    return pre + CN_ON + data + CN_OFF + post + LF


def _qr(payload: str, profile: PrintProfile) -> bytes:
    if profile.qr == "native":
        d = _dummy(profile)
        d.qr(payload, ec=QR_ECLEVEL_M, size=6 if profile.width_mm == 80 else 5, native=True)
        return ALIGN_CENTER + d.output + LF + ALIGN_LEFT
    return image_bytes(raster.qr_image(payload, profile.dots), profile)


def render_receipt(layout: ReceiptLayout, profile: PrintProfile, *, open_drawer: bool = False) -> list[bytes]:
    """The job as byte chunks: [drawer kick], receipt body pieces, feed and cut.

    The drawer kick, when asked for, is the first chunk after the printer reset, so the
    drawer opens while the receipt prints and a sender can tell whether it went out.
    """
    if layout.columns != profile.columns:
        raise ValueError("layout width does not match the printer's paper")
    chunks = [INIT]
    if open_drawer:
        chunks.append(drawer_kick(profile.drawer_pin))
    if profile.mode == "image":
        chunks.append(image_bytes(raster.render_layout(layout), profile))
    else:
        body = bytearray()
        for block in layout.blocks:
            if isinstance(block, QrBlock):
                body += _qr(block.payload, profile)
            else:
                body += _text_line(block, profile)
            if len(body) > 4096:
                chunks.append(bytes(body))
                body = bytearray()
        if body:
            chunks.append(bytes(body))
    chunks.append(cut_bytes(profile.cut))
    return chunks


def render_drawer_only(profile: PrintProfile) -> list[bytes]:
    """An explicit "open drawer": reset and kick, no paper."""
    return [INIT, drawer_kick(profile.drawer_pin)]
