"""Locks that keep many windows on one shared ledger correct. Callers: services only.

On SQLite every write transaction starts with `BEGIN IMMEDIATE` (app/db/engine.py), so
writers are already one at a time and every function here costs nothing. On PostgreSQL
transactions run at READ COMMITTED side by side, and these locks are what make the rules
hold. The protocol (no cycle can form: row locks are taken shift -> account -> counter, the
settlement holds its day lock but waits for no row lock, and the station's audit head comes last):

1. shift row        `shifts.open_shift_of(lock=True)`: closes, voids, refunds, cash moves;
                    a payment share-locks it (`shifts.cashier_at_window`), so a close waits
                    for payments in flight and a payment never lands in a closed shift.
2. account row      `lock_account`: every use case that reads an account's outstanding
                    charges, prepaid or deposit balance and then writes money against them
                    (pay, void, refund, balance refunds, waivers, write-offs, price
                    overrides) locks the account row first (SELECT ... FOR NO KEY UPDATE;
                    the payment reads and locks it in one go, `find_account(lock=True)`).
                    Two cashiers paying the same charge therefore run one after the other:
                    the second re-reads the journal after the first committed and is told
                    "already paid at window N" (`payments._explain_missing`); a prepaid
                    balance is read under the lock, so concurrent spending can never take
                    it below zero. The account row, not the charge rows, is locked on
                    purpose: the window role may not UPDATE ledger tables, and PostgreSQL
                    requires UPDATE privilege for SELECT ... FOR UPDATE on a table.
                    FOR NO KEY UPDATE still lets a bill run insert charges for the account.
3. business day     `ledger.post` takes `hold_day_for_posting` (a SHARED transaction-level
                    advisory lock on the day): any number of windows post into a day at once.
                    `settlement.settle_day` takes `hold_day_for_settlement` (EXCLUSIVE) as
                    its first step: it waits until every in-flight posting into that day has
                    committed, and while it runs no new posting can start; after it commits,
                    the period guard (read after the lock, so it sees the settlement) refuses
                    them. Month close holds every day of the month the same way.
4. receipt counter  `receipts.take_number`: the range or station row (FOR UPDATE), so
                    numbers never collide; the unique key on receipt_no backs it up.
5. audit chain head `audit` links the transaction's events at COMMIT time into its own
                    station's chain (one chain per station, migration 0006), so the head row
                    is the last lock taken, held only for the commit, and only that station's
                    own transactions ever wait for it: windows never queue for each other.

Deadlocks (PostgreSQL aborts one transaction) and serialization failures are turned into
`ConcurrentUpdate` ("请刷新后重试") on the engine (app/db/engine.py); nothing is written.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from app.models import Account

#: First key of FeeDesk's two-key advisory locks ('FD' + 1): never clashes with other apps'
#: single-key locks on the same server.
ADVISORY_NAMESPACE = 0x4644_0001


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_LOCK_ACCOUNT = select(Account.id).where(Account.id == bindparam("account_id")).with_for_update(key_share=True)


def lock_account(session: Session, account_id: int | None) -> None:
    """Serialise money changes of one account (step 2 above). No-op for walk-in payments."""
    if account_id is None:
        return
    session.execute(_LOCK_ACCOUNT, {"account_id": account_id})


def _day_key(day: dt.date) -> int:
    return day.toordinal()  # fits PostgreSQL's int4 second key


def hold_day_for_posting(session: Session, day: dt.date) -> None:
    """Shared lock on a business day until commit (documented PostgreSQL feature, on purpose)."""
    if _is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:ns, :day)"),
                        {"ns": ADVISORY_NAMESPACE, "day": _day_key(day)})


def hold_day_for_settlement(session: Session, day: dt.date) -> None:
    """Exclusive lock on a business day until commit: waits for, then blocks, its postings."""
    if _is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:ns, :day)"),
                        {"ns": ADVISORY_NAMESPACE, "day": _day_key(day)})


def hold_month_for_closing(session: Session, first: dt.date, last: dt.date) -> None:
    """Exclusive locks on every day of a month, in date order (month close)."""
    day = first
    while day <= last:
        hold_day_for_settlement(session, day)
        day += dt.timedelta(days=1)
