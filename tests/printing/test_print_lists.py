"""The print-job list and the unprinted-receipt list read in a fixed number of statements,
however many rows they show (no query per row), and still show the same rows (statements
counted with `before_cursor_execute`, as in tests/services/test_query_counts.py)."""

from __future__ import annotations

from app.services.desk import corrections
from app.services.desk import print_jobs as svc
from tests.helpers import assign_all, bill, make_accounts, make_fee, open_shift, pay
from tests.printing.builders import add_printer
from tests.services.test_query_counts import statements

UNITS = ("1-1-101", "1-1-102", "1-1-201", "1-1-202", "1-1-301")


def paid_units(ledger, tmp_path, n: int, voided: int = 0) -> list[str]:
    """`n` units paid at W01, each with a queued (never sent) print job, the first `voided`
    of them voided (their slips unprinted too); the rest unpaid."""
    make_accounts(ledger, "\n".join(f"{code} 业主{i} 80.00" for i, code in enumerate(UNITS)))
    make_fee(ledger, "WYF 物业费 area 2.00 monthly")
    assign_all(ledger, "WYF")
    bill(ledger, "2026-10")
    open_shift(ledger, float_yuan="200")
    add_printer(ledger, str(tmp_path / "printer.bin"), connection="file")
    numbers = []
    for code in UNITS[:n]:
        r = pay(ledger, code, "cash=160")
        ledger.run(svc.queue_receipt, actor=ledger.actor("demo"), receipt_no=r.receipt_no, kind="receipt")
        numbers.append(r.receipt_no)
    for number in numbers[:voided]:
        ledger.run(corrections.void_payment, actor=ledger.actor("demo"), receipt_no=number, reason="收错户",
                   approver="boss", approver_password="boss")
    return numbers


def lists_and_counts(ledger):
    cashier = ledger.actor("demo")
    with ledger.session() as s:
        with statements(ledger) as job_sql:
            jobs = svc.list_jobs(s, actor=cashier)
        with statements(ledger) as unprinted_sql:
            unprinted = svc.unprinted_receipts(s, actor=cashier, station_code="W01")
    return jobs, len(job_sql), unprinted, len(unprinted_sql)


def test_one_job_and_one_unprinted_receipt(ledger, tmp_path):
    (number,) = paid_units(ledger, tmp_path, 1)
    jobs, _, unprinted, _ = lists_and_counts(ledger)
    assert [(j.kind, j.status, j.receipt_no, j.printer) for j in jobs] == [("receipt", "pending", number, "前台")]
    assert [(u.receipt_no, u.kind, u.account, u.last_error) for u in unprinted] == [(number, "payment", "1-1-101", "")]


def test_the_lists_cost_the_same_statements_for_five_rows_as_for_one(ledger, template_db, tmp_path):
    from tests.conftest import fresh_ledger

    with fresh_ledger(template_db) as small:
        (tmp_path / "small").mkdir()
        paid_units(small, tmp_path / "small", 1, voided=1)
        _, jobs_one, _, unprinted_one = lists_and_counts(small)
    numbers = paid_units(ledger, tmp_path, 5, voided=3)
    jobs, jobs_five, unprinted, unprinted_five = lists_and_counts(ledger)
    assert [j.receipt_no for j in jobs] == numbers[::-1]  # newest first
    # the receipts, then the void slips never printed (under the voided receipt's number)
    assert [(u.receipt_no, u.kind, u.account) for u in unprinted] == [
        *((no, "payment", code) for no, code in zip(numbers, UNITS, strict=True)),
        *((no, "void", code) for no, code in zip(numbers[:3], UNITS, strict=False))]
    assert (jobs_five, unprinted_five) == (jobs_one, unprinted_one)
    assert jobs_five <= 3 and unprinted_five <= 3  # the permission check, the settings, then one query per list
