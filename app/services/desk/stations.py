"""Station identity on a shared ledger: the windows, and every window's live shift.

Each installation names its station (`--station`, env FEEDESK_STATION, the settings screen);
every payment, receipt number, shift and audit event carries it. `add_station` registers a
new window (admin); `station_board` is the supervisor desk's view of all windows at once:
who is on which window, since when, how many payments, what the drawer should hold. All
figures are journal sums read at the moment of the call (nothing stored twice).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.models import Payment, PaymentKind, Posting, Shift, ShiftStatus, Site, Station, User
from app.money import format_yuan
from app.services import Actor
from app.services.clock import local_time
from app.services.journal import audit, ledger
from app.services.system import auth, settings


@dataclass(frozen=True, slots=True)
class StationLive:
    code: str
    name: str
    shift_id: int | None
    cashier: str
    status: str  # open | closed | accepted | idle (no shift yet)
    business_date: dt.date | None
    opened_at: dt.datetime | None  # local time of the site
    payments: int
    drawer: dict[str, int]  # tender -> fen expected in the drawer now
    last_payment_at: dt.datetime | None

    def to_json(self) -> dict:
        return {"code": self.code, "name": self.name, "shift_id": self.shift_id, "cashier": self.cashier,
                "status": self.status, "business_date": self.business_date, "opened_at": self.opened_at,
                "payments": self.payments, "drawer": {k: format_yuan(v) for k, v in self.drawer.items()},
                "last_payment_at": self.last_payment_at}


def station_board(session: Session, *, actor: Actor) -> list[StationLive]:
    """Every station with its open shift (or its latest shift), for the supervisor desk.

    A fixed number of queries however many stations: the shifts, their cashiers, payment
    counts and drawer sums are read for all stations at once.
    """
    auth.require(session, actor, auth.SUPERVISE)
    tz = settings.get(session, "timezone")
    stations = session.scalars(select(Station).order_by(Station.code)).all()
    shown = {st_id: open_id or latest_id for st_id, open_id, latest_id in session.execute(
        select(Shift.station_id, func.max(case((Shift.status == ShiftStatus.OPEN, Shift.id))), func.max(Shift.id))
        .group_by(Shift.station_id))}
    ids = list(shown.values())
    shifts = {sh.id: (sh, username) for sh, username in session.execute(
        select(Shift, User.username).join(User, User.id == Shift.cashier_id).where(Shift.id.in_(ids)))} if ids else {}
    paid = {sid: (int(n), last) for sid, n, last in session.execute(
        select(Payment.shift_id, func.count(), func.max(Payment.created_at))
        .where(Payment.shift_id.in_(ids), Payment.kind == PaymentKind.PAYMENT).group_by(Payment.shift_id))} \
        if ids else {}
    drawers: dict[int, dict[str, int]] = {}
    if ids:
        for sid, tender, v in session.execute(
                select(Posting.shift_id, Posting.tender, func.sum(Posting.amount))
                .where(Posting.book == ledger.DRAWER, Posting.shift_id.in_(ids))
                .group_by(Posting.shift_id, Posting.tender).order_by(Posting.shift_id, Posting.tender)):
            if v:
                drawers.setdefault(sid, {})[tender] = int(v)
    out = []
    for st in stations:
        shift_id = shown.get(st.id)
        if shift_id is None:
            out.append(StationLive(st.code, st.name, None, "", "idle", None, None, 0, {}, None))
            continue
        shift, cashier = shifts[shift_id]
        n, last = paid.get(shift_id, (0, None))
        out.append(StationLive(st.code, st.name, shift.id, cashier, shift.status.value, shift.business_date,
                               local_time(shift.opened_at, tz), n, drawers.get(shift_id, {}),
                               local_time(last, tz) if last else None))
    return out


def add_station(session: Session, *, actor: Actor, code: str, name: str = "", receipt_prefix: str = "") -> StationLive:
    """Register a window (admin). Its receipt numbers get their own prefix (default: the code)."""
    auth.require(session, actor, auth.ADMIN)
    code = (code or "").strip()
    if not code or len(code) > 40 or not code.isprintable() or " " in code:
        raise InvalidInput("收费点编码不能为空、不含空格，且不超过 40 个字符")
    if session.scalar(select(Station.id).where(Station.code == code)) is not None:
        raise InvalidInput(f"收费点“{code}”已存在")
    prefix = (receipt_prefix or code).strip()
    if session.scalar(select(Station.id).where(Station.receipt_prefix == prefix)) is not None:
        raise InvalidInput(f"收据前缀“{prefix}”已被其他收费点使用：各窗口的收据号必须互不相同")
    site = session.scalar(select(Site).order_by(Site.id))
    st = Station(code=code, name=name or f"{code} 收费窗口", site_id=site.id, receipt_prefix=prefix,
                 next_receipt_no=1, training=False)
    session.add(st)
    session.flush()
    audit.start_chain(session, code)
    audit.record(session, actor, "station_add", "station", st.id, code=code, prefix=prefix)
    return StationLive(st.code, st.name, None, "", "idle", None, None, 0, {}, None)


def set_training(session: Session, *, actor: Actor, code: str, training: bool) -> bool:
    """Switch a window to practice (练习) or back to real takings (admin): for rehearsing on the
    real screens before going live. Refused while the window has an open shift."""
    auth.require(session, actor, auth.ADMIN)
    st = session.scalar(select(Station).where(Station.code == (code or "").strip()))
    if st is None:
        raise NotFound(f"收费点“{code}”不存在")
    if session.scalar(select(Shift.id).where(Shift.station_id == st.id, Shift.status == ShiftStatus.OPEN)):
        raise InvalidInput(f"收费点 {st.code} 有未轧帐的班次，请先轧帐再切换练习模式")
    st.training = bool(training)
    session.flush()
    audit.record(session, actor, "station_training", "station", st.id, code=st.code, training=bool(training))
    return st.training
