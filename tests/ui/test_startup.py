"""Starting the program as `python main.py --db PATH` does: log-in first, ledger behind it."""

from __future__ import annotations

from app.ui.main import MainWindow, parse_args
from tests.ui.conftest import log_in


def test_window_opens_the_ledger_behind_the_login_page(qtbot, ledger):
    win = MainWindow(station_code="W01", idle_minutes=0, db=str(ledger.path))
    qtbot.addWidget(win)
    win.show()
    assert "FeeDesk 收费台" in win.windowTitle()
    assert win.pages.currentWidget() is win.login_page
    qtbot.waitUntil(lambda: win.tabs is not None, timeout=10000)
    assert win.opened is not None and not win.opened.read_only
    log_in(qtbot, win, "demo")
    assert win.status_labels["cashier"].text() == "收费员：demo"
    assert "W01" in win.status_labels["station"].text()
    win.close()
    assert win.opened is None  # the single-writer lock is released on close


def test_a_missing_ledger_is_explained_on_the_login_page(qtbot, tmp_path):
    win = MainWindow(station_code="W01", idle_minutes=0, db=str(tmp_path / "nope.db"))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.login_page.error.text() != "", timeout=10000)
    assert "账本文件不存在" in win.login_page.error.text()
    assert not win.login_page.login_button.isEnabled()
    win.close()


def test_a_broken_ledger_is_explained_in_a_dialog_not_the_internal_error_box(qtbot, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    (tmp_path / "random.db").write_bytes(bytes(range(256)) * 16)
    for db, words in ((str(tmp_path / "random.db"), "不是收费台账本文件"), (str(tmp_path), "是一个文件夹"),
                      ("mysql://u:p@h/x", "不支持的数据库地址")):
        win = MainWindow(station_code="W01", idle_minutes=0, db=db)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda w=win: w.findChild(QMessageBox, "error_box") is not None, timeout=10000)
        box = win.findChild(QMessageBox, "error_box")
        assert words in box.text() and words in win.login_page.error.text()
        assert win.findChild(QMessageBox, "internal_error_box") is None
        assert not win.login_page.login_button.isEnabled()
        box.close()
        win.close()


def test_command_line_options():
    args = parse_args(["--db", "x.db", "--station", "W02", "--lang", "en", "--idle-lock", "5"])
    assert (args.db, args.station, args.lang, args.idle_lock) == ("x.db", "W02", "en", 5)
