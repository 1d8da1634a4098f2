"""`feedesk verify`: proves the books balance and nothing was edited behind the program's back.

First, on a SQLite ledger, SQLite's own `PRAGMA integrity_check` (pages, indexes, free list):
a damaged file fails here, named, and the books are not read from it (`backup` and `restore`
use the same check through `verify`). Then the checks, in order; the first failure is named
(and the rest still counted):
1. every journal entry sums to zero;
2. each charge's journal outstanding equals amount - allocations - adjustments, and
   allocations never exceed the charge nor go below zero;
3. each payment's stored figures equal its tender lines and allocations, and
   tendered - change = allocated + prepaid kept;
4. no prepaid balance or deposit held is negative;
5. receipt numbers: every number taken from a range or a station sequence is accounted
   for (used, or returned / reported lost) — no unexplained gap;
6. the audit hash chain is intact;
7. every payment, void and refund matches the audit event written with it (amounts, receipt
   number, tenders), and no audited payment is missing: edited, forged or deleted money rows;
8. every stored receipt document shows its own number and its payment's figures;
9. the cash desk's own records agree (services.cashdesk.verify_cash_desk);
10. every financial row, user and setting is accounted for by the seal of an audit event,
    with the same content (services.sealing): forged, edited, added or deleted rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.models import (
    Allocation,
    AuditEvent,
    Charge,
    ChargeAdjustment,
    JournalEntry,
    Payment,
    PaymentKind,
    Posting,
    Receipt,
    ReceiptKind,
    ReceiptNumberEvent,
    ReceiptRange,
    Station,
    TenderLine,
)
from app.services import Actor
from app.services.desk.cashdesk import verify_cash_desk
from app.services.journal import audit, ledger, sealing
from app.services.system import auth


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checks: dict[str, str]
    first_failure: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"ok": self.ok, "first_failure": self.first_failure, "checks": self.checks, "counts": self.counts}


def verify(session: Session, *, actor: Actor | None = None) -> VerifyResult:
    if actor is not None:
        auth.require(session, actor, auth.VERIFY)
    damaged = integrity_problem(session)
    if damaged:
        return VerifyResult(False, {"integrity": damaged}, f"integrity: {damaged}")
    checks: dict[str, str] = {"integrity": "ok"} if session.get_bind().dialect.name == "sqlite" else {}
    for name, fn in CHECKS:
        checks[name] = fn(session) or "ok"
    failures = [f"{name}: {msg}" for name, msg in checks.items() if msg != "ok"]
    counts = {
        "journal_entries": session.scalar(select(func.count()).select_from(JournalEntry)),
        "postings": session.scalar(select(func.count()).select_from(Posting)),
        "charges": session.scalar(select(func.count()).select_from(Charge)),
        "payments": session.scalar(select(func.count()).select_from(Payment)),
        "receipts": session.scalar(select(func.count()).select_from(Receipt)),
    }
    return VerifyResult(not failures, checks, failures[0] if failures else None, counts)


def integrity_problem(session: Session) -> str | None:
    """SQLite's `PRAGMA integrity_check` of the ledger file: the first problems it names, or
    None when the file is sound (and on PostgreSQL, whose storage is the server's business)."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    rows = [r[0] for r in session.execute(text("PRAGMA integrity_check(3)"))]
    if rows == ["ok"]:
        return None
    return "账本文件完整性检查失败（SQLite integrity_check）：" + "；".join(rows) + "。请从备份恢复（feedesk restore）"


def _entries_balanced(session: Session) -> str | None:
    bad = session.execute(select(Posting.entry_id, func.sum(Posting.amount)).group_by(Posting.entry_id)
                          .having(func.sum(Posting.amount) != 0).order_by(Posting.entry_id).limit(1)).first()
    if bad:
        return f"分录 #{bad[0]} 借贷不平（差额 {bad[1]} 分）"
    orphan = session.scalar(select(JournalEntry.id).where(~JournalEntry.id.in_(select(Posting.entry_id)))
                            .order_by(JournalEntry.id).limit(1))
    if orphan:
        return f"分录 #{orphan} 没有任何明细行（记录被删除）"
    return None


def _charges_consistent(session: Session) -> str | None:
    by_charge = ledger.receivable_by_charge().subquery()
    journal = select(by_charge.c.charge_id.label("cid"), by_charge.c.due.label("j")).subquery()
    alloc = (select(Allocation.charge_id.label("cid"), func.sum(Allocation.amount).label("a"))
             .group_by(Allocation.charge_id).subquery())
    # Practice (training) payments allocate but post to the training book: take them out.
    practice = (select(Allocation.charge_id.label("cid"), func.sum(Allocation.amount).label("p"))
                .join(Payment, Payment.id == Allocation.payment_id).where(Payment.training.is_(True))
                .group_by(Allocation.charge_id).subquery())
    adj = (select(ChargeAdjustment.charge_id.label("cid"), func.sum(ChargeAdjustment.amount).label("w"))
           .outerjoin(JournalEntry, JournalEntry.id == ChargeAdjustment.journal_entry_id)
           .where(func.coalesce(JournalEntry.training, False).is_(False))
           .group_by(ChargeAdjustment.charge_id).subquery())
    a = func.coalesce(alloc.c.a, 0) - func.coalesce(practice.c.p, 0)
    w = func.coalesce(adj.c.w, 0)
    j = func.coalesce(journal.c.j, 0)
    q = (select(Charge.id, Charge.amount, a, w, j)
         .outerjoin(journal, journal.c.cid == Charge.id).outerjoin(alloc, alloc.c.cid == Charge.id)
         .outerjoin(practice, practice.c.cid == Charge.id).outerjoin(adj, adj.c.cid == Charge.id)
         .where(Charge.training.is_(False))
         .where((Charge.amount - a - w != j) | (a < 0) | (a + w > Charge.amount) | (Charge.amount <= 0))
         .order_by(Charge.id).limit(1))
    bad = session.execute(q).first()
    if bad:
        cid, amount, paid, adjusted, owed = bad
        return (f"费用 #{cid}：金额 {amount} 分，已收 {paid} 分，减免/核销 {adjusted} 分，"
                f"但账上欠 {owed} 分（记录不一致）")
    orphan = session.scalar(select(Posting.charge_id).where(Posting.charge_id.is_not(None),
                                                            ~Posting.charge_id.in_(select(Charge.id))).limit(1))
    if orphan:
        return f"分录引用了不存在的费用 #{orphan}（记录被删除）"
    return None


def _payments_consistent(session: Session) -> str | None:
    tl = (select(TenderLine.payment_id.label("pid"), func.sum(TenderLine.amount).label("t"))
          .group_by(TenderLine.payment_id).subquery())
    al = (select(Allocation.payment_id.label("pid"), func.sum(Allocation.amount).label("a"))
          .group_by(Allocation.payment_id).subquery())
    t = func.coalesce(tl.c.t, 0)
    a = func.coalesce(al.c.a, 0)
    bad = session.execute(
        select(Payment.id, Payment.receipt_no)
        .outerjoin(tl, tl.c.pid == Payment.id)
        .outerjoin(al, al.c.pid == Payment.id)
        .where(
            (Payment.tendered != t)
            | (Payment.allocated != a)
            | (Payment.tendered - Payment.change != Payment.allocated + Payment.prepaid_added)
        )
        .order_by(Payment.id)
        .limit(1)
    ).first()
    if bad:
        return f"收款 #{bad[0]}（收据 {bad[1]}）的金额与付款明细或分配不符"
    missing = session.scalar(select(Payment.id).where(~Payment.id.in_(select(JournalEntry.payment_id).where(
        JournalEntry.payment_id.is_not(None)))).order_by(Payment.id).limit(1))
    if missing:
        return f"收款 #{missing} 没有记账分录"
    return None


def _balances_not_negative(session: Session) -> str | None:
    for book, name in ((ledger.PREPAID, "预存余额"), (ledger.DEPOSIT_HELD, "押金")):
        bad = session.execute(select(Posting.account_id, func.sum(Posting.amount)).where(Posting.book == book)
                              .group_by(Posting.account_id).having(func.sum(Posting.amount) > 0).limit(1)).first()
        if bad:
            return f"缴费户 #{bad[0]} 的{name}为负数（{-bad[1]} 分）"
    return None


def _receipt_sequence(session: Session) -> str | None:
    """Every number below a counter is used or explained (returned, lost)."""
    explained = set(session.scalars(select(ReceiptNumberEvent.receipt_no).where(
        ReceiptNumberEvent.kind.in_(["returned", "lost", "recovered"]))))
    from app.services.system.settings import get_int

    width = get_int(session, "receipt_number_width")
    # Numbers used, read once for all ranges and once for all station sequences (not once per range).
    used_in_range: dict[int, set[int]] = {}
    for range_id, number in session.execute(select(Receipt.range_id, Receipt.number).where(
            Receipt.range_id.is_not(None))):
        used_in_range.setdefault(range_id, set()).add(number)
    for rng in session.scalars(select(ReceiptRange).order_by(ReceiptRange.id)):
        used = used_in_range.get(rng.id, set())
        for n in range(rng.first_number, rng.next_number):
            no = f"{rng.prefix}{n:0{width}d}"
            if n not in used and no not in explained:
                return f"票据号 {no} 缺失（号段 #{rng.id} 中未使用、未退回、未报损）"
    used_at_station: dict[int, set[int]] = {}
    for station_id, number in session.execute(select(Receipt.station_id, Receipt.number).where(
            Receipt.range_id.is_(None), ~Receipt.receipt_no.like("LX%"))):
        used_at_station.setdefault(station_id, set()).add(number)
    for st in session.scalars(select(Station).order_by(Station.id)):
        used = used_at_station.get(st.id, set())
        for n in range(1, st.next_receipt_no):
            no = f"{st.receipt_prefix}{n:0{width}d}"
            if n not in used and no not in explained:
                return f"票据号 {no} 缺失（收费点 {st.code} 的流水号中断）"
    return None


def _payments_match_audit(session: Session) -> str | None:
    """Each payment, void and refund agrees with the audit event written with it.

    The audit chain proves the events were not edited; this check proves the money rows were
    not edited (or forged, or deleted) behind them, even when an attacker kept the tender
    lines, allocations and journal consistent with the edited row.
    """
    events: dict[str, tuple[int, str, dict]] = {}
    reissued: set[str] = set()
    for ev_id, action, entity_id, payload in session.execute(
            select(AuditEvent.id, AuditEvent.action, AuditEvent.entity_id, AuditEvent.payload)
            .where(AuditEvent.entity == "payment", AuditEvent.action.in_(["payment", "void", "refund"]))
            .order_by(AuditEvent.id)):
        data = _json(payload)
        events.setdefault(entity_id, (ev_id, action, data))
        if action == "refund" and data.get("new_receipt_no"):
            reissued.add(str(data["new_receipt_no"]))
    tenders: dict[int, list[tuple[str, int]]] = {}
    for pid, method, amount in session.execute(select(TenderLine.payment_id, TenderLine.method, TenderLine.amount)):
        tenders.setdefault(pid, []).append((method.value, amount))
    seen: set[str] = set()
    for p in session.execute(select(Payment.id, Payment.kind, Payment.receipt_no, Payment.tendered, Payment.allocated,
                                    Payment.change, Payment.prepaid_added).order_by(Payment.id)).yield_per(5000):
        seen.add(str(p.id))
        event = events.get(str(p.id))
        label = f"收款 #{p.id}（收据 {p.receipt_no}）"
        if event is None:
            if p.kind == PaymentKind.PAYMENT and p.receipt_no in reissued:
                continue
            return f"{label}没有对应的审计事件（记录被伪造或审计被删除）"
        ev_id, action, data = event
        if action != p.kind.value:
            return f"{label}的类型与审计事件 #{ev_id} 不符（记录被改动）"
        if action != "payment":
            continue
        recorded = (data.get("receipt_no"), data.get("tendered"), data.get("allocated"), data.get("change"),
                    data.get("prepaid_added"), sorted((str(m), int(a)) for m, a in data.get("tenders", [])))
        actual = (p.receipt_no, p.tendered, p.allocated, p.change, p.prepaid_added, sorted(tenders.get(p.id, [])))
        if recorded != actual:
            return f"{label}的金额与审计事件 #{ev_id} 记录的不符（记录被改动）"
    for entity_id, (ev_id, _action, data) in events.items():
        if entity_id not in seen:
            return f"审计事件 #{ev_id} 记录的收款 #{entity_id}（收据 {data.get('receipt_no', '')}）不存在（记录被删除）"
    return None


def _receipt_documents(session: Session) -> str | None:
    """Each stored receipt document shows its own number and its payment's figures."""
    payments = {p.id: p for p in session.execute(select(Payment.id, Payment.receipt_no, Payment.tendered,
                                                                Payment.allocated, Payment.change,
                                                                Payment.prepaid_added))}
    for rec in session.execute(select(Receipt.receipt_no, Receipt.kind, Receipt.payment_id, Receipt.document)
                               .order_by(Receipt.id)).yield_per(2000):
        doc = _json(rec.document)
        p = payments.get(rec.payment_id)
        if p is None:
            return f"收据 {rec.receipt_no} 引用了不存在的收款 #{rec.payment_id}（记录被删除）"
        if doc.get("receipt_no") != rec.receipt_no:
            return f"收据 {rec.receipt_no} 的票面收据号为“{doc.get('receipt_no')}”（记录被改动）"
        if rec.kind == ReceiptKind.PAYMENT and (
                # a reprint on pre-numbered paper (preprinted_stock) carries the payment's number as original
                p.receipt_no not in (rec.receipt_no, doc.get("original_receipt_no") or rec.receipt_no)
                or doc.get("total") != p.allocated + p.prepaid_added
                or doc.get("tendered") != p.tendered or doc.get("change") != p.change):
            return f"收据 {rec.receipt_no} 的票面金额与收款 #{p.id}（收据 {p.receipt_no}）不符（记录被改动）"
    return None


def _json(text: str) -> dict:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {"_unreadable": True}
    return data if isinstance(data, dict) else {"_unreadable": True}


CHECKS = [
    ("journal", _entries_balanced),
    ("charges", _charges_consistent),
    ("payments", _payments_consistent),
    ("balances", _balances_not_negative),
    ("receipts", _receipt_sequence),
    ("audit", audit.first_broken_link),
    ("payment_audit", _payments_match_audit),
    ("receipt_documents", _receipt_documents),
    ("cash_desk", verify_cash_desk),
    ("seals", sealing.check),
]
#: The checks and counts as the window shows them (the JSON and `first_failure` keep the keys).
CHECK_NAMES = {"integrity": "账本文件完整性", "journal": "分录借贷平衡", "charges": "应收与收款一致",
               "payments": "收款与分配一致", "balances": "余额无负数", "receipts": "收据号连续",
               "audit": "审计链完整", "payment_audit": "收款与审计记录一致", "receipt_documents": "收据存档一致",
               "cash_desk": "钱箱与班次", "seals": "记录封印"}
COUNT_NAMES = {"journal_entries": "分录", "postings": "记账行", "charges": "应收", "payments": "收款",
               "receipts": "收据"}
