"""欠费明细/账龄, 收费明细, 收入汇总, 对账单, 收费标准公示, 计划与实收 from the known ledger."""

import datetime as dt

import pytest

from app.errors import PermissionDenied
from app.reports import csvfile, layouts, pdf, xlsx
from app.services import reports
from app.services.bills import billing, fees
from app.services.collection import targets
from app.services.desk import corrections
from tests.helpers import at, card, fen, make_fee, open_shift, pay
from tests.reports.docs import assert_cjk_font_embedded, cents, pdf_text, xlsx_row, xlsx_rows

D = dt.date


def boss(lg):
    return lg.actor("boss")


# ---- ageing -----------------------------------------------------------------------------

def test_ageing_per_account_building_and_bucket(known, tmp_path):
    r = known.run(reports.ageing, actor=boss(known), as_of=D(2026, 11, 25))
    assert [(x.code, x.amount, x.oldest_due, x.days_overdue) for x in r.rows] == [
        ("1-1-102", fen("400"), D(2026, 10, 15), 41), ("2-1-101", fen("50"), D(2026, 11, 15), 10)]
    assert r.rows[0].fees == "物业费" and r.rows[0].area == 10000 and r.rows[0].phone == "13800002222"
    assert r.by_bucket["0-30"] == fen("250") and r.by_bucket["31-90"] == fen("200") and r.total == fen("450")
    assert {b: sum(v.values()) for b, v in r.by_building.items()} == {"1": fen("400"), "2": fen("50")}
    pdf.render(layouts.ageing(r), tmp_path / "a.pdf")
    xlsx.render(layouts.ageing(r), tmp_path / "a.xlsx")
    text = pdf_text(tmp_path / "a.pdf")
    assert "欠费明细及账龄分析表" in text and "期间：截至 2026-11-25" in text
    assert "1-1-102\n李四\n13800002222\n100.00\n物业费\n2026-10-15\n41\n400.00\n200.00\n200.00" in text
    assert_cjk_font_embedded(tmp_path / "a.pdf")
    detail = xlsx_row(tmp_path / "a.xlsx", "1-1-102", sheet="欠费明细")
    assert cents(detail[7]) == fen("400") and detail[6] == 41
    total = xlsx_row(tmp_path / "a.xlsx", "合计")
    assert total[1] == 2 and cents(total[2]) == fen("450")


def test_ageing_as_of_an_earlier_date_counts_money_paid_later_as_owed(known_extras):
    r = known_extras.run(reports.ageing, actor=boss(known_extras), as_of=D(2026, 10, 20))
    assert [(x.code, x.amount) for x in r.rows] == [("1-1-102", fen("200"))]  # paid on 10-25
    now = known_extras.run(reports.ageing, actor=boss(known_extras), as_of=D(2026, 11, 25))
    assert [(x.code, x.amount) for x in now.rows] == [("1-1-102", fen("200")), ("2-1-101", fen("50"))]


def test_ageing_of_one_building(known):
    r = known.run(reports.ageing, actor=boss(known), as_of=D(2026, 11, 25), building="2")
    assert [x.code for x in r.rows] == ["2-1-101"] and r.total == fen("50")


# ---- journal ----------------------------------------------------------------------------

def test_journal_lists_every_payment_and_correction(known_extras, tmp_path):
    known_extras.run(corrections.void_payment, actor=known_extras.actor("demo"), receipt_no="W0100000008",
                     reason="收错户", approver="boss", approver_password="boss", at=at("2026-10-26"))

    def render(session, **kw):
        rows = list(reports.journal(session, **kw).rows)
        pdf.render(layouts.journal(reports.journal(session, **kw)), tmp_path / "j.pdf")
        csvfile.render(layouts.journal(reports.journal(session, **kw)), tmp_path / "j.csv")
        return rows

    rows = known_extras.run(render, actor=boss(known_extras), date_from=D(2026, 10, 1), date_to=D(2026, 10, 31))
    assert [(x.receipt_no, x.kind, x.account, x.amount) for x in rows] == [
        ("W0100000004", "收款", "1-1-101", fen("200")), ("W0100000005", "收款", "2-1-101", fen("50")),
        ("W0100000006", "收款", "2-1-102", fen("100")), ("W0100000007", "收款", "2-1-102", fen("300")),
        ("W0100000008", "收款", "1-1-102", fen("200")), ("W0100000008", "作废", "1-1-102", -fen("200"))]
    assert rows[0].tenders == "现金300.00" and rows[0].items == "物业费 2026-10"
    assert rows[3].items == "预存" and rows[5].reference.startswith("W0100000008")
    text = pdf_text(tmp_path / "j.pdf")
    assert "收费明细表" in text and "W0100000008\n作废\n1-1-102\n李四\n物业费 2026-09" in text
    assert "合计\n6 笔" in text and "650.00" in text
    csv_text = (tmp_path / "j.csv").read_text(encoding="utf-8-sig")
    assert "W0100000006,收款,2-1-102,赵六,物业费 2026-10,微信支付100.00,100.00" in csv_text


# ---- income -----------------------------------------------------------------------------

def test_income_by_fee_item_tender_and_department(known_extras, tmp_path):
    make_fee(known_extras, "GHF 挂号费 quantity 10 once", department="内科")
    known_extras.run(billing.add_charge, actor=known_extras.actor("demo"), account_code="1-1-101", fee_code="GHF",
                     quantity="1", at=at("2026-10-28"))
    pay(known_extras, "1-1-101", "insurance=10:YB0001", day="2026-10-28")
    r = known_extras.run(reports.income, actor=boss(known_extras), date_from=D(2026, 10, 1), date_to=D(2026, 10, 31))
    assert {x.name: x.amount for x in r.by_fee} == {"物业费": fen("550"), "挂号费": fen("10"), "预存款": fen("300")}
    assert r.by_tender == {"现金": fen("550"), "微信支付": fen("100"), "支付宝": fen("200"), "医保": fen("10")}
    assert r.total == fen("860") == sum(r.by_tender.values())
    assert r.by_department == {"（未分科室）": fen("550"), "内科": fen("10")}
    assert r.by_category == {"自营收入": fen("560"), "预存": fen("300")}
    xlsx.render(layouts.income(r), tmp_path / "i.xlsx")
    assert xlsx_row(tmp_path / "i.xlsx", "挂号费")[:3] == ["挂号费", "自营收入", "内科"]
    assert xlsx_rows(tmp_path / "i.xlsx")[0][0] == "收入汇总表"
    assert cents(xlsx_row(tmp_path / "i.xlsx", "医保")[1]) == fen("10")


# ---- statement --------------------------------------------------------------------------

def test_statement_opening_lines_and_closing(known_extras, tmp_path):
    s = known_extras.run(reports.statement, actor=boss(known_extras), account_code="2-1-102",
                         date_from=D(2026, 10, 1), date_to=D(2026, 10, 31))
    assert s.opening == 0
    assert [(x.business_date, x.charged, x.paid, x.balance) for x in s.lines] == [
        (D(2026, 10, 1), fen("100"), 0, fen("100")), (D(2026, 10, 15), 0, fen("100"), 0),
        (D(2026, 10, 20), 0, fen("300"), -fen("300"))]
    assert (s.closing, s.prepaid_closing) == (-fen("300"), fen("300"))
    old = known_extras.run(reports.statement, actor=boss(known_extras), account_code="1-1-102",
                           date_from=D(2026, 10, 1), date_to=D(2026, 10, 31))
    assert (old.opening, old.charged, old.paid, old.closing) == (fen("200"), fen("200"), fen("200"), fen("200"))
    pdf.render(layouts.statement(s), tmp_path / "s.pdf")
    text = pdf_text(tmp_path / "s.pdf")
    assert "缴费户对账单" in text and "2-1-102" in text and "收款（收据 W0100000007）" in text
    assert "本期合计 / 期末余额\n100.00\n400.00\n0.00\n-300.00" in text and "2栋1单元102室" in text
    assert "叁佰元整（预存结余）" in text


# ---- tariffs ----------------------------------------------------------------------------

def test_tariff_schedule_shows_rates_rules_and_the_next_change(known, tmp_path):
    make_fee(known, "TCF 停车费 fixed 150 monthly", due_days=10, late_fee_daily="0.0005", late_fee_grace=30)
    known.run(fees.add_tariff, actor=known.actor("admin"), code="WYF", rate="2.50", effective_from=D(2027, 1, 1))
    r = known.run(reports.tariffs, actor=boss(known), as_of=D(2026, 11, 25))
    by = {x.name: x for x in r.rows}
    assert by["物业费"].rate == "2.00 元/㎡·月" and by["物业费"].next_change == "2027-01-01 起 2.50 元/㎡·月"
    assert by["停车费"].rate == "150.00 元/月"
    assert by["停车费"].late_fee_rule == "逾期超过 30 天按欠费日万分之五计收"
    pdf.render(layouts.tariffs(r), tmp_path / "t.pdf")
    text = pdf_text(tmp_path / "t.pdf")
    assert "收费标准公示" in text and "2.00 元/㎡·月" in text and "账期结束后 10 天内" in text
    assert_cjk_font_embedded(tmp_path / "t.pdf")


# ---- plan vs actual ---------------------------------------------------------------------

def test_targets_against_actual_collections_with_variance_bands(known, tmp_path):
    boss_ = boss(known)
    known.run(targets.assign_collector, actor=boss_, building="1", username="lily")
    known.run(targets.set_target, actor=boss_, month="2026-10", amount=fen("600"))
    known.run(targets.set_target, actor=boss_, month="2026-10", amount=fen("150"), building="2")
    known.run(targets.set_target, actor=boss_, month="2026-10", amount=fen("300"), collector="lily", ok_pct=100,
              alert_pct=60)
    r = known.run(reports.plan_vs_actual, actor=boss_, from_period="2026-10", to_period="2026-10")
    got = [(x.scope, x.key, x.target, x.actual, x.rate.text, x.band) for x in r.rows]
    assert got == [("全小区", "", fen("600"), fen("350"), "58.33%", "预警"),
                   ("楼栋", "2", fen("150"), fen("150"), "100.00%", "达标"),
                   ("收费员", "lily", fen("300"), fen("200"), "66.67%", "关注")]
    xlsx.render(layouts.plan(r), tmp_path / "p.xlsx")
    row = xlsx_row(tmp_path / "p.xlsx", "2026-10")
    assert cents(row[3]) == fen("600") and cents(row[4]) == fen("350") and cents(row[5]) == -fen("250")


def test_a_cashier_cannot_set_targets(known):
    with pytest.raises(PermissionDenied):
        known.run(targets.set_target, actor=known.actor("demo"), month="2026-10", amount=fen("600"))


def test_a_later_target_replaces_the_earlier_one(known):
    known.run(targets.set_target, actor=boss(known), month="2026-10", amount=fen("600"))
    known.run(targets.set_target, actor=boss(known), month="2026-10", amount=fen("400"))
    r = known.run(reports.plan_vs_actual, actor=boss(known), from_period="2026-10", to_period="2026-10")
    assert [(x.target, x.band) for x in r.rows] == [(fen("400"), "预警")]


def test_training_payments_never_reach_a_report(known):
    from app.services.system import auth

    known.admin_run(auth.add_user, actor=known.actor("admin"), username="trainee", role="cashier", password="trainee",
              training=True)
    open_shift(known, cashier="trainee", day="2026-10-20", station="W02")
    pay(known, "2-1-101", "cash=50", cashier="trainee", day="2026-10-20", station="W02")
    r = known.run(reports.income, actor=boss(known), date_from=D(2026, 10, 1), date_to=D(2026, 10, 31))
    assert r.total == fen("350")


def test_ageing_as_of_before_a_waiver_still_shows_the_waived_amount(known):
    from app.services.master import accounts

    card = known.run(accounts.account_card, actor=known.actor("demo"), code="1-1-102")
    oct_id = next(c.id for c in card.charges if c.period == "2026-10")
    known.run(corrections.waive, actor=known.actor("demo"), charge_id=oct_id, reason="空置减免", amount="100",
              approver="boss", approver_password="boss", at=at("2026-11-20"))
    before = known.run(reports.ageing, actor=boss(known), as_of=D(2026, 11, 19))
    after = known.run(reports.ageing, actor=boss(known), as_of=D(2026, 11, 25))
    assert before.rows[0].amount == fen("400") and after.rows[0].amount == fen("300")


def test_prepaid_refund_is_money_out_in_journal_income_and_the_prepaid_column(known_extras):
    known_extras.run(corrections.refund_balance, actor=known_extras.actor("demo"), kind="prepaid",
                     account_code="2-1-102", tender="cash", reason="业主搬离", amount="100", approver="boss",
                     approver_password="boss", at=at("2026-10-28"))
    boss_ = boss(known_extras)
    r = known_extras.run(reports.income, actor=boss_, date_from=D(2026, 10, 1), date_to=D(2026, 10, 31))
    assert {x.name: x.amount for x in r.by_fee}["预存退款"] == -fen("100")
    assert r.by_tender["现金"] == fen("450") and r.total == fen("750") == sum(r.by_tender.values())

    def rows(session, **kw):
        return [(x.kind, x.account, x.amount) for x in reports.journal(session, **kw).rows]

    got = known_extras.run(rows, actor=boss_, date_from=D(2026, 10, 28), date_to=D(2026, 10, 28))
    assert got == [("预存退款", "2-1-102", -fen("100"))]
    t = known_extras.run(reports.collection_rate, actor=boss_, from_period="2026-10", to_period="2026-10").total
    assert (t.prepaid, t.collected, t.rate.text) == (fen("200"), fen("350"), "58.33%")


def test_statement_names_write_offs_and_waivers_in_chinese(known):
    from app.services.desk import corrections

    oct_charge = next(c.id for c in card(known, "1-1-102").charges if c.period == "2026-10")
    sep_charge = next(c.id for c in card(known, "1-1-102").charges if c.period == "2026-09")
    known.run(corrections.waive, actor=known.actor("demo"), charge_id=oct_charge, reason="空置", amount="50",
              approver="boss", approver_password="boss", at=at("2026-11-20"))
    known.run(corrections.write_off, actor=known.actor("demo"), charge_id=sep_charge, reason="无法收回",
              approver="boss", approver_password="boss", at=at("2026-11-21"))
    s = known.run(reports.statement, actor=boss(known), account_code="1-1-102",
                  date_from=D(2026, 11, 1), date_to=D(2026, 11, 30))
    descs = [x.description for x in s.lines]
    assert any(d.startswith("减免") for d in descs) and any(d.startswith("核销") for d in descs), descs
    assert not any("charge_" in d for d in descs)
