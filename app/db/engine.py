"""Engine, connection pragmas and session factories.

Callers get a `sessionmaker` from `make_factory(url)` and hand it to `services.run`; they
never open transactions themselves. The schema is created and upgraded only by Alembic
(`upgrade(url)`), never by `create_all`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalize_url(url_or_path: str) -> str:
    """Accept a plain file path or a SQLAlchemy URL."""
    if "://" in url_or_path:
        url = make_url(url_or_path)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{Path(url_or_path).expanduser().resolve()}"


def make_engine(url_or_path: str, *, read_only: bool = False, **kw) -> Engine:
    """An engine with FeeDesk's pragmas. `read_only=True` opens a SQLite file with `mode=ro`."""
    url = normalize_url(url_or_path)
    if url.startswith("sqlite"):
        if read_only and url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            url = "sqlite:///" + sqlite_ro_uri(Path(url[len("sqlite:///"):])) + "&uri=true"
        engine = create_engine(url, connect_args={"timeout": 10}, **kw)
        _sqlite_pragmas(engine, read_only=read_only)
    else:
        require_psycopg()
        engine = create_engine(url, pool_pre_ping=True, connect_args=_pg_connect_args(url), **kw)
        _server_errors(engine)
    _storage_errors(engine, sqlite_file(url_or_path))
    return engine


def require_psycopg() -> None:
    """psycopg is the extra `feedesk[postgresql]`: a single-window install may not have it."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        from app.errors import InvalidInput

        raise InvalidInput("连接共享账本（PostgreSQL）需要 psycopg，本机未安装：请安装 "
                           "pip install \"feedesk[postgresql]\"，或使用安装包版收费台") from None


# Shared PostgreSQL ledger: give up connecting after a few seconds (the window then
# says so, see `server_error`), notice a dead server mid-transaction through TCP keepalives,
# and let the server end a transaction left idle by a frozen window so its locks are freed.
# Any of these may be overridden in the URL's query string.
PG_CONNECT_DEFAULTS = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
                       "keepalives_count": 3, "options": "-c idle_in_transaction_session_timeout=60000",
                       "application_name": "feedesk"}


def _pg_connect_args(url: str) -> dict:
    given = set(make_url(url).query)
    return {k: v for k, v in PG_CONNECT_DEFAULTS.items() if k not in given}


#: What a window says when its role (feedesk_app) meets an administrator's operation.
ADMIN_CONNECTION_ONLY = ("此操作需要以数据库所有者身份连接（管理员）：用户、角色、密码、解锁、设置和收费点只能由管理员"
                         "用 feedesk_owner 账号连接共享账本后修改，窗口的数据库账号（feedesk_app）不能修改"
                         "（见 docs/postgresql.md）")

# SQLSTATEs of a lost or refused connection (class 08, server shutting down / starting up).
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")
# Deadlock, serialization failure, lock timeout: another window got there first; nothing written.
_CONCURRENT_STATES = ("40P01", "40001", "55P03")


# A server that answers but refuses the log-in or has no such database: libpq
# reports these as connection failures without a SQLSTATE, so the server's text is matched
# (English and zh_CN server messages); the SQLSTATE is used when a driver gives one.
_LOGIN_REFUSED = ("password authentication failed", "fe_sendauth: no password supplied",
                  "密码认证失败", "认证失败")
_NO_ROLE = ("role \"", "角色 \"")
_NO_HBA = ("no pg_hba.conf entry", "没有用于主机")


def _refused(exc: BaseException, state: str, url) -> Exception | None:
    """The FeeDeskError for a refused log-in or a missing database, naming user, database and server."""
    from app.errors import LedgerUnusable

    text = str(exc)
    user = getattr(url, "username", None) or "?"
    host = getattr(url, "host", None) or "localhost"
    port = getattr(url, "port", None)
    if port and port != 5432:
        host = f"{host}:{port}"
    name = getattr(url, "database", None) or "?"
    missing = ("does not exist" in text or "不存在" in text)
    if state == "3D000" or (missing and ('database "' in text or '数据库 "' in text)):
        return LedgerUnusable(f"共享账本服务器 {host} 上没有数据库“{name}”：请检查 --db 地址中的数据库名，"
                              "或请管理员先建立共享账本（docs/postgresql.md）。服务器可以连通，不是网络问题")
    if state == "28P01" or any(t in text for t in _LOGIN_REFUSED) or (
            missing and any(t in text for t in _NO_ROLE)):
        return LedgerUnusable(f"共享账本服务器 {host} 拒绝登录：用户 {user} 的密码不正确或没有这个用户；"
                              "请检查 --db 地址中的用户名和密码。服务器可以连通，不是网络问题")
    if state == "28000" or any(t in text for t in _NO_HBA):
        return LedgerUnusable(f"共享账本服务器 {host} 不允许用户 {user} 从本机连接数据库“{name}”（pg_hba.conf）："
                              "请管理员开放本窗口")
    return None


def server_error(exc: BaseException, *, is_disconnect: bool = False, url=None) -> Exception | None:
    """The FeeDeskError for a PostgreSQL connection or concurrency failure, else None.

    The one place where "server unreachable" becomes the window's message: the engine's
    `handle_error` hook, so services.run, log-in, verify and the CLI all say the same thing
    and nothing falls back to a local file (no silent fork of the books).
    """
    import psycopg

    from app.errors import ConcurrentUpdate, LedgerUnreachable

    state = getattr(exc, "sqlstate", None) or ""
    if isinstance(exc, psycopg.DataError) and "NUL (0x00)" in str(exc):
        from app.errors import InvalidInput

        # SQLite stores a NUL character; PostgreSQL text cannot: refuse it the same way everywhere.
        return InvalidInput("输入中含有不可见的控制字符（NUL），请重新输入")
    if state == "42501":
        from app.db.migrations.pg_roles import OWNER_WRITES
        from app.errors import PermissionDenied

        primary = getattr(getattr(exc, "diag", None), "message_primary", None) or str(exc)
        # Users, settings, the site and the stations (or unlocking a user, pg_roles.guard): the
        # administrator's connection only.
        denied = re.search(r"permission denied for table (\w+)|may unlock a user|may shorten a lock-out", primary)
        if denied and (denied.group(1) or "app_user") in OWNER_WRITES - {"alembic_version"}:
            return PermissionDenied(ADMIN_CONNECTION_ONLY)
        # The window role meets the database's own permissions (docs/postgresql.md): e.g. a
        # schema upgrade started from a window, or a table the grants of migration 0005 miss.
        return PermissionDenied(
            "数据库拒绝了此操作：本窗口的数据库账号（feedesk_app）不能修改账本结构或改写、删除账目；"
            "升级或迁移请由管理员用 feedesk_owner 账号执行"
        )
    if state.startswith(_CONCURRENT_STATES):
        return ConcurrentUpdate("另一个窗口正在处理同一笔数据，本次操作未保存，请重试")
    if isinstance(exc, psycopg.OperationalError) and (not state or state.startswith(("28", "3D"))):
        refused = _refused(exc, state, url)
        if refused is not None:
            return refused
    if is_disconnect or state.startswith(_UNREACHABLE_STATES) or (
            not state and isinstance(exc, psycopg.OperationalError)):
        return LedgerUnreachable()
    return None


def _server_errors(engine: Engine) -> None:
    @event.listens_for(engine, "handle_error")
    def _on_error(context):
        return server_error(context.original_exception, is_disconnect=context.is_disconnect, url=engine.url)


def _sqlite_pragmas(engine: Engine, *, read_only: bool = False) -> None:
    # pysqlite's own transaction handling defers BEGIN; take control so that
    # `BEGIN IMMEDIATE` makes one writer wait for the other instead of failing mid-way.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


# The one place where storage failures become messages a cashier can read: a full
# disk and a read-only file surface from any statement or from COMMIT, on any code path
# (services.run, log-in, backup), so they are translated on the engine, not per caller.
_FULL_TEXTS = ("database or disk is full",)
_READONLY_TEXTS = ("attempt to write a readonly database", "readonly database")


_CORRUPT_TEXTS = ("database disk image is malformed", "file is not a database")


def storage_error(exc: BaseException, path: Path | None = None) -> Exception | None:
    """The FeeDeskError for a DBAPI storage failure (disk full, read-only, a damaged file), else None."""
    from app.errors import LedgerReadOnly, LedgerUnusable, StorageFull

    text = str(exc).lower()
    if any(t in text for t in _CORRUPT_TEXTS):
        return LedgerUnusable(f"账本文件已损坏：{path or '账本'}（SQLite：{text}），本次操作未完成；"
                              "请运行 feedesk verify 检查，或从备份恢复（feedesk restore）")
    if getattr(exc, "sqlstate", None) == "53100" or any(t in text for t in _FULL_TEXTS):
        return StorageFull()
    if "disk i/o error" in text:
        return StorageFull("磁盘写入失败（磁盘已满或出错），本次操作未保存（没有写入任何数据）。请检查磁盘后重试")
    if any(t in text for t in _READONLY_TEXTS):
        return LedgerReadOnly("账本文件为只读（或所在磁盘只读），本次操作未保存；只能查看，不能记账")
    if isinstance(exc, OverflowError) or getattr(exc, "sqlstate", None) == "22003":
        # A number typed by a person (an id, a quantity) beyond what the database column holds.
        from app.errors import InvalidInput

        return InvalidInput("输入的数值超出范围，本次操作未保存")
    return None


def _storage_errors(engine: Engine, path: Path | None) -> None:
    @event.listens_for(engine, "handle_error")
    def _on_error(context):
        mapped = storage_error(context.original_exception, path)
        if mapped is not None:
            return mapped
        return None


def _refuse_writes(factory: sessionmaker[Session], why: str = "") -> None:
    """A read-only factory refuses every write before any SQL is sent (`why`: the message)."""
    from app.errors import LedgerReadOnly

    @event.listens_for(factory, "before_flush")
    def _no_flush(session, _ctx, _instances):
        if session.new or session.dirty or session.deleted:
            raise LedgerReadOnly(why or None)

    @event.listens_for(factory, "do_orm_execute")
    def _no_dml(state):
        if state.is_insert or state.is_update or state.is_delete:
            raise LedgerReadOnly(why or None)


def sqlite_ro_uri(path: Path) -> str:
    """The SQLite URI that opens a ledger file read-only. In a folder nobody may write (a
    read-only mount: not even root may), SQLite cannot create the WAL index (-shm) a WAL ledger
    needs, so the file is opened `immutable` (no locks, no -shm): nothing can change it there."""
    uri = f"file:{quote(str(path))}?mode=ro"
    if not os.access(path.parent, os.W_OK):
        uri += "&immutable=1"
    return uri


def make_factory(url_or_path: str, *, read_only: bool = False, why: str = "", **kw) -> sessionmaker[Session]:
    engine = make_engine(url_or_path, read_only=read_only, **kw)
    # `session.info["read_only"]` lets log-in skip its record on a ledger opened for viewing.
    factory = sessionmaker(engine, expire_on_commit=False, info={"read_only": True} if read_only else None)
    if read_only:
        _refuse_writes(factory, why)
    return factory


def sqlite_file(url_or_path: str) -> Path | None:
    """The ledger file of a SQLite URL (None for PostgreSQL and in-memory databases)."""
    url = normalize_url(url_or_path)
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return None
    return Path(url[len("sqlite:///"):])


def file_is_read_only(path: Path) -> bool:
    """No write permission bits (a file marked read-only), or the OS refuses writing it."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (mode & 0o222) or not os.access(path, os.W_OK)


@dataclass
class OpenLedger:
    """What the desktop program opens: the factory, whether it may post, and the banner."""

    factory: sessionmaker[Session]
    read_only: bool
    banner: str = ""
    lock: object | None = None

    def close(self) -> None:
        self.factory.kw["bind"].dispose()
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def open_ledger(url_or_path: str, *, station: str = "", read_only: bool = False) -> OpenLedger:
    """Open for posting (taking the single-writer lock), or read-only with a banner.

    A SQLite ledger already held by another window, or a file marked read-only, opens
    read-only: every write is refused with `LedgerReadOnly`, and `banner` says why.
    """
    from app.db import ledger_lock
    from app.errors import LedgerInUse

    path = sqlite_file(url_or_path)
    if path is None:
        return OpenLedger(make_factory(url_or_path, read_only=read_only), read_only)
    if read_only:
        return OpenLedger(make_factory(url_or_path, read_only=True), True, "只读查看：不能记账")
    if path.exists() and file_is_read_only(path):
        return OpenLedger(make_factory(url_or_path, read_only=True), True,
                          "账本文件为只读，仅可查看，不能收款或记账")
    try:
        lock = ledger_lock.acquire(path, station=station)
    except LedgerInUse as exc:
        return OpenLedger(make_factory(url_or_path, read_only=True), True, exc.message)
    return OpenLedger(make_factory(url_or_path), False, "", lock)


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(url_or_path: str) -> None:
    """Create or upgrade the schema to head (refuses a ledger newer than this program)."""
    from alembic import command

    from app.db import ledger_lock

    check_not_newer(url_or_path)
    path = sqlite_file(url_or_path)
    # Never migrate a SQLite ledger another window has open (LedgerInUse); shared in-process.
    lock = ledger_lock.acquire(path) if path is not None and path.parent.is_dir() else None
    try:
        command.upgrade(alembic_config(url_or_path), "head")
    finally:
        if lock is not None:
            lock.release()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return None


def _reading_engine(url_or_path: str) -> Engine:
    """An engine to read the schema revision: read-only for a file marked read-only (so that
    not even root writes it: no WAL switch, no write lock, nothing on a read-only mount)."""
    path = sqlite_file(url_or_path)
    return make_engine(url_or_path, read_only=path is not None and path.exists() and file_is_read_only(path))


def check_schema(url_or_path: str) -> None:
    """What the desktop program and the CLI do when they open a ledger: refuse one written by
    a newer FeeDesk; bring a SQLite ledger of an older FeeDesk up to date (Alembic runs each
    revision in a transaction: an interrupted upgrade leaves the old ledger as it was); on a
    shared PostgreSQL ledger only the owner role may change the schema, so say who must."""
    from alembic.script import ScriptDirectory

    from app.errors import SchemaTooOld

    check_not_newer(url_or_path)
    engine = _reading_engine(url_or_path)
    try:
        rev = current_revision(engine)
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(url_or_path)).get_current_head()
    if rev == head:
        return
    if rev is None:  # only `feedesk init` makes a new ledger (it upgrades before it gets here)
        from app.errors import LedgerUnusable

        path = sqlite_file(url_or_path)
        raise LedgerUnusable(f"不是收费台账本：{path}（里面没有账本数据）；新建账本请用 feedesk init" if path else
                             "共享账本尚未建立（数据库里没有账本数据）：请管理员用 feedesk_owner 账号运行一次 "
                             "feedesk init，各窗口再连接")
    path = sqlite_file(url_or_path)
    if path is not None and file_is_read_only(path):
        raise SchemaTooOld(f"账本版本（{rev}）比本程序（{head}）旧，需要升级，但账本文件为只读：{path}；"
                           "请让管理员恢复写权限后再打开一次")
    if path is None:
        raise SchemaTooOld(f"共享账本的版本（{rev}）比本程序（{head}）旧：请管理员用 feedesk_owner 账号运行 "
                           "feedesk init 升级一次，各窗口再连接")
    upgrade(url_or_path)


def check_not_newer(url_or_path: str) -> None:
    """A ledger written by a newer FeeDesk has a revision this program does not know."""
    from alembic.script import ScriptDirectory

    from app.errors import SchemaTooNew

    engine = _reading_engine(url_or_path)
    try:
        rev = current_revision(engine)
    finally:
        engine.dispose()
    if rev is None:
        return
    script = ScriptDirectory.from_config(alembic_config(url_or_path))
    known = {r.revision for r in script.walk_revisions()}
    if rev not in known:
        raise SchemaTooNew(f"该账本由更新版本的收费台创建（版本 {rev}），请升级程序后再打开")
