"""The remittance slip (缴款单) lists a shift's refunds and voids at the money they gave back.

A partial refund's line is the refunded amount, not the whole original payment; a void's line
is what its payment took. The fee lines are already net of both, so these lines are listed
("收费项目及预存已扣除"), not deducted again: the slip's lines still add up to the drawer's expected
cash, which comes from the journal alone.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from app.models import JournalEntry, Posting
from app.printing import queue
from app.printing.preview import layout_text
from app.services import reports
from app.services.desk import corrections
from app.services.desk import print_jobs as printing
from app.services.desk.closes import RefundLine, VoidLine
from tests.services.cashdesk_helpers import (
    DAY,
    accept,
    assign_all,
    at,
    bill,
    close,
    drawer,
    fen,
    make_accounts,
    make_fee,
    move,
    open_shift,
    pay,
    refund,
    settle,
    void,
)

EARLIER = "2026-11-24"


@pytest.fixture
def shift(ledger):
    """Shift 2 of 'demo' at W01, closed with an exact count of 385.00:

    float 500.00; 1-1-101's 388.00 (paid in shift 1) refunded 15.00 in cash, the rest
    re-issued on a new receipt; 1-1-102's 388.00 (shift 1) refunded in full in cash;
    1-1-103 paid 400.00 (388.00, change 12.00) and that payment voided, then paid 400.00
    again keeping the 12.00 as prepaid, which was paid back (预存退款); 100.00 dropped.
    """
    make_accounts(ledger, "1-1-101 张三 100\n1-1-102 李四 90\n1-1-103 王五 80")
    make_fee(ledger, "WYF 物业费 fixed 194 monthly", due_days=15)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-10", "2026-11")  # 388.00 owed by each unit
    s1 = open_shift(ledger, day=EARLIER)
    partly = pay(ledger, "1-1-101", "cash=388", day=EARLIER)
    wholly = pay(ledger, "1-1-102", "cash=388", day=EARLIER)
    close(ledger, "100=7,50=1,20=1,5=1,1=1", day=EARLIER)
    accept(ledger, s1.id, day=EARLIER)

    s2 = open_shift(ledger, float_yuan="500")
    r1 = refund(ledger, partly.receipt_no, amount="15")
    r2 = refund(ledger, wholly.receipt_no)
    voided = pay(ledger, "1-1-103", "cash=400")
    void(ledger, voided.receipt_no)
    pay(ledger, "1-1-103", "cash=400", change_to_prepaid=True)
    ledger.run(corrections.refund_balance, actor=ledger.actor("demo"), kind="prepaid", account_code="1-1-103",
               tender="cash", reason="不再预存", approver="boss", approver_password="boss", at=at(DAY))
    move(ledger, "drop", "100")
    assert (r1.amount, r1.new_receipt_no != "", r2.amount) == (fen("15"), True, fen("388"))
    cash_in_drawer = drawer(ledger, s2.id)  # the journal's figure, read before the close
    closed = close(ledger, "100=3,50=1,20=1,10=1,5=1")
    return ledger, s2.id, closed, cash_in_drawer, (partly.receipt_no, wholly.receipt_no, voided.receipt_no)


def test_refund_and_void_lines_show_the_money_given_back(shift):
    lg, shift_id, closed, _, (partly, wholly, voided) = shift
    assert closed.summary.refunds == [
        RefundLine(receipt_no=partly, amount=fen("15"), kind="refund"),
        RefundLine(receipt_no=wholly, amount=fen("388"), kind="refund"),
        RefundLine(receipt_no="", amount=fen("12"), kind="prepaid_refund")]
    assert closed.summary.voids == [VoidLine(receipt_no=voided, amount=fen("388"))]
    assert closed.summary.receipts.voided == [voided]

    # the document the print job prints and the shift screen previews (the stored close)
    with lg.session() as s:
        doc = printing.remittance_document(s, actor=lg.actor("demo"), shift_id=shift_id)
    r = json.loads(doc)["remittance"]
    assert [(x["receipt_no"], x["amount"]) for x in r["refunds"]] == [
        (partly, "15.00"), (wholly, "388.00"), ("", "12.00")]
    assert r["voids"] == [{"receipt_no": voided, "amount": "388.00"}]

    # the listed refunds and the void are exactly what their journal entries took out of the drawer
    with lg.session() as s:
        out_of_drawer = -int(s.scalar(select(func.sum(Posting.amount)).join(
            JournalEntry, JournalEntry.id == Posting.entry_id).where(
            JournalEntry.shift_id == shift_id, JournalEntry.kind.in_(["refund", "void"]),
            Posting.book == "drawer")))
    listed = sum(x.amount for x in closed.summary.refunds if x.kind == "refund") \
        + sum(v.amount for v in closed.summary.voids)
    assert listed == out_of_drawer == fen("15") + fen("388") + fen("388")


def test_the_lines_add_up_to_the_drawers_expected_cash(shift):
    lg, shift_id, closed, cash_in_drawer, _ = shift
    # drawer and over/short come from the journal, untouched by the lines below
    assert closed.expected == {"cash": cash_in_drawer} and cash_in_drawer == fen("385")
    assert closed.counted == {"cash": fen("385")} and closed.difference == {"cash": 0}
    assert closed.overage == closed.shortage == 0
    s = closed.summary
    # fee lines are net of the payments' refunds and voids: 物业费 -15 - 388 + 388 - 388 + 388
    assert [(f.name, f.amount) for f in s.fee_items] == [("物业费", -fen("15"))]
    assert s.prepaid == fen("12")
    paid_back = sum(x.amount for x in s.refunds if x.kind != "refund")  # 预存退款: not in the fee lines
    lines = (sum(f.amount for f in s.fee_items) + s.prepaid - paid_back
             + s.float_amount + s.hand_ins + sum(s.movements.values()))
    assert lines == closed.expected["cash"]
    # counting the payments' refund and void lines as well would deduct them twice
    twice = lines - sum(x.amount for x in s.refunds if x.kind == "refund") \
        - sum(v.amount for v in s.voids)
    assert twice != closed.expected["cash"]


def test_the_printed_slip_shows_the_partial_refund_at_its_own_amount(shift):
    lg, shift_id, closed, _, (partly, wholly, voided) = shift
    text = layout_text(queue.remittance_preview(lg.factory, actor=lg.actor("demo"), shift_id=shift_id))
    assert re.search(rf"^退费 {partly} +-15\.00$", text, re.M)
    assert not re.search(rf"^退费 {partly} +-388\.00$", text, re.M)
    assert re.search(rf"^退费 {wholly} +-388\.00$", text, re.M)
    assert re.search(rf"^作废 {voided} +-388\.00$", text, re.M)
    assert re.search(r"^物业费 +-15\.00$", text, re.M) and re.search(r"^预存退款 +-12\.00$", text, re.M)
    lines = text.splitlines()
    # the refund and void lines come under the note that the fee lines above already deduct them
    head = lines.index("收费项目及预存已扣除：")
    assert lines.index(next(x for x in lines if x.startswith(f"退费 {partly}"))) > head
    assert lines.index(next(x for x in lines if x.startswith(f"作废 {voided}"))) > head
    assert lines.index(next(x for x in lines if x.startswith("预存退款"))) < head
    assert re.search(r"^  应有 +385\.00$", text, re.M) and re.search(r"^  差额 +0\.00$", text, re.M)
    assert re.search(r"^投库 +\+100\.00$", text, re.M) and "中途解缴" not in text


def test_shift_report_and_day_settlement_total_the_refunds_at_their_own_amounts(shift):
    lg, shift_id, _, _, (partly, wholly, _) = shift
    boss = lg.actor("boss")
    rep = lg.run(reports.shift_report, actor=boss, shift_id=shift_id)
    assert [(x.receipt_no, x.amount) for x in rep.refunds] == [(partly, fen("15")), (wholly, fen("388")),
                                                                ("", fen("12"))]
    accept(lg, shift_id)
    day = settle(lg)
    assert day.totals["refunds"] == fen("15") + fen("388") + fen("12")
