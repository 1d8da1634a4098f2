"""Accounts (import, search, card) and users (passwords, lock-out, permissions)."""

import pytest

from app.errors import AccountLocked, AuthenticationFailed, InvalidInput, PermissionDenied
from app.services.master import accounts
from app.services.system import auth
from tests.helpers import make_accounts


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return str(path)


def test_import_accounts_from_csv_with_chinese_headers(ledger, tmp_path):
    path = write(tmp_path, "a.csv", "楼栋,单元,房号,建筑面积,业主,电话,状态\n"
                                    "1,2,301,89.50,张三丰,13800001234,已入住\n"
                                    "1,2,302,120,李四,,空置\n")
    r = ledger.run(accounts.import_accounts, actor=ledger.actor("admin"), path=path)
    assert r.imported == 2
    card = ledger.run(accounts.account_card, actor=ledger.actor("demo"), code="1-2-301")
    assert (card.owner, card.built_area, card.status) == ("张三丰", 8950, "已入住")


def test_import_accepts_english_headers_and_gbk(ledger, tmp_path):
    path = write(tmp_path, "b.csv", "building,entrance,room,area,owner,phone,status\n3,1,101,66,王五,,vacant\n",
                 encoding="gb18030")
    assert ledger.run(accounts.import_accounts, actor=ledger.actor("admin"), path=path).imported == 1


def test_import_from_xlsx(ledger, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["编号", "类型", "业主", "电话"])
    wb.active.append(["P-001", "车位", "赵六", 13700001111])
    path = tmp_path / "c.xlsx"
    wb.save(path)
    assert ledger.run(accounts.import_accounts, actor=ledger.actor("admin"), path=str(path)).imported == 1
    hits = ledger.run(accounts.search_accounts, actor=ledger.actor("demo"), query="1111")
    assert [h.code for h in hits] == ["P-001"]


def test_import_with_a_bad_row_imports_nothing_and_names_every_bad_line(ledger, tmp_path):
    path = write(tmp_path, "d.csv", "楼栋,单元,房号,建筑面积,业主,电话,状态\n"
                                    "1,1,101,89.5,甲,,已入住\n"
                                    "1,1,102,-3,乙,,已入住\n"
                                    "1,1,103,80,丙,,搬走了\n"
                                    "1,1,101,80,丁,,已入住\n")
    with pytest.raises(InvalidInput) as err:
        ledger.run(accounts.import_accounts, actor=ledger.actor("admin"), path=path)
    msg = err.value.message
    assert "第 3 行" in msg and "第 4 行" in msg and "第 5 行" in msg and "第 2 行" not in msg
    assert ledger.run(accounts.search_accounts, actor=ledger.actor("demo"), query="1-1-") == []


@pytest.mark.parametrize("content", ["", "just,some,columns\n1,2,3\n", "\x00\x01\x02binary"])
def test_malformed_import_file_is_refused(ledger, tmp_path, content):
    with pytest.raises(InvalidInput):
        ledger.run(accounts.import_accounts, actor=ledger.actor("admin"), path=write(tmp_path, "e.csv", content))


def test_cashier_cannot_import(ledger, tmp_path):
    path = write(tmp_path, "f.csv", "房号\n101\n")
    with pytest.raises(PermissionDenied):
        ledger.run(accounts.import_accounts, actor=ledger.actor("demo"), path=path)


@pytest.mark.parametrize(
    "query,expected",
    [
        ("1-2-3", ["1-2-301", "1-2-302"]),
        ("1-2-301", ["1-2-301"]),
        ("张", ["1-2-301"]),
        ("zsf", ["1-2-301"]),
        ("ls", ["1-2-302"]),
        ("5678", ["1-2-302"]),
    ],
)
def test_search_by_code_name_pinyin_and_phone(ledger, query, expected):
    make_accounts(ledger, "1-2-301 张三丰 89.5 13800001234\n1-2-302 李四 60 13900005678")
    hits = ledger.run(accounts.search_accounts, actor=ledger.actor("demo"), query=query)
    assert [h.code for h in hits] == expected
    assert hits[0].phone in ("138****1234", "139****5678")


def test_search_treats_wildcards_literally(ledger):
    make_accounts(ledger, "1-2-301 张三丰 89.5")
    assert ledger.run(accounts.search_accounts, actor=ledger.actor("demo"), query="%") == []
    assert ledger.run(accounts.search_accounts, actor=ledger.actor("demo"), query="_-2") == []


def login(lg, user, password):
    return auth.login_counting_failures(lg.factory, username=user, password=password, station_code="W01")


class Clock:
    """auth's wall clock, moved by hand (lock-out times)."""

    def __init__(self, monkeypatch):
        import datetime as dt

        self.now = dt.datetime(2026, 11, 25, 2, 0, 0)
        monkeypatch.setattr(auth, "utcnow", lambda: self.now)

    def wait(self, **kw):
        import datetime as dt

        self.now += dt.timedelta(**kw)


def failed_logins_audited(lg, username=None) -> list[dict]:
    import json

    from sqlalchemy import select

    from app.models import AuditEvent

    with lg.session() as s:
        rows = [json.loads(p) for p in s.scalars(select(AuditEvent.payload).where(AuditEvent.action == "login_failed")
                                                 .order_by(AuditEvent.id))]
    return [r for r in rows if username is None or r.get("username", username) == username]


def test_five_wrong_passwords_lock_for_a_minute_not_for_ever(ledger, monkeypatch):
    clock = Clock(monkeypatch)
    assert login(ledger, "demo", "demo").user.role == "cashier"
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            login(ledger, "demo", "wrong")
    with pytest.raises(AccountLocked) as err:
        login(ledger, "demo", "wrong")
    assert err.value.message == "连续输错密码次数过多，账号已暂时锁定，请 1 分钟后再试，或请管理员解锁"
    clock.wait(seconds=30)
    with pytest.raises(AccountLocked):
        login(ledger, "demo", "demo")  # even the right password, while locked
    clock.wait(seconds=31)
    assert login(ledger, "demo", "demo").user.username == "demo"  # the lock ran out
    with ledger.session() as s:
        user = auth.user_by_name(s, "demo")
        assert (user.failed_logins, user.locked, user.locked_until) == (0, False, None)


def test_each_further_five_failures_lock_longer(ledger, monkeypatch):
    clock = Clock(monkeypatch)
    locks = []
    for _round in range(6):
        for _n in range(5):
            with pytest.raises((AuthenticationFailed, AccountLocked)) as err:
                login(ledger, "boss", "guess")
        locks.append(err.value.message)
        # Hammering a locked account neither checks the password nor lengthens the lock.
        with pytest.raises(AccountLocked):
            login(ledger, "boss", "boss")
        clock.wait(hours=5)
    assert [m.split("请 ")[1].split(" 分钟")[0] for m in locks] == ["1", "5", "15", "60", "240", "240"]
    assert login(ledger, "boss", "boss").user.username == "boss"


def test_every_failed_log_in_is_audited_even_an_unknown_name(ledger, monkeypatch):
    Clock(monkeypatch)
    for _ in range(5):
        with pytest.raises((AuthenticationFailed, AccountLocked)):
            login(ledger, "demo", "wrong")
    with pytest.raises(AccountLocked):
        login(ledger, "demo", "demo")
    with pytest.raises(AuthenticationFailed):
        login(ledger, "nobody", "x")
    rows = failed_logins_audited(ledger)
    assert [(r["reason"], r.get("failed")) for r in rows] == \
        [("wrong_password", n) for n in range(1, 6)] + [("locked", 5), ("unknown_user", None)]
    assert rows[4]["locked_minutes"] == 1 and rows[-1]["username"] == "nobody"
    from app.services.journal.verify import verify

    assert ledger.run(verify).ok


def test_administrator_unlocks_at_once_and_the_unlock_is_audited(ledger, monkeypatch):
    Clock(monkeypatch)
    for _ in range(5):
        with pytest.raises((AuthenticationFailed, AccountLocked)):
            login(ledger, "demo", "wrong")
    with pytest.raises(PermissionDenied):
        ledger.admin_run(auth.unlock_user, actor=ledger.actor("boss"), username="demo")
    info = ledger.admin_run(auth.unlock_user, actor=ledger.actor("admin"), username="demo")
    assert info.locked_until is None
    assert login(ledger, "demo", "demo").user.username == "demo"
    import json

    from sqlalchemy import select

    from app.models import AuditEvent

    with ledger.session() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "user_unlock")).one()
    assert ev.user_id == ledger.actor("admin").user_id
    assert json.loads(ev.payload)["username"] == "demo" and json.loads(ev.payload)["failed"] == 5


def test_passwords_are_stored_as_argon2_hashes(ledger):
    with ledger.session() as s:
        user = auth.user_by_name(s, "demo")
        assert user.password_hash.startswith("$argon2") and "demo" not in user.password_hash


def test_only_admin_adds_users(ledger):
    with pytest.raises(PermissionDenied):
        ledger.admin_run(auth.add_user, actor=ledger.actor("boss"), username="x1", role="cashier", password="pass")
    info = ledger.admin_run(auth.add_user, actor=ledger.actor("admin"), username="x1", role="cashier", password="pass")
    assert info.role == "cashier"
    with pytest.raises(InvalidInput):
        ledger.admin_run(auth.add_user, actor=ledger.actor("admin"), username="x2", role="king", password="pass")


def test_supervisor_approval_is_never_the_requester(ledger):
    with pytest.raises(PermissionDenied) as err:
        ledger.run(auth.approve, actor=ledger.actor("boss"), action="void", approver="boss",
                   approver_password="boss", reason="顾客要求")
    assert "不能审批自己" in err.value.message
    with pytest.raises(PermissionDenied):
        ledger.run(auth.approve, actor=ledger.actor("demo"), action="void", approver="lily",
                   approver_password="lily", reason="顾客要求")
    with pytest.raises(AuthenticationFailed):
        ledger.run(auth.approve, actor=ledger.actor("demo"), action="void", approver="boss",
                   approver_password="nope", reason="顾客要求")
    a = ledger.run(auth.approve, actor=ledger.actor("demo"), action="void", approver="boss",
                   approver_password="boss", reason="顾客要求")
    assert a.approver_id == ledger.actor("boss").user_id


def test_wrong_approver_passwords_count_towards_lock_out(ledger, monkeypatch):
    clock = Clock(monkeypatch)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            ledger.run(auth.approve, actor=ledger.actor("demo"), action="void", approver="boss",
                       approver_password="guess", reason="顾客要求")
    with ledger.session() as s:
        assert auth.user_by_name(s, "boss").failed_logins == 4
    with pytest.raises(AccountLocked):
        ledger.run(auth.approve, actor=ledger.actor("demo"), action="void", approver="boss",
                   approver_password="guess", reason="顾客要求")
    with pytest.raises(AccountLocked):  # the right password no longer helps: the supervisor is locked
        ledger.run(auth.approve, actor=ledger.actor("demo"), action="void", approver="boss",
                   approver_password="boss", reason="顾客要求")
    # ... for a while, not for ever: each refusal audited, the lock runs out
    assert [r["reason"] for r in failed_logins_audited(ledger)] == ["wrong_password"] * 5 + ["locked"]
    clock.wait(minutes=1, seconds=1)
    a = ledger.run(auth.approve, actor=ledger.actor("demo"), action="void", approver="boss",
                   approver_password="boss", reason="顾客要求")
    assert a.approver_id == ledger.actor("boss").user_id
