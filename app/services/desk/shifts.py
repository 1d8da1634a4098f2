"""Shifts (班次): a cashier's session at a station, its float and its drawer.

Every payment, refund and cash movement belongs to the cashier's open shift; posting with
no open shift is refused (`open_shift_of`). The drawer is the journal book `drawer`
keyed by shift and tender, so expected cash is a journal sum, never a stored figure.
Importing `cashdesk` here registers the closed-period guard for every `ledger.post`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, ShiftError
from app.models import Shift, ShiftStatus, Site, Station, User
from app.money import Money
from app.services import Actor
from app.services.clock import utcnow
from app.services.desk import cashdesk
from app.services.journal import audit, ledger
from app.services.system import auth, settings


@dataclass(frozen=True, slots=True)
class ShiftInfo:
    id: int
    station: str
    cashier: str
    status: str
    business_date: dt.date
    float_amount: int
    opened_at: dt.datetime
    training: bool


def _info(session: Session, shift: Shift) -> ShiftInfo:
    station = session.get(Station, shift.station_id)
    cashier = session.get(User, shift.cashier_id)
    return ShiftInfo(shift.id, station.code, cashier.display_name, shift.status.value, shift.business_date,
                     shift.float_amount, shift.opened_at, shift.training)


_OPEN_SHIFT = select(Shift).where(Shift.cashier_id == bindparam("user_id"), Shift.station_id == bindparam("station_id"),
                                  Shift.status == ShiftStatus.OPEN)
_OPEN_SHIFT_LOCKED = _OPEN_SHIFT.with_for_update()


def open_shift_of(session: Session, user: User, station: Station, *, lock: bool = False) -> Shift:
    """The cashier's open shift at this station, or ShiftError."""
    shift = session.scalars(_OPEN_SHIFT_LOCKED if lock else _OPEN_SHIFT,
                            {"user_id": user.id, "station_id": station.id}).first()
    if shift is None:
        raise ShiftError("当前没有开班，请先开班（备用金领用）再收款")
    return shift


# The calling cashier, the station, its site and the open shift in one read (a payment's first
# step). The shift row is share-locked (PostgreSQL; step 1 of services.concurrency): a close of
# the shift (FOR UPDATE) waits until the payment has committed, and a payment that had to wait
# for a close finds the shift closed, so no payment lands in a shift after its close was counted.
_AT_WINDOW = (
    select(User, Station, Site, Shift)
    .join(Shift, and_(Shift.cashier_id == User.id, Shift.status == ShiftStatus.OPEN))
    .join(Station, and_(Station.id == Shift.station_id, Station.code == bindparam("station_code")))
    .join(Site, Site.id == Station.site_id)
    .where(User.id == bindparam("user_id")).limit(1)
    .with_for_update(read=True, of=Shift))


def cashier_at_window(session: Session, actor: Actor, permission: str) -> tuple[User, Station, Site, Shift]:
    """`auth.require`, `auth.station_of` and `open_shift_of` in one statement, same refusals."""
    row = session.execute(_AT_WINDOW, {"user_id": actor.user_id, "station_code": actor.station_code}).first()
    if row is None:  # a refusal: the reads one by one say which
        user = auth.require(session, actor, permission)
        station = auth.station_of(session, actor)
        return user, station, session.get(Site, station.site_id), open_shift_of(session, user, station)
    return auth.check(row.User, permission), row.Station, row.Site, row.Shift


def is_training(user: User, station: Station) -> bool:
    return bool(user.training or station.training)


def open_shift(session: Session, *, actor: Actor, float_amount: str = "0", float_by: str | None = None,
               at: dt.datetime | None = None) -> ShiftInfo:
    """Open a shift with a float (备用金) from the safe: one open shift per cashier and station."""
    user = auth.require(session, actor, auth.SHIFT)
    station = auth.station_of(session, actor)
    amount = Money.parse(float_amount).fen
    at = at or utcnow()
    for cond, who in ((Shift.cashier_id == user.id, "您"), (Shift.station_id == station.id, "本收费点")):
        other = session.scalars(select(Shift).where(cond, Shift.status == ShiftStatus.OPEN)).first()
        if other is not None:
            raise ShiftError(f"{who}已有未轧帐的班次（#{other.id}），请先轧帐")
    giver = None
    if float_by:
        giver = auth.user_by_name(session, float_by)
        if auth.APPROVE not in auth.PERMISSIONS[giver.role]:
            raise InvalidInput(f"“{float_by}”不是主管，不能发放备用金")
    bdate = settings.business_day(session, at)
    training = is_training(user, station)
    if not training:  # a settled day, or any day before the last settled one, takes no new shift
        cashdesk.check_open_day(session, bdate, None)
    shift = Shift(station_id=station.id, cashier_id=user.id, status=ShiftStatus.OPEN, business_date=bdate,
                  float_amount=amount, float_by_id=giver.id if giver else None, opened_at=at, training=training)
    session.add(shift)
    session.flush()
    if amount:
        ledger.post(session, actor=actor, kind="float", business_date=bdate, shift_id=shift.id,
                    station_id=station.id, training=training, memo="备用金", lines=[
                        ledger.Line(ledger.DRAWER, amount, shift_id=shift.id, tender="cash"),
                        ledger.Line(ledger.SAFE, -amount)])
    audit.record(session, actor, "shift_open", "shift", shift.id, float=amount,
                 float_by=float_by or "", business_date=bdate)
    return _info(session, shift)


def current_shift(session: Session, *, actor: Actor) -> ShiftInfo | None:
    user = auth.require(session, actor, auth.READ)
    station = auth.station_of(session, actor)
    shift = session.scalars(select(Shift).where(Shift.cashier_id == user.id, Shift.station_id == station.id,
                                                Shift.status == ShiftStatus.OPEN)).first()
    return _info(session, shift) if shift else None


def drawer_balance(session: Session, shift_id: int, tender: str = "cash") -> int:
    return ledger.balance(session, ledger.DRAWER, shift_id=shift_id, tender=tender)
