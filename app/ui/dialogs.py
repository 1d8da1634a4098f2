"""Small dialogs shared by the screens: errors, the crash dialog, supervisor approval, F1 sheet.

Errors a person caused are shown as their Chinese message (next to the input where possible);
a bug shows one plain dialog and the traceback goes to the log file (`install_excepthook`).
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import FeeDeskError
from app.ui.i18n import N_, tr
from app.ui.models import line_edit, table_widget

log = logging.getLogger("feedesk.ui")


_open_boxes: list[QMessageBox] = []  # parentless boxes must outlive the call that opens them


def _open(box: QMessageBox) -> None:
    _open_boxes.append(box)
    box.finished.connect(lambda _r: _open_boxes.remove(box) if box in _open_boxes else None)
    box.open()


def show_error(parent: QWidget | None, message: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, tr("FeeDesk"), message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("error_box")
    _open(box)


def show_internal_error(parent: QWidget | None) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, tr("FeeDesk"),
                      tr("An internal error occurred. The ledger is unchanged; the details were written to the "
                         "log file. Please tell the administrator."),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("internal_error_box")
    _open(box)


def log_file() -> Path:
    from app import logs

    return logs.log_file("gui")


def install_excepthook() -> None:
    """Uncaught exceptions in slots: log the traceback to a file, show a plain Chinese dialog."""
    from app import logs

    logs.attach(log_file())

    def hook(exc_type, exc, tb):
        if isinstance(exc, FeeDeskError):
            show_error(None, exc.message)
            return
        log.error("uncaught exception:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        show_internal_error(None)

    sys.excepthook = hook


class ApprovalDialog(QDialog):
    """A supervisor types their own credentials and the reason into the same dialog.

    `submit(approver, password, reason, on_done, on_error)` starts the op; a refusal
    (wrong password, not a supervisor, own approval) is shown in the dialog, which stays open.
    """

    def __init__(self, parent: QWidget | None, title: str, summary: str,
                 submit: Callable[[str, str, str, Callable, Callable], None]):
        super().__init__(parent)
        self.setObjectName("approval_dialog")
        self.setWindowTitle(title)
        self._submit = submit
        self.result_value = None
        lay = QVBoxLayout(self)
        info = QLabel(summary)
        info.setObjectName("approval_summary")
        info.setWordWrap(True)
        lay.addWidget(info)
        form = QFormLayout()
        self.reason = line_edit("approval_reason")
        self.approver = line_edit("approval_user")
        self.password = line_edit("approval_password", password=True)
        form.addRow(tr("Reason"), self.reason)
        form.addRow(tr("Supervisor"), self.approver)
        form.addRow(tr("Supervisor password"), self.password)
        lay.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("approval_error")
        self.error.setStyleSheet("color:#c62828;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.setObjectName("approval_buttons")
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("approval_ok")
        self.ok_button.setText(tr("Approve (Enter)"))
        self.ok_button.setDefault(True)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(tr("Cancel (Esc)"))
        cancel.setAutoDefault(False)
        self._busy = False
        buttons.accepted.connect(self.on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        # Enter in the fields moves on, and in the password field approves (whatever button had focus)
        self.reason.returnPressed.connect(self.approver.setFocus)
        self.approver.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.on_buttons_accepted)
        self.ok_button.setAutoDefault(False)
        self.setTabOrder(self.reason, self.approver)
        self.setTabOrder(self.approver, self.password)
        self.reason.setFocus()

    @Slot()
    def on_buttons_accepted(self) -> None:
        if self._busy:
            return  # one approval at a time; the button keeps its focus (no focus jump to Cancel)
        self._busy = True
        self.error.setText("")
        self._submit(self.approver.text().strip(), self.password.text(), self.reason.text().strip(),
                     self._done, self._failed)

    def _done(self, value) -> None:
        self.result_value = value
        self._busy = False
        self.accept()

    def _failed(self, error: FeeDeskError) -> None:
        self._busy = False
        self.error.setText(error.message)
        self.password.clear()
        self.password.setFocus()


SHORTCUTS: list[tuple[str, str]] = [
    ("F1", N_("This shortcut sheet")),
    ("F2", N_("Find account (search box)")),
    ("Enter", N_("Open the account / pay with the amount typed")),
    ("Space", N_("Select or deselect the current charge")),
    ("F3", N_("Quick charge (itemise)")),
    ("F4", N_("Receipts")),
    ("F5", N_("Tender: WeChat Pay")),
    ("F6", N_("Tender: Alipay")),
    ("F7", N_("Tender: bank card")),
    ("F8", N_("Tender: transfer")),
    ("F9", N_("Tender: prepaid balance")),
    ("F10", N_("Tender: medical insurance")),
    ("Ctrl+P", N_("Keep the change as prepaid")),
    ("Ctrl+Backspace", N_("Remove the last tender line")),
    ("F11", N_("Shift: open, cash in/out, blind close")),
    ("F12", N_("Supervisor desk")),
    ("Ctrl+R", N_("Reprint: the receipt selected on the receipts screen, else the last one taken")),
    ("Ctrl+D", N_("Receipts screen: void the selected receipt")),
    ("Ctrl+T", N_("Receipts screen: refund the selected receipt")),
    ("Ctrl+L", N_("Lock the screen")),
    ("Ctrl+Q", N_("Log out")),
    ("Esc", N_("Clear and go back to the search box")),
]


class ShortcutSheet(QDialog):
    def __init__(self, parent: QWidget | None):
        super().__init__(parent)
        self.setObjectName("shortcut_sheet")
        self.setWindowTitle(tr("Keyboard shortcuts"))
        lay = QVBoxLayout(self)
        table = table_widget("shortcut_table", len(SHORTCUTS), [tr("Key"), tr("Action")])
        for i, (key, text) in enumerate(SHORTCUTS):
            table.setItem(i, 0, QTableWidgetItem(key))
            table.setItem(i, 1, QTableWidgetItem(tr(text)))
        table.verticalHeader().setVisible(False)
        table.setColumnWidth(0, 130)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        lay.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Close (Esc)"))
        lay.addWidget(buttons)
        self.resize(560, 640)
        table.setFocus(Qt.FocusReason.OtherFocusReason)
