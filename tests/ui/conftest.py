"""Fixtures of the UI tests: the real main window on a test ledger, logged in, with data.

The window is the program's own `MainWindow` with the bundled font and the zh_CN translation,
sized 1366×768. `type_text` types Chinese through an input-method commit (keyClicks aborts
on non-ASCII). Screenshots go to tests/_artifacts/screenshots/ (git-ignored), or to the
folder in env FEEDESK_SCREENSHOTS: `make screenshots` refreshes docs/images/ that way.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from app import config
from tests.helpers import assign_all, bill, make_accounts, make_fee

IMAGES = Path(os.environ.get("FEEDESK_SCREENSHOTS") or config.ROOT / "tests" / "_artifacts" / "screenshots")


@pytest.fixture(scope="session", autouse=True)
def qt_font_and_translation(qapp):
    from app.ui import i18n
    from app.ui.main import load_font

    font = load_font()
    assert font is not None, "bundled CJK font did not load"
    qapp.setFont(font)
    assert i18n.install(qapp, "zh_CN"), "zh_CN translation did not load"
    yield


def type_text(widget, text: str) -> None:
    """Type text as an input method commits it (safe for Chinese)."""
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def press(qtbot, widget, key=Qt.Key.Key_Return, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, key, modifier)


def screenshot(widget, name: str) -> Path:
    IMAGES.mkdir(parents=True, exist_ok=True)
    path = IMAGES / name
    QApplication.processEvents()
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path


def wait_idle(qtbot, window, timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=timeout)


@pytest.fixture
def estate(ledger):
    """A small estate: four units, property fee and refuse fee billed for two months."""
    make_accounts(ledger, """
        1-2-301 张三丰 89.50 13800001234
        1-2-302 李小龙 96.00 13900005678
        2-1-101 王芳 68.00 13700002468
        P-001 赵停车 0 13600001357
    """)
    make_fee(ledger, "WYF 物业费 area 2.00 monthly")
    make_fee(ledger, "LJF 垃圾处理费 fixed 15 monthly")
    assign_all(ledger, "WYF")
    assign_all(ledger, "LJF")
    bill(ledger, "2026-10", "2026-11")
    make_fee(ledger, "WXF 维修服务费 quantity 50 once", department="工程部", unit_name="次")
    make_fee(ledger, "KSF 开锁服务费 quantity 30 once", department="客服部", unit_name="次")
    return ledger


@pytest.fixture
def window(qtbot, estate):
    from app.ui.main import MainWindow

    win = MainWindow(estate.factory, station_code="W01", idle_minutes=0)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    yield win
    wait_idle(qtbot, win)
    win.close()


def log_in(qtbot, win, user: str = "demo", password: str | None = None) -> None:
    page = win.login_page
    page.username.clear()
    qtbot.keyClicks(page.username, user)
    press(qtbot, page.username)
    qtbot.keyClicks(page.password, password or user)
    press(qtbot, page.password)
    qtbot.waitUntil(lambda: win.pages.currentWidget() is win.tabs, timeout=5000)
    wait_idle(qtbot, win)


@pytest.fixture
def cashier(qtbot, window, estate):
    """Logged in as cashier demo with an open shift (float 200)."""
    from app.services.desk import shifts

    estate.run(shifts.open_shift, actor=estate.actor("demo"), float_amount="200")  # now, as at the window
    log_in(qtbot, window, "demo")
    return window
