"""Receipt stock: ranges, overlap, exhaustion before payment, return, loss, gaps, reprint and late print."""

import pytest
from sqlalchemy import func, select, update

from app.errors import InvalidInput, PermissionDenied, ReceiptStockError
from app.models import Payment, ReceiptNumberEvent, ReceiptRange
from app.services.desk import receipt_stock
from tests.helpers import put_settings
from tests.services.cashdesk_helpers import audit_count, estate, open_shift, pay


@pytest.fixture
def desk(ledger):
    estate(ledger)
    return ledger


def issue(lg, first: int, last: int, prefix: str = "A", to: str = "demo"):
    return lg.run(receipt_stock.issue_range, actor=lg.actor("boss"), prefix=prefix, first=first, last=last,
                  to_user=to)


def test_numbers_come_from_the_cashiers_issued_range(desk):
    issue(desk, 101, 200)
    open_shift(desk)
    assert pay(desk, "1-1-101", "cash=100").receipt_no == "A00000101"
    assert pay(desk, "1-1-102", "cash=100").receipt_no == "A00000102"
    status = desk.run(receipt_stock.stock_status, actor=desk.actor("demo"))
    assert (status.remaining, status.next_receipt_no) == (98, "A00000103")


def test_overlapping_range_refused(desk):
    issue(desk, 101, 200)
    with pytest.raises(ReceiptStockError, match="重叠"):
        issue(desk, 150, 250, to="lily")
    with pytest.raises(ReceiptStockError, match="重叠"):
        issue(desk, 50, 101, to="lily")
    assert issue(desk, 201, 300, to="lily").first == 201
    assert issue(desk, 101, 200, prefix="B").prefix == "B"  # another prefix is other paper


def test_range_over_used_station_numbers_refused(desk):
    open_shift(desk)
    pay(desk, "1-1-101", "cash=100")  # W0100000001 from the station sequence
    with pytest.raises(ReceiptStockError, match="已被使用"):
        issue(desk, 1, 10, prefix="W01")


def test_only_supervisor_issues_ranges(desk):
    with pytest.raises(PermissionDenied):
        desk.run(receipt_stock.issue_range, actor=desk.actor("demo"), prefix="A", first=1, last=9, to_user="demo")


def test_range_exhaustion_is_told_before_the_payment(desk):
    with desk.admin_session() as s, s.begin():  # settings: the administrator's connection
        put_settings(s, require_receipt_ranges="1")
        put_settings(s, receipt_low_warning="1")
    issue(desk, 1, 2)
    open_shift(desk)
    assert desk.run(receipt_stock.ensure_stock, actor=desk.actor("demo")).warning is None
    pay(desk, "1-1-101", "cash=100")
    assert "仅剩 1 张" in desk.run(receipt_stock.ensure_stock, actor=desk.actor("demo")).warning
    pay(desk, "1-1-102", "cash=100")
    with pytest.raises(ReceiptStockError, match="用完"):
        desk.run(receipt_stock.ensure_stock, actor=desk.actor("demo"))
    with pytest.raises(ReceiptStockError):
        pay(desk, "1-1-103", "cash=100")
    with desk.session() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 2


def test_unused_numbers_returned(desk):
    issue(desk, 1, 10)
    open_shift(desk)
    pay(desk, "1-1-101", "cash=100")
    r = desk.run(receipt_stock.release_numbers, actor=desk.actor("demo"), kind="returned", receipt_no="A00000002",
                 reason="调岗")
    assert r.numbers[0] == "A00000002" and len(r.numbers) == 9
    assert desk.run(receipt_stock.stock_status, actor=desk.actor("demo")).remaining == 0
    assert desk.run(receipt_stock.gaps, actor=desk.actor("boss")) == []


def test_used_number_cannot_be_returned(desk):
    issue(desk, 1, 10)
    open_shift(desk)
    pay(desk, "1-1-101", "cash=100")
    with pytest.raises(ReceiptStockError, match="已使用"):
        desk.run(receipt_stock.release_numbers, actor=desk.actor("demo"), kind="returned", receipt_no="A00000001",
                 reason="x")


def test_lost_numbers_reported_with_reason(desk):
    issue(desk, 1, 10)
    open_shift(desk)
    r = desk.run(receipt_stock.release_numbers, actor=desk.actor("demo"), kind="lost", receipt_no="A00000001",
                 count=2, reason="卡纸撕坏", approver="boss", approver_password="boss")
    assert r.numbers == ["A00000001", "A00000002"]
    assert pay(desk, "1-1-101", "cash=100").receipt_no == "A00000003"
    with pytest.raises(InvalidInput, match="原因"):
        desk.run(receipt_stock.release_numbers, actor=desk.actor("demo"), kind="lost", receipt_no="A00000004",
                 reason="")


def test_gap_check_lists_unexplained_numbers(desk):
    rng = issue(desk, 1, 10)
    open_shift(desk)
    pay(desk, "1-1-101", "cash=100")
    with desk.session() as s, s.begin():  # a number skipped behind the program's back
        s.execute(update(ReceiptRange).where(ReceiptRange.id == rng.id).values(next_number=3))
    pay(desk, "1-1-102", "cash=100")
    gaps = desk.run(receipt_stock.gaps, actor=desk.actor("boss"))
    assert [g.receipt_no for g in gaps] == ["A00000002"]
    desk.run(receipt_stock.release_numbers, actor=desk.actor("boss"), kind="lost", receipt_no="A00000002",
             reason="打印机卡纸作废", approver="boss2", approver_password="boss2")
    assert desk.run(receipt_stock.gaps, actor=desk.actor("boss")) == []


def test_reprint_is_marked_with_a_count(desk):
    open_shift(desk)
    p = pay(desk, "1-1-101", "cash=100")
    first = desk.run(receipt_stock.reprint, actor=desk.actor("demo"), receipt_no=p.receipt_no, reason="客户遗失")
    second = desk.run(receipt_stock.reprint, actor=desk.actor("demo"), receipt_no=p.receipt_no, reason="再打")
    assert (first.count, second.count, second.printed_no) == (1, 2, p.receipt_no)
    assert second.to_json()["mark"] == "重打"


def test_preprinted_stock_reprint_consumes_next_number_and_recovers_old(desk):
    with desk.admin_session() as s, s.begin():  # settings: the administrator's connection
        put_settings(s, preprinted_stock="1")
    issue(desk, 1, 10)
    open_shift(desk)
    p = pay(desk, "1-1-101", "cash=100")
    r = desk.run(receipt_stock.reprint, actor=desk.actor("demo"), receipt_no=p.receipt_no, reason="打印错位")
    assert (p.receipt_no, r.printed_no) == ("A00000001", "A00000002")
    assert r.document.original_receipt_no == "A00000001"
    with desk.session() as s:
        kinds = set(s.scalars(select(ReceiptNumberEvent.kind).where(ReceiptNumberEvent.receipt_no == "A00000001")))
    assert {k.value for k in kinds} == {"reprinted", "recovered"}
    assert pay(desk, "1-1-102", "cash=100").receipt_no == "A00000003"
    assert desk.run(receipt_stock.gaps, actor=desk.actor("boss")) == []


def test_late_print_only_once(desk):
    open_shift(desk)
    p = pay(desk, "1-1-101", "cash=100")
    r = desk.run(receipt_stock.reprint, actor=desk.actor("demo"), receipt_no=p.receipt_no, late=True)
    assert r.kind == "late_printed" and r.to_json()["mark"] == "补打"
    with pytest.raises(InvalidInput, match="重打"):
        desk.run(receipt_stock.reprint, actor=desk.actor("demo"), receipt_no=p.receipt_no, late=True)


def test_issue_range_rolls_back_on_error(desk):
    issue(desk, 1, 10)
    events = audit_count(desk)
    with pytest.raises(ReceiptStockError):
        issue(desk, 5, 20, to="lily")
    with desk.session() as s:
        assert s.scalar(select(func.count()).select_from(ReceiptRange)) == 1
    assert audit_count(desk) == events


def test_close_lists_reprinted_receipts_of_the_shift(desk):
    open_shift(desk)
    p1 = pay(desk, "1-1-101", "cash=100")
    pay(desk, "1-1-102", "cash=100")
    desk.run(receipt_stock.reprint, actor=desk.actor("demo"), receipt_no=p1.receipt_no, reason="客户遗失")
    from tests.services.cashdesk_helpers import close

    r = close(desk, "100=2")
    assert r.summary.receipts.reprinted == [p1.receipt_no]
    assert r.summary.receipts.count == 2


def test_receipt_number_life_is_recorded(desk):
    from app.services.desk import corrections

    open_shift(desk)
    p = pay(desk, "1-1-101", "cash=100")
    desk.run(receipt_stock.reprint, actor=desk.actor("demo"), receipt_no=p.receipt_no, reason="客户遗失")
    desk.run(corrections.void_payment, actor=desk.actor("demo"), receipt_no=p.receipt_no, reason="收错户",
             approver="boss", approver_password="boss")  # now: after the reprint
    life = desk.run(receipt_stock.receipt_history, actor=desk.actor("boss"), receipt_no=p.receipt_no)
    assert [(e.event, e.user) for e in life] == [("used", "demo"), ("reprinted", "demo"), ("void", "demo")]
    assert (life[-1].reason, life[-1].approved_by) == ("收错户", "boss")
