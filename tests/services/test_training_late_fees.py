"""练习模式 and late fees: a practice payment's late fee never changes the late fee a real payment charges."""

from sqlalchemy import update

from app.models import Station
from tests.helpers import assign_all, bill, card, fen, make_accounts, make_fee, open_shift, pay


def test_practice_late_fee_does_not_lower_the_real_late_fee(ledger):
    make_accounts(ledger, "1-1-101 张三 100")
    make_fee(ledger, "WYF 物业费 area 1 monthly", due_days=15, late_fee_daily="0.001", late_fee_grace=0)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-09")  # 100.00 due 2026-10-15
    with ledger.admin_session() as s, s.begin():  # a station's set-up: the administrator's connection
        s.execute(update(Station).where(Station.code == "W02").values(training=True))
    open_shift(ledger, cashier="lily", station="W02", day="2026-10-25")
    practice = pay(ledger, "1-1-101", "cash=50", cashier="lily", station="W02", day="2026-10-25")
    assert practice.training and [x.amount for x in practice.late_fees] == [fen("1.00")]  # 10 days on 100.00

    open_shift(ledger, day="2026-11-04", float_yuan="100")
    real = pay(ledger, "1-1-101", "cash=200", day="2026-11-04")
    # 20 days (Oct 15 -> Nov 4) on the whole 100.00, as if the practice never happened
    assert not real.training and [x.amount for x in real.late_fees] == [fen("2.00")]
    assert [a.amount for a in real.allocated] == [fen("100.00"), fen("2.00")]
    assert real.change == fen("98.00") and real.arrears_after == 0
    assert card(ledger, "1-1-101", day="2026-11-04").arrears == 0
