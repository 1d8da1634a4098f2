"""`feedesk reconcile ...` and `feedesk report reconciliation`: import, run, show, resolve, the month report."""

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli.commands import main

FILES = Path(__file__).parents[1] / "services" / "statements"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FEEDESK_DB", str(tmp_path / "cli.db"))
    monkeypatch.setenv("FEEDESK_STATION", "W01")

    def feedesk(*args, user=None, password=None, expect=0):
        if user:
            monkeypatch.setenv("FEEDESK_USER", user)
            monkeypatch.setenv("FEEDESK_PASSWORD", password or f"{user}-pass")
        code = main(list(args))
        out, err = capsys.readouterr()
        assert code == expect, (out, err)
        if "--json" in args and code == 0:
            return json.loads(out)
        return out + err

    feedesk("init", "--admin-password", "admin-pass")
    admin = dict(user="admin")
    for name, role in (("wang", "cashier"), ("boss", "supervisor"), ("boss2", "supervisor")):
        feedesk("user", "add", name, "--role", role, "--password", f"{name}-pass", **admin)
    units = tmp_path / "units.csv"
    units.write_text("楼栋,单元,房号,建筑面积,业主,电话,状态\n1,1,101,100,张三,13800001234,已入住\n", encoding="utf-8")
    feedesk("import", "accounts", str(units), **admin)
    feedesk("fee", "add", "--code", "WYF", "--name", "物业费", "--method", "fixed", "--rate", "300", "--cycle",
            "monthly", **admin)
    feedesk("fee", "assign", "--fee", "WYF", "--all", **admin)
    feedesk("bill", "run", "--period", "2026-11", "--date", "2026-11-01", **admin)
    feedesk("shift", "open", "--date", "2026-11-25", user="wang")
    feedesk("pay", "--account", "1-1-101", "--tender", "wechat=100:4200000001", "--date", "2026-11-25", "--no-print")
    feedesk("pay", "--account", "1-1-101", "--tender", "wechat=80:4200000009", "--date", "2026-11-25", "--no-print")
    return feedesk


def test_import_run_show_resolve_and_month_report(cli, tmp_path, monkeypatch):
    boss = dict(user="boss")
    got = cli("reconcile", "import", str(FILES / "wechat_2026-11-25.csv"), "--channel", "wechat", "--json", **boss)
    assert (got["lines"], got["fees"], got["total_in"]) == (7, "2.39", "419.00")
    again = cli("reconcile", "import", str(FILES / "wechat_2026-11-25.csv"), "--channel", "wechat", expect=1)
    assert "不能重复导入" in again
    truncated = cli("reconcile", "import", str(FILES / "wechat_truncated.csv"), "--channel", "wechat", expect=1)
    assert "错误：文件不完整：到第 5 行为止没有汇总行" in truncated

    ran = cli("reconcile", "run", "--date", "2026-11-25", "--channel", "wechat", "--json", **boss)
    assert ran == [{"channel": "wechat", "date": "2026-11-25", "new_matches": 1, "by_reference": 1,
                    "by_amount_time": 0, "open_items": 7}]
    shown = cli("reconcile", "show", "--date", "2026-11-25", "--channel", "wechat", "--json", **boss)[0]
    assert shown["status"] == "open" and shown["fees"] == "2.39"
    ghost = next(o for o in shown["open_items"] if o["item"] == "missing_on_statement")
    assert (ghost["amount"], ghost["reference"]) == ("80.00", "4200000009")
    text = cli("reconcile", "show", "--date", "2026-11-25", "--channel", "wechat", **boss)
    assert "有未处理差异" in text and "FeeDesk 有、对账单没有" in text
    every = cli("reconcile", "show", "--date", "2026-11-25", **boss)  # the bank awaits WeChat's net of the day
    assert (
        "银行对公账户：缺对账单" in every
        and "在途 微信支付 2026-11-25 结算净额（已扣手续费） 尚未到账：396.61 元" in every
    )

    refused = cli("reconcile", "resolve", ghost["key"], "--action", "charge_cashier", "--reason", "未到账", expect=1)
    assert "需要" in refused and "审批" in refused
    monkeypatch.setenv("FEEDESK_APPROVER_PASSWORD", "boss2-pass")
    done = cli("reconcile", "resolve", ghost["key"], "--action", "charge_cashier", "--reason", "未到账，收费员赔付",
               "--approver", "boss2", "--json", **boss)
    assert (done["action"], done["amount"], done["approved_by"]) == ("charge_cashier", "80.00", "boss2")
    cashier = cli("reconcile", "resolve", ghost["key"], "--action", "explain", "--reason", "x", "--approver", "boss",
                  user="wang", expect=1)
    assert "没有" in cashier and "权限" in cashier

    pdf, xlsx = tmp_path / "recon.pdf", tmp_path / "recon.xlsx"
    out = cli("report", "reconciliation", "--month", "2026-11", "--pdf", str(pdf), "--xlsx", str(xlsx), **boss)
    assert "2026-11-25 微信支付：有未处理差异" in out
    page = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "银行存款余额调节表" in page and "4200000006" in page
    assert "加：支付机构结算在途\n396.61\n减：支付机构手续费（未记账）\n2.39" in page
    assert xlsx.stat().st_size > 0


def test_day_settlement_and_month_close_name_the_channel_days_not_reconciled(cli):
    cli("shift", "close", "--count", "100=0", user="wang")
    boss = dict(user="boss")
    cli("shift", "accept", "1", **boss)
    cli("reconcile", "import", str(FILES / "wechat_2026-11-25.csv"), "--channel", "wechat", **boss)
    settled = cli("settle", "day", "--date", "2026-11-25", **boss)
    assert "未对平的对账：2026-11-25 微信支付 未对账" in settled
    cli("reconcile", "run", "--date", "2026-11-25", **boss)
    shown = cli("settle", "show", "--date", "2026-11-25", **boss)
    assert "未对平的对账：2026-11-25 微信支付 有未处理差异（7 项未处理）" in shown
    closed = cli("settle", "month", "--month", "2026-11", **boss)
    assert "未对平的对账：2026-11-25 微信支付 有未处理差异（7 项未处理）" in closed
