"""Program entry: parse options, make sure the ledger exists, show the main window."""

from __future__ import annotations

import argparse
import sys

from app import config


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="feedesk-gui")
    p.add_argument("--db", default=None)
    p.add_argument("--station", default=None)
    p.add_argument("--lang", default="zh_CN")
    return p.parse_args(argv)


def load_font():
    from PySide6.QtGui import QFont, QFontDatabase

    font_id = QFontDatabase.addApplicationFont(str(config.FONT_PATH))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        return QFont(families[0], 11)
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    font = load_font()
    if font is not None:
        app.setFont(font)
    win = QMainWindow()
    win.setWindowTitle("FeeDesk 收费台")
    win.setCentralWidget(QLabel(f"FeeDesk 收费台\n账本：{args.db or config.default_db()}"))
    win.resize(1366, 768)
    win.show()
    return app.exec()
