"""The payment plan (收款计划): what a payment does with its money, before anything is written.

`plan_payment` is pure: plain values in, plain values out, no session, no clock. `payments.pay`
reads the account, plans, checks the plan against its refusal rules, then writes it; the
window's preview plans the same way, so the amount due it shows is what `pay` will charge.

- Money goes to the open charges oldest due first (due date, then id); a charge gets at most
  what it still owes; what is not enough for everything leaves the newest charges open.
- A principal charge whose fee has a late-fee rule gets its late fee (formula in `billing`)
  only when money reaches it; the late fee is a new charge paid right after its principal.
- What is left over is change, or prepaid balance when the payer keeps it (`to_prepaid`).
All amounts are integer fen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from app.services.bills.billing import late_fee


@dataclass(frozen=True, slots=True)
class TenderInput:
    method: str
    amount: int  # fen
    reference: str = ""


@dataclass(frozen=True, slots=True)
class LateFeeRule:
    """A fee item's late-fee terms: parts per million of the outstanding per day after the grace days."""

    daily_ppm: int
    grace_days: int


@dataclass(frozen=True, slots=True)
class OpenCharge:
    """An open charge of the account as the plan sees it."""

    id: int
    fee: Hashable  # key of its fee item's late-fee rule in `rules` (the caller's choice: id or code)
    amount: int  # the charge itself (the late-fee cap)
    outstanding: int  # what it still owes
    due_date: dt.date
    is_late_fee: bool = False  # a late-fee charge never gets a late fee of its own
    late_fee_charged: int = 0  # late fees already charged on it (real ones only)
    late_fee_until: dt.date | None = None  # the day the last of them was charged up to


@dataclass(frozen=True, slots=True)
class PlannedLateFee:
    parent_charge_id: int  # the principal; the late-fee charge itself is written by `pay`
    amount: int


@dataclass(frozen=True, slots=True)
class PlannedAllocation:
    charge_id: int  # the charge paid; for a late fee (`late_fee`), its principal's id
    amount: int
    late_fee: bool = False


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    allocations: tuple[PlannedAllocation, ...]  # in paying order
    late_fees: tuple[PlannedLateFee, ...]  # new late-fee charges: money reaches their principal
    #: charge id -> the late fee it gets when money reaches it (all of them when paid in full):
    #: what the window adds to the amount due.
    late_fees_if_paid: Mapping[int, int]
    due: int  # everything open plus the new late fees
    tendered: int
    cash: int
    prepaid_tender: int
    change: int
    to_prepaid: int

    @property
    def allocated(self) -> int:
        return sum(a.amount for a in self.allocations)

    @property
    def noncash(self) -> int:
        return self.tendered - self.cash


def plan_payment(charges: Sequence[OpenCharge], tenders: Sequence[TenderInput],
                 rules: Mapping[Hashable, LateFeeRule], as_of: dt.date, *,
                 to_prepaid: bool = False) -> PaymentPlan:
    """Plan a payment of `tenders` against `charges` with late fees as of `as_of` (today)."""
    tendered = sum(t.amount for t in tenders)
    money_left = tendered
    allocations: list[PlannedAllocation] = []
    late_fees: list[PlannedLateFee] = []
    if_paid: dict[int, int] = {}
    due = 0
    for charge in sorted(charges, key=lambda c: (c.due_date, c.id)):
        if charge.outstanding <= 0:
            continue
        due += charge.outstanding
        take = min(charge.outstanding, money_left)
        if take > 0:
            allocations.append(PlannedAllocation(charge.id, take))
            money_left -= take
        fee = _late_fee(charge, rules.get(charge.fee), as_of)
        if fee > 0:
            if_paid[charge.id] = fee
        if take > 0 and fee > 0:
            late_fees.append(PlannedLateFee(charge.id, fee))
            due += fee
            lf_take = min(fee, money_left)
            if lf_take > 0:
                allocations.append(PlannedAllocation(charge.id, lf_take, late_fee=True))
                money_left -= lf_take
    return PaymentPlan(
        allocations=tuple(allocations), late_fees=tuple(late_fees), late_fees_if_paid=if_paid, due=due,
        tendered=tendered, cash=sum(t.amount for t in tenders if t.method == "cash"),
        prepaid_tender=sum(t.amount for t in tenders if t.method == "prepaid"),
        change=0 if to_prepaid else money_left, to_prepaid=money_left if to_prepaid else 0)


def _late_fee(charge: OpenCharge, rule: LateFeeRule | None, as_of: dt.date) -> int:
    if charge.is_late_fee or rule is None or not rule.daily_ppm:
        return 0
    return late_fee(outstanding=charge.outstanding, principal=charge.amount,
                    already_charged=charge.late_fee_charged, due_date=charge.due_date,
                    grace_days=rule.grace_days, daily_ppm=rule.daily_ppm,
                    accrued_until=charge.late_fee_until, as_of=as_of)
