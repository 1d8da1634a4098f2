"""Builders and inspections shared by the reliability suites (through services only)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import (
    Account,
    Allocation,
    AuditEvent,
    Charge,
    FeeAssignment,
    FeeItem,
    JournalEntry,
    MeterReading,
    Payment,
    PaymentKind,
    Person,
    Posting,
    Receipt,
    Setting,
    Shift,
    Tariff,
    TenderLine,
    User,
)
from tests.helpers import assign_all, bill, make_accounts, make_fee, open_shift, pay

ACCOUNTS = """
1-1-101 张三 89.50 13800001234
1-1-102 李四 120.00 13900005678
1-2-201 王五 75.25
1-2-202 赵六 66.00
2-1-101 钱七 101.10 13700009999
2-1-102 孙八 88.88
"""


def populate(lg) -> list[str]:
    codes = make_accounts(lg, ACCOUNTS)
    make_fee(lg, "WYF 物业费 area 2.35 monthly", due_days=15)
    make_fee(lg, "WX 维修费 quantity 10 once")
    make_fee(lg, "SF 水费 metered 3.50 monthly", due_days=10)
    assign_all(lg, "WYF")
    bill(lg, "2026-09", "2026-10")
    open_shift(lg, float_yuan="200")
    pay(lg, "1-1-101", "cash=500")
    pay(lg, "1-1-102", "wechat=100:4200001")
    return codes


def fingerprint(lg) -> tuple:
    """Row counts and sums of every money table: equal before and after a refused operation."""
    with lg.session() as s:
        out = []
        for model, col in ((Payment, Payment.tendered), (Posting, Posting.amount), (Charge, Charge.amount),
                           (Allocation, Allocation.amount), (TenderLine, TenderLine.amount),
                           (Receipt, Receipt.id), (JournalEntry, JournalEntry.id), (AuditEvent, AuditEvent.id),
                           (Account, Account.id), (FeeItem, FeeItem.id), (Tariff, Tariff.rate_e4),
                           (FeeAssignment, FeeAssignment.quantity), (MeterReading, MeterReading.reading_e2),
                           (Shift, Shift.float_amount), (User, User.id), (Setting, func.length(Setting.value)),
                           (Person, Person.id)):
            out.append((model.__tablename__, s.scalar(select(func.count()).select_from(model)),
                        s.scalar(select(func.coalesce(func.sum(col), 0)))))
        return tuple(out)


def half_written_payments(session) -> list[str]:
    """Payments missing a part that commits with them: receipt, tenders, journal entry, audit event."""
    problems = []
    with_receipt = set(session.scalars(select(Receipt.payment_id)))
    with_tender = set(session.scalars(select(TenderLine.payment_id)))
    with_entry = set(session.scalars(select(JournalEntry.payment_id).where(JournalEntry.payment_id.is_not(None))))
    audited = set(session.scalars(select(AuditEvent.entity_id).where(AuditEvent.entity == "payment")))
    for pid, no, kind, reason in session.execute(select(Payment.id, Payment.receipt_no, Payment.kind, Payment.reason)):
        parts = [("分录", with_entry)]
        if kind == PaymentKind.PAYMENT:  # a void keeps the original's receipt row; it has none of its own
            parts += [("收据", with_receipt), ("付款明细", with_tender)]
        for part, ids in parts:
            if pid not in ids:
                problems.append(f"收款 #{pid}（{no}）缺少{part}")
        if str(pid) not in audited and not reason.startswith("部分退费后重开"):
            problems.append(f"收款 #{pid}（{no}）缺少审计事件")
    return problems
