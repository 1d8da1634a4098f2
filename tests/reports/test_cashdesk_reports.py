"""缴款单/收费员日报, 日结报表, 月结汇总: built on the cash desk's closes and settlements."""

import datetime as dt

import pytest

from app.errors import NotFound, ShiftError
from app.reports import cashdesk_layouts, pdf, xlsx
from app.services import reports
from tests.helpers import fen, open_shift, pay
from tests.reports.docs import assert_cjk_font_embedded, cents, pdf_text, xlsx_row
from tests.services.cashdesk_helpers import DAY, accept, close, estate, settle, void

D = dt.date(2026, 11, 25)


@pytest.fixture
def settled(ledger):
    """One shift on 2026-11-25: float 500; cash 300, wechat 100, cash 200 voided; counted 50 short."""
    estate(ledger)
    s = open_shift(ledger, float_yuan="500", day=DAY)
    pay(ledger, "1-1-101", "cash=300", day=DAY)
    pay(ledger, "1-1-102", "wechat=100:WX1", day=DAY, charge_ids=None)
    pay(ledger, "1-1-103", "cash=200", day=DAY)
    void(ledger, "W0100000003")
    close(ledger, "100=7,50=1", reason="找零出错")
    accept(ledger, s.id)
    ledger.shift_id = s.id
    return ledger


def test_shift_report_is_refused_while_the_count_is_blind(ledger):
    estate(ledger)
    s = open_shift(ledger, float_yuan="500", day=DAY)
    with pytest.raises(ShiftError):
        ledger.run(reports.shift_report, actor=ledger.actor("boss"), shift_id=s.id)


def test_remittance_slip_of_a_closed_shift(settled, tmp_path):
    r = settled.run(reports.shift_report, actor=settled.actor("boss"), shift_id=settled.shift_id)
    tenders = {t.tender: (t.expected, t.counted, t.difference) for t in r.tenders}
    assert tenders["现金"] == (fen("800"), fen("750"), -fen("50"))
    assert tenders["微信支付"] == (fen("100"), fen("100"), 0)
    assert (r.receipts_first, r.receipts_last) == ("W0100000001", "W0100000003")
    assert [(x.receipt_no, x.amount) for x in r.voided] == [("W0100000003", fen("200"))]
    assert [(f.name, f.category, f.amount) for f in r.fee_items] == [("物业费", "自营收入", fen("400"))]
    assert r.income_total == fen("400") and r.cash_takings == fen("250") and r.float_amount == fen("500")
    pdf.render(cashdesk_layouts.shift(r), tmp_path / "shift.pdf")
    text = pdf_text(tmp_path / "shift.pdf")
    assert "缴款单（收费员日报）" in text and "现金\n800.00\n750.00\n-50.00" in text
    assert "W0100000003\n作废\n200.00" in text and "物业费\n自营收入\n400.00" in text
    assert "收费员（缴款人）：" in text and "主管（收款人）：" in text and "差额原因：找零出错" in text
    assert_cjk_font_embedded(tmp_path / "shift.pdf")
    xlsx.render(cashdesk_layouts.shift(r), tmp_path / "shift.xlsx")
    assert [cents(v) for v in xlsx_row(tmp_path / "shift.xlsx", "现金")[1:4]] == [fen("800"), fen("750"), -fen("50")]


def test_day_settlement_report(settled, tmp_path):
    settle(settled)
    r = settled.run(reports.day_report, actor=settled.actor("boss"), day=D)
    assert r.by_tender == {"现金": fen("300"), "微信支付": fen("100")}
    assert r.total == fen("400") and r.by_category == {"自营收入": fen("400")}
    assert [(c.cashier, c.shifts, c.short, c.cash_takings) for c in r.cashiers] == [("demo", 1, fen("50"),
                                                                                   fen("250"))]
    assert (r.over, r.short, r.cash_due_to_bank, r.banked) == (0, fen("50"), fen("250"), 0)
    pdf.render(cashdesk_layouts.day(r), tmp_path / "day.pdf")
    text = pdf_text(tmp_path / "day.pdf")
    assert "日结报表" in text and "期间：2026-11-25" in text and "应存银行现金：\n250.00" in text
    assert "现金\n300.00\n微信支付\n100.00\n合计\n400.00" in text
    assert_cjk_font_embedded(tmp_path / "day.pdf")
    xlsx.render(cashdesk_layouts.day(r), tmp_path / "day.xlsx")
    assert cents(xlsx_row(tmp_path / "day.xlsx", "demo")[3]) == 0
    assert cents(xlsx_row(tmp_path / "day.xlsx", "demo")[4]) == fen("50")


def test_day_report_needs_a_settled_day(settled):
    with pytest.raises(NotFound):
        settled.run(reports.day_report, actor=settled.actor("boss"), day=D)


def test_month_summary_sums_the_settled_days(settled, tmp_path):
    settle(settled)
    r = settled.run(reports.month_report, actor=settled.actor("boss"), month="2026-11")
    assert [(d.day, d.total, d.cash_due_to_bank) for d in r.days] == [(D, fen("400"), fen("250"))]
    assert r.total == fen("400") and not r.closed and r.unsettled_days == []
    assert r.by_tender == {"现金": fen("300"), "微信支付": fen("100")}
    pdf.render(cashdesk_layouts.month(r), tmp_path / "m.pdf")
    text = pdf_text(tmp_path / "m.pdf")
    assert "月结汇总表" in text and "2026-11-25\n400.00\n250.00\n0.00\n0.00\n50.00" in text
