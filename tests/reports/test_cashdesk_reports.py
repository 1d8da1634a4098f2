"""缴款单/收费员日报, 日结报表, 月结汇总: built on the cash desk's closes and settlements."""

import datetime as dt

import pytest

from app.errors import NotFound, ShiftError
from app.reports import cashdesk_layouts, pdf, xlsx
from app.services import reports
from tests.helpers import fen, open_shift, pay
from tests.reports.docs import assert_cjk_font_embedded, cents, pdf_text, xlsx_row, xlsx_rows
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


WECHAT_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
    "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
    "手续费,费率,订单金额,申请退款金额,费率备注"
)


def wechat_bill(*lines: tuple[str, str, str, str]) -> bytes:
    """A WeChat Pay trade bill (ALL) as published: (time, 微信订单号, amount, fee) per line."""
    rows = [WECHAT_HEADER]
    for when, wx, amount, fee in lines:
        rows.append(",".join("`" + c for c in [
            when, "wx8888888888888888", "1900000109", "0", "W01", wx, "FD" + wx, "oUser", "MICROPAY", "SUCCESS",
            "OTHERS", "CNY", amount, "0.00", "0", "0", "0.00", "0.00", "", "", "物业费", "", fee, "0.60%",
            amount, "0.00", ""]))
    total, fees = sum(fen(x[2]) for x in lines), sum(fen(x[3]) for x in lines)
    rows.append("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额")
    rows.append(",".join("`" + c for c in [str(len(lines)), f"{total / 100:.2f}", "0.00", "0.00", f"{fees / 100:.2f}",
                                            f"{total / 100:.2f}", "0.00"]))
    return ("\n".join(rows) + "\n").encode()


def recon_row(path, channel: str) -> list:
    """The 对账 table's row of a channel (its second cell is the status, not an amount)."""
    [row] = [r for r in xlsx_rows(path) if r and r[0] == channel and isinstance(r[1], str)]
    return row


def test_day_report_shows_each_channels_reconciliation_with_fees_apart(settled, tmp_path):
    from app.services.bank import reconcile

    settle(settled)
    boss = settled.actor("boss")
    r = settled.run(reports.day_report, actor=boss, day=D)
    assert [(c.channel, c.label, c.feedesk_total) for c in r.reconciliation] == [
        ("wechat", "缺对账单", fen("100")), ("alipay", "无交易", 0), ("bank", "无交易", 0), ("card", "无交易", 0)]
    xlsx.render(cashdesk_layouts.day(r), tmp_path / "before.xlsx")
    assert recon_row(tmp_path / "before.xlsx", "微信支付")[1] == "缺对账单"
    # the statement has the 100.00 and 80.00 FeeDesk never recorded: one open item; fees 0.60 + 0.48 apart
    settled.run(reconcile.import_statement, actor=boss, channel="wechat", file_name="wx.csv", data=wechat_bill(
        ("2026-11-25 10:00:00", "WX1", "100.00", "0.60"), ("2026-11-25 15:00:00", "WX2", "80.00", "0.48")))
    settled.run(reconcile.run_matching, actor=boss, day=D, channel="wechat")
    r = settled.run(reports.day_report, actor=boss, day=D)
    [wx] = [c for c in r.reconciliation if c.channel == "wechat"]
    assert (wx.label, wx.open_items, wx.feedesk_total, wx.statement_total, wx.fees) == (
        "有未处理差异（1 项）", 1, fen("100"), fen("180"), fen("1.08"))
    assert r.to_json()["reconciliation"][0]["fees"] == "1.08"
    pdf.render(cashdesk_layouts.day(r), tmp_path / "day.pdf")
    text = pdf_text(tmp_path / "day.pdf")
    assert "六、对账（各渠道；手续费单列，不计入差异）" in text
    assert "微信支付\n有未处理差异（1 项）\n100.00\n180.00\n1.08\n1" in text and "支付宝\n无交易" in text
    xlsx.render(cashdesk_layouts.day(r), tmp_path / "day.xlsx")
    row = recon_row(tmp_path / "day.xlsx", "微信支付")
    assert row[1] == "有未处理差异（1 项）" and [cents(v) for v in row[2:5]] == [fen("100"), fen("180"), fen("1.08")]


def test_month_summary_lists_the_days_not_reconciled(settled, tmp_path):
    from app.services.bank import reconcile

    settle(settled)
    boss = settled.actor("boss")
    r = settled.run(reports.month_report, actor=boss, month="2026-11")
    assert [(c.business_date, c.channel, c.status) for c in r.unreconciled] == [(D, "wechat", "no_statement")]
    assert r.to_json()["unreconciled"] == [{"date": "2026-11-25", "channel": "wechat", "status": "no_statement",
                                            "open_items": 0, "feedesk_total": "100.00", "statement_total": "0.00",
                                            "fees": "0.00"}]
    pdf.render(cashdesk_layouts.month(r), tmp_path / "m.pdf")
    assert "五、未对平的对账（渠道日）" in pdf_text(tmp_path / "m.pdf")
    assert "2026-11-25\n微信支付\n缺对账单\n100.00\n0.00\n0.00\n0" in pdf_text(tmp_path / "m.pdf")
    settled.run(reconcile.import_statement, actor=boss, channel="wechat", file_name="wx.csv",
                data=wechat_bill(("2026-11-25 10:00:00", "WX1", "100.00", "0.60")))
    settled.run(reconcile.run_matching, actor=boss, day=D, channel="wechat")
    with settled.session() as s:  # the bank now awaits WeChat's net of the day: 100.00 - 0.60
        assert [(c.channel, c.status, c.feedesk_total) for c in reconcile.unreconciled_days(s, "2026-11")] == [
            ("bank", "no_statement", fen("99.40"))]
    bank = ("交易日期,交易时间,流水号,对方户名,摘要,借方发生额,贷方发生额,余额\n"
            "2026-11-25,22:00:00,S1,财付通支付科技有限公司,微信结算,,99.40,1099.40\n")  # paid the same day
    settled.run(reconcile.import_statement, actor=boss, channel="bank", data=bank.encode("gbk"), file_name="bank.csv")
    settled.run(reconcile.run_matching, actor=boss, day=D, channel="bank")
    with settled.session() as s:
        assert reconcile.unreconciled_days(s, "2026-11") == []
    r = settled.run(reports.month_report, actor=boss, month="2026-11")
    assert r.unreconciled == ()
    pdf.render(cashdesk_layouts.month(r), tmp_path / "m2.pdf")
    assert "对账：本月各渠道日均已对平。" in pdf_text(tmp_path / "m2.pdf")
