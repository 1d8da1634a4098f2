"""Online backup of a SQLite ledger, proved good before success is reported.

Uses SQLite's backup API (safe while the program is in use), then runs
`PRAGMA integrity_check` and `verify` on the copy. A copy that fails is deleted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.errors import FeeDeskError, InvalidInput
from app.models.db import make_factory, normalize_url


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: str
    size_bytes: int
    integrity: str
    verified: bool

    def to_json(self) -> dict:
        return {"path": self.path, "size_bytes": self.size_bytes, "integrity": self.integrity,
                "verified": self.verified}


class BackupFailed(FeeDeskError):
    message = "备份失败"


def sqlite_path(url_or_path: str) -> Path:
    url = normalize_url(url_or_path)
    if not url.startswith("sqlite:///"):
        raise InvalidInput("此命令只适用于 SQLite 账本；PostgreSQL 请使用 pg_dump 备份")
    return Path(url[len("sqlite:///"):])


def check_file(path: Path) -> tuple[str, bool, str | None]:
    """(integrity_check result, verify ok, first failure) of a ledger file."""
    from app.services import run
    from app.services.verify import verify

    conn = sqlite3.connect(path)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if integrity != "ok":
        return integrity, False, f"完整性检查失败：{integrity}"
    factory = make_factory(str(path))
    try:
        result = run(factory, verify)
    finally:
        factory.kw["bind"].dispose()
    return integrity, result.ok, result.first_failure


def backup(db: str, to: str) -> BackupResult:
    source = sqlite_path(db)
    if not source.exists():
        raise InvalidInput(f"账本不存在：{source}")
    target = Path(to).expanduser().resolve()
    if target == source.resolve():
        raise InvalidInput("备份文件不能与账本相同")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupFailed(f"备份失败：{exc}") from None
    finally:
        dst.close()
        src.close()
    integrity, ok, failure = check_file(tmp)
    if not ok:
        tmp.unlink(missing_ok=True)
        raise BackupFailed(f"备份副本未通过检查：{failure}")
    tmp.replace(target)
    return BackupResult(str(target), target.stat().st_size, integrity, True)
