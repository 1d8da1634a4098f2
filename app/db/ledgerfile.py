"""What is wrong with the ledger named by --db / FEEDESK_DB, said so a person can act on it.

`check(db, creating=...)` runs before the CLI, the window or a backup first touches the
ledger, so a wrong path, a stranger's file or a broken one is named with its path and what
to do, instead of a traceback, and a mistyped path never silently becomes a new empty ledger
(only `feedesk init` creates one). It reads the file's first 100 bytes and `sqlite_master`
on a read-only connection: it writes nothing and costs a few milliseconds on any size of
ledger. Failures later on (a page corrupted in the middle, a server that refuses the
password) are mapped on the engine (`app.db.engine.storage_error`, `server_error`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.db.engine import file_is_read_only, sqlite_file, sqlite_ro_uri
from app.errors import LedgerUnusable

SQLITE_HEADER = b"SQLite format 3\x00"
RESTORE_HINT = "请从备份恢复（feedesk restore）"


def check(db: str, *, creating: bool = False) -> None:
    """Raise `LedgerUnusable` unless `db` can be opened as a FeeDesk ledger (`creating`:
    `feedesk init` may also create a missing or empty file, in an existing folder)."""
    if "://" in db:
        _check_url(db)
    path = sqlite_file(db)
    if path is not None:
        _check_file(path, creating=creating)


def _check_url(db: str) -> None:
    try:
        url = make_url(db)
    except ArgumentError:
        raise LedgerUnusable(f"数据库地址格式不正确（{db.split('://')[0]}://…）：请写 SQLite 账本文件的路径，"
                             "或 postgresql://用户:密码@服务器/数据库") from None
    if url.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"):
        raise LedgerUnusable(f"不支持的数据库地址 {url.render_as_string(hide_password=True)}，"
                             "只支持 SQLite 文件或 postgresql://")


def _check_file(path: Path, *, creating: bool) -> None:
    if path.is_dir():
        raise LedgerUnusable(f"账本路径是一个文件夹，不是账本文件：{path}；请用 --db 指定账本文件（例如 feedesk.db）")
    if not path.exists():
        if not creating:
            raise LedgerUnusable(f"账本文件不存在：{path}；新建账本请用 feedesk init"
                                 "（如果路径写错了，请检查 --db 或环境变量 FEEDESK_DB）")
        if not path.parent.is_dir():
            raise LedgerUnusable(f"账本所在的文件夹不存在：{path.parent}；请先建立该文件夹，或检查 --db 路径")
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
        size = path.stat().st_size
    except PermissionError:
        raise LedgerUnusable(f"没有读取账本文件的权限：{path}；请检查文件权限，或换有权限的系统用户运行") from None
    except OSError as exc:
        raise LedgerUnusable(f"无法读取账本文件：{path}（{exc.strerror}）") from None
    if not head:
        if creating:
            return
        raise LedgerUnusable(f"账本文件为空（0 字节）：{path}，里面没有账本；新建账本请用 feedesk init，"
                             f"原有账本{RESTORE_HINT}")
    if not head.startswith(SQLITE_HEADER):
        raise LedgerUnusable(f"不是收费台账本文件：{path}（不是 SQLite 数据库：可能选错了文件，或文件已损坏）；"
                             f"请检查 --db 路径，或从备份恢复（feedesk restore）")
    expected = _expected_size(head)
    if (len(head) < 100 or size < expected) and not _wal_has_frames(path):
        raise LedgerUnusable(f"账本文件不完整（被截断）：{path}，应有 {max(expected, 100)} 字节，实际只有 {size} 字节；"
                             f"{RESTORE_HINT}")
    if creating and file_is_read_only(path):
        raise LedgerUnusable(f"账本文件为只读，不能初始化或升级：{path}；请检查文件权限或所在磁盘")
    has_version, has_tables = _probe(path)
    if not has_version and (has_tables or not creating):
        raise LedgerUnusable(f"不是收费台账本：{path}（这个 SQLite 文件里没有收费台的账本数据）；"
                             "新建账本请用 feedesk init 并指定一个新的文件名")


def _expected_size(head: bytes) -> int:
    """The file size the SQLite header promises (0 when the header's page count is not valid)."""
    if len(head) < 100:
        return 0
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if pages == 0 or head[24:28] != head[92:96]:  # the in-header size is valid only then
        return 0
    return page_size * pages


def _wal_has_frames(path: Path) -> bool:
    """Committed pages may still sit in the -wal file (the main file then may look short)."""
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size > 32
    except OSError:
        return False


def _probe(path: Path) -> tuple[bool, bool]:
    """(has alembic_version, has any table), read on a read-only connection."""
    conn = None
    try:
        conn = sqlite3.connect(sqlite_ro_uri(path), uri=True)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        if "unable to open" in str(exc):
            raise LedgerUnusable(f"无法打开账本文件：{path}；请检查文件和所在文件夹的权限、所在磁盘") from None
        raise LedgerUnusable(f"账本文件已损坏：{path}（SQLite：{exc}）；{RESTORE_HINT}") from None
    finally:
        if conn is not None:
            conn.close()
    return "alembic_version" in names, bool(names)
