"""清欠率 by month: the arrears at the start of a month are a fact of that day, whatever --to is.

Hand-computed ledger: four units at 100.00 a month, billed July to October.
- A pays July on 07-20 (nothing of July owed on 08-01);
- B pays July on 09-10 (recovered in September);
- C's July is waived on 09-05; D's July is written off on 10-05.
Arrears at the start of August (July still owed on 08-01): B, C, D = 300.00.
Arrears at the start of September (July and August owed on 09-01): A 100 (Aug), B 200, C 200, D 200 = 700.00.
Recovered in September: B's July 100.00 (a waiver is not money recovered).
"""

import pytest

from app.services import reports
from app.services.desk import corrections
from tests.helpers import assign_all, at, bill, card, fen, make_accounts, make_fee, open_shift, pay


@pytest.fixture
def four(ledger):
    make_accounts(ledger, "1-1-101 甲 50\n1-1-102 乙 50\n1-1-103 丙 50\n1-1-104 丁 50")
    make_fee(ledger, "WYF 物业费 area 2.00 monthly", due_days=15)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-07", "2026-08", "2026-09", "2026-10")
    july = {c: next(x.id for x in card(ledger, c, day="2026-07-01").charges if x.period == "2026-07")
            for c in ("1-1-101", "1-1-102", "1-1-103", "1-1-104")}
    open_shift(ledger, day="2026-07-20")
    pay(ledger, "1-1-101", "cash=100", day="2026-07-20", charge_ids=[july["1-1-101"]])
    pay(ledger, "1-1-102", "cash=100", day="2026-09-10", charge_ids=[july["1-1-102"]])
    ledger.run(corrections.waive, actor=ledger.actor("demo"), charge_id=july["1-1-103"], reason="空置",
               approver="boss", approver_password="boss", at=at("2026-09-05"))
    ledger.run(corrections.write_off, actor=ledger.actor("demo"), charge_id=july["1-1-104"], reason="无法收回",
               approver="boss", approver_password="boss", at=at("2026-10-05"))
    return ledger


def months(lg, to):
    r = lg.run(reports.collection_rate, actor=lg.actor("boss"), from_period="2026-08", to_period=to, by="month")
    return {row.key: row for row in r.rows}


@pytest.mark.parametrize("to", ["2026-08", "2026-09", "2026-10"])
def test_opening_arrears_of_a_month_do_not_depend_on_to(four, to):
    aug = months(four, to)["2026-08"]
    assert aug.arrears_start == fen("300")
    assert aug.recovered == 0


@pytest.mark.parametrize("to", ["2026-09", "2026-10"])
def test_september_arrears_and_recovery(four, to):
    sep = months(four, to)["2026-09"]
    assert (sep.arrears_start, sep.recovered) == (fen("700"), fen("100"))
    assert sep.recovery_rate.text == "14.29%"
