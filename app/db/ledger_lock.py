"""Single writer on a SQLite ledger: an exclusive lock file next to the ledger.

The desktop program and the CLI's write commands call `acquire(ledger_path, station=...)`
before posting. A second copy of the program on the same file gets `LedgerInUse` (naming the
window that holds it) and may open the ledger read-only instead; it never finds out at its
first posting. The lock is an OS lock (`fcntl.flock` / `msvcrt.locking`) on
`<ledger>.lock`, so the operating system releases it when the holder exits or is killed:
a pulled plug never leaves a stale lock behind. The file's text (station, pid, time) is only
a description for the message, never the lock itself.

Within one process the lock is shared and reference-counted (a program holds several
session factories on the same ledger). Callers must not delete the lock file.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from pathlib import Path

from app.errors import LedgerInUse

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt

_held: dict[Path, LedgerLock] = {}
_guard = threading.Lock()


def lock_path(ledger_path: str | Path) -> Path:
    path = Path(ledger_path).expanduser().resolve()
    return path.with_name(path.name + ".lock")


class LedgerLock:
    """A held lock; `release()` (or process exit) frees it."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd = fd
        self._count = 1

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        with _guard:
            if self._fd is None:
                return
            self._count -= 1
            if self._count > 0:
                return
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None
            _held.pop(self.path, None)

    def __enter__(self) -> LedgerLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        else:  # pragma: no cover - Windows
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    except OSError:
        pass


def holder(ledger_path: str | Path) -> str:
    """The description written by the current (or last) holder, '' if none."""
    try:
        return lock_path(ledger_path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def acquire(ledger_path: str | Path, *, station: str = "") -> LedgerLock:
    """Take the ledger's writer lock or raise `LedgerInUse` (never waits)."""
    path = lock_path(ledger_path)
    with _guard:
        mine = _held.get(path)
        if mine is not None and mine.held:
            mine._count += 1
            return mine
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            # A read-only directory: nobody can write the ledger there anyway (read-only mode).
            raise LedgerInUse("账本所在目录不可写，无法取得记账权，只能以只读方式打开") from None
        if not _try_lock(fd):
            os.close(fd)
            who = holder(ledger_path)
            raise LedgerInUse(f"账本正在其他窗口使用（{who or '另一个收费台程序'}），"
                              "本窗口只能以只读方式打开；请在该窗口退出后再记账", holder=who)
        text = (f"收费点 {station or '-'}，计算机 {socket.gethostname()}，进程 {os.getpid()}，"
                f"{dt.datetime.now().strftime('%Y-%m-%d %H:%M')} 起")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, text.encode("utf-8"))
        lock = LedgerLock(path, fd)
        _held[path] = lock
        return lock
