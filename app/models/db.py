"""Engine, connection pragmas and session factories.

Callers get a `sessionmaker` from `make_factory(url)` and hand it to `services.run`; they
never open transactions themselves. The schema is created and upgraded only by Alembic
(`upgrade(url)`), never by `create_all`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def normalize_url(url_or_path: str) -> str:
    """Accept a plain file path or a SQLAlchemy URL."""
    if "://" in url_or_path:
        url = make_url(url_or_path)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{Path(url_or_path).expanduser().resolve()}"


def make_engine(url_or_path: str, *, read_only: bool = False, **kw) -> Engine:
    url = normalize_url(url_or_path)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10}, **kw)
        _sqlite_pragmas(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kw)


def _sqlite_pragmas(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN; take control so that
    # `BEGIN IMMEDIATE` makes one writer wait for the other instead of failing mid-way.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_factory(url_or_path: str, **kw) -> sessionmaker[Session]:
    engine = make_engine(url_or_path, **kw)
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(url_or_path: str) -> None:
    """Create or upgrade the schema to head (refuses a ledger newer than this program)."""
    from alembic import command

    check_not_newer(url_or_path)
    command.upgrade(alembic_config(url_or_path), "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return None


def check_not_newer(url_or_path: str) -> None:
    """A ledger written by a newer FeeDesk has a revision this program does not know."""
    from alembic.script import ScriptDirectory

    from app.errors import SchemaTooNew

    engine = make_engine(url_or_path)
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
