"""Backups that restore: automatic backups (daily, at settlement, keep the last N) and
`feedesk restore PATH`, which proves a backup good before it replaces the live ledger.

Issue 17.3: a backup needs a supervisor or an administrator; a restore needs an
administrator of the ledger being replaced, lists what will be lost and asks first; and
receipt numbers never go back (the receipt mark beside the ledger), even when an old copy is
put in place by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli.commands import main as feedesk
from app.errors import LedgerInUse
from app.models import AuditEvent, Receipt, ReceiptNumberEvent
from app.services import run
from app.services.desk import receipt_mark, receipt_stock
from app.services.journal import audit
from app.services.journal.verify import verify
from app.services.system import backup
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


@pytest.fixture
def as_user(monkeypatch):
    def login(name: str | None, password: str | None = None):
        if name is None:
            monkeypatch.delenv("FEEDESK_USER", raising=False)
            monkeypatch.delenv("FEEDESK_PASSWORD", raising=False)
        else:
            monkeypatch.setenv("FEEDESK_USER", name)
            monkeypatch.setenv("FEEDESK_PASSWORD", password or name)
    login(None)
    return login


def test_restore_a_backup_taken_mid_day_then_keep_posting(populated, capsys, as_user):
    morning = pay(populated, "1-2-201", "cash=100")
    # Taken online, while the program (this factory) has the ledger open.
    taken = backup.auto_backup(str(populated.path), reason="daily", now=dt.datetime(2026, 11, 25, 12, 0))
    assert taken.verified and Path(taken.path).parent == populated.path.parent / "backups"
    afternoon = [pay(populated, code, "cash=50", change_to_prepaid=True) for code in ("2-1-101", "2-1-102")]
    populated.factory.kw["bind"].dispose()  # the program is closed for the restore

    as_user("admin")
    assert feedesk(["--db", str(populated.path), "restore", taken.path, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "恢复完成" in out and "原账本已保留为" in out
    # What was lost was shown first: the afternoon's payments, and numbering goes on after them.
    assert "备份之后的 2 笔收款（合计 100.00 元）" in out
    assert all(p.receipt_no in out for p in afternoon)
    assert f"恢复后 W01 的票据号从 {afternoon[-1].receipt_no} 之后继续" in out
    restored = _receipts(populated.path)
    assert morning.receipt_no in restored
    assert not {r.receipt_no for r in afternoon} & restored
    # The replaced ledger is kept, whole, with the afternoon's payments in it.
    kept = [p for p in populated.path.parent.iterdir() if ".replaced-" in p.name]
    assert len(kept) == 1
    assert {r.receipt_no for r in afternoon} <= _receipts(kept[0])
    assert backup.check_file(kept[0])[1]
    # The cashier continues on the restored ledger, and no receipt number is issued twice.
    lg = Ledger(populated.path)
    again = pay(lg, "1-2-202", "cash=20", change_to_prepaid=True)
    assert again.receipt_no not in {r.receipt_no for r in afternoon}
    assert again.receipt_no > afternoon[-1].receipt_no
    assert run(lg.factory, verify).ok
    with lg.session() as s:
        assert s.scalar(select(Receipt.receipt_no).where(Receipt.receipt_no == again.receipt_no))
        lost = {e.receipt_no: e.reason for e in s.scalars(select(ReceiptNumberEvent))}
        restore_event = s.scalars(select(AuditEvent).where(AuditEvent.action == "restore")).one()
    # The numbers of the lost payments are explained (报损, lost in the restore), not gaps.
    assert {r.receipt_no for r in afternoon} == set(lost) and set(lost.values()) == {receipt_mark.SKIPPED_REASON}
    assert run(lg.factory, receipt_stock.gaps, actor=lg.actor("admin")) == []
    assert restore_event.user_id == lg.actor("admin").user_id
    assert '"lost_payments":2' in restore_event.payload and '"numbers_skipped":2' in restore_event.payload
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
def test_restore_refuses_a_bad_backup_and_leaves_the_ledger_alone(populated, damage, tmp_path, capsys, as_user):
    copy = tmp_path / "copy.db"
    backup.backup(str(populated.path), str(copy), actor=None)
    BAD[damage](copy)
    populated.factory.kw["bind"].dispose()
    before = fingerprint(populated)
    as_user("admin")
    assert feedesk(["--db", str(populated.path), "restore", str(copy), "--yes"]) == 1
    err = capsys.readouterr().err
    assert "错误：" in err and "现有账本未改动" in err
    after = fingerprint(populated)
    # The administrator's log-in is the only new row (an audit event); nothing else moved.
    assert [f for f in after if f[0] != "audit_event"] == [f for f in before if f[0] != "audit_event"]
    assert [f[1] for f in after if f[0] == "audit_event"] == [f[1] + 1 for f in before if f[0] == "audit_event"]
    assert not [p for p in populated.path.parent.iterdir() if ".replaced-" in p.name or p.name.endswith(".restoring")]
    count("restore_refusals")


def test_restore_is_refused_while_another_window_has_the_ledger(populated, tmp_path):
    copy = tmp_path / "copy.db"
    backup.backup(str(populated.path), str(copy), actor=None)
    holder = subprocess.Popen([sys.executable, "-c", "import sys; from app.db import ledger_lock; "
                               "l = ledger_lock.acquire(sys.argv[1], station='W02'); print('HELD', flush=True); "
                               "sys.stdin.readline()", str(populated.path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=str(Path(__file__).parents[2]))
    try:
        assert holder.stdout.readline().strip() == "HELD"
        with pytest.raises(LedgerInUse):
            backup.restore(str(populated.path), str(copy), actor=populated.actor("admin"))
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
    backup.backup(str(populated.path), str(copy), actor=None)
    target = tmp_path / "new" / "ledger.db"
    target.parent.mkdir()
    r = backup.restore(str(target), str(copy), actor=None)  # nothing is replaced: no log-in to check
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


# ---- issue 17.3: who may back up and restore; receipt numbers never go back ---------------------

def _copy_over(backup_path: str, ledger: Path) -> None:
    """What someone with file access does instead of `feedesk restore`: copy an old file over."""
    for suffix in ("-wal", "-shm"):
        Path(str(ledger) + suffix).unlink(missing_ok=True)
    shutil.copy(backup_path, ledger)


def _pay_numbers(lg, n: int) -> list[str]:
    codes = ["1-2-201", "1-2-202", "2-1-101", "2-1-102"]
    return [pay(lg, codes[i % 4], "cash=10", change_to_prepaid=True).receipt_no for i in range(n)]


def test_restore_needs_an_administrator_of_the_ledger_being_replaced(populated, tmp_path, capsys, as_user):
    old = tmp_path / "old.db"
    backup.backup(str(populated.path), str(old), actor=None)
    # A ledger file of the attacker's own making, where "mallory" is an administrator.
    foreign = tmp_path / "foreign.db"
    shutil.copy(old, foreign)
    lg = Ledger(foreign)
    from app.services.system import auth

    lg.run(auth.add_user, actor=lg.actor("admin"), username="mallory", role="admin", password="mallory-pw1")
    lg.factory.kw["bind"].dispose()
    _pay_numbers(populated, 2)
    populated.factory.kw["bind"].dispose()
    before = fingerprint(populated)
    db = str(populated.path)

    as_user(None)
    assert feedesk(["--db", db, "restore", str(old), "--yes"]) == 1
    assert "请用 --user" in capsys.readouterr().err
    for who, expected in (("demo", "没有“系统管理”权限"), ("boss", "没有“系统管理”权限"),
                          ("mallory", "用户名或密码错误")):
        as_user(who)
        assert feedesk(["--db", db, "restore", str(foreign), "--yes"]) == 1
        assert expected in capsys.readouterr().err, who
    as_user("admin", "not-the-password")
    assert feedesk(["--db", db, "restore", str(old), "--yes"]) == 1
    assert "用户名或密码错误" in capsys.readouterr().err
    # Nothing replaced; the refusals are in the live ledger's audit (log-ins and failures only).
    after = fingerprint(populated)
    assert [f for f in after if f[0] != "audit_event"] == [f for f in before if f[0] != "audit_event"]
    assert not [p for p in populated.path.parent.iterdir() if ".replaced-" in p.name]
    with populated.session() as s:
        failed = s.scalars(select(AuditEvent.payload).where(AuditEvent.action == "login_failed")).all()
    assert len(failed) == 2 and '"username":"mallory"' in failed[0] and '"reason":"wrong_password"' in failed[1]
    with pytest.raises(Exception) as err:
        backup.restore(db, str(old), actor=populated.actor("boss"))  # the service checks it too
    assert "没有“系统管理”权限" in str(err.value)
    count("restore_refusals", 6)


def test_restore_without_yes_lists_what_would_be_lost_and_changes_nothing(populated, tmp_path, capsys, as_user):
    old = tmp_path / "old.db"
    backup.backup(str(populated.path), str(old), actor=None)
    lost = _pay_numbers(populated, 3)
    populated.factory.kw["bind"].dispose()
    before = fingerprint(populated)
    as_user("admin")
    assert feedesk(["--db", str(populated.path), "--json", "restore", str(old)]) == 1
    out, err = capsys.readouterr()
    listed = json.loads(out)
    assert [p["receipt_no"] for p in listed["lost_payments"]] == lost
    assert [p["amount"] for p in listed["lost_payments"]] == ["10.00"] * 3
    assert listed["lost_receipts"] == lost
    assert listed["last_numbers"]["W01"] == {"ledger": lost[-1], "backup": f"W01{int(lost[0][3:]) - 1:08d}"}
    assert listed["numbering_continues_after"] == {"W01": lost[-1]}
    assert "未确认恢复" in err
    after = fingerprint(populated)
    assert [f for f in after if f[0] != "audit_event"] == [f for f in before if f[0] != "audit_event"]
    assert not [p for p in populated.path.parent.iterdir() if ".replaced-" in p.name]


def test_numbers_never_go_back_when_an_old_copy_is_put_in_place_by_hand(populated, tmp_path):
    old = tmp_path / "old.db"
    backup.backup(str(populated.path), str(old), actor=None)
    issued = _pay_numbers(populated, 3)
    populated.factory.kw["bind"].dispose()
    _copy_over(str(old), populated.path)  # no restore: the file itself is replaced
    lg = Ledger(populated.path)
    nxt = pay(lg, "1-1-101", "cash=10", change_to_prepaid=True).receipt_no
    assert nxt not in issued and nxt > issued[-1]
    assert run(lg.factory, verify).ok
    assert run(lg.factory, receipt_stock.gaps, actor=lg.actor("admin")) == []
    history = run(lg.factory, receipt_stock.receipt_history, actor=lg.actor("admin"), receipt_no=issued[0])
    assert [(e.event, e.reason) for e in history] == [("lost", receipt_mark.SKIPPED_REASON)]
    lg.factory.kw["bind"].dispose()
    count("restores")


def test_numbers_of_a_cashiers_receipt_range_never_go_back(populated, tmp_path, as_user):
    populated.run(receipt_stock.issue_range, actor=populated.actor("boss"), prefix="PJ", first=501, last=600,
                  to_user="demo")
    first = _pay_numbers(populated, 1)
    old = tmp_path / "old.db"
    backup.backup(str(populated.path), str(old), actor=None)
    issued = _pay_numbers(populated, 2)
    assert first + issued == ["PJ00000501", "PJ00000502", "PJ00000503"]
    populated.factory.kw["bind"].dispose()
    r = backup.restore(str(populated.path), str(old), actor=populated.actor("admin"))
    assert r.numbers_skipped == 2
    lg = Ledger(populated.path)
    assert _pay_numbers(lg, 1) == ["PJ00000504"]
    assert run(lg.factory, verify).ok
    lg.factory.kw["bind"].dispose()


def test_a_missing_or_damaged_receipt_mark_is_rebuilt_from_the_ledger(populated):
    mark = receipt_mark.mark_file(populated.path)
    issued = _pay_numbers(populated, 1)
    assert receipt_mark.read(mark) == {"W01": {1: int(issued[0][3:])}}
    mark.unlink()
    issued += _pay_numbers(populated, 1)
    assert receipt_mark.read(mark) == {"W01": {1: int(issued[-1][3:])}}
    mark.write_text('{"prefixes": {"W01": {"1": 9', encoding="utf-8")  # torn by a crash
    issued += _pay_numbers(populated, 1)
    assert receipt_mark.read(mark) == {"W01": {1: int(issued[-1][3:])}}
    assert issued == sorted(issued) and len(set(issued)) == 3
    # A crash between the write and the truncate: the new JSON, then old bytes; still read.
    mark.write_text(mark.read_text(encoding="utf-8").rstrip() + ' 00000"}}}\n', encoding="utf-8")
    assert receipt_mark.read(mark) == {"W01": {1: int(issued[-1][3:])}}


def test_backup_needs_a_supervisor_or_an_administrator_and_is_audited(populated, tmp_path, capsys, as_user):
    populated.factory.kw["bind"].dispose()
    db = str(populated.path)
    target = tmp_path / "b.db"
    as_user(None)
    assert feedesk(["--db", db, "backup", "--to", str(target)]) == 1
    as_user("demo")
    assert feedesk(["--db", db, "backup", "--to", str(target)]) == 1
    assert "没有“备份”权限" in capsys.readouterr().err
    assert feedesk(["--db", db, "backup-auto"]) == 1
    assert not target.exists() and backup.list_auto_backups(populated.path.parent / "backups") == []
    as_user("boss")
    assert feedesk(["--db", db, "backup", "--to", str(target)]) == 0
    assert backup.check_file(target)[1]
    as_user("admin")
    assert feedesk(["--db", db, "backup-auto"]) == 0
    with populated.session() as s:
        rows = s.execute(select(AuditEvent.user_id, AuditEvent.payload).where(AuditEvent.action == "backup")
                         .order_by(AuditEvent.id)).all()
    assert [r.user_id for r in rows] == [populated.actor("boss").user_id, populated.actor("admin").user_id]
    assert str(target) in rows[0].payload
