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

Who: a backup taken by a person needs a supervisor or an administrator
(permission BACKUP) and is audited; a restore needs an administrator whose password was
checked against the ledger being replaced (not against the backup), shows first what the
live ledger has that the backup lacks (`restore_preview`), and is audited in the restored
ledger. Receipt numbers never go back: the receipt mark beside the ledger
(`receipt_mark`) is brought up to the live ledger before it is replaced, and the restored
ledger's counters jump past it (the numbers skipped are recorded as lost).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from app.db.engine import make_factory, normalize_url
from app.errors import FeeDeskError, InvalidInput
from app.services import Actor


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
    from app.services.journal.verify import verify

    factory = make_factory(str(path))
    try:
        result = run(factory, verify)
    finally:
        factory.kw["bind"].dispose()
    return result.checks.get("integrity", "ok"), result.ok, result.first_failure


def authorize(db: str, actor: Actor, permission: str) -> str:
    """Refuse unless `actor` may do `permission` on the ledger file `db`; their user name."""
    from app.services import run
    from app.services.system import auth

    factory = make_factory(db, read_only=True)
    try:
        return run(factory, lambda s: auth.require(s, actor, permission).username)
    finally:
        factory.kw["bind"].dispose()


def _audit(db: str, actor: Actor, action: str, **payload) -> None:
    from app.services import run
    from app.services.journal import audit

    factory = make_factory(db)
    try:
        run(factory, lambda s: audit.record(s, actor, action, "ledger", "", **payload))
    finally:
        factory.kw["bind"].dispose()


def backup(db: str, to: str, *, actor: Actor | None) -> BackupResult:
    """A verified copy of the ledger at `to`. `actor`: the person who asked (a supervisor or an
    administrator; audited); None only for the automatic backups (daily, at settlement)."""
    from app.db import ledgerfile
    from app.db.engine import check_not_newer
    from app.services.system import auth

    ledgerfile.check(db)  # a missing, empty or broken ledger is named (and no file is created)
    source = sqlite_path(db)
    check_not_newer(str(source))  # this program cannot prove a newer ledger's copy good
    if actor is not None:
        authorize(db, actor, auth.BACKUP)
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
    result = BackupResult(str(target), target.stat().st_size, integrity, True)
    if actor is not None:
        _audit(db, actor, "backup", path=result.path, size_bytes=result.size_bytes)
    return result


# ---- automatic backups ------------------------------------------------------------------

AUTO_NAME = re.compile(r"^feedesk-(\d{8})-(\d{6})-(daily|settlement|manual)\.db$")


def _ledger_settings(db: str) -> tuple[str, int, bool]:
    """(backup_dir, backup_keep, backup_auto) of the ledger."""
    from app.services import run
    from app.services.system import settings

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
                directory: str | None = None, keep: int | None = None, actor: Actor | None = None) -> BackupResult:
    """Take a verified backup named by time and reason, then keep only the last `keep`.

    `actor`: the person who asked (`feedesk backup-auto`): a supervisor or an administrator,
    since each backup taken pushes the oldest out of the folder."""
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
    result = backup(db, str(target), actor=actor)
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

    from app.services.system import settings

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
class LostPayment:
    receipt_no: str
    kind: str
    account: str
    amount: int  # fen: tendered - change (negative for a void or refund)
    created_at: dt.datetime

    def to_json(self) -> dict:
        from app.money import format_yuan

        return {"receipt_no": self.receipt_no, "kind": self.kind, "account": self.account,
                "amount": format_yuan(self.amount), "created_at": self.created_at.isoformat(sep=" ")}


@dataclass(frozen=True, slots=True)
class RestorePreview:
    """What the live ledger has that the backup lacks: all of it is lost by the restore
    (it stays in the replaced file, which is kept)."""

    ledger: str
    backup: str
    payments: list[LostPayment]
    receipts: list[str]
    #: per receipt prefix and run ("W01" or "PJ 501-"): (last number in the live ledger, in the backup)
    last_numbers: dict[str, tuple[str, str]]
    #: the receipt mark: numbering continues after these, whatever the backup says
    continue_after: dict[str, str]

    def to_json(self) -> dict:
        return {"ledger": self.ledger, "backup": self.backup, "lost_payments": [p.to_json() for p in self.payments],
                "lost_receipts": self.receipts,
                "last_numbers": {k: {"ledger": a, "backup": b} for k, (a, b) in self.last_numbers.items()},
                "numbering_continues_after": self.continue_after}

    def text(self) -> str:
        from app.money import format_yuan

        if not self.payments and not self.receipts:
            head = "当前账本没有备份之后的收款或收据，恢复不会丢失收款记录。"
        else:
            total = sum(p.amount for p in self.payments)
            head = (f"恢复后，当前账本中备份之后的 {len(self.payments)} 笔收款（合计 {format_yuan(total)} 元）、"
                    f"{len(self.receipts)} 张收据将不在恢复后的账本中（保留在被替换的账本文件里）：")
        lines = [head]
        lines += [f"  {p.receipt_no}  {p.account}  {format_yuan(p.amount)} 元  {p.created_at:%Y-%m-%d %H:%M}"
                  for p in self.payments[:20]]
        if len(self.payments) > 20:
            lines.append(f"  ……另有 {len(self.payments) - 20} 笔（--json 列出全部）")
        for key, (live, old) in self.last_numbers.items():
            lines.append(f"票据 {key}：当前账本最后一张 {live or '（无）'}，备份中最后一张 {old or '（无）'}")
        for key, after in self.continue_after.items():
            lines.append(f"恢复后 {key} 的票据号从 {after} 之后继续（已用过的号码不会再用，跳过的号码记为报损）")
        return "\n".join(lines)


def _receipt_no(prefix: str, n: int, width: int) -> str:
    return f"{prefix}{n:0{width}d}" if n > 0 else ""


def restore_preview(db: str, from_path: str, *, actor: Actor | None) -> RestorePreview:
    """What a restore of `from_path` would lose, for the administrator to confirm (read only).

    Refused unless `actor` is an administrator of the live ledger (no live ledger: nothing to lose)."""
    from sqlalchemy import func, select

    from app.models import Account, Payment, Receipt
    from app.services import run
    from app.services.desk import receipt_mark
    from app.services.system import auth, settings

    live = sqlite_path(db)
    source = _readable_backup(live, from_path)
    if live.exists():
        if actor is None:
            raise RestoreRefused("恢复账本需要管理员登录（现有账本未改动）")
        authorize(db, actor, auth.ADMIN)

    def read_backup(s):
        return (s.scalar(select(func.coalesce(func.max(Payment.id), 0))),
                s.scalar(select(func.coalesce(func.max(Receipt.id), 0))), receipt_mark.from_ledger(s))

    try:
        factory = make_factory(str(source), read_only=True)
        try:
            max_payment, max_receipt, old_marks = run(factory, read_backup)
        finally:
            factory.kw["bind"].dispose()
    except Exception as exc:  # noqa: BLE001 - anything unreadable in a file brought by a person
        raise RestoreRefused(f"无法读取备份文件：{_reason(exc)}（现有账本未改动）") from None

    def read_live(s):
        width = settings.get_int(s, "receipt_number_width")
        payments = [LostPayment(no, kind.value, code, tendered - change, at) for no, kind, code, tendered, change, at in
                    s.execute(select(Payment.receipt_no, Payment.kind, Account.code, Payment.tendered, Payment.change,
                                     Payment.created_at).join(Account, Account.id == Payment.account_id)
                              .where(Payment.id > max_payment, Payment.training.is_(False)).order_by(Payment.id))]
        receipts = list(s.scalars(select(Receipt.receipt_no).where(Receipt.id > max_receipt,
                                                                 ~Receipt.receipt_no.like("LX%")).order_by(Receipt.id)))
        return payments, receipts, receipt_mark.from_ledger(s), width

    payments, receipts, marks, width = [], [], {}, 8
    if live.exists():
        factory = make_factory(str(live), read_only=True)
        try:
            payments, receipts, marks, width = run(factory, read_live)
        finally:
            factory.kw["bind"].dispose()
    merged = receipt_mark.merge(
        {p: dict(r) for p, r in (receipt_mark.read(receipt_mark.mark_file(live)) or {}).items()}, marks
    )
    last_numbers, continue_after = {}, {}
    for prefix in sorted(set(merged) | set(old_marks)):
        for first in sorted(set(merged.get(prefix, {})) | set(old_marks.get(prefix, {}))):
            key = prefix if first == 1 else f"{prefix} {first}-"
            now, old = marks.get(prefix, {}).get(first, 0), old_marks.get(prefix, {}).get(first, 0)
            if now != old:
                last_numbers[key] = (_receipt_no(prefix, now, width), _receipt_no(prefix, old, width))
            high = merged.get(prefix, {}).get(first, 0)
            if high > old:
                continue_after[key] = _receipt_no(prefix, high, width)
    return RestorePreview(str(live), str(source), payments, receipts, last_numbers, continue_after)


def _reason(exc: BaseException) -> str:
    return exc.message if isinstance(exc, FeeDeskError) else str(exc).splitlines()[0][:200]


def _readable_backup(live: Path, from_path: str) -> Path:
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
    return source


@dataclass(frozen=True, slots=True)
class RestoreResult:
    ledger: str
    restored_from: str
    replaced_kept_as: str | None
    integrity: str
    verified: bool
    numbers_skipped: int = 0

    def to_json(self) -> dict:
        return {"ledger": self.ledger, "restored_from": self.restored_from,
                "replaced_kept_as": self.replaced_kept_as, "integrity": self.integrity, "verified": self.verified,
                "numbers_skipped": self.numbers_skipped}


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


def restore(db: str, from_path: str, *, actor: Actor | None, station: str = "",
            now: dt.datetime | None = None) -> RestoreResult:
    """Replace the live ledger by a backup proved good; the replaced file is kept beside it.

    `actor`: an administrator of the live ledger, logged in against it (None only when there
    is no live ledger). Refused (live ledger untouched) when the backup is unreadable, fails
    `integrity_check` or `verify`, was written by a newer FeeDesk, or another window has the
    ledger open. The receipt mark is brought up to the live ledger first; the restored
    ledger's counters then jump past it, and the restore is audited in the restored ledger.
    """
    from app.db import ledger_lock
    from app.db.engine import check_not_newer
    from app.services import run
    from app.services.desk import receipt_mark
    from app.services.system import auth

    live = sqlite_path(db)
    source = _readable_backup(live, from_path)
    by = ""
    if live.exists():
        if actor is None:
            raise RestoreRefused("恢复账本需要管理员登录（现有账本未改动）")
        by = authorize(db, actor, auth.ADMIN)
    lock = ledger_lock.acquire(live, station=station)  # LedgerInUse while another window has it open
    try:
        now = now or dt.datetime.now()
        staged = live.with_name(live.name + ".restoring")
        staged.unlink(missing_ok=True)
        try:
            _copy(source, staged)
            check_not_newer(str(staged))
            _upgrade(staged)
            integrity, ok, failure = check_file(staged)
        except (sqlite3.DatabaseError, SQLAlchemyError) as exc:
            staged.unlink(missing_ok=True)
            raise RestoreRefused(f"备份文件已损坏：{_reason(exc)}（现有账本未改动）") from None
        except FeeDeskError as exc:
            staged.unlink(missing_ok=True)
            raise RestoreRefused(f"{exc.message}（现有账本未改动）") from None
        if not ok:
            staged.unlink(missing_ok=True)
            raise RestoreRefused(f"备份未通过检查：{failure}（现有账本未改动）")
        lost = {"lost_payments": 0, "lost_receipts": 0}
        kept = None
        if live.exists():
            preview = restore_preview(db, str(source), actor=actor)
            lost = {"lost_payments": len(preview.payments), "lost_receipts": len(preview.receipts)}
            # Numbers issued in the live ledger are never issued again, whatever the backup says.
            factory = make_factory(str(live), read_only=True)
            try:
                receipt_mark.bring_up_to(live, run(factory, receipt_mark.from_ledger))
            finally:
                factory.kw["bind"].dispose()
            kept = live.with_name(f"{live.stem}.replaced-{now:%Y%m%d-%H%M%S}{live.suffix or '.db'}")
            _copy(live, kept)  # a consistent copy of the live ledger, its WAL included
            _checkpoint(live)
        for suffix in ("-wal", "-shm"):
            # A stale WAL would be replayed into the restored file: it must be gone first.
            Path(str(live) + suffix).unlink(missing_ok=True)
        os.replace(staged, live)
        factory = make_factory(str(live))
        try:
            skipped = run(factory, _after_restore, by=by, station=station, restored_from=str(source),
                          replaced_kept_as=str(kept) if kept else "", **lost)
        finally:
            factory.kw["bind"].dispose()
        integrity, ok, failure = check_file(live)
        if not ok:  # cannot happen after the checks above, but never report success unproved
            raise RestoreRefused(f"恢复后的账本未通过检查：{failure}；原账本保存在 {kept}")
        return RestoreResult(str(live), str(source), str(kept) if kept else None, integrity, True, skipped)
    finally:
        lock.release()


def _upgrade(path: Path) -> None:
    """A backup of an older FeeDesk is brought to this program's schema before it is checked."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from app.db.engine import alembic_config, current_revision, make_engine

    engine = make_engine(str(path))
    try:
        rev = current_revision(engine)
    finally:
        engine.dispose()
    cfg = alembic_config(str(path))
    if rev is not None and rev != ScriptDirectory.from_config(cfg).get_current_head():
        command.upgrade(cfg, "head")


def _after_restore(session, *, by: str, station: str, **facts) -> int:
    """In the restored ledger: counters past the receipt mark, and the restore's audit event."""
    from sqlalchemy import select

    from app.models import Role, Station, User
    from app.services.desk import receipt_mark
    from app.services.journal import audit

    user = session.scalar(select(User).where(User.username == by)) if by else None
    if user is None:  # the administrator was added after the backup: the backup's first admin signs
        user = session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id))
    known = station and session.scalar(select(Station.id).where(Station.code == station)) is not None
    actor = Actor(user.id, station if known else "")
    skipped = receipt_mark.skip_all(session, actor)
    audit.record(session, actor, "restore", "ledger", "", by=by, numbers_skipped=skipped, **facts)
    return skipped


def _checkpoint(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
