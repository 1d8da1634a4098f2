"""One name per person (#12.4): a user's display name on the receipt, the status bar, the
receipts list, the supervisor desk, a void's approver and the 缴款单 — never the log-in name."""

from __future__ import annotations

from app.services.desk import closes, corrections, receipts, shifts
from app.services.system import auth
from app.ui.shift import remittance_preview
from app.ui.supervisor import desk_rows
from tests.ui.conftest import log_in, wait_idle
from tests.ui.test_cashdesk import collect


def test_people_are_named_by_their_display_names(qtbot, window, estate):
    estate.admin_run(auth.add_user, actor=estate.actor("admin"), username="zhang", role="cashier",
                     password="zhang", display_name="张小燕")
    estate.admin_run(auth.add_user, actor=estate.actor("admin"), username="wang", role="supervisor",
                     password="wang-pass", display_name="王主管")
    zhang, wang = estate.actor("zhang"), estate.actor("wang")
    estate.run(shifts.open_shift, actor=zhang, float_amount="100")
    log_in(qtbot, window, "zhang")
    assert window.status_labels["cashier"].text() == "收费员：张小燕"
    paid = collect(qtbot, window, "1-2-302", "500")
    assert estate.run(receipts.receipt_doc, receipt_no=paid.receipt_no).cashier == "张小燕"  # on the receipt
    window.show_screen("receipts")
    screen = window.screens["receipts"]
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=5000)
    assert screen.model.row_at(0).operator == "张小燕"
    second = collect(qtbot, window, "1-2-301", "400")
    wait_idle(qtbot, window)
    voided = estate.run(corrections.void_payment, actor=zhang, receipt_no=second.receipt_no, reason="收错户",
                        approver="wang", approver_password="wang-pass")
    assert voided.approved_by == "王主管"
    assert [r.cashier for r in estate.run(desk_rows, actor=wang)] == ["张小燕"]
    closed = estate.run(closes.close_shift, actor=zhang, count={10000: 5, 1000: 1, 100: 4})  # 100 + 414
    assert closed.cashier == "张小燕"
    text, _png = remittance_preview(estate.factory, actor=wang, shift_id=closed.shift_id)
    assert "张小燕" in text and "zhang" not in text
    assert estate.run(closes.expected_figures, actor=wang, shift_id=closed.shift_id).cashier == "张小燕"
