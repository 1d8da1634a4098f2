"""The shared ledger as a site sees it: database permissions, station identity, an unreachable
server, and moving a single-window SQLite ledger onto the server (`feedesk db migrate`)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy.exc
from sqlalchemy import func, select, text

from app.cli.commands import main
from app.db.engine import make_engine, make_factory, upgrade
from app.errors import LedgerUnreachable, PermissionDenied
from app.models import Payment
from app.services import run
from app.services.desk import corrections, payments, stations
from tests.conftest import _populate_template
from tests.helpers import assign_all, at, bill, card, fen, make_accounts, make_fee, open_shift, pay
from tests.postgres.server import _free_port


def _paid(lg):
    make_accounts(lg, "1-2-301 张三 89.50 13800001234\n1-2-302 李四 100")
    make_fee(lg, "WYF 物业费 area 2.35 monthly", due_days=15)
    assign_all(lg, "WYF")
    bill(lg, "2026-09", "2026-10")
    open_shift(lg, float_yuan="200")
    return pay(lg, "1-2-301", "cash=500")


def _refused(engine, sql: str) -> str:
    """'<error class> <SQLSTATE> <server message>' of a statement the database refuses."""
    with engine.connect() as conn:
        with pytest.raises((sqlalchemy.exc.DBAPIError, PermissionDenied)) as err:
            conn.execute(text(sql))
        conn.rollback()
    exc = err.value
    orig = exc.orig if isinstance(exc, sqlalchemy.exc.DBAPIError) else exc.__cause__  # the server's error
    return f"{type(exc).__name__} {orig.sqlstate} {orig}"


@pytest.mark.parametrize("sql", [
    "UPDATE posting SET amount = amount + 100",
    "DELETE FROM posting",
    "TRUNCATE posting",
    "UPDATE payment SET tendered = 1",
    "DELETE FROM receipt",
    "UPDATE charge SET amount = 0",
    "UPDATE audit_event SET payload = '{}'",
    "UPDATE shift SET float_amount = 0",
    "ALTER TABLE posting DISABLE TRIGGER ALL",
    "DROP TRIGGER posting_append_only ON posting",
])
def test_window_role_cannot_rewrite_history(shared, sql):
    _paid(shared)
    engine = make_engine(shared.url)  # feedesk_app, what a window's connection string holds
    try:
        refused = _refused(engine, sql)
    finally:
        engine.dispose()
    # insufficient_privilege / must be owner, shown to the window as a Chinese PermissionDenied
    assert refused.startswith("PermissionDenied 42501"), refused
    assert card(shared, "1-2-301").arrears == 0


def test_window_role_may_update_only_control_rows(shared):
    _paid(shared)
    engine = make_engine(shared.url)
    try:
        with engine.begin() as conn:  # allowed: a shift's status, a station's counter, a setting
            conn.execute(text("UPDATE shift SET status = status"))
            conn.execute(text("UPDATE station SET next_receipt_no = next_receipt_no"))
            conn.execute(text("UPDATE account SET owner_phone = owner_phone"))
    finally:
        engine.dispose()
    with pytest.raises(PermissionDenied, match="feedesk_owner"):  # a schema change from a window
        run(shared.factory, lambda s: s.execute(text("CREATE TABLE x (id int)")))


def test_even_the_owner_meets_the_append_only_triggers(shared):
    _paid(shared)
    engine = make_engine(shared.owner_url)
    try:
        for sql in ("UPDATE posting SET amount = amount + 100", "DELETE FROM allocation", "TRUNCATE posting CASCADE"):
            assert "append-only ledger table" in _refused(engine, sql)
    finally:
        engine.dispose()


def test_unreachable_server_refuses_to_post_and_keeps_nothing_locally(shared, pg_server):
    _paid(shared)
    nowhere = make_factory(f"postgresql://feedesk_app:x@127.0.0.1:{_free_port()}/feedesk")
    with pytest.raises(LedgerUnreachable) as err:
        run(nowhere, payments.pay, actor=shared.actor("demo"), account_code="1-2-302",
            tenders=[payments.TenderInput("cash", fen("300"))], at=at("2026-11-25"))
    assert err.value.message.startswith("无法连接共享账本服务器")
    assert "不能收款" in err.value.message
    nowhere.kw["bind"].dispose()

    # The server drops the window's connection in the middle of a payment: nothing is written.
    with shared.factory() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        with pg_server.admin() as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(LedgerUnreachable):
            payments.pay(session, actor=shared.actor("demo"), account_code="1-2-302",
                         tenders=[payments.TenderInput("cash", fen("300"))], at=at("2026-11-25"))
        session.rollback()
    with shared.session() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 1
    # Once the server answers again the same window posts normally (a new connection).
    r = pay(shared, "1-2-302", "cash=300")
    assert r.receipt_no == "W0100000002"


def test_supervisor_desk_sees_every_station_live_shift(shared):
    _paid(shared)
    shared.admin_run(stations.add_station, actor=shared.actor("admin"), code="W03", name="三号窗口")
    open_shift(shared, "lily", float_yuan="100", station="W02")
    pay(shared, "1-2-302", "cash=300", cashier="lily", station="W02")
    board = {s.code: s for s in shared.run(stations.station_board, actor=shared.actor("boss"))}
    assert [board[c].status for c in ("W01", "W02", "W03")] == ["open", "open", "idle"]
    assert (board["W01"].cashier, board["W01"].payments, board["W01"].drawer["cash"]) == ("demo", 1, fen("620.66"))
    assert (board["W02"].cashier, board["W02"].payments, board["W02"].drawer["cash"]) == ("lily", 1, fen("400.00"))
    with pytest.raises(PermissionDenied):
        shared.run(stations.station_board, actor=shared.actor("demo"))


def _sqlite_ledger(tmp_path):
    path = tmp_path / "window.db"
    upgrade(str(path))
    _populate_template(str(path))
    from tests.conftest import Ledger

    lg = Ledger(path)
    first = _paid(lg)
    second = pay(lg, "1-2-302", "wechat=300:WX1", change_to_prepaid=True)
    lg.run(corrections.void_payment, actor=lg.actor("demo"), receipt_no=second.receipt_no, reason="收错户",
           approver="boss", approver_password="boss", at=at("2026-11-25"))
    pay(lg, "1-2-302", "cash=300")
    return lg, first


def test_db_migrate_moves_a_window_ledger_onto_the_server_verified_on_both_sides(tmp_path, pg_server, capsys,
                                                                                monkeypatch):
    lg, _ = _sqlite_ledger(tmp_path)
    lg.factory.kw["bind"].dispose()
    pg_server.create_database("migrated")
    try:
        to = pg_server.url("migrated")  # the owner: creates the schema
        assert main(["db", "migrate", "--from", str(lg.path), "--to", to, "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        src, dst = out["source_figures"], out["target_figures"]
        assert src["verify_ok"] and dst["verify_ok"]
        for key in ("rows", "books", "receipts", "last_receipt_no", "receipt_digest", "audit_heads", "counters"):
            assert src[key] == dst[key], key
        assert dst["receipts"] == 3 and dst["last_receipt_no"] == "W0100000003"  # a void keeps its number
        assert "owner-test-pw" not in json.dumps(out)

        # Both sides verify through the CLI, and the window (feedesk_app) continues the books.
        monkeypatch.setenv("FEEDESK_USER", "audit")
        monkeypatch.setenv("FEEDESK_PASSWORD", "audit")
        window = pg_server.url("migrated", "feedesk_app")
        assert main(["--db", str(lg.path), "verify"]) == 0
        assert main(["--db", window, "verify"]) == 0
        assert capsys.readouterr().out.count("账本核验通过") == 2
        monkeypatch.setenv("FEEDESK_USER", "demo")
        monkeypatch.setenv("FEEDESK_PASSWORD", "demo")
        assert main(["--db", window, "pay", "--account", "1-2-302", "--tender", "cash=100", "--no-print",
                     "--change-to-prepaid", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["receipt_no"] == "W0100000004"

        # A second migration into a ledger that is no longer empty is refused; nothing changes.
        assert main(["db", "migrate", "--from", str(lg.path), "--to", to]) == 1
        assert "目标数据库已有账本数据" in capsys.readouterr().err
        factory = make_factory(window)
        with factory() as s:
            assert s.scalar(select(func.count()).select_from(Payment)) == 5
        factory.kw["bind"].dispose()
    finally:
        pg_server.drop_database("migrated")


def test_a_window_meeting_an_older_shared_ledger_says_who_must_upgrade_it(pg_server):
    """The window role may not change the schema: the window names the owner's step, and
    neither the window nor its CLI posts into a ledger older than the program."""
    from alembic import command

    from app.db.engine import alembic_config, check_schema, current_revision
    from app.errors import SchemaTooOld
    from tests.postgres.server import APP

    pg_server.create_database("older")
    command.upgrade(alembic_config(pg_server.url("older")), "0005")
    with pytest.raises(SchemaTooOld) as info:
        check_schema(pg_server.url("older", APP))
    assert "feedesk_owner" in info.value.message and "feedesk init" in info.value.message
    engine = make_engine(pg_server.url("older"))
    assert current_revision(engine) == "0005"  # untouched
    engine.dispose()
    with pytest.raises(SchemaTooOld):  # nor behind the owner's back when a program opens it as the owner
        check_schema(pg_server.url("older"))
    upgrade(pg_server.url("older"))  # what `feedesk init` as the owner does
    check_schema(pg_server.url("older", APP))
