"""Real receipts through python-escpos's network connection to the loopback printer,
checked from the decoded bytes as the paper would show them."""

from __future__ import annotations

import dataclasses
import re

import pytest
from escpos.image import EscposImage
from sqlalchemy import select

from app.models import ReceiptNumberEvent, ReceiptNumberEventKind
from app.printing import escpos_render, queue, raster
from app.printing.decode import decode
from app.printing.layout import Line, cells, layout_receipt, sample_doc
from app.services.desk import receipts
from app.services.system import auth
from tests.helpers import open_shift, pay
from tests.printing.builders import add_printer, cash_payment, estate

AMOUNT_AT_END = re.compile(r"-?￥?\d+\.\d\d$")


def printed(loopback):
    assert loopback.wait_idle()
    return loopback.decoded()


def doc_of(lg, receipt_no):
    with lg.session() as s:
        return receipts.receipt_doc(s, receipt_no)


def test_cash_receipt_prints_every_section_in_chinese(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target)
    r = cash_payment(ledger, "1-2-301", "cash=500")
    out = queue.print_after_payment(ledger.factory, actor=ledger.actor("demo"), result=r)
    assert out == {"job_id": out["job_id"], "status": "done", "error": None}
    d = printed(loopback)
    assert d.cuts == 1 and not d.tail.lines
    paper = d.receipts[0]
    text = paper.text
    # header
    assert "幸福里物业服务中心" in paper.big_lines[0] and "收款收据" in paper.big_lines[1]
    assert "收据号：W0100000001" in paper.lines
    assert "日期：2026-11-25 12:00:00" in paper.lines
    assert any(line.startswith("窗口：") and "收费员：" in line for line in paper.lines)
    # account and payer
    assert "户号：1-2-301" in paper.lines and "缴费人：张三" in paper.lines
    # lines
    assert "物业费 2026-09" in text and "物业费 2026-10" in text and "89.50㎡×2.35×1月" in text
    # total, 大写, tenders, change, prepaid, arrears
    assert re.search(r"^合计 +￥420\.66$", text, re.M)
    assert "大写：肆佰贰拾元陆角陆分" in paper.lines
    assert re.search(r"^现金 +500\.00$", text, re.M)
    assert re.search(r"^实收 +500\.00$", text, re.M)
    assert re.search(r"^找零 +79\.34$", text, re.M)
    assert re.search(r"^预存余额 +0\.00$", text, re.M)
    assert re.search(r"^尚欠金额 +0\.00$", text, re.M)
    # footer and QR
    assert "请妥善保管收据，如有疑问请致电物业服务中心。" in text
    doc = doc_of(ledger, r.receipt_no)
    assert paper.qr == [doc.qr_payload] == [f"FEEDESK|W0100000001|420.66|{doc.verify_code}"]
    assert f"验证码：{doc.verify_code}" in text
    # the drawer opens for cash, once; ￥ never goes out as the GBK-garbage ¥
    assert d.drawer_kicks == [2]
    assert "¥".encode("gb18030") not in loopback.received
    assert "重打" not in text and "练习" not in text


@pytest.mark.parametrize("width,columns", [(58, 32), (80, 48)])
def test_amounts_line_up_at_paper_width(ledger, loopback, width, columns):
    estate(ledger)
    add_printer(ledger, loopback.target, width=width)
    r = pay(ledger, "1-2-301", "cash=300", "wechat=200:4200009999")
    queue.print_after_payment(ledger.factory, actor=ledger.actor("demo"), result=r)
    paper = printed(loopback).receipts[0]
    amount_lines = [line for line in paper.lines if AMOUNT_AT_END.search(line) and not line.startswith(" ")]
    assert len(amount_lines) >= 8  # two charges, total, three tender lines, change, prepaid, arrears
    for line in amount_lines:
        assert cells(line) == columns, line
        assert line[-3] == "."  # decimal points in one column
    for line in paper.lines:
        if line not in paper.big_lines:
            assert cells(line) <= columns, line
    assert "  参考号：4200009999" in paper.lines


def test_non_cash_payment_does_not_open_the_drawer(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target)
    r = pay(ledger, "1-2-301", "wechat=420.66:4200001111")
    assert queue.print_after_payment(ledger.factory, actor=ledger.actor("demo"), result=r)["status"] == "done"
    d = printed(loopback)
    assert d.cuts == 1 and d.drawer_kicks == []
    assert re.search(r"^微信支付 +420\.66$", d.receipts[0].text, re.M)
    assert not any(line.startswith("找零") for line in d.receipts[0].lines)


def test_drawer_on_pin_5_when_configured(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target, drawer_pin=5, cut="full")
    r = cash_payment(ledger)
    queue.print_after_payment(ledger.factory, actor=ledger.actor("demo"), result=r)
    d = printed(loopback)
    assert d.drawer_kicks == [5] and d.receipts[0].cut == "full"


def test_reprints_are_marked_with_their_count_and_recorded(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target)
    r = cash_payment(ledger)
    cashier = ledger.actor("demo")
    queue.print_after_payment(ledger.factory, actor=cashier, result=r)
    first = queue.print_receipt(ledger.factory, actor=cashier, receipt_no=r.receipt_no, reason="客户遗失")
    second = queue.print_receipt(ledger.factory, actor=cashier, receipt_no=r.receipt_no)
    assert (first.kind, first.reprint_count, second.reprint_count) == ("reprint", 1, 2)
    d = printed(loopback)
    assert d.cuts == 3
    assert not any("重打" in line for line in d.receipts[0].lines)
    assert any("【重打】第1次" in line for line in d.receipts[1].lines)
    assert any("【重打】第2次" in line for line in d.receipts[2].lines)
    # a reprint shows the same amounts and opens no drawer
    assert d.drawer_kicks == [2]
    for paper in d.receipts[1:]:
        assert re.search(r"^合计 +￥420\.66$", paper.text, re.M)
        assert "收据号：W0100000001" in paper.lines
    with ledger.session() as s:
        events = s.scalars(select(ReceiptNumberEvent).where(ReceiptNumberEvent.receipt_no == r.receipt_no)).all()
    assert [e.kind for e in events] == [ReceiptNumberEventKind.REPRINTED] * 2
    assert events[0].reason == "客户遗失"


def test_training_receipt_says_练习_across_the_top(ledger, loopback):
    estate(ledger, shift=False)
    ledger.admin_run(auth.add_user, actor=ledger.actor("admin"), username="xiaoli", role="cashier", password="xiaoli",
               display_name="实习生小李", training=True)
    open_shift(ledger, cashier="xiaoli", float_yuan="200")
    add_printer(ledger, loopback.target)
    r = pay(ledger, "1-2-301", "cash=500", cashier="xiaoli")
    assert r.training
    queue.print_after_payment(ledger.factory, actor=ledger.actor("xiaoli"), result=r)
    paper = printed(loopback).receipts[0]
    assert paper.lines[0].startswith("练习 练习 练习")
    assert "练习收据" in paper.big_lines[0]
    assert "练习收据 不作收费凭证" in paper.text.splitlines()[-1]
    assert r.receipt_no.startswith("LX")


def test_late_fees_have_their_own_section(ledger, loopback):
    estate(ledger, late_fee_daily="0.0005")
    add_printer(ledger, loopback.target)
    r = cash_payment(ledger, "1-2-301", "cash=500")
    assert r.late_fees
    queue.print_after_payment(ledger.factory, actor=ledger.actor("demo"), result=r)
    paper = printed(loopback).receipts[0]
    start = paper.lines.index("滞纳金：")
    late = paper.lines[start + 1]
    fee = r.late_fees[0]
    assert late.startswith("物业费滞纳金") and late.endswith(f"{fee.amount // 100}.{fee.amount % 100:02d}")
    doc = doc_of(ledger, r.receipt_no)
    assert f"大写：{doc.total_upper}" in paper.lines


def test_rare_name_characters_print_as_an_image_line_on_a_gb2312_printer(ledger, loopback):
    estate(ledger, owner="王喆")
    add_printer(ledger, loopback.target, encoding="gb2312")
    r = cash_payment(ledger)
    queue.print_after_payment(ledger.factory, actor=ledger.actor("demo"), result=r)
    paper = printed(loopback).receipts[0]
    assert "缴费人：王喆" not in paper.text
    index = paper.lines.index("户号：1-2-301") + 1
    assert paper.lines[index] == "[图像]"
    expected = EscposImage(raster.render_line(Line("缴费人：王喆"), 48))
    assert paper.images[0].data == expected.to_raster_format()
    assert "收款收据" in paper.text and "大写：肆佰贰拾元陆角陆分" in paper.lines


def test_gbk_printer_prints_the_same_name_as_text(ledger, loopback):
    estate(ledger, owner="王喆")
    add_printer(ledger, loopback.target, encoding="gbk")
    r = cash_payment(ledger)
    queue.print_after_payment(ledger.factory, actor=ledger.actor("demo"), result=r)
    paper = printed(loopback).receipts[0]
    assert "缴费人：王喆" in paper.lines and not paper.images


def test_image_mode_sends_the_whole_receipt_as_one_raster(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target, mode="image")
    r = cash_payment(ledger)
    queue.print_after_payment(ledger.factory, actor=ledger.actor("demo"), result=r)
    d = printed(loopback)
    paper = d.receipts[0]
    assert d.cuts == 1 and d.drawer_kicks == [2] and not paper.qr
    assert all(line == "[图像]" for line in paper.lines)
    layout = layout_receipt(doc_of(ledger, r.receipt_no), width_mm=80)
    expected = EscposImage(raster.render_layout(layout)).to_raster_format()
    assert b"".join(i.data for i in paper.images) == expected
    assert {i.width for i in paper.images} == {576}


def test_void_and_refund_slips(ledger):
    estate(ledger)
    r = cash_payment(ledger)
    doc = doc_of(ledger, r.receipt_no)
    void = dataclasses.replace(doc, kind="void", title="作废凭证", receipt_no="W0100000002",
                               original_receipt_no=doc.receipt_no, reason="金额录错", change=0)
    refund = dataclasses.replace(doc, kind="refund", title="退款凭证", receipt_no="W0100000003",
                                 original_receipt_no=doc.receipt_no, reason="重复缴费")
    profile = escpos_render.PrintProfile(width_mm=58)
    d = decode(b"".join(escpos_render.render_receipt(layout_receipt(void, width_mm=58), profile))
               + b"".join(escpos_render.render_receipt(layout_receipt(refund, width_mm=58), profile)))
    slip, back = d.receipts
    assert [line.strip() for line in slip.big_lines] == ["作废凭证", "*** 作 废 ***"]
    assert "幸福里物业服务中心" in slip.lines[0]  # too wide for double size on 58 mm: bold
    assert "原收据号：W0100000001" in slip.lines and "作废原因：金额录错" in slip.lines
    assert re.search(r"^作废金额 +￥420\.66$", slip.text, re.M)
    assert [line.strip() for line in back.big_lines] == ["退款凭证"] and "原因：重复缴费" in back.lines
    assert re.search(r"^退款合计 +￥420\.66$", back.text, re.M) and "退款方式：" in back.lines
    assert d.drawer_kicks == []


GOLDEN = __import__("pathlib").Path(__file__).with_name("golden")


@pytest.mark.parametrize("width", [58, 80])
def test_sample_page_bytes_match_the_golden_file(width):
    """The test page (every character class) on a Dummy printer, byte for byte."""
    layout = layout_receipt(sample_doc(), width_mm=width)
    data = b"".join(escpos_render.render_receipt(layout, escpos_render.PrintProfile(width_mm=width, encoding="gbk")))
    golden = GOLDEN / f"sample-{width}mm-gbk.bin"
    if __import__("os").environ.get("FEEDESK_REGOLD"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(data)
    assert data == golden.read_bytes()
    text = decode(data).receipts[0].text
    assert "缴费人：王喆 李堃 朱镕" in text and "“引号”（括号）、顿" in text and "￥1,234.56" in text
