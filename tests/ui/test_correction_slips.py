"""A void or refund made at the window prints its slip (作废凭证 / 退款凭证) on the station's
printer right after it is saved, like a payment's receipt."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from app.printing.decode import decode
from app.services.desk import closes, corrections, payments, shifts
from app.services.desk import print_jobs as printing
from app.services.desk.cashdesk import parse_count
from tests.ui.conftest import log_in, press, screenshot, type_text, wait_idle
from tests.ui.test_cashdesk import open_receipt


def file_printer(estate, tmp_path):
    out = tmp_path / "printer.bin"
    estate.run(printing.add_printer, actor=estate.actor("admin"), name="前台", connection="file", target=str(out),
               default=True, station_code="W01")
    return out


def approve(qtbot, screen, button, reason: str) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dlg = screen.approval_dialog
    qtbot.waitUntil(dlg.password.isEnabled, timeout=5000)  # checked before the supervisor types
    type_text(dlg.reason.lineEdit(), reason)
    qtbot.keyClicks(dlg.approver, "boss")
    qtbot.keyClicks(dlg.password, "boss")
    press(qtbot, dlg.password)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)


def paid_in_a_closed_shift(estate, *, float_amount: str):
    """demo collects 388.00 cash for 1-2-301 ((179 + 15) × 2), closes that shift with the
    count right, and opens a new one with `float_amount`: the payment can be refunded now."""
    demo = estate.actor("demo")
    estate.run(shifts.open_shift, actor=demo, float_amount="0")
    paid = estate.run(payments.pay, actor=demo, account_code="1-2-301", tenders=[payments.parse_tender("cash=388")])
    estate.run(closes.close_shift, actor=demo, count=parse_count("100=3,50=1,20=1,10=1,5=1,1=3"))
    estate.run(shifts.open_shift, actor=demo, float_amount=float_amount)
    return paid


def test_a_void_at_the_window_prints_the_void_slip(qtbot, window, estate, tmp_path):
    out = file_printer(estate, tmp_path)
    estate.run(shifts.open_shift, actor=estate.actor("demo"), float_amount="100")
    paid = estate.run(payments.pay, actor=estate.actor("demo"), account_code="1-2-302",
                      tenders=[payments.parse_tender("cash=500")])  # (96 × 2 + 15) × 2 = 414.00
    log_in(qtbot, window, "demo")
    screen = open_receipt(qtbot, window, paid.receipt_no)
    approve(qtbot, screen, screen.void_button, "收错户号")
    qtbot.waitUntil(lambda: "凭证已打印" in screen.message.text(), timeout=5000)
    assert paid.receipt_no in screen.message.text()
    assert "凭证已打印" in window.status_labels["printer"].text()
    wait_idle(qtbot, window)
    screenshot(window, "void-slip-printed.png")
    (slip,) = decode(out.read_bytes()).receipts
    assert [line.strip() for line in slip.big_lines][1:3] == ["作废凭证", "*** 作 废 ***"]
    assert f"原收据号：{paid.receipt_no}" in slip.lines
    assert re.search(r"^作废金额 +￥414\.00$", slip.text, re.M)
    assert re.search(r"^现金 +414\.00$", slip.text, re.M)
    assert decode(out.read_bytes()).drawer_kicks == [2]  # the cash handed back
    assert estate.run(lambda s: corrections.receipt_status(s, paid.receipt_no)) == "void"


def test_a_refund_at_the_window_prints_the_refund_slip(qtbot, window, estate, tmp_path):
    paid = paid_in_a_closed_shift(estate, float_amount="500")
    out = file_printer(estate, tmp_path)
    log_in(qtbot, window, "demo")
    screen = open_receipt(qtbot, window, paid.receipt_no)
    approve(qtbot, screen, screen.refund_button, "重复缴费")
    qtbot.waitUntil(lambda: "凭证已打印" in screen.message.text(), timeout=5000)
    (slip,) = decode(out.read_bytes()).receipts
    assert [line.strip() for line in slip.big_lines][1] == "退款凭证"
    assert f"原收据号：{paid.receipt_no}" in slip.lines
    assert re.search(r"^退款合计 +￥388\.00$", slip.text, re.M)
    assert re.search(r"^现金 +388\.00$", slip.text, re.M)
    assert "原因：重复缴费（审批：boss）" in slip.lines
    assert decode(out.read_bytes()).drawer_kicks == [2]


def test_a_slip_that_fails_to_print_leaves_the_void_saved(qtbot, window, estate, tmp_path):
    estate.run(printing.add_printer, actor=estate.actor("admin"), name="前台", connection="file",
               target=str(tmp_path / "missing" / "printer.bin"), default=True, station_code="W01")
    estate.run(shifts.open_shift, actor=estate.actor("demo"), float_amount="100")
    paid = estate.run(payments.pay, actor=estate.actor("demo"), account_code="2-1-101",
                      tenders=[payments.parse_tender("cash=302")])
    log_in(qtbot, window, "demo")
    screen = open_receipt(qtbot, window, paid.receipt_no)
    approve(qtbot, screen, screen.void_button, "收错户号")
    qtbot.waitUntil(lambda: "凭证未打印" in screen.message.text(), timeout=5000)
    assert "未打印清单" in screen.message.text()
    assert estate.run(lambda s: corrections.receipt_status(s, paid.receipt_no)) == "void"
    unprinted = estate.run(printing.unprinted_receipts, actor=estate.actor("demo"))
    assert (paid.receipt_no, "void") in [(u.receipt_no, u.kind) for u in unprinted]
