"""Online backup of a SQLite ledger, proved good before success is reported, and restore.

Uses SQLite's backup API (safe while the program is in use), then runs
`PRAGMA integrity_check` and `verify` on the copy. A copy that fails is deleted.

Automatic backups (`auto_backup`): once a day (`daily_backup_if_due`, called by the desktop
program at start and on its timer) and after every day settlement (`backup_after_commit`,
called inside the settlement's transaction; the copy is taken after the commit). They go to
setting `backup_dir` ('' = `backups/` next to the ledger) and only the last `backup_keep`
automatic copies are kept; `backup_auto` = '0' turns the automatic ones off (a benchmark's
throwaway ledger). `restore` proves a backup good (integrity + verify + schema not
newer) before it replaces the live ledger, and keeps the replaced file next to it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
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
    """(integrity_check result, verify ok, first failure) of a ledger file: `verify`, which runs
    SQLite's integrity_check first (`verify.integrity_problem`)."""
    from app.services import run
    from app.services.verify import verify

    factory = make_factory(str(path))
    try:
        result = run(factory, verify)
    finally:
        factory.kw["bind"].dispose()
    return result.checks.get("integrity", "ok"), result.ok, result.first_failure


def backup(db: str, to: str) -> BackupResult:
    from app.models.db import check_not_newer
    from app.services import ledgerfile

    ledgerfile.check(db)  # a missing, empty or broken ledger is named (and no file is created)
    source = sqlite_path(db)
    check_not_newer(str(source))  # this program cannot prove a newer ledger's copy good
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


# ---- automatic backups ------------------------------------------------------------------

AUTO_NAME = re.compile(r"^feedesk-(\d{8})-(\d{6})-(daily|settlement|manual)\.db$")


def _ledger_settings(db: str) -> tuple[str, int, bool]:
    """(backup_dir, backup_keep, backup_auto) of the ledger."""
    from app.services import run, settings

    factory = make_factory(db, read_only=True)
    try:
        return run(factory, lambda s: (settings.get(s, "backup_dir"), settings.get_int(s, "backup_keep"),
                                       settings.get(s, "backup_auto") != "0"))
    finally:
        factory.kw["bind"].dispose()


def backup_dir(db: str, configured: str = "") -> Path:
    source = sqlite_path(db)
    return Path(configured).expanduser() if configured else source.parent / "backups"


def list_auto_backups(directory: Path) -> list[Path]:
    """Automatic backups in a folder, oldest first (by the time in the name)."""
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if AUTO_NAME.match(p.name)), key=lambda p: p.name[8:23])


def auto_backup(db: str, *, reason: str = "daily", now: dt.datetime | None = None,
                directory: str | None = None, keep: int | None = None) -> BackupResult:
    """Take a verified backup named by time and reason, then keep only the last `keep`."""
    if reason not in ("daily", "settlement", "manual"):
        raise InvalidInput(f"备份原因不正确：{reason}")
    configured, configured_keep, _auto = _ledger_settings(db)
    folder = backup_dir(db, directory if directory is not None else configured)
    keep = configured_keep if keep is None else keep
    now = now or dt.datetime.now()
    target = folder / f"feedesk-{now:%Y%m%d-%H%M%S}-{reason}.db"
    while target.exists():  # two settlements in one second: never overwrite a backup
        now += dt.timedelta(seconds=1)
        target = folder / f"feedesk-{now:%Y%m%d-%H%M%S}-{reason}.db"
    result = backup(db, str(target))
    if keep > 0:
        for old in list_auto_backups(folder)[:-keep]:
            old.unlink(missing_ok=True)
    return result


def daily_backup_if_due(db: str, *, now: dt.datetime | None = None) -> BackupResult | None:
    """The day's first automatic backup, if none was taken today (any reason counts).

    None when one exists already, or when setting `backup_auto` is '0'."""
    configured, _keep, auto = _ledger_settings(db)
    if not auto:
        return None
    now = now or dt.datetime.now()
    today = f"{now:%Y%m%d}"
    if any(AUTO_NAME.match(p.name).group(1) == today for p in list_auto_backups(backup_dir(db, configured))):
        return None
    return auto_backup(db, reason="daily", now=now)


def backup_after_commit(session, *, reason: str = "settlement") -> None:
    """Called inside a use case (day settlement): back the ledger up once its transaction commits.

    A failing backup never undoes the settlement; the error is kept in `session.info` under
    `backup_error` for the caller to show. PostgreSQL ledgers are backed up by pg_dump instead.
    """
    from sqlalchemy import event

    from app.services import settings

    if settings.get(session, "backup_auto") == "0":
        return
    url = session.get_bind().url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    db = url.database.removeprefix("file:").split("?")[0]

    def _after(sess):
        try:
            sess.info["backup_result"] = auto_backup(db, reason=reason)
        except FeeDeskError as exc:
            sess.info["backup_error"] = exc.message
        except (OSError, sqlite3.Error) as exc:
            sess.info["backup_error"] = f"自动备份失败：{exc}"

    event.listen(session, "after_commit", _after, once=True)


# ---- restore --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RestoreResult:
    ledger: str
    restored_from: str
    replaced_kept_as: str | None
    integrity: str
    verified: bool

    def to_json(self) -> dict:
        return {"ledger": self.ledger, "restored_from": self.restored_from,
                "replaced_kept_as": self.replaced_kept_as, "integrity": self.integrity, "verified": self.verified}


class RestoreRefused(FeeDeskError):
    message = "恢复被拒绝，现有账本未改动"


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def restore(db: str, from_path: str, *, station: str = "", now: dt.datetime | None = None) -> RestoreResult:
    """Replace the live ledger by a backup proved good; the replaced file is kept beside it.

    Refused (live ledger untouched) when the backup is unreadable, fails `integrity_check` or
    `verify`, was written by a newer FeeDesk, or another window has the ledger open.
    """
    from app import ledger_lock
    from app.models.db import check_not_newer

    live = sqlite_path(db)
    source = Path(from_path).expanduser().resolve()
    if not source.is_file():
        raise RestoreRefused(f"备份文件不存在：{source}")
    if source == live.resolve():
        raise RestoreRefused("备份文件就是当前账本，无需恢复")
    try:
        with open(source, "rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                raise RestoreRefused(f"不是收费台账本备份文件：{source.name}（现有账本未改动）")
    except OSError as exc:
        raise RestoreRefused(f"无法读取备份文件：{exc}") from None
    lock = ledger_lock.acquire(live, station=station)  # LedgerInUse while another window has it open
    try:
        now = now or dt.datetime.now()
        staged = live.with_name(live.name + ".restoring")
        staged.unlink(missing_ok=True)
        try:
            _copy(source, staged)
            check_not_newer(str(staged))
            integrity, ok, failure = check_file(staged)
        except sqlite3.DatabaseError as exc:
            staged.unlink(missing_ok=True)
            raise RestoreRefused(f"备份文件已损坏：{exc}（现有账本未改动）") from None
        except FeeDeskError as exc:
            staged.unlink(missing_ok=True)
            raise RestoreRefused(f"{exc.message}（现有账本未改动）") from None
        if not ok:
            staged.unlink(missing_ok=True)
            raise RestoreRefused(f"备份未通过检查：{failure}（现有账本未改动）")
        kept = None
        if live.exists():
            kept = live.with_name(f"{live.stem}.replaced-{now:%Y%m%d-%H%M%S}{live.suffix or '.db'}")
            _copy(live, kept)  # a consistent copy of the live ledger, its WAL included
            _checkpoint(live)
        for suffix in ("-wal", "-shm"):
            # A stale WAL would be replayed into the restored file: it must be gone first.
            Path(str(live) + suffix).unlink(missing_ok=True)
        os.replace(staged, live)
        integrity, ok, failure = check_file(live)
        if not ok:  # cannot happen after the checks above, but never report success unproved
            raise RestoreRefused(f"恢复后的账本未通过检查：{failure}；原账本保存在 {kept}")
        return RestoreResult(str(live), str(source), str(kept) if kept else None, integrity, True)
    finally:
        lock.release()


def _checkpoint(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
