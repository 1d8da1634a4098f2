"""Composite read use cases of the screens, built only from service read functions.

Each is `fn(session, *, actor, ...)` run through an `Op` like any use case; none writes,
none touches a widget, none uses SQL. They exist so that one screen refresh is one
transaction (a consistent picture), not several.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.errors import NotFound
from app.services import Actor
from app.services.bills import billing, fees
from app.services.clock import business_date, local_time, utcnow
from app.services.desk import shifts
from app.services.desk.payment_plan import LateFeeRule, OpenCharge, plan_payment
from app.services.master import accounts
from app.services.system import settings


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """What the status bar shows. The drawer amount itself is NOT here: the cashier's count
    stays blind; only the over-limit warning (from the cash-desk rules) is."""

    business_date: dt.date
    shift: shifts.ShiftInfo | None
    opened_local: str
    cash_limit: int
    drawer_warning: str | None


def status_info(session, *, actor: Actor) -> StatusInfo:
    from app.services.desk import closes

    shift = shifts.current_shift(session, actor=actor)
    tz = settings.get(session, "timezone")
    bdate = shift.business_date if shift else business_date(utcnow(), tz=tz, cutoff=settings.get(session, "day_cutoff"))
    warning = closes.cash_limit_warning(session, shifts.drawer_balance(session, shift.id)) if shift else None
    opened = local_time(shift.opened_at, tz).strftime("%H:%M") if shift else ""
    return StatusInfo(bdate, shift, opened, settings.get_int(session, "cash_limit"), warning)


def is_demo_ledger(session) -> bool:
    return settings.get(session, "demo") == "1"


@dataclass(frozen=True, slots=True)
class CardView:
    """The account card as of the ledger's business date, with the late fee each overdue
    charge would get if paid in full today (what `payments.pay` will add)."""

    card: accounts.AccountCard
    late_fees: dict[int, int]
    as_of: dt.date


def today(session) -> dt.date:
    return business_date(utcnow(), tz=settings.get(session, "timezone"), cutoff=settings.get(session, "day_cutoff"))


def late_fee_estimates(session, *, actor: Actor, card: accounts.AccountCard, as_of: dt.date) -> dict[int, int]:
    """Per charge id: the late fee the payment service will charge today (the same payment plan)."""
    rules = {f.code: LateFeeRule(f.late_fee_daily_ppm, f.late_fee_grace_days)
             for f in fees.list_fees(session, actor=actor, as_of=as_of) if f.late_fee_daily_ppm}
    principals = [c for c in card.charges if c.kind != "late_fee" and c.outstanding > 0 and c.fee_code in rules]
    if not principals:
        return {}
    charged = billing.late_fees_charged(session, [c.id for c in principals])
    open_charges = []
    for c in principals:
        already, last = charged.get(c.id, (0, None))
        open_charges.append(OpenCharge(c.id, c.fee_code, c.amount, c.outstanding, c.due_date,
                                       late_fee_charged=already, late_fee_until=last))
    return dict(plan_payment(open_charges, (), rules, as_of).late_fees_if_paid)


def card_view(session, *, actor: Actor, code: str) -> CardView:
    as_of = today(session)
    card = accounts.account_card(session, actor=actor, code=code, as_of=as_of)
    return CardView(card, late_fee_estimates(session, actor=actor, card=card, as_of=as_of), as_of)


def open_account(session, *, actor: Actor, text: str, preferred: str = "") -> CardView:
    """The account typed (exact code), else the highlighted hit, else the best search hit."""
    text = (text or "").strip()
    if not text:
        raise NotFound("请输入房号、姓名、电话后四位或拼音首字母")
    if preferred:
        return card_view(session, actor=actor, code=preferred)
    try:
        return card_view(session, actor=actor, code=text)
    except NotFound:
        hits = accounts.search_accounts(session, actor=actor, query=text, limit=2)
        if not hits:
            raise NotFound(f"找不到缴费户“{text}”（可输入房号、姓名、电话后四位或拼音首字母）") from None
        return card_view(session, actor=actor, code=hits[0].code)
