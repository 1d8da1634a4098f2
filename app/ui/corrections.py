"""The correction dialogs: void (作废), refund (退费), waiver (减免), write-off (核销), deposit refund (退押金)
and prepaid refund (预存退款), each under a second person's approval.

One dialog class, `CorrectionDialog`, configured per correction: what is corrected (summary,
the receipt's tenders), its own fields (amount, refund tender, deposit, written reference), a
reason (the back office's preset list or free text) and the supervisor's user name and password.

Every refusal that does not depend on the password comes from the service's `check_*` read
(the same code the correction runs first): it runs when the dialog opens and whenever a field
it depends on changes, and the supervisor fields stay disabled until it passes. A refusal never
clears what was typed; after a wrong password the password is selected, so typing replaces it.
The correction itself is one write op; its form (this dialog) is held while it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import FeeDeskError
from app.money import format_yuan
from app.services.desk import corrections
from app.ui.i18n import tr
from app.ui.models import line_edit, table_widget
from app.ui.op import Op

REFUND_TENDERS = ("cash", "wechat", "alipay", "card", "transfer", "prepaid")
BALANCE_TENDERS = ("cash", "wechat", "alipay", "card", "transfer")  # a balance is never refunded into itself


class CorrectionDialog(QDialog):
    """Fields, then reason, then supervisor and password; Enter moves on, Enter in the password approves.

    `check(session, **kw)` and `submit(session, **kw)` are the service functions; `fixed` are the
    keyword arguments known when the dialog opens (receipt number, charge, account).
    """

    def __init__(self, parent: QWidget, *, actor, kind: str, title: str, summary: str,
                 check: Callable, submit: Callable, fixed: dict, amount: bool = True,
                 tenders: tuple[str, ...] = (), default_tender: str = "cash",
                 reference: bool = False, deposits: list[tuple[str, str, int]] | None = None):
        super().__init__(parent)
        self.setObjectName(f"{kind}_dialog")
        self.setWindowTitle(title)
        self.actor = actor
        self.kind = kind
        self._check_fn = check
        self._submit_fn = submit
        self.fixed = dict(fixed)
        self.result_value = None
        self.checked: corrections.CorrectionCheck | None = None
        self._check_seq = 0
        self._checked_kw: dict | None = None  # the field values the last passed check was run on
        lay = QVBoxLayout(self)
        self.summary = QLabel(summary)
        self.summary.setObjectName("correction_summary")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.extra = QVBoxLayout()  # what a kind shows above the form (a receipt's tenders)
        lay.addLayout(self.extra)
        self.form = QFormLayout()
        lay.addLayout(self.form)
        self.inputs: list[QWidget] = []  # the kind's own fields, in tab order
        self.deposit: QComboBox | None = None
        self.tender: QComboBox | None = None
        self.amount = None
        self.reference = None
        self.available = QLabel("")
        self.available.setObjectName("correction_available")
        self.form.addRow(self.available)
        if deposits and len(deposits) > 1:  # one deposit needs no choosing
            self.deposit = QComboBox()
            self.deposit.setObjectName("correction_deposit")
            for code, name, held in deposits:
                self.deposit.addItem(f"{name}  {format_yuan(held)}", code)
            self.deposit.currentIndexChanged.connect(lambda _i: (self.on_field_changed(), self.run_check()))
            self._add(tr("Deposit"), self.deposit)
        if amount:
            self.amount = line_edit("correction_amount", tr("empty: the whole amount"))
            self.amount.textEdited.connect(self.on_field_changed)
            self.amount.editingFinished.connect(self.run_check)
            self.amount.returnPressed.connect(self.on_field_return_pressed)
            self._add(tr("Amount"), self.amount)
        if tenders:
            from app.ui.workspace import tender_label

            self.tender = QComboBox()
            self.tender.setObjectName("correction_tender")
            for t in tenders:
                self.tender.addItem(tender_label(t) if t != "prepaid" else tr("Into the prepaid balance"), t)
            i = self.tender.findData(default_tender)
            self.tender.setCurrentIndex(max(i, 0))
            self.tender.currentIndexChanged.connect(lambda _i: (self.on_field_changed(), self.run_check()))
            self._add(tr("Pay back by"), self.tender)
        if reference:
            self.reference = line_edit("correction_reference", tr("e.g. waiver approval form 2026-018"))
            self.reference.returnPressed.connect(self.on_field_return_pressed)
            self._add(tr("Written approval no."), self.reference)
        self.reason = QComboBox()
        self.reason.setObjectName("correction_reason")
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason.lineEdit().setPlaceholderText(tr("Choose (↓) or type the reason"))
        self.reason.lineEdit().returnPressed.connect(self.on_reason_return_pressed)
        self.form.addRow(tr("Reason"), self.reason)
        self.approver = line_edit("approval_user")
        self.password = line_edit("approval_password", password=True)
        self.form.addRow(tr("Supervisor"), self.approver)
        self.form.addRow(tr("Supervisor password"), self.password)
        self.approver.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.on_buttons_accepted)
        self.error = QLabel("")
        self.error.setObjectName("approval_error")
        self.error.setStyleSheet("color:#c62828;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("approval_ok")
        self.ok_button.setText(tr("Approve (Enter)"))
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(tr("Cancel (Esc)"))
        for b in (self.ok_button, cancel):  # Enter belongs to the field that has focus (`keyPressEvent`)
            b.setAutoDefault(False)
        buttons.accepted.connect(self.on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        chain = [*self.inputs, self.reason, self.approver, self.password, self.ok_button, cancel]
        for a, b in pairwise(chain):
            self.setTabOrder(a, b)
        self._set_approval_enabled(False)
        self.setMinimumWidth(520)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Enter belongs to the field that has focus: the button box makes its OK button the
        dialog's default when shown, and QDialog would click it on every Enter a field lets through."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def _add(self, label: str, widget: QWidget) -> None:
        self.form.addRow(label, widget)
        self.inputs.append(widget)

    def add_table(self, table: QTableWidget) -> None:
        self.extra.addWidget(table)

    # -- opening -------------------------------------------------------------------------------
    def start(self) -> None:
        """Show the dialog, load the preset reasons and run the first check."""
        self.open()
        (self.inputs[0] if self.inputs else self.reason).setFocus()
        Op(self, corrections.preset_reasons, name="preset_reasons", actor=self.actor, kind=self.kind) \
            .on_success(self._reasons_loaded).on_failure(lambda e: None).start()
        self.run_check()

    def _reasons_loaded(self, reasons: list[str]) -> None:
        typed = self.reason.currentText()
        self.reason.clear()
        self.reason.addItems(reasons)
        self.reason.setCurrentIndex(-1)
        self.reason.setEditText(typed)  # whatever was typed meanwhile stays

    # -- the check before the password -----------------------------------------------------------
    def check_kw(self) -> dict:
        kw = dict(self.fixed)
        if self.deposit is not None:
            kw["fee_code"] = self.deposit.currentData()
        if self.amount is not None:
            kw["amount"] = self.amount.text().strip() or None
        if self.tender is not None:
            kw["tender"] = self.tender.currentData()
        return kw

    @Slot()
    def on_field_changed(self) -> None:
        if self.check_kw() != self._checked_kw:
            self._set_approval_enabled(False)

    @Slot()
    def run_check(self) -> None:
        kw = self.check_kw()
        if kw == self._checked_kw:
            return
        self._check_seq += 1
        seq = self._check_seq
        Op(self, self._check_fn, name=f"check_{self.kind}", actor=self.actor, **kw) \
            .on_success(lambda c: self._check_passed(seq, kw, c)) \
            .on_failure(lambda e: self._check_refused(seq, e)).start()

    def _check_passed(self, seq: int, kw: dict, check: corrections.CorrectionCheck) -> None:
        if seq != self._check_seq:
            return  # an older check: the fields changed since
        self.checked = check
        self._checked_kw = kw
        self.error.setText("")
        self.available.setText(self.available_text(check))
        if self.amount is not None and not self.amount.text().strip():
            self.amount.setText(format_yuan(check.amount))  # the whole, to be changed for a partial one
            self.amount.selectAll()
            self._checked_kw = self.check_kw()
        self._set_approval_enabled(True)

    def _check_refused(self, seq: int, error: FeeDeskError) -> None:
        if seq != self._check_seq:
            return
        self.checked = None
        self._checked_kw = None
        self.error.setText(error.message)
        self._set_approval_enabled(False)

    def available_text(self, check: corrections.CorrectionCheck) -> str:
        names = {
            "void": tr("Voided: the whole {0}, back as it was paid"),
            "refund": tr("Refundable: {0}"),
            "waiver": tr("Outstanding: {0}"),
            "write_off": tr("Written off: the whole outstanding {0}"),
            "deposit_refund": tr("Deposit held: {0}"),
            "prepaid_refund": tr("Prepaid balance: {0}"),
        }
        return names[self.kind].format(format_yuan(check.available))

    def _set_approval_enabled(self, on: bool) -> None:
        for w in (self.approver, self.password, self.ok_button):
            w.setEnabled(on)
        if not on and self.focusWidget() in (self.approver, self.password, self.ok_button, None):
            (self.inputs[0] if self.inputs else self.reason).setFocus()

    @Slot()
    def on_field_return_pressed(self) -> None:
        self.run_check()
        i = self.inputs.index(self.focusWidget()) if self.focusWidget() in self.inputs else -1
        (self.inputs[i + 1] if 0 <= i < len(self.inputs) - 1 else self.reason).setFocus()

    @Slot()
    def on_reason_return_pressed(self) -> None:
        if self.approver.isEnabled():
            self.approver.setFocus()
        else:
            self.run_check()

    # -- the correction ----------------------------------------------------------------------------
    @Slot()
    def on_buttons_accepted(self) -> None:
        if not self.ok_button.isEnabled():
            return  # refused (or not yet checked): the message says why
        reason = self.reason.currentText().strip()
        if not reason:
            self.error.setText(tr("Choose or type the reason."))
            self.reason.setFocus()
            return
        self.error.setText("")
        kw = self.check_kw()
        if self.reference is not None:
            kw["reference"] = self.reference.text().strip()
        op = Op(self, self._submit_fn, write=True, name=self.kind, actor=self.actor, reason=reason,
                approver=self.approver.text().strip(), approver_password=self.password.text(), **kw)
        op.on_success(self._done).on_failure(self._failed).start()

    def _done(self, value) -> None:
        self.result_value = value
        self.accept()

    def _failed(self, error: FeeDeskError) -> None:
        """Nothing typed is wiped: the password is selected so that typing replaces it."""
        self.error.setText(error.message)
        self.password.setFocus()
        self.password.selectAll()


def void_dialog(parent: QWidget, actor, doc) -> CorrectionDialog:
    """作废 of receipt `doc` (a payment of the cashier's open shift): all of it, back as it was paid."""
    dlg = CorrectionDialog(parent, actor=actor, kind="void", title=tr("Void receipt {0}").format(doc.receipt_no),
                           summary=receipt_summary(doc), check=corrections.check_void,
                           submit=corrections.void_payment, fixed={"receipt_no": doc.receipt_no}, amount=False)
    dlg.add_table(tenders_table(doc))
    return dlg


def receipt_summary(doc) -> str:
    return tr("Receipt {0} · {1} {2} · issued {3} · total {4}").format(
        doc.receipt_no, doc.account_code, doc.payer, doc.issued_at, format_yuan(doc.total))


def tenders_table(doc) -> QTableWidget:
    """The receipt's tenders as taken: method, amount, reference."""
    from app.ui.workspace import tender_label

    headers = [tr("Tender"), tr("Amount"), tr("Transaction reference")]
    table = table_widget("correction_tenders", len(doc.tenders), headers)
    for i, t in enumerate(doc.tenders):
        for col, text in enumerate((tender_label(t.method), format_yuan(t.amount), t.reference or "")):
            item = QTableWidgetItem(text)
            if col == 1:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(i, col, item)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setColumnWidth(0, 120)
    table.setColumnWidth(1, 100)
    table.setMaximumHeight(36 + 30 * max(1, len(doc.tenders)))
    return table


def refund_dialog(parent: QWidget, actor, doc) -> CorrectionDialog:
    """退费 of receipt `doc` (a payment of an earlier, closed shift), whole or partial."""
    first = doc.tenders[0].method if doc.tenders else "cash"
    dlg = CorrectionDialog(
        parent,
        actor=actor,
        kind="refund",
        title=tr("Refund receipt {0}").format(doc.receipt_no),
        summary=receipt_summary(doc),
        check=corrections.check_refund,
        submit=corrections.refund_payment,
        fixed={"receipt_no": doc.receipt_no},
        tenders=REFUND_TENDERS,
        default_tender=first if first in REFUND_TENDERS else "cash",
    )
    dlg.add_table(tenders_table(doc))
    return dlg


def charge_summary(card, charge) -> str:
    return tr("{0} {1} · {2} {3} · amount {4}, outstanding {5}").format(
        card.code, card.owner, charge.fee, charge.period or charge.due_date.isoformat(),
        format_yuan(charge.amount), format_yuan(charge.outstanding))


def waiver_dialog(parent: QWidget, actor, card, charge) -> CorrectionDialog:
    """减免 of one charge (whole or part), with the written approval's reference."""
    return CorrectionDialog(parent, actor=actor, kind="waiver", title=tr("Waive a charge"),
                            summary=charge_summary(card, charge), check=corrections.check_waiver,
                            submit=corrections.waive, fixed={"charge_id": charge.id}, reference=True)


def write_off_dialog(parent: QWidget, actor, card, charge) -> CorrectionDialog:
    """核销 of what is still owed on one charge."""
    return CorrectionDialog(parent, actor=actor, kind="write_off", title=tr("Write off a charge"),
                            summary=charge_summary(card, charge), check=corrections.check_write_off,
                            submit=corrections.write_off, fixed={"charge_id": charge.id}, amount=False)


def balance_refund_dialog(parent: QWidget, actor, card, kind: str,
                          deposits: list[tuple[str, str, int]] | None = None) -> CorrectionDialog:
    """退押金 (kind 'deposit'; `deposits` held: (fee code, name, amount), chosen when more than one)
    or 预存退款 (kind 'prepaid')."""
    if kind == "deposit":
        title, held = tr("Refund a deposit"), tr("deposits held {0}").format(format_yuan(card.deposits))
    else:
        title, held = tr("Refund the prepaid balance"), tr("prepaid {0}").format(format_yuan(card.prepaid))
    fixed = {"kind": kind, "account_code": card.code}
    if deposits and len(deposits) == 1:
        fixed["fee_code"] = deposits[0][0]
    return CorrectionDialog(
        parent,
        actor=actor,
        kind=f"{kind}_refund",
        title=title,
        summary=f"{card.code} {card.owner} · {held}",
        check=corrections.check_balance_refund,
        submit=corrections.refund_balance,
        fixed=fixed,
        tenders=BALANCE_TENDERS,
        deposits=deposits,
    )
