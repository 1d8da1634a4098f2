"""The reconciliation screen: import by file dialog, run, the day's exceptions, resolve with approval."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

from app.services.desk import payments, shifts
from tests.ui.conftest import log_in, screenshot, type_text, wait_idle

WECHAT = Path(__file__).parents[1] / "services" / "statements" / "wechat_2026-11-25.csv"


def button(screen, name: str) -> QPushButton:
    return screen.findChild(QPushButton, name)


def local(hm: str) -> dt.datetime:
    h, m = map(int, hm.split(":"))
    return dt.datetime(2026, 11, 25, h - 8, m)


def test_supervisor_imports_runs_and_resolves_with_approval(qtbot, window, estate, monkeypatch):
    estate.run(shifts.open_shift, actor=estate.actor("demo"), float_amount="0", at=local("08:30"))
    for code, tender, hm in (
        ("1-2-301", "wechat=100:4200000001", "09:10"),
        ("1-2-302", "wechat=80:4200000009", "10:30"),
    ):
        estate.run(payments.pay, actor=estate.actor("demo"), account_code=code,
                   tenders=[payments.parse_tender(tender)], at=local(hm))
    log_in(qtbot, window, "boss")
    screen = window.screens["reconcile"]
    assert window.tabs.isTabVisible(window.tabs.indexOf(screen))
    window.tabs.setCurrentWidget(screen)
    wait_idle(qtbot, window)
    screen.channel.setCurrentIndex(screen.channel.findData("wechat"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(WECHAT), ""))
    qtbot.mouseClick(button(screen, "recon_import_button"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已导入" in screen.message.text(), timeout=5000)
    assert "7 行" in screen.message.text() and "手续费 2.39 元" in screen.message.text()
    assert screen.date.date().toPython() == dt.date(2026, 11, 25)
    wait_idle(qtbot, window)
    lines = screen.status.text().split("<br>")
    wechat = next(x for x in lines if "微信支付" in x)
    assert "缺对账单" not in wechat and "未对账" in wechat
    bank = next(x for x in lines if "银行对公账户" in x)  # the bank now awaits WeChat's net of the day
    assert "缺对账单" in bank and "396.61" in bank

    qtbot.mouseClick(button(screen, "recon_run_button"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "对账完成" in screen.message.text(), timeout=5000)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 7, timeout=5000)
    assert "有未处理差异" in screen.status.text() and "手续费 2.39" in screen.status.text()
    screenshot(window, "reconciliation.png")

    rows = [screen.model.row_at(i) for i in range(screen.model.rowCount())]
    ghost = next(i for i, o in enumerate(rows) if o.item == "missing_on_statement")
    assert rows[ghost].amount == 8000 and rows[ghost].reference == "4200000009"
    screen.table.selectRow(screen.proxy.mapFromSource(screen.model.index(ghost, 0)).row())
    screen.action.setCurrentIndex(screen.action.findData("charge_cashier"))
    qtbot.mouseClick(button(screen, "recon_resolve_button"), Qt.MouseButton.LeftButton)
    dlg = screen.approval_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=2000)
    type_text(dlg.reason, "微信未到账，收费员赔付")
    qtbot.keyClicks(dlg.approver, "boss")
    qtbot.keyClicks(dlg.password, "boss")
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "不能审批自己的操作" in dlg.error.text(), timeout=5000)
    dlg.approver.clear()
    qtbot.keyClicks(dlg.approver, "boss2")
    qtbot.keyClicks(dlg.password, "boss2")
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: "审批人 boss2" in screen.message.text(), timeout=5000)
    assert "计收费员短款 80.00 元" in screen.message.text()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 6, timeout=5000)
    assert all(screen.model.row_at(i).item != "missing_on_statement" for i in range(6))


def test_a_cashier_does_not_see_the_reconciliation_screen(qtbot, window, estate):
    log_in(qtbot, window, "demo")
    screen = window.screens["reconcile"]
    assert not window.tabs.isTabVisible(window.tabs.indexOf(screen))


def test_a_truncated_file_shows_the_message_and_imports_nothing(qtbot, window, estate):
    log_in(qtbot, window, "boss")
    screen = window.screens["reconcile"]
    window.tabs.setCurrentWidget(screen)
    wait_idle(qtbot, window)
    screen.channel.setCurrentIndex(screen.channel.findData("wechat"))
    screen.import_file(str(WECHAT.with_name("wechat_truncated.csv")))
    qtbot.waitUntil(lambda: "文件不完整" in screen.message.text(), timeout=5000)
    assert "第 5 行" in screen.message.text()
