"""The supervisor's day (issue 13.1): settlement preview then confirm with the password, the
bank deposit of a settled day, the month close preview."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.errors import AuthenticationFailed, PeriodClosed, ShiftError
from app.models import BankDeposit, DaySettlement, JournalEntry
from app.services.desk import settlement
from app.services.journal.verify import verify
from tests.services.cashdesk_helpers import (
    DAY,
    accept,
    at,
    book,
    close,
    estate,
    fen,
    open_shift,
    pay,
    void,
)

D = dt.date.fromisoformat(DAY)


@pytest.fixture
def desk(ledger):
    estate(ledger)
    return ledger


def _day(lg):
    """demo (float 500) takes 300 cash + 300 wechat, one receipt voided; lily is still open."""
    s1 = open_shift(lg, float_yuan="500")
    pay(lg, "1-1-101", "cash=300")
    pay(lg, "1-1-102", "wechat=300:W1")
    voided = pay(lg, "1-1-103", "cash=100")
    void(lg, voided.receipt_no)
    s2 = open_shift(lg, cashier="lily", station="W02", float_yuan="0")
    close(lg, "100=8")
    return s1, s2


def test_preview_names_the_blockers_and_writes_nothing(desk):
    s1, s2 = _day(desk)
    boss = desk.actor("boss")
    p = desk.run(settlement.day_preview, actor=boss, day=D, at=at(DAY))
    assert not p.can_settle
    assert [(x.id, x.status, x.blocker) for x in p.shifts] == [(s1.id, "closed", True), (s2.id, "open", True)]
    assert any(f"#{s1.id}" in b and "未验收" in b for b in p.blockers)
    assert any(f"#{s2.id}" in b and "lily" in b and "未轧帐" in b for b in p.blockers)
    assert (p.receipts_used, p.receipts_voided) == (3, 1)
    with desk.session() as s:
        assert s.scalar(select(DaySettlement.id)) is None
    with pytest.raises(ShiftError, match="未轧帐或未验收"):  # the settlement refuses what the preview named
        desk.run(settlement.settle_day, actor=boss, day=D, at=at(DAY), password="boss")


def test_preview_totals_are_what_the_settlement_stores(desk):
    s1, s2 = _day(desk)
    accept(desk, s1.id)
    close(desk, "", cashier="lily", station="W02")
    accept(desk, s2.id)
    boss = desk.actor("boss")
    p = desk.run(settlement.day_preview, actor=boss, day=D, at=at(DAY))
    assert p.can_settle and p.blockers == ()
    assert p.totals["tenders"]["counted"] == {"cash": fen("800"), "wechat": fen("300")}
    assert p.cash_due_to_bank == fen("300")  # counted cash 800 less the 500 float
    assert [x.counted for x in p.shifts][0] == {"cash": fen("800"), "wechat": fen("300")}
    r = desk.run(settlement.settle_day, actor=boss, day=D, at=at(DAY), password="boss")
    assert r.totals["tenders"] == p.totals["tenders"] and r.cash_due_to_bank == p.cash_due_to_bank
    again = desk.run(settlement.day_preview, actor=boss, day=D, at=at(DAY))
    assert any("已日结" in b for b in again.blockers)


def test_settlement_confirm_refuses_a_wrong_password_and_counts_it(desk):
    s1, s2 = _day(desk)
    accept(desk, s1.id)
    close(desk, "", cashier="lily", station="W02")
    accept(desk, s2.id)
    with pytest.raises(AuthenticationFailed, match="密码错误"):
        desk.run(settlement.settle_day, actor=desk.actor("boss"), day=D, at=at(DAY), password="wrong")
    with desk.session() as s:
        assert s.scalar(select(DaySettlement.id)) is None
        from app.models import User

        assert s.scalar(select(User.failed_logins).where(User.username == "boss")) == 1


def test_bank_deposit_after_settling_today_posts_on_the_next_open_day(desk):
    """Issue 13: settling today, then banking today's cash, was refused (营业日 … 已日结)."""
    s1, s2 = _day(desk)
    accept(desk, s1.id)
    close(desk, "", cashier="lily", station="W02")
    accept(desk, s2.id)
    boss = desk.actor("boss")
    desk.run(settlement.settle_day, actor=boss, day=D, at=at(DAY), password="boss")
    safe_before, bank_before = book(desk, "safe"), book(desk, "bank")
    d = desk.run(settlement.bank_deposit, actor=boss, amount="300", slip="ICBC-0001", at=at(DAY))
    assert (d.for_date, d.business_date, d.due, d.banked) == (D, D + dt.timedelta(days=1), fen("300"), fen("300"))
    assert book(desk, "safe") == safe_before - fen("300") and book(desk, "bank") == bank_before + fen("300")
    with desk.session() as s:
        row = s.scalars(select(BankDeposit)).one()
        entry = s.get(JournalEntry, row.journal_entry_id)
        assert (row.for_date, row.business_date, entry.business_date) == (D, D + dt.timedelta(days=1),
                                                                           D + dt.timedelta(days=1))
    report = desk.run(settlement.day_report, actor=boss, day=D)
    assert report.to_json()["to_bank_outstanding"] == "0.00"
    assert desk.run(verify).ok
    # the settled day itself still takes nothing
    with pytest.raises(PeriodClosed, match="已日结"):
        open_shift(desk, float_yuan="0")


def test_month_preview_names_unsettled_days_then_closes(desk):
    s1, s2 = _day(desk)
    accept(desk, s1.id)
    close(desk, "", cashier="lily", station="W02")
    accept(desk, s2.id)
    boss = desk.actor("boss")
    p = desk.run(settlement.month_preview, actor=boss, month="2026-11", at=at("2026-12-01"))
    assert p.blockers == (f"营业日 {DAY} 尚未日结",)
    desk.run(settlement.settle_day, actor=boss, day=D, at=at(DAY))
    p = desk.run(settlement.month_preview, actor=boss, month="2026-11", at=at("2026-12-01"))
    assert p.can_close and p.settled_days == (D,) and p.totals["counted"]["cash"] == fen("800")
    with pytest.raises(AuthenticationFailed):
        desk.run(settlement.close_month, actor=boss, month="2026-11", at=at("2026-12-01"), password="x")
    m = desk.run(settlement.close_month, actor=boss, month="2026-11", at=at("2026-12-01"), password="boss")
    assert m.totals == p.totals


def test_the_remittance_slip_cash_lines_add_up_to_the_cash_due(desk):
    """Issue 13.1 / 16: 实点现金 − 备用金 − 备用金补充 + 投库 = 应缴现金, one word per movement, no English."""
    import re

    from app.money import Money
    from app.printing import queue
    from app.printing.preview import layout_text
    from tests.services.cashdesk_helpers import move

    s = open_shift(desk, float_yuan="500")
    pay(desk, "1-1-101", "cash=300")
    move(desk, "top_up", "100")
    move(desk, "drop", "200")
    move(desk, "counterfeit", "", denomination="100", serial="AB12345678")
    move(desk, "paid_in", "100")
    close(desk, "100=7")  # 500 + 300 + 100 − 200 − 100 + 100
    text = layout_text(queue.remittance_preview(desk.factory, actor=desk.actor("demo"), shift_id=s.id))
    lines = text.splitlines()
    first = next(i for i, x in enumerate(lines) if x.startswith("实点现金"))
    total = next(i for i, x in enumerate(lines) if x.startswith("= 应缴现金"))
    terms = [re.match(r"^(\S+) +([-+]?[\d.]+)$", x).groups() for x in lines[first:total - 1]]
    assert terms == [("实点现金", "700.00"), ("备用金", "-500.00"), ("备用金补充", "-100.00"), ("投库", "+200.00")]
    assert set(lines[total - 1]) == {" ", "-"}  # the rule above the sum
    assert re.search(r"^= 应缴现金 +￥300\.00$", lines[total])
    assert sum(Money.parse(v.lstrip("+-")).fen * (-1 if v[0] == "-" else 1) for _, v in terms) == fen("300")
    assert "实点现金已含：" in lines and re.search(r"^  短款补交 +\+100\.00$", text, re.M)
    assert re.search(r"^  假币 +-100\.00$", text, re.M)
    for word in ("counterfeit", "paid_in", "paid_out", "drop", "top_up", "中途解缴", "现金收入", "现金支出"):
        assert word not in text
