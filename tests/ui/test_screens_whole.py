"""Chinese, whole, and nothing cut off (#12.4): every screen a role can open, read as a person
sees it at 1366×768 in zh_CN — labels, buttons, group and tab titles, field hints, table headers
and cells, the status bar — has no English word (codes, numbers, units, key names and proper
names aside) and no text wider than its space; sort arrows say the order shown."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services.desk import closes, payments
from app.services.system import auth
from tests.ui.conftest import log_in, press, type_text, wait_idle
from tests.ui.screen_texts import cut_off, visible_texts

#: ASCII words a Chinese screen may show: key names, date/time patterns, proper names.
ALLOWED = {"Ctrl", "Enter", "Esc", "Tab", "Space", "Backspace", "Shift", "Alt",
           "YYYY", "MM", "DD", "HH", "FeeDesk", "Excel", "CSV", "PDF", "QR", "SQLite", "PostgreSQL", "kWh"}
WORD = re.compile(r"[A-Za-z][A-Za-z_]+")


def english_words(texts, codes: set[str]) -> list[str]:
    """Words of letters that are not allowed, a code of the ledger (user names, fee codes,
    receipt numbers) or an upper-case code (WYF, W01)."""
    out = []
    for where, text in texts:
        for word in WORD.findall(text):
            if word in ALLOWED or word in codes or (word.isupper() and len(word) <= 6):
                continue
            out.append(f"{where}: {word!r} in {text[:90]!r}")
    return sorted(set(out))


def _day_with_data(qtbot, window, estate) -> None:
    """A payment taken and a closed shift waiting for the supervisor, so the lists have rows."""
    from app.services.desk import shifts

    estate.run(shifts.open_shift, actor=estate.actor("lily"), float_amount="100")
    estate.run(payments.pay, actor=estate.actor("lily"), account_code="1-2-302",
               tenders=[payments.TenderInput("cash", 50000)])
    estate.run(closes.close_shift, actor=estate.actor("lily"), count={10000: 5, 5000: 1, 2000: 1, 1000: 1, 500: 1,
                                                                       100: 1})
    estate.run(shifts.open_shift, actor=estate.actor("demo"), float_amount="200")
    estate.run(payments.pay, actor=estate.actor("demo"), account_code="1-2-301",
               tenders=[payments.TenderInput("cash", 50000)])


def walk(qtbot, window):
    """(screen, texts, cut-off texts) for the workspace with an account open and every screen
    (every back-office page) the logged-in role may open."""
    ws = window.workspace
    type_text(ws.search_box, "1-2-302")
    press(qtbot, ws.search_box)
    wait_idle(qtbot, window)
    ws.search_box.selectAll()
    type_text(ws.search_box, "1")  # the hits list with rows under the open card
    qtbot.waitUntil(lambda: ws.hits_model.rowCount() > 1, timeout=5000)
    yield "workspace", window
    for key, screen in window.screens.items():
        if key == "workspace" or not window.may_open(key):
            continue
        window.tabs.setCurrentWidget(screen)
        wait_idle(qtbot, window)
        if key == "receipts":
            screen.table.selectRow(0)
            qtbot.waitUntil(lambda s=screen: s.current_doc is not None, timeout=5000)
            wait_idle(qtbot, window)
        if key == "supervisor" and screen.settle_model.rowCount() == 0 and hasattr(screen, "settle_button"):
            screen.settle_button.click()
            wait_idle(qtbot, window)
        pages = [screen.widget(i) for i in range(screen.count())] if key == "backoffice" else [None]
        for page in pages:
            if page is not None:
                screen.setCurrentWidget(page)
                wait_idle(qtbot, window)
                if screen.verify_button.isVisible():  # the verify page: its result, as shown
                    screen.verify_button.click()
                    qtbot.waitUntil(lambda s=screen: s.ops_output.toPlainText() not in ("", "正在核验…"),
                                    timeout=20000)
            QApplication.processEvents()
            yield f"{key}{'/' + screen.tabText(screen.indexOf(page)) if page is not None else ''}", window


@pytest.mark.parametrize("user", ["demo", "boss", "admin", "audit"])
def test_every_screen_is_chinese_and_fits_at_1366x768(qtbot, window, estate, user, monkeypatch):
    _day_with_data(qtbot, window, estate)
    codes = {u.username for u in estate.run(auth.list_users, actor=estate.actor("admin"))}
    monkeypatch.setattr("app.services.desk.reads.is_demo_ledger", lambda _session: True)  # the log-in page's hints
    window.login_page.check_demo()
    qtbot.waitUntil(lambda: window.login_page.demo_hint.text() != "", timeout=5000)
    assert english_words(visible_texts(window), codes) == []
    assert cut_off(window) == []
    log_in(qtbot, window, user)
    assert window.size().width() == 1366 and window.size().height() == 768
    english, clipped = [], []
    for name, win in walk(qtbot, window):
        english += [f"{name} · {w}" for w in english_words(visible_texts(win), codes)]
        clipped += [f"{name} · {c}" for c in cut_off(win)]
    assert english == []
    assert clipped == []


def test_the_approvals_setting_is_check_boxes_named_in_chinese(qtbot, window, estate):
    log_in(qtbot, window, "admin")
    bo = window.screens["backoffice"]
    window.tabs.setCurrentWidget(bo)
    bo.setCurrentWidget(bo.settings_page)
    qtbot.waitUntil(lambda: "approval_required" in bo.setting_fields, timeout=5000)
    wait_idle(qtbot, window)
    checks = bo.setting_fields["approval_required"][1]
    names = {a: box.text() for a, box in checks.boxes.items()}
    assert names["void"] == "作废" and names["price_override"] == "改价"
    assert not checks.boxes["void"].isEnabled() and checks.boxes["void"].isChecked()  # always approved
    price = checks.boxes["price_override"]
    price.setChecked(not price.isChecked())
    wanted = price.isChecked()
    bo.setting_fields["approval_required"][2].click()
    qtbot.waitUntil(lambda: bo.setting_fields["approval_required"][3].text() == "已保存。", timeout=5000)
    from app.services.system import settings

    with estate.session() as s:
        assert ("price_override" in settings.get(s, "approval_required").split(",")) is wanted


def _arrow_points_up(header, section: int) -> bool:
    """Read the sort arrow off the header's picture: a ▲ is wider at its bottom."""
    image = header.grab().toImage()
    x1 = header.sectionViewportPosition(section) + header.sectionSize(section) - 2  # inside the border
    x0 = x1 - 20
    rows = [sum(1 for x in range(x0, x1) if image.pixelColor(x, y).lightness() < 150)
            for y in range(image.height())]
    marked = [y for y, n in enumerate(rows) if 0 < n < 15]  # the arrow's rows, not a border line
    assert marked, "no sort arrow drawn"
    top, bottom = rows[marked[0]], rows[marked[-1]]
    assert top != bottom
    return bottom > top


def test_sort_arrows_say_the_order_shown_and_new_rows_sort_in(qtbot, cashier, estate):
    from tests.ui.test_cashdesk import collect

    first = collect(qtbot, cashier, "2-1-101", "302")
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F4)
    screen = cashier.screens["receipts"]
    qtbot.waitUntil(lambda: screen.proxy.rowCount() == 1, timeout=5000)
    header = screen.table.horizontalHeader()
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert not _arrow_points_up(header, 0)  # ▼ over the newest first
    second = collect(qtbot, cashier, "1-2-302", "500")  # a new receipt: on top, where the order puts it
    press(qtbot, cashier.workspace.search_box, Qt.Key.Key_F4)
    qtbot.waitUntil(lambda: screen.proxy.rowCount() == 2, timeout=5000)
    assert [screen.proxy.index(r, 0).data() for r in range(2)] == [second.receipt_no, first.receipt_no]
    screen.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [screen.proxy.index(r, 0).data() for r in range(2)] == [first.receipt_no, second.receipt_no]
    assert _arrow_points_up(header, 0)  # ▲ over the oldest first
    # a table that cannot sort shows no arrow at all (the close result, the hits list)
    for view in (cashier.screens["shift"].diff_table, cashier.workspace.search_results):
        assert not view.isSortingEnabled() and not view.horizontalHeader().isSortIndicatorShown()
