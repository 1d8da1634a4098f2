"""收费率: current-period due and collected, households, arrears recovery, prepayments kept apart."""

import datetime as dt
from decimal import Decimal

import pytest

from app.errors import InvalidInput
from app.reports import layouts, pdf, xlsx
from app.services import reports
from app.services.collection import targets
from app.services.desk import corrections
from tests.helpers import at, bill, fen, pay
from tests.reports.conftest import add_extras
from tests.reports.docs import assert_cjk_font_embedded, cents, pdf_text, xlsx_row


def rate(lg, by="building", **kw):
    kw.setdefault("from_period", "2026-10")
    kw.setdefault("to_period", "2026-10")
    return lg.run(reports.collection_rate, actor=lg.actor("boss"), by=by, **kw)


def test_october_figures_of_the_known_ledger(known):
    r = rate(known)
    t = r.total
    assert (t.due, t.collected) == (fen("600"), fen("350"))
    assert t.rate.text == "58.33%"
    assert (t.billed_households, t.paid_households, t.household_rate.text) == (4, 2, "50.00%")
    assert t.arrears_start == fen("200")
    by = {x.key: x for x in r.rows}
    assert (by["1号楼"].due, by["1号楼"].collected, by["1号楼"].rate.text) == (fen("400"), fen("200"), "50.00%")
    assert (by["2号楼"].due, by["2号楼"].collected, by["2号楼"].rate.text) == (fen("200"), fen("150"), "75.00%")
    assert r.cutoff == dt.date(2026, 10, 31)


def test_prepayment_and_old_arrears_recovery_do_not_raise_the_current_rate(known, tmp_path):
    before = rate(known).total
    add_extras(known, known.sep)  # 300.00 prepaid (2-1-102) and 1-1-102's September 200.00 recovered
    r = rate(known)
    after = r.total
    assert (after.due, after.collected, after.rate.text) == (before.due, before.collected, "58.33%")
    assert (after.paid_households, after.household_rate.text) == (2, "50.00%")
    # ...each shown in its own column instead
    assert after.prepaid == fen("300") and before.prepaid == 0
    assert after.recovered == fen("200") and before.recovered == 0
    assert after.recovery_rate.text == "100.00%"
    # and the same figures on paper and in Excel
    doc_pdf, doc_xlsx = tmp_path / "rate.pdf", tmp_path / "rate.xlsx"
    pdf.render(layouts.collection(r), doc_pdf)
    xlsx.render(layouts.collection(rate(known)), doc_xlsx)
    text = pdf_text(doc_pdf)
    assert "收费率统计表" in text and "幸福里物业服务中心" in text and "第 1 页 / 共 1 页" in text
    assert "合计\n600.00\n350.00\n58.33%\n4\n2\n50.00%\n200.00\n200.00\n100.00%\n300.00\n0.00" in text
    assert_cjk_font_embedded(doc_pdf)
    total = xlsx_row(doc_xlsx, "合计")
    assert [cents(v) for v in total[1:3]] == [fen("600"), fen("350")]
    assert total[3] == pytest.approx(float(Decimal("0.583333")))
    assert cents(total[7]) == fen("200") and cents(total[8]) == fen("200") and cents(total[10]) == fen("300")


def test_by_month_each_month_has_its_own_arrears_and_recovery(known_extras):
    r = rate(known_extras, by="month", from_period="2026-09", to_period="2026-10")
    sep, oct_ = r.rows
    assert (sep.key, sep.due, sep.collected, sep.arrears_start) == ("2026-09", fen("600"), fen("600"), 0)
    # Sep's 1-1-102 charge was paid in October: it counts for September by the cut-off...
    assert (oct_.due, oct_.collected, oct_.arrears_start, oct_.recovered) == (fen("600"), fen("350"), fen("200"),
                                                                            fen("200"))
    # ...and over the two months the recovered September money is current money, not recovery
    assert (r.total.due, r.total.collected, r.total.recovered, r.total.prepaid) == (fen("1200"), fen("950"), 0,
                                                                                   fen("300"))


def test_cutoff_leaves_out_money_paid_after_it(known_extras):
    r = rate(known_extras, from_period="2026-09", to_period="2026-09", cutoff=dt.date(2026, 9, 30))
    # 1-1-102 paid September only on 10-25
    assert (r.total.due, r.total.collected, r.total.rate.text) == (fen("600"), fen("400"), "66.67%")
    assert r.total.paid_households == 3


def test_in_period_rate_counts_only_money_paid_within_the_billing_period(known_extras):
    late = rate(known_extras, by="month", from_period="2026-09", to_period="2026-09", cutoff=dt.date(2026, 10, 31))
    inside = rate(known_extras, by="month", from_period="2026-09", to_period="2026-09", cutoff=dt.date(2026, 10, 31),
                  in_period=True)
    assert late.total.collected == fen("600")
    assert inside.total.collected == fen("400")


def test_prepaid_money_counts_when_applied_to_a_current_charge(known_extras):
    bill(known_extras, "2026-11")
    pay(known_extras, "2-1-102", "prepaid=100", day="2026-11-05")
    r = rate(known_extras, from_period="2026-11", to_period="2026-11")
    by = {x.key: x for x in r.rows}
    assert (by["2号楼"].due, by["2号楼"].collected, by["2号楼"].prepaid) == (fen("200"), fen("100"), 0)


def test_void_takes_money_back_out_of_the_rate(known):
    known.run(corrections.void_payment, actor=known.actor("demo"), receipt_no="W0100000006", reason="收错户",
              approver="boss", approver_password="boss", at=at("2026-10-15"))
    t = rate(known).total
    assert (t.collected, t.paid_households) == (fen("250"), 1)


def test_waiver_reduces_due_but_write_off_does_not(known):
    oct_ids = {c: _oct_charge(known, c) for c in ("1-1-102", "2-1-101")}
    known.run(corrections.waive, actor=known.actor("demo"), charge_id=oct_ids["1-1-102"], reason="空置减免",
              amount="100", approver="boss", approver_password="boss", at=at("2026-10-20"))
    known.run(corrections.write_off, actor=known.actor("demo"), charge_id=oct_ids["2-1-101"], reason="无法收回",
              approver="boss", approver_password="boss", at=at("2026-10-21"))
    t = rate(known).total
    assert (t.due, t.collected) == (fen("500"), fen("350"))  # 600 - 100 waived; the 50 written off stays due
    assert t.rate.text == "70.00%"


def test_by_collector_uses_the_buildings_assigned(known):
    known.run(targets.assign_collector, actor=known.actor("boss"), building="1", username="lily")
    r = rate(known, by="collector")
    by = {x.key: x for x in r.rows}
    assert by["lily"].due == fen("400") and by["lily"].collected == fen("200")
    assert by["（未分配）"].due == fen("200")


def test_by_fee_puts_prepayments_on_their_own_line(known_extras):
    r = rate(known_extras, by="fee")
    by = {x.key: x for x in r.rows}
    assert by["物业费"].prepaid == 0 and by["物业费"].collected == fen("350")
    assert by["（预存，不分项目）"].prepaid == fen("300")


def test_period_range_must_be_in_order(known):
    with pytest.raises(InvalidInput):
        rate(known, from_period="2026-10", to_period="2026-09")


def _oct_charge(lg, code):
    from app.services.master import accounts

    card = lg.run(accounts.account_card, actor=lg.actor("demo"), code=code)
    return next(c.id for c in card.charges if c.period == "2026-10")
