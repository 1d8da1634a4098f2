"""What a person sees on a screen, for the tests that read every screen: the visible texts
(labels, buttons, group titles, tab titles, field hints, table headers and cells, the status
bar) and the texts that do not fit their space (QFontMetrics against the widget or section)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QStyleOptionViewItem,
    QTabBar,
    QWidget,
)

ROWS = 30  # table rows read per table (enough for every screen of the test ledger)
#: Tables whose every cell shows in full (the cashier reads the charges' 计费依据 before taking money)
NEVER_ELIDED = {"charges_table"}


def _shown(w: QWidget, root: QWidget) -> bool:
    return w.isVisibleTo(root) and w.isVisible()


def _columns(model) -> int:
    """A list model has one column (Qt makes its columnCount private)."""
    return 1 if isinstance(model, QAbstractListModel) else model.columnCount()


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text shown under `root` (hidden tabs and widgets left out)."""
    out: list[tuple[str, str]] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not _shown(w, root):
            continue
        name = w.objectName() or type(w).__name__
        if isinstance(w, QLabel) and w.pixmap().isNull():
            out.append((name, w.text()))
        elif isinstance(w, QAbstractButton):
            out.append((name, w.text()))
        elif isinstance(w, QGroupBox):
            out.append((name, w.title()))
        elif isinstance(w, QLineEdit):
            out.append((name, w.text() or w.placeholderText()))
        elif isinstance(w, QComboBox):
            out += [(name, w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QPlainTextEdit):
            out.append((name, w.toPlainText()))
        elif isinstance(w, QTabBar):
            out += [(name, w.tabText(i)) for i in range(w.count()) if w.isTabVisible(i)]
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            m = w.model()
            for c in range(_columns(m)):
                out.append((f"{name} header", str(m.headerData(c, Qt.Orientation.Horizontal) or "")))
                out += [(f"{name} cell", str(m.index(r, c).data() or "")) for r in range(min(m.rowCount(), ROWS))]
    return [(where, text) for where, text in out if text]


def cut_off(root: QWidget) -> list[str]:
    """Texts wider than their space: single-line labels (not eliding ones), table cells and
    headers (a column narrower than its text and no tooltip giving it in full)."""
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if not _shown(w, root):
            continue
        name = w.objectName() or type(w).__name__
        if isinstance(w, QLabel) and w.pixmap().isNull() and not w.wordWrap() and w.text() \
                and w.textFormat() != Qt.TextFormat.RichText and not w.text().startswith("<"):
            fm = QFontMetrics(w.font())
            need = max(fm.horizontalAdvance(line) for line in w.text().splitlines())
            space = w.contentsRect().width() - 2 * w.margin() - w.indent() if w.indent() > 0 else \
                w.contentsRect().width() - 2 * w.margin()
            if need > space + 1:
                out.append(f"label {name}: {w.text()!r} needs {need}px, has {space}px")
        elif isinstance(w, QAbstractItemView) and w.model() is not None and hasattr(w, "horizontalHeader"):
            out += _cut_cells(w, name)
    return out


def _cut_cells(view, name: str) -> list[str]:
    out = []
    m = view.model()
    header = view.horizontalHeader()
    hfm = QFontMetrics(header.font())
    style = view.style()
    head_pad = 2 * style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    for c in range(_columns(m)):
        if view.isColumnHidden(c):
            continue
        width = header.sectionSize(c)
        title = str(m.headerData(c, Qt.Orientation.Horizontal) or "")
        if title and hfm.horizontalAdvance(title) + head_pad > width:
            out.append(f"{name} header {title!r}: needs {hfm.horizontalAdvance(title) + head_pad}px, has {width}px")
        for r in range(min(m.rowCount(), ROWS)):
            idx = m.index(r, c)
            text = str(idx.data() or "")
            if not text:
                continue
            need = _cell_need(view, idx)
            elided_in_tooltip = header.sectionResizeMode(c) == QHeaderView.ResizeMode.Stretch \
                and idx.data(Qt.ItemDataRole.ToolTipRole) == text and name not in NEVER_ELIDED
            if need > width and not elided_in_tooltip:
                out.append(f"{name} cell {text!r}: needs {need}px, has {width}px")
    if view.horizontalScrollBar().isVisible():
        out.append(f"{name}: horizontal scroll bar")
    return out


def _cell_need(view, idx) -> int:
    """The width the cell's delegate asks for (text, margins, check box): what a column
    resized to its contents gets, and less than which the text is elided."""
    option = QStyleOptionViewItem()
    option.font = view.font()
    option.fontMetrics = QFontMetrics(view.font())
    option.widget = view
    return view.itemDelegateForIndex(idx).sizeHint(option, idx).width()
