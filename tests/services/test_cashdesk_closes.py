"""Shifts and their drawer: expected-cash formula, blind count, over/short, accept, reopen, handover."""

import pytest
from sqlalchemy import func, select

from app.errors import (
    ApprovalRequired,
    AuthenticationFailed,
    InvalidInput,
    PermissionDenied,
    ShiftError,
)
from app.models import Shift, ShiftClose
from app.services.desk import closes
from tests.helpers import put_settings
from tests.services.cashdesk_helpers import (
    DAY,
    accept,
    at,
    audit_actions_after,
    audit_count,
    book,
    close,
    count,
    drawer,
    estate,
    fen,
    move,
    open_shift,
    pay,
    refund,
)


@pytest.fixture
def desk(ledger):
    estate(ledger)
    return ledger


def test_expected_cash_is_float_plus_cash_received_minus_change(desk):
    s = open_shift(desk, float_yuan="500")
    pay(desk, "1-1-101", "cash=500")  # owes 300: change 200
    pay(desk, "1-1-102", "wechat=300:WX1")
    r = close(desk, "100=8")
    assert r.expected == {"cash": fen("800"), "wechat": fen("300")}
    assert r.counted == {"cash": fen("800"), "wechat": fen("300")}
    assert r.difference == {"cash": 0, "wechat": 0}
    assert r.shift_id == s.id


def test_expected_cash_subtracts_cash_refunds(desk):
    s1 = open_shift(desk, float_yuan="0")
    p = pay(desk, "1-1-101", "cash=300")
    close(desk, "100=3")
    accept(desk, s1.id)
    open_shift(desk, float_yuan="200")
    refund(desk, p.receipt_no, amount="100")
    r = close(desk, "100=1", reason="x")
    # float 200 - cash refund 100; the partial refund's remainder is re-issued, not new cash
    assert r.expected["cash"] == fen("100")
    assert r.difference["cash"] == 0


def test_expected_cash_follows_cash_in_and_out(desk):
    open_shift(desk, float_yuan="500")
    pay(desk, "1-1-101", "cash=300")
    move(desk, "top_up", "100")
    move(desk, "drop", "400")
    move(desk, "bank_run", "50")
    r = close(desk, "100=4,50=1")
    assert r.expected["cash"] == fen("500") + fen("300") + fen("100") - fen("400") - fen("50")
    assert r.summary.movements == {"top_up": fen("100"), "drop": -fen("400"), "bank_run": -fen("50")}
    # takings due to the bank: counted 450 - float 500 - top-up 100 + drop 400 + bank run 50
    assert r.summary.cash_takings == fen("300")


def test_expected_cash_includes_hand_ins_for_both_parties(desk):
    collector = open_shift(desk, cashier="lily", station="W02")
    pay(desk, "1-1-103", "cash=300", cashier="lily", station="W02")
    cashier = open_shift(desk, float_yuan="100")
    h = desk.run(closes.hand_in, actor=desk.actor("demo"), collector="lily", amount="300", at=at(DAY))
    assert (h.collector, h.cashier, h.amount) == ("lily", "demo", fen("300"))
    assert drawer(desk, cashier.id) == fen("400")
    assert drawer(desk, collector.id) == 0
    r = close(desk, "100=4")
    assert r.expected["cash"] == fen("400")
    assert r.summary.hand_ins == fen("300")
    rc = close(desk, "", cashier="lily", station="W02")
    assert rc.expected["cash"] == 0


def test_counterfeit_note_is_taken_out_and_owed_by_the_cashier(desk):
    s = open_shift(desk, float_yuan="500")
    pay(desk, "1-1-101", "cash=300")
    m = move(desk, "counterfeit", "", denomination="100", serial="AB12345678", reason="收到假币")
    assert m.amount == -fen("100")
    assert book(desk, "cashier_owed", user_id=desk.actor("demo").user_id) == fen("100")
    r = close(desk, "100=7")
    assert r.expected["cash"] == fen("700")
    assert r.difference["cash"] == 0
    assert drawer(desk, s.id) == fen("700")


def test_counterfeit_needs_denomination_and_serial(desk):
    open_shift(desk, float_yuan="500")
    with pytest.raises(InvalidInput, match="冠字号"):
        move(desk, "counterfeit", "100", denomination="100", serial="", reason="假币")


def test_expected_cash_formula_all_together(desk):
    s1 = open_shift(desk, float_yuan="0")
    old = pay(desk, "1-1-103", "cash=300")
    close(desk, "100=3")
    accept(desk, s1.id)
    open_shift(desk, cashier="lily", station="W02")
    pay(desk, "1-1-102", "cash=100", cashier="lily", station="W02")
    open_shift(desk, float_yuan="500")
    pay(desk, "1-1-101", "cash=500")  # +500, change 200
    refund(desk, old.receipt_no)  # -300 cash
    move(desk, "top_up", "200")
    move(desk, "drop", "100")
    desk.run(closes.hand_in, actor=desk.actor("demo"), collector="lily", amount="100", at=at(DAY))
    move(desk, "counterfeit", "", denomination="50", serial="XY1", reason="假币")
    r = close(desk, "100=6,50=1")
    expected = 500 + 500 - 200 - 300 + 200 - 100 + 100 - 50
    assert r.expected["cash"] == fen(str(expected))
    assert r.difference["cash"] == 0


def test_expected_figures_unavailable_before_count_saved(desk):
    s = open_shift(desk, float_yuan="500")
    pay(desk, "1-1-101", "cash=300")
    with pytest.raises(ShiftError, match="盲点"):
        desk.run(closes.expected_figures, actor=desk.actor("demo"), shift_id=s.id)
    with pytest.raises(ShiftError, match="盲点"):
        desk.run(closes.expected_figures, actor=desk.actor("boss"), shift_id=s.id)
    close(desk, "100=8")
    shown = desk.run(closes.expected_figures, actor=desk.actor("demo"), shift_id=s.id)
    assert shown.expected["cash"] == fen("800")
    assert shown.counted["cash"] == fen("800")


def test_overage_booked_as_other_income(desk):
    s = open_shift(desk, float_yuan="500")
    pay(desk, "1-1-101", "cash=300")
    r = close(desk, "100=8,10=1", reason="多收 10 元未找零")
    assert r.difference["cash"] == fen("10")
    assert r.overage == fen("10")
    assert book(desk, "over_short", shift_id=s.id) == -fen("10")  # credit: other income
    assert drawer(desk, s.id) == fen("810")  # the drawer holds what was counted


def test_shortage_carried_as_cashier_owed_until_paid_in(desk):
    s = open_shift(desk, float_yuan="500")
    pay(desk, "1-1-101", "cash=300")
    r = close(desk, "100=7,50=1", reason="找错钱")
    assert r.difference["cash"] == -fen("50")
    assert r.shortage == fen("50")
    demo_id = desk.actor("demo").user_id
    assert book(desk, "cashier_owed", user_id=demo_id) == fen("50")
    assert drawer(desk, s.id) == fen("750")
    accept(desk, s.id)
    open_shift(desk, float_yuan="0")
    move(desk, "paid_in", "50", reason="补交短款")
    assert book(desk, "cashier_owed", user_id=demo_id) == 0


def test_count_is_saved_first_and_the_difference_shown_after(desk):
    """A count is never refused for its difference, so trying counts cannot find the expected cash."""
    s = open_shift(desk, float_yuan="500")
    events = audit_count(desk)
    r = close(desk, "100=4,20=2")  # 440.00, 60.00 short, no reason yet
    assert r.difference["cash"] == -fen("60") and r.pending == "reason"
    assert audit_actions_after(desk, events) == ["shift_close"]
    with pytest.raises(ShiftError):  # no second try: the shift is closed
        close(desk, "100=5")
    with pytest.raises(ShiftError, match="尚未说明原因"):
        accept(desk, s.id)


def test_difference_reason_is_given_after_the_count(desk):
    s = open_shift(desk, float_yuan="500")
    close(desk, "100=4,50=1,20=2")  # 10.00 short, under the approval limit
    with pytest.raises(InvalidInput, match="原因"):
        explain(desk, s.id, "")
    with pytest.raises(PermissionDenied):
        explain(desk, s.id, "少 10", cashier="lily")
    events = audit_count(desk)
    r = explain(desk, s.id, "找零多给")
    assert r.reason == "找零多给" and r.pending == ""
    assert audit_actions_after(desk, events) == ["shift_close_reason"]
    assert desk.run(closes.expected_figures, actor=desk.actor("boss"), shift_id=s.id).reason == "找零多给"
    with pytest.raises(ShiftError, match="没有待说明"):
        explain(desk, s.id, "再说一次")
    assert accept(desk, s.id).to_safe == fen("490")


def test_difference_above_limit_needs_supervisor_approval(desk):
    s = open_shift(desk, float_yuan="500")
    close(desk, "100=4")  # 100.00 short; limit 50.00
    with pytest.raises(ApprovalRequired):
        explain(desk, s.id, "少了 100")
    with pytest.raises(AuthenticationFailed):
        explain(desk, s.id, "少了 100", approver="boss", approver_password="wrong")
    with pytest.raises(ShiftError, match="尚未说明原因"):
        accept(desk, s.id)
    r = explain(desk, s.id, "少了 100", approver="boss", approver_password="boss")
    assert r.approved_by == "boss" and r.pending == ""
    accept(desk, s.id)


def test_approver_given_with_the_count_is_checked_whatever_the_difference(desk):
    """A wrong supervisor password is refused alike for a right and a wrong count (no oracle)."""
    s = open_shift(desk, float_yuan="500")
    for text in ("100=5", "100=4"):
        with pytest.raises(AuthenticationFailed):
            close(desk, text, reason="x", approver="boss", approver_password="wrong")
    r = close(desk, "100=4", reason="少了 100", approver="boss", approver_password="boss")
    assert r.approved_by == "boss" and r.pending == ""
    accept(desk, s.id)


def test_open_takings_only_for_a_supervisor_never_the_shifts_own_cashier(desk):
    s = open_shift(desk, float_yuan="500")
    pay(desk, "1-1-101", "cash=300")
    for who in ("demo", "lily", "audit"):
        with pytest.raises(PermissionDenied):
            desk.run(closes.open_takings, actor=desk.actor(who), shift_id=s.id)
    assert desk.run(closes.open_takings, actor=desk.actor("boss"), shift_id=s.id)["cash"] == fen("800")
    own = open_shift(desk, cashier="boss2", station="W02", float_yuan="100")
    with pytest.raises(PermissionDenied, match="盲点"):
        desk.run(closes.open_takings, actor=desk.actor("boss2", "W02"), shift_id=own.id)


def test_cannot_close_shift_twice(desk):
    open_shift(desk, float_yuan="0")
    close(desk, "")
    with pytest.raises(ShiftError, match="没有开班"):
        close(desk, "")


def test_close_refuses_unknown_denomination(desk):
    open_shift(desk, float_yuan="0")
    with pytest.raises(InvalidInput, match="面额"):
        close(desk, "30=1")


def test_non_cash_slips_are_counted_per_tender(desk):
    open_shift(desk, float_yuan="0")
    pay(desk, "1-1-101", "card=300:C1")
    pay(desk, "1-1-102", "card=100:C2")
    r = close(desk, "", slips={"card": (2, fen("390"))}, reason="刷卡单少 10 元")
    assert r.expected["card"] == fen("400")
    assert r.counted["card"] == fen("390")
    assert r.difference["card"] == -fen("10")
    assert r.slips["card"] == {"expected": 2, "counted": 2}


def test_accept_remits_drawer_to_safe_and_bank(desk):
    s = open_shift(desk, float_yuan="500")
    pay(desk, "1-1-101", "cash=300")
    pay(desk, "1-1-102", "wechat=300:W")
    close(desk, "100=8")
    a = accept(desk, s.id)
    assert (a.to_safe, a.to_bank) == (fen("800"), fen("300"))
    assert drawer(desk, s.id) == 0 and drawer(desk, s.id, "wechat") == 0
    with desk.session() as ss:
        assert ss.get(Shift, s.id).status.value == "accepted"


def test_cannot_accept_own_close(desk):
    s = open_shift(desk, cashier="boss", float_yuan="0")
    close(desk, "", cashier="boss")
    with pytest.raises(PermissionDenied, match="自己"):
        accept(desk, s.id, supervisor="boss")


def test_cashier_cannot_accept_a_close(desk):
    s = open_shift(desk, float_yuan="0")
    close(desk, "")
    with pytest.raises(PermissionDenied):
        accept(desk, s.id, supervisor="lily")


def test_supervisor_second_count_must_match(desk):
    s = open_shift(desk, float_yuan="500")
    close(desk, "100=5")
    with pytest.raises(ShiftError, match="复点"):
        accept(desk, s.id, second_count=count("100=4"))
    a = accept(desk, s.id, second_count=count("100=5"))
    assert a.to_safe == fen("500")


def test_accepted_close_is_immutable_and_cannot_be_reopened(desk):
    s = open_shift(desk, float_yuan="0")
    close(desk, "")
    accept(desk, s.id)
    with pytest.raises(ShiftError, match="已验收"):
        desk.run(closes.reopen_shift, actor=desk.actor("boss"), shift_id=s.id, reason="重点")
    with pytest.raises(ShiftError, match="已验收"):
        accept(desk, s.id)


def test_only_latest_close_of_a_cashier_can_be_reopened(desk):
    s1 = open_shift(desk, float_yuan="0")
    close(desk, "")
    open_shift(desk, float_yuan="0", station="W02")
    close(desk, "", station="W02")
    with pytest.raises(ShiftError, match="最近一次"):
        desk.run(closes.reopen_shift, actor=desk.actor("boss"), shift_id=s1.id, reason="重点")


def test_reopen_reverses_the_difference_and_allows_a_recount(desk):
    s = open_shift(desk, float_yuan="500")
    close(desk, "100=4,50=1,20=2", reason="少 10")
    assert book(desk, "cashier_owed", user_id=desk.actor("demo").user_id) == fen("10")
    desk.run(closes.reopen_shift, actor=desk.actor("boss"), shift_id=s.id, reason="钱在抽屉底下")
    assert book(desk, "cashier_owed", user_id=desk.actor("demo").user_id) == 0
    assert drawer(desk, s.id) == fen("500")
    r = close(desk, "100=5")
    assert r.difference["cash"] == 0
    with desk.session() as ss:
        assert ss.scalar(select(func.count()).select_from(ShiftClose).where(ShiftClose.shift_id == s.id)) == 2


def test_handover_carries_float_to_next_cashier(desk):
    s = open_shift(desk, float_yuan="500")
    pay(desk, "1-1-101", "cash=300")
    h = desk.run(closes.handover, actor=desk.actor("demo"), count=count("100=8"), next_user="lily",
                 next_password="lily", carry="500", at=at(DAY))
    assert h.closed.difference["cash"] == 0
    assert h.next_cashier == "lily" and h.carried == fen("500")
    assert drawer(desk, h.next_shift_id) == fen("500")
    assert drawer(desk, s.id) == fen("300")
    pay(desk, "1-1-102", "cash=100", cashier="lily")
    r = close(desk, "100=6", cashier="lily")
    assert r.expected["cash"] == fen("600")
    assert r.summary.cash_takings == fen("100")
    assert accept(desk, s.id).to_safe == fen("300")


def test_handover_needs_next_cashiers_password(desk):
    open_shift(desk, float_yuan="500")
    with pytest.raises(AuthenticationFailed):
        desk.run(closes.handover, actor=desk.actor("demo"), count=count("100=5"), next_user="lily",
                 next_password="wrong", at=at(DAY))


def test_cash_on_hand_limit_warns(desk):
    with desk.admin_session() as s, s.begin():  # settings: the administrator's connection
        put_settings(s, cash_limit="50000")
    open_shift(desk, float_yuan="400")
    assert desk.run(closes.drawer_warning, actor=desk.actor("demo")).warning is None
    pay(desk, "1-1-101", "cash=300")
    warning = desk.run(closes.drawer_warning, actor=desk.actor("demo")).warning
    assert "超过限额" in warning and "500.00" in warning  # the limit
    assert "700" not in warning  # never the drawer's cash: the count stays blind
    m = move(desk, "drop", "300")
    assert m.warning is None


def test_cash_out_cannot_exceed_drawer(desk):
    open_shift(desk, float_yuan="100")
    with pytest.raises(ShiftError, match="钱箱现金不足") as refused:
        move(desk, "drop", "200")
    assert "100" not in refused.value.message  # how much it holds stays blind


def test_late_hand_in_counts_on_next_business_day(desk):
    import datetime as dt

    open_shift(desk, cashier="lily", station="W02")
    open_shift(desk, float_yuan="0")
    late = dt.datetime(2026, 11, 25, 8, 30)  # 16:30 in Shanghai
    h = desk.run(closes.hand_in, actor=desk.actor("demo"), collector="lily", amount="50", at=late)
    assert h.after_cutoff and h.business_date == dt.date(2026, 11, 26)
    early = dt.datetime(2026, 11, 25, 7, 30)  # 15:30
    h2 = desk.run(closes.hand_in, actor=desk.actor("demo"), collector="lily", amount="50", at=early)
    assert not h2.after_cutoff and h2.business_date == dt.date(2026, 11, 25)


def explain(lg, shift_id: int, reason: str, cashier: str = "demo", station: str = "W01", **kw):
    return lg.run(closes.explain_difference, actor=lg.actor(cashier, station), shift_id=shift_id, reason=reason,
                  **kw)


def test_close_rolls_back_on_error(desk):
    s = open_shift(desk, float_yuan="500")
    events = audit_count(desk)
    with pytest.raises(AuthenticationFailed):
        close(desk, "100=1", reason="少 400", approver="boss", approver_password="wrong")
    with desk.session() as ss:
        assert ss.get(Shift, s.id).status.value == "open"
        assert ss.scalar(select(func.count()).select_from(ShiftClose)) == 0
    assert book(desk, "cashier_owed") == 0
    # Nothing of the use case is recorded; only the approver's wrong password is counted.
    assert audit_actions_after(desk, events) == ["login_failed"]


def test_cash_movement_rolls_back_on_error(desk):
    s = open_shift(desk, float_yuan="100")
    events = audit_count(desk)
    with pytest.raises(ShiftError):
        move(desk, "bank_run", "500")
    assert drawer(desk, s.id) == fen("100") and book(desk, "bank") == 0
    assert audit_count(desk) == events


def test_accept_rolls_back_on_error(desk):
    s = open_shift(desk, float_yuan="500")
    close(desk, "100=5")
    with pytest.raises(ShiftError):
        accept(desk, s.id, second_count=count("100=1"))
    assert drawer(desk, s.id) == fen("500")
    with desk.session() as ss:
        assert ss.get(Shift, s.id).status.value == "closed"


def test_reopen_rolls_back_on_error(desk):
    s = open_shift(desk, float_yuan="500")
    close(desk, "100=4,50=1", reason="少 50")
    open_shift(desk, cashier="lily")  # the station is busy again
    with pytest.raises(ShiftError, match="未轧帐"):
        desk.run(closes.reopen_shift, actor=desk.actor("boss"), shift_id=s.id, reason="重点")
    assert book(desk, "cashier_owed", user_id=desk.actor("demo").user_id) == fen("50")


def test_hand_in_rolls_back_on_error(desk):
    open_shift(desk, float_yuan="0")
    with pytest.raises(ShiftError, match="外收员"):
        desk.run(closes.hand_in, actor=desk.actor("demo"), collector="lily", amount="50", at=at(DAY))
    assert book(desk, "drawer") == 0


def test_supervisor_cannot_reopen_own_close(desk):
    s = open_shift(desk, cashier="boss", float_yuan="0")
    close(desk, "", cashier="boss")
    with pytest.raises(PermissionDenied, match="自己"):
        desk.run(closes.reopen_shift, actor=desk.actor("boss"), shift_id=s.id, reason="重点")
    assert desk.run(closes.reopen_shift, actor=desk.actor("boss2"), shift_id=s.id, reason="重点").shift_id == s.id
