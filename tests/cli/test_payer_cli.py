"""过户, occupants and the payer's name from the command line."""

from tests.cli.test_cli_core import cli  # noqa: F401  (fixture)

ADMIN = dict(user="admin", password="admin-pass")


def setup_unit(cli, tmp_path):  # noqa: F811
    cli("user", "add", "wang", "--role", "cashier", "--password", "wang1234", **ADMIN)
    cli("user", "add", "zhao", "--role", "supervisor", "--password", "zhao1234", **ADMIN)
    cli("user", "add", "qian", "--role", "supervisor", "--password", "qian1234", **ADMIN)
    csv = tmp_path / "units.csv"
    csv.write_text("楼栋,单元,房号,建筑面积,业主,电话,状态\n1,2,301,100,张三,13800001234,已入住\n", encoding="utf-8")
    cli("import", "accounts", str(csv), **ADMIN)
    cli("fee", "add", "--code", "WYF", "--name", "物业费", "--method", "area", "--rate", "2", "--cycle", "monthly",
        "--due-days", "15", **ADMIN)
    cli("fee", "assign", "--fee", "WYF", "--all", **ADMIN)
    cli("bill", "run", "--period", "2026-10", **ADMIN)


def test_transfer_keeps_the_debt_apart_and_a_tenant_pays(cli, tmp_path, monkeypatch):  # noqa: F811
    setup_unit(cli, tmp_path)
    zhao = dict(user="zhao", password="zhao1234")
    out = cli("account", "transfer", "1-2-301", "--new-owner", "王五", "--date", "2026-11-20", "--arrears", "settled",
              **zhao, expect=1)
    assert "欠费 200.00 元未结清" in out
    monkeypatch.setenv("FEEDESK_APPROVER_PASSWORD", "qian1234")
    out = cli("account", "transfer", "1-2-301", "--new-owner", "王五", "--date", "2026-11-20", "--arrears", "kept",
              "--approver", "qian", "--reason", "前业主自行结清", **zhao)
    assert "1-2-301 已过户：张三 → 王五（2026-11-20），过户前欠费 200.00 元：保留为前业主欠费" in out
    out = cli("account", "show", "1-2-301", **zhao)
    assert "王五" in out and "前业主张三欠费 200.00 元" in out
    assert cli("account", "history", "1-2-301", "--json", **zhao) == [
        {"account": "1-2-301", "effective_date": "2026-11-20", "former_owner": "张三", "new_owner": "王五",
         "arrears": "保留为前业主欠费", "amount": "200.00"}]
    cli("account", "occupant", "1-2-301", "--name", "刘租户", **ADMIN)
    cli("shift", "open", "--float", "100", user="wang", password="wang1234")
    data = cli("pay", "--account", "1-2-301", "--tender", "cash=200", "--payer", "刘租户", "--no-print", "--json",
               user="wang", password="wang1234")
    assert data["receipt_no"]
    out = cli("receipt", "preview", data["receipt_no"], user="wang", password="wang1234")
    assert "缴费人：刘租户" in out
