"""The printing commands of `feedesk`, with exactly the names and options of issue 4."""

from __future__ import annotations

import json

import pytest

from app.cli.commands import main


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FEEDESK_DB", str(tmp_path / "cli.db"))
    monkeypatch.setenv("FEEDESK_STATION", "W01")
    monkeypatch.delenv("FEEDESK_USER", raising=False)

    def feedesk(*args, user="admin", password=None, expect=0):
        monkeypatch.setenv("FEEDESK_USER", user)
        monkeypatch.setenv("FEEDESK_PASSWORD", password or ("admin-pass" if user == "admin" else user))
        code = main(list(args))
        out, err = capsys.readouterr()
        assert code == expect, (out, err)
        if "--json" in args and out.strip().startswith(("{", "[")):
            return json.loads(out)
        return out + err

    feedesk("init", "--admin-password", "admin-pass")
    csv = tmp_path / "u.csv"
    csv.write_text("楼栋,单元,房号,建筑面积,业主\n1,2,301,89.50,张三\n", encoding="utf-8")
    feedesk("import", "accounts", str(csv))
    feedesk("fee", "add", "--code", "WYF", "--name", "物业费", "--method", "area", "--rate", "2.35",
            "--cycle", "monthly", "--due-days", "15")
    feedesk("fee", "assign", "--fee", "WYF", "--all")
    feedesk("bill", "run", "--period", "2026-10", "--date", "2026-10-01")
    feedesk("user", "add", "wang", "--role", "cashier", "--password", "wang")
    feedesk("shift", "open", "--float", "200", user="wang")
    return feedesk


def test_printer_add_list_and_test_page(cli, loopback):
    added = cli("printer", "add", "前台", "--network", loopback.target, "--width", "58", "--mode", "text",
                "--cut", "full", "--drawer-pin", "5", "--default", "--json")
    assert (added["connection"], added["width_mm"], added["cut"], added["drawer_pin"], added["default"]) == \
        ("network", 58, "full", 5, True)
    cli("printer", "add", "后台", "--usb", "0416:5011", "--mode", "image")
    cli("printer", "add", "串口", "--serial", "/dev/ttyS0:19200", "--cut", "none")
    listed = cli("printer", "list", "--json")
    assert [(p["name"], p["target"]) for p in listed] == [("串口", "/dev/ttyS0:19200"), ("前台", loopback.target),
                                                          ("后台", "0416:5011")]
    assert "前台" in cli("printer", "list")
    out = cli("printer", "test", "--json", user="wang")
    assert (out["status"], out["kind"], out["printer"]) == ("done", "test", "前台")
    loopback.wait_idle()
    paper = loopback.decoded().receipts[0]
    assert "打印测试页" in paper.text and "缴费人：王喆 李堃 朱镕" in paper.lines and paper.cut == "full"


def test_pay_prints_on_the_default_printer_and_reports_the_job(cli, loopback):
    cli("printer", "add", "前台", "--network", loopback.target, "--default")
    paid = cli("pay", "--account", "1-2-301", "--tender", "cash=300", "--json", user="wang")
    assert paid["print"] == {"job_id": 1, "status": "done", "error": None}
    quiet = cli("pay", "--account", "1-2-301", "--tender", "cash=10", "--json", user="wang", expect=1)
    assert "没有欠费" in quiet
    loopback.wait_idle()
    d = loopback.decoded()
    assert d.cuts == 1 and d.drawer_kicks == [2] and "收据号：W0100000001" in d.receipts[0].lines


def test_pay_reports_a_failed_print_but_keeps_the_payment(cli, loopback):
    cli("printer", "add", "前台", "--network", loopback.target, "--default")
    loopback.state = "paper_out"
    paid = cli("pay", "--account", "1-2-301", "--tender", "cash=300", "--json", user="wang")
    assert paid["receipt_no"] == "W0100000001"
    assert paid["print"]["status"] == "failed" and "缺纸" in paid["print"]["error"]
    text = cli("print-jobs", "--failed")
    assert "缺纸" in text and "W0100000001" in text
    unprinted = cli("print-jobs", "--unprinted", "--json")
    assert [u["receipt_no"] for u in unprinted] == ["W0100000001"]
    failed_again = cli("print-jobs", "retry", "1", "--json", expect=1)
    assert failed_again["status"] == "failed"
    loopback.state = "ok"
    done = cli("print-jobs", "retry", "1", "--json")
    assert (done["status"], done["job_id"]) == ("done", 1)
    assert cli("print-jobs", "--failed", "--json") == []
    assert cli("account", "show", "1-2-301", "--json")["arrears"] == "0.00"


def test_no_print_skips_printing(cli, loopback):
    cli("printer", "add", "前台", "--network", loopback.target, "--default")
    paid = cli("pay", "--account", "1-2-301", "--tender", "cash=300", "--no-print", "--json", user="wang")
    assert "print" not in paid
    assert cli("print-jobs", "--json") == []


def test_receipt_print_is_a_marked_reprint(cli, loopback):
    cli("printer", "add", "前台", "--network", loopback.target, "--default")
    cli("printer", "add", "备用", "--network", loopback.target)
    cli("pay", "--account", "1-2-301", "--tender", "cash=300", user="wang")
    out = cli("receipt", "print", "W0100000001", "--printer", "备用", "--json", user="wang")
    assert (out["kind"], out["reprint_count"], out["printer"], out["status"]) == ("reprint", 1, "备用", "done")
    assert "重打（第2次）" in cli("receipt", "print", "W0100000001", user="wang")
    loopback.wait_idle()
    papers = loopback.decoded().receipts
    assert len(papers) == 3 and any("【重打】第2次" in line for line in papers[2].lines)
    assert loopback.decoded().drawer_kicks == [2]


def test_receipt_preview_writes_png_and_pdf(cli, tmp_path):
    cli("pay", "--account", "1-2-301", "--tender", "cash=300", user="wang")
    png, pdf = tmp_path / "r.png", tmp_path / "r.pdf"
    out = cli("receipt", "preview", "W0100000001", "--width", "58", "--png", str(png), "--pdf", str(pdf))
    assert "大写：贰佰壹拾元叁角叁分" in out
    assert png.read_bytes().startswith(b"\x89PNG") and pdf.read_bytes().startswith(b"%PDF")


def test_drawer_open_needs_a_reason(cli, loopback):
    cli("printer", "add", "前台", "--network", loopback.target, "--default")
    assert "开钱箱必须填写原因" in cli("drawer", "open", "--reason", " ", user="wang", expect=1)
    assert "钱箱已打开" in cli("drawer", "open", "--reason", "兑换零钱", user="wang")
    loopback.wait_idle()
    assert loopback.decoded().drawer_kicks == [2]


@pytest.mark.parametrize("args,message", [
    (("printer", "add", "X", "--network", "nohost:abc"), "网络打印机地址格式不正确"),
    (("printer", "test", "不存在"), "打印机“不存在”不存在"),
    (("receipt", "print", "NOPE"), "找不到收据"),
    (("print-jobs", "retry", "99"), "打印任务 #99 不存在"),
])
def test_printing_errors_exit_1_in_chinese(cli, args, message):
    assert message in cli(*args, expect=1)


def test_shift_remittance_prints_the_slip_after_the_close(cli, loopback):
    cli("printer", "add", "前台", "--network", loopback.target, "--width", "58", "--default")
    cli("pay", "--account", "1-2-301", "--tender", "cash=300", "--no-print", user="wang")
    assert "盲点" in cli("shift", "remittance", "1", user="wang", expect=1)
    cli("shift", "close", "--count", "100=4,10=1,0.1=3", "--reason", "硬币不足", user="wang")  # 410.30 of 410.33
    out = cli("shift", "remittance", "1", "--json", user="wang")
    assert (out["status"], out["kind"]) == ("done", "remittance")
    loopback.wait_idle()
    text = loopback.decoded().receipts[0].text
    assert "缴款单" in text and "物业费" in text and "210.33" in text
