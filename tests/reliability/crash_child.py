"""Crash-test child: posts through the services in a loop until it is killed.

Run as `python crash_child.py LEDGER`. It imports everything once, prints `READY`, then reads
commands on stdin: `go SEED` forks a worker that posts payments (and charges, voids and
shift closes where the cash desk provides them) on LEDGER forever. After each commit the
worker writes `C <receipt_no> <payment_id> <tendered fen>` on stdout (one write, so a line is
whole or absent). The parent test SIGKILLs the worker at a random moment; this process reaps
it and prints `X <pid>`, so every line of the dead worker was read before `X`.
Nothing here checks anything: the test does, from outside.
"""

from __future__ import annotations

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from app.db.engine import make_factory  # noqa: E402
from app.errors import FeeDeskError  # noqa: E402
from app.services import Actor, run  # noqa: E402
from app.services.bills import billing  # noqa: E402
from app.services.clock import at_local_noon  # noqa: E402
from app.services.desk import payments, shifts  # noqa: E402
from app.services.system import auth  # noqa: E402

try:  # the cash desk (issue 3) adds voids and closes; use them when present
    from tests.reliability import cashdesk_ops
except Exception:  # noqa: BLE001 - optional
    cashdesk_ops = None

ACCOUNTS = ["1-1-101", "1-1-102", "1-2-201", "1-2-202", "2-1-101", "2-1-102"]


def say(text: str) -> None:
    os.write(1, (text + "\n").encode("utf-8"))


def worker(db: str, seed: int) -> None:
    rng = random.Random(seed)
    factory = make_factory(db)
    with factory() as s:
        cashier = Actor(auth.user_by_name(s, "demo").id, "W01")
        supervisor = Actor(auth.user_by_name(s, "boss").id, "W01")
    import datetime as dt

    at = at_local_noon(dt.date(2026, 11, 25))
    say(f"W {os.getpid()}")
    committed: list[tuple[int, str]] = []
    while True:
        op = rng.random()
        try:
            if run(factory, shifts.current_shift, actor=cashier) is None:
                run(factory, shifts.open_shift, actor=cashier, float_amount="100", at=at)
            if op < 0.15:
                run(factory, billing.add_charge, actor=cashier, account_code=rng.choice(ACCOUNTS), fee_code="WX",
                    quantity=str(rng.randint(1, 5)), at=at)
                continue
            if cashdesk_ops is not None and op < 0.20 and committed:
                no = cashdesk_ops.void_one(factory, cashier, supervisor, committed, rng, at)
                say(f"V {no}")
                continue
            if cashdesk_ops is not None and op < 0.215:
                committed.clear()  # a closed shift's payments are refunded, not voided
                cashdesk_ops.close_and_reopen(factory, cashier, supervisor, rng, at)
                continue
            tenders = [payments.TenderInput("cash", rng.randint(1, 60000))]
            if rng.random() < 0.3:
                tenders.append(payments.TenderInput("wechat", rng.randint(1, 2000), f"WX{rng.randint(1, 10**9)}"))
            r = run(factory, payments.pay, actor=cashier, account_code=rng.choice(ACCOUNTS), tenders=tenders,
                    change_to_prepaid=rng.random() < 0.7 or len(tenders) > 1, at=at)
            committed.append((r.payment_id, r.receipt_no))
            say(f"C {r.receipt_no} {r.payment_id} {r.total_tendered}")
        except FeeDeskError as exc:
            say(f"E {exc.message.splitlines()[0]}")


def main() -> None:
    db = sys.argv[1]
    say("READY")
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            return
        if parts[0] == "go":
            pid = os.fork()
            if pid == 0:
                try:
                    worker(db, int(parts[1]))
                finally:
                    os._exit(3)
            os.waitpid(pid, 0)
            say(f"X {pid}")


if __name__ == "__main__":
    main()
