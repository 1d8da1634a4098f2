"""Pure pieces: Rate rounding, tariff wording, PDF text fitting, every layout embeds only the CJK font."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.money import Money
from app.reports import pdf, xlsx
from app.reports.document import Column, Document, KeyValues, Signatures, Table, Text
from app.services.reports import Rate, ReportMeta, late_fee_rule, natural_key, rate_with_unit
from tests.reports.docs import assert_cjk_font_embedded, pdf_pages, pdf_text, xlsx_rows

META = ReportMeta("幸福里物业服务中心", "2026-10", "值班长老王", "2026-11-25 10:00")


def test_rate_text_is_half_up_to_a_hundredth_of_a_percent():
    assert Rate(2, 3).text == "66.67%" and Rate(1, 3).text == "33.33%"
    assert Rate(1, 8).text == "12.50%" and Rate(0, 5).text == "0.00%" and Rate(5, 0).text == "—"
    assert Rate(7, 12).decimal == Decimal("0.583333")


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_rate_text_matches_exact_decimal(num, den):
    exact = Decimal(num) * 100 / Decimal(den)
    shown = Decimal(Rate(num, den).text.rstrip("%"))
    assert abs(shown - exact) <= Decimal("0.005")


def test_tariff_wording():
    assert rate_with_unit(23500, "area", "monthly", "") == "2.35 元/㎡·月"
    assert rate_with_unit(34500, "metered", "monthly", "吨") == "3.45 元/吨"
    assert rate_with_unit(20000000, "quantity", "once", "户") == "2000.00 元/户"
    assert late_fee_rule(500, 30) == "逾期超过 30 天按欠费日万分之五计收"
    assert late_fee_rule(0, 0) == "不收滞纳金"


def test_account_codes_sort_like_numbers():
    codes = ["1-1-1001", "1-1-101", "1-10-101", "1-2-101"]
    assert sorted(codes, key=natural_key) == ["1-1-101", "1-1-1001", "1-2-101", "1-10-101"]


def test_long_table_repeats_header_numbers_pages_and_streams(tmp_path):
    rows = ([f"1-{i // 40 + 1}-{i % 40 + 101}", f"业主{i}", Money(i * 101), Rate(i, 1000), dt.date(2026, 10, 1)]
            for i in range(300))
    doc = Document("测试报表", META, [
        KeyValues([("统计截止日", dt.date(2026, 10, 31)), ("合计", Money(123456))]),
        Table([Column("编号"), Column("业主"), Column("金额", align="r"), Column("比率", align="r"), Column("日期")],
              rows, lambda: ["合计", "", Money(4530150), "", ""]),
        Text("口径说明：" + "很长的说明文字" * 40),
        Signatures(["制表", "主管"]),
    ])
    pages = pdf.render(doc, tmp_path / "t.pdf")
    assert pages == pdf_pages(tmp_path / "t.pdf") > 5
    text = pdf_text(tmp_path / "t.pdf")
    assert text.count("编号\n业主\n金额\n比率\n日期") == pages  # header on every page
    assert f"第 {pages} 页 / 共 {pages} 页" in text and "测试报表（续）" in text
    assert "1-8-120\n业主299\n301.99\n29.90%\n2026-10-01" in text and "合计\n45,301.50" in text
    assert_cjk_font_embedded(tmp_path / "t.pdf")


def test_xlsx_keeps_amounts_as_numbers_and_rates_as_percentages(tmp_path):
    doc = Document("测试", META, [Table([Column("项目"), Column("金额"), Column("比率")],
                                       [["物业费", Money(21033), Rate(1, 3)]], ["合计", Money(21033), None])])
    xlsx.render(doc, tmp_path / "t.xlsx")
    rows = [r for r in xlsx_rows(tmp_path / "t.xlsx") if r and r[0]]
    assert rows[0][0] == "测试" and rows[1][0] == "单位：幸福里物业服务中心" and rows[2][0] == "打印人：值班长老王"
    body = next(r for r in rows if r[0] == "物业费")
    assert Decimal(str(body[1])) == Decimal("210.33") and round(body[2], 6) == 0.333333
