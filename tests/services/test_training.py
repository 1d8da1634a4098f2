"""练习模式: practice payments work end to end but never touch the real books."""

from sqlalchemy import func, select, update

from app.models import Posting, Station
from app.services import ledger
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


import pytest  # noqa: E402


@pytest.fixture
def ledger_with_training(ledger):
    make_accounts(ledger, "1-1-101 张三 100")
    make_fee(ledger, "WYF 物业费 area 2 monthly", due_days=15)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-10", "2026-11")
    with ledger.admin_session() as s, s.begin():  # a station's set-up: the administrator's connection
        s.execute(update(Station).where(Station.code == "W02").values(training=True))
    open_shift(ledger, cashier="lily", station="W02", float_yuan="100")
    return ledger
