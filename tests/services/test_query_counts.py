"""No query per row: bill-run meter flags, repayment plans, the station board and verify's
receipt-number check run a fixed number of SQL statements however many rows they cover.

Each test builds the same situation at two sizes (3 and 30 accounts / plans / stations /
ranges) on two fresh ledgers, counts the statements the use case sends to the database
(SQLAlchemy's `before_cursor_execute` event on the engine) and checks that the count is the
same at both sizes, next to the figures a user would see.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy import event, text

from app.services import run
from app.services.bills import billing
from app.services.collection import dunning
from app.services.desk import receipt_stock, stations
from app.services.journal.verify import verify
from app.services.master import accounts
from app.services.system import auth
from tests.conftest import fresh_ledger
from tests.helpers import (
    assert_ledger_balanced,
    assign_all,
    at,
    bill,
    fen,
    make_fee,
    open_shift,
    pay,
)

D = dt.date


@contextlib.contextmanager
def statements(lg):
    """The SQL statements sent through the ledger's engine inside the block."""
    engine = lg.factory.kw["bind"]
    sent: list[str] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def counted(lg, fn, /, **kw):
    """(result, number of statements) of one use case in its own transaction."""
    with statements(lg) as sent:
        result = run(lg.factory, fn, **kw)
    return result, len(sent)


def add_accounts(lg, n: int, prefix: str = "1-1-") -> list[str]:
    """n accounts (one transaction): 1-1-1001 ... with 80 + i m²."""
    codes = [f"{prefix}{1001 + i}" for i in range(n)]
    with lg.factory.begin() as s:
        for i, code in enumerate(codes):
            b, e, r = code.split("-")
            accounts.add_account(s, actor=lg.actor("admin"), row=accounts.AccountInput(
                building=b, entrance=e, room=r, code=code, area=f"{80 + i}.00", owner=f"业主{i}"))
    return codes


def at_sizes(template_db, build, measure):
    """measure(ledger, built) at 3 and 30 rows; returns [(value, statements), ...]."""
    out = []
    for n in (3, 30):
        with fresh_ledger(template_db) as lg:
            built = build(lg, n)
            out.append(measure(lg, built))
            assert_ledger_balanced(lg)
    return out


# ---- bill run: meter-usage flags ----------------------------------------------------------

def _metered(lg, n):
    """n water meters read 100, 110, 120 (Jun-Aug); in September every third meter spikes to
    175 (55 used vs 10 a month), every third stays at 120 (zero use), the rest read 130."""
    codes = add_accounts(lg, n)
    make_fee(lg, "SF 水费 metered 3 monthly")
    last = {0: "175", 1: "120", 2: "130"}
    with lg.factory.begin() as s:
        for i, code in enumerate(codes):
            for value, day in (("100", D(2026, 5, 31)), ("110", D(2026, 6, 30)), ("120", D(2026, 7, 31)),
                               (last[i % 3], D(2026, 9, 30))):
                billing.read_meter(s, actor=lg.actor("admin"), account_code=code, fee_code="SF", reading=value,
                                   read_on=day)
    return codes


def _bill_september(lg, codes):
    return counted(lg, billing.bill_run, actor=lg.actor("admin"), period="2026-09", at=at("2026-10-01"))


def test_bill_run_flags_meters_with_a_fixed_number_of_statements(template_db):
    (small, n_small), (large, n_large) = at_sizes(template_db, _metered, _bill_september)
    for r, size in ((small, 3), (large, 30)):
        spikes = [f for f in r.flags if "超过近期平均" in f]
        zeros = [f for f in r.flags if "用量为零" in f]
        assert len(spikes) == len(range(0, size, 3)) and len(zeros) == len(range(1, size, 3))
        assert spikes[0] == "1-1-1001 水费：用量 55.00 超过近期平均 10.00 的 3 倍"
        assert zeros[0] == "1-1-1002 水费：本期用量为零"
        # Jun-Sep use of the three kinds of meter: 10+10+55, 10+10+0 and 10+10+10 at 3.00.
        assert (r.created, r.total) == (size, (size // 3) * fen("375.00"))
    assert n_small == n_large, (n_small, n_large)


def test_a_reading_at_the_window_is_still_flagged_against_its_own_meter_only(ledger):
    codes = add_accounts(ledger, 2)
    make_fee(ledger, "SF 水费 metered 3 monthly")

    def read(code, value, day):
        return ledger.run(billing.read_meter, actor=ledger.actor("admin"), account_code=code, fee_code="SF",
                          reading=value, read_on=D.fromisoformat(day))

    # The neighbour's meter uses 100 a month; ours 10: our 35 is a spike, theirs 100 is not.
    for i, day in enumerate(("2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31")):
        read(codes[0], str(100 + 10 * i), day)
        read(codes[1], str(100 + 100 * i), day)
    assert read(codes[1], "500", "2026-09-30").flags == []
    assert read(codes[0], "165", "2026-09-30").flags == ["1-1-1001 水费：用量 35.00 超过近期平均 10.00 的 3 倍"]


# ---- dunning: repayment plans -----------------------------------------------------------

def _planned(lg, n):
    """n accounts owing 物业费 for October, each on a plan of 100 (Dec 1) + 100 (Jan 1);
    every other account pays 100 on Dec 2."""
    codes = add_accounts(lg, n)
    make_fee(lg, "WYF 物业费 fixed 200 monthly", due_days=15)
    assign_all(lg, "WYF")
    bill(lg, "2026-10")
    boss = lg.actor("boss")
    for code in codes:
        lg.run(dunning.create_plan, actor=boss, account_code=code,
               instalments=[(D(2026, 12, 1), fen("100")), (D(2027, 1, 1), fen("100"))], at=at("2026-11-25"))
    open_shift(lg, day="2026-12-02")
    for code in codes[::2]:
        pay(lg, code, "cash=100", day="2026-12-02")
    return codes


def _plan_list(lg, codes):
    return counted(lg, dunning.plans, actor=lg.actor("boss"), as_of=D(2026, 12, 5))


def test_repayment_plan_statuses_with_a_fixed_number_of_statements(template_db):
    (small, n_small), (large, n_large) = at_sizes(template_db, _planned, _plan_list)
    for plans, size in ((small, 3), (large, 30)):
        assert len(plans) == size
        assert [(p.paid, p.due_so_far, p.status) for p in plans[:2]] == [
            (fen("100"), fen("100"), "履行中"), (0, fen("100"), "逾期")]
        assert sum(p.overdue for p in plans) == size // 2
        assert all(p.instalments == [(D(2026, 12, 1), fen("100")), (D(2027, 1, 1), fen("100"))] for p in plans)
    assert n_small == n_large, (n_small, n_large)


def test_one_accounts_plans_leave_other_accounts_payments_out(ledger):
    codes = _planned(ledger, 2)
    [plan] = ledger.run(dunning.plans, actor=ledger.actor("boss"), account_code=codes[1], as_of=D(2026, 12, 5))
    assert (plan.account, plan.paid, plan.status) == (codes[1], 0, "逾期")


# ---- supervisor desk: the station board ---------------------------------------------------

def _stations(lg, n):
    """n windows W01, W02, S03..., each with its own cashier's open shift (float 100) and one
    payment of 10.00 kept as prepaid; plus one window nobody has opened (IDLE)."""
    admin = lg.actor("admin")
    [code] = add_accounts(lg, 1)
    names = ["W01", "W02"] + [f"S{i:02d}" for i in range(3, n + 1)]
    for name in names[2:] + ["IDLE"]:
        lg.admin_run(stations.add_station, actor=admin, code=name)
    for i, name in enumerate(names):
        lg.admin_run(auth.add_user, actor=admin, username=f"c{i}", role="cashier", password=f"pass{i}")
        open_shift(lg, f"c{i}", float_yuan="100", station=name)
        pay(lg, code, "cash=10", cashier=f"c{i}", station=name, change_to_prepaid=True)
    return names


def _board(lg, names):
    return counted(lg, stations.station_board, actor=lg.actor("boss"))


def test_station_board_with_a_fixed_number_of_statements(template_db):
    (small, n_small), (large, n_large) = at_sizes(template_db, _stations, _board)
    for board, size in ((small, 3), (large, 30)):
        live = {s.code: s for s in board}
        assert len(board) == size + 1
        assert (live["IDLE"].status, live["IDLE"].shift_id, live["IDLE"].payments) == ("idle", None, 0)
        for i, name in enumerate(["W01", "W02"] + [f"S{k:02d}" for k in range(3, size + 1)]):
            st = live[name]
            assert (st.cashier, st.status, st.payments, st.drawer) == (f"c{i}", "open", 1, {"cash": fen("110")})
            assert st.last_payment_at is not None and st.business_date == D(2026, 11, 25)
    assert n_small == n_large, (n_small, n_large)


def test_station_board_shows_the_open_shift_before_a_later_closed_one(ledger):
    """The board's rule: a station's open shift, else its latest shift."""
    from tests.services.cashdesk_helpers import accept, close

    [code] = add_accounts(ledger, 1)
    shift = open_shift(ledger, "demo", float_yuan="0")
    pay(ledger, code, "cash=20", change_to_prepaid=True)
    close(ledger, "10=2")
    accept(ledger, shift.id)
    board = {s.code: s for s in ledger.run(stations.station_board, actor=ledger.actor("boss"))}
    assert (board["W01"].status, board["W01"].cashier, board["W01"].payments) == ("accepted", "demo", 1)
    assert board["W01"].drawer == {}  # handed in: nothing left in the drawer
    open_shift(ledger, "lily", float_yuan="50")
    board = {s.code: s for s in ledger.run(stations.station_board, actor=ledger.actor("boss"))}
    assert (board["W01"].status, board["W01"].cashier, board["W01"].payments) == ("open", "lily", 0)
    assert board["W01"].drawer == {"cash": fen("50")}


# ---- verify: the receipt-number check -----------------------------------------------------

def _ranges(lg, n):
    """n receipt ranges of 10 numbers issued to the demo cashier and n stations; the cashier
    uses 3 numbers of the first range."""
    admin, boss = lg.actor("admin"), lg.actor("boss")
    for i in range(n):
        lg.run(receipt_stock.issue_range, actor=boss, prefix="PJ", first=1 + 10 * i, last=10 + 10 * i, to_user="demo",
               at=at("2026-11-25"))
    for i in range(3, n + 1):
        lg.admin_run(stations.add_station, actor=admin, code=f"S{i:02d}")
    [code] = add_accounts(lg, 1)
    open_shift(lg)
    for _ in range(3):
        pay(lg, code, "cash=10", change_to_prepaid=True)
    return n


def _verify(lg, n):
    with lg.session() as s, statements(lg) as sent:
        result = verify(s)
    return result, len(sent)


def test_verify_checks_receipt_numbers_with_a_fixed_number_of_statements(template_db):
    (small, n_small), (large, n_large) = at_sizes(template_db, _ranges, _verify)
    assert small.ok and large.ok and small.checks["receipts"] == large.checks["receipts"] == "ok"
    assert small.counts["receipts"] == large.counts["receipts"] == 3
    assert n_small == n_large, (n_small, n_large)


def _skip_a_number(lg, sql: str) -> str:
    """Tamper like an attacker with the owner's connection; returns verify's receipts message."""
    from app.db.engine import make_engine

    engine = make_engine(lg.owner_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()
    with lg.session() as s:
        return verify(s).checks["receipts"]


def test_verify_still_names_a_number_skipped_in_a_range(template_db):
    with fresh_ledger(template_db) as lg:
        _ranges(lg, 3)
        msg = _skip_a_number(lg, "UPDATE receipt_range SET next_number = next_number + 1 WHERE first_number = 1")
        assert msg == "票据号 PJ00000004 缺失（号段 #1 中未使用、未退回、未报损）"


def test_verify_still_names_a_number_skipped_in_a_station_sequence(template_db):
    with fresh_ledger(template_db) as lg:
        [code] = add_accounts(lg, 1)
        open_shift(lg)
        pay(lg, code, "cash=10", change_to_prepaid=True)
        open_shift(lg, "lily", station="W02")
        pay(lg, code, "cash=10", cashier="lily", station="W02", change_to_prepaid=True)
        msg = _skip_a_number(lg, "UPDATE station SET next_receipt_no = next_receipt_no + 1 WHERE code = 'W02'")
        assert msg == "票据号 W0200000002 缺失（收费点 W02 的流水号中断）"
