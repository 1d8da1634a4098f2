"""Receipt numbers and the stored receipt document.

A receipt number is taken inside the payment's transaction: from the cashier's issued
range (票据号段) when there is one, otherwise from the station's own sequence. The document
(`ReceiptDoc`) is written once, as JSON, with every figure the printed receipt shows, so a
reprint years later prints exactly the same amounts: printing never recomputes them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from app.errors import NotFound, ReceiptStockError
from app.models import Receipt, ReceiptRange, Station, User
from app.money import Money, format_yuan, to_chinese_upper
from app.services import Actor
from app.services.desk import receipt_mark
from app.services.system import settings

TITLES = {
    "payment": "收款收据",
    "refund": "退款凭证",
    "void": "作废凭证",
    "waiver": "减免凭证",
    "write_off": "核销凭证",
    "deposit_refund": "退押金凭证",
    "prepaid_refund": "预存退款凭证",
}


@dataclass(frozen=True, slots=True)
class TakenNumber:
    receipt_no: str
    number: int
    range_id: int | None


# Prebuilt: one of these runs in every payment. The cashier's own range first, else one
# issued to the station; oldest first. The station counter is bumped and read in one statement.
_RANGE = ReceiptRange.__table__
_OPEN_RANGE = (
    select(_RANGE.c.id, _RANGE.c.prefix, _RANGE.c.next_number, _RANGE.c.first_number, _RANGE.c.last_number)
    .where(or_(_RANGE.c.user_id == bindparam("user_id"),
               and_(_RANGE.c.station_id == bindparam("station_id"), _RANGE.c.user_id.is_(None))),
           _RANGE.c.next_number <= _RANGE.c.last_number)
    .order_by(_RANGE.c.user_id.is_(None), _RANGE.c.id).limit(1).with_for_update())
_BUMP_RANGE = update(_RANGE).where(_RANGE.c.id == bindparam("range_id")).values(next_number=_RANGE.c.next_number + 1)
_STATION = Station.__table__
_BUMP_STATION = (update(_STATION).where(_STATION.c.id == bindparam("station_id"))
                 .values(next_receipt_no=_STATION.c.next_receipt_no + 1)
                 .returning(_STATION.c.next_receipt_no, _STATION.c.receipt_prefix))


def take_number(session: Session, *, station: Station, user: User, training: bool) -> TakenNumber:
    """Next receipt number for this cashier, locked so two windows never take the same one.

    Never a number at or below the receipt mark kept beside the ledger (`receipt_mark`): after
    a restore of an older copy, the counter jumps past the numbers the replaced ledger used.
    """
    width = settings.get_int(session, "receipt_number_width")
    if training:
        # Practice receipts never consume real paper numbers: their own LX series.
        prefix = f"LX{station.code}-"
        n = 1 + session.scalar(select(func.count()).select_from(Receipt).where(Receipt.receipt_no.like(prefix + "%")))
        return TakenNumber(f"{prefix}{n:0{width}d}", n, None)
    while True:
        rng = session.execute(_OPEN_RANGE, {"user_id": user.id, "station_id": station.id}).first()
        if rng is not None:
            session.execute(_BUMP_RANGE, {"range_id": rng.id})
            prefix, number, first, last = rng.prefix, rng.next_number, rng.first_number, rng.last_number
            taken = TakenNumber(f"{prefix}{number:0{width}d}", number, rng.id)
        else:
            if settings.get(session, "require_receipt_ranges") == "1":
                raise ReceiptStockError("没有可用的票据号段，请先向主管领用票据（收款未保存）")
            after, prefix = session.execute(_BUMP_STATION, {"station_id": station.id}).one()
            number, first, last = after - 1, 1, None
            taken = TakenNumber(f"{prefix}{number:0{width}d}", number, None)
        high = receipt_mark.covering(session, prefix, number)
        if high is None:
            receipt_mark.note(session, prefix, first, number)
            return taken
        receipt_mark.skip(session, Actor(user.id, station.code), prefix=prefix, width=width, first_skipped=number,
                          last_skipped=high if last is None else min(high, last), range_id=taken.range_id,
                          station_id=station.id)


def verification_code(session: Session, receipt_no: str, total: int, issued_at: str) -> str:
    """8 hex digits of an HMAC over the receipt's key facts (printed in the QR code)."""
    secret = settings.get(session, "receipt_secret").encode()
    msg = f"{receipt_no}|{total}|{issued_at}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()[:8].upper()


@dataclass(frozen=True, slots=True)
class DocLine:
    """One charge line as printed: fee item, period or meter range, basis, amount paid now."""

    fee: str
    period: str
    basis: str
    charge_amount: int
    amount: int
    late_fee: bool = False


@dataclass(frozen=True, slots=True)
class DocTender:
    method: str
    label: str
    amount: int
    reference: str = ""


@dataclass(frozen=True, slots=True)
class ReceiptDoc:
    """Everything a printed receipt shows, in fen. Built once by the payment, then stored."""

    kind: str  # payment | refund | void
    title: str
    receipt_no: str
    site_name: str
    station: str
    cashier: str
    issued_at: str  # local time, 'YYYY-MM-DD HH:MM:SS'
    business_date: str
    account_code: str
    payer: str
    lines: list[DocLine]
    total: int
    total_upper: str
    tenders: list[DocTender]
    tendered: int
    change: int
    prepaid_added: int
    prepaid_balance: int
    arrears_after: int
    footer: str
    hotline: str
    verify_code: str
    training: bool = False
    original_receipt_no: str = ""
    reason: str = ""
    waivers: list[DocLine] = field(default_factory=list)

    @property
    def qr_payload(self) -> str:
        return f"FEEDESK|{self.receipt_no}|{format_yuan(self.total)}|{self.verify_code}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ReceiptDoc:
        data = json.loads(text)
        data["lines"] = [DocLine(**x) for x in data["lines"]]
        data["waivers"] = [DocLine(**x) for x in data.get("waivers", [])]
        data["tenders"] = [DocTender(**x) for x in data["tenders"]]
        return cls(**data)


def upper(fen: int) -> str:
    return to_chinese_upper(Money(fen))


def receipt_doc(session: Session, receipt_no: str) -> ReceiptDoc:
    rec = session.scalar(select(Receipt).where(Receipt.receipt_no == receipt_no))
    if rec is None:
        raise NotFound(f"找不到收据“{receipt_no}”")
    return ReceiptDoc.from_json(rec.document)
