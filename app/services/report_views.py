"""Reads the window's reports and account history need beyond `services.reports`.

- `takings_by_hour`: money taken per tender and local hour of one business day (the
  "through the day" chart beside the day report). Counted as `reports.income` counts its
  tenders (tender lines signed by payment kind, cash net of change, deposit and prepaid
  refunds out of their tender), so the hours of a tender add up to the income report's figure.
- `account_history`: one account's money events (payments and their receipts, voids,
  refunds, waivers, write-offs, deposit and prepaid refunds), all its charges, and its
  dunning contacts, for the account card's history dialog.

Read-only; no Qt, no reportlab. Callers must not write through these DTOs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.labels import TENDER_NAMES
from app.models import (
    BalanceRefund,
    Charge,
    ChargeAdjustment,
    FeeItem,
    Payment,
    PaymentKind,
    TenderLine,
    User,
)
from app.money import format_yuan
from app.services import Actor
from app.services.clock import local_time
from app.services.collection import dunning
from app.services.master import accounts
from app.services.master.accounts import find_account
from app.services.reports import BALANCE_REFUND_LABELS, KIND_LABELS
from app.services.system import auth, settings


@dataclass(frozen=True, slots=True)
class HourlyTakings:
    day: dt.date
    #: Tender name -> 24 amounts in fen (index = local hour), tenders in TENDER_NAMES order.
    by_tender: dict[str, list[int]]

    def totals(self) -> dict[str, int]:
        return {k: sum(v) for k, v in self.by_tender.items()}


def takings_by_hour(session: Session, *, actor: Actor, day: dt.date) -> HourlyTakings:
    # A day's takings per tender include the open shifts' drawers: not for a cashier before her
    # blind count (supervisors, administrators and auditors hold VERIFY; cashiers do not).
    auth.require(session, actor, auth.VERIFY)
    tz = settings.get(session, "timezone")
    hours: dict[str, list[int]] = defaultdict(lambda: [0] * 24)
    paid = select(Payment.id, Payment.kind, Payment.created_at, Payment.change).where(
        Payment.business_date == day, Payment.training.is_(False)
    )
    changes = {}
    for pid, kind, created, change in session.execute(paid):
        sign = 1 if kind == PaymentKind.PAYMENT else -1
        hour = local_time(created, tz).hour
        changes[pid] = (sign, hour)
        if change:
            hours[TENDER_NAMES["cash"]][hour] -= sign * abs(int(change))
    if changes:
        for pid, method, amount in session.execute(
            select(TenderLine.payment_id, TenderLine.method, TenderLine.amount)
            .join(Payment, Payment.id == TenderLine.payment_id)
            .where(Payment.business_date == day, Payment.training.is_(False))
        ):
            sign, hour = changes[pid]
            hours[TENDER_NAMES.get(method.value, method.value)][hour] += sign * abs(int(amount))
    for created, tender, amount in session.execute(
        select(BalanceRefund.created_at, BalanceRefund.tender, BalanceRefund.amount).where(
            BalanceRefund.business_date == day, BalanceRefund.training.is_(False)
        )
    ):
        hours[TENDER_NAMES.get(tender, tender)][local_time(created, tz).hour] -= int(amount)
    order = list(TENDER_NAMES.values())
    ordered = sorted(hours.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    return HourlyTakings(day, {k: v for k, v in ordered if any(v)})


# ---- the account card's history ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MoneyEvent:
    business_date: dt.date
    time: str  # local HH:MM
    kind: str  # 收款 作废 退费 减免 核销 退押金 预存退款 …
    receipt_no: str
    amount: int  # money in (+) / out (-); for 减免/核销 the reduction of the charge (-)
    detail: str  # tenders, or the fee and period adjusted
    operator: str
    reason: str


@dataclass(frozen=True, slots=True)
class AccountHistory:
    code: str
    owner: str
    charges: list[accounts.ChargeRow]  # every charge, paid ones too, oldest due first
    events: list[MoneyEvent]  # oldest first
    contacts: list[dunning.ContactEntry]
    first_day: dt.date | None  # the earliest day of any of it (the statement's natural start)


def account_history(session: Session, *, actor: Actor, account_code: str) -> AccountHistory:
    auth.require(session, actor, auth.READ)
    acc = find_account(session, account_code)
    card = accounts.account_card(session, actor=actor, code=acc.code, include_paid=True)
    tz = settings.get(session, "timezone")
    users = dict(session.execute(select(User.id, User.display_name)).all())
    fee_names = dict(session.execute(select(FeeItem.id, FeeItem.name)).all())
    found: list[tuple[dt.datetime, MoneyEvent]] = []

    pays = (
        session.execute(
            select(Payment)
            .where(Payment.account_id == acc.id, Payment.training.is_(False))
            .order_by(Payment.id)
        )
        .scalars()
        .all()
    )
    tenders: dict[int, list[str]] = defaultdict(list)
    originals = {p.id: p.receipt_no or "" for p in pays}
    if pays:
        for pid, method, amount in session.execute(
            select(TenderLine.payment_id, TenderLine.method, TenderLine.amount)
            .where(TenderLine.payment_id.in_(originals))
            .order_by(TenderLine.id)
        ):
            tenders[pid].append(
                f"{TENDER_NAMES.get(method.value, method.value)} {format_yuan(abs(int(amount)))}"
            )
    for p in pays:
        sign = 1 if p.kind == PaymentKind.PAYMENT else -1
        reason = p.reason or ""
        if p.reverses_payment_id:
            reason = f"原收据 {originals.get(p.reverses_payment_id, '')} {reason}".strip()
        found.append(
            (
                p.created_at,
                MoneyEvent(
                    p.business_date,
                    local_time(p.created_at, tz).strftime("%H:%M"),
                    KIND_LABELS.get(p.kind.value, p.kind.value),
                    p.receipt_no or "",
                    sign * (abs(p.tendered) - abs(p.change)),
                    "、".join(tenders[p.id]),
                    users.get(p.user_id, ""),
                    reason,
                ),
            )
        )
    for adj, fee_id, period in session.execute(
        select(ChargeAdjustment, Charge.fee_item_id, Charge.period)
        .join(Charge, Charge.id == ChargeAdjustment.charge_id)
        .where(Charge.account_id == acc.id)
        .order_by(ChargeAdjustment.id)
    ):
        found.append(
            (
                adj.created_at,
                MoneyEvent(
                    adj.business_date,
                    local_time(adj.created_at, tz).strftime("%H:%M"),
                    KIND_LABELS.get(adj.kind.value, adj.kind.value),
                    "",
                    -int(adj.amount),
                    f"{fee_names.get(fee_id, '')} {period or ''}".strip(),
                    users.get(adj.user_id, ""),
                    adj.reason or "",
                ),
            )
        )
    for r in session.scalars(
        select(BalanceRefund)
        .where(BalanceRefund.account_id == acc.id, BalanceRefund.training.is_(False))
        .order_by(BalanceRefund.id)
    ):
        found.append(
            (
                r.created_at,
                MoneyEvent(
                    r.business_date,
                    local_time(r.created_at, tz).strftime("%H:%M"),
                    BALANCE_REFUND_LABELS.get(r.kind, r.kind),
                    "",
                    -int(r.amount),
                    f"{TENDER_NAMES.get(r.tender, r.tender)} {format_yuan(int(r.amount))}",
                    users.get(r.user_id, ""),
                    r.reason or "",
                ),
            )
        )
    found.sort(key=lambda t: t[0])
    events = [e for _, e in found]
    contacts = dunning.contact_history(session, actor=actor, account_code=acc.code)
    days = [e.business_date for e in events] + [c.business_date for c in contacts]
    days += [c.due_date for c in card.charges]
    days += session.scalars(
        select(Charge.business_date)
        .where(Charge.account_id == acc.id)
        .order_by(Charge.business_date)
        .limit(1)
    ).all()
    return AccountHistory(
        acc.code, acc.owner_name, card.charges, events, contacts, min(days) if days else None
    )
