"""`feedesk notice run`, `feedesk ticket …` and `feedesk report tickets` end to end."""

import csv
import json

from tests.helpers import bill
from tests.reports.docs import pdf_text, xlsx_row
from tests.reports.test_cli_reports import cli  # noqa: F401  (fixture)


def test_notice_run_writes_the_pdf_and_the_sms_csv(known, cli, tmp_path):  # noqa: F811
    bill(known, "2026-11")
    code, out, err = cli(known, "notice", "run", "--period", "2026-11", "--building", "1", "--pdf",
                         str(tmp_path / "n.pdf"), "--sms-csv", str(tmp_path / "sms.csv"))
    assert code == 0, err
    assert "2026-11 缴费通知单：2 户，应缴合计 800.00 元" in out
    assert pdf_text(tmp_path / "n.pdf").count("缴 费 通 知 单") == 2
    with open(tmp_path / "sms.csv", encoding="utf-8-sig", newline="") as fh:
        assert [r[:3] for r in csv.reader(fh)] == [["缴费户", "姓名", "电话"], ["1-1-101", "张三", "13800001111"],
                                                   ["1-1-102", "李四", "13800002222"]]
    code, _, err = cli(known, "notice", "run", "--period", "11/2026", "--pdf", str(tmp_path / "x.pdf"))
    assert code == 1 and "账期格式不正确" in err and not (tmp_path / "x.pdf").exists()


def test_ticket_add_list_close_and_report(known, cli, tmp_path):  # noqa: F811
    code, out, err = cli(known, "ticket", "add", "--kind", "repair", "--desc", "楼道灯不亮", "--assignee", "李电工",
                         "--account", "1-1-101", "--json", user="demo")
    assert code == 0, err
    no = json.loads(out)["ticket_no"]
    code, out, _ = cli(known, "ticket", "list", "--open")
    assert no in out and "楼道灯不亮" in out and "李电工" in out
    code, _, err = cli(known, "ticket", "add", "--kind", "repair", "--desc", "x", "--assignee", "", user="demo")
    assert code == 1 and "责任人" in err
    code, out, err = cli(known, "ticket", "close", no, "--outcome", "已更换灯泡", "--satisfaction", "satisfied",
                         user="demo")
    assert code == 0 and "已办结" in out, err
    code, out, _ = cli(known, "ticket", "list", "--open", "--json")
    assert json.loads(out) == []
    code, out, err = cli(known, "report", "tickets", "--from", "2026-01", "--to", "2026-12", "--xlsx",
                         str(tmp_path / "t.xlsx"), "--pdf", str(tmp_path / "t.pdf"))
    assert code == 0, err
    assert "投诉报修处理统计表" in pdf_text(tmp_path / "t.pdf")
    assert xlsx_row(tmp_path / "t.xlsx", "合计")[1:3] == [1, 1]
