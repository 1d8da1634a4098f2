"""Complaints and repairs (投诉/报修): register one the moment it is received, see the open ones,
close one with the outcome and the caller's rating.

Reads `tickets.list_tickets`; writes `tickets.register_ticket` and `tickets.close_ticket`. The
rules (assignee and deadline required, closed once, who may) are the service's; this screen only
collects the fields and shows the Chinese refusal it gets back.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from app.errors import FeeDeskError
from app.services.clock import parse_date
from app.services.master import tickets
from app.ui.i18n import tr
from app.ui.models import (
    Column,
    DtoTableModel,
    line_edit,
    message_label,
    proxied_table,
    push_button,
)
from app.ui.op import Op


def _combo(name: str, names: dict[str, str]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for code, label in names.items():
        box.addItem(label, code)
    return box


class TicketsScreen(QWidget):
    def __init__(self, window):
        super().__init__()
        self.setObjectName("tickets_screen")
        self.window_ = window
        self.login = None
        lay = QVBoxLayout(self)

        new = QGroupBox(tr("Register a complaint or repair request"))
        form = QFormLayout(new)
        self.kind = _combo("ticket_kind", tickets.KIND_NAMES)
        self.kind.setMaximumWidth(320)
        self.account = line_edit("ticket_account", tr("account code, e.g. 1-2-301 (optional)"), max_width=320)
        self.caller = line_edit("ticket_caller", max_width=320)
        self.phone = line_edit("ticket_phone", max_width=320)
        self.description = line_edit("ticket_description", tr("what is wrong, where"))
        self.assignee = line_edit("ticket_assignee", tr("who is responsible"), max_width=320)
        self.deadline = line_edit("ticket_deadline", tr("YYYY-MM-DD (empty: by kind)"), max_width=320)
        self.dispute = QCheckBox(tr("The payer refuses to pay until this is resolved"))
        self.dispute.setObjectName("ticket_dispute")
        self.register_button = push_button(tr("Register"), "ticket_register", self.on_register_button_clicked)
        form.addRow(tr("Kind"), self.kind)
        form.addRow(tr("Account"), self.account)
        form.addRow(tr("Caller"), self.caller)
        form.addRow(tr("Phone"), self.phone)
        form.addRow(tr("Content"), self.description)
        form.addRow(tr("Responsible"), self.assignee)
        form.addRow(tr("Deadline"), self.deadline)
        form.addRow("", self.dispute)
        form.addRow("", self.register_button)
        for edit in (self.account, self.caller, self.phone, self.description, self.assignee, self.deadline):
            edit.returnPressed.connect(self.on_register_button_clicked)
        lay.addWidget(new)

        top = QHBoxLayout()
        self.open_only = QCheckBox(tr("Open tickets only"))
        self.open_only.setObjectName("tickets_open_only")
        self.open_only.setChecked(True)
        self.open_only.toggled.connect(lambda _on: self.reload())
        top.addWidget(self.open_only)
        top.addStretch(1)
        lay.addLayout(top)
        self.model = DtoTableModel([
            Column(tr("Ticket"), lambda t: t.ticket_no), Column(tr("Kind"), lambda t: t.kind),
            Column(tr("Account"), lambda t: t.account_code), Column(tr("Caller"), lambda t: t.caller),
            Column(tr("Responsible"), lambda t: t.assignee),
            Column(tr("Received on"), lambda t: t.received_on.isoformat()),
            Column(tr("Deadline"), lambda t: t.deadline.isoformat()), Column(tr("Status"), lambda t: t.status),
            Column(tr("Satisfaction"), lambda t: t.satisfaction),
            Column(tr("Content"), lambda t: t.description)], self)  # last: it takes the rest of the width
        self.table, self.proxy = proxied_table("tickets_table", self.model, self)
        lay.addWidget(self.table, 1)

        close = QHBoxLayout()
        self.outcome = line_edit("ticket_outcome", tr("what was done"))
        self.satisfaction = _combo("ticket_satisfaction", tickets.SATISFACTION_NAMES)
        self.close_button = push_button(tr("Close the selected ticket"), "ticket_close", self.on_close_button_clicked)
        self.outcome.returnPressed.connect(self.on_close_button_clicked)
        close.addWidget(self.outcome, 1)
        close.addWidget(self.satisfaction)
        close.addWidget(self.close_button)
        lay.addLayout(close)
        self.message = message_label("tickets_message")
        lay.addWidget(self.message)

    # -- screen protocol ------------------------------------------------------------------
    def set_login(self, login) -> None:
        self.login = login

    def focus_first(self) -> None:
        self.description.setFocus()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        if self.login is None:
            return
        Op(self, tickets.list_tickets, name="list_tickets", actor=self.login.actor,
           open_only=self.open_only.isChecked()).on_success(self._loaded) \
            .on_failure(lambda e: self.message.setText(e.message)).start()

    def _loaded(self, rows) -> None:
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()  # ticket numbers and dates whole; the content column stretches

    # -- slots ----------------------------------------------------------------------------
    @Slot()
    def on_register_button_clicked(self) -> None:
        if self.login is None or not self.register_button.isEnabled():
            return
        deadline = self.deadline.text().strip()
        try:
            day = parse_date(deadline) if deadline else None
        except FeeDeskError as exc:
            self.message.setText(exc.message)
            return
        self.register_button.setEnabled(False)
        Op(self, tickets.register_ticket, write=True, name="register_ticket", actor=self.login.actor,
           kind=self.kind.currentData(), description=self.description.text(), assignee=self.assignee.text(),
           account_code=self.account.text(), caller_name=self.caller.text(), caller_phone=self.phone.text(),
           deadline=day, disputes_payment=self.dispute.isChecked()) \
            .on_success(self._registered).on_failure(self._failed).start()

    def _registered(self, t) -> None:
        self.register_button.setEnabled(True)
        for edit in (self.account, self.caller, self.phone, self.description, self.assignee, self.deadline):
            edit.clear()
        self.dispute.setChecked(False)
        self.message.setText(tr("Registered {0}: {1}, deadline {2}").format(t.ticket_no, t.assignee,
                                                                          t.deadline.isoformat()))
        self.reload()
        self.description.setFocus()

    def _failed(self, error) -> None:
        self.register_button.setEnabled(True)
        self.close_button.setEnabled(True)
        self.message.setText(error.message)

    @Slot()
    def on_close_button_clicked(self) -> None:
        if self.login is None or not self.close_button.isEnabled():
            return
        index = self.table.currentIndex()
        if not index.isValid():
            self.message.setText(tr("Select a ticket first"))
            return
        row = self.model.row_at(self.proxy.mapToSource(index).row())
        self.close_button.setEnabled(False)
        Op(self, tickets.close_ticket, write=True, name="close_ticket", actor=self.login.actor,
           ticket_no=row.ticket_no, outcome=self.outcome.text(), satisfaction=self.satisfaction.currentData()) \
            .on_success(self._closed).on_failure(self._failed).start()

    def _closed(self, t) -> None:
        self.close_button.setEnabled(True)
        self.outcome.clear()
        self.message.setText(tr("Closed {0}").format(t.ticket_no))
        self.reload()


def make_screen(window) -> QWidget:
    return TicketsScreen(window)
