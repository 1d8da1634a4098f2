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

from app.db import ledger_lock
from app.db.engine import open_ledger, upgrade
from app.errors import AuthenticationFailed, FeeDeskError, LedgerInUse, LedgerReadOnly, StorageFull
from app.services import run
from app.services.journal.verify import verify
from app.services.master import accounts
from app.services.system import auth
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
from app.db import ledger_lock
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
        done = subprocess.run([sys.executable, "-m", "app.cli.commands", "--db", db, "pay", "--account", "1-1-101",
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
    from app.db.engine import storage_error

    assert isinstance(storage_error(Exception("database or disk is full")), StorageFull)
    assert isinstance(storage_error(Exception("attempt to write a readonly database")), LedgerReadOnly)
    assert storage_error(Exception("UNIQUE constraint failed")) is None


# ---- issue 17.9: bad ledgers are named, never a traceback ---------------------------------------

ROOT = Path(__file__).parents[2]


def _feedesk(capsys, *argv: str) -> tuple[int, str, str]:
    from app.cli.commands import main

    try:
        code = main(list(argv))
    except SystemExit as exc:  # `verify` ends with exit code 1 when the books fail
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def _checkpointed(populated, copy_to: Path | None = None) -> Path:
    """The populated ledger with its WAL folded in and closed (a file as it sits on disk);
    `copy_to`: a copy there, to be damaged (the test ledger itself is verified afterwards)."""
    import sqlite3

    populated.factory.kw["bind"].dispose()
    con = sqlite3.connect(populated.path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    if copy_to is None:
        return populated.path
    shutil.copy(populated.path, copy_to)
    return copy_to


def _bad_ledgers(populated, tmp_path: Path) -> dict[str, tuple[str, str]]:
    """name -> (--db value, words the message must contain)."""
    import sqlite3

    good = _checkpointed(populated)
    (tmp_path / "random.db").write_bytes(os.urandom(8192))
    (tmp_path / "text.db").write_text("楼栋,单元,房号\n1,1,101\n", encoding="utf-8")
    (tmp_path / "empty.db").write_bytes(b"")
    (tmp_path / "folder.db").mkdir()
    data = good.read_bytes()
    (tmp_path / "cut.db").write_bytes(data[: len(data) // 2])
    (tmp_path / "header-only.db").write_bytes(data[:60])
    con = sqlite3.connect(tmp_path / "stranger.db")
    con.execute("CREATE TABLE places (url TEXT)")
    con.commit()
    con.close()
    return {
        "random bytes": (str(tmp_path / "random.db"), "不是收费台账本文件"),
        "text file": (str(tmp_path / "text.db"), "不是 SQLite 数据库"),
        "empty file": (str(tmp_path / "empty.db"), "账本文件为空"),
        "directory": (str(tmp_path / "folder.db"), "是一个文件夹"),
        "truncated": (str(tmp_path / "cut.db"), "被截断"),
        "header only": (str(tmp_path / "header-only.db"), "被截断"),
        "another program's SQLite file": (str(tmp_path / "stranger.db"), "不是收费台账本"),
        "missing file": (str(tmp_path / "typo.db"), "账本文件不存在"),
        "mysql URL": ("mysql://root:secret@db.example/feedesk", "不支持的数据库地址 mysql://root:***@db.example"),
    }


def test_bad_ledgers_get_a_chinese_message_naming_the_file_from_every_command(populated, tmp_path, capsys,
                                                                             monkeypatch):
    monkeypatch.setenv("FEEDESK_PASSWORD", "demo")
    monkeypatch.chdir(tmp_path)
    for name, (db, words) in _bad_ledgers(populated, tmp_path).items():
        before = sorted(p.name for p in tmp_path.iterdir())
        for argv in (["verify"], ["account", "show", "1-1-101"], ["pay", "--account", "1-1-101", "--tender",
                                                                  "cash=10", "--no-print"],
                     ["arrears"], ["backup", "--to", str(tmp_path / "copy.db")]):
            code, out, err = _feedesk(capsys, "--db", db, "--user", "demo", *argv)
            assert code == 1, (name, argv, out, err)
            assert err.startswith("错误：") and words in err and err.count("\n") == 1, (name, argv, err)
            assert "secret" not in err and (db in err or "://" in db), (name, argv, err)
        # nothing was created or changed: no new ledger for a typo, no -wal/-shm next to a stranger's file
        assert sorted(p.name for p in tmp_path.iterdir()) == before, name
        count("bad_ledgers", 5)
    # `init` makes a ledger only where there is none (a missing or an empty file) ...
    monkeypatch.setenv("FEEDESK_PASSWORD", "admin123")
    for db in (str(tmp_path / "typo.db"), str(tmp_path / "empty.db")):
        code, out, err = _feedesk(capsys, "--db", db, "init", "--admin-password", "admin123")
        assert code == 0 and "账本已就绪" in out, err
        code, out, err = _feedesk(capsys, "--db", db, "--user", "admin", "verify")
        assert code == 0 and "账本核验通过" in out, err
    # ... and never inside another program's file, a damaged one, or a folder.
    for name in ("random bytes", "truncated", "another program's SQLite file", "directory"):
        db = {"random bytes": "random.db", "truncated": "cut.db", "another program's SQLite file": "stranger.db",
              "directory": "folder.db"}[name]
        code, out, err = _feedesk(capsys, "--db", str(tmp_path / db), "init")
        assert code == 1 and err.startswith("错误：") and str(tmp_path / db) in err, (name, err)
    code, out, err = _feedesk(capsys, "--db", str(tmp_path / "no-such-folder" / "x.db"), "init")
    assert code == 1 and "文件夹不存在" in err


def test_a_bad_ledger_never_prints_a_traceback_from_the_real_command(tmp_path):
    (tmp_path / "random.db").write_bytes(os.urandom(4096))
    env = {**os.environ, "FEEDESK_USER": "demo", "FEEDESK_PASSWORD": "demo"}
    for db in (str(tmp_path / "random.db"), str(tmp_path / "typo.db"), "mysql://u:p@h/x", str(tmp_path)):
        done = subprocess.run([sys.executable, "-m", "app.cli.commands", "--db", db, "verify"], capture_output=True,
                              text=True, env=env, cwd=str(ROOT))
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.startswith("错误：") and done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "typo.db").exists()


def test_a_damaged_page_is_named_not_a_traceback(populated, tmp_path, capsys, monkeypatch):
    """A file whose header and schema read fine but whose table pages are garbage."""
    path = _checkpointed(populated, tmp_path / "damaged.db")
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for start in range(page * 8, len(data) - page, page * 2):  # every other page from the 9th on
        data[start:start + page] = os.urandom(page)
    path.write_bytes(bytes(data))
    monkeypatch.setenv("FEEDESK_PASSWORD", "admin")
    for argv in (["verify"], ["backup", "--to", str(tmp_path / "copy.db")], ["arrears"]):
        code, out, err = _feedesk(capsys, "--db", str(path), "--user", "admin", *argv)
        assert code == 1 and ("损坏" in err or "完整性检查失败" in err) and "Traceback" not in err, (argv, err)
    assert not (tmp_path / "copy.db").exists()


def test_verify_runs_sqlite_integrity_check_first(populated, tmp_path, capsys, monkeypatch):
    """An index that no longer matches its table: the books read fine, the file is not sound.
    `backup` always refused such a file; `verify` used to pass it."""
    import sqlite3

    path = _checkpointed(populated, tmp_path / "index.db")
    con = sqlite3.connect(path)
    con.execute("PRAGMA writable_schema=ON")
    con.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX ix_account_pinyin_initials ON account (owner_phone)' "
                "WHERE name = 'ix_account_pinyin_initials'")
    con.commit()
    con.close()
    lg = Ledger(path)
    try:
        result = run(lg.factory, verify)
    finally:
        lg.factory.kw["bind"].dispose()
    assert not result.ok and "integrity_check" in result.first_failure
    assert "ix_account_pinyin_initials" in result.first_failure
    monkeypatch.setenv("FEEDESK_PASSWORD", "admin")
    code, out, err = _feedesk(capsys, "--db", str(path), "--user", "admin", "verify")
    assert code == 1 and "账本核验失败" in out and "完整性检查失败" in out
    code, out, err = _feedesk(capsys, "--db", str(path), "--user", "admin", "backup", "--to", str(tmp_path / "b.db"))
    assert code == 1 and "完整性检查失败" in err and not (tmp_path / "b.db").exists()
    count("tamperings")


def test_a_ledger_without_write_permission_is_read_only_for_the_cli_even_for_root(populated, capsys, monkeypatch):
    path = _checkpointed(populated)
    before, data = fingerprint(populated), path.read_bytes()
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        monkeypatch.setenv("FEEDESK_PASSWORD", "demo")
        code, out, err = _feedesk(capsys, "--db", str(path), "--user", "demo", "pay", "--account", "1-1-101",
                                  "--tender", "cash=10", "--change-to-prepaid", "--no-print")
        assert code == 1 and "账本文件为只读" in err and str(path) in err and "不能记账" in err, err
        code, out, err = _feedesk(capsys, "--db", str(path), "--user", "demo", "account", "show", "1-1-101")
        assert code == 0 and "1-1-101" in out  # viewing works
        assert path.read_bytes() == data  # not a byte written, whoever runs the command
    finally:
        os.chmod(path, 0o644)
    assert fingerprint(populated) == before
    count("disk_full", 1)


def test_a_ledger_on_a_read_only_mount_opens_for_viewing(populated, capsys, monkeypatch):
    """A WAL ledger on a read-only disk: SQLite cannot make its -shm there (not even as root)."""
    path = _checkpointed(populated)
    mount = _mount_point()
    mounted = _mount_tmpfs(mount, "8m")
    try:
        shutil.copy(path, mount / "ledger.db")
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True, capture_output=True)
        else:  # no mounting here: a folder and file nobody may write is the same for a non-root user
            os.chmod(mount / "ledger.db", 0o444)
            os.chmod(mount, 0o555)
        db = str(mount / "ledger.db")
        opened = open_ledger(db, station="W01")
        assert opened.read_only and "只读" in opened.banner
        assert run(opened.factory, verify).ok
        opened.close()
        monkeypatch.setenv("FEEDESK_PASSWORD", "demo")
        code, out, err = _feedesk(capsys, "--db", db, "--user", "demo", "pay", "--account", "1-1-101",
                                  "--tender", "cash=10", "--change-to-prepaid", "--no-print")
        assert code == 1 and "账本文件为只读" in err, err
        code, out, err = _feedesk(capsys, "--db", db, "--user", "demo", "account", "show", "1-1-101")
        assert code == 0 and "1-1-101" in out, err
        assert sorted(p.name for p in mount.iterdir()) == ["ledger.db"]
    finally:
        if mounted:
            _umount(mount)
        else:
            os.chmod(mount, 0o755)
            shutil.rmtree(mount, ignore_errors=True)


def test_a_closed_pipe_after_the_commit_ends_quietly(populated, tmp_path):
    """`feedesk pay ... | head -1` where the reader has already gone: saved, exit 0, no traceback."""
    populated.factory.kw["bind"].dispose()
    payments_before = fingerprint(populated)[0]
    env = {**os.environ, "FEEDESK_USER": "demo", "FEEDESK_PASSWORD": "demo"}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte is written
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "app.cli.commands",
                "--db",
                str(populated.path),
                "pay",
                "--account",
                "1-2-201",
                "--tender",
                "cash=50",
                "--change-to-prepaid",
                "--no-print",
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(ROOT),
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    payments_after = fingerprint(populated)[0]  # the payment is in the ledger
    assert payments_after[1] == payments_before[1] + 1 and payments_after[2] == payments_before[2] + 5000
    shell = subprocess.run(f"{sys.executable} -m app.cli.commands --db {populated.path} arrears --json | head -c 1",
                           shell=True, capture_output=True, text=True, env=env, cwd=str(ROOT))
    assert shell.returncode == 0 and shell.stdout == "{" and shell.stderr == "", shell.stderr
