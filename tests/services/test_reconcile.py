"""Reconciliation (对账): statement files as published, matching, open items, resolutions, month report.

The statement files are written by hand in the published formats (tests/services/statements/):
a WeChat Pay trade bill (ALL) of 2026-11-25 with a refund and fees, a GBK Alipay 业务明细, a
truncated WeChat bill; the bank statement is an XLSX built here with a bank's own layout.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.errors import ApprovalRequired, AuthenticationFailed, InvalidInput, PermissionDenied
from app.models import AuditEvent, Payment, ReconMatch, Statement, StatementLine
from app.services.bank import reconcile
from app.services.bank.statements import StatementRefused
from app.services.clock import at_local_noon
from app.services.desk import closes, corrections, payments, settlement
from tests.services.cashdesk_helpers import DAY, accept, book, close, estate, fen, open_shift

FILES = Path(__file__).parent / "statements"
D = dt.date.fromisoformat(DAY)
NEXT = D + dt.timedelta(days=1)


def at_local(day: str, hm: str) -> dt.datetime:
    """UTC time of a local (Asia/Shanghai) wall-clock time."""
    h, m = map(int, hm.split(":"))
    return dt.datetime.fromisoformat(day) + dt.timedelta(hours=h - 8, minutes=m)


def pay_at(lg, code: str, tender: str, hm: str, cashier: str = "demo", day: str = DAY):
    """A payment at a local time. A non-cash tender typed without its reference stands for one
    recorded before references were required (issue 17): the amount-and-time fallback is for those."""
    from unittest import mock

    legacy = ":" not in tender and not tender.startswith("cash")
    with mock.patch.object(payments, "NO_REFERENCE", payments.NO_REFERENCE | {"wechat", "alipay", "card"}) \
            if legacy else contextlib.nullcontext():
        return lg.run(payments.pay, actor=lg.actor(cashier), account_code=code,
                      tenders=[payments.parse_tender(tender)], at=at_local(day, hm))


def wechat_day(lg):
    """The WeChat side of 2026-11-25 (see wechat_2026-11-25.csv):
    101 by transaction number, 102 by merchant order number, 103 without reference (amount and
    time), 80.00 never received, 30.00 recorded but 29.00 received, 20.00 taken and voided
    (refund line); the statement also holds 120.00 FeeDesk never recorded."""
    estate(lg)
    shift = open_shift(lg, day=DAY)
    r = {}
    r["ref"] = pay_at(lg, "1-1-101", "wechat=100:4200000001", "09:10")
    r["merchant"] = pay_at(lg, "1-1-102", "wechat=100:FD20261125002", "09:20")
    r["noref"] = pay_at(lg, "1-1-103", "wechat=50", "10:00")
    r["ghost"] = pay_at(lg, "1-1-101", "wechat=80:4200000009", "10:30")
    r["short"] = pay_at(lg, "1-1-102", "wechat=30:4200000004", "11:00")
    r["voided"] = pay_at(lg, "1-1-103", "wechat=20:4200000005", "11:30")
    lg.run(corrections.void_payment, actor=lg.actor("demo"), receipt_no=r["voided"].receipt_no, reason="顾客取消",
           approver="boss", approver_password="boss", at=at_local(DAY, "11:35"))
    r["cash"] = pay_at(lg, "1-1-101", "cash=100", "12:00")
    r["shift"] = shift
    return r


def imp(lg, name: str, channel: str, who: str = "boss", **kw):
    return lg.run(reconcile.import_statement, actor=lg.actor(who), channel=channel, path=str(FILES / name), **kw)


def run(lg, channel=None, day=D, who="boss"):
    return lg.run(reconcile.run_matching, actor=lg.actor(who), day=day, channel=channel)


def view(lg, channel: str, day=D) -> reconcile.ChannelDay:
    return lg.run(reconcile.day_view, actor=lg.actor("boss"), day=day, channel=channel)[0]


def open_by_item(v) -> dict[str, list]:
    out: dict[str, list] = {}
    for o in v.open_items:
        out.setdefault(o.item, []).append(o)
    return out


def count(lg, model) -> int:
    with lg.session() as s:
        return s.scalar(select(func.count()).select_from(model))


# ---- reading the published formats ----------------------------------------------------------

def test_wechat_bill_with_refund_and_fees_imports_every_line(ledger):
    got = imp(ledger, "wechat_2026-11-25.csv", "wechat")
    assert (got.first_date, got.last_date, got.lines) == (D, D, 7)
    assert (got.total_in, got.total_out, got.total_fee) == (fen("419"), fen("20"), fen("2.39"))
    with ledger.session() as s:
        refund = s.scalars(select(StatementLine).where(StatementLine.kind == "refund")).one()
    assert (refund.amount, refund.fee, refund.reference, refund.line_no) == (-fen("20"), -12, "4200000005", 7)
    assert refund.refund_ref == "50000000012026112500001 RF20261125005"
    # times are the bill's Beijing times, stored in UTC
    assert refund.occurred_at == dt.datetime(2026, 11, 25, 3, 35, 47)


def test_alipay_gbk_business_detail_imports(ledger):
    got = imp(ledger, "alipay_2026-11-25.csv", "alipay")
    assert (got.lines, got.total_in, got.total_out, got.total_fee) == (2, fen("60"), fen("10"), fen("0.30"))


def test_alipay_file_saved_as_utf8_is_refused_as_not_gbk_or_wrong_header(ledger):
    data = (FILES / "alipay_2026-11-25.csv").read_bytes().decode("gbk").encode("utf-8")
    with pytest.raises(StatementRefused):
        ledger.run(reconcile.import_statement, actor=ledger.actor("boss"), channel="alipay", data=data,
                   file_name="utf8.csv")
    assert count(ledger, Statement) == 0


def test_truncated_wechat_bill_is_refused_naming_the_line_and_nothing_is_stored(ledger):
    with pytest.raises(StatementRefused, match="到第 5 行为止没有汇总行"):
        imp(ledger, "wechat_truncated.csv", "wechat")
    assert count(ledger, Statement) == count(ledger, StatementLine) == 0


def test_wechat_bill_missing_a_detail_line_does_not_add_up_to_its_summary(ledger):
    lines = (FILES / "wechat_2026-11-25.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    data = "".join(lines[:3] + lines[4:]).encode("utf-8")  # the 50.00 line cut out
    with pytest.raises(StatementRefused, match=r"第 9 行（汇总）：总交易单数 7 与明细合计 6 不符"):
        ledger.run(reconcile.import_statement, actor=ledger.actor("boss"), channel="wechat", data=data,
                   file_name="cut.csv")
    assert count(ledger, StatementLine) == 0


def test_edited_amount_in_wechat_bill_is_refused(ledger):
    data = (FILES / "wechat_2026-11-25.csv").read_bytes().replace(b"`29.00,`0.00", b"`30.00,`0.00", 1)
    with pytest.raises(StatementRefused, match="应结订单总金额 419.00 与明细合计 420.00 不符"):
        ledger.run(reconcile.import_statement, actor=ledger.actor("boss"), channel="wechat", data=data,
                   file_name="edited.csv")


def test_wechat_line_without_backticks_is_refused_naming_the_line(ledger):
    data = (FILES / "wechat_2026-11-25.csv").read_bytes().replace(b"`2026-11-25 10:04:12", b"2026-11-25 10:04:12")
    with pytest.raises(StatementRefused, match="第 4 行：微信账单的每个字段都应以 ` 开头"):
        ledger.run(reconcile.import_statement, actor=ledger.actor("boss"), channel="wechat", data=data,
                   file_name="x.csv")


def test_a_wechat_bill_given_as_alipay_is_an_unknown_format(ledger):
    with pytest.raises(StatementRefused, match="不是所选渠道的对账单|不是支付宝业务明细"):
        imp(ledger, "wechat_2026-11-25.csv", "alipay")


def test_same_file_imported_twice_is_refused(ledger):
    imp(ledger, "wechat_2026-11-25.csv", "wechat")
    with pytest.raises(StatementRefused, match="该文件已于 .* 导入过（对账单 #1"):
        imp(ledger, "wechat_2026-11-25.csv", "wechat")
    assert count(ledger, Statement) == 1


def test_another_file_with_overlapping_dates_for_the_channel_is_refused(ledger):
    imp(ledger, "wechat_2026-11-25.csv", "wechat")
    # the same bill saved again by a spreadsheet (CRLF line ends): other bytes, same day
    data = (FILES / "wechat_2026-11-25.csv").read_bytes().replace(b"\n", b"\r\n")
    with pytest.raises(StatementRefused, match="已包含 2026-11-25 至 2026-11-25.*重叠"):
        ledger.run(reconcile.import_statement, actor=ledger.actor("boss"), channel="wechat", data=data,
                   file_name="again.csv")
    assert count(ledger, StatementLine) == 7


def test_a_cashier_cannot_import_a_statement(ledger):
    with pytest.raises(PermissionDenied):
        imp(ledger, "wechat_2026-11-25.csv", "wechat", who="demo")


def test_statement_rows_are_append_only(ledger):
    """The window's connection may not rewrite a statement (PostgreSQL: no UPDATE/DELETE grant), and
    even the schema owner is stopped by the append-only triggers."""
    from app.db.engine import make_factory

    imp(ledger, "wechat_2026-11-25.csv", "wechat")
    run(ledger, "wechat")
    ledger.run(reconcile.save_mapping, actor=ledger.actor("boss"), name="icbc", channel="bank", columns=ICBC)
    for url in {ledger.url, ledger.owner_url}:
        factory = make_factory(url)
        for sql in ("UPDATE statement_line SET amount = 0", "DELETE FROM statement", "DELETE FROM recon_run",
                    "UPDATE statement_mapping SET name = 'x'"):
            with factory() as s, pytest.raises(Exception, match="append-only|feedesk_app"):
                s.execute(text(sql))
                s.commit()
        factory.kw["bind"].dispose()
    assert count(ledger, StatementLine) == 7


# ---- matching ------------------------------------------------------------------------------

def test_wechat_day_each_outcome(ledger):
    r = wechat_day(ledger)
    imp(ledger, "wechat_2026-11-25.csv", "wechat")
    res = run(ledger, "wechat")
    assert [(x.new_matches, x.by_reference, x.by_amount_time) for x in res] == [(6, 5, 1)]
    v = view(ledger, "wechat")
    assert v.status == "open"
    matched = {m.detail.split()[0]: (m.rule, m.amount, m.statement_amount) for m in v.matched}
    assert matched == {
        r["ref"].receipt_no: ("reference", fen("100"), fen("100")),
        r["merchant"].receipt_no: ("reference", fen("100"), fen("100")),  # typed the merchant order number
        r["noref"].receipt_no: ("amount_time", fen("50"), fen("50")),  # no reference: 50.00 four minutes later
        r["short"].receipt_no: ("reference", fen("30"), fen("29")),
    } | {r["voided"].receipt_no: matched[r["voided"].receipt_no]}
    # the payment and its void both match: the SUCCESS line and the REFUND line
    voided = [m for m in v.matched if m.detail.startswith(r["voided"].receipt_no)]
    assert sorted((m.amount, m.statement_amount) for m in voided) == [(-fen("20"), -fen("20")), (fen("20"), fen("20"))]
    items = open_by_item(v)
    [ghost] = items["missing_on_statement"]  # recorded, never received: the dangerous one
    assert (ghost.amount, ghost.reference) == (fen("80"), "4200000009")
    assert r["ghost"].receipt_no in ghost.detail
    [extra] = items["missing_in_feedesk"]  # received, no receipt
    assert (extra.amount, extra.reference) == (fen("120"), "4200000006")
    assert "第 8 行" in extra.detail
    [diff] = items["difference"]
    assert diff.amount == fen("1")
    # fees are their own figure, never part of a difference
    assert v.fees == fen("2.39")
    assert v.feedesk_total == fen("100") * 2 + fen("50") + fen("80") + fen("30")  # + 20 - 20
    assert v.statement_total == fen("419") - fen("20")


def test_matching_twice_adds_nothing_and_never_uses_a_line_twice(ledger):
    wechat_day(ledger)
    imp(ledger, "wechat_2026-11-25.csv", "wechat")
    run(ledger, "wechat")
    again = run(ledger, "wechat")
    assert again[0].new_matches == 0
    with ledger.session() as s:
        rows = s.execute(select(ReconMatch.statement_line_id, func.count()).group_by(
            ReconMatch.statement_line_id)).all()
    assert all(n == 1 for _, n in rows) and len(rows) == 6


def test_two_tenders_of_the_same_amount_without_reference_take_two_lines_or_stay_open(ledger):
    estate(ledger)
    open_shift(ledger, day=DAY)
    a = pay_at(ledger, "1-1-103", "wechat=50", "10:00")
    b = pay_at(ledger, "1-1-102", "wechat=50", "10:02")
    imp(ledger, "wechat_2026-11-25.csv", "wechat")  # only one 50.00 line (10:04)
    run(ledger, "wechat")
    v = view(ledger, "wechat")
    assert [m.detail.split()[0] for m in v.matched] == [a.receipt_no]
    assert b.receipt_no in open_by_item(v)["missing_on_statement"][0].detail


def test_amount_outside_the_time_window_does_not_match(ledger):
    estate(ledger)
    open_shift(ledger, day=DAY)
    late = pay_at(ledger, "1-1-103", "wechat=50", "10:30")  # the 50.00 line is at 10:04
    imp(ledger, "wechat_2026-11-25.csv", "wechat")
    run(ledger, "wechat")
    assert late.receipt_no in open_by_item(view(ledger, "wechat"))["missing_on_statement"][0].detail


def test_a_typed_reference_that_is_on_no_line_is_not_matched_by_amount(ledger):
    """A made-up transaction number must not borrow a real payment of the same amount."""
    estate(ledger)
    open_shift(ledger, day=DAY)
    fake = pay_at(ledger, "1-1-103", "wechat=50:4299999999", "10:04")
    imp(ledger, "wechat_2026-11-25.csv", "wechat")
    run(ledger, "wechat")
    v = view(ledger, "wechat")
    assert fake.receipt_no in open_by_item(v)["missing_on_statement"][0].detail
    assert fen("50") in [o.amount for o in open_by_item(v)["missing_in_feedesk"]]


def test_training_payments_are_not_reconciled(ledger):
    from app.services.system import auth

    estate(ledger)
    ledger.admin_run(auth.add_user, actor=None, username="trainee", role="cashier", password="trainee", training=True)
    open_shift(ledger, cashier="trainee", day=DAY)
    pay_at(ledger, "1-1-101", "wechat=100:4200000001", "09:10", cashier="trainee")
    imp(ledger, "wechat_2026-11-25.csv", "wechat")
    run(ledger, "wechat")
    v = view(ledger, "wechat")
    assert v.matched == [] and v.feedesk_total == 0


def test_a_day_without_a_statement_is_not_reconciled(ledger):
    wechat_day(ledger)
    v = view(ledger, "wechat")
    assert (v.status, v.open_items) == ("no_statement", [])


def test_alipay_refund_line_not_in_feedesk_is_open(ledger):
    estate(ledger)
    open_shift(ledger, day=DAY)
    pay_at(ledger, "1-1-101", "alipay=60:2026112522001400001", "13:00")
    imp(ledger, "alipay_2026-11-25.csv", "alipay")
    run(ledger, "alipay")
    v = view(ledger, "alipay")
    assert [m.rule for m in v.matched] == ["reference"]
    [refund] = v.open_items
    assert (refund.item, refund.amount) == ("missing_in_feedesk", -fen("10"))
    assert v.fees == fen("0.30")


# ---- resolving ------------------------------------------------------------------------------

def resolve(lg, key, action, who="boss", station="W01", **kw):
    kw.setdefault("reason", "核对银行回单")
    return lg.run(reconcile.resolve, actor=lg.actor(who, station), key=key, action=action, **kw)


def reconciled_wechat_day(lg):
    r = wechat_day(lg)
    imp(lg, "wechat_2026-11-25.csv", "wechat")
    run(lg, "wechat")
    return r, open_by_item(view(lg, "wechat"))


def test_money_received_without_receipt_is_recorded_as_a_payment_with_receipt(ledger):
    _, items = reconciled_wechat_day(ledger)
    [extra] = items["missing_in_feedesk"]
    open_shift(ledger, cashier="boss", day=DAY, station="W02")
    before = book(ledger, "receivable")
    done = resolve(ledger, extra.key, "record", station="W02", account_code="1-1-103", at=at_local(DAY, "16:00"))
    assert done.receipt_no
    with ledger.session() as s:
        p = s.scalars(select(Payment).where(Payment.receipt_no == done.receipt_no)).one()
        assert (p.tendered, p.account_id is not None) == (fen("120"), True)
    assert book(ledger, "receivable") == before - fen("120")  # the payer's arrears go down
    v = view(ledger, "wechat")
    assert "missing_in_feedesk" not in open_by_item(v)
    assert [m.rule for m in v.matched].count("resolution") == 1


def test_record_needs_an_account_and_only_fits_money_received(ledger):
    _, items = reconciled_wechat_day(ledger)
    open_shift(ledger, cashier="boss", day=DAY, station="W02")
    with pytest.raises(InvalidInput, match="请指定缴费户"):
        resolve(ledger, items["missing_in_feedesk"][0].key, "record", station="W02")
    with pytest.raises(InvalidInput, match="只能"):
        resolve(ledger, items["missing_on_statement"][0].key, "record", station="W02", account_code="1-1-101")


def test_tender_never_received_is_charged_to_the_cashier_with_approval(ledger):
    _, items = reconciled_wechat_day(ledger)
    ghost = items["missing_on_statement"][0]
    with pytest.raises(ApprovalRequired):
        resolve(ledger, ghost.key, "charge_cashier")
    with pytest.raises(PermissionDenied, match="不能审批自己"):
        resolve(ledger, ghost.key, "charge_cashier", approver="boss", approver_password="boss")
    bank_before = book(ledger, "bank")
    done = resolve(ledger, ghost.key, "charge_cashier", approver="boss2", approver_password="boss2",
                   at=at_local(DAY, "17:00"))
    assert done.approved_by == "boss2"
    with ledger.session() as s:
        demo_id = s.scalar(text("SELECT id FROM app_user WHERE username = 'demo'"))
    assert book(ledger, "cashier_owed", user_id=demo_id) == fen("80")
    assert book(ledger, "bank") == bank_before - fen("80")
    assert "missing_on_statement" not in open_by_item(view(ledger, "wechat"))
    with pytest.raises(InvalidInput, match="不是待处理项"):
        resolve(ledger, ghost.key, "charge_cashier", approver="boss2", approver_password="boss2")


def test_wrong_approver_password_writes_nothing(ledger):
    _, items = reconciled_wechat_day(ledger)
    with pytest.raises(AuthenticationFailed):
        resolve(ledger, items["difference"][0].key, "explain", approver="boss2", approver_password="nope")
    assert len(view(ledger, "wechat").open_items) == 3


def test_tender_never_received_is_reversed_by_refund_with_approval(ledger):
    r, items = reconciled_wechat_day(ledger)
    close(ledger, "100=1")
    accept(ledger, r["shift"].id)
    open_shift(ledger, cashier="boss", day=DAY)
    ghost = items["missing_on_statement"][0]
    arrears_before = book(ledger, "receivable")
    bank_before = book(ledger, "bank")
    done = resolve(ledger, ghost.key, "reverse", approver="boss2", approver_password="boss2",
                   at=at_local(DAY, "18:00"))
    assert done.approved_by == "boss2"
    assert book(ledger, "receivable") == arrears_before + fen("80")  # the payer owes it again
    assert book(ledger, "bank") == bank_before - fen("80")  # the bank never had it
    assert book(ledger, "refund_payable") == 0  # nothing is paid out
    assert corrections.receipt_status is not None
    with ledger.session() as s:
        assert corrections.receipt_status(s, r["ghost"].receipt_no) != "valid"
    assert "missing_on_statement" not in open_by_item(view(ledger, "wechat"))


def test_a_difference_is_charged_to_the_cashier_and_the_day_becomes_reconciled(ledger):
    _, items = reconciled_wechat_day(ledger)
    resolve(ledger, items["difference"][0].key, "charge_cashier", approver="boss2", approver_password="boss2")
    resolve(ledger, items["missing_on_statement"][0].key, "charge_cashier", approver="boss2",
            approver_password="boss2")
    assert view(ledger, "wechat").status == "open"
    resolve(ledger, items["missing_in_feedesk"][0].key, "explain", reason="另一收费系统的停车费",
            approver="boss2", approver_password="boss2")
    v = view(ledger, "wechat")
    assert (v.status, v.open_items) == ("reconciled", [])
    assert [x.action for x in v.resolved] == ["charge_cashier", "charge_cashier", "explain"]
    assert all(x.approver == "boss2" for x in v.resolved)


def test_a_cashier_cannot_resolve_and_a_reason_is_required(ledger):
    _, items = reconciled_wechat_day(ledger)
    key = items["difference"][0].key
    with pytest.raises(PermissionDenied):
        resolve(ledger, key, "explain", who="demo", approver="boss", approver_password="boss")
    with pytest.raises(InvalidInput, match="必须填写原因"):
        resolve(ledger, key, "explain", reason="  ", approver="boss2", approver_password="boss2")
    with pytest.raises(InvalidInput, match="待处理项编号不正确"):
        resolve(ledger, "x:1", "explain", approver="boss2", approver_password="boss2")


def test_a_matched_tender_cannot_be_resolved(ledger):
    r, _ = reconciled_wechat_day(ledger)
    v = view(ledger, "wechat")
    key = next(m.key for m in v.matched if m.detail.startswith(r["ref"].receipt_no))
    with pytest.raises(InvalidInput, match="不是待处理项"):
        resolve(ledger, key, "charge_cashier", approver="boss2", approver_password="boss2")


def test_every_step_is_audited(ledger):
    _, items = reconciled_wechat_day(ledger)
    resolve(ledger, items["difference"][0].key, "explain", approver="boss2", approver_password="boss2")
    with ledger.session() as s:
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("recon_%"))))
    assert actions == {"recon_import", "recon_run", "recon_resolve"}


# ---- the bank: a custom mapping, cash deposits, the balance reconciliation -------------------

ICBC = {"date": "交易日期", "credit": "收入金额", "debit": "支出金额", "counterparty": "对方户名", "memo": "用途",
        "reference": "凭证号", "balance": "余额", "date_format": "%Y%m%d"}


def bank_xlsx(rows: list[list]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["中国工商银行 对公账户明细"])
    ws.append(["账号：1202 0000 0900 0000 001", None, "币种：人民币"])
    ws.append(["交易日期", "凭证号", "对方户名", "用途", "收入金额", "支出金额", "余额"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


BANK_ROWS = [
    ["20261125", "B001", "", "账户管理费", None, 5, 9995],
    ["20261126", "B002", "幸福里物业服务中心", "现金缴存 ICBC-0001", 200, None, 10195],
    ["20261127", "B003", "财付通支付科技有限公司", "微信结算", 396.61, None, 10591.61],
]


def cash_day_banked(lg):
    """300.00 cash taken on the 25th, settled; on the 26th 200.00 (slip ICBC-0001) and 100.00
    (ICBC-0002) taken to the bank. The bank credits the first on the 26th, never the second."""
    estate(lg)
    s = open_shift(lg, day=DAY)
    pay_at(lg, "1-1-101", "cash=300", "09:00")
    close(lg, "100=3")
    accept(lg, s.id)
    lg.run(settlement.settle_day, actor=lg.actor("boss"), day=D, at=at_local("2026-11-26", "09:00"))
    lg.run(settlement.bank_deposit, actor=lg.actor("boss"), amount="200", slip="ICBC-0001",
           at=at_local("2026-11-26", "10:00"))
    lg.run(settlement.bank_deposit, actor=lg.actor("boss"), amount="100", slip="ICBC-0002",
           at=at_local("2026-11-26", "10:30"))


def test_bank_xlsx_with_a_custom_mapping_matches_the_cash_deposit(ledger):
    cash_day_banked(ledger)
    ledger.run(reconcile.save_mapping, actor=ledger.actor("boss"), name="icbc", channel="bank", columns=ICBC)
    got = ledger.run(reconcile.import_statement, actor=ledger.actor("boss"), channel="bank", data=bank_xlsx(BANK_ROWS),
                     file_name="icbc-2026-11.xlsx", mapping="icbc")
    assert (got.first_date, got.last_date, got.lines) == (D, D + dt.timedelta(days=2), 3)
    run(ledger, "bank", day=NEXT)
    v = view(ledger, "bank", day=NEXT)
    assert [(m.key.split(":")[0], m.rule, m.amount) for m in v.matched] == [("deposit", "reference", fen("200"))]
    assert [(o.item, o.amount) for o in v.open_items] == [("missing_on_statement", fen("100"))]  # ICBC-0002
    assert [(o.item, o.amount) for o in view(ledger, "bank").open_items] == [("missing_in_feedesk", -fen("5"))]


def test_bank_statement_with_a_missing_line_breaks_the_balance_and_is_refused(ledger):
    rows = [BANK_ROWS[0], BANK_ROWS[2]]  # the 200.00 credit of the 26th cut out
    ledger.run(reconcile.save_mapping, actor=ledger.actor("boss"), name="icbc", channel="bank", columns=ICBC)
    with pytest.raises(StatementRefused, match="第 5 行：余额 10591.61 与上一行余额 9995.00"):
        ledger.run(reconcile.import_statement, actor=ledger.actor("boss"), channel="bank", data=bank_xlsx(rows),
                   file_name="cut.xlsx", mapping="icbc")
    assert count(ledger, Statement) == 0


def test_bank_file_not_matching_the_mapping_is_refused(ledger):
    with pytest.raises(StatementRefused, match="找不到表头"):
        ledger.run(reconcile.import_statement, actor=ledger.actor("boss"), channel="bank", data=bank_xlsx(BANK_ROWS),
                   file_name="icbc.xlsx")  # the generic mapping: other column names


def test_generic_bank_csv_mapping_ships(ledger):
    csv_text = ("交易日期,交易时间,流水号,对方户名,摘要,借方发生额,贷方发生额,余额\n"
                "2026-11-25,10:00:00,S1,张三,物业费转账,,300.00,1300.00\n"
                "2026-11-25,11:00:00,S2,,手续费,2.00,,1298.00\n")
    got = ledger.run(reconcile.import_statement, actor=ledger.actor("boss"), channel="bank",
                     data=csv_text.encode("gbk"), file_name="generic.csv")
    assert (got.lines, got.total_in, got.total_out) == (2, fen("300"), fen("2"))


def test_month_report_and_bank_reconciliation_statement(ledger):
    cash_day_banked(ledger)
    ledger.run(reconcile.save_mapping, actor=ledger.actor("boss"), name="icbc", channel="bank", columns=ICBC)
    ledger.run(reconcile.import_statement, actor=ledger.actor("boss"), channel="bank", data=bank_xlsx(BANK_ROWS),
               file_name="icbc.xlsx", mapping="icbc")
    ledger.run(reconcile.run_matching, actor=ledger.actor("boss"), day=dt.date(2026, 11, 1),
               last=dt.date(2026, 11, 30))
    rep = ledger.run(reconcile.month_report, actor=ledger.actor("boss"), month="2026-11")
    b = rep.bank
    assert b.statement_balance == fen("10591.61")
    assert b.book_balance == book(ledger, "bank") == fen("300")
    assert b.feedesk_not_on_statement == fen("100")
    assert (b.statement_not_in_feedesk_in, b.statement_not_in_feedesk_out) == (fen("396.61"), fen("5"))
    assert b.adjusted_statement == fen("10691.61")
    assert b.adjusted_book == fen("300") + fen("396.61") - fen("5")
    bank_days = {(d.business_date, d.status) for d in rep.days if d.channel == "bank" and d.status != "nothing"}
    assert bank_days == {(D, "open"), (NEXT, "open"), (D + dt.timedelta(days=2), "open")}


def wechat_day_accepted_and_imported(lg, bank_rows):
    """wechat_day, its shift accepted (the WeChat takings go to the bank book), the WeChat bill
    (net of the day: 419.00 - 20.00 refunded - 2.39 fees = 396.61) and an ICBC statement."""
    r = wechat_day(lg)
    close(lg, "100=1")
    accept(lg, r["shift"].id)
    imp(lg, "wechat_2026-11-25.csv", "wechat")
    lg.run(reconcile.save_mapping, actor=lg.actor("boss"), name="icbc", channel="bank", columns=ICBC)
    lg.run(reconcile.import_statement, actor=lg.actor("boss"), channel="bank", data=bank_xlsx(bank_rows),
           file_name="icbc.xlsx", mapping="icbc")
    lg.run(reconcile.run_matching, actor=lg.actor("boss"), day=dt.date(2026, 11, 1), last=dt.date(2026, 11, 30))


def test_wechat_settlement_credit_on_the_bank_statement_matches_the_days_net_of_fees(ledger):
    wechat_day_accepted_and_imported(ledger, BANK_ROWS)
    v = view(ledger, "bank")
    assert [(m.key, m.rule, m.amount, m.statement_amount) for m in v.matched] == [
        ("settle:wechat:2026-11-25", "settle_wechat", fen("396.61"), fen("396.61"))]
    assert "微信支付 2026-11-25 结算净额（已扣手续费）" in v.matched[0].detail and v.in_transit == []
    arrival = view(ledger, "bank", day=D + dt.timedelta(days=2))  # the credit of the 27th is no longer open
    assert (arrival.status, arrival.open_items, arrival.statement_total) == ("reconciled", [], fen("396.61"))
    assert view(ledger, "wechat").fees == fen("2.39")  # the fees stay a separate figure on the WeChat day
    b = ledger.run(reconcile.month_report, actor=ledger.actor("boss"), month="2026-11").bank
    assert b.book_balance == book(ledger, "bank") == fen("360")  # WeChat takings, gross
    assert (b.statement_not_in_feedesk_in, b.statement_not_in_feedesk_out) == (fen("200"), fen("5"))  # not 596.61
    assert (b.fees_not_booked, b.settlements_in_transit) == (fen("2.39"), 0)
    assert b.adjusted_book == fen("360") + fen("200") - fen("5") - fen("2.39")
    assert ledger.run(reconcile.run_matching, actor=ledger.actor("boss"), day=D, channel="bank")[0].new_matches == 0


def test_a_settlement_not_yet_on_the_bank_statement_is_in_transit_not_an_exception(ledger):
    wechat_day_accepted_and_imported(ledger, BANK_ROWS[:1])  # the statement ends on the 25th
    v = view(ledger, "bank")
    assert v.matched == [] and [(o.item, o.amount) for o in v.open_items] == [("missing_in_feedesk", -fen("5"))]
    assert [(o.key, o.amount) for o in v.in_transit] == [("settle:wechat:2026-11-25", fen("396.61"))]
    b = ledger.run(reconcile.month_report, actor=ledger.actor("boss"), month="2026-11").bank
    assert (b.settlements_in_transit, b.fees_not_booked) == (fen("396.61"), fen("2.39"))
    # 9995.00 + 396.61 in transit against 360.00 WeChat gross - 5.00 bank fee - 2.39 WeChat fees: apart only
    # by the account's 10000.00 from before FeeDesk and the WeChat day's own open items (+120 - 80 - 1)
    assert b.adjusted_statement - b.adjusted_book == fen("10000") + fen("39")


def test_settlement_matching_needs_the_exact_net_the_providers_name_and_the_days_after():
    s = reconcile.match_settlements
    key = [("settle:wechat:2026-11-25", 39661, D)]
    assert s(key, [(1, 39661, D + dt.timedelta(days=1), "财付通支付科技有限公司 微信结算")]) == [
        ("settle:wechat:2026-11-25", 1, "settle_wechat")]
    assert s(key, [(1, 39661, NEXT, "张三 物业费转账")]) == []  # same amount, not the provider
    assert s(key, [(1, 39662, NEXT, "财付通")]) == []
    assert s(key, [(1, 39661, D - dt.timedelta(days=1), "财付通")]) == []
    assert s(key, [(1, 39661, D + dt.timedelta(days=4), "财付通")]) == []
    assert s(key, [(1, 39661, NEXT, "支付宝（中国）网络技术有限公司")]) == []  # another provider's credit
    two = key + [("settle:wechat:2026-11-26", 39661, NEXT)]
    assert s(two, [(1, 39661, NEXT, "TENPAY"), (2, 39661, NEXT + dt.timedelta(days=1), "TENPAY")]) == [
        ("settle:wechat:2026-11-25", 1, "settle_wechat"), ("settle:wechat:2026-11-26", 2, "settle_wechat")]


def test_day_report_and_month_close_show_unreconciled_days(ledger):
    r = wechat_day(ledger)
    close(ledger, "100=1")
    accept(ledger, r["shift"].id)
    rep = ledger.run(settlement.settle_day, actor=ledger.actor("boss"), day=D, at=at_local("2026-11-26", "09:00"))
    day = ledger.run(settlement.day_report, actor=ledger.actor("boss"), day=D)
    assert day.to_json()["unreconciled"] == [{"channel": "wechat", "status": "no_statement", "open_items": 0}]
    imp(ledger, "wechat_2026-11-25.csv", "wechat")
    run(ledger, "wechat")
    day = ledger.run(settlement.day_report, actor=ledger.actor("boss"), day=D)
    # the bank should now receive WeChat's settlement of the day: its side is not reconciled either
    assert day.to_json()["unreconciled"] == [{"channel": "wechat", "status": "open", "open_items": 3},
                                             {"channel": "bank", "status": "no_statement", "open_items": 0}]
    month = ledger.run(settlement.close_month, actor=ledger.actor("boss"), month="2026-11",
                       at=at_local_noon(dt.date(2026, 12, 2)))
    assert month.totals["unreconciled_days"] == [
        {"date": "2026-11-25", "channel": "wechat", "status": "open", "open_items": 3},
        {"date": "2026-11-25", "channel": "bank", "status": "no_statement", "open_items": 0}]
    assert rep.business_date == D


def test_closes_are_untouched_by_reconciliation(ledger):
    """Importing and matching write no journal entry: only a resolution posts, through a correction."""
    wechat_day(ledger)
    with ledger.session() as s:
        entries = s.scalar(text("SELECT count(*) FROM journal_entry"))
    imp(ledger, "wechat_2026-11-25.csv", "wechat")
    run(ledger, "wechat")
    with ledger.session() as s:
        assert s.scalar(text("SELECT count(*) FROM journal_entry")) == entries
    assert closes is not None


def test_settings_that_waive_approval_for_corrections_do_not_waive_it_for_reconciliation(ledger):
    """An administrator who lifts the approval of voids and refunds (and raises the limits) has not
    thereby let one supervisor explain away or reverse a missing tender alone."""
    from tests.helpers import put_settings

    r, items = reconciled_wechat_day(ledger)
    with ledger.admin_session() as s, s.begin():  # as if written behind the program's back: audited here
        put_settings(s, approval_required="", correction_limit_supervisor="999999999")
    ghost = items["missing_on_statement"][0]
    with pytest.raises(PermissionDenied, match="需要另一位主管审批"):
        resolve(ledger, ghost.key, "explain")
    with pytest.raises(PermissionDenied, match="需要另一位主管审批"):
        resolve(ledger, items["difference"][0].key, "charge_cashier")
    close(ledger, "100=1")
    accept(ledger, r["shift"].id)
    open_shift(ledger, cashier="boss", day=DAY)
    with pytest.raises(ApprovalRequired, match="冲销未到账的收款需要另一位主管审批"):
        resolve(ledger, ghost.key, "reverse")
    assert len(view(ledger, "wechat").open_items) == 3
    with ledger.session() as s:
        assert corrections.receipt_status(s, r["ghost"].receipt_no) == "used"


def test_a_void_at_the_window_that_the_provider_never_refunded_is_open(ledger):
    """The cashier voids a WeChat receipt (the payer 'got the money back') but no refund reached
    the provider: the payment line matches the payment, the void stays open."""
    estate(ledger)
    open_shift(ledger, day=DAY)
    paid = pay_at(ledger, "1-1-101", "wechat=100:4200000001", "09:10")
    ledger.run(corrections.void_payment, actor=ledger.actor("demo"), receipt_no=paid.receipt_no, reason="顾客取消",
               approver="boss", approver_password="boss", at=at_local(DAY, "09:30"))
    imp(ledger, "wechat_2026-11-25.csv", "wechat")
    run(ledger, "wechat")
    v = view(ledger, "wechat")
    [void] = [o for o in v.open_items if o.item == "missing_on_statement"]
    assert (void.amount, void.reference) == (-fen("100"), "4200000001")
    assert "作废" in void.detail
