"""Backups that restore: automatic backups (daily, at settlement, keep the last N) and
`feedesk restore PATH`, which proves a backup good before it replaces the live ledger.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main as feedesk
from app.errors import LedgerInUse
from app.models import Receipt
from app.services import audit, backup, run
from app.services.verify import verify
from tests.conftest import Ledger
from tests.helpers import pay, put_settings
from tests.reliability.figures import count
from tests.reliability.ledgers import fingerprint

# The SQLite ledger file itself is under test here; the PostgreSQL pass deselects this module
# (tests/postgres covers the shared server: role permissions, triggers, unreachable server).
pytestmark = pytest.mark.sqlite_only


def _receipts(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT receipt_no FROM receipt")}
    finally:
        con.close()


def test_restore_a_backup_taken_mid_day_then_keep_posting(populated, capsys):
    morning = pay(populated, "1-2-201", "cash=100")
    # Taken online, while the program (this factory) has the ledger open.
    taken = backup.auto_backup(str(populated.path), reason="daily", now=dt.datetime(2026, 11, 25, 12, 0))
    assert taken.verified and Path(taken.path).parent == populated.path.parent / "backups"
    afternoon = [pay(populated, code, "cash=50", change_to_prepaid=True) for code in ("2-1-101", "2-1-102")]
    populated.factory.kw["bind"].dispose()  # the program is closed for the restore

    assert feedesk(["--db", str(populated.path), "restore", taken.path]) == 0
    out = capsys.readouterr().out
    assert "恢复完成" in out and "原账本已保留为" in out
    restored = _receipts(populated.path)
    assert morning.receipt_no in restored
    assert not {r.receipt_no for r in afternoon} & restored
    # The replaced ledger is kept, whole, with the afternoon's payments in it.
    kept = [p for p in populated.path.parent.iterdir() if ".replaced-" in p.name]
    assert len(kept) == 1
    assert {r.receipt_no for r in afternoon} <= _receipts(kept[0])
    assert backup.check_file(kept[0])[1]
    # The cashier continues on the restored ledger.
    lg = Ledger(populated.path)
    again = pay(lg, "1-2-202", "cash=20", change_to_prepaid=True)
    assert run(lg.factory, verify).ok
    with lg.session() as s:
        assert s.scalar(select(Receipt.receipt_no).where(Receipt.receipt_no == again.receipt_no))
    lg.factory.kw["bind"].dispose()
    count("restores")


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for off in range(4096, len(data), 997):
        data[off] ^= 0x5A
    path.write_bytes(bytes(data))


def _tamper(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER posting_no_update")
    con.execute("UPDATE posting SET amount = amount + 1 WHERE id = (SELECT max(id) FROM posting)")
    con.commit()
    con.close()


def _newer(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a ledger at all\n" * 100)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


BAD = {"corrupted": _corrupt, "tampered": _tamper, "newer_version": _newer, "not_sqlite": _garbage,
       "truncated": _truncate}


@pytest.mark.parametrize("damage", list(BAD), ids=list(BAD))
def test_restore_refuses_a_bad_backup_and_leaves_the_ledger_alone(populated, damage, tmp_path, capsys):
    copy = tmp_path / "copy.db"
    backup.backup(str(populated.path), str(copy))
    BAD[damage](copy)
    populated.factory.kw["bind"].dispose()
    before = fingerprint(populated)
    assert feedesk(["--db", str(populated.path), "restore", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "错误：" in err and "现有账本未改动" in err
    assert fingerprint(populated) == before
    assert not [p for p in populated.path.parent.iterdir() if ".replaced-" in p.name or p.name.endswith(".restoring")]
    count("restore_refusals")


def test_restore_is_refused_while_another_window_has_the_ledger(populated, tmp_path):
    copy = tmp_path / "copy.db"
    backup.backup(str(populated.path), str(copy))
    holder = subprocess.Popen([sys.executable, "-c", "import sys; from app import ledger_lock; "
                               "l = ledger_lock.acquire(sys.argv[1], station='W02'); print('HELD', flush=True); "
                               "sys.stdin.readline()", str(populated.path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=str(Path(__file__).parents[2]))
    try:
        assert holder.stdout.readline().strip() == "HELD"
        with pytest.raises(LedgerInUse):
            backup.restore(str(populated.path), str(copy))
    finally:
        holder.kill()
        holder.wait()
    count("lock_refusals")


def test_automatic_backups_keep_the_last_n_and_run_once_a_day(populated, tmp_path):
    target = tmp_path / "nightly"
    with populated.session() as s, s.begin():
        put_settings(s, backup_dir=str(target), backup_keep="3")
    db = str(populated.path)
    days = [dt.datetime(2026, 11, d, 8, 30) for d in range(20, 26)]
    taken = [backup.daily_backup_if_due(db, now=d) for d in days]
    assert all(t is not None for t in taken)
    assert backup.daily_backup_if_due(db, now=days[-1] + dt.timedelta(hours=5)) is None  # once a day
    left = backup.list_auto_backups(target)
    assert [p.name for p in left] == [f"feedesk-202611{d}-083000-daily.db" for d in (23, 24, 25)]
    for p in left:
        assert backup.check_file(p)[:2] == ("ok", True)


def test_a_settlement_backs_up_after_its_commit_and_not_on_rollback(populated):
    """`backup_after_commit` is what the day settlement calls inside its transaction."""
    actor = populated.actor("boss")

    def settle_like(session, *, fail: bool):
        backup.backup_after_commit(session, reason="settlement")
        audit.record(session, actor, "test_settlement", "day", "2026-11-25")
        if fail:
            from app.errors import PeriodClosed

            raise PeriodClosed()
        return session

    folder = populated.path.parent / "backups"
    from app.errors import PeriodClosed

    with pytest.raises(PeriodClosed):
        run(populated.factory, settle_like, fail=True)
    assert backup.list_auto_backups(folder) == []
    session = run(populated.factory, settle_like, fail=False)
    made = backup.list_auto_backups(folder)
    assert len(made) == 1 and made[0].name.endswith("-settlement.db")
    assert session.info["backup_result"].verified
    # The copy contains the settlement itself (taken after the commit).
    con = sqlite3.connect(made[0])
    assert con.execute("SELECT count(*) FROM audit_event WHERE action = 'test_settlement'").fetchone()[0] == 1
    con.close()
    count("restores", 0)


def test_backup_of_a_copy_restores_into_a_missing_ledger(populated, tmp_path):
    copy = tmp_path / "copy.db"
    backup.backup(str(populated.path), str(copy))
    target = tmp_path / "new" / "ledger.db"
    target.parent.mkdir()
    r = backup.restore(str(target), str(copy))
    assert r.verified and r.replaced_kept_as is None
    assert _receipts(target) == _receipts(populated.path)
    shutil.rmtree(target.parent)
    count("restores")


def test_day_settlement_takes_an_automatic_backup(ledger):
    from tests.services.cashdesk_helpers import accept, close, estate, settle

    estate(ledger)
    from tests.helpers import open_shift

    shift = open_shift(ledger, float_yuan="0")
    pay(ledger, "1-1-101", "cash=100")
    close(ledger, "100=1")
    accept(ledger, shift.id)
    settle(ledger)
    made = backup.list_auto_backups(ledger.path.parent / "backups")
    assert len(made) == 1 and made[0].name.endswith("-settlement.db"), made
    con = sqlite3.connect(made[0])
    assert con.execute("SELECT count(*) FROM day_settlement").fetchone()[0] == 1
    con.close()
    count("restores", 0)


def test_cli_backup_auto_if_due_runs_once_a_day(populated, capsys):
    populated.factory.kw["bind"].dispose()
    db = str(populated.path)
    assert feedesk(["--db", db, "backup-auto", "--if-due"]) == 0
    assert "自动备份完成" in capsys.readouterr().out
    assert feedesk(["--db", db, "backup-auto", "--if-due"]) == 0
    assert "今天已有自动备份" in capsys.readouterr().out
    made = backup.list_auto_backups(populated.path.parent / "backups")
    assert len(made) == 1 and made[0].name.endswith("-daily.db")


def test_backup_auto_off_takes_no_automatic_backups(populated):
    with populated.session() as s, s.begin():
        put_settings(s, backup_auto="0")
    actor = populated.actor("boss")

    def settle_like(session):
        backup.backup_after_commit(session, reason="settlement")
        audit.record(session, actor, "test_settlement", "day", "2026-11-25")

    run(populated.factory, settle_like)
    assert backup.daily_backup_if_due(str(populated.path)) is None
    assert backup.list_auto_backups(populated.path.parent / "backups") == []
