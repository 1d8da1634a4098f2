"""The account card's history (缴费户历史): statement, payments and receipts, corrections,
charges and dunning contacts of one account, and the payer's printable statement (对账单).

Opened from the card's History button (Alt+H). One read op (`history_view`) returns the
history (`report_views.account_history`) and the statement document built exactly as
`feedesk report statement` builds it (`reports.statement` + `layouts.statement`), so the
printed and saved statement equal the CLI's. Changing the dates reads the statement again.
Read-only: nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.reports import layouts
from app.reports.document import Document
from app.services import Actor, report_views, reports
from app.services.desk import reads
from app.ui.document_view import DocumentView, print_with_dialog, save_document
from app.ui.i18n import tr
from app.ui.models import GREEN, RED, Column, DtoTableModel, message_label, push_button, say, table_view
from app.ui.op import Op

CORRECTION_KINDS = {"作废", "退费", "减免", "核销", "退押金", "预存退款", "退费撤销", "核销收回"}


@dataclass(frozen=True, slots=True)
class HistoryView:
    history: report_views.AccountHistory
    statement: Document
    date_from: dt.date
    date_to: dt.date


def statement_document(
    session, *, actor: Actor, account_code: str, date_from: dt.date, date_to: dt.date
) -> Document:
    """The 对账单 as `feedesk report statement` makes it (one statement is a short list: no streaming)."""
    return layouts.statement(
        reports.statement(
            session, actor=actor, account_code=account_code, date_from=date_from, date_to=date_to
        )
    )


def history_view(
    session,
    *,
    actor: Actor,
    account_code: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> HistoryView:
    history = report_views.account_history(session, actor=actor, account_code=account_code)
    date_to = date_to or reads.today(session)
    date_from = date_from or min(history.first_day or date_to, date_to)
    return HistoryView(
        history,
        statement_document(
            session, actor=actor, account_code=history.code, date_from=date_from, date_to=date_to
        ),
        date_from,
        date_to,
    )


def _signed(fen: int):
    return RED if fen < 0 else GREEN if fen > 0 else None


class AccountHistoryDialog(QDialog):
    def __init__(self, parent: QWidget, actor: Actor, code: str):
        super().__init__(parent)
        self.setObjectName("account_history_dialog")
        self.setWindowTitle(tr("Account history {0}").format(code))
        self.actor, self.code = actor, code
        self.view: HistoryView | None = None
        self.resize(1180, 660)
        lay = QVBoxLayout(self)
        self.heading = QLabel(code)
        self.heading.setObjectName("history_heading")
        self.heading.setStyleSheet("font-size:15px; font-weight:bold;")
        lay.addWidget(self.heading)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("history_tabs")
        lay.addWidget(self.tabs, 1)

        # 对账单: dates, the document, print and save
        page = QWidget()
        pv = QVBoxLayout(page)
        row = QHBoxLayout()
        self.date_from = QDateEdit()
        self.date_from.setObjectName("history_date_from")
        self.date_to = QDateEdit()
        self.date_to.setObjectName("history_date_to")
        for label, edit in ((tr("From"), self.date_from), (tr("To"), self.date_to)):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setCalendarPopup(True)
            row.addWidget(QLabel(label))
            row.addWidget(edit)
        row.addWidget(push_button(tr("&Refresh"), "history_refresh_button", self.on_refresh_button_clicked))
        row.addWidget(
            push_button(tr("&Print statement…"), "history_print_button", self.on_print_button_clicked)
        )
        row.addWidget(push_button(tr("&Save PDF…"), "history_pdf_button", lambda: self.save("pdf")))
        row.addStretch(1)
        pv.addLayout(row)
        self.statement = DocumentView("history_statement")
        pv.addWidget(self.statement, 1)
        self.tabs.addTab(page, tr("Statement"))

        money = [
            Column(tr("Date"), lambda e: e.business_date.isoformat()),
            Column(tr("Time"), lambda e: e.time),
            Column(tr("Kind"), lambda e: e.kind),
            Column(tr("Receipt"), lambda e: e.receipt_no),
            Column(tr("Amount"), lambda e: e.amount, money=True, color=lambda e: _signed(e.amount)),
            Column(tr("Tenders / item"), lambda e: e.detail),
            Column(tr("Operator"), lambda e: e.operator),
            Column(tr("Reason / original receipt"), lambda e: e.reason),
        ]
        self.payments_model = DtoTableModel(money, self)
        self.corrections_model = DtoTableModel(money, self)
        self.charges_model = DtoTableModel(
            [
                Column(tr("Fee"), lambda c: c.fee),
                Column(tr("Period"), lambda c: c.period),
                Column(tr("Amount"), lambda c: c.amount, money=True),
                Column(tr("Paid"), lambda c: c.paid, money=True),
                Column(tr("Waived"), lambda c: c.adjusted, money=True),
                Column(
                    tr("Due"),
                    lambda c: c.outstanding,
                    money=True,
                    color=lambda c: RED if c.outstanding else None,
                ),
                Column(tr("Due date"), lambda c: c.due_date.isoformat()),
            ],
            self,
        )
        self.contacts_model = DtoTableModel(
            [
                Column(tr("Date"), lambda c: c.business_date.isoformat()),
                Column(tr("Channel"), lambda c: c.channel),
                Column(tr("Result"), lambda c: c.result),
                Column(tr("Reason"), lambda c: c.reason),
                Column(tr("Promised by"), lambda c: c.promise_date.isoformat() if c.promise_date else ""),
                Column(tr("Operator"), lambda c: c.who),
                Column(tr("Note"), lambda c: c.note),
            ],
            self,
        )
        for name, model, title in (
            ("history_payments", self.payments_model, tr("Payments and receipts")),
            ("history_corrections", self.corrections_model, tr("Corrections")),
            ("history_charges", self.charges_model, tr("Charges")),
            ("history_contacts", self.contacts_model, tr("Dunning contacts")),
        ):
            view = table_view(name, model, sortable=False)
            setattr(self, name, view)
            self.tabs.addTab(view, title)

        bottom = QHBoxLayout()
        self.message = message_label("history_message")
        bottom.addWidget(self.message, 1)
        bottom.addWidget(push_button(tr("Close (Esc)"), "history_close_button", self.reject))
        lay.addLayout(bottom)
        self.load()

    # -- reading ------------------------------------------------------------------------
    def load(self, dates: bool = False) -> None:
        kw = {}
        if dates:
            kw = {"date_from": self.date_from.date().toPython(), "date_to": self.date_to.date().toPython()}
        self.message.setText(tr("Reading…"))
        Op(
            self, history_view, name="account_history", actor=self.actor, account_code=self.code, **kw
        ).on_success(self._loaded).on_failure(self._failed).start()

    def _loaded(self, view: HistoryView) -> None:
        self.view = view
        h = view.history
        self.heading.setText(f"{h.code}　{h.owner}")
        self.date_from.setDate(QDate(view.date_from))
        self.date_to.setDate(QDate(view.date_to))
        self.statement.set_document(view.statement)
        self.payments_model.set_rows([e for e in h.events if e.receipt_no])
        self.corrections_model.set_rows([e for e in h.events if e.kind in CORRECTION_KINDS])
        self.charges_model.set_rows(h.charges)
        self.contacts_model.set_rows(h.contacts)
        for view in (
            self.history_payments,
            self.history_corrections,
            self.history_charges,
            self.history_contacts,
        ):
            view.resizeColumnsToContents()
        for i, n in enumerate(
            (
                None,
                len(self.payments_model.rows),
                len(self.corrections_model.rows),
                len(h.charges),
                len(h.contacts),
            )
        ):
            if n is not None:
                self.tabs.setTabText(i, self.tabs.tabText(i).split("（")[0] + f"（{n}）")
        self.message.setStyleSheet("")
        self.message.setText("")

    def _failed(self, error) -> None:
        self.message.setStyleSheet("color:#c62828;")
        self.message.setText(error.message)

    @Slot()
    def on_refresh_button_clicked(self) -> None:
        self.load(dates=True)

    # -- the payer's statement ----------------------------------------------------------
    @Slot()
    def on_print_button_clicked(self) -> None:
        if self.view is not None:
            print_with_dialog(
                self, self.view.statement, lambda n: self._ok(tr("Printed {0} pages").format(n)), self._failed
            )

    def save(self, kind: str, path: str = "") -> None:
        if self.view is not None:
            save_document(
                self,
                self.view.statement,
                kind,
                lambda p: self._ok(tr("Saved: {0}").format(p)),
                self._failed,
                path,
            )

    def _ok(self, text: str) -> None:
        say(self.message, text)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return  # Enter never closes the history by accident (no default button)
        super().keyPressEvent(event)


def open_history(parent: QWidget, actor: Actor, code: str) -> AccountHistoryDialog:
    dlg = AccountHistoryDialog(parent, actor, code)
    pages = getattr(parent.window(), "pages", None)
    if pages is not None:  # lock, idle lock or log-out: the history closes with the work page
        pages.currentChanged.connect(dlg.reject)
    dlg.open()
    return dlg
