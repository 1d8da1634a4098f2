"""A ledger with known numbers for the report tests (built through the services).

Four accounts, 物业费 2.00 元/㎡·月, billed 2026-09 and 2026-10:

| account | building | area | monthly | 2026-09 paid | 2026-10 paid |
|---------|----------|------|---------|--------------|--------------|
| 1-1-101 | 1 | 100 | 200.00 | 200 on 09-20 | 200 on 10-10 (cash 300, change 100) |
| 1-1-102 | 1 | 100 | 200.00 | — | — |
| 2-1-101 | 2 | 50  | 100.00 | 100 on 09-20 | 50 on 10-12 (part) |
| 2-1-102 | 2 | 50  | 100.00 | 100 on 09-25 | 100 on 10-15 (wechat) |

October: due 600.00, collected 350.00 (58.33%), households 2 of 4, arrears at start 200.00.
`with_extras` adds a prepayment of 300.00 (2-1-102, 10-20) and the old-arrears recovery of
1-1-102's September charge (200.00 on 10-25); neither may change October's rate.
"""

from __future__ import annotations

import pytest

from app.services.master import accounts
from tests.helpers import assign_all, bill, make_accounts, make_fee, open_shift, pay


def build_known(lg):
    make_accounts(lg, """
1-1-101 张三 100.00 13800001111
1-1-102 李四 100.00 13800002222
2-1-101 王五 50.00 13800003333
2-1-102 赵六 50.00 13800004444
""")
    make_fee(lg, "WYF 物业费 area 2.00 monthly", due_days=15)
    assign_all(lg, "WYF")
    bill(lg, "2026-09", "2026-10")
    open_shift(lg, day="2026-09-20")
    sep = {code: _charge_id(lg, code, "2026-09") for code in ("1-1-101", "1-1-102", "2-1-101", "2-1-102")}
    pay(lg, "1-1-101", "cash=200", day="2026-09-20", charge_ids=[sep["1-1-101"]])
    pay(lg, "2-1-101", "cash=100", day="2026-09-20", charge_ids=[sep["2-1-101"]])
    pay(lg, "2-1-102", "cash=100", day="2026-09-25", charge_ids=[sep["2-1-102"]])
    pay(lg, "1-1-101", "cash=300", day="2026-10-10")  # Oct 200.00, change 100.00
    pay(lg, "2-1-101", "cash=50", day="2026-10-12")
    pay(lg, "2-1-102", "wechat=100:WX1", day="2026-10-15")
    return sep


def add_extras(lg, sep):
    pay(lg, "2-1-102", "cash=300", day="2026-10-20", change_to_prepaid=True)
    pay(lg, "1-1-102", "alipay=200:ALI1", day="2026-10-25", charge_ids=[sep["1-1-102"]])


def _charge_id(lg, code, period):
    card = lg.run(accounts.account_card, actor=lg.actor("demo"), code=code)
    return next(c.id for c in card.charges if c.period == period)


@pytest.fixture
def known(ledger):
    ledger.sep = build_known(ledger)
    return ledger


@pytest.fixture
def known_extras(known):
    add_extras(known, known.sep)
    return known
