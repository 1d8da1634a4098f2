"""The `feedesk` command line: the README walk-through from init to pay, JSON shapes, errors."""

import json

import pytest

from app.cli.commands import main


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "cli.db")
    monkeypatch.setenv("FEEDESK_DB", db)
    monkeypatch.setenv("FEEDESK_STATION", "W01")
    monkeypatch.delenv("FEEDESK_USER", raising=False)

    def feedesk(*args, user=None, password=None, expect=0):
        if user:
            monkeypatch.setenv("FEEDESK_USER", user)
            monkeypatch.setenv("FEEDESK_PASSWORD", password or user)
        code = main(list(args))
        out, err = capsys.readouterr()
        assert code == expect, (out, err)
        if "--json" in args and code == 0:
            return json.loads(out)
        return out + err

    feedesk("init", "--admin-password", "admin-pass")
    return feedesk


def test_walkthrough_from_init_to_pay(cli, tmp_path):
    admin = dict(user="admin", password="admin-pass")
    cli("user", "add", "wang", "--role", "cashier", "--password", "wang1234", **admin)
    csv = tmp_path / "units.csv"
    csv.write_text("楼栋,单元,房号,建筑面积,业主,电话,状态\n1,2,301,89.50,张三,13800001234,已入住\n", encoding="utf-8")
    assert "已导入 1 户" in cli("import", "accounts", str(csv), **admin)
    cli("fee", "add", "--code", "WYF", "--name", "物业费", "--method", "area", "--rate", "2.35", "--cycle", "monthly",
        "--due-days", "15", "--late-fee-daily", "0.0005", "--late-fee-grace", "30", **admin)
    cli("fee", "assign", "--fee", "WYF", "--all", **admin)
    run = cli("bill", "run", "--period", "2026-10", "--json", **admin)
    assert run["created"] == 1 and run["total"] == "210.33"
    again = cli("bill", "run", "--period", "2026-10", "--json", **admin)
    assert again["created"] == 0

    cashier = dict(user="wang", password="wang1234")
    cli("shift", "open", "--float", "200", **cashier)
    shown = cli("account", "show", "1-2-301", "--json", **cashier)
    assert shown["code"] == "1-2-301" and shown["owner"] == "张三" and shown["arrears"] == "210.33"
    charge = shown["charges"][0]
    assert set(charge) >= {"id", "fee", "period", "amount", "paid", "outstanding", "due_date"}
    paid = cli("pay", "--account", "1-2-301", "--tender", "cash=300", "--json", **cashier)
    assert paid["receipt_no"] == "W0100000001"
    assert paid["allocated"] == [{"charge_id": charge["id"], "fee": "物业费", "period": "2026-10", "amount": "210.33"}]
    assert (paid["total_tendered"], paid["change"], paid["prepaid_added"]) == ("300.00", "89.67", "0.00")
    assert paid["late_fees"] == []
    assert cli("account", "show", "1-2-301", "--json", **cashier)["arrears"] == "0.00"
    verified = cli("verify", "--json", **admin)
    assert verified["ok"] is True


def test_pay_with_split_tender_and_reference(cli, tmp_path):
    admin = dict(user="admin", password="admin-pass")
    csv = tmp_path / "u.csv"
    csv.write_text("房号,建筑面积,业主\n101,100,甲\n", encoding="utf-8")
    cli("import", "accounts", str(csv), **admin)
    cli("fee", "add", "--code", "LJF", "--name", "垃圾费", "--method", "fixed", "--rate", "100", "--cycle", "monthly",
        **admin)
    cli("fee", "assign", "--fee", "LJF", "--account", "101", **admin)
    cli("bill", "run", "--period", "2026-10", **admin)
    cli("user", "add", "wang", "--role", "cashier", "--password", "wang1234", **admin)
    cashier = dict(user="wang", password="wang1234")
    cli("shift", "open", "--float", "100", **cashier)
    r = cli("pay", "--account", "101", "--tender", "wechat=60:WX0001", "cash=50", "--json", **cashier)
    assert (r["total_tendered"], r["change"]) == ("110.00", "10.00")


@pytest.mark.parametrize(
    "args,message",
    [
        (("account", "show", "404"), "找不到缴费户"),
        (("pay", "--account", "404", "--tender", "cash=5"), "没有“收款”权限"),
        (("pay", "--account", "404", "--tender", "cash=1e3"), "金额格式不正确"),
        (
            ("fee", "add", "--code", "X", "--name", "X", "--method", "magic", "--rate", "1", "--cycle", "monthly"),
            "计费方式不正确",
        ),
        (("bill", "run", "--period", "2026-13"), "账期格式不正确"),
        (("import", "accounts", "/nonexistent.csv"), "文件不存在"),
    ],
)
def test_bad_input_exits_1_with_a_chinese_message(cli, args, message):
    out = cli(*args, user="admin", password="admin-pass", expect=1)
    assert message in out


def test_wrong_password_is_refused(cli):
    assert "用户名或密码错误" in cli("arrears", user="admin", password="nope", expect=1)


def test_arrears_json_has_ageing_buckets(cli, tmp_path):
    admin = dict(user="admin", password="admin-pass")
    csv = tmp_path / "u.csv"
    csv.write_text("楼栋,单元,房号,建筑面积,业主,电话\n1,1,101,100,甲,13800001111\n", encoding="utf-8")
    cli("import", "accounts", str(csv), **admin)
    cli("fee", "add", "--code", "WYF", "--name", "物业费", "--method", "area", "--rate", "1", "--cycle", "monthly",
        "--due-days", "15", **admin)
    cli("fee", "assign", "--fee", "WYF", "--all", **admin)
    for period in ("2026-01", "2026-06", "2026-10"):
        cli("bill", "run", "--period", period, **admin)
    r = cli("arrears", "--as-of", "2026-11-25", "--json", **admin)
    [acc] = r["accounts"]
    assert (acc["code"], acc["outstanding"], acc["oldest_due"]) == ("1-1-101", "300.00", "2026-02-15")
    assert acc["days_overdue"] == 283
    assert r["buckets"]["31-90"] == "0.00" and r["buckets"]["0-30"] == "100.00"
    assert r["buckets"]["91-180"] == "100.00" and r["buckets"]["181-365"] == "100.00"


def test_backup_is_checked_before_success(cli, tmp_path):
    target = tmp_path / "bk" / "copy.db"
    r = cli("backup", "--to", str(target), "--json", user="admin", password="admin-pass")
    assert r["verified"] is True and target.exists()


@pytest.mark.parametrize("args,message", [
    (("fee", "add", "--code", "X", "--name", "Y", "--method", "fixed", "--rate", "1", "--cycle", "monthly",
      "--due-days", "abc"), "参数 --due-days 需要整数，收到“abc”"),
    (("pay", "--account", "1-1-101"), "缺少参数：--tender"),
    (("bill", "run", "--period", "2026-10", "--bogus"), "无法识别的参数：--bogus"),
])
def test_usage_errors_are_explained_in_chinese(cli, capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_account_edit_and_settings_from_the_command_line(cli, tmp_path):
    admin = dict(user="admin", password="admin-pass")
    csv = tmp_path / "u.csv"
    csv.write_text("楼栋,单元,房号,建筑面积,业主,电话\n1,1,101,100,甲,13800001111\n", encoding="utf-8")
    cli("import", "accounts", str(csv), **admin)
    r = cli("account", "edit", "1-1-101", "--phone", "13900002222", "--note", "维修纠纷", "--json", **admin)
    assert r["changed"]["phone"] == {"old": "13800001111", "new": "13900002222"}
    assert cli("account", "show", "1-1-101", "--json", **admin)["phone"] == "13900002222"
    cli("setting", "set", "cash_limit", "3000", **admin)
    rows = {row["key"]: row["value"] for row in cli("setting", "list", "--json", **admin)}
    assert rows["cash_limit"] == "3000.00"
    assert "格式不正确" in cli("setting", "set", "handin_cutoff", "25:99", **admin, expect=1)
