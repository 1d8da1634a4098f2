"""Two processes of one station whose audit chain has no head yet (a station from before
migration 0006) write their first events at once: both commit, one after the other, in one chain.

Made deterministic as in test_concurrency: window A's events are linked (its new head row
inserted, not committed), window B then commits in a thread and waits for A; A commits.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.models import AuditEvent, AuditHead
from app.services.bills import billing
from app.services.journal import audit
from tests.helpers import at, make_accounts, make_fee
from tests.postgres.test_concurrency import Window, _wait_until_blocked


def test_two_windows_starting_one_station_chain_at_once_both_commit(shared):
    make_accounts(shared, "1-2-301 张三 89.50\n1-2-302 李四 100")
    make_fee(shared, "WXF 维修费 quantity 50 once")
    day = at(dt.date(2026, 11, 20))
    with shared.session() as s:
        assert s.scalar(select(AuditHead.id).where(AuditHead.chain == "W09")) is None  # no head yet
    with shared.factory.begin() as session_a:
        billing.add_charge(session_a, actor=shared.actor("demo", "W09"), account_code="1-2-301", fee_code="WXF",
                           quantity="1", at=day)
        audit._link_pending(session_a)  # what COMMIT does first: A now holds W09's new, uncommitted head
        b = Window(shared, billing.add_charge, actor=shared.actor("lily", "W09"), account_code="1-2-302",
                   fee_code="WXF", quantity="1", at=day)
        b.start()
        _wait_until_blocked(shared)
    b.join(30)
    assert b.error is None, b.error
    with shared.session() as s:
        events = s.execute(select(AuditEvent.seq, AuditEvent.entity_id, AuditEvent.prev_hash, AuditEvent.hash)
                           .where(AuditEvent.chain == "W09").order_by(AuditEvent.seq)).all()
        head = s.execute(select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.chain == "W09")).one()
    assert [e.seq for e in events] == [1, 2]
    assert events[1].entity_id == str(b.result.charge_id) and events[1].prev_hash == events[0].hash
    assert tuple(head) == (2, events[1].hash)
