"""练习模式: practice payments work end to end but never touch the real books."""

import pytest
from sqlalchemy import func, select

from app.errors import InvalidInput, PermissionDenied
from app.models import AuditEvent, Posting
from app.services.desk import stations
from app.services.journal import ledger
from app.services.system import auth
from tests.helpers import assign_all, bill, card, fen, make_accounts, make_fee, open_shift, pay


def book_totals(lg) -> dict[str, int]:
    with lg.session() as s:
        return dict(s.execute(select(Posting.book, func.sum(Posting.amount)).group_by(Posting.book)).all())


def test_training_payment_leaves_real_arrears_prepaid_and_income_untouched(ledger_with_training):
    lg = ledger_with_training
    before_card = card(lg, "1-1-101")
    real_books = {k: v for k, v in book_totals(lg).items() if k not in (ledger.DRAWER, ledger.TRAINING)}
    p = pay(lg, "1-1-101", "cash=500", cashier="lily", station="W02", change_to_prepaid=True)
    assert p.training and p.receipt_no.startswith("LXW02-")
    assert p.prepaid_added == fen("100")
    after_card = card(lg, "1-1-101")
    assert (after_card.arrears, after_card.prepaid) == (before_card.arrears, before_card.prepaid)
    assert [c.outstanding for c in after_card.charges] == [c.outstanding for c in before_card.charges]
    after_books = book_totals(lg)
    for book, total in real_books.items():
        assert after_books.get(book, 0) == total, book
    assert after_books[ledger.TRAINING] != 0
    # the practice shift's drawer holds the practice cash (float 100 + 500 received)
    with lg.session() as s:
        drawer = ledger.balance(s, ledger.DRAWER, shift_id=p_shift(lg), tender="cash")
    assert drawer == fen("600")


def p_shift(lg) -> int:
    from app.models import Shift

    with lg.session() as s:
        return s.scalar(select(Shift.id).where(Shift.training.is_(True)))


def test_real_payment_after_practice_still_owes_the_full_amount(ledger_with_training):
    lg = ledger_with_training
    pay(lg, "1-1-101", "cash=400", cashier="lily", station="W02")
    open_shift(lg)
    r = pay(lg, "1-1-101", "cash=400")
    assert not r.training and sum(a.amount for a in r.allocated) == fen("400")
    assert card(lg, "1-1-101").arrears == 0




@pytest.fixture
def ledger_with_training(ledger):
    make_accounts(ledger, "1-1-101 张三 100")
    make_fee(ledger, "WYF 物业费 area 2 monthly", due_days=15)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-10", "2026-11")
    ledger.admin_run(stations.set_training, actor=ledger.actor("admin"), code="W02", training=True)
    open_shift(ledger, cashier="lily", station="W02", float_yuan="100")
    return ledger


def test_admin_puts_a_user_into_practice_and_back(ledger_with_training):
    lg = ledger_with_training
    admin = lg.actor("admin")
    with pytest.raises(PermissionDenied):
        lg.admin_run(auth.set_training, actor=lg.actor("boss"), username="demo", training=True)
    assert lg.admin_run(auth.set_training, actor=admin, username="demo", training=True).training
    open_shift(lg)  # demo at the real window W01, but demo is practising
    p = pay(lg, "1-1-101", "cash=400")
    assert p.training and p.receipt_no.startswith("LX")
    assert card(lg, "1-1-101").arrears == fen("400")
    with pytest.raises(InvalidInput, match="未轧帐的班次"):  # a shift is practice or real from its opening
        lg.admin_run(auth.set_training, actor=admin, username="demo", training=False)
    with pytest.raises(InvalidInput, match="未轧帐的班次"):
        lg.admin_run(stations.set_training, actor=admin, code="W02", training=False)
    with lg.session() as s:
        events = [a for (a,) in s.execute(select(AuditEvent.action).where(AuditEvent.action.like("%_training")))]
    assert events == ["station_training", "user_training"]


def test_login_reports_practice_mode(ledger_with_training):
    lg = ledger_with_training
    at_practice_window = lg.run(auth.login, username="boss", password="boss", station_code="W02")
    at_real_window = lg.run(auth.login, username="boss", password="boss", station_code="W01")
    assert (at_practice_window.training, at_real_window.training) == (True, False)
