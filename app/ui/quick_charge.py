"""Quick charge (划价收费): price ad-hoc items for a payer, then collect in the workspace.

The payer is an existing account (room number, patient number...) or a walk-in payer
(name, ID number, optional phone: `admin.walk_in` finds or creates their LK account in the
same transaction as the charges). Items come from the
fee catalogue by code or pinyin initials, with quantity; the department is shown. "Post"
adds all items as charges in one transaction (`billing.add_charge` per item) and hands their
ids back, so the workspace opens the account with exactly those charges selected.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.errors import FeeDeskError
from app.money import format_yuan
from app.services.bills import billing, fees
from app.services.master import accounts, admin
from app.ui.i18n import tr
from app.ui.models import Column, DtoTableModel, line_edit, table_view
from app.ui.op import Op


@dataclass(frozen=True)
class ItemLine:
    code: str
    name: str
    department: str
    unit: str
    rate: str
    quantity: str
    estimate: int


def post_items(session, *, actor, account_code: str, items: list[tuple[str, str]]) -> list[billing.ChargeAdded]:
    """All items of one quick charge as charges, in one transaction."""
    return [billing.add_charge(session, actor=actor, account_code=account_code, fee_code=code, quantity=qty)
            for code, qty in items]


def post_walk_in(session, *, actor, payer_name: str, id_number: str, phone: str,
                 items: list[tuple[str, str]]) -> tuple[str, list[billing.ChargeAdded]]:
    """A walk-in payer's (found or new) account and their items, in one transaction."""
    payer = admin.walk_in(session, actor=actor, name=payer_name, id_number=id_number, phone=phone)
    return payer.code, post_items(session, actor=actor, account_code=payer.code, items=items)


def match_fees(catalogue: list[fees.FeeInfo], text: str) -> list[fees.FeeInfo]:
    t = text.strip().lower()
    if not t:
        return []
    exact = [f for f in catalogue if f.code.lower() == t]
    if exact:
        return exact
    return [f for f in catalogue if f.code.lower().startswith(t) or accounts.pinyin_initials(f.name).startswith(t)
            or f.name.startswith(text.strip())]


class QuickChargeDialog(QDialog):
    charges_posted = Signal(str, object)  # account code, list of ChargeAdded

    def __init__(self, parent: QWidget | None, actor, account_code: str = ""):
        super().__init__(parent)
        self.setObjectName("quick_charge_dialog")
        self.setWindowTitle(tr("Quick charge (itemise)"))
        self.actor = actor
        self.catalogue: list[fees.FeeInfo] = []
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.account = line_edit("qc_account", tr("Account / patient number"), account_code)
        form.addRow(tr("Payer account"), self.account)
        self.walk_in = QCheckBox(tr("Walk-in payer without an account"))
        self.walk_in.setObjectName("qc_walk_in")
        form.addRow("", self.walk_in)
        self.walk_in_name = line_edit("qc_walk_in_name", tr("payer's name"))
        self.walk_in_id = line_edit("qc_walk_in_id", tr("ID number (finds a returning payer)"))
        self.walk_in_phone = line_edit("qc_walk_in_phone", tr("optional"))
        self.walk_in_labels = []
        for label, edit in ((tr("Name"), self.walk_in_name), (tr("ID number"), self.walk_in_id),
                            (tr("Phone"), self.walk_in_phone)):
            form.addRow(label, edit)
            self.walk_in_labels.append(form.labelForField(edit))
        self.item = line_edit("qc_item", tr("Item code or pinyin initials"))
        form.addRow(tr("Item"), self.item)
        self.match = QLabel("")
        self.match.setObjectName("qc_match")
        form.addRow("", self.match)
        self.quantity = line_edit("qc_quantity", text="1")
        form.addRow(tr("Quantity (Enter adds)"), self.quantity)
        lay.addLayout(form)
        self.items_model = DtoTableModel([
            Column(tr("Code"), lambda i: i.code), Column(tr("Item"), lambda i: i.name),
            Column(tr("Department"), lambda i: i.department), Column(tr("Rate"), lambda i: i.rate),
            Column(tr("Quantity"), lambda i: f"{i.quantity}{i.unit}"),
            Column(tr("Amount"), lambda i: i.estimate, money=True)], self)
        self.items = table_view("qc_items", self.items_model)
        lay.addWidget(self.items, 1)
        self.total = QLabel("")
        self.total.setObjectName("qc_total")
        lay.addWidget(self.total)
        self.error = QLabel("")
        self.error.setObjectName("qc_error")
        self.error.setStyleSheet("color:#c62828;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("qc_post")
        self.ok_button.setText(tr("Post and collect (Ctrl+Enter)"))
        self.ok_button.setAutoDefault(False)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel (Esc)"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.on_buttons_accepted)
        self.item.textEdited.connect(self.on_item_text_edited)
        self.item.returnPressed.connect(self.quantity.setFocus)
        self.quantity.returnPressed.connect(self.on_quantity_return_pressed)
        self.account.returnPressed.connect(self.item.setFocus)
        self.walk_in_name.returnPressed.connect(self.walk_in_id.setFocus)
        self.walk_in_id.returnPressed.connect(self.walk_in_phone.setFocus)
        self.walk_in_phone.returnPressed.connect(self.item.setFocus)
        self.walk_in.toggled.connect(self.on_walk_in_toggled)
        self.on_walk_in_toggled(False)
        for w in (self.account, self.walk_in_name, self.walk_in_id, self.walk_in_phone, self.item, self.quantity):
            w.installEventFilter(self)
        self.resize(720, 520)
        (self.item if account_code else self.account).setFocus()
        Op(self, fees.list_fees, name="list_fees", actor=actor).on_success(self._catalogue_loaded) \
            .on_failure(lambda e: self.error.setText(e.message)).start()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        # Enter in the fields must never trigger the dialog's default button.
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            obj.returnPressed.emit()
            return True
        return super().eventFilter(obj, event)

    @Slot(bool)
    def on_walk_in_toggled(self, on: bool) -> None:
        self.account.setEnabled(not on)
        for w in (self.walk_in_name, self.walk_in_id, self.walk_in_phone, *self.walk_in_labels):
            w.setVisible(on)
        if on:
            self.walk_in_name.setFocus()

    def _catalogue_loaded(self, catalogue) -> None:
        self.catalogue = [f for f in catalogue if f.method in ("quantity", "fixed") and f.rate]

    @Slot(str)
    def on_item_text_edited(self, text: str) -> None:
        found = match_fees(self.catalogue, text)
        self.match.setText("  ".join(f"{f.code} {f.name}" + (f"（{f.department}）" if f.department else "")
                                     + f" {f.rate}/{f.unit_name or tr('unit')}" for f in found[:5]))

    @Slot()
    def on_quantity_return_pressed(self) -> None:
        self.error.setText("")
        found = match_fees(self.catalogue, self.item.text())
        if len(found) != 1:
            self.error.setText(tr("Type an item code or pinyin initials that match one item.") if not found else
                               tr("{0} items match; type more letters.").format(len(found)))
            self.item.setFocus()
            return
        fee = found[0]
        try:
            qty = billing.parse_reading(self.quantity.text() or "1")
            if qty <= 0:
                raise FeeDeskError("数量必须大于零")
        except FeeDeskError as exc:
            self.error.setText(exc.message)
            return
        estimate = billing.amount_for(qty, fees.parse_rate(fee.rate))
        self.items_model.set_rows(self.items_model.rows + [ItemLine(
            fee.code, fee.name, fee.department, fee.unit_name, fee.rate, self.quantity.text() or "1", estimate)])
        self.total.setText(tr("Total {0}").format(format_yuan(sum(i.estimate for i in self.items_model.rows))))
        self.item.clear()
        self.match.setText("")
        self.quantity.setText("1")
        self.item.setFocus()

    @Slot()
    def on_buttons_accepted(self) -> None:
        if not self.items_model.rows:
            self.error.setText(tr("Add at least one item."))
            return
        items = [(i.code, i.quantity) for i in self.items_model.rows]
        if self.walk_in.isChecked():
            self.ok_button.setEnabled(False)
            Op(self, post_walk_in, write=True, name="quick_charge_walk_in", actor=self.actor,
               payer_name=self.walk_in_name.text().strip(), id_number=self.walk_in_id.text().strip(),
               phone=self.walk_in_phone.text().strip(), items=items) \
                .on_success(lambda r: self._posted(*r)).on_failure(self._failed).start()
            return
        code = self.account.text().strip()
        if not code:
            self.error.setText(tr("Type the payer's account."))
            self.account.setFocus()
            return
        self.ok_button.setEnabled(False)
        Op(self, post_items, write=True, name="quick_charge", actor=self.actor, account_code=code,
           items=[(i.code, i.quantity) for i in self.items_model.rows]) \
            .on_success(lambda added: self._posted(code, added)).on_failure(self._failed).start()

    def _failed(self, error: FeeDeskError) -> None:
        self.ok_button.setEnabled(True)
        self.error.setText(error.message)

    def _posted(self, code: str, added) -> None:
        self.charges_posted.emit(code, added)
        self.accept()
