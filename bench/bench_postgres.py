"""Shared ledger on PostgreSQL: payments per second with 1, 4 and 8 windows at once, and the
latency of `pay` (one committed transaction: locks, allocations, receipt number, journal,
receipt document, audit link) under 8 windows. Target: p99 <= 50 ms on a 2-core counter PC.

Starts its own throwaway PostgreSQL server (durable settings: fsync and synchronous commit
on, as on a site) on loopback, builds an estate (accounts, a billed half-year, one station
and cashier per window) through the services, then runs each window in its own process,
all starting at the same instant, each paying random (overlapping) accounts in cash.
Prints one JSON object. Nothing here is asserted in `make test`.

    .venv/bin/python bench/bench_postgres.py [--payments 200] [--accounts 200]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.models.db import make_factory, upgrade  # noqa: E402
from app.services import Actor, payments, run, shifts  # noqa: E402
from tests.conftest import _populate_template  # noqa: E402
from tests.helpers import at  # noqa: E402
from tests.postgres import stations  # noqa: E402
from tests.postgres.server import APP, PgServer  # noqa: E402

WINDOWS = (1, 4, 8)
TARGET_P99_MS = 50


def window(url: str, index: int, n: int, codes: list[str], start_at: float, seed: int) -> dict:
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
    t0 = time.time()
    for _ in range(n):
        tenders = [payments.TenderInput("cash", rng.randint(50, 400) * 100)]
        t = time.perf_counter()
        run(factory, payments.pay, actor=actor, account_code=rng.choice(codes), tenders=tenders,
            change_to_prepaid=True, at=at(stations.DAY))
        lat.append(time.perf_counter() - t)
    t1 = time.time()
    stations.close_exact(factory, actor, stations.DAY)
    factory.kw["bind"].dispose()
    return {"start": t0, "end": t1, "latencies": lat}


def measure(url: str, n_windows: int, n: int, codes: list[str]) -> dict:
    ctx = multiprocessing.get_context("spawn")
    start_at = time.time() + 4 + n_windows * 0.5
    with ctx.Pool(n_windows) as pool:
        jobs = [pool.apply_async(window, (url, i, n, codes, start_at, 7 * n_windows + i)) for i in range(n_windows)]
        results = [j.get(timeout=1800) for j in jobs]
    lat = sorted(x * 1000 for r in results for x in r["latencies"])
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    return {"windows": n_windows, "payments": len(lat), "seconds": round(wall, 2),
            "payments_per_s": round(len(lat) / wall, 1), "pay_p50_ms": round(statistics.median(lat), 1),
            "pay_p99_ms": round(lat[max(0, int(len(lat) * 0.99) - 1)], 1), "pay_max_ms": round(lat[-1], 1)}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--payments", type=int, default=200, help="payments per window and run")
    p.add_argument("--accounts", type=int, default=200)
    a = p.parse_args()
    with PgServer(durable=True) as server:
        server.create_database("bench")
        upgrade(server.url("bench"))
        _populate_template(server.url("bench", APP))
        from tests.conftest import Ledger

        lg = Ledger(None, url=server.url("bench", APP))
        estate = stations.build_estate(lg, n_accounts=a.accounts, n_stations=max(WINDOWS), history_payments=0)
        lg.factory.kw["bind"].dispose()
        runs = [measure(server.url("bench", APP), n, a.payments, estate["codes"]) for n in WINDOWS]
        from app.services.verify import verify

        factory = make_factory(server.url("bench", APP))
        with factory() as s:
            ok = verify(s).ok
        factory.kw["bind"].dispose()
    eight = runs[-1]
    print(json.dumps({"bench": "postgres shared ledger", "server": "PostgreSQL (loopback, fsync on)",
                      "accounts": a.accounts, "runs": runs, "target_p99_ms_8_windows": TARGET_P99_MS,
                      "p99_8_windows_within_target": eight["pay_p99_ms"] <= TARGET_P99_MS, "verify_ok": ok},
                     ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
