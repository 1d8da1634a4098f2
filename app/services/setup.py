"""Creating a ledger: schema (Alembic), the site, the first station and the admin user."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Site, Station, User
from app.services import audit, auth, settings


@dataclass(frozen=True, slots=True)
class InitResult:
    created: bool
    site: str
    station: str
    admin_created: bool


def bootstrap(session: Session, *, station_code: str, admin_password: str, site_name: str = "示例物业服务中心",
              receipt_prefix: str = "") -> InitResult:
    """Idempotent: creates what is missing (site, station, admin, receipt secret)."""
    site = session.scalar(select(Site).order_by(Site.id))
    created = site is None
    if site is None:
        site = Site(code="S01", name=site_name, hotline="", receipt_footer="")
        session.add(site)
        session.flush()
    station = session.scalar(select(Station).where(Station.code == station_code))
    if station is None:
        station = Station(code=station_code, name=f"{station_code} 收费窗口", site_id=site.id,
                          receipt_prefix=receipt_prefix or station_code, next_receipt_no=1, training=False)
        session.add(station)
        audit.start_chain(session, station_code)
    if not settings.get(session, "receipt_secret"):
        settings.put(session, "receipt_secret", secrets.token_hex(16))
    admin_created = False
    if session.scalar(select(User.id).where(User.username == "admin")) is None:
        auth.add_user(session, actor=None, username="admin", role="admin", password=admin_password,
                      display_name="管理员")
        admin_created = True
    session.flush()
    return InitResult(created, site.name, station_code, admin_created)


def add_station(session: Session, *, code: str, name: str = "", receipt_prefix: str = "") -> None:
    site = session.scalar(select(Site).order_by(Site.id))
    if session.scalar(select(Station.id).where(Station.code == code)) is None:
        session.add(Station(code=code, name=name or f"{code} 收费窗口", site_id=site.id,
                            receipt_prefix=receipt_prefix or code, next_receipt_no=1, training=False))
        session.flush()
        audit.start_chain(session, code)

