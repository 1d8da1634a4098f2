"""On-screen preview of a report `Document`: the same blocks the PDF draws, as widgets.

This build has no QtPdf to show the PDF's pages, so the preview shows the document itself:
title and meta line, key values, each table (its rows and its bold totals row, the cells
formatted by `cell_text` exactly as the PDF prints them), notes and signature lines. Tables
are virtual (`QTableView`), so a 20,000-row journal opens at once. Also the print and save
helpers shared by the reports screen and the account history (file dialog, print dialog,
rendering off the GUI thread).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import FeeDeskError
from app.reports.document import Document, KeyValues, Signatures, Table, Text, cell_text
from app.ui.i18n import tr
from app.ui.op import Op

ALIGN = {
    "l": Qt.AlignmentFlag.AlignLeft,
    "r": Qt.AlignmentFlag.AlignRight,
    "c": Qt.AlignmentFlag.AlignHCenter,
}


class CellTableModel(QAbstractTableModel):
    """One `Table` block: its rows, then its totals row in bold."""

    def __init__(self, table: Table, parent=None):
        super().__init__(parent)
        self.table = table
        self.rows = list(table.rows) + ([table.total] if table.total is not None else [])
        self.total_row = len(self.rows) - 1 if table.total is not None else -1

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.table.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.table.columns[section].title
        return None

    def text(self, row: int, column: int) -> str:
        return cell_text(self.rows[row][column])

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(
                ALIGN.get(self.table.columns[index.column()].align, Qt.AlignmentFlag.AlignLeft)
                | Qt.AlignmentFlag.AlignVCenter
            )
        if role == Qt.ItemDataRole.FontRole and index.row() == self.total_row:
            f = QFont()
            f.setBold(True)
            return f
        return None


class DocumentView(QScrollArea):
    """The document as a column of widgets; `tables` are the views of its Table blocks, in order."""

    def __init__(self, name: str = "document_view", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # wide tables scroll inside
        self.document: Document | None = None
        self.tables: list[QTableView] = []
        self.set_document(None)

    def set_document(self, doc: Document | None, empty: str = "") -> None:
        self.document = doc
        self.tables = []
        page = QWidget()
        page.setObjectName("document_page")
        page.setStyleSheet("#document_page { background: white; }")
        lay = QVBoxLayout(page)
        lay.setContentsMargins(16, 12, 16, 12)
        if doc is None:
            hint = QLabel(empty)
            hint.setObjectName("document_empty")
            hint.setStyleSheet("color:#666;")
            hint.setWordWrap(True)
            lay.addWidget(hint)
            lay.addStretch(1)
            self.setWidget(page)
            return
        title = QLabel(doc.title)
        title.setObjectName("document_title")
        f = QFont(title.font())
        f.setPointSize(15)
        f.setBold(True)
        title.setFont(f)
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(title)
        m = doc.meta
        meta = QLabel(
            f"单位：{m.site}　　期间：{m.period}　　打印人：{m.printed_by}　打印时间：{m.printed_at}"
        )
        meta.setObjectName("document_meta")
        meta.setStyleSheet("color:#444;")
        meta.setWordWrap(True)
        lay.addWidget(meta)
        for block in doc.blocks:
            if isinstance(block, Table):
                if block.title:
                    lab = QLabel(block.title)
                    lab.setStyleSheet("font-weight:bold; margin-top:6px;")
                    lay.addWidget(lab)
                lay.addWidget(self._table(block))
            elif isinstance(block, KeyValues):
                lay.addWidget(self._key_values(block))
            elif isinstance(block, Text):
                lab = QLabel(block.text)
                lab.setWordWrap(True)
                lab.setStyleSheet("color:#333;")
                lay.addWidget(lab)
            elif isinstance(block, Signatures):
                lab = QLabel("　　　　".join(f"{label}：__________" for label in block.labels))
                lab.setWordWrap(True)  # no label may widen the page past the view (nothing cut off)
                lay.addWidget(lab)
        lay.addStretch(1)
        self.setWidget(page)

    def _key_values(self, block: KeyValues) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 4, 0, 4)
        for i, (label, value) in enumerate(block.pairs):
            lab = QLabel(f"{label}：<b>{cell_text(value)}</b>")
            lab.setWordWrap(True)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(lab, i // block.columns, i % block.columns)
        return box

    def _table(self, block: Table) -> QTableView:
        view = QTableView()
        view.setObjectName(f"document_table_{len(self.tables)}")
        view.setModel(CellTableModel(block, view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(24)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setResizeContentsPrecision(
            60
        )  # widths from the first rows: a 20,000-row journal opens at once
        view.resizeColumnsToContents()
        for i in range(len(block.columns)):
            view.setColumnWidth(i, min(view.columnWidth(i) + 8, 320))
        header.setStretchLastSection(True)
        view.setMinimumWidth(120)
        rows = view.model().rowCount()
        height = 24 * rows + header.sizeHint().height() + view.horizontalScrollBar().sizeHint().height() + 4
        view.setMinimumHeight(min(height, 420))  # long tables scroll inside themselves
        view.setMaximumHeight(height if rows < 17 else 16777215)
        self.tables.append(view)
        return view


# ---- print and save, shared by the reports screen and the account history ------------------


def ask_save_path(parent: QWidget, doc: Document, suffix: str) -> str:
    """The save dialog with a file name from the report's title and period."""
    name = f"{doc.title} {doc.meta.period}".strip().replace("/", "-").replace(" ", "_")
    filt = tr("PDF files (*.pdf)") if suffix == "pdf" else tr("Excel workbooks (*.xlsx)")
    path, _ = QFileDialog.getSaveFileName(parent, tr("Save the report"), f"{name}.{suffix}", filt)
    if path and not path.lower().endswith(f".{suffix}"):
        path += f".{suffix}"
    return path


def write_file(_factory, *, doc: Document, path: str, kind: str, letters=None) -> str:
    """Render the document with the CLI's writers (`app.reports.pdf` / `xlsx`), off the GUI thread;
    `letters(path)` writes a PDF of letters instead (催缴通知单)."""
    from app.reports import pdf, xlsx

    try:
        if kind == "pdf" and letters is not None:
            letters(path)
        else:
            (pdf.render if kind == "pdf" else xlsx.render)(doc, path)
    except OSError as exc:
        raise FeeDeskError(f"无法保存文件 {path}：{exc.strerror or exc}") from exc
    return path


def save_document(
    parent: QWidget, doc: Document, kind: str, done, failed, path: str = "", letters=None
) -> Op | None:
    """Ask where (unless `path`), then write on the report lane; `done(path)` or `failed(error)`."""
    path = path or ask_save_path(parent, doc, kind)
    if not path:
        return None
    return (
        Op(
            parent,
            write_file,
            raw=True,
            lane="report",
            long=True,
            name=f"report_save_{kind}",
            doc=doc,
            path=path,
            kind=kind,
            letters=letters,
        )
        .on_success(done)
        .on_failure(failed)
        .start()
    )


def print_on(_factory, *, doc: Document, printer, family: str) -> int:
    from app.ui.report_print import print_document

    return print_document(doc, printer, family)


def print_with_dialog(parent: QWidget, doc: Document, done, failed) -> bool:
    """Qt's print dialog for a page printer; then the pages are drawn on the report lane."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    from app.ui.report_print import setup_printer

    setup_printer(printer, doc)
    dialog = QPrintDialog(printer, parent)
    dialog.setObjectName("report_print_dialog")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    parent._printer = printer  # kept alive until the print op has drawn every page
    Op(
        parent,
        print_on,
        raw=True,
        lane="report",
        long=True,
        name="report_print",
        doc=doc,
        printer=printer,
        family=parent.font().family(),
    ).on_success(done).on_failure(failed).start()
    return True
