"""The payer-facing display (唱收唱付): a second window showing name (masked), due, received, change.

Fed only by the workspace's `display_changed` signal; it never reads the ledger.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from app.money import format_yuan
from app.ui.i18n import tr


def mask_name(name: str) -> str:
    """'张三丰' -> '张*丰', '张三' -> '张*' (privacy at the counter)."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class CustomerDisplay(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("customer_display")
        self.setWindowTitle(tr("Customer display"))
        grid = QGridLayout(self)
        self.values: dict[str, QLabel] = {}
        for row, (key, label) in enumerate((("payer", tr("Payer")), ("due", tr("Amount due")),
                                            ("received", tr("Received")), ("change", tr("Change")))):
            name = QLabel(label)
            value = QLabel("")
            value.setObjectName(f"display_{key}")
            for lab in (name, value):
                f = QFont(lab.font())
                f.setPointSize(28)
                f.setBold(key in ("due", "change"))
                lab.setFont(f)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
            self.values[key] = value
        self.resize(800, 480)

    @Slot(str, int, int, int)
    def on_workspace_display_changed(self, payer: str, due: int, received: int, change: int) -> None:
        self.values["payer"].setText(mask_name(payer))
        self.values["due"].setText(format_yuan(due) if due else "")
        self.values["received"].setText(format_yuan(received) if received else "")
        self.values["change"].setText(format_yuan(change) if change else "")
