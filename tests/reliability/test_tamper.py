"""Tampering: edits made directly in the database file are named by verify; triggers refuse them.

Each case is what an attacker with the file and a SQLite shell would do: drop the
append-only triggers first, then edit an amount, delete a row or reorder audit events.
`verify` must fail and name the first bad record (its id or receipt number).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import pytest
from sqlalchemy import text

from app.db.engine import make_engine, make_factory
from app.services import run
from app.services.journal.verify import verify
from tests.conftest import fresh_ledger
from tests.helpers import card, pay
from tests.reliability.figures import count
from tests.reliability.ledgers import populate

# The attacks on the SQLite ledger file (triggers dropped) run on SQLite only; the forgeries by
# SQL at the bottom run on both backends (on PostgreSQL as the window role feedesk_app, or as the
# owner where the attack needs the append-only triggers out of the way).


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


@pytest.mark.sqlite_only
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


@pytest.mark.sqlite_only
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


# --- Forgeries by SQL (issue #17): every financial row, user and setting is sealed in the chain ---
# Each attack runs through a SQLAlchemy connection (the window role's on PostgreSQL unless it is
# marked `needs_owner`) and returns what the verify check `seals` must name.

def _one(con, sql, **kw):
    return con.execute(text(sql), kw).scalar()


def _account(con, code):
    return _one(con, "SELECT id FROM account WHERE code = :c", c=code)


def _fee(con, code):
    return _one(con, "SELECT id FROM fee_item WHERE code = :c", c=code)


def _insert(con, table, **values):
    cols = ", ".join(values)
    params = ", ".join(f":{k}" for k in values)
    return _one(con, f"INSERT INTO {table} ({cols}) VALUES ({params}) RETURNING id", **values)


def _entry(con, kind, **kw):
    boss = _one(con, "SELECT id FROM app_user WHERE username = 'boss'")
    values = dict(kind=kind, business_date=dt.date(2026, 11, 25), created_at=dt.datetime(2026, 11, 25, 4),
                  user_id=boss, memo="", training=False)
    values.update(kw)
    return _insert(con, "journal_entry", **values)


def forged_balanced_entry(con):
    """The issue's forgery: prepaid -1,000,000 fen against waiver +1,000,000, triggers intact."""
    eid = _entry(con, "adjust")
    _insert(con, "posting", entry_id=eid, book="prepaid", account_id=_account(con, "2-1-102"), amount=-1_000_000)
    _insert(con, "posting", entry_id=eid, book="waiver", fee_item_id=_fee(con, "WYF"), amount=1_000_000)
    return f"分录 #{eid} 没有对应的审计事件"


def forged_payment(con):
    """A whole payment: payment row, tender line, allocation to an open charge and its journal."""
    acc = _account(con, "2-1-102")
    shift, station, user = con.execute(text(
        "SELECT shift_id, station_id, user_id FROM payment ORDER BY id DESC LIMIT 1")).one()
    charge, fee = con.execute(text("SELECT id, fee_item_id FROM charge WHERE account_id = :a ORDER BY id LIMIT 1"),
                              {"a": acc}).one()
    pid = _insert(con, "payment", kind="payment", receipt_no="W0100000099", account_id=acc, payer_name="孙八",
                  payer_id_number="", shift_id=shift, station_id=station, user_id=user,
                  business_date=dt.date(2026, 11, 25), created_at=dt.datetime(2026, 11, 25, 4), tendered=5000,
                  change=0, allocated=5000, prepaid_added=0, reason="", training=False)
    _insert(con, "tender_line", payment_id=pid, method="cash", amount=5000, reference="")
    _insert(con, "allocation", payment_id=pid, charge_id=charge, amount=5000)
    eid = _entry(con, "payment", payment_id=pid, shift_id=shift, station_id=station)
    _insert(con, "posting", entry_id=eid, book="drawer", shift_id=shift, tender="cash", amount=5000)
    _insert(con, "posting", entry_id=eid, book="receivable", account_id=acc, fee_item_id=fee, charge_id=charge,
            amount=-5000)
    return f"收款 #{pid} 没有对应的审计事件"


def _last_payment_entry(con):
    return _one(con, "SELECT id FROM journal_entry WHERE kind = 'payment' ORDER BY id DESC LIMIT 1")


def extra_postings_in_entry(con):
    """Two balancing lines slipped into an existing payment's entry: it still sums to zero."""
    eid = _last_payment_entry(con)
    first = _insert(con, "posting", entry_id=eid, book="prepaid", account_id=_account(con, "1-2-201"), amount=-50000)
    _insert(con, "posting", entry_id=eid, book="waiver", fee_item_id=_fee(con, "WYF"), amount=50000)
    return f"分录明细 #{first} 没有对应的审计事件"


def extra_postings_with_the_entrys_txn(con):
    """The same, the forged lines labelled with the txn of the entry's genuine lines."""
    eid = _last_payment_entry(con)
    txn = _one(con, "SELECT txn FROM posting WHERE entry_id = :e LIMIT 1", e=eid)
    first = _insert(con, "posting", txn=txn, entry_id=eid, book="prepaid", account_id=_account(con, "1-2-201"),
                    amount=-50000)
    _insert(con, "posting", txn=txn, entry_id=eid, book="waiver", fee_item_id=_fee(con, "WYF"), amount=50000)
    return f"分录明细 #{first} 不在审计事件"


def _no_triggers(con, table):
    """What the owner of the file or of the tables can do: the append-only triggers out of the way."""
    if con.dialect.name == "sqlite":
        con.execute(text(f"DROP TRIGGER {table}_no_update"))
        con.execute(text(f"DROP TRIGGER {table}_no_delete"))
    else:
        con.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))


def edited_amounts_kept_balanced(con):
    """A payment's drawer line moved by 100 fen and another line by -100: every check of sums passes."""
    _no_triggers(con, "posting")
    eid = _last_payment_entry(con)
    a, b = [r[0] for r in con.execute(text("SELECT id FROM posting WHERE entry_id = :e ORDER BY id LIMIT 2"),
                                      {"e": eid})]
    con.execute(text("UPDATE posting SET amount = amount + 100 WHERE id = :i"), {"i": a})
    con.execute(text("UPDATE posting SET amount = amount - 100 WHERE id = :i"), {"i": b})
    first = _one(con, "SELECT min(id) FROM posting WHERE txn = (SELECT txn FROM posting WHERE id = :i)", i=a)
    return f"分录明细 #{first}"


edited_amounts_kept_balanced.needs_owner = True


def deleted_tender_line(con):
    """One tender line of a payment paid in two tenders removed."""
    _no_triggers(con, "tender_line")
    pid = _one(con, "SELECT payment_id FROM tender_line GROUP BY payment_id HAVING count(*) = 2 "
                    "ORDER BY payment_id DESC LIMIT 1")
    tid = _one(con, "SELECT max(id) FROM tender_line WHERE payment_id = :p", p=pid)
    con.execute(text("DELETE FROM tender_line WHERE id = :i"), {"i": tid})
    return "封存的付款明细有 2 条，现存 1 条"


deleted_tender_line.needs_owner = True


def cashier_made_admin(con):
    con.execute(text("UPDATE app_user SET role = 'admin' WHERE username = 'demo'"))
    return "用户 demo"


def setting_changed(con):
    """The receipts' verification secret replaced (receipt codes could then be forged)."""
    con.execute(text('UPDATE setting SET value = :v WHERE "key" = \'receipt_secret\''), {"v": "0" * 32})
    return "设置 receipt_secret 的值与审计事件"


def setting_added(con):
    """A setting that is not there yet, inserted: approvals no longer required for refunds."""
    con.execute(text('INSERT INTO setting ("key", value) VALUES (\'approval_required\', \'\')'))
    return "设置 approval_required 没有对应的审计记录"


FORGERIES = [forged_balanced_entry, forged_payment, extra_postings_in_entry, extra_postings_with_the_entrys_txn,
             edited_amounts_kept_balanced, deleted_tender_line, cashier_made_admin, setting_changed, setting_added]
# Users and settings: on PostgreSQL only the owner role may write them (the window role is refused,
# tests/postgres/test_window_role.py), so these forgeries are the owner's (or the file holder's).
for _attack in (cashier_made_admin, setting_changed, setting_added):
    _attack.needs_owner = True


@pytest.mark.parametrize("attack", FORGERIES, ids=[a.__name__ for a in FORGERIES])
def test_forgery_by_sql_is_named_by_verify(template_db, attack):
    with fresh_ledger(template_db) as lg:
        populate(lg)
        pay(lg, "1-2-201", "cash=100", "wechat=20:WX1")
        assert run(lg.factory, verify).ok
        engine = make_engine(lg.owner_url if getattr(attack, "needs_owner", False) else lg.url)
        try:
            with engine.begin() as con:
                named = attack(con)
        finally:
            engine.dispose()
        result = run(lg.factory, verify)
    assert not result.ok, f"{attack.__name__} went undetected"
    assert named in result.checks["seals"], result.checks["seals"]
    count("tamperings")


def test_the_forged_entry_of_the_issue_credits_prepaid_until_verify_names_it(template_db):
    """What the issue saw: the forged entry shows as 预存 10000.00 on the account card."""
    with fresh_ledger(template_db) as lg:
        populate(lg)
        engine = make_engine(lg.url)
        try:
            with engine.begin() as con:
                forged_balanced_entry(con)
        finally:
            engine.dispose()
        assert card(lg, "2-1-102").prepaid == 1_000_000
        result = run(lg.factory, verify)
    assert not result.ok
    assert result.first_failure.startswith("seals: 分录 #")
