"""`feedesk report ...` and `feedesk dunning ...` end to end: files written, figures in --json."""

import json

import pytest

from app.cli.commands import main
from tests.reports.docs import assert_cjk_font_embedded, cents, pdf_text, xlsx_row
from tests.reports.test_cashdesk_reports import settled  # noqa: F401  (fixture)
from tests.services.cashdesk_helpers import settle


@pytest.fixture
def cli(monkeypatch, capsys):
    def call(lg, *argv, user="boss"):
        monkeypatch.setenv("FEEDESK_PASSWORD", user)
        code = main(["--db", lg.url, "--user", user, *argv])
        out = capsys.readouterr()
        return code, out.out, out.err
    return call


def test_collection_report_from_the_command_line(known_extras, cli, tmp_path):
    code, out, _ = cli(known_extras, "report", "collection", "--from", "2026-10", "--to", "2026-10",
                       "--pdf", str(tmp_path / "c.pdf"), "--xlsx", str(tmp_path / "c.xlsx"))
    assert code == 0 and "58.33%" in out and "已输出" in out
    assert "合计\n600.00\n350.00\n58.33%" in pdf_text(tmp_path / "c.pdf")
    assert cents(xlsx_row(tmp_path / "c.xlsx", "合计")[2]) == 35000
    code, out, _ = cli(known_extras, "report", "collection", "--from", "2026-10", "--to", "2026-10", "--by", "month",
                       "--json")
    data = json.loads(out)
    assert data["total"]["rate"] == "58.33%" and data["total"]["prepaid"] == "300.00"
    assert data["total"]["recovered"] == "200.00" and data["rows"][0]["key"] == "2026-10"


def test_every_ledger_report_command_writes_its_pdf(known_extras, cli, tmp_path):
    commands = {
        "arrears": ["report", "arrears", "--as-of", "2026-11-25"],
        "journal": ["report", "journal", "--from", "2026-10-01", "--to", "2026-10-31"],
        "income": ["report", "income", "--from", "2026-10-01", "--to", "2026-10-31"],
        "statement": ["report", "statement", "1-1-102", "--from", "2026-09-01", "--to", "2026-10-31"],
        "tariffs": ["report", "tariffs"],
    }
    expect = {"arrears": "欠费明细及账龄分析表", "journal": "收费明细表", "income": "收入汇总表",
              "statement": "缴费户对账单", "tariffs": "收费标准公示"}
    for name, argv in commands.items():
        path = tmp_path / f"{name}.pdf"
        code, out, err = cli(known_extras, *argv, "--pdf", str(path), "--xlsx", str(tmp_path / f"{name}.xlsx"))
        assert code == 0, err
        assert expect[name] in pdf_text(path)
        assert_cjk_font_embedded(path)
    code, out, _ = cli(known_extras, "report", "journal", "--from", "2026-10-01", "--to", "2026-10-31", "--json")
    assert [r["amount"] for r in json.loads(out)["rows"]] == ["200.00", "50.00", "100.00", "300.00", "200.00"]


def test_cash_desk_reports_from_the_command_line(settled, cli, tmp_path):  # noqa: F811
    code, out, err = cli(settled, "report", "shift", str(settled.shift_id), "--pdf", str(tmp_path / "s.pdf"))
    assert code == 0, err
    assert "现金\n800.00\n750.00\n-50.00" in pdf_text(tmp_path / "s.pdf")
    code, out, err = cli(settled, "report", "day", "--date", "2026-11-25")
    assert code == 1 and "尚未日结" in err
    settle(settled)
    code, out, err = cli(settled, "report", "day", "--date", "2026-11-25", "--pdf", str(tmp_path / "d.pdf"), "--json")
    assert code == 0 and json.loads(out)["cash_due_to_bank"] == "250.00"
    assert "日结报表" in pdf_text(tmp_path / "d.pdf")
    code, out, err = cli(settled, "report", "month", "--month", "2026-11", "--xlsx", str(tmp_path / "m.xlsx"))
    assert code == 0 and "400.00" in out
    assert cents(xlsx_row(tmp_path / "m.xlsx", "合计")[1]) == 40000


def test_dunning_from_the_command_line(known, cli, tmp_path):
    code, out, err = cli(known, "dunning", "log", "2-1-101", "--channel", "visit", "--result", "refused",
                         "--reason", "repair_dispute", "--note", "楼上漏水", user="demo")
    assert code == 0 and "维修纠纷" in out
    code, out, err = cli(known, "dunning", "run", "--min-amount", "10", "--min-days", "1", "--pdf",
                         str(tmp_path / "n.pdf"))
    assert code == 0, err
    assert "1 户" in out and "争议中 1 户" in out
    text = pdf_text(tmp_path / "n.pdf")
    assert "1-1-102" in text and "2-1-101" not in text
    code, out, err = cli(known, "dunning", "log", "1-1-102", "--channel", "phone", "--result", "promised",
                         "--promise-date", "2099-01-01", user="demo")
    assert code == 0 and "承诺 2099-01-01 前缴费" in out
    code, out, err = cli(known, "dunning", "log", "1-1-102", "--channel", "phone", "--result", "promised", user="demo")
    assert code == 1 and "承诺缴费日期" in err


def test_a_supervisor_cancels_a_repayment_plan_from_the_command_line(known, cli):
    code, out, err = cli(known, "dunning", "plan", "1-1-102", "--instalment", "2099-01-01=200")
    assert code == 0, err
    plan_id = out.split("#")[1].split("：")[0]
    code, out, err = cli(known, "dunning", "cancel-plan", plan_id, "--reason", "业主要求一次缴清", user="demo")
    assert code == 1 and err  # a cashier may not
    code, out, err = cli(known, "dunning", "cancel-plan", plan_id, "--reason", "业主要求一次缴清")
    assert code == 0 and f"已取消还款计划 #{plan_id}：1-1-102" in out
    code, out, err = cli(known, "dunning", "plans", "--account", "1-1-102")
    assert "已取消" in out
    code, out, err = cli(known, "dunning", "cancel-plan", plan_id, "--reason", "再取消")
    assert code == 1 and "已取消" in err


def test_bad_period_is_a_message_not_a_crash(known, cli):
    code, out, err = cli(known, "report", "collection", "--from", "2026-13", "--to", "2026-10")
    assert code == 1 and "账期格式不正确" in err
