"""The shift screen previews the remittance slip (缴款单) exactly as it prints: the same
document and layout, refunds, cash movements and the over/short line included."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from app.printing.decode import decode
from app.services.desk import closes, corrections
from app.services.desk import print_jobs as printing
from tests.ui.conftest import log_in, press, screenshot, wait_idle
from tests.ui.test_correction_slips import paid_in_a_closed_shift


def test_the_remittance_preview_is_the_printed_slip(qtbot, window, estate, tmp_path):
    demo = estate.actor("demo")
    paid = paid_in_a_closed_shift(estate, float_amount="500")
    estate.run(corrections.refund_payment, actor=demo, receipt_no=paid.receipt_no, tender="cash",
               reason="重复缴费", approver="boss", approver_password="boss")
    estate.run(closes.move_cash, actor=demo, kind="drop", amount="100", reason="中途解缴")
    out = tmp_path / "printer.bin"
    estate.run(printing.add_printer, actor=estate.actor("admin"), name="前台", connection="file", target=str(out),
               default=True, station_code="W01")
    log_in(qtbot, window, "demo")

    # drawer: 500 float - 388 refunded - 100 dropped = 12.00; counted 11.00: 1.00 short
    press(qtbot, window.workspace.search_box, Qt.Key.Key_F11)
    screen = window.screens["shift"]
    qtbot.waitUntil(lambda: 10000 in screen.count_inputs, timeout=5000)
    qtbot.keyClicks(screen.count_inputs[1000], "1")
    qtbot.keyClicks(screen.count_inputs[100], "1")
    qtbot.keyClicks(screen.close_reason, "short")
    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.result_box.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: screen.remittance_text != "", timeout=5000)
    preview = screen.remittance_text
    assert not screen.remittance.pixmap().isNull()
    assert re.search(rf"^退费 {paid.receipt_no} +-388\.00$", preview, re.M)
    assert re.search(r"^投库 +\+100\.00$", preview, re.M) and "中途解缴" not in preview
    assert re.search(r"^短款 +1\.00$", preview, re.M)
    wait_idle(qtbot, window)
    screenshot(window, "close-result-remittance.png")

    qtbot.mouseClick(screen.remittance_print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已打印" in screen.remittance_message.text(), timeout=5000)
    (slip,) = decode(out.read_bytes()).receipts
    printed = [line.rstrip() for line in slip.lines]
    # the paper is the preview plus the time this copy was printed
    assert printed[:-2] == preview.splitlines()
    assert printed[-2] == "" and printed[-1].startswith("打印时间：")
