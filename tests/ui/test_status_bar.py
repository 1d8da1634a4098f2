"""The status bar names who is logged in by role, and the station once."""

from __future__ import annotations

from tests.ui.conftest import log_in


def test_status_bar_names_the_role_and_the_station_once(qtbot, window):
    log_in(qtbot, window, "boss")
    assert window.status_labels["cashier"].text() == "主管：boss"
    assert window.status_labels["station"].text() == "收费点：W01 收费窗口"
    window.log_out()
    log_in(qtbot, window, "demo")
    assert window.status_labels["cashier"].text() == "收费员：demo"
