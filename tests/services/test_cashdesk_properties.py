"""Property test: random days at the cash desk settle to the sum of their closes.

Each example runs a few business days on a fresh ledger: shifts at two windows, payments in
cash and WeChat, voids, refunds of earlier payments, cash in/out, closes with random counts,
acceptance and settlement. It checks what a supervisor relies on: the drawer's expected cash
equals the journal's drawer balance and an independent running total; the settlement's
per-tender totals equal the sum of the day's closes; the journal balances (verify is green).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import FeeDeskError
from app.services.desk import closes, corrections
from tests.conftest import Ledger, fresh_ledger
from tests.helpers import assert_ledger_balanced, at, fen
from tests.services.cashdesk_helpers import (
    assign_all,
    bill,
    make_accounts,
    make_fee,
    open_shift,
    pay,
    settle,
)

CODES = [f"1-1-{n}" for n in range(101, 109)]
WINDOWS = {"demo": "W01", "lily": "W02"}


def _estate(lg) -> None:
    make_accounts(lg, "\n".join(f"{c} 业主{c} 90" for c in CODES))
    make_fee(lg, "WYF 物业费 fixed 100 monthly", due_days=15)
    assign_all(lg, "WYF")
    bill(lg, "2026-08", "2026-09", "2026-10")


def _notes(fen_total: int) -> dict[int, int]:
    out = {}
    for face in (10000, 5000, 2000, 1000, 500, 100, 50, 10):
        out[face], fen_total = divmod(fen_total, face)
    return {k: v for k, v in out.items() if v}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_random_days_settle_to_the_sum_of_their_closes(template_db, data):
    with fresh_ledger(template_db) as lg:
        _estate(lg)
        _run_days(lg, data)
        assert_ledger_balanced(lg)


def _run_days(lg: Ledger, data) -> None:
    refundable: list[str] = []  # receipts of accepted shifts, not yet corrected
    for day_no in range(data.draw(st.integers(1, 3), label="days")):
        day = (dt.date(2026, 11, 20) + dt.timedelta(days=day_no)).isoformat()
        cashiers = data.draw(st.sampled_from([["demo"], ["lily"], ["demo", "lily"]]), label="cashiers")
        day_closes = []
        for cashier in cashiers:
            station = WINDOWS[cashier]
            float_yuan = data.draw(st.sampled_from([0, 100, 500]), label="float")
            shift = open_shift(lg, cashier, str(float_yuan), day=day, station=station)
            expected = {"cash": fen(str(float_yuan))}
            mine: list[tuple[str, int, str]] = []  # (receipt, drawer effect, tender)
            for _ in range(data.draw(st.integers(0, 6), label="ops")):
                op = data.draw(st.sampled_from(["pay", "pay", "wechat", "void", "refund", "top_up", "drop"]))
                if op in ("pay", "wechat"):
                    code = data.draw(st.sampled_from(CODES))
                    yuan = data.draw(st.integers(1, 400))
                    try:
                        r = pay(lg, code, f"cash={yuan}" if op == "pay" else f"wechat={min(yuan, 100)}:W",
                                cashier=cashier, station=station, day=day)
                    except Exception as exc:  # nothing owed, or more WeChat than owed: refused, nothing written
                        assert type(exc).__name__ == "PaymentRefused"
                        continue
                    tender = "cash" if op == "pay" else "wechat"
                    effect = r.total_tendered - r.change
                    expected[tender] = expected.get(tender, 0) + effect
                    mine.append((r.receipt_no, effect, tender))
                elif op == "void" and mine:
                    no, effect, tender = mine.pop(data.draw(st.integers(0, len(mine) - 1)))
                    void = dict(actor=lg.actor(cashier, station), receipt_no=no, reason="错", approver="boss",
                                approver_password="boss", at=at(day))
                    if tender == "cash" and expected["cash"] < effect:  # dropped meanwhile: the drawer can't pay it
                        with pytest.raises(FeeDeskError, match="钱箱现金"):
                            lg.run(corrections.void_payment, **void)
                        continue
                    lg.run(corrections.void_payment, **void)
                    expected[tender] -= effect
                elif op == "refund" and refundable:
                    no = refundable.pop(data.draw(st.integers(0, len(refundable) - 1)))
                    tender = "cash" if expected["cash"] >= fen("400") else "wechat"
                    r = lg.run(corrections.refund_payment, actor=lg.actor(cashier, station), receipt_no=no,
                               tender=tender, reason="退", approver="boss2", approver_password="boss2", at=at(day),
                               amount=data.draw(st.sampled_from([None, "1"])))
                    if tender == "cash":
                        expected["cash"] -= r.amount
                elif op == "top_up":
                    lg.run(closes.move_cash, actor=lg.actor(cashier, station), kind="top_up", amount="50",
                           reason="补零钱", at=at(day))
                    expected["cash"] += fen("50")
                elif op == "drop" and expected["cash"] >= fen("100"):
                    lg.run(closes.move_cash, actor=lg.actor(cashier, station), kind="drop", amount="100",
                           reason="投库", at=at(day))
                    expected["cash"] -= fen("100")
            # drawer expected = journal drawer balance = the independent running total
            with lg.session() as s:
                for tender, value in expected.items():
                    assert closes._expected(s, shift.id).get(tender, 0) == value
            delta = data.draw(st.sampled_from([0, 0, 1000, -1000, -8000]), label="delta fen")
            counted = max(0, expected["cash"] + delta)
            kw = {"reason": "点钞差异"} if counted != expected["cash"] else {}
            if abs(counted - expected["cash"]) > fen("50"):
                kw.update(approver="boss", approver_password="boss")
            c = lg.run(closes.close_shift, actor=lg.actor(cashier, station), count=_notes(counted), at=at(day), **kw)
            assert c.expected["cash"] == expected["cash"]
            assert c.counted["cash"] == counted
            day_closes.append(c)
            lg.run(closes.accept_close, actor=lg.actor("boss"), shift_id=shift.id, at=at(day))
            refundable += [no for no, _, _ in mine]
        result = settle(lg, day)
        for key in ("expected", "counted", "difference"):
            total: dict[str, int] = {}
            for c in day_closes:
                for tender, value in getattr(c, key).items():
                    total[tender] = total.get(tender, 0) + value
            assert result.totals["tenders"][key] == total
        assert result.cash_due_to_bank == sum(c.summary.cash_takings for c in day_closes)
        assert result.totals["short"] == sum(c.shortage for c in day_closes)
