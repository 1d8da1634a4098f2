"""The double-entry journal: the only place postings are inserted (DESIGN.md rule 3).

`post(session, ...)` writes one journal entry and its lines and refuses lines that do not
sum to zero, or a business date that is settled. Balances anywhere in the program are
sums of postings, read through the functions at the bottom of this module.

Sign convention: debit > 0, credit < 0. Books (ledger accounts) and their dimensions:

| book            | dims              | meaning                                          |
|-----------------|-------------------|--------------------------------------------------|
| receivable      | account, fee, charge | what the payer owes (应收), debit balance     |
| revenue         | fee               | own income per fee item, credit balance          |
| late_fee        | fee               | 滞纳金 income per principal fee item              |
| passthrough     | fee               | 代收代缴 owed to a third party                    |
| deposit_billed  | account, fee      | deposit charged but not yet paid                 |
| deposit_held    | account, fee      | 押金 paid and held for the payer                 |
| prepaid         | account           | 预存 held for future charges, credit balance    |
| drawer          | shift, tender     | money and slips in a shift's drawer              |
| safe            | -                 | the safe (floats come from it, drops go to it)   |
| bank            | -                 | money banked (解款)                              |
| over_short      | shift             | 长短款: overage income / shortage expense         |
| cashier_owed    | user              | shortages and counterfeit notes owed by a cashier |
| waiver          | fee               | 减免 expense                                      |
| bad_debt        | fee               | 核销 expense                                      |
| refund_payable  | -                 | refunds paid out by non-cash tenders             |
| training        | same dims         | 练习模式: every line of a training entry except the |
|                 |                   | training shift's own drawer lands here           |

Training mode (练习模式) touches no real book: `post(training=True)` moves every line except
the drawer (which belongs to the training shift) to the `training` book, keeping its
dimensions for the record, so practice payments never reduce a real receivable, prepaid
balance, the safe or income — while the practice shift still counts and closes its drawer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import bindparam, case, event, func, insert, select
from sqlalchemy.orm import Session

from app.errors import FeeDeskError, PeriodClosed
from app.models import DaySettlement, JournalEntry, MonthClose, Posting
from app.services import Actor
from app.services.clock import utcnow
from app.services.journal import concurrency

RECEIVABLE = "receivable"
REVENUE = "revenue"
LATE_FEE = "late_fee"
PASSTHROUGH = "passthrough"
DEPOSIT_BILLED = "deposit_billed"
DEPOSIT_HELD = "deposit_held"
PREPAID = "prepaid"
DRAWER = "drawer"
SAFE = "safe"
BANK = "bank"
OVER_SHORT = "over_short"
CASHIER_OWED = "cashier_owed"
WAIVER = "waiver"
BAD_DEBT = "bad_debt"
REFUND_PAYABLE = "refund_payable"
TRAINING = "training"


@dataclass(frozen=True, slots=True)
class Line:
    book: str
    amount: int
    account_id: int | None = None
    fee_item_id: int | None = None
    shift_id: int | None = None
    tender: str | None = None
    user_id: int | None = None
    charge_id: int | None = None


class UnbalancedEntry(FeeDeskError):
    message = "记账分录借贷不平，已拒绝"


# Both closed-period checks in one prebuilt statement: it runs for the first posting of each
# business day of a transaction.
_CLOSED = select(select(MonthClose.id).where(MonthClose.month == bindparam("month")).exists(),
                 select(DaySettlement.id).where(DaySettlement.business_date == bindparam("day")).exists())


def period_guard(session: Session, day: dt.date, training: bool) -> None:
    """Refuse a real posting dated in a settled day or a closed month (training never locks).

    Called by `post` itself (DESIGN.md rule 5), so no import order or registration decides
    whether the rule holds."""
    if training:
        return
    month = f"{day.year:04d}-{day.month:02d}"
    month_is_closed, day_is_settled = session.execute(_CLOSED, {"month": month, "day": day}).one()
    if month_is_closed:
        raise PeriodClosed(f"{month} 已月结，不能再记入该月（更正请记在当前营业日）")
    if day_is_settled:
        raise PeriodClosed(f"营业日 {day} 已日结，不能再记入该日（更正请记在当前营业日）")


#: session.info key: (business date, training) pairs this transaction holds and found open.
#: Cleared when the transaction ends, and by a use case that closes a day or month.
CHECKED_DAYS = "feedesk_checked_days"


@event.listens_for(Session, "after_transaction_end")
def _forget_checked_days(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(CHECKED_DAYS, None)


_INSERT_ENTRY = insert(JournalEntry.__table__)
_INSERT_POSTINGS = insert(Posting.__table__)


def post(session: Session, *, actor: Actor, kind: str, business_date: dt.date, lines: list[Line],
         shift_id: int | None = None, payment_id: int | None = None, station_id: int | None = None,
         reverses_entry_id: int | None = None, memo: str = "", training: bool = False) -> int:
    """Insert one balanced journal entry; returns its id. Zero lines are dropped; no lines is an error."""
    lines = [ln for ln in lines if ln.amount != 0]
    if not lines:
        raise UnbalancedEntry("记账分录为空")
    if any(type(ln.amount) is not int for ln in lines):
        raise UnbalancedEntry("金额必须是整数分")
    if sum(ln.amount for ln in lines) != 0:
        raise UnbalancedEntry()
    if training:
        lines = [ln if ln.book == DRAWER else replace(ln, book=TRAINING) for ln in lines]
    # Shared lock on the business day (PostgreSQL): a day settlement waits for this entry to
    # commit, and the guards below then read after any settlement (see services.concurrency).
    # Both hold until COMMIT, so a second entry of the same transaction (a payment's late fees,
    # then the payment) need not repeat them.
    checked = session.info.setdefault(CHECKED_DAYS, set())
    if (business_date, training) not in checked:
        concurrency.hold_day_for_posting(session, business_date)
        period_guard(session, business_date, training)
        checked.add((business_date, training))
    # Core inserts: a payment posts on every call, and the ORM unit of work cost more than the rows.
    entry_id = session.execute(_INSERT_ENTRY, {
        "kind": kind, "business_date": business_date, "created_at": utcnow(), "user_id": actor.user_id,
        "station_id": station_id, "shift_id": shift_id, "payment_id": payment_id,
        "reverses_entry_id": reverses_entry_id, "memo": memo, "training": training}).inserted_primary_key[0]
    session.execute(_INSERT_POSTINGS, [
        {"entry_id": entry_id, "book": ln.book, "amount": ln.amount, "account_id": ln.account_id,
         "fee_item_id": ln.fee_item_id, "shift_id": ln.shift_id, "tender": ln.tender,
         "user_id": ln.user_id, "charge_id": ln.charge_id}
        for ln in lines
    ])
    return entry_id


def balance(session: Session, book: str, **dims: object) -> int:
    """Sum of a book's postings, filtered by dimension columns (account_id=..., shift_id=...)."""
    q = select(func.coalesce(func.sum(Posting.amount), 0)).where(Posting.book == book)
    for name, value in dims.items():
        q = q.where(getattr(Posting, name) == value)
    return int(session.scalar(q))


_ACCOUNT_BALANCES = (select(Posting.book, func.sum(Posting.amount))
                     .where(Posting.book.in_([RECEIVABLE, PREPAID]), Posting.account_id == bindparam("account_id"))
                     .group_by(Posting.book))


def account_balances(session: Session, account_id: int) -> tuple[int, int]:
    """(receivable, prepaid) of one payer account in one read: what it owes, what it holds (> 0)."""
    sums = dict(session.execute(_ACCOUNT_BALANCES, {"account_id": account_id}).all())
    return int(sums.get(RECEIVABLE, 0)), -int(sums.get(PREPAID, 0))


def charge_outstanding(session: Session, charge_ids: list[int]) -> dict[int, int]:
    """Receivable balance per charge (what is still owed), from the journal."""
    if not charge_ids:
        return {}
    rows = session.execute(
        select(Posting.charge_id, func.sum(Posting.amount))
        .where(Posting.book == RECEIVABLE, Posting.charge_id.in_(charge_ids))
        .group_by(Posting.charge_id)
    )
    out = {cid: 0 for cid in charge_ids}
    out.update({cid: int(total) for cid, total in rows})
    return out


def receivable_by_charge():
    """SELECT (charge_id, due) over every charge: the receivable balance per charge.

    Written as a CASE over `charge_id IS NOT NULL` so that SQLite reads it from the covering
    index posting(charge_id, book, amount) in charge order (filtering on book made it pick
    the book index and sort millions of rows). Callers add HAVING / joins.
    """
    due = func.sum(case((Posting.book == RECEIVABLE, Posting.amount), else_=0))
    return select(Posting.charge_id.label("charge_id"), due.label("due")).where(
        Posting.charge_id.is_not(None)).group_by(Posting.charge_id)
