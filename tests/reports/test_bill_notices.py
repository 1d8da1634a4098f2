"""缴费通知单: what falls due this period and what is still owed, before the due date; SMS export."""

import csv
import datetime as dt

import pytest

from app.errors import InvalidInput, PermissionDenied
from app.reports import csvfile, pdf
from app.services.bills import bill_notices
from tests.helpers import at, bill, fen, pay
from tests.reports.docs import assert_cjk_font_embedded, pdf_text

D = dt.date


def notices(lg, period="2026-11", day="2026-11-05", who="boss", **kw):
    return lg.run(bill_notices.bill_notices, actor=lg.actor(who), period=period, at=at(day), **kw)


def test_notice_lists_this_period_and_earlier_arrears_with_pay_by_date(known, tmp_path):
    bill(known, "2026-11", "2026-12")  # December is billed too, but never on a November notice
    r = notices(known)
    by = {n.account_code: n for n in r.notices}
    assert list(by) == ["1-1-101", "1-1-102", "2-1-101", "2-1-102"]
    n = by["1-1-102"]  # owes September and October, plus November's 200.00
    assert [(i.period, i.amount, i.current) for i in n.items] == [
        ("2026-09", fen("200"), False), ("2026-10", fen("200"), False), ("2026-11", fen("200"), True)]
    assert (n.current_total, n.arrears_total, n.total) == (fen("200"), fen("400"), fen("600"))
    assert n.pay_by == D(2026, 12, 15) and n.total_upper == "陆佰元整"
    a = by["2-1-101"]  # paid 50 of October's 100
    assert (a.current_total, a.arrears_total) == (fen("100"), fen("50"))
    assert (r.count, r.total) == (4, fen("200") + fen("600") + fen("150") + fen("100"))
    path = tmp_path / "bill.pdf"
    assert pdf.render_bill_notices(r.notices, path, r.meta) == 4
    text = pdf_text(path)
    assert "缴 费 通 知 单" in text and "1栋1单元102室（1-1-102） 业主/住户 李四" in text
    assert (
        "您户 2026 年 11 月应缴费用如下，另有往期未缴 400.00 元。请于 12 月 15 日前缴清（2026-12-15）"
        in text.replace("\n", "")
    )
    assert "物业费\n2026-09\n2026-10-15\n往期未缴\n200.00" in text and "2026-11\n2026-12-15\n本期\n200.00" in text
    assert "应缴合计（大写）：人民币陆佰元整" in text and "周一至周日 8:30–17:30" in text
    assert "2026-12" not in text.replace("2026-12-15", "")
    assert_cjk_font_embedded(path)


def test_paid_up_account_gets_no_notice_and_building_filter(known):
    bill(known, "2026-11")
    assert [n.account_code for n in notices(known, building="2").notices] == ["2-1-101", "2-1-102"]
    pay(known, "2-1-102", "cash=100", day="2026-11-05")
    assert [n.account_code for n in notices(known, building="2").notices] == ["2-1-101"]


def test_sms_export_is_a_bare_table_with_neutral_cells(known, tmp_path):
    bill(known, "2026-11")
    r = notices(known)
    path = tmp_path / "sms.csv"
    csvfile.render_rows(bill_notices.SMS_COLUMNS, r.sms_rows(), path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["缴费户", "姓名", "电话", "本期应缴", "往期未缴", "合计", "缴费截止日"]
    assert rows[2] == ["1-1-102", "李四", "13800002222", "200.00", "400.00", "600.00", "2026-12-15"]
    assert len(rows) == 5


def test_bad_period_and_cashier_refused(known):
    with pytest.raises(InvalidInput, match="账期格式不正确"):
        notices(known, period="2026-13")
    with pytest.raises(PermissionDenied):
        notices(known, who="demo")
