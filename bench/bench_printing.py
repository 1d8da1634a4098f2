"""Printing benchmark (issue 4). Prints one JSON object; asserts nothing.

    python bench/bench_printing.py [--payments 30]

A fresh small ledger in a temporary directory (migrated, one estate, one open shift) and
the loopback network printer on 127.0.0.1. For each mode (text at 58 and 80 mm, image at
58 and 80 mm) every payment is committed through `services.run(payments.pay)` and then
printed with `printing.queue.print_after_payment`, exactly as `feedesk pay` does. Measured:

- commit_to_last_byte: from the payment's commit to the last byte arriving on the loopback
  socket (the printer's side; includes the status queries before and after the job);
- print_call: the whole `print_after_payment` call (queue the job, send, confirm, record);
- bytes per receipt.

Targets: text mode <= 100 ms, image mode at 80 mm <= 400 ms (commit to last byte).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db.engine import make_factory, upgrade  # noqa: E402
from app.printing import queue  # noqa: E402
from app.printing.loopback import LoopbackPrinter  # noqa: E402
from app.services import Actor, run  # noqa: E402
from app.services.bills import billing, fees  # noqa: E402
from app.services.clock import at_local_noon  # noqa: E402
from app.services.desk import payments, shifts  # noqa: E402
from app.services.desk import print_jobs as svc  # noqa: E402
from app.services.master import accounts  # noqa: E402
from app.services.system import auth, setup  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(values: list[float]) -> dict:
    return {"median_ms": round(statistics.median(values) * 1000, 2), "p95_ms": round(pct(values, 95) * 1000, 2),
            "max_ms": round(max(values) * 1000, 2), "n": len(values)}


def build(path: str, n_accounts: int):
    upgrade(path)
    factory = make_factory(path)
    run(factory, setup.bootstrap, station_code="W01", admin_password="admin", site_name="幸福里物业服务中心")
    run(factory, auth.add_user, actor=None, username="admin2", role="admin", password="admin2")
    run(factory, auth.add_user, actor=None, username="demo", role="cashier", password="demo",
        display_name="演示收费员")
    with factory() as s:
        admin = Actor(auth.user_by_name(s, "admin").id, "W01")
        cashier = Actor(auth.user_by_name(s, "demo").id, "W01")
    with factory.begin() as s:
        for i in range(n_accounts):
            accounts.add_account(s, actor=admin, row=accounts.AccountInput(
                building=str(1 + i // 40), entrance="1", room=f"{1 + i % 40:03d}", area="89.50",
                owner=["张三", "李四", "王喆", "赵堃"][i % 4]))
    run(factory, fees.add_fee, actor=admin, code="WYF", name="物业费", method="area", rate="2.35", cycle="monthly",
        due_days=15, effective_from=dt.date(2020, 1, 1))
    run(factory, fees.add_fee, actor=admin, code="LJF", name="垃圾处理费", method="fixed", rate="15",
        cycle="monthly", kind="passthrough", due_days=15, effective_from=dt.date(2020, 1, 1))
    run(factory, fees.assign_fee, actor=admin, fee_code="WYF", all_accounts=True)
    run(factory, fees.assign_fee, actor=admin, fee_code="LJF", all_accounts=True)
    for period in ("2026-09", "2026-10"):
        run(
            factory,
            billing.bill_run,
            actor=admin,
            period=period,
            at=at_local_noon(dt.date.fromisoformat(period + "-01")),
        )
    run(factory, shifts.open_shift, actor=cashier, float_amount="500", at=at_local_noon(dt.date(2026, 11, 25)))
    codes = [f"{1 + i // 40}-1-{1 + i % 40:03d}" for i in range(n_accounts)]
    return factory, admin, cashier, codes


def bench_mode(factory, admin, cashier, codes, loopback, *, width: int, mode: str, n: int) -> dict:
    name = f"{mode}-{width}"
    run(factory, svc.add_printer, actor=admin, name=name, connection="network", target=loopback.target,
        width_mm=width, mode=mode, default=True, timeout_ms=5000)
    latency, calls, sizes = [], [], []
    for code in codes[:n]:
        loopback.clear()
        result = run(factory, payments.pay, actor=cashier, account_code=code,
                     tenders=[payments.TenderInput("cash", 50000)], at=at_local_noon(dt.date(2026, 11, 25)))
        committed = time.perf_counter()
        out = queue.print_after_payment(factory, actor=cashier, result=result)
        returned = time.perf_counter()
        if out["status"] != "done":
            raise SystemExit(f"print failed: {out}")
        loopback.wait_idle()
        conn = loopback.connections[-1]
        latency.append(conn.last_byte_at - committed)
        calls.append(returned - committed)
        sizes.append(len(conn.data))
    return {"commit_to_last_byte": summary(latency), "print_call": summary(calls),
            "bytes_per_receipt": int(statistics.median(sizes))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--payments", type=int, default=30)
    args = ap.parse_args()
    modes = [(58, "text"), (80, "text"), (58, "image"), (80, "image")]
    with tempfile.TemporaryDirectory() as tmp, LoopbackPrinter() as loopback:
        factory, admin, cashier, codes = build(str(Path(tmp) / "bench.db"), args.payments * len(modes))
        results = {}
        for i, (width, mode) in enumerate(modes):
            batch = codes[i * args.payments:(i + 1) * args.payments]
            results[f"{mode}_{width}mm"] = bench_mode(factory, admin, cashier, batch, loopback, width=width, mode=mode,
                                                      n=args.payments)
        factory.kw["bind"].dispose()
    targets = {"text_ms": 100, "image_80mm_ms": 400}
    verdict = {
        "text_ok": all(results[f"text_{w}mm"]["commit_to_last_byte"]["p95_ms"] <= targets["text_ms"] for w in (58, 80)),
        "image_80mm_ok": results["image_80mm"]["commit_to_last_byte"]["p95_ms"] <= targets["image_80mm_ms"],
    }
    print(json.dumps({"bench": "printing", "targets": targets, "results": results, "within_targets": verdict},
                     ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
