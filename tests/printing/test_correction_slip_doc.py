"""The slip of a correction as printed (services.printing.correction_slip laid out by the
printing module): what the money did, read from the correction's own rows."""

from __future__ import annotations

import re

import pytest

from app.errors import NotFound
from app.printing.preview import render_preview_text
from app.services.desk import closes, corrections
from app.services.desk import print_jobs as svc
from app.services.desk.cashdesk import parse_count
from tests.helpers import at, open_shift, pay
from tests.printing.builders import estate


def slip_text(ledger, receipt_no: str) -> str:
    with ledger.session() as s:
        return render_preview_text(svc.correction_slip(s, actor=ledger.actor("demo"), receipt_no=receipt_no), 80)


def test_void_slip_of_a_payment_whose_change_went_to_prepaid(ledger):
    estate(ledger)  # 420.66 due, cashier demo on shift at W01 on 2026-11-25
    r = pay(ledger, "1-2-301", "cash=300", "wechat=150:4200001", change_to_prepaid=True)  # 29.34 to prepaid
    ledger.run(corrections.void_payment, actor=ledger.actor("demo"), receipt_no=r.receipt_no, reason="收错户",
               approver="boss", approver_password="boss", at=at("2026-11-25"))
    text = slip_text(ledger, r.receipt_no)
    assert "作废凭证" in text and "*** 作 废 ***" in text
    assert re.search(r"^原收据号：W0100000001$", text, re.M)
    assert re.search(r"^预存 +29\.34$", text, re.M)  # the prepaid the payment had added goes back too
    assert re.search(r"^作废金额 +￥450\.00$", text, re.M)
    assert re.search(r"^现金 +300\.00$", text, re.M) and re.search(r"^微信支付 +150\.00$", text, re.M)
    assert "参考号：4200001" in text
    assert re.search(r"^预存余额 +0\.00$", text, re.M) and re.search(r"^尚欠金额 +420\.66$", text, re.M)


def test_refund_into_prepaid_slip_and_the_balances_of_that_moment(ledger):
    estate(ledger)
    r = pay(ledger, "1-2-301", "cash=420.66")
    ledger.run(closes.close_shift, actor=ledger.actor("demo"), count=parse_count("100=6,20=1,0.5=1,0.1=1"),
               reason="零钱不足", at=at("2026-11-25"))
    open_shift(ledger, day="2026-11-26")
    ledger.run(corrections.refund_payment, actor=ledger.actor("demo"), receipt_no=r.receipt_no, tender="prepaid",
               amount="210.33", reason="十月已在别处缴", approver="boss", approver_password="boss",
               at=at("2026-11-26"))
    text = slip_text(ledger, r.receipt_no)
    assert "退款凭证" in text and "作 废" not in text
    assert re.search(r"^退款合计 +￥210\.33$", text, re.M)
    assert re.search(r"^退入预存 +210\.33$", text, re.M)
    assert re.search(r"^物业费 2026-10 +210\.33$", text, re.M) and "2026-09" not in text  # the oldest stays paid
    assert "余款210.33元另开收据W0100000002" in re.sub(r"\s", "", text)  # wrapped
    assert re.search(r"^预存余额 +210\.33$", text, re.M) and re.search(r"^尚欠金额 +210\.33$", text, re.M)
    pay(ledger, "1-2-301", "cash=100", day="2026-11-26")  # later money does not change the slip
    assert slip_text(ledger, r.receipt_no) == text


def test_a_receipt_without_correction_has_no_slip(ledger):
    estate(ledger)
    r = pay(ledger, "1-2-301", "cash=500")
    with ledger.session() as s, pytest.raises(NotFound, match="没有作废或退费"):
        svc.correction_slip(s, actor=ledger.actor("demo"), receipt_no=r.receipt_no)
