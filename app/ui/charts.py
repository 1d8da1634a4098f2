"""A bar chart painted with QPainter, beside a report's table (where people look, not read).

This build ships PySide6-Essentials (no QtCharts), so the chart is drawn here: bars per
category, one bar per series side by side or stacked, a scale on the left, a legend, the
figures as the table prints them in each bar's tooltip. It only draws `ChartData`; every
figure comes from the same report DTO as the table.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.money import format_yuan
from app.ui.report_catalog import ChartData

PALETTE = [
    QColor(c)
    for c in ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828", "#00838f", "#5d4037", "#9e9d24")
]


def value_text(value: int, percent: bool) -> str:
    if percent:
        return f"{value // 100}.{value % 100:02d}%"
    return format_yuan(value, grouping=True)


def nice_top(value: int) -> int:
    """A round number at or above `value` for the top of the scale (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10


class BarChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("report_chart")
        self.data: ChartData | None = None
        self.bars: list[tuple[QRectF, str]] = []  # for tooltips
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)

    def set_data(self, data: ChartData | None) -> None:
        self.data = data
        self.setVisible(data is not None)
        self.update()

    def top_value(self) -> int:
        d = self.data
        if d is None or not d.categories:
            return 1
        if d.stacked:
            peak = max(sum(max(v[i], 0) for _, v in d.series) for i in range(len(d.categories)))
        else:
            peak = max((max(v) for _, v in d.series if v), default=0)
        if d.percent:
            return max(10000, nice_top(peak))
        return nice_top(peak)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        d = self.data
        if d is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        font = QFont(self.font())
        font.setPointSize(10)
        font.setBold(True)
        p.setFont(font)
        w, h = self.width(), self.height()
        p.drawText(QRectF(0, 4, w, 22), Qt.AlignmentFlag.AlignHCenter, d.title)
        font.setBold(False)
        font.setPointSize(8)
        p.setFont(font)
        fm = p.fontMetrics()
        top = self.top_value()
        axis_w = fm.horizontalAdvance(value_text(top, d.percent)) + 10
        legend_h = 20 * ((len(d.series) + 2) // 3)
        plot = QRectF(axis_w + 4, 32, w - axis_w - 14, h - 32 - 34 - legend_h)
        if plot.height() < 40 or not d.categories:
            p.drawText(QRectF(0, 30, w, 30), Qt.AlignmentFlag.AlignHCenter, "无数据")
            p.end()
            return
        # scale: four lines
        p.setPen(QPen(QColor("#dddddd")))
        for i in range(5):
            y = plot.bottom() - plot.height() * i / 4
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(QColor("#555555"))
            p.drawText(
                QRectF(0, y - 8, axis_w, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                value_text(top * i // 4, d.percent),
            )
            p.setPen(QPen(QColor("#dddddd")))
        n = len(d.categories)
        slot = plot.width() / n
        per = 1 if d.stacked else max(1, len(d.series))
        bar_w = min(48.0, max(2.0, slot * 0.7 / per))
        self.bars = []
        for i, cat in enumerate(d.categories):
            x0 = plot.left() + slot * i + (slot - bar_w * per) / 2
            base = plot.bottom()
            for j, (name, values) in enumerate(d.series):
                v = max(values[i], 0)
                bh = plot.height() * v / top
                x = x0 if d.stacked else x0 + j * bar_w
                y = (base - bh) if d.stacked else plot.bottom() - bh
                rect = QRectF(x, y, bar_w, bh)
                p.fillRect(rect, PALETTE[j % len(PALETTE)])
                self.bars.append((rect, f"{cat} {name}：{value_text(values[i], d.percent)}"))
                if d.stacked:
                    base -= bh
        # category labels: as many as fit
        p.setPen(QColor("#333333"))
        widest = max(fm.horizontalAdvance(c) for c in d.categories) + 6
        every = max(1, int(widest // slot) + 1)
        for i, cat in enumerate(d.categories):
            if i % every == 0:
                p.drawText(
                    QRectF(plot.left() + slot * i - 20, plot.bottom() + 2, slot + 40, 16),
                    Qt.AlignmentFlag.AlignHCenter,
                    cat,
                )
        p.setPen(QPen(QColor("#888888")))
        p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        # legend
        lx, ly = plot.left(), plot.bottom() + 22
        for j, (name, _values) in enumerate(d.series):
            col, row = j % 3, j // 3
            x = lx + col * (plot.width() / 3)
            y = ly + row * 20
            p.fillRect(QRectF(x, y + 3, 12, 12), PALETTE[j % len(PALETTE)])
            p.setPen(QColor("#333333"))
            p.drawText(QRectF(x + 16, y, plot.width() / 3 - 18, 18), Qt.AlignmentFlag.AlignVCenter, name)
        p.end()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt API
        pos = event.position()
        for rect, text in self.bars:
            if rect.adjusted(-1, -4, 1, 0).contains(pos):
                QToolTip.showText(event.globalPosition().toPoint(), text, self)
                return
        QToolTip.hideText()
