"""`make bench`: build estate-L if missing, then run every bench/bench_*.py and collect JSON.

Each benchmark script prints one JSON object on stdout; this runner passes the estate-L path
in env FEEDESK_BENCH_DB (and `--db` to bench_core), stores all results in
bench/out/results.json and prints them. Record the figures in bench/RESULTS.md with the date
and the machine. Timings are never asserted in `make test`.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    estate = Path(os.environ.get("FEEDESK_BENCH_DB", OUT / "estate-L.db"))
    if not estate.exists():
        print(f"building estate-L at {estate} (takes several minutes)", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "bench/estate.py"), "--db", str(estate)], check=True)
    # An estate built by an older FeeDesk is brought to this schema first (as the program does).
    subprocess.run([sys.executable, "-c", f"from app.db.engine import upgrade; upgrade({str(estate)!r})"],
                   check=True, cwd=ROOT)
    only = set(sys.argv[1:])
    results = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.node()} {platform.machine()} "
               f"{os.cpu_count()} cpu, Python {platform.python_version()}", "estate": str(estate)}
    env = dict(os.environ, FEEDESK_BENCH_DB=str(estate), QT_QPA_PLATFORM="offscreen")
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        name = script.stem
        if only and name not in only:
            continue
        args = [sys.executable, str(script)] + (["--db", str(estate)] if name == "bench_core" else [])
        print(f"running {name} ...", file=sys.stderr)
        proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT)
        if proc.returncode != 0:
            results[name] = {"error": proc.stderr.strip().splitlines()[-5:]}
            continue
        try:
            results[name] = json.loads(proc.stdout[proc.stdout.index("{"):])
        except ValueError:
            results[name] = {"output": proc.stdout.strip().splitlines()[-10:]}
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
