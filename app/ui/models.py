"""Qt item models over lists of DTOs from the services' read functions, and the set-up
every screen shares for its tables and line edits.

`DtoTableModel` only reads its list in `data()`; a view sorts and filters through a
`QSortFilterProxyModel` (`make_proxy`). Rows are replaced as a whole by `set_rows` after a
reload — models never query anything themselves. Screens make their tables with
`table_view` / `proxied_table` / `table_widget` and their line edits with `line_edit`, so
every table selects whole rows the same way and every field a test touches has its name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProxyStyle,
    QPushButton,
    QStyle,
    QStyleOptionHeader,
    QTableView,
    QTableWidget,
)

from app.money import format_yuan

Index = QModelIndex | QPersistentModelIndex
RED = QColor("#c62828")
GREEN = QColor("#2e7d32")
AMBER = QColor("#fff3cd")


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[Any], Any]
    money: bool = False  # value is fen: shown as yuan, right-aligned, sorted by fen
    color: Callable[[Any], QColor | None] | None = None
    background: Callable[[Any], QColor | None] | None = None


def money_text(fen: int | None) -> str:
    return "" if fen is None else format_yuan(fen)


class DtoTableModel(QAbstractTableModel):
    """Rows of DTOs; optional check boxes in column 0 keyed by `key(row)`."""

    SortRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, columns: Sequence[Column], parent=None, *, checkable: bool = False,
                 key: Callable[[Any], Any] | None = None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []
        self.checkable = checkable
        self.key = key or (lambda r: id(r))
        self.checked: set[Any] = set()

    # -- content -----------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any], *, check_all: bool = True) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.checked = {self.key(r) for r in self.rows} if (self.checkable and check_all) else set()
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        return self.rows[row]

    def checked_rows(self) -> list[Any]:
        return [r for r in self.rows if self.key(r) in self.checked]

    def set_checked(self, keys: set[Any]) -> None:
        self.checked = set(keys)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0),
                                  [Qt.ItemDataRole.CheckStateRole])

    def toggle(self, row: int) -> None:
        k = self.key(self.rows[row])
        self.checked.symmetric_difference_update({k})
        idx = self.index(row, 0)
        self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.CheckStateRole])

    # -- Qt API --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.checkable and index.column() == 0:
            f |= Qt.ItemFlag.ItemIsUserCheckable
        return f

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):  # tooltip: a clipped cell in full
            v = col.value(row)
            if col.money:
                return money_text(v)
            return "" if v is None else str(v)
        if role == DtoTableModel.SortRole:
            return col.value(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.money:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col.color is not None:
            c = col.color(row)
            return QBrush(c) if c is not None else None
        if role == Qt.ItemDataRole.BackgroundRole and col.background is not None:
            c = col.background(row)
            return QBrush(c) if c is not None else None
        if role == Qt.ItemDataRole.CheckStateRole and self.checkable and index.column() == 0:
            return Qt.CheckState.Checked if self.key(row) in self.checked else Qt.CheckState.Unchecked
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if self.checkable and index.column() == 0 and role == Qt.ItemDataRole.CheckStateRole:
            k = self.key(self.rows[index.row()])
            if Qt.CheckState(value) == Qt.CheckState.Checked:
                self.checked.add(k)
            else:
                self.checked.discard(k)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
            return True
        return False


class _Proxy(QSortFilterProxyModel):
    def lessThan(self, left: Index, right: Index) -> bool:
        a = left.data(DtoTableModel.SortRole)
        b = right.data(DtoTableModel.SortRole)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


def make_proxy(model: DtoTableModel, parent=None) -> QSortFilterProxyModel:
    proxy = _Proxy(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(DtoTableModel.SortRole)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterRole(Qt.ItemDataRole.DisplayRole)
    return proxy


class _SortArrowStyle(QProxyStyle):
    """Qt hands a header's arrow "SortUp" for a descending order, which Fusion and the other
    non-Windows styles draw pointing up: ▲ over a list that goes down. The arrow is turned so
    that ▲ means ascending, as a cashier reads it (the Windows styles already draw it so)."""

    def drawPrimitive(self, element, option, painter, widget=None) -> None:  # noqa: N802 - Qt API
        if element == QStyle.PrimitiveElement.PE_IndicatorHeaderArrow and isinstance(option, QStyleOptionHeader):
            flipped = QStyleOptionHeader(option)
            up, down = QStyleOptionHeader.SortIndicator.SortUp, QStyleOptionHeader.SortIndicator.SortDown
            flipped.sortIndicator = down if option.sortIndicator == up else up if option.sortIndicator == down \
                else option.sortIndicator
            option = flipped
        super().drawPrimitive(element, option, painter, widget)


_sort_arrow_style: QProxyStyle | None = None


def _header_style(header: QHeaderView) -> None:
    global _sort_arrow_style
    base = QApplication.style().name().lower()
    if base.startswith("windows"):
        return
    if _sort_arrow_style is None:
        _sort_arrow_style = _SortArrowStyle(base)
        _sort_arrow_style.setParent(QApplication.instance())
    header.setStyle(_sort_arrow_style)


def configure_view(view, *, stretch_last: bool = True) -> None:
    """Common settings for the tables: whole-row selection, sortable, no editing."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.setTabKeyNavigation(False)  # Tab leaves the table (arrows move inside it)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setStretchLastSection(stretch_last)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    _header_style(view.horizontalHeader())


def fit_columns(view, stretch: int = -1) -> None:
    """Columns as wide as their contents; the `stretch` column (default: the last) takes what
    is left and elides what does not fit (the cell's tooltip gives it in full); no sideways
    scrolling."""
    header = view.horizontalHeader()
    n = view.model().columnCount()
    stretch = stretch % n if n else 0
    header.setStretchLastSection(False)
    for col in range(n):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch if col == stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)


def table_view(name: str, model, *, sortable: bool = True) -> QTableView:
    """A table named `name` over `model` (a DtoTableModel or its proxy), set up by
    `configure_view`; `sortable=False` keeps the order the rows come in."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    configure_view(view)
    if not sortable or not isinstance(model, QSortFilterProxyModel):
        view.setSortingEnabled(False)  # a bare model cannot sort: no indicator that says it did
    return view


def proxied_table(name: str, model: DtoTableModel, parent, *,
                  sortable: bool = True) -> tuple[QTableView, QSortFilterProxyModel]:
    """`table_view` over a sort/filter proxy of `model` (`make_proxy`); returns both."""
    proxy = make_proxy(model, parent)
    return table_view(name, proxy, sortable=sortable), proxy


def table_widget(name: str, rows: int, headers: list[str]) -> QTableWidget:
    """A grid of cells (typed into or filled by hand) with its column headers, the last one stretched."""
    table = QTableWidget(rows, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def push_button(text: str, name: str, on_click: Callable) -> QPushButton:
    """A named button wired to its slot."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(on_click)
    return button


def enter_submits(button: QPushButton, *fields: QLineEdit) -> None:
    """Enter in a form's fields: in the last one, or when the next one is already filled in, it
    clicks `button` (nothing while the button is disabled); otherwise it moves to the next field."""
    for i, field in enumerate(fields):
        following = fields[i + 1:]

        def on_return(following=following) -> None:
            empty = next((f for f in following if f.isVisible() and not f.text().strip()), None)
            if empty is not None:
                empty.setFocus()
            else:
                button.click()

        field.returnPressed.connect(on_return)


def message_label(name: str) -> QLabel:
    """A named, initially empty label that wraps: where a screen tells the user what happened."""
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def say(label: QLabel, text: str, *, ok: bool = True) -> None:
    """What happened, on a screen's message label: green when done, red when refused."""
    label.setStyleSheet(f"color:{(GREEN if ok else RED).name()};")
    label.setText(text)


def line_edit(name: str, placeholder: str = "", text: str = "", *, password: bool = False,
              max_width: int = 0) -> QLineEdit:
    """A named line edit with its grey hint; `password` hides what is typed."""
    edit = QLineEdit(text)
    edit.setObjectName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    if max_width:
        edit.setMaximumWidth(max_width)
    return edit
