"""Printer faults: offline, paper out, connection dropped mid-job, no answer at all, switched
off, too slow. In each the payment stays committed, the job is failed with a plain Chinese
error and retryable, nothing blocks longer than the printer's timeout (plus the ledger's
own writes), and a retry after the fault clears prints the receipt exactly once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Payment
from app.printing import queue
from app.printing.loopback import LoopbackPrinter
from app.services.desk import print_jobs as svc
from app.services.desk import receipts
from tests.helpers import card
from tests.printing.builders import TIMEOUT_MS, add_printer, cash_payment, estate

# Time the ledger's own short transactions may take around the printer's timeout.
LEDGER_SLACK_S = 2.0

FAULTS = {
    "offline": ("打印机离线", lambda lp: setattr(lp, "state", "offline")),
    "paper_out": ("缺纸", lambda lp: setattr(lp, "state", "paper_out")),
    "dropped_mid_job": ("连接中断", lambda lp: setattr(lp, "drop_after", 400)),
    "no_answer": ("没有应答", lambda lp: setattr(lp, "no_answer", True)),
    "switched_off": ("连接不上打印机", lambda lp: lp.refuse()),
    "too_slow": ("超时", lambda lp: lp.set_slow(2000)),
}


def clear(lp: LoopbackPrinter) -> None:
    lp.wait_idle()
    lp.reset_faults()
    lp.accept()


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_keeps_payment_fails_job_and_retry_prints_once(ledger, loopback, fault):
    words, inject = FAULTS[fault]
    estate(ledger)
    add_printer(ledger, loopback.target, mode="image" if fault == "too_slow" else "text")
    inject(loopback)
    cashier = ledger.actor("demo")
    r = cash_payment(ledger)

    started = time.monotonic()
    out = queue.print_after_payment(ledger.factory, actor=cashier, result=r)
    elapsed = time.monotonic() - started

    assert out["status"] == "failed" and words in out["error"], out
    assert elapsed < TIMEOUT_MS / 1000 + LEDGER_SLACK_S
    # the payment is committed whatever the printer did
    assert card(ledger, "1-2-301").arrears == 0
    with ledger.session() as s:
        assert s.scalar(select(Payment.receipt_no).where(Payment.id == r.payment_id)) == r.receipt_no
        assert receipts.receipt_doc(s, r.receipt_no).total == 42066
        failed = svc.list_jobs(s, actor=cashier, failed_only=True)
        unprinted = svc.unprinted_receipts(s, actor=cashier)
    assert [(j.id, j.attempts, j.last_error) for j in failed] == [(out["job_id"], 1, out["error"])]
    assert [u.receipt_no for u in unprinted] == [r.receipt_no]

    clear(loopback)
    done = queue.retry(ledger.factory, actor=cashier, job_id=out["job_id"])
    assert (done.status, done.error) == ("done", "")
    loopback.wait_idle()
    jobs = loopback.decoded_jobs()
    # exactly one whole receipt on paper (a dropped job may have left a torn piece, never cut)
    assert sum(j.cuts for j in jobs) == 1
    last = jobs[-1]
    assert last.cuts == 1
    if fault != "too_slow":  # image mode: the QR is part of the raster
        assert last.receipts[0].qr[0].startswith(f"FEEDESK|{r.receipt_no}|420.66|")
        assert "收据号：W0100000001" in last.receipts[0].lines
    # the drawer opened once in all: on the retry, or already during a job that was cut off
    with ledger.session() as s:
        openings = s.scalars(select(AuditEvent).where(AuditEvent.action == "drawer_open")).all()
        assert svc.unprinted_receipts(s, actor=cashier) == []
        job = svc.list_jobs(s, actor=cashier)[0]
    assert len(openings) == 1
    assert (job.status, job.attempts) == ("done", 2)
    assert [k for j in jobs for k in j.drawer_kicks] == [2]
    if fault == "dropped_mid_job":
        assert last.drawer_kicks == []  # the kick went out before the drop, not again


def test_retry_on_another_printer(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target)
    cashier = ledger.actor("demo")
    loopback.state = "paper_out"
    r = cash_payment(ledger)
    out = queue.print_after_payment(ledger.factory, actor=cashier, result=r)
    assert out["status"] == "failed" and "缺纸" in out["error"]
    with LoopbackPrinter() as spare:
        add_printer(ledger, spare.target, name="备用", default=False)
        done = queue.retry(ledger.factory, actor=cashier, job_id=out["job_id"], printer_name="备用")
        assert (done.status, done.printer) == ("done", "备用")
        spare.wait_idle()
        d = spare.decoded()
    assert d.cuts == 1 and "收据号：W0100000001" in d.receipts[0].lines
    assert loopback.decoded().cuts == 0


def test_a_printed_job_is_not_printed_again_by_retry(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target)
    cashier = ledger.actor("demo")
    out = queue.print_after_payment(ledger.factory, actor=cashier, result=cash_payment(ledger))
    assert out["status"] == "done"
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput, match="已打印完成"):
        queue.retry(ledger.factory, actor=cashier, job_id=out["job_id"])
    loopback.wait_idle()
    assert loopback.decoded().cuts == 1


def test_a_failed_job_is_not_retried_after_a_late_print(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target)
    cashier = ledger.actor("demo")
    loopback.state = "offline"
    r = cash_payment(ledger)
    out = queue.print_after_payment(ledger.factory, actor=cashier, result=r)
    loopback.reset_faults()
    late = queue.print_receipt(ledger.factory, actor=cashier, receipt_no=r.receipt_no)
    assert (late.kind, late.status) == ("late_print", "done")
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput, match="已经打印过"):
        queue.retry(ledger.factory, actor=cashier, job_id=out["job_id"])
    loopback.wait_idle()
    paper = loopback.decoded().receipts
    assert len(paper) == 1 and any("【补打】" in line for line in paper[0].lines)
    assert not any("重打" in line for line in paper[0].lines)


def test_paper_near_end_prints_and_warns(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target)
    loopback.state = "paper_near_end"
    cashier = ledger.actor("demo")
    r = cash_payment(ledger)
    out = queue.print_receipt(ledger.factory, actor=cashier, receipt_no=r.receipt_no)
    assert out.status == "done" and "即将用完" in out.warning
    status = queue.printer_status(ledger.factory, actor=cashier)
    assert (status.online, status.paper) == (True, "near_end")


@pytest.mark.parametrize("state,online,paper", [("ok", True, "ok"), ("offline", False, "ok"),
                                                ("paper_out", False, "out")])
def test_printer_status_for_the_cashier(ledger, loopback, state, online, paper):
    estate(ledger)
    add_printer(ledger, loopback.target)
    loopback.state = state
    st = queue.printer_status(ledger.factory, actor=ledger.actor("demo"))
    assert (st.online, st.paper) == (online, paper)


def test_status_of_a_silent_printer_returns_within_the_timeout(ledger, loopback):
    estate(ledger)
    add_printer(ledger, loopback.target)
    loopback.no_answer = True
    started = time.monotonic()
    st = queue.printer_status(ledger.factory, actor=ledger.actor("demo"))
    assert time.monotonic() - started < TIMEOUT_MS / 1000 + LEDGER_SLACK_S
    assert st.online is None and "没有应答" in st.message
