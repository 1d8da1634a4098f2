"""`feedesk void` and `feedesk refund` print the correction's slip (作废凭证 / 退款凭证) on the
station's default printer, as `feedesk pay` prints its receipt; a printer fault keeps the
correction and leaves the slip on the unprinted list until it is printed."""

from __future__ import annotations

import re

import pytest

from app.printing.decode import decode
from tests.helpers import put_settings
from tests.printing import test_cli_printing

#: The `feedesk` runner of the printing tests: estate 1-2-301 billed 210.33, cashier wang on shift.
cli = test_cli_printing.cli


@pytest.fixture
def paper(cli, tmp_path, monkeypatch):
    """A supervisor to approve, and the station's default printer writing to a file;
    `paper()` is what it printed so far."""
    cli("user", "add", "boss", "--role", "supervisor", "--password", "boss-pass")
    monkeypatch.setenv("FEEDESK_APPROVER_PASSWORD", "boss-pass")
    out = tmp_path / "printer.bin"
    cli("printer", "add", "前台", "--file", str(out), "--default")
    return lambda: decode(out.read_bytes()) if out.exists() else decode(b"")


def test_void_prints_the_void_slip(cli, paper, tmp_path):
    paid = cli("pay", "--account", "1-2-301", "--tender", "cash=300", "--json", user="wang")
    voided = cli("void", paid["receipt_no"], "--reason", "收错户", "--approver", "boss", "--json", user="wang")
    assert voided["print"] == {"job_id": 2, "status": "done", "error": None}
    receipt, slip = paper().receipts
    assert "收款收据" in receipt.text
    lines = slip.lines
    assert [line.strip() for line in slip.big_lines][1:3] == ["作废凭证", "*** 作 废 ***"]
    assert "原收据号：W0100000001" in lines and not any(line.startswith("收据号") for line in lines)
    assert "作废原因：收错户（审批：boss）" in lines
    assert re.search(r"^作废金额 +￥210\.33$", slip.text, re.M)
    assert re.search(r"^现金 +210\.33$", slip.text, re.M)  # 300 tendered less 89.67 change
    assert re.search(r"^物业费 2026-10 +210\.33$", slip.text, re.M)
    assert re.search(r"^尚欠金额 +210\.33$", slip.text, re.M)  # owed again after the void
    assert paper().drawer_kicks == [2, 2]  # the cash paid in, then paid back
    jobs = cli("print-jobs", "--json", user="wang")
    assert [(j["kind"], j["status"], j["receipt_no"]) for j in jobs] == [
        ("void_slip", "done", "W0100000001"), ("receipt", "done", "W0100000001")]
    preview = cli("receipt", "preview", "W0100000001", "--slip", "--width", "58", "--png", str(tmp_path / "slip.png"),
                  "--json", user="wang")
    assert "作废凭证" in preview["text"] and re.search(r"^作废金额 +￥210\.33$", preview["text"], re.M)
    assert (tmp_path / "slip.png").read_bytes().startswith(b"\x89PNG")


def _close_and_reopen(cli) -> None:
    cli("shift", "close", "--count", "100=4", "--reason", "测试", "--approver", "boss", user="wang")
    cli("shift", "open", "--float", "300", user="wang")


def test_refund_prints_the_refund_slip_and_the_new_receipt_of_what_remains(cli, paper):
    paid = cli("pay", "--account", "1-2-301", "--tender", "cash=300", "--json", user="wang")
    _close_and_reopen(cli)
    refund = cli("refund", paid["receipt_no"], "--amount", "10.33", "--tender", "cash", "--reason", "多收",
                 "--approver", "boss", "--json", user="wang")
    assert refund["new_receipt_no"] == "W0100000002"
    assert refund["print"]["status"] == "done" and refund["print"]["new_receipt"]["status"] == "done"
    _receipt, slip, new = paper().receipts
    assert [line.strip() for line in slip.big_lines][1] == "退款凭证"
    assert "原收据号：W0100000001" in slip.lines
    assert re.search(r"^退款合计 +￥10\.33$", slip.text, re.M)
    assert re.search(r"^物业费 2026-10 +10\.33$", slip.text, re.M)
    assert "原因：多收；余款200.00元另开收据W0100000002（审批：boss）" in re.sub(r"\s", "", slip.text)  # wrapped
    assert re.search(r"^尚欠金额 +10\.33$", slip.text, re.M)
    assert "收据号：W0100000002" in new.lines and "原收据号：W0100000001" in new.lines
    assert re.search(r"^合计 +￥200\.00$", new.text, re.M)
    assert not any("重打" in line or "补打" in line for line in slip.lines + new.lines)
    assert paper().drawer_kicks == [2, 2]  # the payment, then the cash refund (not the new receipt)


def test_a_failed_slip_keeps_the_refund_and_waits_on_the_unprinted_list(cli, paper, tmp_path):
    paid = cli("pay", "--account", "1-2-301", "--tender", "cash=300", "--json", user="wang")
    _close_and_reopen(cli)
    cli("printer", "add", "前台", "--file", str(tmp_path / "no-such-dir" / "printer.bin"), "--default")
    refund = cli("refund", paid["receipt_no"], "--tender", "wechat", "--reason", "重复缴费", "--approver", "boss",
                 "--json", user="wang")
    assert refund["amount"] == "210.33" and refund["print"]["status"] == "failed"
    text = cli("print-jobs", "--unprinted", user="wang")
    assert re.search(r"W0100000001 +refund", text)
    assert cli("account", "show", "1-2-301", "--json", user="wang")["arrears"] == "210.33"  # the refund stands
    cli("printer", "add", "前台", "--file", str(tmp_path / "printer.bin"), "--default")
    out = cli("receipt", "print", "W0100000001", "--slip", user="wang")
    assert "退款凭证已打印" in out
    slip = paper().receipts[-1]
    assert [line.strip() for line in slip.big_lines][1] == "退款凭证"
    assert re.search(r"^微信支付 +210\.33$", slip.text, re.M)
    assert cli("print-jobs", "--unprinted", "--json", user="wang") == []
    assert paper().drawer_kicks == [2]  # the payment only: nothing paid out in cash, no kick on the late print


def test_no_print_leaves_the_slip_unprinted(cli, paper):
    paid = cli("pay", "--account", "1-2-301", "--tender", "cash=300", "--no-print", "--json", user="wang")
    voided = cli("void", paid["receipt_no"], "--reason", "收错户", "--approver", "boss", "--no-print", "--json",
                 user="wang")
    assert "print" not in voided
    unprinted = cli("print-jobs", "--unprinted", "--json", user="wang")
    assert [(u["receipt_no"], u["kind"]) for u in unprinted] == [("W0100000001", "payment"), ("W0100000001", "void")]


def test_corrections_from_before_slips_were_printed_are_not_owed_a_slip(cli, paper, tmp_path):
    """Migration 0006 marks when slips started (settings.correction_slips_since) on a ledger that
    already had voids: those never had a slip and must not fill the unprinted list for ever."""
    import datetime as dt

    from app.db.engine import make_factory

    first = cli("pay", "--account", "1-2-301", "--tender", "cash=300", "--no-print", "--json", user="wang")
    second = cli("pay", "--account", "1-2-301", "--tender", "cash=50", "--change-to-prepaid", "--no-print", "--json",
                 user="wang")
    cli("void", second["receipt_no"], "--reason", "收错户", "--approver", "boss", "--no-print", user="wang")
    factory = make_factory(str(tmp_path / "cli.db"))
    with factory.begin() as s:  # what the upgrade writes on a ledger that had corrections
        put_settings(s, correction_slips_since=dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" "))
    factory.kw["bind"].dispose()
    cli("void", first["receipt_no"], "--reason", "收错户", "--approver", "boss", "--no-print", user="wang")
    unprinted = cli("print-jobs", "--unprinted", "--json", user="wang")
    slips = [(u["receipt_no"], u["kind"]) for u in unprinted if u["kind"] != "payment"]
    assert slips == [(first["receipt_no"], "void")]  # the void from before the mark is not listed
