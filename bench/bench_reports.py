"""Report benchmarks on estate-L (issue 6). Prints one JSON object.

    python bench/bench_reports.py [--db bench/out/estate-L.db] [--keep]

Works on a copy of the estate (bench/out/work-reports.db: the dunning run writes). Each task
runs in its own process so its peak memory (ru_maxrss) is its own; times are wall-clock
through the service functions and renderers directly (no Qt, no CLI). Targets (issue 6):
ageing report <= 3 s, collection-rate report for 36 months by building <= 3 s, a dunning run
of 2,000 notices to PDF <= 30 s, peak memory <= 400 MB. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"ageing": 3.0, "collection_36m_by_building": 3.0, "dunning_2000_to_pdf": 30.0}
PEAK_MB = 400


def _actor(factory):
    from sqlalchemy import select

    from app.models import Role, User
    from app.services import Actor

    with factory() as s:
        uid = s.scalar(select(User.id).where(User.role == Role.SUPERVISOR).order_by(User.id).limit(1))
        if uid is None:
            uid = s.scalar(select(User.id).where(User.role == Role.ADMIN).order_by(User.id).limit(1))
        from app.models import Station

        station = s.scalar(select(Station.code).order_by(Station.id).limit(1))
    return Actor(uid, station)


def _periods(factory) -> tuple[str, str]:
    from sqlalchemy import func, select

    from app.models import Charge

    with factory() as s:
        return tuple(s.execute(select(func.min(Charge.period), func.max(Charge.period))).one())


def task(name: str, db: str, out_dir: Path) -> dict:
    from app.db.engine import make_factory
    from app.reports import layouts, pdf, xlsx
    from app.services import reports, run
    from app.services.collection import dunning

    factory = make_factory(db)
    actor = _actor(factory)
    first, last = _periods(factory)
    result: dict = {"task": name}
    c0 = time.process_time()
    t0 = time.perf_counter()
    if name == "ageing":
        rep = run(factory, reports.ageing, actor=actor)
        result["seconds"] = round(time.perf_counter() - t0, 3)
        result["cpu_seconds"] = round(time.process_time() - c0, 3)
        result.update(accounts=len(rep.rows), total_yuan=rep.total // 100)
        t1 = time.perf_counter()
        pages = pdf.render(layouts.ageing(rep), out_dir / "ageing.pdf")
        result["pdf_seconds"] = round(time.perf_counter() - t1, 3)
        result["pdf_pages"] = pages
        t1 = time.perf_counter()
        xlsx.render(layouts.ageing(rep), out_dir / "ageing.xlsx")
        result["xlsx_seconds"] = round(time.perf_counter() - t1, 3)
    elif name == "collection_36m_by_building":
        rep = run(factory, reports.collection_rate, actor=actor, from_period=first, to_period=last, by="building")
        result["seconds"] = round(time.perf_counter() - t0, 3)
        result["cpu_seconds"] = round(time.process_time() - c0, 3)
        result.update(periods=f"{first}..{last}", rows=len(rep.rows), rate=rep.total.rate.text,
                      household_rate=rep.total.household_rate.text)
        t1 = time.perf_counter()
        run(factory, reports.collection_rate, actor=actor, from_period=first, to_period=last, by="month")
        result["by_month_seconds"] = round(time.perf_counter() - t1, 3)
    elif name == "dunning_2000_to_pdf":
        # the threshold that selects about 2,000 accounts: the 2,000th largest arrears
        ageing = run(factory, reports.ageing, actor=actor)
        amounts = sorted((r.amount for r in ageing.rows), reverse=True)
        threshold = amounts[min(1999, len(amounts) - 1)] if amounts else 0
        result["prepare_seconds"] = round(time.perf_counter() - t0, 3)
        c0 = time.process_time()
        t0 = time.perf_counter()
        rep = run(factory, dunning.run_dunning, actor=actor, min_amount=threshold, min_days=0)
        result["run_seconds"] = round(time.perf_counter() - t0, 3)
        t1 = time.perf_counter()
        pdf.render_notices(rep.notices, out_dir / "notices.pdf", rep.meta)
        result["pdf_seconds"] = round(time.perf_counter() - t1, 3)
        result["seconds"] = round(time.perf_counter() - t0, 3)
        result["cpu_seconds"] = round(time.process_time() - c0, 3)
        result.update(notices=rep.count, pdf_mb=round((out_dir / "notices.pdf").stat().st_size / 2**20, 1))
    elif name == "journal_month_pdf":
        from app.services.clock import month_end, period_start

        start = period_start(last)

        def render(session, **kw):
            return pdf.render(layouts.journal(reports.journal(session, **kw)), out_dir / "journal.pdf")

        pages = run(factory, render, actor=actor, date_from=start, date_to=month_end(start))
        result.update(seconds=round(time.perf_counter() - t0, 3), pages=pages)
    elif name == "journal_36m_xlsx":
        from app.services.clock import month_end, period_start

        def render(session, **kw):
            rep = reports.journal(session, **kw)
            xlsx.render(layouts.journal(rep), out_dir / "journal.xlsx")

        run(factory, render, actor=actor, date_from=period_start(first), date_to=month_end(period_start(last)))
        result.update(seconds=round(time.perf_counter() - t0, 3),
                      xlsx_mb=round((out_dir / "journal.xlsx").stat().st_size / 2**20, 1))
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    factory.kw["bind"].dispose()
    return result


TASKS = ["ageing", "collection_36m_by_building", "dunning_2000_to_pdf", "journal_month_pdf"]
LONG_TASKS = ["journal_36m_xlsx"]  # streaming proof (memory), minutes long: with --long


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default=os.environ.get("FEEDESK_BENCH_DB", str(ROOT / "bench/out/estate-L.db")))
    p.add_argument("--task")
    p.add_argument("--keep", action="store_true", help="keep the working copy and the output files")
    p.add_argument("--long", action="store_true", help="also export the whole journal (36 months) to XLSX")
    a = p.parse_args()
    out_dir = ROOT / "bench" / "out" / "reports"
    out_dir.mkdir(parents=True, exist_ok=True)
    if a.task:
        print(json.dumps(task(a.task, a.db, out_dir), ensure_ascii=False))
        return 0
    if not Path(a.db).exists():
        print(f"estate not found: {a.db} (python bench/estate.py --db {a.db})", file=sys.stderr)
        return 2
    work = ROOT / "bench" / "out" / "work-reports.db"
    src = __import__("sqlite3").connect(a.db)
    dst = __import__("sqlite3").connect(work)
    src.backup(dst)  # a consistent copy even with a WAL beside the estate
    src.close()
    # An estate built before migration 0004 got its covering index carries the older
    # two-column index of the same name: give the copy the index the migration now creates.
    cols = [r[2] for r in dst.execute("PRAGMA index_info('ix_charge_period_account')")]
    if cols != ["period", "account_id", "amount", "training"]:
        dst.execute("DROP INDEX IF EXISTS ix_charge_period_account")
        dst.execute("CREATE INDEX ix_charge_period_account ON charge (period, account_id, amount, training)")
        dst.commit()
    dst.close()
    results = {}
    try:
        for name in TASKS + (LONG_TASKS if a.long else []):
            proc = subprocess.run([sys.executable, __file__, "--db", str(work), "--task", name],
                                  capture_output=True, text=True, cwd=ROOT)
            if proc.returncode != 0:
                results[name] = {"error": proc.stderr.strip().splitlines()[-1:]}
                continue
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if not a.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(str(work) + suffix).unlink(missing_ok=True)
            shutil.rmtree(out_dir, ignore_errors=True)
    summary = {name: {"seconds": r.get("seconds"), "cpu_seconds": r.get("cpu_seconds"),
                      "target_s": TARGETS.get(name), "peak_mb": r.get("peak_mb"),
                      "within_target": (r.get("seconds") is not None and r["seconds"] <= TARGETS[name]
                                        and r.get("peak_mb", 0) <= PEAK_MB) if name in TARGETS else None}
               for name, r in results.items()}
    load = os.getloadavg()[0]
    print(json.dumps({"bench": "reports", "estate": a.db, "load_average_1m": round(load, 2),
                      "cpus": os.cpu_count(), "peak_mb_target": PEAK_MB, "summary": summary,
                      "details": results}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
