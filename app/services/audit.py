"""The hash-chained audit log (DESIGN.md rule 7). Every write calls `record` once.

hash = sha256(prev_hash | id | time | user | station | action | entity | entity_id | payload).
The chain head (table `audit_head`) is locked by each writer, so two windows never fork it.
`first_broken_link` is what `feedesk verify` reports.

`record` queues the event on the session; the events are linked into the chain (id, prev
hash, hash) and the head row locked just before COMMIT (`_link_pending`). On a shared
PostgreSQL ledger this keeps the one row every writer needs as the LAST lock of every
transaction, held only for the commit: it can never be part of a deadlock cycle, and
windows are serialised only for that instant (see services.concurrency). A rolled-back
transaction drops its queued events.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from app.models import AuditEvent, AuditHead
from app.services import Actor
from app.services.clock import utcnow


def _digest(prev: str, ev_id: int, at: str, user_id, station: str, action: str, entity: str,
            entity_id: str, payload: str) -> str:
    text = "|".join([prev, str(ev_id), at, str(user_id or ""), station, action, entity, entity_id, payload])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def record(session: Session, actor: Actor | None, action: str, entity: str = "", entity_id: object = "", /,
           **payload: object) -> None:
    """Queue one audit event; it gets its id and hashes when the transaction commits."""
    session.info.setdefault(_PENDING, []).append({
        "created_at": utcnow(), "user_id": actor.user_id if actor else None,
        "station": actor.station_code if actor else "", "action": action, "entity": entity,
        "entity_id": str(entity_id), "payload": canonical(payload)})


_PENDING = "feedesk_audit_pending"

# Prebuilt Core statements: every committed write runs these three, so they skip the ORM
# (the unit of work cost more than the rest of a payment's audit step).
_EVENTS = AuditEvent.__table__
_HEAD = AuditHead.__table__
_LOCK_HEAD = select(_HEAD.c.last_event_id, _HEAD.c.last_hash).where(_HEAD.c.id == 1).with_for_update()
_INSERT_EVENTS = insert(_EVENTS)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(last_event_id=bindparam("new_id"),
                                                          last_hash=bindparam("new_hash"))


@sa_event.listens_for(Session, "before_commit")
def _link_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # everything else first: the head lock is held only for the link and COMMIT
    last_id, last_hash = session.execute(_LOCK_HEAD).one()
    for ev in pending:
        last_id += 1
        ev["id"], ev["prev_hash"] = last_id, last_hash
        last_hash = ev["hash"] = _digest(last_hash, last_id, ev["created_at"].isoformat(), ev["user_id"],
                                         ev["station"], ev["action"], ev["entity"], ev["entity_id"], ev["payload"])
    session.execute(_INSERT_EVENTS, pending)
    session.execute(_MOVE_HEAD, {"new_id": last_id, "new_hash": last_hash})


@sa_event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def first_broken_link(session: Session) -> str | None:
    """Walk the chain in id order; name the first event whose link or content is wrong."""
    prev = "0" * 64
    expected_id = 1
    last_id = 0
    for ev in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(2000):
        if ev.id != expected_id:
            return f"审计事件 #{expected_id} 缺失（下一条是 #{ev.id}）"
        if ev.prev_hash != prev:
            return f"审计事件 #{ev.id} 的前链哈希不符（顺序被改动）"
        h = _digest(prev, ev.id, ev.created_at.isoformat(), ev.user_id, ev.station, ev.action, ev.entity,
                    ev.entity_id, ev.payload)
        if h != ev.hash:
            return f"审计事件 #{ev.id}（{ev.action}）内容被改动"
        prev = ev.hash
        expected_id += 1
        last_id = ev.id
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_event_id != last_id or head.last_hash != prev):
        return f"审计链尾不符：记录到 #{head.last_event_id}，实际 #{last_id}"
    return None
