"""Printing a report `Document` to a page printer (QPrinter) with QPainter.

The PDF file is reportlab's (`app.reports.pdf`); a page printer gets the same document drawn
by Qt, laid out as the PDF lays it out (A4, the same margins, title and meta line, tables with
their header repeated on each page, key values, notes, signature lines, 第 n 页 / 共 N 页).
The layout runs twice: once to count the pages, once to draw. Painting on a QPrinter is
allowed off the GUI thread, so a long report prints on the report lane (`OpRunner`).
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPen

from app.reports.document import Document, KeyValues, PageBreak, Signatures, Table, Text, cell_text

MM = 72 / 25.4
MARGIN = 14 * MM
ROW_H = 5.6 * MM
BODY = 8.5
ALIGN = {
    "l": Qt.AlignmentFlag.AlignLeft,
    "r": Qt.AlignmentFlag.AlignRight,
    "c": Qt.AlignmentFlag.AlignHCenter,
}


def setup_printer(printer, doc: Document) -> None:
    printer.setFullPage(True)
    orientation = QPageLayout.Orientation.Landscape if doc.landscape else QPageLayout.Orientation.Portrait
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation, QMarginsF(0, 0, 0, 0)))
    printer.setDocName(f"{doc.title} {doc.meta.period}".strip())


class _Pager:
    """Lays the document out in points (1/72 inch); draws only when it has a painter."""

    def __init__(self, doc: Document, device, painter: QPainter | None, total: int, family: str):
        self.doc, self.dev, self.p, self.total = doc, device, painter, total
        rect = device.pageLayout().fullRectPoints()
        self.w, self.h = rect.width(), rect.height()
        self.width = self.w - 2 * MARGIN
        self.family = family
        self.k = device.resolution() / 72  # device pixels per point
        self._fonts: dict[tuple[float, bool], tuple[QFont, QFontMetricsF]] = {}
        self._current: QFont | None = None
        self.page = 0
        self.y = 0.0
        self._start(first=True)

    def font(self, size: float, bold: bool = False) -> tuple[QFont, QFontMetricsF]:
        """The font and its metrics on the printer itself (both passes agree), made once per size."""
        key = (size, bold)
        if key not in self._fonts:
            f = QFont(self.family)
            f.setPointSizeF(size)
            f.setBold(bold)
            self._fonts[key] = (f, QFontMetricsF(f, self.dev))
        return self._fonts[key]

    def advance(self, text: str, size: float) -> float:
        """Width of `text` in points."""
        return self.font(size)[1].horizontalAdvance(text) / self.k

    def box(self, x: float, y: float, w: float, h: float) -> QRectF:
        k = self.k
        return QRectF(x * k, y * k, w * k, h * k)

    def text(
        self, rect: QRectF, text: str, size: float, align=Qt.AlignmentFlag.AlignLeft, bold=False
    ) -> None:
        """`rect` in points; the text is cut with an ellipsis rather than run into the next column."""
        if self.p is None:
            return
        f, metrics = self.font(size, bold)
        if self._current is not f:
            self.p.setFont(f)
            self._current = f
        r = self.box(rect.x(), rect.y(), rect.width(), rect.height())
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, r.width())
        self.p.drawText(r, align | Qt.AlignmentFlag.AlignVCenter, shown)

    def _footer(self) -> None:
        if self.p is None:
            return
        m = self.doc.meta
        r = QRectF(MARGIN, self.h - 12 * MM, self.width, 10)
        self.p.setPen(QColor("#404040"))
        self.text(r, f"打印人：{m.printed_by}　打印时间：{m.printed_at}", 7.5)
        self.text(r, f"第 {self.page} 页 / 共 {self.total} 页", 7.5, Qt.AlignmentFlag.AlignHCenter)
        self.text(r, m.site, 7.5, Qt.AlignmentFlag.AlignRight)
        self.p.setPen(QColor("#000000"))

    def _start(self, first: bool = False) -> None:
        if not first:
            self._footer()
            if self.p is not None:
                self.dev.newPage()
        self.page += 1
        m = self.doc.meta
        y = MARGIN
        if first:
            self.text(QRectF(MARGIN, y, self.width, 22), self.doc.title, 16, Qt.AlignmentFlag.AlignHCenter)
            y += 24
            r = QRectF(MARGIN, y, self.width, 12)
            self.text(r, f"单位：{m.site}　　期间：{m.period}", 8.5)
            self.text(
                r, f"打印人：{m.printed_by}　打印时间：{m.printed_at}", 8.5, Qt.AlignmentFlag.AlignRight
            )
            y += 16
        else:
            r = QRectF(MARGIN, y, self.width, 10)
            self.text(r, f"{self.doc.title}（续）", 8)
            self.text(r, f"{m.site}　期间：{m.period}", 8, Qt.AlignmentFlag.AlignRight)
            y += 12
        if self.p is not None:
            self.p.setPen(QPen(QColor("#000000"), 0.6 * self.k))
            line = self.box(MARGIN, y, self.width, 0)
            self.p.drawLine(line.topLeft(), line.topRight())
            self.p.setPen(QColor("#000000"))
        self.y = y + 4

    def need(self, height: float) -> bool:
        if self.y + height > self.h - 14 * MM:
            self._start()
            return True
        return False

    def finish(self) -> int:
        self._footer()
        return self.page

    # -- blocks ------------------------------------------------------------------------
    def paragraph(self, text: str, size: float) -> None:
        for para in text.split("\n"):
            line = ""
            for ch in para:
                if self.advance(line + ch, size) > self.width and line:
                    self.need(size * 1.5)
                    self.text(QRectF(MARGIN, self.y, self.width, size * 1.5), line, size)
                    self.y += size * 1.5
                    line = ""
                line += ch
            self.need(size * 1.5)
            self.text(QRectF(MARGIN, self.y, self.width, size * 1.5), line, size)
            self.y += size * 1.5
        self.y += 2

    def key_values(self, block: KeyValues) -> None:
        col_w = self.width / block.columns
        pairs = block.pairs
        for i in range(0, len(pairs), block.columns):
            self.need(ROW_H)
            for j, (label, value) in enumerate(pairs[i : i + block.columns]):
                self.text(
                    QRectF(MARGIN + j * col_w, self.y, col_w - 4, ROW_H), f"{label}：{cell_text(value)}", BODY
                )
            self.y += ROW_H
        self.y += 4

    def table(self, t: Table) -> None:
        weights = sum(c.width for c in t.columns)
        widths = [self.width * c.width / weights for c in t.columns]
        if t.title:
            self.need(ROW_H * 3)
            self.text(QRectF(MARGIN, self.y, self.width, 14), t.title, 10)
            self.y += 15
        self.need(ROW_H * 2)
        self._row(t.columns, widths, [c.title for c in t.columns], fill="#d9d9d9", header=True)
        for n, row in enumerate(t.rows):
            if self.need(ROW_H):
                self._row(t.columns, widths, [c.title for c in t.columns], fill="#d9d9d9", header=True)
            self._row(t.columns, widths, row, fill="#f2f2f2" if n % 2 else None)
        if t.total is not None:
            if self.need(ROW_H):
                self._row(t.columns, widths, [c.title for c in t.columns], fill="#d9d9d9", header=True)
            self._row(t.columns, widths, t.total, fill="#e0e0e0", bold=True)
        self.y += 6

    def _row(
        self, columns, widths, row, *, fill: str | None, header: bool = False, bold: bool = False
    ) -> None:
        if self.p is not None and fill:
            self.p.fillRect(self.box(MARGIN, self.y, self.width, ROW_H), QColor(fill))
        x = MARGIN
        for col, w, value in zip(columns, widths, row, strict=True):
            align = (
                Qt.AlignmentFlag.AlignHCenter if header else ALIGN.get(col.align, Qt.AlignmentFlag.AlignLeft)
            )
            self.text(
                QRectF(x + 2, self.y, w - 4, ROW_H), value if header else cell_text(value), BODY, align, bold
            )
            x += w
        self.y += ROW_H

    def signatures(self, labels: list[str]) -> None:
        self.need(ROW_H * 4)
        self.y += ROW_H
        col_w = self.width / len(labels)
        for i, label in enumerate(labels):
            self.text(QRectF(MARGIN + i * col_w, self.y, col_w - 10, 14), f"{label}：____________", 9.5)
        self.y += ROW_H * 2


def _layout(doc: Document, device, painter, total, family) -> int:
    pager = _Pager(doc, device, painter, total, family)
    for block in doc.blocks:
        if isinstance(block, Table):
            pager.table(block)
        elif isinstance(block, KeyValues):
            pager.key_values(block)
        elif isinstance(block, Text):
            pager.paragraph(block.text, block.size)
        elif isinstance(block, Signatures):
            pager.signatures(block.labels)
        elif isinstance(block, PageBreak):
            pager._start()
    return pager.finish()


def print_document(doc: Document, printer, family: str) -> int:
    """Draw `doc` (tables already read into lists) on `printer`; returns the number of pages."""
    setup_printer(printer, doc)
    pages = _layout(doc, printer, None, 0, family)
    painter = QPainter()
    if not painter.begin(printer):
        from app.errors import FeeDeskError

        raise FeeDeskError("无法打开打印机，请检查打印机设置")
    try:
        _layout(doc, printer, painter, pages, family)
    finally:
        painter.end()
    return pages
