"""The window role `feedesk_app` gets only what a window does (issue 17, item 2).

A stolen window connection string (it is typed into every window PC) must not make anyone an
administrator: user administration, settings, the site and the stations are written only on
the owner role's connection (the administrator's); the few control rows a window updates are
narrowed column by column, and guarded where a column grant is not enough (a window may lock
a user, never unlock one; a chain head moves only forward). Each forbidden statement is tried
here as the window role, on the suite's PostgreSQL server.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy.exc
from sqlalchemy import func, select, text

from app.cli.commands import main
from app.db.engine import make_engine
from app.errors import AccountLocked, AuthenticationFailed, PermissionDenied
from app.models import AuditHead, Setting, Station, User
from app.services.desk import stations
from app.services.master import admin
from app.services.system import auth, settings
from tests.helpers import assign_all, bill, card, make_accounts, make_fee, open_shift, pay

OWNER_ONLY = "数据库所有者"  # in the message of every refused administrator operation

INSERT_USER = ("INSERT INTO app_user (username, display_name, role, password_hash, failed_logins, locked, active, "
               "training, created_at) SELECT 'mallory', 'mallory', role, password_hash, 0, false, true, false, "
               "created_at FROM app_user WHERE username = 'admin'")


def _paid(lg):
    make_accounts(lg, "1-2-301 张三 89.50 13800001234")
    make_fee(lg, "WYF 物业费 area 2.35 monthly", due_days=15)
    assign_all(lg, "WYF")
    bill(lg, "2026-10")
    open_shift(lg, float_yuan="200")
    pay(lg, "1-2-301", "cash=300")
    assert card(lg, "1-2-301").arrears == 0


def _refused(engine, sql: str) -> PermissionDenied:
    with engine.connect() as conn:
        with pytest.raises((sqlalchemy.exc.DBAPIError, PermissionDenied)) as err:
            conn.execute(text(sql))
        conn.rollback()
    # The engine turns the server's insufficient_privilege (42501) into a Chinese message.
    assert isinstance(err.value, PermissionDenied), f"{type(err.value).__name__}: {err.value}"
    assert err.value.__cause__.sqlstate == "42501", err.value.__cause__
    return err.value


@pytest.mark.parametrize("sql", [
    # make oneself administrator, take over an account, re-enable or add a user
    "UPDATE app_user SET role = 'admin' WHERE username = 'demo'",
    "UPDATE app_user SET password_hash = (SELECT password_hash FROM app_user WHERE username = 'demo') "
    "WHERE username = 'admin'",
    "UPDATE app_user SET active = true, training = false",
    "UPDATE app_user SET username = 'root' WHERE username = 'admin'",
    INSERT_USER,
    # settings: lock-out, approval rules, the receipt secret
    "UPDATE setting SET value = '1000' WHERE key = 'lockout_attempts'",
    "INSERT INTO setting (key, value) VALUES ('approval_required', '')",
    "UPDATE setting SET value = 'x' WHERE key = 'receipt_secret'",
    # the site (printed on every receipt) and the stations (receipt prefix)
    "UPDATE site SET name = '假物业'",
    "UPDATE station SET receipt_prefix = 'W01' WHERE code = 'W02'",
    "INSERT INTO station (code, name, site_id, receipt_prefix, next_receipt_no, training) "
    "SELECT 'W09', 'x', id, 'W09', 1, false FROM site",
    # control rows: only the columns a window changes
    "UPDATE shift SET cashier_id = (SELECT id FROM app_user WHERE username = 'lily')",
    "UPDATE shift SET training = true",
    "UPDATE print_job SET receipt_id = receipt_id",
    "UPDATE receipt_range SET last_number = last_number + 1000",
    "UPDATE audit_head SET chain = 'W09' WHERE chain = 'W01'",
    # delete anything
    "DELETE FROM app_user WHERE username = 'boss2'",
    "DELETE FROM setting",
    "DELETE FROM audit_head",
    "DELETE FROM print_job",
    "DELETE FROM shift",
    "DELETE FROM account_party",
    "TRUNCATE app_user CASCADE",
    "TRUNCATE setting",
    "TRUNCATE audit_head",
])
def test_window_role_cannot_touch_users_settings_or_frozen_columns(shared, sql):
    open_shift(shared, float_yuan="200")
    engine = make_engine(shared.url)  # feedesk_app, what every window's connection string holds
    try:
        refused = _refused(engine, sql)
    finally:
        engine.dispose()
    # Users, settings, site, stations: the message names the administrator's connection.
    table = re.match(r"(?:UPDATE|INSERT INTO|DELETE FROM|TRUNCATE) (\w+)", sql).group(1)
    assert (OWNER_ONLY in refused.message) == (table in ("app_user", "setting", "site", "station")), refused.message
    with shared.admin_session() as s:
        assert s.scalar(select(User.role).where(User.username == "demo")).value == "cashier"
        assert s.scalar(select(func.count()).select_from(User)) == 6
        assert settings.get(s, "lockout_attempts") == "5"
        assert s.scalar(select(Station.receipt_prefix).where(Station.code == "W02")) == "W02"


def test_window_locks_a_user_after_failed_logins_but_cannot_unlock(shared):
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            auth.login_counting_failures(shared.factory, username="lily", password="x", station_code="W01")
    with pytest.raises(AccountLocked):  # the fifth wrong password locks her, through the window role
        auth.login_counting_failures(shared.factory, username="lily", password="x", station_code="W01")
    with shared.session() as s:  # locked for a while (1 minute after the first five)
        assert s.scalar(select(User.locked_until).where(User.username == "lily")) is not None

    engine = make_engine(shared.url)
    try:
        refused = _refused(engine, "UPDATE app_user SET locked_until = NULL, failed_logins = 0 "
                                   "WHERE username = 'lily'")
        assert OWNER_ONLY in refused.message
    finally:
        engine.dispose()
    with pytest.raises(AccountLocked):
        auth.login_counting_failures(shared.factory, username="lily", password="lily", station_code="W01")
    # The administrator unlocks her on the owner's connection; then she logs in at the window.
    shared.admin_run(auth.unlock_user, actor=shared.actor("admin"), username="lily")
    login = auth.login_counting_failures(shared.factory, username="lily", password="lily", station_code="W01")
    assert login.user.username == "lily"


@pytest.mark.parametrize("operation", ["add_user", "unlock_user", "cash_limit", "site_name", "add_station"])
def test_administrator_operations_on_a_window_connection_say_who_must_do_them(shared, operation):
    a = shared.actor("admin")
    calls = {
        "add_user": (auth.add_user, dict(username="mallory", role="admin", password="mallory-pw1")),
        "unlock_user": (auth.unlock_user, dict(username="demo")),
        "cash_limit": (admin.update_setting, dict(key="cash_limit", value="99999")),
        "site_name": (admin.update_setting, dict(key="site_name", value="假物业")),
        "add_station": (stations.add_station, dict(code="W09", name="九号窗口")),
    }
    fn, kw = calls[operation]
    if operation == "unlock_user":
        with shared.admin_session() as s, s.begin():
            s.execute(text("UPDATE app_user SET locked = true WHERE username = 'demo'"))
    with pytest.raises(PermissionDenied) as err:  # the admin logged in at a window: feedesk_app
        shared.run(fn, actor=a, **kw)
    assert OWNER_ONLY in err.value.message and "feedesk_owner" in err.value.message, err.value.message
    with shared.admin_session() as s:
        assert s.scalar(select(User.id).where(User.username == "mallory")) is None
        assert s.scalar(select(User.locked).where(User.username == "demo")) is (operation == "unlock_user")
        assert s.scalar(select(Setting.value).where(Setting.key == "cash_limit")) is None
        assert s.scalar(select(Station.id).where(Station.code == "W09")) is None
    # The same operation on the administrator's (owner) connection goes through.
    shared.admin_run(fn, actor=a, **kw)


def test_chain_head_moves_only_forward_from_a_window(shared):
    _paid(shared)  # a normal day as the window role: the head moves forward
    with shared.session() as s:
        before = s.scalar(select(AuditHead.last_seq).where(AuditHead.chain == "W01"))
    assert before > 0
    engine = make_engine(shared.url)
    try:
        # Cutting a chain back (to hide its last events) or re-pointing it at another hash.
        _refused(engine, "UPDATE audit_head SET last_seq = 0 WHERE chain = 'W01'")
        _refused(engine, "UPDATE audit_head SET last_hash = repeat('0', 64) WHERE chain = 'W01'")
        _refused(engine, "UPDATE audit_head SET last_seq = last_seq WHERE chain = 'W01'")
    finally:
        engine.dispose()
    with shared.session() as s:
        assert s.scalar(select(AuditHead.last_seq).where(AuditHead.chain == "W01")) == before


def test_cli_user_add_through_a_window_connection_names_the_owner_connection(shared, capsys, monkeypatch):
    monkeypatch.setenv("FEEDESK_USER", "admin")
    monkeypatch.setenv("FEEDESK_PASSWORD", "admin")
    args = ["--station", "W01", "user", "add", "mallory", "--role", "admin", "--password", "mallory-pw1"]
    assert main(["--db", shared.url, *args]) == 1  # feedesk_app: refused, in Chinese
    err = capsys.readouterr().err
    assert OWNER_ONLY in err and "feedesk_owner" in err, err
    assert "Traceback" not in err and "psycopg" not in err and "permission denied" not in err
    with shared.admin_session() as s:
        assert s.scalar(select(User.id).where(User.username == "mallory")) is None
    assert main(["--db", shared.owner_url, *args]) == 0  # the administrator's connection
    with shared.session() as s:
        assert s.scalar(select(User.role).where(User.username == "mallory")).value == "admin"


def test_0007_downgrades_to_the_old_grants_and_upgrades_again(pg_server):
    """Undoing 0007 (an older program on the ledger) gives the window back what 0005 granted;
    redoing it takes it away again."""
    from alembic import command

    from app.db.engine import alembic_config, upgrade
    from tests.postgres.server import APP

    pg_server.create_database("roles_down")
    try:
        upgrade(pg_server.url("roles_down"))
        cfg = alembic_config(pg_server.url("roles_down"))
        window = make_engine(pg_server.url("roles_down", APP))
        change = "UPDATE setting SET value = value"
        try:
            _refused(window, change)
            command.downgrade(cfg, "0007_close_reason")  # the revision before 0007_window_role
            with window.begin() as conn:
                conn.execute(text(change))
                conn.execute(text("UPDATE app_user SET locked = false"))
            command.upgrade(cfg, "head")
            _refused(window, change)
            _refused(window, "UPDATE app_user SET role = 'admin'")
        finally:
            window.dispose()
    finally:
        pg_server.drop_database("roles_down")
