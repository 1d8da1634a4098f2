"""Creating a ledger: schema (Alembic), the site, the first station and the admin user."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.models import Site, Station, User
from app.services.journal import audit
from app.services.system import auth, settings


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



# -- first run in the window (app/ui/first_run.py) ---------------------------------------------
MIN_ADMIN_PASSWORD = 8
STATION_CODE = re.compile(r"[A-Za-z0-9_-]{1,12}")


def check_station_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not STATION_CODE.fullmatch(code):
        raise InvalidInput("窗口编码只能是 1 到 12 位字母、数字、- 或 _（例：W01）")
    return code


def create_ledger(db: str, *, site_name: str, admin_password: str, station_code: str) -> InitResult:
    """A new SQLite ledger from the window's first run: schema, site, first window, administrator
    (password of at least MIN_ADMIN_PASSWORD characters). Refuses an existing file."""
    from app.db.engine import make_factory, sqlite_file, upgrade
    from app.services import run

    site_name = (site_name or "").strip()
    if not site_name or len(site_name) > 60:
        raise InvalidInput("请填写单位名称（不超过 60 个字）")
    if len(admin_password or "") < MIN_ADMIN_PASSWORD:
        raise InvalidInput(f"管理员密码至少 {MIN_ADMIN_PASSWORD} 位")
    station_code = check_station_code(station_code)
    path = sqlite_file(db)
    if path is None:
        raise InvalidInput("新建账本只能是本机文件；共享账本由管理员在服务器上建立")
    if path.exists():
        raise InvalidInput(f"文件已存在：{path}。要使用它，请选“打开已有账本”")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise InvalidInput(f"不能在此位置建立账本（目录不可写）：{path.parent}") from None
    upgrade(db)
    factory = make_factory(db)
    try:
        return run(factory, bootstrap, station_code=station_code, admin_password=admin_password,
                   site_name=site_name)
    finally:
        factory.kw["bind"].dispose()


def check_ledger(db: str, *, station_code: str) -> str:
    """Open an existing ledger (a SQLite file, or test the connection to a shared PostgreSQL one)
    and check that the window code exists there. Returns the site name; raises FeeDeskError."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.db import ledgerfile
    from app.db.engine import check_schema, make_factory, sqlite_file

    station_code = check_station_code(station_code)
    path = sqlite_file(db)
    if path is not None and not path.is_file():
        raise NotFound(f"账本文件不存在：{path}")
    if path is not None:
        ledgerfile.check(db)  # not a SQLite file, another program's file, empty: named as such
    try:
        check_schema(db)
        factory = make_factory(db)
        try:
            with factory() as session:
                site = session.scalar(select(Site.name).order_by(Site.id))
                stations = list(session.scalars(select(Station.code).order_by(Station.code)))
        finally:
            factory.kw["bind"].dispose()
    except SQLAlchemyError:
        raise InvalidInput("打不开这个账本：不是收费台账本，或文件已损坏" if path is not None
                           else "连接不上共享账本，或该数据库不是收费台账本：请检查服务器地址、端口、"
                                "数据库名、用户名和密码") from None
    if site is None:
        raise InvalidInput("这个账本还没有建立（没有单位信息）：请管理员先运行 feedesk init")
    if station_code not in stations:
        raise NotFound(f"账本中没有窗口 {station_code}（已有：{'、'.join(stations) or '无'}）；"
                       "新窗口请管理员用 feedesk station add 添加")
    return site
