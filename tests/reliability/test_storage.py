"""Disk full, read-only ledgers and the single writer on SQLite.

A payment on a full disk fails with a Chinese message and leaves nothing behind; after space
is freed posting continues. The disk is a tmpfs of a few MB mounted for the test (we run as
root in CI); where mounting is impossible the same SQLITE_FULL is produced by capping the
file with `PRAGMA max_page_count`. A read-only ledger opens for viewing with a banner and
refuses postings. A second program on the same file is told the ledger is in use.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import event, text

from app import ledger_lock
from app.errors import AuthenticationFailed, FeeDeskError, LedgerInUse, LedgerReadOnly, StorageFull
from app.models.db import open_ledger, upgrade
from app.services import accounts, auth, run
from app.services.verify import verify
from tests.conftest import Ledger
from tests.helpers import card, fen, pay
from tests.reliability.figures import count
from tests.reliability.ledgers import fingerprint

# The SQLite ledger file itself is under test here; the PostgreSQL pass deselects this module
# (tests/postgres covers the shared server: role permissions, triggers, unreachable server).
pytestmark = pytest.mark.sqlite_only


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True)
    return done.returncode == 0


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)
    shutil.rmtree(where, ignore_errors=True)


MOUNT_PREFIX = "feedesk-small-disk-"


def _mount_point() -> Path:
    """A mount point outside pytest's tmp dirs, named by our pid. Mounts left by a run that was
    killed mid-test (its pid gone) are removed first, so they never pile up."""
    base = Path(tempfile.gettempdir())
    for old in base.glob(MOUNT_PREFIX + "*"):
        pid = old.name.removeprefix(MOUNT_PREFIX).split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            _umount(old)
    return Path(tempfile.mkdtemp(prefix=f"{MOUNT_PREFIX}{os.getpid()}-", dir=base))


def _fill(directory: Path) -> Path:
    """Write a filler file until the filesystem says ENOSPC."""
    filler = directory / "filler.bin"
    block = b"\0" * 65536
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(block)
        except OSError:
            pass
        try:
            while True:
                f.write(b"\0" * 512)
        except OSError:
            pass
    return filler


@pytest.fixture(params=["tmpfs", "page_cap"])
def small_disk(request, populated, tmp_path):
    """(Ledger on a full disk, free_space()): a real full tmpfs, or a page-capped file."""
    populated.factory.kw["bind"].dispose()
    mount = _mount_point() if request.param == "tmpfs" else tmp_path / "small"
    mounted = request.param == "tmpfs" and _mount_tmpfs(mount, "4m")
    if not mounted:
        mount.mkdir(exist_ok=True)
    path = mount / "ledger.db"
    shutil.copy(populated.path, path)
    lg = Ledger(path)
    cap = {"on": False}
    if not mounted:
        @event.listens_for(lg.factory.kw["bind"], "begin")
        def _cap(conn):
            if cap["on"]:
                pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
                conn.exec_driver_sql(f"PRAGMA max_page_count={pages}")
            else:
                conn.exec_driver_sql("PRAGMA max_page_count=1073741823")
    try:
        yield from _small_disk(lg, mount, mounted, cap)
    finally:
        lg.factory.kw["bind"].dispose()
        if mounted:
            _umount(mount)
        elif request.param == "tmpfs":  # mounting was impossible: the page cap was used instead
            shutil.rmtree(mount, ignore_errors=True)


def _small_disk(lg, mount, mounted, cap):
    run(lg.factory, verify)  # opens the file: -wal and -shm exist before the disk fills
    raw = lg.factory.kw["bind"].raw_connection()  # empty WAL: every new page needs new space
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    filler = None
    if mounted:
        filler = _fill(mount)
    else:
        cap["on"] = True

    def free_space():
        if filler is not None:
            filler.unlink()
        cap["on"] = False

    yield lg, free_space


def test_payment_on_full_disk_fails_cleanly_and_continues_after_space_is_freed(small_disk):
    lg, free_space = small_disk
    refused = posted = 0
    # Keep posting until the disk refuses (the full tmpfs refuses the first payment; a capped
    # file once the payments no longer fit the pages it has). Every refusal leaves nothing behind.
    for n in range(200):
        before = fingerprint(lg)
        try:
            pay(lg, ACCOUNT_CODES[n % len(ACCOUNT_CODES)], "cash=300", change_to_prepaid=True)
            posted += 1
        except StorageFull as exc:
            assert "磁盘空间已满" in exc.message and "未保存" in exc.message
            assert fingerprint(lg) == before
            refused += 1
            if refused == 3:
                break
    assert refused == 3, f"the full disk accepted {posted} payments"
    assert run(lg.factory, verify).ok
    free_space()
    owed = card(lg, "1-2-201").arrears
    r = pay(lg, "1-2-201", "cash=300", change_to_prepaid=True)
    assert r.arrears_after == max(0, owed - fen("300"))
    assert run(lg.factory, verify).ok
    with lg.session() as s:
        assert s.scalar(text("SELECT count(*) FROM payment WHERE receipt_no = :n"), {"n": r.receipt_no}) == 1
    count("disk_full", refused)


ACCOUNT_CODES = ["1-2-201", "1-2-202", "2-1-101", "2-1-102"]


def test_read_only_ledger_opens_for_viewing_and_refuses_postings(populated):
    populated.factory.kw["bind"].dispose()
    before = fingerprint(populated)
    os.chmod(populated.path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        opened = open_ledger(str(populated.path), station="W01")
        assert opened.read_only and "只读" in opened.banner
        cashier = populated.actor("demo")
        # The cashier can log in to view (no log-in record is written); a wrong password is still wrong.
        assert auth.login_counting_failures(opened.factory, username="demo", password="demo",
                                            station_code="W01").user.username == "demo"
        with pytest.raises(AuthenticationFailed):
            auth.login_counting_failures(opened.factory, username="demo", password="nope", station_code="W01")
        assert run(opened.factory, verify).ok
        assert run(opened.factory, accounts.account_card, actor=cashier, code="1-1-101").code == "1-1-101"
        with pytest.raises(LedgerReadOnly) as info:
            pay(_viewer(populated.path, opened), "1-1-101", "cash=10", change_to_prepaid=True)
        assert "只读" in info.value.message
        # Even SQL that bypasses the services is refused by SQLite itself (mode=ro).
        with pytest.raises(LedgerReadOnly), opened.factory.kw["bind"].begin() as conn:
            conn.execute(text("INSERT INTO setting(key, value) VALUES ('x', 'y')"))
        opened.close()
    finally:
        os.chmod(populated.path, 0o644)
    assert fingerprint(populated) == before
    count("disk_full", 2)


def _viewer(path: Path, opened) -> Ledger:
    lg = Ledger.__new__(Ledger)
    lg.path, lg.url, lg.factory, lg._ids = path, str(path), opened.factory, {}
    return lg


HOLDER = """
import sys, time
from app import ledger_lock
lock = ledger_lock.acquire(sys.argv[1], station="W02")
print("HELD", flush=True)
sys.stdin.readline()
"""


def test_second_program_is_told_the_ledger_is_in_use_and_opens_read_only(populated):
    populated.factory.kw["bind"].dispose()
    db = str(populated.path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              cwd=str(Path(__file__).parents[2]), text=True)
    try:
        assert holder.stdout.readline().strip() == "HELD"
        with pytest.raises(LedgerInUse) as info:
            ledger_lock.acquire(db, station="W01")
        assert "其他窗口使用" in info.value.message and "W02" in info.value.message
        opened = open_ledger(db, station="W01")
        assert opened.read_only and "W02" in opened.banner
        assert run(opened.factory, verify).ok  # viewing works
        before = fingerprint(populated)
        with pytest.raises(LedgerReadOnly):
            pay(_viewer(populated.path, opened), "1-1-101", "cash=10", change_to_prepaid=True)
        assert fingerprint(populated) == before
        opened.close()
        # The CLI's write commands are refused up front, with the same message.
        env = {**os.environ, "FEEDESK_USER": "demo", "FEEDESK_PASSWORD": "demo"}
        done = subprocess.run([sys.executable, "-m", "app.cli", "--db", db, "pay", "--account", "1-1-101",
                               "--tender", "cash=10", "--change-to-prepaid", "--no-print"],
                              capture_output=True, text=True, env=env, cwd=str(Path(__file__).parents[2]))
        assert done.returncode == 1 and "账本正在其他窗口使用" in done.stderr
        with pytest.raises(LedgerInUse):  # nor is the ledger migrated under the other window
            upgrade(db)
        assert fingerprint(populated) == before
        count("lock_refusals", 4)
    finally:
        holder.kill()  # a killed holder leaves no stale lock: the OS drops it
        holder.wait()
    lock = ledger_lock.acquire(db, station="W01")
    try:
        opened = open_ledger(db, station="W01")  # the same process shares its own lock
        assert not opened.read_only
        r = pay(_viewer(populated.path, opened), "1-1-101", "cash=10", change_to_prepaid=True)
        assert r.receipt_no
        opened.close()
    finally:
        lock.release()


def test_storage_errors_are_domain_errors_with_chinese_messages():
    assert issubclass(StorageFull, FeeDeskError) and issubclass(LedgerReadOnly, FeeDeskError)
    from app.models.db import storage_error

    assert isinstance(storage_error(Exception("database or disk is full")), StorageFull)
    assert isinstance(storage_error(Exception("attempt to write a readonly database")), LedgerReadOnly)
    assert storage_error(Exception("UNIQUE constraint failed")) is None
