"""Seals (issue #17): the rows a use case writes are bound into its audit event; a write that
records no audit event is refused. Tamper cases are in tests/reliability/test_tamper.py."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from app.models import (
    AuditEvent,
    Charge,
    JournalEntry,
    Payment,
    Posting,
    Receipt,
    Role,
    TenderLine,
    User,
)
from app.services.journal import ledger as books
from app.services.journal.sealing import Unsealed
from app.services.journal.verify import verify
from tests.helpers import assign_all, bill, make_accounts, make_fee, open_shift, pay


@pytest.fixture
def billed(ledger):
    make_accounts(ledger, "1-1-101 张三 89.50\n1-1-102 李四 120.00")
    make_fee(ledger, "WYF 物业费 area 2.35 monthly", due_days=15)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-10")
    open_shift(ledger)
    return ledger


def _count(lg, model) -> int:
    with lg.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_journal_entry_without_an_audit_event_is_refused_and_nothing_is_written(billed):
    actor = billed.actor("boss")

    def post_quietly(session):
        books.post(session, actor=actor, kind="adjust", business_date=dt.date(2026, 11, 25), lines=[
            books.Line(books.SAFE, 100), books.Line(books.BANK, -100)])

    before = (_count(billed, JournalEntry), _count(billed, Posting))
    with pytest.raises(Unsealed, match="没有审计记录"):
        billed.run(post_quietly)
    assert (_count(billed, JournalEntry), _count(billed, Posting)) == before


def test_a_role_change_without_an_audit_event_is_refused(billed):
    def promote(session):
        session.scalar(select(User).where(User.username == "demo")).role = Role.ADMIN

    with pytest.raises(Unsealed):  # the owner's connection: the window role may not write users at all
        billed.admin_run(promote)
    with billed.session() as s:
        assert s.scalar(select(User.role).where(User.username == "demo")) == Role.CASHIER


def test_the_failed_login_counter_moves_without_an_event_and_verify_stays_green(billed):
    def miscount(session):
        session.scalar(select(User).where(User.username == "demo")).failed_logins += 1

    billed.run(miscount)
    assert billed.run(verify).ok


def test_a_payment_seals_all_its_rows_in_its_audit_event(billed):
    r = pay(billed, "1-1-101", "cash=100", "wechat=50:WX9")
    with billed.session() as s:
        txn = s.scalar(select(Payment.txn).where(Payment.id == r.payment_id))
        entry = s.scalar(select(JournalEntry.id).where(JournalEntry.payment_id == r.payment_id))
        assert txn is not None
        assert s.scalar(select(TenderLine.txn).where(TenderLine.payment_id == r.payment_id).limit(1)) == txn
        assert s.scalar(select(Receipt.txn).where(Receipt.payment_id == r.payment_id)) == txn
        postings = s.scalar(select(func.count()).select_from(Posting).where(Posting.txn == txn))
        assert postings == s.scalar(select(func.count()).select_from(Posting).where(Posting.entry_id == entry))
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "payment", AuditEvent.entity_id
                                                   == str(r.payment_id))).one()
    seal = json.loads(event.payload)["seal"]
    assert seal["txn"] == str(txn)
    assert seal["rows"]["payment"][0] == 1 and seal["rows"]["tender_line"][0] == 2
    assert seal["rows"]["posting"][0] == postings


def test_a_bill_run_seals_its_charges_written_in_bulk(billed):
    bill(billed, "2026-11")
    with billed.session() as s:
        rows = s.execute(select(Charge.txn, func.count()).where(Charge.period == "2026-11")
                         .group_by(Charge.txn)).all()
    assert len(rows) == 1 and rows[0][0] is not None and rows[0][1] == 2
    assert billed.run(verify).ok
