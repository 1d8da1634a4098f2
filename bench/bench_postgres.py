"""Shared ledger on PostgreSQL: payments per second with 1, 4 and 8 windows at once, and the
latency of `pay` (one committed transaction: locks, allocations, receipt number, journal,
receipt document, audit link) under 8 windows. Target: p99 <= 50 ms on a 2-core counter PC.

Starts its own throwaway PostgreSQL server (durable settings: fsync and synchronous commit
on, as on a site) on loopback, builds an estate (accounts, a billed half-year, one station
and cashier per window) through the services, then runs each window in its own process,
all starting at the same instant, each paying random (overlapping) accounts in cash:
- back to back (each window pays again the moment its last payment committed) with 1, 4
  and 8 windows: payments per second, and the latency at saturation;
- paced, 8 windows whose cashiers pause 100 ms on average between payments: the latency
  under 8 busy windows when the machine is not saturated.
Beside each run: the client CPU and the server CPU per payment. The 8 window processes and
the server share this machine's 2 cores here; on a site each window is its own PC and only
the server's share is common. Prints one JSON object. Nothing here is asserted in `make test`.

    .venv/bin/python bench/bench_postgres.py [--payments 200] [--accounts 200]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db.engine import make_factory, upgrade  # noqa: E402
from app.services import Actor, run  # noqa: E402
from app.services.desk import payments, shifts  # noqa: E402
from tests.conftest import _populate_template  # noqa: E402
from tests.helpers import at  # noqa: E402
from tests.postgres import stations  # noqa: E402
from tests.postgres.server import APP, PgServer  # noqa: E402

WINDOWS = (1, 4, 8)
TARGET_P99_MS = 50
#: The paced run: after each payment a window's cashier waits 100 ms on average before the
#: next, so each window pays up to ~8 times a second -- some 200 times a busy real window (one
#: payment every 20-30 s) -- and 8 windows offer about a third of what this machine can take.
THINK_S = 0.1


def window(url: str, index: int, n: int, codes: list[str], start_at: float, seed: int,
           think_s: float = 0.0) -> dict:
    """One station: its cashier opens a shift, makes `n` payments, closes. With `think_s`, the
    cashier waits a random time (exponential, mean `think_s`) after each payment, as a person
    at a window does; without, pays again at once (the saturation case)."""
    factory = make_factory(url)
    rng = random.Random(seed)
    with factory() as s:
        from sqlalchemy import select

        from app.models import User

        uid = s.scalar(select(User.id).where(User.username == stations.cashier_name(index)))
    actor = Actor(uid, stations.station_code(index))
    run(factory, shifts.open_shift, actor=actor, float_amount="200", at=at(stations.DAY))
    # Warm the connection pool and caches before the clock starts.
    run(factory, shifts.current_shift, actor=actor)
    while time.time() < start_at:
        time.sleep(0.001)
    lat = []
    t0, cpu0 = time.time(), time.process_time()
    for _ in range(n):
        tenders = [payments.TenderInput("cash", rng.randint(50, 400) * 100)]
        t = time.perf_counter()
        run(factory, payments.pay, actor=actor, account_code=rng.choice(codes), tenders=tenders,
            change_to_prepaid=True, at=at(stations.DAY))
        lat.append(time.perf_counter() - t)
        if think_s:
            time.sleep(rng.expovariate(1 / think_s))
    t1, cpu = time.time(), time.process_time() - cpu0
    stations.close_exact(factory, actor, stations.DAY)
    factory.kw["bind"].dispose()
    return {"start": t0, "end": t1, "latencies": lat, "cpu_s": cpu}


def server_cpu_s(server: PgServer) -> float:
    """CPU seconds used so far by this server: the postmaster, its reaped backends (cutime,
    cstime) and its live processes. Other servers on the machine are not counted."""
    postmaster = int((server.tmp / "data" / "postmaster.pid").read_text().split()[0])
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile (its time is in the postmaster's cutime)
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == postmaster:
            ticks += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        elif ppid == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(server: PgServer, url: str, n_windows: int, n: int, codes: list[str], think_s: float = 0.0) -> dict:
    ctx = multiprocessing.get_context("spawn")
    start_at = time.time() + 4 + n_windows * 0.5
    with ctx.Pool(n_windows) as pool:
        jobs = [pool.apply_async(window, (url, i, n, codes, start_at, 7 * n_windows + i, think_s))
                for i in range(n_windows)]
        while time.time() < start_at - 0.5:
            time.sleep(0.05)
        server_before = server_cpu_s(server)  # the shifts are open: from here on it is payments
        results = [j.get(timeout=1800) for j in jobs]
    lat = sorted(x * 1000 for r in results for x in r["latencies"])
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    server_ms = (server_cpu_s(server) - server_before) * 1000 / len(lat)  # includes the closes at the end
    return {"windows": n_windows, "think_ms": round(think_s * 1000), "payments": len(lat),
            "seconds": round(wall, 2), "payments_per_s": round(len(lat) / wall, 1),
            "pay_p50_ms": round(statistics.median(lat), 1),
            "pay_p99_ms": round(lat[max(0, int(len(lat) * 0.99) - 1)], 1), "pay_max_ms": round(lat[-1], 1),
            "client_cpu_ms_per_payment": round(sum(r["cpu_s"] for r in results) * 1000 / len(lat), 2),
            "server_cpu_ms_per_payment": round(server_ms, 2)}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--payments", type=int, default=200, help="payments per window and run")
    p.add_argument("--accounts", type=int, default=200)
    a = p.parse_args()
    with PgServer(durable=True) as server:
        server.create_database("bench")
        upgrade(server.url("bench"))
        _populate_template(server.url("bench"))  # `feedesk init` and the administrator: the owner role
        from tests.conftest import Ledger

        lg = Ledger(None, url=server.url("bench", APP), owner_url=server.url("bench"))
        estate = stations.build_estate(lg, n_accounts=a.accounts, n_stations=max(WINDOWS), history_payments=0)
        lg.close()
        url = server.url("bench", APP)
        runs = [measure(server, url, n, a.payments, estate["codes"]) for n in WINDOWS]
        paced = measure(server, url, max(WINDOWS), a.payments, estate["codes"], THINK_S)
        from app.services.journal.verify import verify

        factory = make_factory(server.url("bench", APP))
        with factory() as s:
            ok = verify(s).ok
        factory.kw["bind"].dispose()
    eight = runs[-1]
    print(json.dumps({"bench": "postgres shared ledger", "server": "PostgreSQL (loopback, fsync on)",
                      "accounts": a.accounts, "runs": runs, "paced_8_windows": paced,
                      "target_p99_ms_8_windows": TARGET_P99_MS,
                      "p99_8_windows_back_to_back_within_target": eight["pay_p99_ms"] <= TARGET_P99_MS,
                      "p99_8_windows_paced_within_target": paced["pay_p99_ms"] <= TARGET_P99_MS, "verify_ok": ok},
                     ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
