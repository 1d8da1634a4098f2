"""The hash-chained audit log (DESIGN.md rule 7). Every write calls `record` once.

hash = sha256(prev_hash | id | time | user | station | action | entity | entity_id | payload).
The chain head (table `audit_head`) is locked by each writer, so two windows never fork it.
`first_broken_link` is what `feedesk verify` reports.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
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
           **payload: object) -> AuditEvent:
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one()
    at = utcnow()
    ev_id = head.last_event_id + 1
    body = canonical(payload)
    user_id = actor.user_id if actor else None
    station = actor.station_code if actor else ""
    h = _digest(head.last_hash, ev_id, at.isoformat(), user_id, station, action, entity, str(entity_id), body)
    event = AuditEvent(id=ev_id, created_at=at, user_id=user_id, station=station, action=action,
                       entity=entity, entity_id=str(entity_id), payload=body, prev_hash=head.last_hash, hash=h)
    session.add(event)
    head.last_event_id = ev_id
    head.last_hash = h
    return event


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
