"""`feedesk meter …` and what `feedesk bill run` says about meters (issue #18)."""

from tests.cli.test_cli_core import cli  # noqa: F401  (the fixture)


def test_meter_round_from_the_command_line(cli, tmp_path, monkeypatch):  # noqa: F811
    admin = dict(user="admin", password="admin-pass")
    cli("user", "add", "boss", "--role", "supervisor", "--password", "boss1234", **admin)
    csv = tmp_path / "units.csv"
    csv.write_text("楼栋,单元,房号,建筑面积,业主\n1,1,101,89.50,张三\n1,1,102,90,李四\n", encoding="utf-8")
    cli("import", "accounts", str(csv), **admin)
    cli("fee", "add", "--code", "SF", "--name", "水费", "--method", "metered", "--rate", "3", "--cycle", "monthly",
        **admin)
    cli("fee", "assign", "--fee", "SF", "--all", **admin)
    assert "倍率 2" in cli("meter", "set", "--account", "1-1-101", "--fee", "SF", "--number", "W-1",
                           "--multiplier", "2", **admin)
    for value, day in (("100", "2026-05-31"), ("110", "2026-06-30"), ("120", "2026-07-31"), ("130", "2026-08-31")):
        cli("meter", "read", "--account", "1-1-101", "--fee", "SF", "--reading", value, "--date", day, **admin)
    refused = cli("meter", "read", "--account", "1-1-101", "--fee", "SF", "--reading", "131", "--date", "2026-08-31",
                  expect=1, **admin)
    assert "同一天不能再抄" in refused
    out = cli("meter", "read", "--account", "1-1-101", "--fee", "SF", "--reading", "200", "--date", "2026-09-30",
              **admin)
    assert "待主管复核" in out
    missing = cli("meter", "missing", "--period", "2026-09", **admin)
    assert "未抄表 1 块" in missing and "1-1-102" in missing
    run = cli("bill", "run", "--period", "2026-09", "--date", "2026-10-01", **admin)
    assert "本期无读数、未计费 1 块表：1-1-102 水费" in run and "待复核、未计费 1 条读数" in run
    assert "1-1-101" in cli("meter", "held", **admin)
    monkeypatch.setenv("FEEDESK_APPROVER_PASSWORD", "boss1234")
    assert "已复核（boss）" in cli("meter", "confirm", "--account", "1-1-101", "--fee", "SF", "--reason", "核实",
                                  "--approver", "boss", **admin)
    assert "新建 1 笔应收，合计 420.00 元" in cli("bill", "run", "--period", "2026-10", "--date", "2026-11-01", **admin)
    out = cli("meter", "correct", "--account", "1-1-101", "--fee", "SF", "--reading", "150", "--reason", "录错",
              "--approver", "boss", "--date", "2026-11-02", **admin)
    assert "冲红原费用未收部分 420.00 元" in out and "重新计费 120.00 元" in out
    sheet = tmp_path / "round.csv"
    sheet.write_text("表号,本次读数,抄表日期,抄表员\nW-1,160,2026-11-30,小刘\nW-9,1,2026-11-30,小刘\n",
                     encoding="utf-8")
    bad = cli("meter", "import", str(sheet), "--fee", "SF", expect=1, **admin)
    assert "第 3 行：表号“W-9”未登记" in bad
    sheet.write_text("表号,本次读数,抄表日期,抄表员\nW-1,160,2026-11-30,小刘\n", encoding="utf-8")
    assert "已导入 1 条读数" in cli("meter", "import", str(sheet), **admin)
    assert cli("verify", "--json", **admin)["ok"] is True
