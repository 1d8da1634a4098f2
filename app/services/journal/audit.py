"""The hash-chained audit log (DESIGN.md rule 7). Every write calls `record` once.

hash = sha256(prev_hash | seq | time | user | station | action | entity | entity_id | payload).
There is one chain per station (`chain` = the actor's station code, '' without one): each
event's hash covers the previous event of its chain, `seq` counts a chain's events from 1,
and the chain's head row (`audit_head`) holds its last link. Events from before migration
0006 form the chain '' (seq = their id). `first_broken_link` is what `feedesk verify` reports.

`record` queues the event on the session; the events are linked (seq, prev hash, hash) and
the chain's head row locked just before COMMIT (`_link_pending`). A station's head is locked
only by that station's own transactions, so on a shared PostgreSQL ledger windows never wait
for each other here; it is still the LAST lock of every transaction, held only for the
commit, and never part of a deadlock cycle (see services.concurrency). A rolled-back
transaction drops its queued events.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import AuditEvent, AuditHead, Station
from app.services import Actor
from app.services.clock import utcnow
from app.services.journal import sealing


def _digest(prev: str, seq: int, at: str, user_id, station: str, action: str, entity: str,
            entity_id: str, payload: str) -> str:
    text = "|".join([prev, str(seq), at, str(user_id or ""), station, action, entity, entity_id, payload])
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
GENESIS = "0" * 64  # the prev_hash of a chain's first event

# Prebuilt Core statements: every committed write runs these, so they skip the ORM (the unit
# of work cost more than the rest of a payment's audit step).
_EVENTS = AuditEvent.__table__
_HEAD = AuditHead.__table__
_LOCK_HEAD = select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.chain == bindparam("chain")).with_for_update()
_INSERT_EVENTS = insert(_EVENTS)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.chain == bindparam("head_chain")).values(
    last_seq=bindparam("new_seq"), last_hash=bindparam("new_hash"))
# Starting a chain: INSERT ... ON CONFLICT DO NOTHING, so two processes starting the same chain
# at once (an actor whose station code has no seeded head) both go on: the second waits for the
# first's commit and then uses its head, instead of failing the use case with a unique-key error.
# Both dialects have the clause; the window role needs INSERT only.
_START_HEAD = {name: dialect.insert(_HEAD).on_conflict_do_nothing(index_elements=[_HEAD.c.chain])
               for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


def start_chain(session: Session, chain: str) -> None:
    """Seed a chain's head unless it exists (a new station's, at once; see `_START_HEAD`)."""
    session.execute(_START_HEAD[session.get_bind().dialect.name],
                    {"chain": chain, "last_seq": 0, "last_hash": GENESIS})


@sa_event.listens_for(Session, "before_commit")
def _link_pending(session: Session) -> None:
    session.flush()  # everything else first: a head lock is held only for the link and COMMIT
    pending = session.info.pop(_PENDING, None)
    # The rows this transaction wrote, sealed into its last event (refused without an event).
    seal = sealing.seal(session, bool(pending))
    if not pending:
        return
    if seal:
        pending[-1]["payload"] = sealing.add_to_payload(pending[-1]["payload"], seal)
    chains: dict[str, list[dict]] = {}
    for ev in pending:
        chains.setdefault(ev["station"], []).append(ev)
    for chain in sorted(chains):  # one lock order, should a transaction ever write to two chains
        head = session.execute(_LOCK_HEAD, {"chain": chain}).first()
        if head is None:  # stations get their head when added; an unknown station code starts one here
            start_chain(session, chain)
            head = session.execute(_LOCK_HEAD, {"chain": chain}).one()  # ours, or the one that won the race
        seq, prev = head
        for ev in chains[chain]:
            seq += 1
            ev["chain"], ev["seq"], ev["prev_hash"] = chain, seq, prev
            prev = ev["hash"] = _digest(prev, seq, ev["created_at"].isoformat(), ev["user_id"], ev["station"],
                                        ev["action"], ev["entity"], ev["entity_id"], ev["payload"])
        session.execute(_MOVE_HEAD, {"head_chain": chain, "new_seq": seq, "new_hash": prev})
    session.execute(_INSERT_EVENTS, pending)


@sa_event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def chain_name(chain: str) -> str:
    return f"收费点 {chain} 的审计链" if chain else "公共审计链"


def first_broken_link(session: Session) -> str | None:
    """Walk every chain in seq order; name the first event whose link or content is wrong."""
    heads = {chain: (last_seq, last_hash) for chain, last_seq, last_hash in
             session.execute(select(_HEAD.c.chain, _HEAD.c.last_seq, _HEAD.c.last_hash))}
    # The public chain and every station's chain have a head from their start (migrations 0001
    # and 0006, `start_chain`), so a chain deleted together with its head shows by the head.
    headless = sorted(({""} | set(session.scalars(select(Station.code)))) - set(heads))
    if headless:
        return f"{chain_name(headless[0])}没有链尾记录（整条链被删除）"
    chain, seq, prev = None, 0, GENESIS
    for ev in session.scalars(select(AuditEvent).order_by(AuditEvent.chain, AuditEvent.seq)).yield_per(2000):
        if ev.chain != chain:
            broken = chain is not None and _tail_mismatch(chain, seq, prev, heads.pop(chain, None))
            if broken:
                return broken
            chain, seq, prev = ev.chain, 0, GENESIS
        where = f"{chain_name(chain)}第 {seq + 1} 条"
        if ev.chain not in ("", ev.station):  # a station's chain holds only that station's events
            return f"{where}（事件 #{ev.id}）属于收费点 {ev.station}，不应在此链中"
        if ev.seq != seq + 1:
            return f"{where}审计事件缺失（下一条是第 {ev.seq} 条，事件 #{ev.id}）"
        if ev.prev_hash != prev:
            return f"{where}（事件 #{ev.id}）的前链哈希不符（顺序被改动）"
        h = _digest(prev, ev.seq, ev.created_at.isoformat(), ev.user_id, ev.station, ev.action, ev.entity,
                    ev.entity_id, ev.payload)
        if h != ev.hash:
            return f"{where}（事件 #{ev.id}，{ev.action}）内容被改动"
        seq, prev = ev.seq, h
    broken = chain is not None and _tail_mismatch(chain, seq, prev, heads.pop(chain, None))
    if broken:
        return broken
    for chain, (last_seq, _) in sorted(heads.items()):
        if last_seq:
            return f"{chain_name(chain)}的 {last_seq} 条审计事件全部缺失"
    return None


def _tail_mismatch(chain: str, seq: int, last_hash: str, head: tuple[int, str] | None) -> str | None:
    if head is None:
        return f"{chain_name(chain)}没有链尾记录（链尾被删除）"
    if head != (seq, last_hash):
        return f"{chain_name(chain)}链尾不符：记录到第 {head[0]} 条，实际第 {seq} 条"
    return None
