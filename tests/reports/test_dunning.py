"""催缴: run selection and exclusions, the printed notice, contact log, repayment plans, effectiveness."""

import datetime as dt

import pytest

from app.errors import InvalidInput, PermissionDenied
from app.reports import pdf
from app.services.collection import dunning
from app.services.desk import payments
from tests.helpers import at, fen, pay
from tests.reports.docs import assert_cjk_font_embedded, pdf_pages, pdf_text

D = dt.date


def run(lg, day="2026-11-25", **kw):
    return lg.run(dunning.run_dunning, actor=lg.actor("boss"), at=at(day), **kw)


def log(lg, code, channel, result, day="2026-11-25", **kw):
    return lg.run(dunning.log_contact, actor=lg.actor("demo"), account_code=code, channel=channel, result=result,
                  at=at(day), **kw)


def test_run_selects_by_amount_and_prints_one_notice_per_account(known, tmp_path):
    r = run(known, min_amount=fen("100"))
    assert [(n.account_code, n.total, n.days_overdue) for n in r.notices] == [("1-1-102", fen("400"), 41)]
    n = r.notices[0]
    assert [(i.fee, i.period, i.due_date, i.days_overdue, i.outstanding) for i in n.items] == [
        ("物业费", "2026-09", D(2026, 10, 15), 41, fen("200")), ("物业费", "2026-10", D(2026, 11, 15), 10, fen("200"))]
    assert n.total_upper == "肆佰元整" and n.pay_by == D(2026, 12, 10) and n.address == "1栋1单元102室"
    assert (r.count, r.total) == (1, fen("400"))
    path = tmp_path / "notices.pdf"
    assert pdf.render_notices(r.notices, path, r.meta) == 1
    text = pdf_text(path)
    assert "催 缴 通 知 单" in text and "1栋1单元102室（1-1-102） 业主/住户 李四" in text
    assert "物业费\n2026-09\n2026-10-15\n41\n200.00" in text
    assert "欠费合计（小写）：￥400.00 元" in text and "欠费合计（大写）：人民币肆佰元整" in text
    assert "2026-12-10" in text and "缴费地点：幸福里物业服务中心收费窗口" in text
    assert_cjk_font_embedded(path)
    again = known.run(dunning.notices_of_run, actor=known.actor("boss"), run_id=r.run_id)
    assert [(x.notice_no, x.total) for x in again.notices] == [(n.notice_no, fen("400"))]


def test_run_by_days_and_by_bucket(known):
    assert [n.account_code for n in run(known, min_days=1).notices] == ["1-1-102", "2-1-101"]
    assert [n.account_code for n in run(known, min_days=30).notices] == ["1-1-102"]
    assert [n.account_code for n in run(known, bucket="31-90").notices] == ["1-1-102"]
    assert [n.account_code for n in run(known, building="2").notices] == ["2-1-101"]


def test_promise_and_dispute_are_left_out_until_they_lapse(known):
    log(known, "1-1-102", "phone", "promised", promise_date=D(2026, 12, 1), note="月底发工资后交")
    log(known, "2-1-101", "visit", "refused", reason="repair_dispute", note="楼上漏水未修")
    r = run(known)
    assert (r.count, r.excluded_promise, r.excluded_dispute) == (0, 1, 1)
    later = run(known, day="2026-12-02")  # the promise date has passed
    assert [n.account_code for n in later.notices] == ["1-1-102"] and later.excluded_dispute == 1
    log(known, "2-1-101", "phone", "no_answer", day="2026-12-03")  # dispute no longer the latest word
    assert [n.account_code for n in run(known, day="2026-12-03").notices] == ["1-1-102", "2-1-101"]


def test_repayment_plan_excludes_while_kept_and_is_flagged_overdue(known):
    boss = known.actor("boss")
    plan = known.run(dunning.create_plan, actor=boss, account_code="1-1-102",
                     instalments=[(D(2026, 12, 1), fen("200")), (D(2027, 1, 1), fen("200"))], note="分两期",
                     at=at("2026-11-25"))
    assert (plan.total, plan.status) == (fen("400"), "履行中")
    assert [n.account_code for n in run(known, day="2026-11-26").notices] == ["2-1-101"]
    [late] = known.run(dunning.plans, actor=boss, as_of=D(2026, 12, 5))
    assert late.overdue and late.status == "逾期" and late.due_so_far == fen("200") and late.paid == 0
    assert "1-1-102" in [n.account_code for n in run(known, day="2026-12-05").notices]
    pay(known, "1-1-102", "cash=200", day="2026-12-06")
    [kept] = known.run(dunning.plans, actor=boss, as_of=D(2026, 12, 6))
    assert (kept.paid, kept.overdue, kept.status) == (fen("200"), False, "履行中")
    with pytest.raises(InvalidInput):
        known.run(dunning.create_plan, actor=boss, account_code="1-1-102",
                  instalments=[(D(2027, 2, 1), fen("100"))], at=at("2026-12-06"))
    cancelled = known.run(dunning.cancel_plan, actor=boss, plan_id=plan.id, reason="业主要求一次缴清")
    assert cancelled.status == "已取消"


def test_effectiveness_counts_accounts_and_money_within_7_and_30_days(known):
    r = run(known)
    pay(known, "2-1-101", "cash=50", day="2026-11-28")
    pay(known, "1-1-102", "cash=200", day="2026-12-15")
    pay(known, "1-1-102", "cash=200", day="2027-01-10")  # after 30 days: not counted
    [e] = known.run(dunning.effectiveness, actor=known.actor("boss"), run_id=r.run_id)
    assert (e.notices, e.total) == (2, fen("450"))
    assert (e.paid_7, e.amount_7, e.paid_30, e.amount_30) == (1, fen("50"), 2, fen("250"))


def test_effectiveness_counts_only_payments_made_after_the_notices(known):
    hour = dt.timedelta(hours=1)

    def pay_at(code, tender, when):
        return known.run(payments.pay, actor=known.actor("demo"), account_code=code,
                         tenders=[payments.parse_tender(tender)], at=when)

    pay_at("1-1-102", "cash=200", at("2026-11-25") - 3 * hour)  # 09:00, before the run
    r = known.run(dunning.run_dunning, actor=known.actor("boss"), at=at("2026-11-25"))  # 12:00
    assert {n.account_code for n in r.notices} == {"1-1-102", "2-1-101"}
    pay_at("2-1-101", "cash=50", at("2026-11-25") + 3 * hour)  # 15:00, after it
    [e] = known.run(dunning.effectiveness, actor=known.actor("boss"), run_id=r.run_id)
    assert (e.paid_7, e.amount_7, e.paid_30, e.amount_30) == (1, fen("50"), 1, fen("50"))


def test_contact_log_rules_and_history(known):
    with pytest.raises(InvalidInput, match="承诺缴费日期"):
        log(known, "1-1-102", "phone", "promised")
    with pytest.raises(InvalidInput, match="原因"):
        log(known, "1-1-102", "phone", "refused")
    with pytest.raises(InvalidInput, match="联系方式"):
        log(known, "1-1-102", "fax", "no_answer")
    e = log(known, "1-1-102", "电话", "拒缴", reason="维修纠纷", note="要求先修屋顶")
    assert (e.channel, e.result, e.reason, e.who) == ("电话", "拒缴", "维修纠纷", "demo")
    log(known, "1-1-102", "letter", "delivered", day="2026-11-26")
    hist = known.run(dunning.contact_history, actor=known.actor("audit"), account_code="1-1-102")
    assert [(h.channel, h.result, h.business_date) for h in hist] == [
        ("电话", "拒缴", D(2026, 11, 25)), ("挂号信", "已送达", D(2026, 11, 26))]
    with pytest.raises(PermissionDenied):
        known.run(dunning.log_contact, actor=known.actor("audit"), account_code="1-1-102", channel="phone",
                  result="no_answer")


def test_only_a_supervisor_runs_dunning(known):
    with pytest.raises(PermissionDenied):
        known.run(dunning.run_dunning, actor=known.actor("demo"), at=at("2026-11-25"))


def test_a_run_with_nobody_to_chase_still_prints_a_page(known, tmp_path):
    r = run(known, min_amount=fen("10000"))
    assert r.count == 0
    pdf.render_notices(r.notices, tmp_path / "n.pdf", r.meta)
    assert pdf_pages(tmp_path / "n.pdf") == 1 and "没有符合条件的缴费户" in pdf_text(tmp_path / "n.pdf")


def test_arrears_report_gives_the_reason_and_filters_by_status_and_tag(known, tmp_path):
    from app.reports import layouts, xlsx
    from app.services import reports
    from app.services.master import admin, tickets

    log(known, "1-1-102", "visit", "refused", reason="repair_dispute", note="楼上漏水未修")
    log(known, "2-1-101", "phone", "promised", promise_date=D(2026, 12, 1))
    known.run(admin.update_account, actor=known.actor("admin"), code="2-1-101", status="空置", tags="商铺")
    rep = known.run(reports.ageing, actor=known.actor("boss"), as_of=D(2026, 11, 25))
    assert {r.code: r.reason for r in rep.rows} == {"1-1-102": "拒缴：维修纠纷（楼上漏水未修）",
                                                    "2-1-101": "承诺 2026-12-01 前缴费"}
    xlsx.render(layouts.ageing(rep), tmp_path / "a.xlsx")
    from tests.reports.docs import xlsx_row
    assert "拒缴：维修纠纷（楼上漏水未修）" in xlsx_row(tmp_path / "a.xlsx", "1-1-102", sheet="欠费明细")
    only_vacant = known.run(reports.ageing, actor=known.actor("boss"), as_of=D(2026, 11, 25), status="空置")
    assert [r.code for r in only_vacant.rows] == ["2-1-101"] and only_vacant.total == fen("50")
    shops = known.run(reports.ageing, actor=known.actor("boss"), as_of=D(2026, 11, 25), tag="商铺")
    assert [r.code for r in shops.rows] == ["2-1-101"]
    with pytest.raises(InvalidInput, match="状态不正确"):
        known.run(reports.ageing, actor=known.actor("boss"), status="出租")
    assert [n.account_code for n in run(known, status="已入住").notices] == []  # 1-1-102 is in dispute
    assert [n.account_code for n in run(known, tag="商铺").notices] == []  # 2-1-101 promised
    known.run(tickets.register_ticket, actor=known.actor("demo"), kind="complaint", description="噪音",
              assignee="客服", account_code="2-1-101", disputes_payment=True)
    rep = known.run(reports.ageing, actor=known.actor("boss"), as_of=D(2026, 11, 25))
    assert {r.code: r.reason for r in rep.rows}["2-1-101"] == "承诺 2026-12-01 前缴费；投诉/报修未办结，以此拒缴"
