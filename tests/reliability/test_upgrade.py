"""Upgrades: every Alembic revision from the first to head on a populated ledger, a ledger
from a newer FeeDesk refused untouched, and a migration that fails half-way leaving nothing.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from app.cli.commands import main as feedesk
from app.db.engine import MIGRATIONS, alembic_config, current_revision, make_engine, upgrade
from app.errors import SchemaTooNew
from app.models import AuditEvent, Receipt
from app.services import run
from app.services.journal.audit import GENESIS, _digest
from app.services.journal.verify import verify
from tests.conftest import Ledger
from tests.helpers import pay
from tests.reliability.figures import count
from tests.reliability.ledgers import fingerprint

# The SQLite ledger file itself is under test here; the PostgreSQL pass deselects this module
# (tests/postgres covers the shared server: role permissions, triggers, unreachable server).
pytestmark = pytest.mark.sqlite_only

CORE_TABLES = ["site", "station", "app_user", "account", "person", "account_party", "fee_item", "tariff",
               "fee_assignment", "setting", "charge", "payment", "tender_line", "allocation", "receipt",
               "journal_entry", "posting", "audit_event", "audit_head", "bill_run"]


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite:///x.db"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def schema(path: Path) -> dict:
    """Tables with their column names, indexes and triggers (what a fresh head ledger has)."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {
            "columns": {t: sorted(r[1] for r in con.execute(f"PRAGMA table_info('{t}')")) for t in tables},
            "indexes": sorted(r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                         "AND name NOT LIKE 'sqlite_%'")),
            "triggers": sorted(r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")),
        }
    finally:
        con.close()


def core_rows(path: Path) -> dict[str, list]:
    con = sqlite3.connect(path)
    try:
        out = {}
        for t in CORE_TABLES:
            cols = [r[1] for r in con.execute(f"PRAGMA table_info('{t}')")]
            base = [c for c in cols if RENAMED.get(t, {}).get(c, c) in CORE_COLUMNS.get(t, cols)]
            out[t] = con.execute(f"SELECT {', '.join(base)} FROM {t} ORDER BY rowid").fetchall()
        return out
    finally:
        con.close()


CORE_COLUMNS: dict[str, list[str]] = {}
#: Tables a later revision seeds rows into (0006: a chain head for every station; 0007: the event
#: sealing the rows written before it).
SEEDED_LATER = {"audit_head", "audit_event"}
#: Rows a later revision moves on: the public chain's head (0007 appends its seal event); only
#: the leading columns (the id) must stay.
MOVED_LATER = {"audit_head": 1}
#: Columns renamed by a later revision: new name -> the first release's name.
RENAMED = {"audit_head": {"last_seq": "last_event_id"}}


def sane(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()


def first_release_copy(populated_path: Path, target: Path) -> None:
    """A ledger created by the first revision, holding the populated ledger's data.

    Built forward (create at the first revision, copy the rows of the tables it has), so the
    test does not depend on any revision's downgrade.
    """
    command.upgrade(alembic_config(str(target)), revisions()[0])
    con = sqlite3.connect(target, isolation_level=None)
    try:
        con.execute("ATTACH DATABASE ? AS src", (str(populated_path),))
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute("BEGIN")
        for (table,) in con.execute("SELECT name FROM main.sqlite_master WHERE type = 'table' "
                                    "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'").fetchall():
            mine = [r[1] for r in con.execute(f"PRAGMA main.table_info('{table}')")]
            theirs = {r[1] for r in con.execute(f"PRAGMA src.table_info('{table}')")}
            if table in ("audit_event", "audit_head"):
                continue  # the first release had one chain: written below
            cols = ", ".join(c for c in mine if c in theirs)
            con.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM src.{table}")
        _relink_as_one_chain(con)
        con.execute("COMMIT")
        con.execute("DETACH DATABASE src")
    finally:
        con.close()


def _relink_as_one_chain(con) -> None:
    """The audit log as the first release wrote it: one chain in id order, the id in each hash."""
    prev, last = GENESIS, 0
    for row in con.execute("SELECT id, created_at, user_id, station, action, entity, entity_id, payload "
                           "FROM src.audit_event ORDER BY id").fetchall():
        ev_id, at, user, station, action, entity, entity_id, payload = row
        h = _digest(prev, ev_id, dt.datetime.fromisoformat(at).isoformat(), user, station, action, entity,
                    entity_id, payload)
        con.execute("INSERT INTO main.audit_event (id, created_at, user_id, station, action, entity, entity_id, "
                    "payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*row, prev, h))
        prev, last = h, ev_id
    con.execute("UPDATE main.audit_head SET last_event_id = ?, last_hash = ? WHERE id = 1", (last, prev))


def without_audit(fp: tuple) -> tuple:
    return tuple(x for x in fp if x[0] != "audit_event")


def seal_events(lg) -> int:
    with lg.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "seal"))


def test_every_revision_from_the_first_to_head_keeps_a_populated_ledger(populated, tmp_path, template_db):
    revs = revisions()
    assert revs[0] == "0001" and len(revs) >= 2
    populated.factory.kw["bind"].dispose()
    before_money = fingerprint(populated)
    head_schema = schema(template_db)
    old = tmp_path / "old.db"
    first_release_copy(populated.path, old)
    CORE_COLUMNS.update(schema(old)["columns"])
    at_first = core_rows(old)
    assert sum(len(v) for v in at_first.values()) > 100
    sane(old)
    cfg = alembic_config(str(old))
    for rev in revs[1:]:
        command.upgrade(cfg, rev)
        sane(old)
        engine = make_engine(str(old))
        assert current_revision(engine) == rev
        engine.dispose()
        now = core_rows(old)
        for table in SEEDED_LATER:  # a later revision may add rows here, never change the old ones
            now[table] = now[table][:len(at_first[table])]
        for table, keep in MOVED_LATER.items():
            now[table] = [row[:keep] for row in now[table]]
            at_first[table] = [row[:keep] for row in at_first[table]]
        assert now == at_first, f"data changed by revision {rev}"
        count("upgrades")
    assert schema(old) == head_schema  # same tables, columns, indexes and append-only triggers as new
    lg = Ledger(old)
    assert without_audit(fingerprint(lg)) == without_audit(before_money)
    assert seal_events(lg) == 1  # 0007 sealed the rows written before it
    assert run(lg.factory, verify).ok
    pay(lg, "1-2-201", "cash=10")  # and the cashier continues
    assert run(lg.factory, verify).ok
    lg.factory.kw["bind"].dispose()


def test_the_latest_revision_downgrades_and_upgrades_again(populated, tmp_path):
    """Undoing the newest revision (a botched update rolled back) keeps the books; redoing it too."""
    revs = revisions()
    populated.factory.kw["bind"].dispose()
    copy = tmp_path / "copy.db"
    shutil.copy(populated.path, copy)
    before = (schema(copy), without_audit(fingerprint(Ledger(copy))))
    cfg = alembic_config(str(copy))
    command.downgrade(cfg, revs[-2])
    sane(copy)
    command.upgrade(cfg, "head")
    sane(copy)
    lg = Ledger(copy)
    # Redoing 0007 seals the rows again (their txn went with the downgrade) in one more event.
    assert (schema(copy), without_audit(fingerprint(lg))) == before
    assert run(lg.factory, verify).ok
    lg.factory.kw["bind"].dispose()
    count("upgrades")


def test_upgrading_a_ledger_with_voids_marks_when_slips_began(populated, tmp_path):
    """0006 comes with the void/refund slips: a ledger that already had corrections records when
    slips began (their old voids never had one); a ledger without corrections owes every slip."""
    from app.services.desk import print_jobs as printing
    from app.services.system import settings
    from tests.services.cashdesk_helpers import void

    with populated.session() as s:
        receipt_no = s.scalar(select(Receipt.receipt_no).order_by(Receipt.id).limit(1))
    void(populated, receipt_no, day="2026-11-25")
    populated.factory.kw["bind"].dispose()
    for voided in (True, False):
        copy = tmp_path / f"copy-{voided}.db"
        shutil.copy(populated.path, copy)
        cfg = alembic_config(str(copy))
        command.downgrade(cfg, "0005")
        if not voided:
            con = sqlite3.connect(copy)
            for table in ("payment_correction",):  # as if nothing had been corrected (triggers off for the test)
                con.execute("DROP TRIGGER IF EXISTS payment_correction_no_delete")
                con.execute(f"DELETE FROM {table}")
            con.commit()
            con.close()
        command.upgrade(cfg, "head")
        lg = Ledger(copy)
        with lg.session() as s:
            since = settings.get(s, "correction_slips_since")
        assert bool(since) == voided, since
        if voided:
            listed = lg.run(printing.unprinted_receipts, actor=lg.actor("demo"))
            assert [u.receipt_no for u in listed if u.kind == "void"] == []  # the old void owes no slip
        lg.factory.kw["bind"].dispose()


def test_upgrade_through_the_cli_init_of_an_old_ledger(populated, tmp_path, capsys):
    populated.factory.kw["bind"].dispose()
    old = tmp_path / "old.db"
    first_release_copy(populated.path, old)
    assert feedesk(["--db", str(old), "init", "--admin-password", "admin"]) == 0
    assert "账本已就绪" in capsys.readouterr().out
    engine = make_engine(str(old))
    assert current_revision(engine) == revisions()[-1]
    engine.dispose()
    lg = Ledger(old)
    assert run(lg.factory, verify).ok
    lg.factory.kw["bind"].dispose()
    count("upgrades")


def test_opening_an_old_ledger_in_the_program_or_the_cli_brings_it_up_to_date(populated, tmp_path, capsys):
    """After installing a new FeeDesk the window opens yesterday's ledger as it is: no init needed."""
    from app.ui.main import open_ledger

    populated.factory.kw["bind"].dispose()
    for how in ("window", "cli"):
        old = tmp_path / f"old-{how}.db"
        first_release_copy(populated.path, old)
        if how == "window":
            open_ledger(str(old), "W01").close()
        else:
            assert feedesk(["--db", str(old), "verify"]) == 0, capsys.readouterr().err
        engine = make_engine(str(old))
        assert current_revision(engine) == revisions()[-1], how
        engine.dispose()
        lg = Ledger(old)
        assert without_audit(fingerprint(lg)) == without_audit(fingerprint(populated))
        assert seal_events(lg) == 1
        pay(lg, "1-2-201", "cash=10")  # the cashier takes the next payment on the upgraded ledger
        assert run(lg.factory, verify).ok
        lg.factory.kw["bind"].dispose()
        count("upgrades")


def test_a_ledger_from_a_newer_feedesk_is_refused_and_left_untouched(populated, capsys, monkeypatch):
    populated.factory.kw["bind"].dispose()
    monkeypatch.setenv("FEEDESK_USER", "admin")  # backup needs a log-in (issue 17.3); refused before it
    monkeypatch.setenv("FEEDESK_PASSWORD", "admin")
    con = sqlite3.connect(populated.path)
    con.execute("UPDATE alembic_version SET version_num = '0042_from_the_future'")
    con.commit()
    con.close()
    before = (schema(populated.path), fingerprint(populated))
    with pytest.raises(SchemaTooNew) as info:
        upgrade(str(populated.path))
    assert "更新版本" in info.value.message and "0042_from_the_future" in info.value.message
    for argv in (["init"], ["verify"], ["backup", "--to", str(populated.path.parent / "b.db")]):
        code = feedesk(["--db", str(populated.path), *argv])
        err = capsys.readouterr().err
        assert code == 1 and "请升级程序" in err, (argv, err)
    assert (schema(populated.path), fingerprint(populated)) == before
    con = sqlite3.connect(populated.path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0042_from_the_future"
    con.execute("UPDATE alembic_version SET version_num = ?", (revisions()[-1],))  # for the fixture's check
    con.commit()
    con.close()
    count("upgrades")


BROKEN = '''"""broken on purpose (test)"""
from alembic import op
import sqlalchemy as sa

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("half_column", sa.Integer(), nullable=True))
    op.execute("INSERT INTO half_done (id) VALUES (1)")
    raise RuntimeError("power cut in the middle of a migration")


def downgrade() -> None:
    pass
'''


def test_a_migration_that_fails_half_way_leaves_the_ledger_at_its_old_revision(populated, tmp_path):
    populated.factory.kw["bind"].dispose()
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = revisions()[-1]
    (scripts / "versions" / "9001_broken.py").write_text(BROKEN.replace("{head}", head), encoding="utf-8")
    before = (schema(populated.path), fingerprint(populated))
    cfg = alembic_config(str(populated.path))
    cfg.set_main_option("script_location", str(scripts))
    with pytest.raises(RuntimeError, match="power cut"):
        command.upgrade(cfg, "head")
    assert (schema(populated.path), fingerprint(populated)) == before
    engine = make_engine(str(populated.path))
    assert current_revision(engine) == head
    engine.dispose()
    sane(populated.path)
    count("upgrades")


@pytest.mark.parametrize("attack", ["forge", "edit", "delete"])
def test_rows_from_before_the_seals_are_sealed_by_the_upgrade(populated, tmp_path, attack):
    """0007 seals what an old ledger holds: a row added, edited or deleted after it is named."""
    populated.factory.kw["bind"].dispose()
    old = tmp_path / "old.db"
    first_release_copy(populated.path, old)
    upgrade(str(old))
    lg = Ledger(old)
    assert run(lg.factory, verify).ok
    pay(lg, "1-2-201", "cash=10")  # a sealed payment after the upgrade
    assert run(lg.factory, verify).ok
    lg.factory.kw["bind"].dispose()
    con = sqlite3.connect(old, isolation_level=None)
    con.execute("DROP TRIGGER posting_no_update")
    con.execute("DROP TRIGGER posting_no_delete")
    first_sealed = con.execute("SELECT min(id) FROM posting WHERE txn IS NOT NULL").fetchone()[0]
    old_ids = [r[0] for r in con.execute("SELECT id FROM posting WHERE txn IS NULL ORDER BY id")]
    assert old_ids and old_ids[-1] < first_sealed
    if attack == "forge":  # a line with no txn, as the old rows have
        entry = con.execute("SELECT entry_id FROM posting WHERE id = ?", (old_ids[0],)).fetchone()[0]
        con.execute("INSERT INTO posting (entry_id, book, amount) VALUES (?, 'waiver', 0)", (entry,))
        named = "没有对应的审计事件"
    elif attack == "edit":
        con.execute("UPDATE posting SET tender = 'card' WHERE id = ? ", (old_ids[1],))
        named = "迁移前的分录明细"
    else:
        con.execute("DELETE FROM posting WHERE id = ?", (old_ids[1],))
        named = "迁移前的分录明细"
    con.close()
    lg = Ledger(old)
    result = run(lg.factory, verify)
    lg.factory.kw["bind"].dispose()
    assert not result.ok
    assert named in result.checks["seals"], result.checks["seals"]
    count("tamperings")
