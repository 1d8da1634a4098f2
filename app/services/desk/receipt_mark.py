"""High-water mark of receipt numbers, kept OUTSIDE the ledger file.

A ledger replaced by an older copy (`feedesk restore`, or a file copied over it by hand)
has receipt counters that lie behind numbers already printed on paper. The mark remembers
them in a small JSON file beside a SQLite ledger, `<ledger>.receipts-hwm`:
`{"prefixes": {"W01": {"1": 37}, "PJ": {"1": 100, "501": 512}}}`: for each receipt prefix,
each run of numbers (a station's sequence starts at 1, a range at its first number) and the
highest number issued in it. `receipts.take_number` never issues a number inside a marked
run: it moves the counter past the run and records the numbers skipped as lost (报损,
reason below), so verify's gap check and the gap list explain them.

Written after each COMMIT that took a number (overwritten in place, no fsync: about 50 µs),
read through a stat-keyed cache. Crash safety: after a power cut the file may lag the
ledger by the last payments, which is harmless for the ledger itself (its own counters are
ahead) and is why `restore` first brings the mark up to the live ledger, durably (fsync,
write-then-rename), before replacing anything. A missing or unreadable file (a write torn by
the crash) is rebuilt from the ledger's counters at the next number taken; after a restore
those counters are already past the mark, so the rebuild forgets only runs of ranges that
the restored ledger does not have at all.
A PostgreSQL ledger has no file beside it: the server's backups are out of this scope.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.models import ReceiptNumberEvent, ReceiptNumberEventKind, ReceiptRange, Station
from app.services import Actor
from app.services.clock import utcnow
from app.services.journal import audit

SUFFIX = ".receipts-hwm"
SKIPPED_REASON = "账本曾恢复为旧副本：此号码已在被替换的账本中使用，跳过不再使用"

Marks = dict[str, dict[int, int]]  # prefix -> {first number of the run: highest number issued}

_PENDING = "feedesk_receipt_mark_pending"
_cache: dict[Path, tuple[tuple[int, int, int], Marks]] = {}
_lock = threading.Lock()


def mark_file(ledger: str | Path) -> Path:
    return Path(str(ledger) + SUFFIX)


def _path(session: Session) -> Path | None:
    url = session.get_bind().url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return mark_file(url.database.removeprefix("file:").split("?")[0])


def read(path: Path) -> Marks | None:
    """The marks in the file (cached while the file is unchanged); None when missing or unreadable."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (st.st_mtime_ns, st.st_size, st.st_ino)
    hit = _cache.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    try:
        data, _end = json.JSONDecoder().raw_decode(path.read_text(encoding="utf-8"))
        marks = {str(p): {int(f): int(h) for f, h in runs.items()} for p, runs in data["prefixes"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    _cache[path] = (key, marks)
    return marks


def write(path: Path, marks: Marks, *, durable: bool = False) -> None:
    """Store the marks. After a payment: overwritten in place, no fsync (about 50 µs; a rename
    costs 1-3 ms on a busy disk). `durable` (restore, rebuild): a new file fsynced, then renamed
    over the old one. A write torn by a crash leaves an unreadable file, which is rebuilt from
    the ledger; a crash between write and truncate leaves the new JSON with old bytes after
    it, which `read` ignores."""
    data = {"prefixes": {p: {str(f): h for f, h in sorted(runs.items())} for p, runs in sorted(marks.items())},
            "updated_at": utcnow().isoformat(sep=" ", timespec="seconds")}
    raw = (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")
    if durable:
        tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        with open(tmp, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    else:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            os.pwrite(fd, raw, 0)
            os.ftruncate(fd, len(raw))
        finally:
            os.close(fd)
    st = os.stat(path)
    _cache[path] = ((st.st_mtime_ns, st.st_size, st.st_ino), marks)


def merge(into: Marks, other: Marks) -> Marks:
    for prefix, runs in other.items():
        mine = into.setdefault(prefix, {})
        for first, high in runs.items():
            mine[first] = max(mine.get(first, 0), high)
    return into


def from_ledger(session: Session) -> Marks:
    """The highest number each counter of the ledger has handed out (stations and ranges)."""
    marks: Marks = {}
    for prefix, nxt in session.execute(select(Station.receipt_prefix, Station.next_receipt_no)):
        if nxt > 1:
            merge(marks, {prefix: {1: nxt - 1}})
    for prefix, first, nxt in session.execute(select(ReceiptRange.prefix, ReceiptRange.first_number,
                                                     ReceiptRange.next_number)):
        if nxt > first:
            merge(marks, {prefix: {first: nxt - 1}})
    return marks


def bring_up_to(ledger: Path, marks: Marks) -> Marks:
    """Raise the file's marks to at least `marks` (restore: before the live ledger is replaced); fsynced."""
    path = mark_file(ledger)
    with _lock:
        merged = merge({p: dict(r) for p, r in (read(path) or {}).items()}, marks)
        write(path, merged, durable=True)
    return merged


# ---- the hot path: receipts.take_number ------------------------------------------------

def covering(session: Session, prefix: str, number: int) -> int | None:
    """The highest issued number of a marked run holding `number` (it must be skipped), else None."""
    state = _state(session)
    if state is None:
        return None
    marks = state["marks"]
    runs = marks.get(prefix) if marks else None
    if not runs:
        return None
    highs = [h for f, h in runs.items() if f <= number <= h]
    return max(highs) if highs else None


def note(session: Session, prefix: str, first: int, number: int) -> None:
    """Remember a number taken in this transaction: written to the file after COMMIT."""
    state = _state(session)
    if state is not None:
        taken = state["taken"]
        if number > taken.get((prefix, first), 0):
            taken[(prefix, first)] = number


def _state(session: Session) -> dict | None:
    state = session.info.get(_PENDING)
    if state is None:
        path = _path(session)
        if path is None:
            return None
        marks = read(path)
        # Missing or unreadable: rebuilt from the ledger's counters (written with this commit).
        state = {"path": path, "marks": marks, "rebuild": from_ledger(session) if marks is None else None,
                 "taken": {}}
        session.info[_PENDING] = state
    return state


@sa_event.listens_for(Session, "after_commit")
def _write_after_commit(session: Session) -> None:
    state = session.info.pop(_PENDING, None)
    if not state or not (state["taken"] or state["rebuild"]):
        return
    path = state["path"]
    try:
        with _lock:
            current = read(path)
            marks = {p: dict(r) for p, r in (current or state["rebuild"] or {}).items()}
            for (prefix, first), number in state["taken"].items():
                merge(marks, {prefix: {first: number}})
            if marks != current:
                write(path, marks, durable=current is None)
    except OSError:
        pass  # the payment is committed; the mark catches up at the next one (restore reads the ledger)


@sa_event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def skip(session: Session, actor: Actor, *, prefix: str, width: int, first_skipped: int, last_skipped: int,
         range_id: int | None, station_id: int | None) -> None:
    """Move a counter past numbers used in a replaced ledger; record them as lost, and audit it."""
    if range_id is not None:
        session.execute(update(ReceiptRange).where(ReceiptRange.id == range_id)
                        .values(next_number=last_skipped + 1))
    else:
        session.execute(update(Station).where(Station.id == station_id).values(next_receipt_no=last_skipped + 1))
    now = utcnow()
    session.execute(insert(ReceiptNumberEvent), [
        dict(receipt_no=f"{prefix}{n:0{width}d}", range_id=range_id, kind=ReceiptNumberEventKind.LOST,
             reason=SKIPPED_REASON, user_id=actor.user_id, created_at=now)
        for n in range(first_skipped, last_skipped + 1)])
    audit.record(session, actor, "receipt_numbers_skipped", "receipt_range" if range_id else "station",
                 range_id or station_id, first=f"{prefix}{first_skipped:0{width}d}",
                 last=f"{prefix}{last_skipped:0{width}d}", count=last_skipped - first_skipped + 1)


def skip_all(session: Session, actor: Actor) -> int:
    """Move every counter of the ledger past the mark now (after a restore); numbers skipped."""
    from app.services.system import settings

    state = _state(session)
    if state is None or not state["marks"]:
        return 0
    width = settings.get_int(session, "receipt_number_width")
    count = 0
    for st in session.scalars(select(Station).order_by(Station.id)):
        nxt = st.next_receipt_no
        high = covering(session, st.receipt_prefix, nxt)
        if high is not None:
            skip(session, actor, prefix=st.receipt_prefix, width=width, first_skipped=nxt, last_skipped=high,
                 range_id=None, station_id=st.id)
            count += high - nxt + 1
    for rng in session.scalars(select(ReceiptRange).order_by(ReceiptRange.id)):
        nxt = rng.next_number
        high = covering(session, rng.prefix, nxt) if nxt <= rng.last_number else None
        if high is not None:
            last = min(high, rng.last_number)
            skip(session, actor, prefix=rng.prefix, width=width, first_skipped=nxt, last_skipped=last,
                 range_id=rng.id, station_id=None)
            count += last - nxt + 1
    session.expire_all()
    return count
