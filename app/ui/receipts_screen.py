"""Receipts screen: today's and past receipts by number, account or date; preview; reprint,
late print, void and refund with the supervisor approval dialog.

Rows come from `reports.journal` (the 收费明细 read function); the preview is the printing
module's own rendering of the stored receipt document. Printing runs off the GUI thread
through `app.printing.queue` (it opens its own short transactions, hence `raw=True` ops).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.money import format_yuan
from app.services import reports
from app.services.desk import corrections, receipts
from app.ui.i18n import tr
from app.ui.models import (
    RED,
    Column,
    DtoTableModel,
    fit_columns,
    line_edit,
    message_label,
    proxied_table,
    push_button,
)
from app.ui.op import Op

#: Keys of the receipts screen (listed in the F1 sheet); Ctrl+R (reprint) is the window's.
VOID_KEY, REFUND_KEY = "Ctrl+D", "Ctrl+T"
STATUS_CHARS = 16  # the printer's message in the status bar (in full on the receipts screen)


def journal_rows(session, *, actor, date_from: dt.date, date_to: dt.date) -> list:
    return [r for r in reports.journal(session, actor=actor, date_from=date_from, date_to=date_to).rows
            if r.receipt_no]


def receipt_with_status(session, *, receipt_no: str):
    return receipts.receipt_doc(session, receipt_no), corrections.receipt_status(session, receipt_no)


def preview_png(doc, **marks) -> bytes:
    from app.printing.preview import render_preview_png

    return render_preview_png(doc, 80, **marks)


class ReceiptsScreen(QWidget):
    def __init__(self, window):
        super().__init__()
        self.setObjectName("receipts_screen")
        self.window_ = window
        self.login = None
        self.current_no = ""
        self.current_doc = None
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        lay.addLayout(left, 3)
        bar = QHBoxLayout()
        self.date_from = QDateEdit(dt.date.today())
        self.date_from.setObjectName("receipts_from")
        self.date_from.setCalendarPopup(True)
        self.date_from.setDisplayFormat("yyyy-MM-dd")
        self.date_to = QDateEdit(dt.date.today())
        self.date_to.setObjectName("receipts_to")
        self.date_to.setCalendarPopup(True)
        self.date_to.setDisplayFormat("yyyy-MM-dd")
        self.filter = line_edit("receipts_filter", tr("Receipt number or account"))
        reload_button = push_button(tr("Search"), "receipts_reload", self.reload)
        bar.addWidget(QLabel(tr("From")))
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel(tr("to")))
        bar.addWidget(self.date_to)
        bar.addWidget(self.filter, 1)
        bar.addWidget(reload_button)
        left.addLayout(bar)
        self.model = DtoTableModel([
            Column(tr("Receipt"), lambda r: r.receipt_no), Column(tr("Date"), lambda r: r.business_date.isoformat()),
            Column(tr("Time"), lambda r: r.time),
            Column(tr("Kind"), lambda r: r.kind, color=lambda r: RED if r.amount < 0 else None),
            Column(tr("Account"), lambda r: r.account), Column(tr("Payer"), lambda r: r.payer),
            Column(tr("Amount"), lambda r: r.amount, money=True), Column(tr("Tenders"), lambda r: r.tenders),
            Column(tr("Cashier"), lambda r: r.operator), Column(tr("Reference"), lambda r: r.reference)], self)
        self.table, self.proxy = proxied_table("receipts_table", self.model, self)
        fit_columns(self.table, stretch=7)  # the tenders elide (tooltip in full), the rest fit
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # the newest first; new rows sort in
        self.table.selectionModel().currentRowChanged.connect(self.on_table_current_row_changed)
        left.addWidget(self.table, 1)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.returnPressed.connect(self.on_filter_return_pressed)
        self.date_from.dateChanged.connect(lambda _d: self.reload())
        self.date_to.dateChanged.connect(lambda _d: self.reload())

        actions = QHBoxLayout()
        self.reprint_button = push_button(tr("Reprint (Ctrl+R)"), "reprint_button", self.reprint_selected)
        self.void_button = push_button(tr("Void… ({0})").format(VOID_KEY), "void_button", self.on_void_button_clicked)
        self.refund_button = push_button(tr("Refund… ({0})").format(REFUND_KEY), "refund_button",
                                         self.on_refund_button_clicked)
        # The keys act on this screen only (the F-keys are the window's); a disabled button ignores its key
        for key, button in ((VOID_KEY, self.void_button), (REFUND_KEY, self.refund_button)):
            shortcut = QShortcut(QKeySequence(key), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(button.click)
        for w in (self.reprint_button, self.void_button, self.refund_button):
            actions.addWidget(w)
        actions.addStretch(1)
        left.addLayout(actions)
        self.message = message_label("receipts_message")
        left.addWidget(self.message)

        right = QVBoxLayout()
        lay.addLayout(right, 2)
        self.status = QLabel("")
        self.status.setObjectName("receipt_status")
        right.addWidget(self.status)
        self.preview = QLabel(tr("Select a receipt to see it as printed."))
        self.preview.setObjectName("receipt_preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidget(self.preview)
        scroll.setWidgetResizable(True)
        right.addWidget(scroll, 1)

    # -- screen protocol -------------------------------------------------------------------
    def set_login(self, login) -> None:
        self.login = login

    def set_business_date(self, day: dt.date) -> None:
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
            edit.setDate(day)
            edit.blockSignals(False)
        if self.isVisible():
            self.reload()

    def focus_first(self) -> None:
        self.reload()
        self.filter.setFocus()
        self.filter.selectAll()

    def handle_escape(self) -> None:
        self.filter.clear()
        self.filter.setFocus()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        if self.login is None:
            return
        d0, d1 = self.date_from.date().toPython(), self.date_to.date().toPython()
        Op(self, journal_rows, name="receipts", actor=self.login.actor, date_from=d0, date_to=d1) \
            .on_success(self._loaded).on_failure(lambda e: self.message.setText(e.message)).start()

    def _loaded(self, rows) -> None:
        self.model.set_rows(rows)
        if self.current_no:  # the receipt shown stays the one selected in the list
            self.select_receipt(self.current_no)
            self.show_receipt(self.current_no)

    def select_receipt(self, receipt_no: str) -> None:
        """Select the receipt's row (none when it is outside the dates or the filter)."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data() == receipt_no:
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(row)
                self.table.selectionModel().blockSignals(False)
                return
        self.table.clearSelection()

    @Slot()
    def on_filter_return_pressed(self) -> None:
        text = self.filter.text().strip()
        if self.proxy.rowCount() >= 1:
            self.table.selectRow(0)
        elif text:
            self.show_receipt(text)  # a receipt outside the dates, by its number

    @Slot()
    def on_table_current_row_changed(self, current, _previous) -> None:
        if current.isValid():
            row = self.model.row_at(self.proxy.mapToSource(current).row())
            self.show_receipt(row.receipt_no)

    def show_receipt(self, receipt_no: str) -> None:
        self.current_no = receipt_no
        if self.selected_no() != receipt_no:
            self.select_receipt(receipt_no)
        Op(self, receipt_with_status, name="receipt_doc", receipt_no=receipt_no) \
            .on_success(self._show_doc).on_failure(lambda e: self.message.setText(e.message)).start()

    def _show_doc(self, doc_status) -> None:
        doc, status = doc_status
        self.current_doc = doc
        names = {"used": tr("valid"), "void": tr("VOID"), "refunded": tr("REFUNDED"), "unknown": ""}
        self.status.setText(tr("Receipt {0} · {1} · total {2}").format(doc.receipt_no, names.get(status, status),
                                                                        format_yuan(doc.total)))
        self.status.setStyleSheet("color:#c62828; font-weight:bold;" if status in ("void", "refunded") else "")
        self.void_button.setEnabled(status == "used" and doc.kind == "payment")
        self.refund_button.setEnabled(status == "used" and doc.kind == "payment")
        Op(self, lambda _f, doc: preview_png(doc), raw=True, name="preview", doc=doc) \
            .on_success(self._show_png).on_failure(lambda e: self.preview.setText(e.message)).start()

    def _show_png(self, png: bytes) -> None:
        pix = QPixmap()
        pix.loadFromData(png, "PNG")
        width = max(300, min(pix.width(), self.preview.parentWidget().width() - 24))
        self.preview.setPixmap(pix.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation))

    # -- printing ------------------------------------------------------------------------
    def print_after_payment(self, result) -> None:
        from app.printing import queue

        Op(
            self,
            queue.print_after_payment,
            raw=True,
            lane="print",
            name="print_receipt",
            actor=self.login.actor,
            result=result,
        ).on_success(self._printed_after_payment).on_failure(lambda e: self._print_message(e.message)).start()

    def _printed_after_payment(self, outcome) -> None:
        if outcome is None:
            self._print_message(tr("No receipt printer configured for this station."))
        elif outcome.get("status") == "done":
            self._print_message(tr("Receipt printed."))
        else:
            self._print_message(tr("Receipt NOT printed: {0} — reprint with Ctrl+R").format(outcome.get("error") or ""))
        self.window_.refresh_status()

    def _print_message(self, text: str, short: str = "") -> None:
        """`text` in full on this screen (and the status bar's tooltip); the status bar shows
        `short`, or the text's start: it shares the bar with who, where, the day and the drawer."""
        short = short or (text.splitlines()[0] if text else "")
        if len(short) > STATUS_CHARS:
            short = short[:STATUS_CHARS - 1] + "…"
        label = self.window_.status_labels["printer"]
        label.setText(short)
        label.setToolTip(text)
        self.message.setText(text)

    def selected_no(self) -> str:
        """The receipt selected in the list, else the one shown (found by its number)."""
        index = self.table.currentIndex()
        if index.isValid() and self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            return self.model.row_at(self.proxy.mapToSource(index).row()).receipt_no
        return self.current_doc.receipt_no if self.current_doc is not None else ""

    @Slot()
    def reprint_selected(self) -> None:
        self.reprint(self.selected_no())

    def reprint(self, receipt_no: str) -> None:
        if not receipt_no or self.login is None:
            return
        from app.printing import queue

        Op(self, queue.print_receipt, raw=True, write=True, lane="print", name="reprint", actor=self.login.actor,
           receipt_no=receipt_no, reason="重打") \
            .on_success(self._reprinted).on_failure(lambda e: self._print_message(e.message)).start()

    def _reprinted(self, outcome) -> None:
        # the copy named as the paper marks it: 【重打】第N次, or 补打 for a first print
        copy = tr("reprint no. {0}").format(outcome.reprint_count) if outcome.kind == "reprint" else tr("late print")
        state = tr("printed") if outcome.status == "done" else outcome.error
        self._print_message(tr("Receipt {0}, {1}: {2}").format(outcome.receipt_no, copy, state),
                            tr("{0}: {1}").format(copy, state))

    def printer_status_text(self, label: QLabel) -> None:
        if self.login is None:
            return
        from app.services.desk import print_jobs as printing

        def failed_jobs(session, *, actor):
            return len(printing.list_jobs(session, actor=actor, failed_only=True, limit=50))

        Op(self, failed_jobs, quiet=True, name="failed_jobs", actor=self.login.actor).on_success(
            lambda n: label.setText(tr("Printer: {0} failed jobs").format(n) if n else label.text())) \
            .on_failure(lambda e: None).start()

    # -- corrections -----------------------------------------------------------------------
    @Slot()
    def on_void_button_clicked(self) -> None:
        self._open_correction("void")

    @Slot()
    def on_refund_button_clicked(self) -> None:
        self._open_correction("refund")

    def _open_correction(self, kind: str) -> None:
        """The void or refund dialog (app/ui/corrections.py): the receipt's tenders, a preset or
        typed reason, refusals shown before the supervisor's password; a refund may be partial."""
        if not self.current_no or self.current_doc is None or self.login is None:
            return
        from app.ui.corrections import refund_dialog, void_dialog

        dlg = (void_dialog if kind == "void" else refund_dialog)(self, self.login.actor, self.current_doc)
        dlg.accepted.connect(lambda: self._corrected(dlg.result_value))
        self.approval_dialog = dlg
        dlg.start()

    def _corrected(self, result) -> None:
        names = {"void": tr("voided"), "refund": tr("refunded")}
        text = tr("Receipt {0} {1}: {2}, approved by {3}").format(
            result.receipt_no, names.get(result.kind, result.kind), format_yuan(abs(result.amount)),
            result.approved_by or "—")
        if result.new_receipt_no:
            text += tr("; what remains is on the new receipt {0}").format(result.new_receipt_no)
        self.message.setText(text)
        self.reload()
        self.print_after_correction(result, text)

    def print_after_correction(self, result, text: str = "") -> None:
        """The slip of a void or refund (and a partial refund's new receipt) comes out like a
        payment's receipt: same queue, and a printer fault leaves the correction saved and the
        slip on the unprinted list."""
        from app.printing import queue

        Op(
            self,
            queue.print_after_correction,
            raw=True,
            lane="print",
            name="print_slip",
            actor=self.login.actor,
            result=result,
        ).on_success(lambda out: self._printed_after_correction(text, out)).on_failure(
            lambda e: self._correction_print_message(text, e.message)
        ).start()

    def _printed_after_correction(self, text: str, outcome) -> None:
        if outcome is None:
            note = tr("No receipt printer configured for this station.")
        elif outcome.get("status") == "done":
            note = tr("Slip printed.")
        else:
            note = tr("Slip NOT printed: {0} — it stays on the unprinted list; retry its print job").format(
                outcome.get("error") or "")
        new = (outcome or {}).get("new_receipt")
        if new is not None and new.get("status") != "done":
            note += "\n" + tr("Receipt NOT printed: {0} — reprint with Ctrl+R").format(new.get("error") or "")
        self._correction_print_message(text, note)
        self.window_.refresh_status()

    def _correction_print_message(self, text: str, note: str) -> None:
        self._print_message(note)
        self.message.setText(f"{text}\n{note}" if text else note)


def make_screen(window) -> QWidget:
    return ReceiptsScreen(window)
