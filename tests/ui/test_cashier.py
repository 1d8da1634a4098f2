"""The cashier's day at the window, driven through the real main window."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.services import receipts
from tests.helpers import fen
from tests.ui.conftest import press, screenshot, type_text, wait_idle


def test_login_shows_station_and_refuses_wrong_password(qtbot, window):
    page = window.login_page
    assert "FeeDesk 收费台" in window.windowTitle()
    assert "W01" in page.station_label.text()
    assert "收费点" in page.station_label.text()
    screenshot(window, "login.png")
    qtbot.keyClicks(page.username, "demo")
    press(qtbot, page.username)
    qtbot.keyClicks(page.password, "wrong")
    press(qtbot, page.password)
    qtbot.waitUntil(lambda: page.error.text() != "", timeout=5000)
    assert page.error.text() == "用户名或密码错误"
    assert window.pages.currentWidget() is page


def test_typical_cash_payment_takes_code_amount_and_two_enters(qtbot, cashier, estate):
    ws = cashier.workspace
    assert ws.search_box.hasFocus()
    keystrokes = 0
    qtbot.keyClicks(ws.search_box, "1-2-301")
    keystrokes += len("1-2-301")
    press(qtbot, ws.search_box)
    keystrokes += 1
    qtbot.waitUntil(lambda: ws.card is not None, timeout=5000)
    assert ws.tender_input.hasFocus()
    assert ws.card_fields["owner"].text() == "张三丰"
    # 89.50 m² × 2.00 = 179.00 + 15 refuse, two months, all selected
    assert ws.charges_model.rowCount() == 4
    assert ws.amount_due.text() == "388.00"
    qtbot.keyClicks(ws.tender_input, "400")
    keystrokes += 3
    press(qtbot, ws.tender_input)
    keystrokes += 1
    qtbot.waitUntil(lambda: ws.last_result is not None, timeout=5000)
    assert keystrokes == len("1-2-301") + len("400") + 2
    assert ws.change_label.text() == "12.00"
    assert ws.search_box.hasFocus()
    assert ws.last_result.receipt_no in ws.last_receipt.text()
    wait_idle(qtbot, cashier)
    with estate.session() as s:
        doc = receipts.receipt_doc(s, ws.last_result.receipt_no)
    assert doc.total == fen("388.00") and doc.change == fen("12.00") and doc.payer == "张三丰"
    card = estate.run(__import__("app.services.accounts", fromlist=["x"]).account_card,
                      actor=estate.actor("demo"), code="1-2-301")
    assert card.arrears == 0 and card.charges == []
    qtbot.waitUntil(lambda: "现金" in cashier.status_labels["drawer"].text()
                    or "588.00" in cashier.status_labels["drawer"].text(), timeout=5000)
    assert "588.00" in cashier.status_labels["drawer"].text()  # float 200 + 388


def test_find_by_pinyin_initials_and_by_name(qtbot, cashier):
    ws = cashier.workspace
    qtbot.keyClicks(ws.search_box, "lxl")
    qtbot.waitUntil(lambda: ws.hits_model.rowCount() == 1, timeout=5000)
    assert ws.hits_model.row_at(0).code == "1-2-302"
    press(qtbot, ws.search_box)
    qtbot.waitUntil(lambda: ws.card is not None, timeout=5000)
    assert ws.card_fields["owner"].text() == "李小龙"
    press(qtbot, ws.tender_input, Qt.Key.Key_Escape)
    press(qtbot, ws.tender_input, Qt.Key.Key_Escape)
    assert ws.card is None
    type_text(ws.search_box, "王")
    qtbot.waitUntil(lambda: ws.hits_model.rowCount() == 1, timeout=5000)
    assert ws.hits_model.row_at(0).owner == "王芳"
