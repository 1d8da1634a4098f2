"""First run in the window: create a ledger, open a file or connect to PostgreSQL; the choice is kept."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app import config
from app.ui.first_run import FirstRunDialog, pg_url
from tests.ui.conftest import screenshot, type_text


def _dialog(qtbot, tmp_path, monkeypatch, **kw) -> FirstRunDialog:
    monkeypatch.setenv("FEEDESK_HOME", str(tmp_path / "home"))
    dlg = FirstRunDialog(None, first=True, **kw)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_create_a_new_ledger_and_remember_it(qtbot, tmp_path, monkeypatch):
    dlg = _dialog(qtbot, tmp_path, monkeypatch)
    assert dlg.tabs.tabText(0) == "新建账本" and dlg.tabs.tabText(2) == "连接共享账本（PostgreSQL）"
    assert dlg.new_path.text() == str(tmp_path / "home" / "feedesk.db")
    type_text(dlg.new_site, "幸福里物业服务中心")
    type_text(dlg.new_password, "short12")
    type_text(dlg.new_password2, "short12")
    dlg.new_station.setText("W03")
    screenshot(dlg, "first_run_new_ledger.png")
    qtbot.mouseClick(dlg.findChild(type(dlg.pg_use), "new_create"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.message.text() != "", timeout=30000)
    assert dlg.message.text() == "管理员密码至少 8 位"
    assert not (tmp_path / "home" / "feedesk.db").exists() and not config.config_file().exists()
    dlg.new_password.setText("guanli-2026")
    qtbot.mouseClick(dlg.findChild(type(dlg.pg_use), "new_create"), Qt.MouseButton.LeftButton)
    assert dlg.new_password2.text() != dlg.new_password.text()
    assert dlg.message.text() == "两次输入的密码不一致"
    dlg.new_password2.setText("guanli-2026")
    with qtbot.waitSignal(dlg.chosen, timeout=60000) as sig:
        qtbot.mouseClick(dlg.findChild(type(dlg.pg_use), "new_create"), Qt.MouseButton.LeftButton)
    db = str(tmp_path / "home" / "feedesk.db")
    assert sig.args == [db, "W03"] and (dlg.db, dlg.station) == (db, "W03")
    assert json.loads(config.config_file().read_text(encoding="utf-8")) == {"db": db, "station": "W03"}
    assert config.default_db() == db and config.default_station() == "W03"


def test_open_an_existing_ledger_file(qtbot, tmp_path, monkeypatch, ledger):
    dlg = _dialog(qtbot, tmp_path, monkeypatch)
    dlg.tabs.setCurrentIndex(1)
    dlg.open_path.setText(str(ledger.path))
    dlg.open_station.setText("W09")
    qtbot.mouseClick(dlg.findChild(type(dlg.pg_use), "open_ledger"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.message.text() != "", timeout=30000)
    assert "账本中没有窗口 W09（已有：W01、W02）" in dlg.message.text()
    assert not config.config_file().exists()
    dlg.open_station.setText("w02")
    with qtbot.waitSignal(dlg.chosen, timeout=10000):
        qtbot.mouseClick(dlg.findChild(type(dlg.pg_use), "open_ledger"), Qt.MouseButton.LeftButton)
    assert config.saved_choice() == {"db": str(ledger.path), "station": "W02"}


def test_a_shared_ledger_cannot_be_chosen_before_its_connection_test_passes(qtbot, tmp_path, monkeypatch):
    dlg = _dialog(qtbot, tmp_path, monkeypatch)
    dlg.tabs.setCurrentIndex(2)
    dlg.pg_host.setText("127.0.0.1")
    dlg.pg_port.setValue(1)  # nothing listens there
    dlg.pg_password.setText("p@ss:w/rd")
    assert not dlg.pg_use.isEnabled()
    qtbot.mouseClick(dlg.findChild(type(dlg.pg_use), "pg_test"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.pg_result.text() not in ("", "正在连接…"), timeout=20000)
    screenshot(dlg, "first_run_shared_ledger.png")
    assert not dlg.pg_use.isEnabled()
    dlg.on_pg_use_clicked()  # even when called directly: nothing tested, nothing chosen
    assert dlg.result() != FirstRunDialog.DialogCode.Accepted and not config.config_file().exists()
    assert pg_url("db1", 5432, "feedesk", "feedesk_app", "p@ss:w/rd") == \
        "postgresql://feedesk_app:p%40ss%3Aw%2Frd@db1:5432/feedesk"


def test_a_passed_connection_test_is_void_once_the_fields_change(qtbot, tmp_path, monkeypatch, ledger):
    """The test's URL is the one used: editing the server after a pass disables "use"."""
    from app.ui import first_run

    dlg = _dialog(qtbot, tmp_path, monkeypatch)
    monkeypatch.setattr(first_run, "_check", lambda _f, **kw: "幸福里物业服务中心")
    dlg.pg_host.setText("db1")
    qtbot.mouseClick(dlg.findChild(type(dlg.pg_use), "pg_test"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dlg.pg_use.isEnabled, timeout=10000)
    assert dlg.pg_result.text() == "连接成功：幸福里物业服务中心"
    dlg.pg_host.setText("db2")
    assert not dlg.pg_use.isEnabled()
    qtbot.mouseClick(dlg.findChild(type(dlg.pg_use), "pg_test"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dlg.pg_use.isEnabled, timeout=10000)
    with qtbot.waitSignal(dlg.chosen, timeout=5000) as sig:
        qtbot.mouseClick(dlg.pg_use, Qt.MouseButton.LeftButton)
    assert sig.args == ["postgresql://feedesk_app@db2:5432/feedesk", "W01"]


def test_the_window_asks_when_no_ledger_is_configured(qtbot, tmp_path, monkeypatch):
    from app.ui import main as ui_main

    monkeypatch.setenv("FEEDESK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FEEDESK_DB", raising=False)
    asked = []

    class Cancelled(FirstRunDialog):
        def exec(self):
            asked.append(self.windowTitle())
            return FirstRunDialog.DialogCode.Rejected

    monkeypatch.setattr("app.ui.first_run.FirstRunDialog", Cancelled)
    monkeypatch.setattr(ui_main, "MainWindow", lambda **kw: asked.append("window"))
    assert ui_main.main([]) == 0
    assert asked == ["收费台 — 选择账本"]


def test_help_menu_opens_the_log_folder_and_lets_only_the_administrator_change_the_ledger(qtbot, window,
                                                                                         monkeypatch, tmp_path):
    from PySide6.QtGui import QDesktopServices

    from tests.ui.conftest import log_in

    monkeypatch.setenv("FEEDESK_HOME", str(tmp_path))
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    assert [a.text() for a in window.menuBar().actions()] == ["帮助"]
    window.open_logs_action.trigger()
    assert opened == [str(tmp_path / "logs")]
    assert not window.choose_ledger_action.isEnabled()
    log_in(qtbot, window, "demo")
    assert not window.choose_ledger_action.isEnabled()
    window.on_choose_ledger_action_triggered()  # a cashier reaching the slot anyway: nothing opens
    assert getattr(window, "first_run_dialog", None) is None
    window.log_out()
    log_in(qtbot, window, "admin")
    assert window.choose_ledger_action.isEnabled()
    window.choose_ledger_action.trigger()
    dlg = window.first_run_dialog
    assert dlg.isVisible() and dlg.new_station.text() == "W01"
    dlg.reject()
    from app.ui.op import OpRunner

    assert OpRunner._current is window.runner  # the window's ops still run after the dialog
