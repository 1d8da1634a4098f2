"""ESC/POS byte stream -> what a printer would do with it (for tests, the loopback printer
and the demo): text lines (GB18030 inside `FS &` ... `FS .`), QR payloads, raster images,
cuts, drawer kicks and status queries.

`Parser` is incremental: `feed()` takes any slice of the stream and returns the events whose
bytes are complete, keeping a partial command for the next call, so the loopback printer
can answer a status query (`DLE EOT n`) the moment it arrives, even inside a long job.
Only the commands FeeDesk and python-escpos send are known; anything else becomes an
`unknown` event rather than being guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image, ImageOps

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # text | newline | cut | drawer | qr | image | status | init | style | feed | unknown
    value: object = None


@dataclass
class Image1:
    """A decoded raster image: width x height dots, `bits` rows of 0/1 (1 = black)."""

    width: int
    height: int
    data: bytes

    def to_pil(self) -> Image.Image:
        img = Image.frombytes("1", (self.width, self.height), self.data)
        # In ESC/POS raster a set bit is black; in PIL's mode "1" it is white: invert.
        return ImageOps.invert(img.convert("L"))


class Parser:
    """Incremental ESC/POS parser (see module docstring)."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.chinese = False
        self._qr_data: bytes | None = None

    def feed(self, data: bytes) -> list[Event]:
        self.buf += data
        events: list[Event] = []
        while self.buf:
            n = self._step(events)
            if n == 0:
                break
            del self.buf[:n]
        return events

    # Each step consumes one command or one run of text; returns bytes used (0 = need more).
    def _step(self, ev: list[Event]) -> int:  # noqa: C901 - a flat command table reads best
        b = self.buf
        c = b[0]
        if c == 0x0A:
            ev.append(Event("newline"))
            return 1
        if c == DLE:
            if len(b) < 3:
                return 0
            if b[1] == 0x04:
                ev.append(Event("status", b[2]))
                return 3
            if b[1] == 0x14:  # DLE DC4 fn m t (real-time pulse)
                if len(b) < 5:
                    return 0
                ev.append(Event("drawer", 2 if b[3] == 0 else 5))
                return 5
            ev.append(Event("unknown", bytes(b[:2])))
            return 2
        if c == ESC:
            if len(b) < 2:
                return 0
            op = b[1]
            if op == ord("@"):
                self.chinese = False
                ev.append(Event("init"))
                return 2
            if op in (ord("E"), ord("a"), ord("d"), ord("3"), ord("!"), ord("-"), ord("t"), ord("M"), ord("J")):
                if len(b) < 3:
                    return 0
                kind = "feed" if op in (ord("d"), ord("J")) else "style"
                ev.append(Event(kind, (chr(op), b[2])))
                return 3
            if op == ord("2"):
                ev.append(Event("style", ("2", 0)))
                return 2
            if op == ord("p"):
                if len(b) < 5:
                    return 0
                ev.append(Event("drawer", 2 if b[2] in (0, 48) else 5))
                return 5
            if op == ord("*"):
                if len(b) < 5:
                    return 0
                m, width = b[2], b[3] + 256 * b[4]
                size = width * (3 if m in (32, 33) else 1)
                if len(b) < 5 + size:
                    return 0
                ev.append(Event("image", ("column", width, m)))
                return 5 + size
            ev.append(Event("unknown", bytes(b[:2])))
            return 2
        if c == FS:
            if len(b) < 2:
                return 0
            op = b[1]
            if op == ord("&"):
                self.chinese = True
                return 2
            if op == ord("."):
                self.chinese = False
                return 2
            if op in (ord("!"), ord("-"), ord("C"), ord("W")):
                if len(b) < 3:
                    return 0
                ev.append(Event("style", ("FS" + chr(op), b[2])))
                return 3
            ev.append(Event("unknown", bytes(b[:2])))
            return 2
        if c == GS:
            if len(b) < 2:
                return 0
            op = b[1]
            if op == ord("V"):
                if len(b) < 3:
                    return 0
                m = b[2]
                if m in (65, 66, 97, 98, 103, 104):
                    if len(b) < 4:
                        return 0
                    ev.append(Event("cut", "partial" if m in (66, 98, 104) else "full"))
                    return 4
                ev.append(Event("cut", "partial" if m in (1, 49) else "full"))
                return 3
            if op == ord("!"):
                if len(b) < 3:
                    return 0
                ev.append(Event("style", ("GS!", b[2])))
                return 3
            if op == ord("v"):
                if len(b) < 8:
                    return 0
                xb, yh = b[4] + 256 * b[5], b[6] + 256 * b[7]
                size = xb * yh
                if len(b) < 8 + size:
                    return 0
                ev.append(Event("image", Image1(xb * 8, yh, bytes(b[8:8 + size]))))
                return 8 + size
            if op == ord("(") and len(b) >= 3 and b[2] in (ord("k"), ord("L")):
                if len(b) < 5:
                    return 0
                plen = b[3] + 256 * b[4]
                if len(b) < 5 + plen:
                    return 0
                body = bytes(b[5:5 + plen])
                if b[2] == ord("k") and len(body) >= 2 and body[0] == 49:  # QR (cn = '1')
                    fn = body[1]
                    if fn == 80:  # store data: cn fn m data
                        self._qr_data = body[3:]
                    elif fn == 81 and self._qr_data is not None:
                        ev.append(Event("qr", self._qr_data.decode("utf-8", "replace")))
                        self._qr_data = None
                elif b[2] == ord("L"):
                    ev.append(Event("image", ("graphics", plen)))
                return 5 + plen
            if op == ord("(") and len(b) < 3:
                return 0
            if op in (ord("a"), ord("r"), ord("B"), ord("L"), ord("W"), ord("h"), ord("w"), ord("H"), ord("f")):
                if op == ord("L") or op == ord("W"):
                    if len(b) < 4:
                        return 0
                    return 4
                if len(b) < 3:
                    return 0
                return 3
            ev.append(Event("unknown", bytes(b[:2])))
            return 2
        if c < 0x20:
            return 1  # other control bytes (CR, HT...) print nothing here
        # A run of text up to the next control byte.
        end = 0
        while end < len(b) and b[end] >= 0x20:
            end += 1
        chunk = bytes(b[:end])
        if self.chinese:
            # keep a trailing half of a double-byte character for the next feed
            keep = _incomplete_tail(chunk)
            if keep and end == len(b):
                chunk = chunk[:-keep]
                if not chunk:
                    return 0
            ev.append(Event("text", chunk.decode("gb18030", "replace")))
        else:
            ev.append(Event("text", chunk.decode("ascii", "replace")))
        return len(chunk)


def _incomplete_tail(chunk: bytes) -> int:
    """How many bytes at the end of `chunk` start an unfinished GB18030 character."""
    i = 0
    n = len(chunk)
    while i < n:
        c = chunk[i]
        if c < 0x80:
            i += 1
        elif i + 1 < n and 0x30 <= chunk[i + 1] <= 0x39:
            if i + 3 < n:
                i += 4
            else:
                return n - i
        elif i + 1 < n:
            i += 2
        else:
            return n - i
    return 0


@dataclass
class PrintedReceipt:
    """What one cut-off piece of paper holds."""

    lines: list[str] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    images: list[Image1] = field(default_factory=list)
    drawer_kicks: list[int] = field(default_factory=list)
    cut: str = ""
    big_lines: list[str] = field(default_factory=list)
    #: everything in paper order: ("text", line, style), ("image", Image1), ("qr", payload)
    items: list[tuple] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Decoded:
    receipts: list[PrintedReceipt]  # pieces that were cut off
    tail: PrintedReceipt  # anything printed after the last cut (an unfinished job)
    status_queries: list[int]
    unknown: list[bytes]

    @property
    def cuts(self) -> int:
        return len(self.receipts)

    @property
    def drawer_kicks(self) -> list[int]:
        return [k for r in self.receipts + [self.tail] for k in r.drawer_kicks]

    @property
    def text(self) -> str:
        return "\n\n".join(r.text for r in self.receipts + [self.tail] if r.lines)


def decode(data: bytes) -> Decoded:
    """Decode a whole recorded stream into receipts split at the cuts."""
    events = Parser().feed(data)
    receipts: list[PrintedReceipt] = []
    cur = PrintedReceipt()
    line = ""
    big = line_big = bold = line_bold = False
    status: list[int] = []
    unknown: list[bytes] = []
    for e in events:
        if e.kind == "text":
            line += e.value
            line_big = line_big or big
            line_bold = line_bold or bold
        elif e.kind == "newline":
            cur.lines.append(line)
            if line_big:
                cur.big_lines.append(line)
            cur.items.append(("text", line, "big" if line_big else "bold" if line_bold else "normal"))
            line = ""
            line_big = line_bold = False
        elif e.kind == "style" and e.value[0] == "GS!":
            big = e.value[1] != 0
        elif e.kind == "style" and e.value[0] == "E":
            bold = e.value[1] != 0
        elif e.kind == "qr":
            cur.qr.append(e.value)
            cur.items.append(("qr", e.value))
        elif e.kind == "image":
            if line:
                cur.lines.append(line)
                cur.items.append(("text", line, "normal"))
                line = ""
            if isinstance(e.value, Image1):
                cur.images.append(e.value)
                cur.items.append(("image", e.value))
            cur.lines.append("[图像]")
        elif e.kind == "drawer":
            cur.drawer_kicks.append(e.value)
        elif e.kind == "status":
            status.append(e.value)
        elif e.kind == "unknown":
            unknown.append(e.value)
        elif e.kind == "cut":
            if line:
                cur.lines.append(line)
                cur.items.append(("text", line, "normal"))
                line = ""
            cur.cut = e.value
            receipts.append(cur)
            cur = PrintedReceipt()
    if line:
        cur.lines.append(line)
        cur.items.append(("text", line, "normal"))
    return Decoded(receipts, cur, status, unknown)
