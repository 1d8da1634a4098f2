"""Complaints and repairs (投诉/报修): registered at once, closed once, the dispute link, the monthly report."""

import datetime as dt

import pytest
from sqlalchemy import text

from app.errors import AlreadyCorrected, InvalidInput, PermissionDenied
from app.services.collection import dunning
from app.services.master import tickets
from tests.helpers import assign_all, at, bill, card, make_accounts, make_fee

D = dt.date


def register(lg, day="2026-11-02", who="demo", **kw):
    kw.setdefault("kind", "repair")
    kw.setdefault("description", "卫生间楼上漏水")
    kw.setdefault("assignee", "张师傅")
    return lg.run(tickets.register_ticket, actor=lg.actor(who), at=at(day), **kw)


def close(lg, no, day, satisfaction="满意", who="demo"):
    return lg.run(
        tickets.close_ticket,
        actor=lg.actor(who),
        ticket_no=no,
        outcome="已更换防水层",
        satisfaction=satisfaction,
        at=at(day),
    )


@pytest.fixture
def estate(ledger):
    make_accounts(ledger, "1-1-101 张三 100.00 13800001111\n1-1-102 李四 100.00 13800002222")
    make_fee(ledger, "WYF 物业费 area 2.00 monthly", due_days=15)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-09")
    return ledger


def test_cashier_registers_a_repair_with_default_deadline_and_sees_it_on_the_card(estate):
    t = register(estate, account_code="1-1-101", caller_name="张三", caller_phone="13800001111")
    assert t.ticket_no.startswith("TK20261102-0001") and t.kind == "报修" and t.account_code == "1-1-101"
    assert (t.received_on, t.deadline, t.status, t.received_by) == (D(2026, 11, 2), D(2026, 11, 5), "处理中", "demo")
    c = card(estate, "1-1-101", day="2026-11-02")
    assert c.open_tickets == (t.summary(),) and "报修：卫生间楼上漏水（张师傅" in c.open_tickets[0]
    assert card(estate, "1-1-102").open_tickets == ()
    assert card(estate, "1-1-101", day="2026-11-06").open_tickets[0].endswith("已超期）")


def test_ticket_needs_content_assignee_and_a_deadline_not_in_the_past(estate):
    with pytest.raises(InvalidInput, match="责任人"):
        register(estate, assignee=" ")
    with pytest.raises(InvalidInput, match="内容"):
        register(estate, description="")
    with pytest.raises(InvalidInput, match="早于受理日期"):
        register(estate, deadline=D(2026, 11, 1))
    with pytest.raises(InvalidInput, match="工单类型"):
        register(estate, kind="praise")
    with pytest.raises(InvalidInput, match="关联缴费户"):
        register(estate, disputes_payment=True)
    with estate.session() as s:
        assert s.execute(text("SELECT count(*) FROM ticket")).scalar() == 0


def test_auditor_cannot_register(estate):
    with pytest.raises(PermissionDenied):
        register(estate, who="audit")


def test_close_once_with_outcome_and_rating(estate):
    t = register(estate, account_code="1-1-101")
    done = close(estate, t.ticket_no, "2026-11-04", satisfaction="very_satisfied")
    assert (done.status, done.closed_on, done.satisfaction, done.outcome) == ("已办结", D(2026, 11, 4), "非常满意",
                                                                            "已更换防水层")
    assert card(estate, "1-1-101").open_tickets == ()
    with pytest.raises(AlreadyCorrected, match="已办结"):
        close(estate, t.ticket_no, "2026-11-05")


def test_tickets_are_append_only(estate):
    register(estate)
    with pytest.raises(Exception, match="append-only"):  # the trigger holds even the owner's connection
        with estate.admin_factory.begin() as s:
            s.execute(text("UPDATE ticket SET deadline = '2027-01-01'"))


def test_open_dispute_ticket_leaves_the_account_out_of_dunning_until_closed(estate):
    t = register(estate, account_code="1-1-102", disputes_payment=True, kind="complaint",
                 description="电梯长期故障未修，暂不缴物业费")
    r = estate.run(dunning.run_dunning, actor=estate.actor("boss"), at=at("2026-11-25"))
    assert [n.account_code for n in r.notices] == ["1-1-101"] and r.excluded_dispute == 1
    close(estate, t.ticket_no, "2026-11-26", satisfaction="satisfied")
    r = estate.run(dunning.run_dunning, actor=estate.actor("boss"), at=at("2026-11-27"))
    assert [n.account_code for n in r.notices] == ["1-1-101", "1-1-102"] and r.excluded_dispute == 0


def test_monthly_report_on_time_rate_handling_days_and_satisfaction(estate):
    # November: 4 tickets. a on time (2 days), b late (deadline 11-05, closed 11-09), c open and
    # overdue on 12-01, d open but not yet due (deadline 12-03). December: 1 closed on time.
    a = register(estate, day="2026-11-02")
    b = register(estate, day="2026-11-02")
    register(estate, day="2026-11-20")
    register(estate, day="2026-11-30", deadline=D(2026, 12, 3))
    e = register(estate, day="2026-12-01", kind="complaint")
    close(estate, a.ticket_no, "2026-11-04", satisfaction="满意")
    close(estate, b.ticket_no, "2026-11-09", satisfaction="不满意")
    close(estate, e.ticket_no, "2026-12-01", satisfaction="未能回访")
    rep = estate.run(tickets.ticket_report, actor=estate.actor("boss"), first_month="2026-11",
                     last_month="2026-12", as_of=D(2026, 12, 1))
    nov, dec = rep.months
    assert (nov.month, nov.received, nov.closed, nov.on_time, nov.still_open, nov.overdue, nov.not_yet_due) == (
        "2026-11", 4, 2, 1, 2, 1, 1)
    assert nov.on_time_rate.text == "33.33%"  # 1 on time of the 3 whose outcome is known
    assert nov.average_days == "4.5"  # (2 + 7) / 2
    assert (nov.rated, nov.satisfied, nov.satisfaction_rate.text) == (2, 1, "50.00%")
    assert (dec.received, dec.on_time, dec.on_time_rate.text, dec.rated, dec.satisfaction_rate.text) == (
        1, 1, "100.00%", 0, "—")
    assert (rep.total.received, rep.total.on_time_rate.text) == (5, "50.00%")
    only_complaints = estate.run(tickets.ticket_report, actor=estate.actor("boss"), first_month="2026-11",
                                 last_month="2026-12", kind="投诉", as_of=D(2026, 12, 1))
    assert [(m.month, m.received) for m in only_complaints.months] == [("2026-12", 1)]


def test_list_open_and_by_account(estate):
    a = register(estate, account_code="1-1-101")
    b = register(estate, account_code="1-1-102", day="2026-11-03")
    close(estate, a.ticket_no, "2026-11-03")
    rows = estate.run(tickets.list_tickets, actor=estate.actor("boss"), as_of=D(2026, 11, 10))
    assert [(r.ticket_no, r.status) for r in rows] == [(b.ticket_no, "已超期"), (a.ticket_no, "已办结")]
    assert [r.ticket_no for r in estate.run(tickets.list_tickets, actor=estate.actor("boss"), open_only=True)] == [
        b.ticket_no]
    assert [r.ticket_no for r in estate.run(tickets.list_tickets, actor=estate.actor("boss"),
                                            account_code="1-1-101")] == [a.ticket_no]
