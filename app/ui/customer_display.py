"""The payer-facing display (唱收唱付): a second window showing name (masked), due, received, change.

Fed only by the workspace's `display_changed` signal; it never reads the ledger. The spoken
line ("收您肆佰元，找零壹拾贰元") is shown as text, and spoken through the system's text-to-speech
(`spd-say` or `espeak-ng`, when installed) only with `speak=True` (`--speak`); off by default.
"""

from __future__ import annotations

import shutil
import subprocess

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from app.money import Money, format_yuan, to_chinese_upper
from app.ui.i18n import tr


def mask_name(name: str) -> str:
    """'张三丰' -> '张*丰', '张三' -> '张*' (privacy at the counter)."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def spoken_line(received: int, change: int) -> str:
    """'收您肆佰元，找零壹拾贰元' (amounts in 大写, without the trailing 整)."""
    def say(fen: int) -> str:
        return to_chinese_upper(Money(fen)).removesuffix("整")

    return f"收您{say(received)}，找零{say(change)}" if change else f"收您{say(received)}"


def speak(text: str) -> bool:
    """Say `text` in Chinese through the system's speech tool, without waiting. False if none."""
    for tool, args in (("spd-say", ["-l", "zh"]), ("espeak-ng", ["-v", "cmn"])):
        exe = shutil.which(tool)
        if exe:
            subprocess.Popen([exe, *args, text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return True
    return False


class CustomerDisplay(QWidget):
    def __init__(self, parent: QWidget | None = None, *, speak: bool = False):
        super().__init__(parent)
        self.speak = speak
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
        self.line = QLabel("")
        self.line.setObjectName("display_line")
        f = QFont(self.line.font())
        f.setPointSize(20)
        self.line.setFont(f)
        self.line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.line, 4, 0, 1, 2)
        self.resize(800, 480)

    @Slot(str, int, int, int)
    def on_workspace_display_changed(self, payer: str, due: int, received: int, change: int) -> None:
        self.values["payer"].setText(mask_name(payer))
        self.values["due"].setText(format_yuan(due) if due else "")
        self.values["received"].setText(format_yuan(received) if received else "")
        self.values["change"].setText(format_yuan(change) if change else "")
        line = spoken_line(received, change) if received and (change or not due or received >= due) else ""
        if line != self.line.text():
            self.line.setText(line)
            if line and self.speak:
                speak(line)
