"""The window's preview of the late fees and `pay` agree: the amount due shown is what is charged."""

import datetime as dt

from app.services.desk import reads
from tests.helpers import assign_all, bill, card, make_accounts, make_fee, open_shift, pay


def preview(lg, code: str, day: str) -> dict[int, int]:
    as_of = dt.date.fromisoformat(day)
    return lg.run(reads.late_fee_estimates, actor=lg.actor("demo"), card=card(lg, code, day=day), as_of=as_of)


def test_the_preview_announces_the_late_fees_that_pay_charges(ledger):
    make_accounts(ledger, "1-1-101 张三 100\n1-1-102 李四 80")
    make_fee(ledger, "WYF 物业费 area 1 monthly", due_days=15, late_fee_daily="0.001", late_fee_grace=0)
    make_fee(ledger, "SF 水费 fixed 30 monthly", due_days=10, late_fee_daily="0.002", late_fee_grace=5)
    make_fee(ledger, "TCF 停车费 fixed 50 monthly", due_days=10)  # no late fee
    for fee in ("WYF", "SF", "TCF"):
        assign_all(ledger, fee)
    bill(ledger, "2026-08", "2026-09", "2026-10")
    open_shift(ledger, cashier="lily", station="W02", day="2026-10-20", float_yuan="500")
    # A first partial payment charges some late fees: the later ones accrue only new days, up to the cap.
    first_preview = preview(ledger, "1-1-101", "2026-10-20")
    first = pay(ledger, "1-1-101", "cash=150", cashier="lily", station="W02", day="2026-10-20")
    charged = {x.parent_charge_id: x.amount for x in first.late_fees}
    assert charged and charged == {cid: fee for cid, fee in first_preview.items() if cid in charged}

    open_shift(ledger, day="2026-11-30", float_yuan="500")
    for code in ("1-1-101", "1-1-102"):
        estimates = preview(ledger, code, "2026-11-30")
        owed = card(ledger, code, day="2026-11-30")
        due = sum(c.outstanding for c in owed.charges) + sum(estimates.values())
        assert estimates and due > 0
        r = pay(ledger, code, f"cash={due // 100}.{due % 100:02d}", day="2026-11-30")
        assert {x.parent_charge_id: x.amount for x in r.late_fees} == estimates
        assert r.change == 0 and r.arrears_after == 0 and sum(a.amount for a in r.allocated) == due
        assert card(ledger, code, day="2026-11-30").arrears == 0
        assert preview(ledger, code, "2026-11-30") == {}
