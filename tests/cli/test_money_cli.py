"""Issue #17 items 5-7 and #16 item 4 at the command line: the doors a cashier types into."""

import json

import pytest

from app.cli.commands import main
from tests.services.cashdesk_helpers import estate


@pytest.fixture
def cli(ledger, monkeypatch, capsys):
    estate(ledger)
    monkeypatch.setenv("FEEDESK_DB", ledger.url)
    monkeypatch.setenv("FEEDESK_STATION", "W01")
    monkeypatch.delenv("FEEDESK_APPROVER_PASSWORD", raising=False)

    def feedesk(*args: str, user: str = "demo", approver: str | None = None, ok: bool = True):
        monkeypatch.setenv("FEEDESK_USER", user)
        monkeypatch.setenv("FEEDESK_PASSWORD", "admin" if user == "admin" else user)
        if approver:
            monkeypatch.setenv("FEEDESK_APPROVER_PASSWORD", approver)
        capsys.readouterr()
        code = main([*args, "--json"])
        out = capsys.readouterr()
        assert (code == 0) == ok, out.err
        return json.loads(out.out) if ok else out.err

    return feedesk


@pytest.mark.parametrize("date", ["1900-01-01", "2026-01-01", "9999-12-31"])
def test_pay_with_another_date_is_refused_without_a_supervisor(cli, date):
    cli("shift", "open", "--float", "500")
    err = cli("pay", "--account", "1-1-101", "--tender", "cash=300", "--no-print", "--date", date, ok=False)
    assert "主管审批" in err or "原因" in err or "未来" in err
    assert cli("account", "show", "1-1-101")["arrears"] == "300.00"


def test_pay_backdated_with_approval_and_reason(cli):
    cli("shift", "open", "--float", "500", "--date", "2026-11-25")
    err = cli("pay", "--account", "1-1-101", "--tender", "cash=300", "--no-print", "--date", "9999-12-31",
              "--reason", "补记", "--approver", "boss", approver="boss", ok=False)
    assert "未来" in err
    paid = cli("pay", "--account", "1-1-101", "--tender", "cash=300", "--no-print", "--date", "2026-11-20",
               "--reason", "补记纸质收据 0012", "--approver", "boss", approver="boss")
    assert paid["allocated"][0]["amount"] == "100.00"


def test_admin_cannot_switch_off_void_approval_and_void_still_needs_one(cli):
    err = cli("setting", "set", "approval_required", "", user="admin", ok=False)
    assert "不能取消" in err
    cli("setting", "set", "correction_limit_cashier", "99999999", user="admin")
    cli("shift", "open", "--float", "500")
    paid = cli("pay", "--account", "1-1-101", "--tender", "cash=300", "--no-print")
    err = cli("void", paid["receipt_no"], "--reason", "收错户", ok=False)
    assert "主管审批" in err
    card = cli("account", "show", "1-1-102")
    err = cli("waive", str(card["charges"][0]["id"]), "--amount", "100", "--reason", "困难户", ok=False)
    assert "主管审批" in err


@pytest.mark.parametrize("tender", ["cash=1元5", "cash=1RMB00", "cash=12元50"])
def test_amount_with_a_unit_inside_is_refused(cli, tender):
    cli("shift", "open", "--float", "500")
    err = cli("pay", "--account", "1-1-101", "--tender", tender, "--no-print", ok=False)
    assert "金额格式不正确" in err
    assert cli("account", "show", "1-1-101")["arrears"] == "300.00"


def test_non_cash_tender_without_reference_is_refused(cli):
    cli("shift", "open", "--float", "500")
    err = cli("pay", "--account", "1-1-101", "--tender", "wechat=300", "--no-print", ok=False)
    assert "交易参考号" in err
    cli("pay", "--account", "1-1-101", "--tender", "wechat=300:4200001234", "--no-print")


def test_change_beyond_the_drawer_is_refused(cli):
    cli("shift", "open", "--float", "0")
    err = cli("pay", "--account", "1-1-101", "--tender", "cash=500", "--no-print", ok=False)
    assert "钱箱现金不足以找零" in err


def test_charge_add_amount_needs_a_supervisor(cli):
    cli("fee", "add", "--code", "WXF", "--name", "维修服务费", "--method", "quantity", "--rate", "50", "--cycle",
        "once", user="admin")
    err = cli("charge", "add", "--account", "1-1-101", "--fee", "WXF", "--amount", "99999999", ok=False)
    assert "主管审批" in err or "原因" in err
    added = cli("charge", "add", "--account", "1-1-101", "--fee", "WXF", "--quantity", "2")
    assert added["amount"] == "100.00"
    added = cli("charge", "add", "--account", "1-1-101", "--fee", "WXF", "--amount", "180", "--reason", "上门维修",
                "--approver", "boss", approver="boss")
    assert added["amount"] == "180.00"


def test_receipts_lost_needs_a_supervisor(cli):
    cli("receipts", "issue", "--to", "demo", "--prefix", "A", "--from", "1", "--to-number", "50", user="boss")
    err = cli("receipts", "lost", "A00000001", "--count", "3", "--reason", "丢失", ok=False)
    assert "主管审批" in err
    r = cli("receipts", "lost", "A00000001", "--count", "3", "--reason", "丢失", "--approver", "boss",
            approver="boss")
    assert r["count"] == 3

