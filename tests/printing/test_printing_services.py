"""Printers and print jobs in the services: settings, permissions, late prints, the drawer."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from app.errors import InvalidInput, NotFound, PermissionDenied
from app.models import AuditEvent, Printer, PrintJob, ReceiptNumberEvent, ReceiptNumberEventKind
from app.printing import queue
from app.printing.device import DUMMY_OUTPUTS
from app.printing.layout import cells
from app.services.desk import print_jobs as svc
from tests.printing.builders import add_printer, cash_payment, estate


def audit_actions(lg, action: str) -> list[dict]:
    with lg.session() as s:
        return [json.loads(e.payload) for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                                          .order_by(AuditEvent.id))]


@pytest.mark.parametrize("connection,target,stored", [
    ("network", "192.168.1.50:9100", "192.168.1.50:9100"),
    ("network", "192.168.1.50", "192.168.1.50:9100"),
    ("usb", "0416:5011", "0416:5011"),
    ("usb", "0x4b8:0x202", "04b8:0202"),
    ("serial", "/dev/ttyS0", "/dev/ttyS0:9600"),
    ("serial", "COM3:19200", "COM3:19200"),
    ("file", "/dev/usb/lp0", "/dev/usb/lp0"),
    ("windows", "XP-80C", "XP-80C"),
])
def test_printer_addresses_are_normalised(ledger, connection, target, stored):
    info = add_printer(ledger, target, connection=connection)
    assert info.target == stored and info.station == "W01" and info.is_default


@pytest.mark.parametrize("kw,words", [
    (dict(connection="network", target="printer:abc"), "网络打印机地址格式不正确"),
    (dict(connection="usb", target="lp0"), "USB 打印机格式不正确"),
    (dict(connection="serial", target="/dev/ttyS0:1234"), "波特率不正确"),
    (dict(connection="bluetooth", target="x"), "未知的连接方式"),
    (dict(connection="network", target="10.0.0.9:9100", width_mm=76), "纸宽只能是 58 或 80"),
    (dict(connection="network", target="10.0.0.9:9100", drawer_pin=3), "钱箱引脚只能是 2 或 5"),
    (dict(connection="network", target="10.0.0.9:9100", encoding="big5"), "编码只能是"),
])
def test_bad_printer_settings_are_refused_and_nothing_is_written(ledger, kw, words):
    with pytest.raises(InvalidInput, match=words):
        ledger.run(svc.add_printer, actor=ledger.actor("admin"), name="前台", **kw)
    with ledger.session() as s:
        assert s.scalar(select(func.count()).select_from(Printer)) == 0


def test_only_an_admin_configures_printers(ledger):
    with pytest.raises(PermissionDenied):
        ledger.run(svc.add_printer, actor=ledger.actor("demo"), name="前台", connection="network",
                   target="10.0.0.9:9100")


def test_one_default_printer_per_station(ledger):
    add_printer(ledger, "10.0.0.1:9100", name="一号")
    add_printer(ledger, "10.0.0.2:9100", name="二号", default=False)
    with ledger.session() as s:
        assert svc.printer_for(s, station_code="W01").name == "一号"
    add_printer(ledger, "10.0.0.2:9100", name="二号", default=True)
    with ledger.session() as s:
        printers = svc.list_printers(s, actor=ledger.actor("demo"))
        assert [(p.name, p.is_default) for p in printers] == [("一号", False), ("二号", True)]
        assert svc.printer_for(s, station_code="W02") is None
    assert [e["name"] for e in audit_actions(ledger, "printer_add")] == ["一号", "二号"]
    assert [e["name"] for e in audit_actions(ledger, "printer_change")] == ["二号"]


def test_no_default_printer_means_no_print_and_the_receipt_waits_for_a_late_print(ledger):
    estate(ledger)
    cashier = ledger.actor("demo")
    r = cash_payment(ledger)
    assert queue.print_after_payment(ledger.factory, actor=cashier, result=r) is None
    with ledger.session() as s:
        assert [u.receipt_no for u in svc.unprinted_receipts(s, actor=cashier)] == [r.receipt_no]
        assert s.scalar(select(func.count()).select_from(PrintJob)) == 0
    add_printer(ledger, "late-print", connection="dummy")
    out = queue.print_receipt(ledger.factory, actor=cashier, receipt_no=r.receipt_no)
    assert (out.kind, out.status, out.reprint_count) == ("late_print", "done", 0)
    with ledger.session() as s:
        assert svc.unprinted_receipts(s, actor=cashier) == []
        kinds = s.scalars(select(ReceiptNumberEvent.kind)).all()
    assert kinds == [ReceiptNumberEventKind.LATE_PRINTED]
    from app.printing.decode import decode

    paper = decode(bytes(DUMMY_OUTPUTS.pop("late-print"))).receipts[0]
    assert any("【补打】" in line for line in paper.lines)


def test_unprinted_receipts_of_a_shift(ledger):
    estate(ledger)
    r = cash_payment(ledger)
    with ledger.session() as s:
        from app.models import Payment

        shift_id = s.scalar(select(Payment.shift_id).where(Payment.id == r.payment_id))
        listed = svc.unprinted_receipts(s, actor=ledger.actor("demo"), shift_id=shift_id)
        other = svc.unprinted_receipts(s, actor=ledger.actor("demo"), shift_id=shift_id + 1)
    assert [(u.receipt_no, u.account) for u in listed] == [(r.receipt_no, "1-2-301")] and other == []


def test_explicit_drawer_opening_needs_a_reason_and_is_audited(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target, drawer_pin=5)
    cashier = ledger.actor("demo")
    with pytest.raises(InvalidInput, match="开钱箱必须填写原因"):
        queue.open_drawer(ledger.factory, actor=cashier, reason="  ")
    out = queue.open_drawer(ledger.factory, actor=cashier, reason="找零备用金兑换")
    assert out.status == "done"
    loopback.wait_idle()
    d = loopback.decoded()
    assert d.drawer_kicks == [5] and d.cuts == 0 and d.text == ""
    assert [e["reason"] for e in audit_actions(ledger, "drawer_open_request")] == ["找零备用金兑换"]
    assert [e["reason"] for e in audit_actions(ledger, "drawer_open")] == ["找零备用金兑换"]


def test_every_drawer_opening_is_an_audit_event(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target)
    cashier = ledger.actor("demo")
    r = cash_payment(ledger)
    queue.print_after_payment(ledger.factory, actor=cashier, result=r)
    queue.print_receipt(ledger.factory, actor=cashier, receipt_no=r.receipt_no)  # a reprint: no drawer
    opened = audit_actions(ledger, "drawer_open")
    assert [(e["receipt_no"], e["reason"]) for e in opened] == [(r.receipt_no, "现金收款")]


def test_an_auditor_cannot_reprint(ledger):
    estate(ledger)
    add_printer(ledger, "x", connection="dummy")
    r = cash_payment(ledger)
    with pytest.raises(PermissionDenied):
        queue.print_receipt(ledger.factory, actor=ledger.actor("audit"), receipt_no=r.receipt_no)


def test_unknown_receipt_and_printer(ledger):
    estate(ledger)
    add_printer(ledger, "x", connection="dummy")
    with pytest.raises(NotFound, match="找不到收据"):
        queue.print_receipt(ledger.factory, actor=ledger.actor("demo"), receipt_no="NOPE")
    r = cash_payment(ledger)
    with pytest.raises(NotFound, match="打印机“后台”不存在"):
        queue.print_receipt(ledger.factory, actor=ledger.actor("demo"), receipt_no=r.receipt_no, printer_name="后台")
    with ledger.session() as s:
        assert s.scalar(select(func.count()).select_from(PrintJob)) == 0


def test_a_printer_error_never_fails_the_payment_even_for_a_broken_setting(ledger, tmp_path):
    estate(ledger)
    add_printer(ledger, str(tmp_path / "no-such-dir" / "printer.bin"), connection="file")
    r = cash_payment(ledger)
    out = queue.print_after_payment(ledger.factory, actor=ledger.actor("demo"), result=r)
    assert out["status"] == "failed" and "打印机" in out["error"]
    with ledger.session() as s:
        assert [u.receipt_no for u in svc.unprinted_receipts(s, actor=ledger.actor("demo"))] == [r.receipt_no]


def test_file_printer_appends_jobs_and_keeps_a_preview(ledger, tmp_path):
    estate(ledger)
    path = tmp_path / "printer-W01.bin"
    add_printer(ledger, str(path), connection="file", width=58)
    cashier = ledger.actor("demo")
    r = cash_payment(ledger)
    queue.print_after_payment(ledger.factory, actor=cashier, result=r)
    queue.print_test_page(ledger.factory, actor=cashier)
    from app.printing.decode import decode

    d = decode(path.read_bytes())
    assert d.cuts == 2 and "收据号：W0100000001" in d.receipts[0].lines and "打印测试页" in d.receipts[1].text
    assert (tmp_path / "printer-W01.bin.last.png").read_bytes().startswith(b"\x89PNG")


def test_a_windows_printer_on_another_system_fails_in_plain_words(ledger):
    estate(ledger)
    add_printer(ledger, "XP-80C", connection="windows")
    out = queue.print_after_payment(ledger.factory, actor=ledger.actor("demo"), result=cash_payment(ledger))
    assert out["status"] == "failed" and "Windows" in out["error"]


def test_remittance_slip_of_a_closed_shift(ledger, loopback):
    from app.errors import ShiftError
    from app.services.desk import closes
    from app.services.desk.cashdesk import parse_count
    from tests.helpers import at

    estate(ledger)
    add_printer(ledger, loopback.target, width=58)
    cashier = ledger.actor("demo")
    r = cash_payment(ledger, "1-2-301", "cash=500")
    shift_id = _shift_of(ledger, r.payment_id)
    with pytest.raises(ShiftError):  # blind count: nothing before the close
        queue.print_remittance(ledger.factory, actor=cashier, shift_id=shift_id)
    ledger.run(closes.close_shift, actor=cashier, count=parse_count("100=6,20=1,0.5=1,0.1=1"), reason="零钱不足",
               at=at("2026-11-25"))
    out = queue.print_remittance(ledger.factory, actor=cashier, shift_id=shift_id)
    assert (out.status, out.kind) == ("done", "remittance")
    loopback.wait_idle()
    paper = loopback.decoded().receipts[0]
    text = paper.text
    assert "缴款单" in [line.strip() for line in paper.big_lines]
    assert f"班次：#{shift_id}  营业日 2026-11-25" in paper.lines
    assert re.search(r"^物业费 +420\.66$", text, re.M)
    assert re.search(r"^  应有 +620\.66$", text, re.M) and re.search(r"^  实点 +620\.60$", text, re.M)
    assert re.search(r"^短款 +0\.06$", text, re.M) and "差异原因：零钱不足" in paper.lines
    assert re.search(r"^= 应缴现金 +￥420\.60$", text, re.M)
    assert any(line.startswith("主管（收款人）：____") for line in paper.lines)
    assert all(cells(line) <= 32 for line in paper.lines if line not in paper.big_lines)
    assert paper.drawer_kicks == []


def _shift_of(lg, payment_id: int) -> int:
    from app.models import Payment

    with lg.session() as s:
        return s.scalar(select(Payment.shift_id).where(Payment.id == payment_id))


def test_a_void_slip_prints_unmarked_and_a_cash_refund_opens_the_drawer(ledger, loopback):
    from app.services.desk import corrections

    estate(ledger)
    add_printer(ledger, loopback.target)
    cashier = ledger.actor("demo")
    r = cash_payment(ledger)
    voided = ledger.run(corrections.void_payment, actor=cashier, receipt_no=r.receipt_no, reason="收错户",
                        approver="boss", approver_password="boss")
    out = queue.print_new_receipt(ledger.factory, actor=cashier, receipt_no=voided.receipt_no, kind="void_slip",
                                  open_drawer=True)
    assert (out.status, out.kind) == ("done", "void_slip")
    loopback.wait_idle()
    paper = loopback.decoded().receipts[0]
    assert "作废凭证" in [line.strip() for line in paper.big_lines]
    assert not any("重打" in line or "补打" in line for line in paper.lines)
    assert paper.drawer_kicks == [2]
    assert [e["reason"] for e in audit_actions(ledger, "drawer_open")] == ["现金退款"]


def test_a_printed_receipt_never_comes_out_again_unmarked(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target)
    cashier = ledger.actor("demo")
    r = cash_payment(ledger)
    queue.print_after_payment(ledger.factory, actor=cashier, result=r)
    again = queue.print_after_payment(ledger.factory, actor=cashier, result=r)  # e.g. a double click
    assert again["status"] == "done"
    loopback.wait_idle()
    first, second = loopback.decoded().receipts
    assert any("【重打】第1次" in line for line in second.lines)
    assert loopback.decoded().drawer_kicks == [2]
