"""Soak: payments with a loopback printer that fails at random; every receipt is printed
exactly once after retries (10,000 payments with FEEDESK_STRESS=1, 120 in make test).

Faults: offline (cover open), paper out, connection reset mid-job, printer switched off.
A failed print never loses the payment; the cashier retries (after fixing the printer)
until it is done. At the end each receipt has exactly one finished receipt job in the
ledger and exactly one complete (cut) copy came out of the printer.
"""

from __future__ import annotations

import random
import re
from collections import Counter

from sqlalchemy import func, select

from app.models import PrintJob, PrintJobStatus, Receipt
from app.printing import queue
from app.printing.loopback import LoopbackPrinter
from app.services import run
from app.services.desk import payments
from app.services.desk import print_jobs as printing
from app.services.journal.verify import verify
from tests.reliability.figures import count, scaled

FAULTS = ["offline", "paper_out", "drop", "off"]


def _inject(lp: LoopbackPrinter, fault: str, rng: random.Random) -> None:
    if fault in ("offline", "paper_out"):
        lp.state = fault
    elif fault == "drop":
        lp.drop_after = rng.randint(20, 600)
    else:
        lp.refuse()


def _repair(lp: LoopbackPrinter) -> None:
    lp.reset_faults()
    lp.accept()


def test_every_receipt_is_printed_exactly_once_with_a_randomly_failing_printer(populated):
    n = scaled(120, 10_000)
    rng = random.Random(8)
    lg = populated
    cashier = lg.actor("demo")
    codes = ["1-1-101", "1-1-102", "1-2-201", "1-2-202", "2-1-101", "2-1-102"]
    with LoopbackPrinter() as lp:
        lg.run(printing.add_printer, actor=lg.actor("admin"), name="前台", connection="network", target=lp.target,
               width_mm=80, default=True, timeout_ms=3000)
        receipts: list[str] = []
        failures = retries = 0
        for i in range(n):
            if rng.random() < 0.2:
                _inject(lp, rng.choice(FAULTS), rng)
            r = run(lg.factory, payments.pay, actor=cashier, account_code=codes[i % len(codes)],
                    tenders=[payments.TenderInput("cash", rng.randint(100, 50000))], change_to_prepaid=True)
            receipts.append(r.receipt_no)
            outcome = queue.print_after_payment(lg.factory, actor=cashier, result=r)
            attempts = 0
            while outcome["status"] != "done":
                failures += 1
                assert outcome["job_id"] is not None, outcome
                attempts += 1
                assert attempts < 10, f"receipt {r.receipt_no} never printed: {outcome}"
                _repair(lp)
                if rng.random() < 0.2:  # sometimes the printer fails again on the retry
                    _inject(lp, rng.choice(FAULTS), rng)
                outcome = queue.retry(lg.factory, actor=cashier, job_id=outcome["job_id"]).short()
                retries += 1
            if rng.random() < 0.5:
                _repair(lp)
        _repair(lp)
        assert lp.wait_idle(10)
        complete = Counter()
        for job in lp.decoded_jobs():
            for piece in job.receipts:  # only pieces that were cut: a whole receipt came out
                for no in set(re.findall(r"W01\d{8}", piece.text)):
                    complete[no] += 1
    assert failures > 0 and retries >= failures
    wrong = {no: complete[no] for no in receipts if complete[no] != 1}
    assert not wrong, f"receipts not printed exactly once: {dict(list(wrong.items())[:5])}"
    with lg.session() as s:
        done = dict(s.execute(select(Receipt.receipt_no, func.count(PrintJob.id))
                              .join(PrintJob, PrintJob.receipt_id == Receipt.id)
                              .where(PrintJob.status == PrintJobStatus.DONE, PrintJob.kind == "receipt")
                              .group_by(Receipt.receipt_no)).all())
        assert all(done.get(no) == 1 for no in receipts)
        assert s.scalar(select(func.count()).select_from(PrintJob).where(PrintJob.kind == "reprint")) == 0
    assert run(lg.factory, verify).ok
    count("soak_payments", len(receipts))
    count("soak_print_failures_retried", failures)
