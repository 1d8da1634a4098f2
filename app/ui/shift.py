"""Shift screen: open with a float, the open shift's figures, and (where the cash-desk services
exist) cash in/out and the blind close with its denomination grid.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import FeeDeskError
from app.money import format_yuan
from app.services import shifts
from app.ui.i18n import tr
from app.ui.op import Op


class ShiftScreen(QWidget):
    def __init__(self, window):
        super().__init__()
        self.setObjectName("shift_screen")
        self.window_ = window
        self.login = None
        self.info = None
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        lay.addLayout(left, 1)

        self.state = QLabel("")
        self.state.setObjectName("shift_state")
        f = QFont(self.state.font())
        f.setPointSize(16)
        f.setBold(True)
        self.state.setFont(f)
        self.state.setWordWrap(True)
        left.addWidget(self.state)

        self.open_box = QGroupBox(tr("Open shift (float from the safe)"))
        self.open_box.setObjectName("open_shift_box")
        form = QFormLayout(self.open_box)
        self.float_amount = QLineEdit("0")
        self.float_amount.setObjectName("float_amount")
        self.float_by = QLineEdit("")
        self.float_by.setObjectName("float_by")
        self.float_by.setPlaceholderText(tr("supervisor user name (optional)"))
        form.addRow(tr("Float"), self.float_amount)
        form.addRow(tr("Float handed over by"), self.float_by)
        self.open_button = QPushButton(tr("Open shift (Enter)"))
        self.open_button.setObjectName("open_shift_button")
        self.open_button.clicked.connect(self.on_open_button_clicked)
        form.addRow("", self.open_button)
        self.open_error = QLabel("")
        self.open_error.setObjectName("open_shift_error")
        self.open_error.setStyleSheet("color:#c62828;")
        self.open_error.setWordWrap(True)
        form.addRow("", self.open_error)
        self.float_amount.returnPressed.connect(self.on_open_button_clicked)
        self.float_by.returnPressed.connect(self.on_open_button_clicked)
        left.addWidget(self.open_box)
        self.extra = QVBoxLayout()
        left.addLayout(self.extra)
        left.addStretch(1)
        self.right = QVBoxLayout()
        lay.addLayout(self.right, 1)

    def set_login(self, login) -> None:
        self.login = login
        self.open_error.setText("")

    def focus_first(self) -> None:
        if self.info is None or self.info.shift is None:
            self.float_amount.setFocus()
            self.float_amount.selectAll()

    def show_status(self, info) -> None:
        self.info = info
        if info.shift is None:
            self.state.setText(tr("No open shift. Open one with the float counted out of the safe."))
            self.open_box.setVisible(True)
        else:
            s = info.shift
            self.state.setText(tr("Shift #{0} open since {1}, business date {2}\nFloat {3}, drawer cash {4}").format(
                s.id, s.opened_at.strftime("%H:%M"), s.business_date.isoformat(), format_yuan(s.float_amount),
                format_yuan(info.drawer_cash)))
            self.open_box.setVisible(False)

    def reload(self) -> None:
        self.window_.refresh_status()

    @Slot()
    def on_open_button_clicked(self) -> None:
        if self.login is None:
            return
        self.open_error.setText("")
        Op(self, shifts.open_shift, write=True, name="open_shift", actor=self.login.actor,
           float_amount=self.float_amount.text().strip() or "0", float_by=self.float_by.text().strip() or None) \
            .on_success(self._opened).on_failure(self._failed).start()

    def _failed(self, error: FeeDeskError) -> None:
        self.open_error.setText(error.message)

    def _opened(self, info) -> None:
        self.window_.status_message.setText(tr("Shift #{0} opened").format(info.id))
        self.window_.tabs.setCurrentWidget(self.window_.workspace)
        self.window_.workspace.search_box.setFocus()


def make_screen(window) -> QWidget:
    return ShiftScreen(window)


__all__ = ["ShiftScreen", "make_screen", "Qt"]
