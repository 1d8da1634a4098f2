"""Ledger-core benchmarks on estate-L (issue 2). Prints one JSON object.

    python bench/bench_core.py --db bench/out/estate-L.db

Works on a copy of the estate (bench/out/work-core.db) so the estate stays reusable.
Measures through the service functions directly (not Qt, not the CLI):
- pay: 3 charges, cash with change, receipt + journal + audit, committed — median, p99 —
  and beside it two floors, each replaying what the service sent to SQLite for the same
  payments, statement for statement and row for row, with plain sqlite3 (same pragmas, one
  committed transaction per payment) on an identical copy of the estate:
  `pay_floor_sqlite3` replays every statement (the reads that decide the allocation, the
  receipt number, the balances; the writes); `pay_floor_writes_only_sqlite3` replays only the
  INSERT/UPDATE statements, i.e. the rows written without the reads that decide them.
  The ratio of the medians is given for both; the target (<= 3x) is judged on the first;
- search by code prefix, owner name, last 4 phone digits, pinyin initials — median, p99;
- account show (account card) p99;
- a bill run of one new month for all accounts;
- arrears over the whole ledger; verify over the whole ledger;
- peak memory (ru_maxrss) of a process that makes 100 payments.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from app.db.engine import make_factory  # noqa: E402
from app.models import Account, Charge  # noqa: E402
from app.services import Actor, run  # noqa: E402
from app.services.bills import arrears, billing  # noqa: E402
from app.services.desk import payments, shifts  # noqa: E402
from app.services.journal import ledger  # noqa: E402
from app.services.journal.verify import verify  # noqa: E402
from app.services.master import accounts  # noqa: E402
from app.services.system import auth  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ms(values: list[float], cpu: list[float] | None = None) -> dict:
    out = {"median_ms": round(statistics.median(values) * 1000, 2), "p99_ms": round(pct(values, 99) * 1000, 2),
           "n": len(values)}
    if cpu:
        out["cpu_median_ms"] = round(statistics.median(cpu) * 1000, 2)
    return out


def copy_db(src: str, dst: str) -> str:
    con = sqlite3.connect(src)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    for suffix in ("", "-wal", "-shm"):
        Path(dst + suffix).unlink(missing_ok=True)
    shutil.copy(src, dst)
    return dst


def accounts_with_open_charges(factory, n: int, minimum: int = 3) -> list[tuple[str, list[int]]]:
    with factory() as s:
        codes = s.scalars(select(Account.code)).all()
    rng = random.Random(3)
    rng.shuffle(codes)
    chosen = []
    with factory() as s:
        for code in codes:
            acc_id = s.scalar(select(Account.id).where(Account.code == code))
            open_ = billing.outstanding_charges(s, acc_id)
            if len(open_) >= minimum:
                chosen.append((code, [c.id for c, _, _ in open_[:minimum]]))
            if len(chosen) >= n:
                break
    return chosen


def bench_pay(factory, actor: Actor, targets, cpu: list[float] | None = None,
              captured: list[list[tuple]] | None = None) -> list[float]:
    """Time each committed payment of 3 charges in cash (the tender is prepared untimed).

    With `captured`, every statement each payment sends to SQLite is recorded for the floors
    (the recording is inside the timed span: it can only make `pay` look slower).
    """
    engine = factory.kw["bind"]

    def record(_conn, _cursor, statement, parameters, _context, executemany):
        if not statement.startswith("BEGIN"):  # the replay opens its own transaction
            captured[-1].append((statement, parameters, executemany))

    times = []
    for code, charge_ids in targets:
        with factory() as s:
            due = sum(billing.outstanding_charges(s, s.scalar(select(Account.id).where(Account.code == code)),
                                                  charge_ids)[i][1] for i in range(3))
        tender = payments.TenderInput("cash", -(-due // 10000) * 10000 + 10000)
        if captured is not None:
            captured.append([])
            event.listen(engine, "before_cursor_execute", record)
        t, c = time.perf_counter(), time.process_time()
        run(factory, payments.pay, actor=actor, account_code=code, tenders=[tender], charge_ids=charge_ids)
        times.append(time.perf_counter() - t)
        if cpu is not None:
            cpu.append(time.process_time() - c)
        if captured is not None:
            event.remove(engine, "before_cursor_execute", record)
    return times


def floor_pay(db: str, captured: list[list[tuple]], *, writes_only: bool = False) -> list[float]:
    """Replay the payments' statements with plain sqlite3 on a copy of the estate as it was
    before them: the floor for `pay`. Each payment is one BEGIN IMMEDIATE ... COMMIT, with the
    connection pragmas of app/db/engine.py; result rows are fetched as the service fetches them."""
    con = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL", "busy_timeout=10000"):
        con.execute(f"PRAGMA {pragma}")
    times = []
    for statements in captured:
        if writes_only:
            statements = [st for st in statements if not st[0].lstrip().upper().startswith("SELECT")]
        t = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        for sql, params, many in statements:
            if many:
                con.executemany(sql, params)
            else:
                con.execute(sql, params).fetchall()
        con.execute("COMMIT")
        times.append(time.perf_counter() - t)
    con.close()
    return times


def bench_search(factory, actor: Actor) -> dict:
    with factory() as s:
        rows = s.execute(select(Account.code, Account.owner_name, Account.phone_last4, Account.pinyin_initials)).all()
    rng = random.Random(5)
    sample = rng.sample(rows, 200)
    kinds = {"code_prefix": [r[0][:-1] for r in sample], "owner_name": [r[1] for r in sample],
             "phone_last4": [r[2] for r in sample], "pinyin_initials": [r[3] for r in sample]}
    out = {}
    for kind, queries in kinds.items():
        times = []
        with factory() as s:
            for q in queries:
                t = time.perf_counter()
                accounts.search_accounts(s, actor=actor, query=q)
                times.append(time.perf_counter() - t)
        out[kind] = ms(times)
    return out


def bench_card(factory, actor: Actor) -> dict:
    with factory() as s:
        codes = s.scalars(select(Account.code)).all()
    rng = random.Random(6)
    times = []
    with factory() as s:
        for code in rng.sample(codes, 200):
            t = time.perf_counter()
            accounts.account_card(s, actor=actor, code=code)
            times.append(time.perf_counter() - t)
    return ms(times)


def timed(fn, *a, **kw) -> dict:
    """Wall time, and this process's CPU time (SQLite runs in-process: CPU is what a quiet
    machine's wall time would be, on the shared and loaded machines this is measured on)."""
    t, c = time.perf_counter(), time.process_time()
    fn(*a, **kw)
    return {"wall_s": round(time.perf_counter() - t, 3), "cpu_s": round(time.process_time() - c, 3)}


def next_period(factory) -> str:
    with factory() as s:
        last = s.scalar(select(Charge.period).order_by(Charge.period.desc()).limit(1))
    y, m = int(last[:4]), int(last[5:])
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def pay_memory(db: str, n: int = 100) -> int:
    """Peak resident memory (KB) of a fresh process that logs in and makes n payments."""
    code = f"""
import resource, sys
sys.path.insert(0, {str(ROOT)!r})
from bench.bench_core import accounts_with_open_charges, bench_pay
from app.db.engine import make_factory
from app.services import Actor, run
from app.services.system import auth
from app.services.desk import shifts
f = make_factory({db!r})
with f() as s:
    actor = Actor(auth.user_by_name(s, "bench").id, "W01")
if run(f, shifts.current_shift, actor=actor) is None:
    run(f, shifts.open_shift, actor=actor, float_amount="500")
bench_pay(f, actor, accounts_with_open_charges(f, {n}))
# VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec from the parent (the bench runner).
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def other_measures(factory, admin: Actor, cashier: Actor, results: dict) -> None:
    results["search"] = bench_search(factory, cashier)
    results["account_show"] = bench_card(factory, cashier)
    results["arrears"] = timed(run, factory, arrears.arrears, actor=admin)
    results["verify"] = timed(run, factory, verify, actor=admin)
    period = next_period(factory)
    results["bill_run"] = timed(run, factory, billing.bill_run, actor=admin, period=period)
    results["bill_run_period"] = period
    with factory() as s:
        results["prepaid_total_fen"] = -ledger.balance(s, ledger.PREPAID)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default=str(ROOT / "bench/out/estate-L.db"))
    p.add_argument("--payments", type=int, default=300)
    p.add_argument("--pay-only", action="store_true", help="only pay and its floors (quicker, for tuning)")
    args = p.parse_args()
    work = copy_db(args.db, str(ROOT / "bench/out/work-core.db"))
    factory = make_factory(work)
    with factory() as s:
        admin = Actor(auth.user_by_name(s, "admin").id, "W01")
        cashier = Actor(auth.user_by_name(s, "bench").id, "W01")
    if run(factory, shifts.current_shift, actor=cashier) is None:
        run(factory, shifts.open_shift, actor=cashier, float_amount="500")
    # The floors replay the payments on copies of the ledger exactly as the payments found it.
    factory.kw["bind"].dispose()
    floor_dbs = [copy_db(work, str(ROOT / f"bench/out/work-floor{i}.db")) for i in (1, 2)]
    results: dict = {}
    targets = accounts_with_open_charges(factory, args.payments)
    pay_cpu: list[float] = []
    captured: list[list[tuple]] = []
    pay_times = bench_pay(factory, cashier, targets, pay_cpu, captured)
    results["pay"] = ms(pay_times, pay_cpu)
    if not args.pay_only:
        other_measures(factory, admin, cashier, results)
    factory.kw["bind"].dispose()
    floor = floor_pay(floor_dbs[0], captured)
    writes = floor_pay(floor_dbs[1], captured, writes_only=True)
    results["pay_statements"] = round(statistics.median(len(c) for c in captured))
    results["pay_floor_sqlite3"] = ms(floor)
    results["pay_ratio_to_floor"] = round(statistics.median(pay_times) / statistics.median(floor), 2)
    results["pay_floor_writes_only_sqlite3"] = ms(writes)
    results["pay_ratio_to_writes_only_floor"] = round(statistics.median(pay_times) / statistics.median(writes), 2)
    if not args.pay_only:
        results["pay_process_peak_rss_mb"] = round(
            pay_memory(copy_db(args.db, str(ROOT / "bench/out/work-mem.db"))) / 1024, 1)
    results["bench_process_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
