"""`feedesk` cash-desk commands: names, options and JSON shapes as documented in docs/cashdesk.md."""

import json

import pytest

from app.cli.commands import main
from tests.services.cashdesk_helpers import estate


@pytest.fixture
def cli(ledger, monkeypatch, capsys):
    estate(ledger)
    monkeypatch.setenv("FEEDESK_DB", ledger.url)
    monkeypatch.setenv("FEEDESK_STATION", "W01")

    def feedesk(*args: str, user: str = "demo", approver: str | None = None, ok: bool = True):
        monkeypatch.setenv("FEEDESK_USER", user)
        monkeypatch.setenv("FEEDESK_PASSWORD", user)
        if approver:
            monkeypatch.setenv("FEEDESK_APPROVER_PASSWORD", approver)
        capsys.readouterr()
        code = main([*args, "--json"])
        out = capsys.readouterr()
        assert (code == 0) == ok, out.err
        return json.loads(out.out) if ok else out.err

    return feedesk


def test_walk_through_open_pay_void_close_accept_settle(cli):
    opened = cli("shift", "open", "--float", "500", "--date", "2026-11-25")
    cli("pay", "--account", "1-1-101", "--tender", "cash=300", "--no-print", "--date", "2026-11-25")
    paid = cli("pay", "--account", "1-1-102", "--tender", "cash=500", "--no-print", "--date", "2026-11-25")
    assert paid["change"] == "200.00"
    voided = cli("void", "W0100000001", "--reason", "收错户", "--approver", "boss", "--date", "2026-11-25",
                 approver="boss")
    assert voided["approved_by"] == "boss"
    closed = cli("shift", "close", "--count", "100=8", "--date", "2026-11-25")
    assert closed["shift_id"] == opened["shift_id"]
    assert closed["expected"] == {"cash": "800.00"}
    assert closed["counted"]["cash"] == "800.00"
    assert closed["difference"]["cash"] == "0.00"
    assert closed["remittance"]["receipts"]["voided"] == ["W0100000001"]
    accepted = cli("shift", "accept", str(closed["shift_id"]), user="boss")
    assert accepted["to_safe"] == "800.00"
    settled = cli("settle", "day", "--date", "2026-11-25", user="boss")
    assert settled["tenders"]["counted"] == {"cash": "800.00"}
    assert settled["cash_due_to_bank"] == "300.00"
    err = cli("pay", "--account", "1-1-103", "--tender", "cash=100", "--no-print", "--date", "2026-11-25",
              ok=False)
    assert "已日结" in err or "没有开班" in err


def test_close_with_difference_is_saved_and_explained_after_on_the_command_line(cli):
    cli("shift", "open", "--float", "500", "--date", "2026-11-25")
    closed = cli("shift", "close", "--count", "100=4,50=1,20=2", "--date", "2026-11-25")
    assert closed["difference"] == {"cash": "-10.00"} and closed["shortage"] == "10.00"
    assert closed["pending"] == "reason"
    shift_id = str(closed["shift_id"])
    explained = cli("shift", "explain", shift_id, "--reason", "少 10 元")
    assert explained["reason"] == "少 10 元" and explained["pending"] == ""


def test_cash_in_out_and_handin_commands(cli):
    cli("shift", "open", "--float", "0", "--station", "W02", "--date", "2026-11-25", user="lily")
    cli("pay", "--account", "1-1-103", "--tender", "cash=300", "--no-print", "--station", "W02",
        "--date", "2026-11-25", user="lily")
    cli("shift", "open", "--float", "100", "--date", "2026-11-25")
    assert cli("shift", "cash-in", "--amount", "50", "--reason", "补零钱", "--date", "2026-11-25")["amount"] == "50.00"
    out = cli("shift", "cash-out", "--kind", "counterfeit", "--denomination", "50", "--serial", "AB1",
              "--reason", "假币", "--date", "2026-11-25")
    assert out["amount"] == "-50.00"
    h = cli("handin", "--collector", "lily", "--amount", "300", "--date", "2026-11-25")
    assert h["amount"] == "300.00" and h["collector"] == "lily"
    closed = cli("shift", "close", "--count", "100=4", "--date", "2026-11-25")
    assert closed["expected"]["cash"] == "400.00"


def test_refund_and_waive_commands(cli):
    opened = cli("shift", "open", "--float", "0", "--date", "2026-11-25")
    cli("pay", "--account", "1-1-101", "--tender", "wechat=300:W1", "--no-print", "--date", "2026-11-25")
    cli("shift", "close", "--count", "", "--date", "2026-11-25")
    cli("shift", "accept", str(opened["shift_id"]), user="boss")
    cli("shift", "open", "--float", "0", "--date", "2026-11-26")
    r = cli("refund", "W0100000001", "--amount", "100", "--tender", "wechat", "--reason", "多收",
            "--approver", "boss", "--date", "2026-11-26", approver="boss")
    assert r["amount"] == "100.00" and r["new_receipt_no"] == "W0100000002"
    card = cli("account", "show", "1-1-102")
    w = cli("waive", str(card["charges"][0]["id"]), "--amount", "20", "--reason", "困难户", "--reference", "审批 7",
            "--approver", "boss", approver="boss")
    assert w["amount"] == "20.00"


def test_receipts_commands(cli):
    issued = cli("receipts", "issue", "--to", "demo", "--prefix", "A", "--from", "1", "--to-number", "50",
                 user="boss")
    assert (issued["from"], issued["to"], issued["remaining"]) == (1, 50, 50)
    err = cli("receipts", "issue", "--to", "lily", "--prefix", "A", "--from", "40", "--to-number", "60",
              user="boss", ok=False)
    assert "重叠" in err
    assert cli("receipts", "gaps", user="boss") == {"gaps": [], "count": 0}
    assert cli("receipts", "stock")["next_receipt_no"] == "A00000001"


def test_bank_deposit_command(cli):
    opened = cli("shift", "open", "--float", "0", "--date", "2026-11-25")
    cli("pay", "--account", "1-1-101", "--tender", "cash=300", "--no-print", "--date", "2026-11-25")
    cli("shift", "close", "--count", "100=3", "--date", "2026-11-25")
    cli("shift", "accept", str(opened["shift_id"]), user="boss")
    d = cli("bank", "deposit", "--amount", "300", "--slip", "ICBC-1", "--for-date", "2026-11-25", user="boss")
    assert d["amount"] == "300.00" and d["slip"] == "ICBC-1"
