"""Builders from short text and ledger assertions shared by the test suites."""

from __future__ import annotations

import datetime as dt

from app.money import Money
from app.services.bills import billing, fees
from app.services.clock import at_local_noon
from app.services.desk import payments, shifts
from app.services.journal.verify import verify
from app.services.master import accounts


def assert_ledger_balanced(lg) -> None:
    with lg.session() as s:
        result = verify(s)
    assert result.ok, result.first_failure


def at(day: str | dt.date) -> dt.datetime:
    """A UTC time at local noon of a business day ('2026-10-15')."""
    return at_local_noon(dt.date.fromisoformat(day) if isinstance(day, str) else day)


def make_accounts(lg, text: str) -> list[str]:
    """Lines of 'CODE OWNER AREA [PHONE]', e.g. '1-2-301 张三 89.50 13800001234'."""
    admin = lg.actor("admin")
    codes = []
    for line in text.strip().splitlines():
        parts = line.split()
        code, owner, area = parts[0], parts[1], parts[2]
        phone = parts[3] if len(parts) > 3 else ""
        b, e, r = (code.split("-") + ["", "", ""])[:3] if code.count("-") == 2 else ("", "", "")
        lg.run(accounts.add_account, actor=admin, row=accounts.AccountInput(
            building=b, entrance=e, room=r, code=code, area=area, owner=owner, phone=phone))
        codes.append(code)
    return codes


def make_fee(lg, spec: str, **kw):
    """'WYF 物业费 area 2.35 monthly' (code name method rate cycle)."""
    code, name, method, rate, cycle = spec.split()
    return lg.run(fees.add_fee, actor=lg.actor("admin"), code=code, name=name, method=method, rate=rate,
                  cycle=cycle, **kw)


def assign_all(lg, fee_code: str) -> None:
    lg.run(fees.assign_fee, actor=lg.actor("admin"), fee_code=fee_code, all_accounts=True)


def bill(lg, *periods: str):
    return [lg.run(billing.bill_run, actor=lg.actor("admin"), period=p, at=at(p + "-01")) for p in periods]


def open_shift(lg, cashier: str = "demo", float_yuan: str = "0", day: str = "2026-11-25", station: str = "W01"):
    return lg.run(shifts.open_shift, actor=lg.actor(cashier, station), float_amount=float_yuan, at=at(day))


def pay(lg, code: str, *tenders: str, cashier: str = "demo", day: str = "2026-11-25", station: str = "W01", **kw):
    """pay(lg, '1-2-301', 'cash=200', 'wechat=50:REF')"""
    return lg.run(payments.pay, actor=lg.actor(cashier, station), account_code=code,
                  tenders=[payments.parse_tender(t) for t in tenders], at=at(day), **kw)


def card(lg, code: str, day: str = "2026-11-25"):
    return lg.run(accounts.account_card, actor=lg.actor("demo"), code=code, as_of=dt.date.fromisoformat(day))


def fen(yuan: str) -> int:
    return Money.parse(yuan).fen


def put_settings(session, **values: str) -> None:
    """Set settings directly in a test's own transaction, audited as every settings change must be."""
    from app.services.journal import audit
    from app.services.system import settings

    for key, value in values.items():
        settings.put(session, key, value)
        audit.record(session, None, "setting", "setting", key, new=value)
