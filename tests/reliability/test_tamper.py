"""Tampering: edits made directly in the database file are named by verify; triggers refuse them.

Each case is what an attacker with the file and a SQLite shell would do: drop the
append-only triggers first, then edit an amount, delete a row or reorder audit events.
`verify` must fail and name the first bad record (its id or receipt number).
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from app.models.db import make_factory
from app.services import run
from app.services.verify import verify
from tests.helpers import pay
from tests.reliability.figures import count

# The SQLite ledger file itself is under test here; the PostgreSQL pass deselects this module
# (tests/postgres covers the shared server: role permissions, triggers, unreachable server).
pytestmark = pytest.mark.sqlite_only


def _triggers(con: sqlite3.Connection) -> list[tuple[str, str]]:
    return con.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()


def _drop_triggers(con: sqlite3.Connection) -> None:
    for name, _ in _triggers(con):
        con.execute(f"DROP TRIGGER {name}")


def _ids(con, sql):
    return [r[0] for r in con.execute(sql)]


def _payment(con):
    """The last real payment: id, receipt number."""
    return con.execute("SELECT id, receipt_no FROM payment WHERE kind = 'payment' ORDER BY id DESC LIMIT 1").fetchone()


# Each attack edits the file and returns what the verify message must name.
def edit_payment_amount(con):
    pid, no = _payment(con)
    con.execute("UPDATE payment SET tendered = tendered + 10000 WHERE id = ?", (pid,))
    return no


def edit_payment_consistently(con):
    """A careful attacker: tendered, tender line, change and drawer posting all moved together."""
    pid, no = _payment(con)
    con.execute("UPDATE payment SET tendered = tendered - 100, change = change - 100 WHERE id = ?", (pid,))
    tl = con.execute("SELECT id FROM tender_line WHERE payment_id = ? ORDER BY id LIMIT 1", (pid,)).fetchone()[0]
    con.execute("UPDATE tender_line SET amount = amount - 100 WHERE id = ?", (tl,))
    entry = con.execute("SELECT id FROM journal_entry WHERE payment_id = ?", (pid,)).fetchone()[0]
    rows = con.execute("SELECT id, amount FROM posting WHERE entry_id = ? AND book = 'drawer' ORDER BY id",
                       (entry,)).fetchall()
    con.execute("UPDATE posting SET amount = amount - 100 WHERE id = ?", (rows[0][0],))
    con.execute("UPDATE posting SET amount = amount + 100 WHERE id = ?", (rows[-1][0],))
    return f"#{pid}"


def edit_posting_amount(con):
    pid = con.execute("SELECT max(id) FROM posting").fetchone()[0]
    entry = con.execute("SELECT entry_id FROM posting WHERE id = ?", (pid,)).fetchone()[0]
    con.execute("UPDATE posting SET amount = amount + 1 WHERE id = ?", (pid,))
    return f"#{entry}"


def edit_charge_amount(con):
    cid = con.execute("SELECT min(id) FROM charge").fetchone()[0]
    con.execute("UPDATE charge SET amount = amount - 5000 WHERE id = ?", (cid,))
    return f"#{cid}"


def edit_receipt_document(con):
    pid, no = _payment(con)
    doc = con.execute("SELECT document FROM receipt WHERE receipt_no = ?", (no,)).fetchone()[0]
    import json

    data = json.loads(doc)
    data["total"] = data["total"] + 50000
    con.execute("UPDATE receipt SET document = ? WHERE receipt_no = ?", (json.dumps(data, ensure_ascii=False), no))
    return no


def edit_allocation(con):
    aid, cid = con.execute("SELECT id, charge_id FROM allocation ORDER BY id DESC LIMIT 1").fetchone()
    con.execute("UPDATE allocation SET amount = amount - 1 WHERE id = ?", (aid,))
    return f"#{cid}"


def delete_receipt(con):
    pid, no = _payment(con)
    con.execute("DELETE FROM receipt WHERE receipt_no = ?", (no,))
    return no


def delete_whole_payment(con):
    """Remove a payment with everything hanging off it, as if it never happened."""
    pid, no = _payment(con)
    entry = con.execute("SELECT id FROM journal_entry WHERE payment_id = ?", (pid,)).fetchone()[0]
    con.execute("DELETE FROM posting WHERE entry_id = ?", (entry,))
    con.execute("DELETE FROM journal_entry WHERE id = ?", (entry,))
    con.execute("DELETE FROM allocation WHERE payment_id = ?", (pid,))
    con.execute("DELETE FROM tender_line WHERE payment_id = ?", (pid,))
    con.execute("DELETE FROM receipt WHERE payment_id = ?", (pid,))
    con.execute("DELETE FROM payment WHERE id = ?", (pid,))
    return no


def delete_posting(con):
    pid = con.execute("SELECT max(id) FROM posting").fetchone()[0]
    entry = con.execute("SELECT entry_id FROM posting WHERE id = ?", (pid,)).fetchone()[0]
    con.execute("DELETE FROM posting WHERE id = ?", (pid,))
    return f"#{entry}"


def _station_chain(con) -> str:
    return con.execute("SELECT chain FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()[0]


def delete_audit_event(con):
    chain = _station_chain(con)
    eid, seq = con.execute("SELECT id, seq FROM audit_event WHERE chain = ? ORDER BY seq LIMIT 1 OFFSET 3",
                           (chain,)).fetchone()
    con.execute("DELETE FROM audit_event WHERE id = ?", (eid,))
    return f"收费点 {chain} 的审计链第 {seq} 条"


def delete_last_audit_event(con):
    eid, chain, seq = con.execute("SELECT id, chain, seq FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    con.execute("DELETE FROM audit_event WHERE id = ?", (eid,))
    return f"收费点 {chain} 的审计链链尾不符：记录到第 {seq} 条"


def reorder_audit_events(con):
    """Swap the places of a chain's last two events."""
    chain = _station_chain(con)
    (hi,), (lo,) = con.execute("SELECT seq FROM audit_event WHERE chain = ? ORDER BY seq DESC LIMIT 2",
                               (chain,)).fetchall()
    con.execute("UPDATE audit_event SET seq = -1 WHERE chain = ? AND seq = ?", (chain, hi))
    con.execute("UPDATE audit_event SET seq = ? WHERE chain = ? AND seq = ?", (hi, chain, lo))
    con.execute("UPDATE audit_event SET seq = ? WHERE chain = ? AND seq = -1", (lo, chain))
    return f"第 {lo} 条"


def delete_public_chain(con):
    """Remove every event written without a station (users, settings of the set-up) and its head."""
    con.execute("DELETE FROM audit_event WHERE chain = ''")
    con.execute("DELETE FROM audit_head WHERE chain = ''")
    return "公共审计链没有链尾记录"


def relabel_station_chain(con):
    """Move a station's whole chain and its head under another name."""
    con.execute("UPDATE audit_event SET chain = 'W99' WHERE chain = 'W01'")
    con.execute("UPDATE audit_head SET chain = 'W99' WHERE chain = 'W01'")
    return "收费点 W01"


def edit_audit_payload(con):
    eid = con.execute("SELECT id FROM audit_event WHERE action = 'payment' ORDER BY id LIMIT 1").fetchone()[0]
    con.execute("UPDATE audit_event SET payload = replace(payload, '\"tendered\":', '\"tendered\":1') WHERE id = ?",
                (eid,))
    return f"#{eid}"


def edit_audit_time(con):
    eid = con.execute("SELECT max(id) FROM audit_event").fetchone()[0]
    con.execute("UPDATE audit_event SET created_at = '2020-01-01 00:00:00.000000' WHERE id = ?", (eid,))
    return f"#{eid}"


def rewind_receipt_counter(con):
    con.execute("UPDATE station SET next_receipt_no = next_receipt_no + 2 WHERE code = 'W01'")
    return "W01"


def edit_receipt_number(con):
    pid, no = _payment(con)
    con.execute("UPDATE receipt SET receipt_no = receipt_no || 'X' WHERE receipt_no = ?", (no,))
    return no


ATTACKS = [edit_payment_amount, edit_payment_consistently, edit_posting_amount, edit_charge_amount,
           edit_receipt_document, edit_allocation, delete_receipt, delete_whole_payment, delete_posting,
           delete_audit_event, delete_last_audit_event, reorder_audit_events, delete_public_chain,
           relabel_station_chain, edit_audit_payload, edit_audit_time,
           rewind_receipt_counter, edit_receipt_number]


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.__name__ for a in ATTACKS])
def test_tampering_in_the_file_is_named_by_verify(populated, attack, tmp_path):
    pay(populated, "1-2-201", "cash=100", "wechat=20:WX1")
    pay(populated, "2-1-101", "cash=50", change_to_prepaid=True)
    assert run(populated.factory, verify).ok
    populated.factory.kw["bind"].dispose()
    # The attacker works on a copy of the file (the fixture's own ledger stays clean).
    target = tmp_path / "tampered.db"
    shutil.copy(populated.path, target)
    con = sqlite3.connect(target, isolation_level=None)
    _drop_triggers(con)
    con.execute("BEGIN")
    named = attack(con)
    con.execute("COMMIT")
    con.close()
    factory = make_factory(str(target))
    try:
        result = run(factory, verify)
    finally:
        factory.kw["bind"].dispose()
    assert not result.ok, f"{attack.__name__} went undetected"
    assert named in result.first_failure, result.first_failure
    count("tamperings")


FINANCIAL = ["journal_entry", "posting", "allocation", "tender_line", "audit_event", "charge", "charge_adjustment",
             "payment", "receipt", "meter_reading", "approval", "receipt_number_event"]


def test_triggers_refuse_update_and_delete_of_financial_rows(populated):
    populated.factory.kw["bind"].dispose()
    con = sqlite3.connect(populated.path, isolation_level=None)
    protected = {tbl for _, tbl in _triggers(con)}
    assert set(FINANCIAL) <= protected
    refused = 0
    for table in sorted(protected):
        row = con.execute(f"SELECT rowid FROM {table} LIMIT 1").fetchone()
        if row is None:  # an empty table: insert nothing, just prove the triggers exist for both verbs
            names = {n for n, t in _triggers(con) if t == table}
            assert {f"{table}_no_update", f"{table}_no_delete"} <= names
            continue
        for sql in (f"UPDATE {table} SET rowid = rowid WHERE rowid = ?", f"DELETE FROM {table} WHERE rowid = ?"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(sql, (row[0],))
            refused += 1
    con.close()
    count("trigger_refusals", refused)
