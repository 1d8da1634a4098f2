"""练习模式 from the command line: a practice user, a practice window, and the refusal for a cashier."""

from tests.cli.test_cli_core import cli  # noqa: F401  (fixture)

ADMIN = dict(user="admin", password="admin-pass")


def test_user_add_training_and_switch(cli):  # noqa: F811
    out = cli("user", "add", "xiaoli", "--role", "cashier", "--password", "xiaoli12", "--training", **ADMIN)
    assert "练习模式" in out
    assert cli("user", "training", "xiaoli", "off", "--json", **ADMIN) == {"username": "xiaoli", "training": False}
    out = cli("user", "training", "xiaoli", "on", user="xiaoli", password="xiaoli12", expect=1)
    assert "没有“系统管理”权限" in out
    assert cli("station", "training", "W01", "on", "--json", **ADMIN) == {"station": "W01", "training": True}
    out = cli("shift", "open", "--float", "100", user="xiaoli", password="xiaoli12")
    assert "已开班 #1" in out and "（练习模式，不计入正式账）" in out
    out = cli("station", "training", "W01", "off", **ADMIN, expect=1)
    assert "未轧帐的班次" in out
