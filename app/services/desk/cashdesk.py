"""Shared rules of the cash desk: closed periods, maker-checker approval, counts, dates.

`check_open_day` (a day money may still be dated on; every `ledger.post` itself refuses a
settled day or a closed month through `ledger.period_guard`) and `approval_for`, the one
decision of whether a correction needs a supervisor. Callers must not check settlements
themselves.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import ApprovalRequired, InvalidInput, PeriodClosed
from app.models import (
    Approval,
    DaySettlement,
    MonthClose,
    Payment,
    PaymentCorrection,
    PaymentKind,
    Posting,
    Receipt,
    ShiftAccept,
    User,
)
from app.money import Money, format_yuan
from app.services import Actor
from app.services.clock import local_time
from app.services.journal import ledger
from app.services.system import auth, settings

ACTION_NAMES = {
    "void": "作废", "refund": "退费", "deposit_refund": "退押金", "prepaid_refund": "预存退款",
    "waiver": "减免", "write_off": "核销", "price_override": "改价", "close_difference": "轧帐差额",
    "backdate": "补记收款（非本班次营业日）", "charge_amount": "按金额录入费用", "receipt_lost": "票据报损",
}

#: Actions that always need a second person with supervisor rights, whatever the settings say:
#: money going back out or a charge given up (void, refunds, waiver, write-off), a payment
#: dated outside its shift's business day, an ad-hoc charge at a typed amount instead of the
#: catalogue price, and receipts reported lost. Settings may only add approvals (`approval_required`
#: lists more actions; a role limit applies only to actions that are not listed here).
MANDATORY_APPROVAL = frozenset({"void", "refund", "deposit_refund", "prepaid_refund", "waiver", "write_off",
                                "backdate", "charge_amount", "receipt_lost"})


# ---- closed periods ---------------------------------------------------------------------

def day_settled(session: Session, day: dt.date) -> bool:
    return session.scalar(select(DaySettlement.id).where(DaySettlement.business_date == day)) is not None


def month_closed(session: Session, month: str) -> bool:
    return session.scalar(select(MonthClose.id).where(MonthClose.month == month)) is not None


def check_open_day(session: Session, day: dt.date, today: dt.date | None) -> None:
    """A day money may still be dated on: not after today, after the last settled day, in an open month.

    Days before the last settlement count as closed even where no settlement row names them
    (1900-01-01 is no open day on a ledger settled up to yesterday). `today=None` skips the
    future check (opening a shift: its payments are checked against today when they are taken).
    """
    if today is not None and day > today:
        raise PeriodClosed(f"不能记入未来的营业日 {day}（今天是 {today}）")
    last = session.scalar(select(func.max(DaySettlement.business_date)))
    if last is not None and day <= last:
        raise PeriodClosed(f"营业日 {day} 不是未日结的日期（已日结到 {last}），不能记入该日")
    ledger.period_guard(session, day, False)


# ---- time -------------------------------------------------------------------------------

def bdate(session: Session, at: dt.datetime) -> dt.date:
    return settings.business_day(session, at)


def local(session: Session, at: dt.datetime) -> dt.datetime:
    return local_time(at, settings.get(session, "timezone"))


# ---- approval ---------------------------------------------------------------------------

def approval_needed(session: Session, user: User, action: str, amount: int) -> bool:
    """The actions of `MANDATORY_APPROVAL` always need a supervisor; so do those the setting
    `approval_required` lists; otherwise an amount above the requester's role limit
    (`correction_limit_<role>`, fen) needs one."""
    if action in MANDATORY_APPROVAL:
        return True
    required = {a.strip() for a in settings.get(session, "approval_required").split(",") if a.strip()}
    if action in required:
        return True
    limit = settings.get(session, f"correction_limit_{user.role.value}")
    return amount > int(limit or 0)


def approval_for(session: Session, actor: Actor, user: User, *, action: str, amount: int, reason: str,
                 approver: str | None, approver_password: str | None, reference: str = "") -> Approval | None:
    """The Approval row of a correction, checked here (never only in the UI).

    A named approver is always checked (even when not required). Without one, the correction
    is refused when it needs approval (`approval_needed`: always for `MANDATORY_APPROVAL`).
    A reason is always required.
    """
    if not reason or not reason.strip():
        raise InvalidInput(f"{ACTION_NAMES.get(action, action)}必须填写原因")
    if approver:
        return auth.approve(session, actor=actor, action=action, approver=approver,
                            approver_password=approver_password or "", reason=reason, reference=reference,
                            amount=amount)
    if approval_needed(session, user, action, amount):
        raise ApprovalRequired(f"{ACTION_NAMES.get(action, action)}需要主管审批：请由另一位主管输入用户名和密码")
    return None


# ---- counts -----------------------------------------------------------------------------

def denominations(session: Session) -> list[int]:
    return [int(x) for x in settings.get(session, "denominations").split(",") if x.strip()]


def parse_count(text: str) -> dict[int, int]:
    """'100=3,50=1,0.5=2' -> {10000: 3, 5000: 1, 50: 2} (denomination in yuan = number of notes)."""
    out: dict[int, int] = {}
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        face, sep, qty = part.partition("=")
        if not sep or not qty.strip().isdigit():
            raise InvalidInput(f"点钞格式不正确：“{part}”（例：100=3,50=1,0.5=2）")
        fen = Money.parse(face).fen
        out[fen] = out.get(fen, 0) + int(qty)
    return out


def parse_slips(text: str) -> dict[str, tuple[int, int | None]]:
    """'card=3,wechat=2:450.00' -> {"card": (3, None), "wechat": (2, 45000)} (slips, optional total)."""
    out: dict[str, tuple[int, int | None]] = {}
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        method, sep, rest = part.partition("=")
        n, _, amount = rest.partition(":")
        if not sep or not n.strip().isdigit():
            raise InvalidInput(f"单据张数格式不正确：“{part}”（例：card=3 或 card=3:450.00）")
        out[method.strip().lower()] = (int(n), Money.parse(amount).fen if amount.strip() else None)
    return out


def check_count(session: Session, count: dict[int, int]) -> int:
    """Validate a cash count against the configured denominations; return the total in fen."""
    allowed = set(denominations(session))
    total = 0
    for face, qty in count.items():
        if face not in allowed:
            names = "、".join(format_yuan(d).removesuffix(".00") for d in sorted(allowed, reverse=True))
            raise InvalidInput(f"面额 {format_yuan(face)} 元不在点钞面额中（{names}）")
        if type(qty) is not int or qty < 0:
            raise InvalidInput("张数必须是非负整数")
        total += face * qty
    return total


def yuan_map(figures: dict[str, int]) -> dict[str, str]:
    return {k: format_yuan(v) for k, v in figures.items()}


def dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


# ---- invariants checked by `feedesk verify` ---------------------------------------------

def verify_cash_desk(session: Session) -> str | None:
    """Cash-desk invariants: corrections point to a payment once, voids stay in their shift and
    keep the voided receipt in the sequence, and an accepted shift's drawer is empty."""
    orig = Payment.__table__.alias("orig")
    bad = session.execute(
        select(Payment.id, Payment.kind, orig.c.kind, orig.c.shift_id, Payment.shift_id)
        .outerjoin(orig, orig.c.id == Payment.reverses_payment_id)
        .where(Payment.kind.in_([PaymentKind.VOID, PaymentKind.REFUND]))
        .where((orig.c.id.is_(None)) | (orig.c.kind != PaymentKind.PAYMENT.value)
               | ((Payment.kind == PaymentKind.VOID) & (orig.c.shift_id != Payment.shift_id))
               | ~Payment.id.in_(select(PaymentCorrection.correction_payment_id)))
        .order_by(Payment.id).limit(1)).first()
    if bad:
        return f"更正 #{bad[0]} 没有指向一笔收款、作废不在原班次或缺少更正记录"
    twice = session.execute(select(Payment.reverses_payment_id).where(Payment.reverses_payment_id.is_not(None))
                            .group_by(Payment.reverses_payment_id).having(func.count() > 1).limit(1)).first()
    if twice:
        return f"收款 #{twice[0]} 被作废或退费了不止一次"
    lost = session.scalar(select(PaymentCorrection.payment_id).where(
        PaymentCorrection.kind == "void", ~PaymentCorrection.payment_id.in_(select(Receipt.payment_id))).limit(1))
    if lost:
        return f"作废的收款 #{lost} 的收据号不在票据序列中"
    # Only shifts accepted through `closes.accept_close` (a shift_accept row) remit their drawer;
    # history imported in bulk as already accepted has no close and is not checked here.
    open_drawer = session.execute(
        select(Posting.shift_id, func.sum(Posting.amount)).join(ShiftAccept, ShiftAccept.shift_id == Posting.shift_id)
        .where(Posting.book == ledger.DRAWER)
        .group_by(Posting.shift_id).having(func.sum(Posting.amount) != 0).limit(1)).first()
    if open_drawer:
        return f"已验收的班次 #{open_drawer[0]} 钱箱账上仍有 {format_yuan(int(open_drawer[1]))} 元"
    return None
