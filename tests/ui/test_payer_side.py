"""At the window: a tenant pays and the receipt names them; after a 过户 that kept the former owner's
arrears apart, the new owner's payment does not tick them."""

import datetime as dt

from PySide6.QtCore import Qt

from app.services.desk import receipts
from app.services.master import owners
from tests.helpers import at
from tests.ui.conftest import press, screenshot, type_text, wait_idle


def open_account(qtbot, ws, code):
    ws.search_box.setFocus()
    ws.search_box.selectAll()
    qtbot.keyClicks(ws.search_box, code)
    press(qtbot, ws.search_box)
    qtbot.waitUntil(lambda: ws.card is not None and ws.card.code == code, timeout=5000)


def test_tenant_pays_and_kept_debt_is_not_ticked_for_the_new_owner(qtbot, cashier, estate):
    estate.run(owners.add_occupant, actor=estate.actor("admin"), account_code="1-2-302", name="刘租户")
    estate.run(owners.transfer_ownership, actor=estate.actor("boss"), account_code="1-2-301", new_owner="王新",
               effective_date=dt.date(2026, 11, 1), arrears="kept", approver="boss2", approver_password="boss2",
               reason="前业主自行结清", at=at(dt.date.today()))
    ws = cashier.workspace
    open_account(qtbot, ws, "1-2-301")
    assert "前业主张三丰欠费" in ws.card_warnings.text()
    # October's two charges (due 10-31 at the latest) are the former owner's: not ticked
    ticked = {c.period for c in ws.charges_model.checked_rows()}
    assert ticked == {"2026-11"} and ws.amount_due.text() == "194.00"
    screenshot(cashier, "workspace-former-owner.png")
    open_account(qtbot, ws, "1-2-302")
    assert "刘租户（租户）" in ws.card_warnings.text()
    type_text(ws.payer_name, "刘租户")
    ws.tender_input.setFocus()
    qtbot.keyClicks(ws.tender_input, "500")
    qtbot.keyClick(ws.tender_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.last_result is not None, timeout=5000)
    wait_idle(qtbot, cashier)
    with estate.session() as s:
        doc = receipts.receipt_doc(s, ws.last_result.receipt_no)
    assert doc.payer == "刘租户" and doc.account_code == "1-2-302"
    assert ws.payer_name.text() == ""  # the next payer starts without it
