"""PDF rendering with reportlab: any `Document`, and the 催缴通知单 letters.

Drawn directly on a canvas (no platypus story), one row at a time, so a 20,000-row table or
2,000 notices stream through with flat memory and in seconds. Every page carries the
site, period, who printed it and when, and 第 n 页 / 共 N 页 (pages are kept as content
streams until the total is known). The bundled WenQuanYi Micro Hei is embedded (subset)
in every PDF, so Chinese prints the same everywhere and extracts from the text layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from app import config
from app.money import Money, format_yuan
from app.reports.document import (
    Cell,
    Column,
    Document,
    KeyValues,
    PageBreak,
    Signatures,
    Table,
    Text,
    cell_text,
)
from app.services.reports import ReportMeta

FONT = "WQY"
MARGIN = 14 * mm
ROW_H = 5.6 * mm
BODY = 8.5


def register_font() -> str:
    """Register the bundled CJK font with reportlab once; returns its name."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(config.font_path()), subfontIndex=0))
    return FONT


_CHAR_WIDTH: dict[str, float] = {}


def _char_width(ch: str) -> float:
    """Width of one character at size 1 (cached: the font's metrics never change)."""
    w = _CHAR_WIDTH.get(ch)
    if w is None:
        w = _CHAR_WIDTH[ch] = pdfmetrics.stringWidth(ch, FONT, 1)
    return w


def text_width(text: str, size: float) -> float:
    return sum(_char_width(ch) for ch in text) * size


def fit(text: str, width: float, size: float) -> str:
    """Cut `text` to `width` points with an ellipsis (never overprints the next column)."""
    limit = width / size
    total = 0.0
    for ch in text:
        total += _char_width(ch)
    if total <= limit:
        return text
    room = limit - _char_width("…")
    used = 0.0
    for i, ch in enumerate(text):
        used += _char_width(ch)
        if used > room:
            return text[:i] + "…"
    return text


def wrap(text: str, width: float, size: float) -> list[str]:
    """Break text into lines of at most `width` points (Chinese breaks anywhere)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        used = 0.0
        for ch in para:
            w = _char_width(ch) * size
            if used + w > width and line:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        lines.append(line)
    return lines


class _NumberedCanvas(canvas.Canvas):
    """Keeps each page until `save` so the footer can say 共 N 页."""

    def __init__(self, *args, meta: ReportMeta, **kw):
        super().__init__(*args, **kw)
        self._pages: list[dict] = []
        self._meta = meta

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for n, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._footer(n, total)
            super().showPage()
        super().save()

    def _footer(self, n: int, total: int) -> None:
        w, _h = self._pagesize
        self.setFont(FONT, 7.5)
        self.setFillGray(0.25)
        self.drawString(MARGIN, 8 * mm, f"打印人：{self._meta.printed_by}　打印时间：{self._meta.printed_at}")
        self.drawCentredString(w / 2, 8 * mm, f"第 {n} 页 / 共 {total} 页")
        self.drawRightString(w - MARGIN, 8 * mm, self._meta.site)
        self.setFillGray(0)


class PdfWriter:
    """A cursor over pages: blocks are drawn top-down; a new page repeats the running header."""

    def __init__(self, path: str | Path, meta: ReportMeta, title: str, *, landscape_page: bool = False):
        register_font()
        self.meta, self.title = meta, title
        self.size = landscape(A4) if landscape_page else A4
        self.c = _NumberedCanvas(str(path), pagesize=self.size, meta=meta, pageCompression=1, initialFontName=FONT)
        self.c.setTitle(f"{title} {meta.period}".strip())
        self.c.setAuthor(meta.site)
        self.c.setCreator("FeeDesk 收费台")
        self.width = self.size[0] - 2 * MARGIN
        self.y = 0.0
        self.page = 0
        self._new_page(first=True)

    # -- pages --------------------------------------------------------------------------
    def _new_page(self, first: bool = False) -> None:
        if not first:
            self.c.showPage()
        self.page += 1
        w, h = self.size
        c = self.c
        y = h - MARGIN
        if first:
            c.setFont(FONT, 16)
            c.drawCentredString(w / 2, y - 12, self.title)
            y -= 24
            c.setFont(FONT, 8.5)
            line = f"单位：{self.meta.site}　　期间：{self.meta.period}"
            c.drawString(MARGIN, y - 10, line)
            c.drawRightString(w - MARGIN, y - 10, f"打印人：{self.meta.printed_by}　打印时间：{self.meta.printed_at}")
            y -= 16
        else:
            c.setFont(FONT, 8)
            c.drawString(MARGIN, y - 8, f"{self.title}（续）")
            c.drawRightString(w - MARGIN, y - 8, f"{self.meta.site}　期间：{self.meta.period}")
            y -= 12
        c.setLineWidth(0.6)
        c.line(MARGIN, y, w - MARGIN, y)
        self.y = y - 4

    def need(self, height: float) -> bool:
        """Start a new page unless `height` points fit; True if a page was started."""
        if self.y - height < 14 * mm:
            self._new_page()
            return True
        return False

    # -- blocks -------------------------------------------------------------------------
    def text(self, text: str, size: float = 9) -> None:
        for line in wrap(text, self.width, size):
            self.need(size * 1.5)
            self.c.setFont(FONT, size)
            self.c.drawString(MARGIN, self.y - size, line)
            self.y -= size * 1.5
        self.y -= 2

    def key_values(self, pairs: list[tuple[str, Cell]], columns: int = 2) -> None:
        col_w = self.width / columns
        for i in range(0, len(pairs), columns):
            self.need(ROW_H)
            for j, (label, value) in enumerate(pairs[i:i + columns]):
                x = MARGIN + j * col_w
                self.c.setFont(FONT, BODY)
                self.c.setFillGray(0.3)
                self.c.drawString(x, self.y - BODY - 2, f"{label}：")
                self.c.setFillGray(0)
                lw = text_width(f"{label}：", BODY)
                self.c.drawString(x + lw, self.y - BODY - 2, fit(cell_text(value), col_w - lw - 4, BODY))
            self.y -= ROW_H
        self.y -= 4

    def table(self, columns: list[Column], rows: Iterable[list[Cell]], total=None,
              title: str = "") -> int:
        """Draw a table with a repeated header; returns the number of body rows drawn."""
        weights = sum(col.width for col in columns)
        widths = [self.width * col.width / weights for col in columns]
        if title:
            self.need(ROW_H * 3)
            self.c.setFont(FONT, 10)
            self.c.drawString(MARGIN, self.y - 11, title)
            self.y -= 15
        self.need(ROW_H * 2)
        self._header(columns, widths)
        count = 0
        for row in rows:
            if self.need(ROW_H):
                self._header(columns, widths)
            self._row(columns, widths, row, shade=count % 2 == 1)
            count += 1
        if callable(total):
            total = total()
        if total is not None:
            if self.need(ROW_H):
                self._header(columns, widths)
            self._row(columns, widths, total, shade=False, bold=True)
        self.y -= 6
        return count

    def _header(self, columns: list[Column], widths: list[float]) -> None:
        c = self.c
        c.setFillGray(0.85)
        c.rect(MARGIN, self.y - ROW_H, self.width, ROW_H, stroke=0, fill=1)
        c.setFillGray(0)
        c.setFont(FONT, BODY)
        x = MARGIN
        for col, w in zip(columns, widths, strict=True):
            c.drawCentredString(x + w / 2, self.y - ROW_H + 4.5, fit(col.title, w - 3, BODY))
            x += w
        self.y -= ROW_H

    def _row(self, columns: list[Column], widths: list[float], row: list[Cell], *, shade: bool,
             bold: bool = False) -> None:
        c = self.c
        if shade or bold:
            c.setFillGray(0.95 if shade else 0.88)
            c.rect(MARGIN, self.y - ROW_H, self.width, ROW_H, stroke=0, fill=1)
            c.setFillGray(0)
        if bold:
            c.setLineWidth(0.5)
            c.line(MARGIN, self.y, MARGIN + self.width, self.y)
        c.setFont(FONT, BODY)
        x = MARGIN
        base = self.y - ROW_H + 4.5
        for col, w, value in zip(columns, widths, row, strict=True):
            text = fit(cell_text(value), w - 4, BODY)
            align = col.align
            if align == "r":
                c.drawRightString(x + w - 2, base, text)
            elif align == "c":
                c.drawCentredString(x + w / 2, base, text)
            else:
                c.drawString(x + 2, base, text)
            x += w
        self.y -= ROW_H

    def signatures(self, labels: list[str]) -> None:
        self.need(ROW_H * 4)
        self.y -= ROW_H
        col_w = self.width / len(labels)
        self.c.setFont(FONT, 9.5)
        for i, label in enumerate(labels):
            x = MARGIN + i * col_w
            self.c.drawString(x, self.y - 10, f"{label}：")
            lw = text_width(f"{label}：", 9.5)
            self.c.line(x + lw, self.y - 12, x + col_w - 10, self.y - 12)
        self.y -= ROW_H * 2

    def save(self) -> int:
        pages = self.page
        self.c.showPage()
        self.c.save()
        return pages


def render(doc: Document, path: str | Path) -> int:
    """Write `doc` as a PDF; returns the number of pages."""
    w = PdfWriter(path, doc.meta, doc.title, landscape_page=doc.landscape)
    for block in doc.blocks:
        if isinstance(block, Table):
            w.table(block.columns, block.rows, block.total, block.title)
        elif isinstance(block, KeyValues):
            w.key_values(block.pairs, block.columns)
        elif isinstance(block, Text):
            w.text(block.text, block.size)
        elif isinstance(block, Signatures):
            w.signatures(block.labels)
        elif isinstance(block, PageBreak):
            w._new_page()
    return w.save()


# ---- 催缴通知单 and 缴费通知单: one A4 letter per account --------------------------------

@dataclass(frozen=True, slots=True)
class _Letter:
    """What differs between the letters: the texts, the table, the notes and the tear-off line."""

    title: str
    intro: str
    columns: list[tuple[str, float, str]]  # (title, share of the width, l|c|r)
    rows: list[list[str]]
    amounts: list[int]  # each row's amount, for the "其他 N 笔" line of a long list
    total_row: list[str]
    amount_label: str  # 欠费合计 / 应缴合计
    notes: list[str]
    receipt_line: str


def _render_letters(letters: Iterable, path: str | Path, meta: ReportMeta, title: str, empty: str,
                    to_letter) -> int:
    register_font()
    c = _NumberedCanvas(str(path), pagesize=A4, meta=meta, pageCompression=1, initialFontName=FONT)
    c.setTitle(f"{title} {meta.period}")
    c.setAuthor(meta.site)
    c.setCreator("FeeDesk 收费台")
    count = 0
    for notice in letters:
        if count:
            c.showPage()
        _draw_letter(c, notice, to_letter(notice))
        count += 1
    if count == 0:
        c.setFont(FONT, 12)
        c.drawCentredString(A4[0] / 2, A4[1] / 2, empty)
    c.showPage()
    c.save()
    return count


def render_notices(notices: Iterable, path: str | Path, meta: ReportMeta) -> int:
    """One A4 催缴通知单 per account (`dunning.NoticeDoc`s); returns the number of notices."""
    return _render_letters(notices, path, meta, "催缴通知单", "本次催缴没有符合条件的缴费户", _dunning_letter)


def render_bill_notices(notices: Iterable, path: str | Path, meta: ReportMeta) -> int:
    """One A4 缴费通知单 per account (`bill_notices.BillNotice`s); returns the number of notices."""
    return _render_letters(notices, path, meta, "缴费通知单", "本期没有需要通知的缴费户", _bill_letter)


def _money(fen: int) -> str:
    return format_yuan(fen, grouping=True)


def _dunning_letter(n) -> _Letter:
    notes = [f"缴费地点：{n.pay_where}", f"缴费方式：{n.pay_how}", f"咨询电话：{n.hotline or '请向物业服务中心查询'}"]
    if n.late_fee_note:
        notes.append(n.late_fee_note)
    notes.append("如对费用有异议，请于收到本通知后 7 日内到物业服务中心核对。")
    return _Letter(
        "催 缴 通 知 单",
        f"　　截至 {n.as_of.isoformat()}，经核对，您户尚有以下费用未缴纳，最早一笔已逾期 {n.days_overdue} 天。"
        f"请于 {n.pay_by.isoformat()} 前缴清。如您已缴费，请忽略本通知并妥善保管收据。",
        [("收费项目", 0.26, "l"), ("所属期间", 0.18, "c"), ("到期日", 0.18, "c"), ("逾期天数", 0.14, "r"),
         ("欠费金额(元)", 0.24, "r")],
        [[it.fee, it.period or "—", it.due_date.isoformat(), str(it.days_overdue), _money(it.outstanding)]
         for it in n.items],
        [it.outstanding for it in n.items], ["合计", "", "", "", _money(n.total)], "欠费合计", notes,
        f"送达回执　通知单号：{n.notice_no}　缴费户：{n.account_code} {n.owner}　欠费：{_money(n.total)} 元")


def _bill_letter(n) -> _Letter:
    year, month = n.period.split("-")
    intro = (f"　　您户 {int(year)} 年 {int(month)} 月应缴费用如下"
             + (f"，另有往期未缴 {_money(n.arrears_total)} 元" if n.arrears_total else "")
             + f"。请于 {n.pay_by.month} 月 {n.pay_by.day} 日前缴清（{n.pay_by.isoformat()}）。"
             "如您已缴费，请忽略本通知并妥善保管收据。")
    notes = [f"缴费地点：{n.pay_where}（{n.hours}）", f"缴费方式：{n.pay_how}",
             f"咨询电话：{n.hotline or '请向物业服务中心查询'}",
             "如对费用有异议，请于收到本通知后 7 日内到物业服务中心核对。"]
    return _Letter(
        "缴 费 通 知 单", intro,
        [("收费项目", 0.26, "l"), ("所属期间", 0.18, "c"), ("到期日", 0.18, "c"), ("类别", 0.14, "c"),
         ("应缴金额(元)", 0.24, "r")],
        [[it.fee, it.period or "—", it.due_date.isoformat(), "本期" if it.current else "往期未缴", _money(it.amount)]
         for it in n.items],
        [it.amount for it in n.items], ["合计", "", "", "", _money(n.total)], "应缴合计", notes,
        f"送达回执　通知单号：{n.notice_no}　缴费户：{n.account_code} {n.owner}　应缴：{_money(n.total)} 元")


def _draw_letter(c: canvas.Canvas, n, letter: _Letter) -> None:
    w, h = A4
    x0, x1 = MARGIN + 6 * mm, w - MARGIN - 6 * mm
    y = h - MARGIN - 6 * mm
    c.setFont(FONT, 20)
    c.drawCentredString(w / 2, y - 18, letter.title)
    y -= 30
    c.setFont(FONT, 9)
    c.drawString(x0, y - 10, f"通知单号：{n.notice_no}")
    c.drawRightString(x1, y - 10, f"日期：{n.issued_on.isoformat()}")
    y -= 22
    c.setFont(FONT, 11.5)
    who = f"{n.address}（{n.account_code}）" if n.address != n.account_code else n.account_code
    c.drawString(x0, y - 12, f"尊敬的 {who} 业主/住户 {n.owner}：")
    y -= 24
    c.setFont(FONT, 10.5)
    for line in wrap(letter.intro, x1 - x0, 10.5):
        c.drawString(x0, y - 11, line)
        y -= 16
    y -= 6
    cols = letter.columns
    widths = [(x1 - x0) * f for _, f, _ in cols]
    rh = 6.6 * mm
    max_rows = 18
    rows = letter.rows
    shown = rows[:max_rows] if len(rows) <= max_rows else rows[:max_rows - 1]

    def row(values, shade=None, size=9.5):
        nonlocal y
        if shade is not None:
            c.setFillGray(shade)
            c.rect(x0, y - rh, x1 - x0, rh, stroke=0, fill=1)
            c.setFillGray(0)
        c.setLineWidth(0.4)
        c.rect(x0, y - rh, x1 - x0, rh, stroke=1, fill=0)
        x = x0
        c.setFont(FONT, size)
        for (_, _, align), wd, v in zip(cols, widths, values, strict=True):
            t = fit(v, wd - 6, size)
            if align == "r":
                c.drawRightString(x + wd - 3, y - rh + 6, t)
            elif align == "c":
                c.drawCentredString(x + wd / 2, y - rh + 6, t)
            else:
                c.drawString(x + 3, y - rh + 6, t)
            x += wd
        y -= rh

    row([t for t, _, _ in cols], shade=0.86)
    for values in shown:
        row(values)
    if len(rows) > len(shown):
        rest = sum(letter.amounts[len(shown):])
        row([f"其他 {len(rows) - len(shown)} 笔", "", "", "", _money(rest)])
    row(letter.total_row, shade=0.93, size=10)
    y -= 8
    c.setFont(FONT, 11)
    c.drawString(x0, y - 12, f"{letter.amount_label}（小写）：￥{format_yuan(Money(n.total), grouping=True)} 元")
    y -= 18
    c.drawString(x0, y - 12, f"{letter.amount_label}（大写）：人民币{n.total_upper}")
    y -= 24
    c.setFont(FONT, 10)
    for line in letter.notes:
        for part in wrap(line, x1 - x0, 10):
            c.drawString(x0, y - 11, part)
            y -= 15
    y -= 20
    c.setFont(FONT, 11)
    c.drawRightString(x1, y - 12, n.site)
    y -= 18
    c.drawRightString(x1, y - 12, f"{n.issued_on.year} 年 {n.issued_on.month} 月 {n.issued_on.day} 日")
    # tear-off receipt of delivery
    y = 42 * mm
    c.setDash(3, 3)
    c.line(MARGIN, y, w - MARGIN, y)
    c.setDash()
    c.setFont(FONT, 8)
    c.drawCentredString(w / 2, y + 2, "（沿虚线剪下，送达回执由物业留存）")
    c.setFont(FONT, 9.5)
    c.drawString(x0, y - 16, letter.receipt_line)
    c.drawString(x0, y - 34, "签收人：________________　　签收日期：______年____月____日　　送达人：____________")
