"""练习模式 is marked on every screen of the window, and gone for the next real user."""

from app.services.system import auth
from tests.ui.conftest import log_in, screenshot


def test_practice_user_sees_the_mark_on_every_tab_and_the_next_user_does_not(qtbot, window, estate):
    estate.run(auth.set_training, actor=estate.actor("admin"), username="lily", training=True)
    log_in(qtbot, window, "lily")
    mark = window.findChild(type(window.status_message), "training_mark")
    assert mark is not None and mark.text() == "练习模式 — 不计入正式账"
    for i in range(window.tabs.count()):
        if window.tabs.isTabVisible(i):
            window.tabs.setCurrentIndex(i)
            assert mark.isVisible(), window.tabs.tabText(i)
    assert "练习模式" in window.windowTitle()
    window.tabs.setCurrentWidget(window.workspace)
    screenshot(window, "training-mode.png")
    window.log_out()
    log_in(qtbot, window, "demo")
    qtbot.waitUntil(lambda: window.findChild(type(window.status_message), "training_mark") is None, timeout=3000)
    assert "练习模式" not in window.windowTitle()
