"""Builders for the cash-desk tests: an estate with bills, shifts, counts and approvals from short text."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.models import AuditEvent, Posting
from app.services.desk import closes, corrections, settlement
from app.services.desk.cashdesk import parse_count
from tests.helpers import assign_all, at, bill, fen, make_accounts, make_fee, open_shift, pay

DAY = "2026-11-25"


def estate(lg):
    """Three units each owing 物业费 100.00 a month for Sep, Oct, Nov 2026 (fixed fee, no late fee)."""
    make_accounts(lg, "1-1-101 张三 100\n1-1-102 李四 90\n1-1-103 王五 80")
    make_fee(lg, "WYF 物业费 fixed 100 monthly", due_days=15)
    assign_all(lg, "WYF")
    bill(lg, "2026-09", "2026-10", "2026-11")
    return lg


def count(text: str) -> dict[int, int]:
    """count('100=3,50=1') -> {10000: 3, 5000: 1}"""
    return parse_count(text)


def close(lg, text: str, cashier: str = "demo", station: str = "W01", day: str = DAY, **kw):
    return lg.run(closes.close_shift, actor=lg.actor(cashier, station), count=count(text), at=at(day), **kw)


def accept(lg, shift_id: int, supervisor: str = "boss", day: str = DAY, **kw):
    return lg.run(closes.accept_close, actor=lg.actor(supervisor), shift_id=shift_id, at=at(day), **kw)


def move(lg, kind: str, amount: str, cashier: str = "demo", station: str = "W01", day: str = DAY, **kw):
    kw.setdefault("reason", "测试")
    return lg.run(closes.move_cash, actor=lg.actor(cashier, station), kind=kind, amount=amount, at=at(day), **kw)


def void(lg, receipt_no: str, cashier: str = "demo", approver: str = "boss", day: str = DAY, station: str = "W01",
         **kw):
    kw.setdefault("reason", "收错户")
    return lg.run(corrections.void_payment, actor=lg.actor(cashier, station), receipt_no=receipt_no, approver=approver,
                  approver_password=approver, at=at(day), **kw)


def refund(lg, receipt_no: str, tender: str = "cash", cashier: str = "demo", approver: str = "boss",
           day: str = DAY, **kw):
    kw.setdefault("reason", "重复缴费")
    return lg.run(corrections.refund_payment, actor=lg.actor(cashier), receipt_no=receipt_no, tender=tender,
                  approver=approver, approver_password=approver, at=at(day), **kw)


def settle(lg, day: str = DAY, supervisor: str = "boss"):
    d = dt.date.fromisoformat(day)
    return lg.run(settlement.settle_day, actor=lg.actor(supervisor), day=d, at=at(d + dt.timedelta(days=1)))


def book(lg, name: str, **dims) -> int:
    with lg.session() as s:
        q = select(func.coalesce(func.sum(Posting.amount), 0)).where(Posting.book == name)
        for k, v in dims.items():
            q = q.where(getattr(Posting, k) == v)
        return int(s.scalar(q))


def audit_count(lg) -> int:
    with lg.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def drawer(lg, shift_id: int, tender: str = "cash") -> int:
    return book(lg, "drawer", shift_id=shift_id, tender=tender)


__all__ = ["DAY", "accept", "assign_all", "at", "audit_count", "bill", "book", "close", "count", "drawer", "estate",
           "fen", "make_accounts", "make_fee", "move", "open_shift", "pay", "refund", "settle", "void"]


def audit_actions_after(lg, count: int) -> list[str]:
    """Actions of the audit events written after the first `count` ones."""
    with lg.session() as s:
        return list(s.scalars(select(AuditEvent.action).where(AuditEvent.id > count).order_by(AuditEvent.id)))
