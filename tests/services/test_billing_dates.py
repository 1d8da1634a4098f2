"""Billing start and stop per assignment, and the list of what was assigned but never billed."""

import datetime as dt

import pytest

from app.errors import InvalidInput, NotFound
from app.services.bills import billing, fees
from tests.cli.test_cli_core import cli  # noqa: F401  (fixture)
from tests.helpers import bill, card, make_accounts, make_fee

D = dt.date


@pytest.fixture
def estate(ledger):
    make_accounts(ledger, "1-1-101 张三 100\n1-1-102 李四 100\nP-001 车位 0")
    make_fee(ledger, "WYF 物业费 area 2.00 monthly")
    make_fee(ledger, "TCF 停车费 fixed 300 monthly")
    return ledger


def assign(lg, fee, **kw):
    return lg.run(fees.assign_fee, actor=lg.actor("admin"), fee_code=fee, **kw)


def periods(lg, code):
    return sorted((c.fee, c.period) for c in card(lg, code).charges)


def test_a_fee_assigned_with_a_start_date_is_not_billed_for_earlier_periods(estate):
    assign(estate, "WYF", all_accounts=True)  # no dates: every period billed, as before
    assign(estate, "TCF", account_code="P-001", start_date=D(2026, 12, 1))
    bill(estate, "2026-10", "2026-11", "2026-12")
    assert periods(estate, "P-001") == [("停车费", "2026-12")]
    assert [p for _, p in periods(estate, "1-1-101")] == ["2026-10", "2026-11", "2026-12"]


def test_a_lease_ended_from_a_date_stops_the_later_periods(estate):
    assign(estate, "TCF", account_code="P-001", start_date=D(2026, 10, 1))
    assert estate.run(fees.end_assignment, actor=estate.actor("admin"), fee_code="TCF", account_code="P-001",
                      end_date=D(2026, 11, 15)) == 1
    bill(estate, "2026-10", "2026-11", "2026-12")
    assert periods(estate, "P-001") == [("停车费", "2026-10"), ("停车费", "2026-11")]  # November overlaps
    with pytest.raises(NotFound, match="没有单独指定"):
        estate.run(fees.end_assignment, actor=estate.actor("admin"), fee_code="WYF", account_code="1-1-101",
                   end_date=D(2026, 11, 30))
    with pytest.raises(InvalidInput, match="早于开始计费日期"):
        assign(estate, "TCF", account_code="P-001", start_date=D(2026, 12, 1), end_date=D(2026, 11, 1))


def test_unbilled_lists_assigned_accounts_without_a_charge(estate):
    assign(estate, "WYF", all_accounts=True)
    bill(estate, "2026-10")
    assign(estate, "TCF", account_code="P-001")  # assigned after October's run: never billed for October
    rows = estate.run(billing.unbilled, actor=estate.actor("boss"), period="2026-10")
    assert [(r.account, r.fee, r.reason) for r in rows] == [("P-001", "停车费", "未计费"),
                                                            ("P-001", "物业费", "建筑面积为 0，计费金额为 0")]
    assert [(r.account, r.fee) for r in estate.run(billing.unbilled, actor=estate.actor("boss"),
                                                   period="2026-11")] == [
        ("1-1-101", "物业费"), ("1-1-102", "物业费"), ("P-001", "停车费"), ("P-001", "物业费")]


def test_cli_assign_from_end_and_report_unbilled(cli, tmp_path):  # noqa: F811
    admin = dict(user="admin", password="admin-pass")
    units = tmp_path / "units.csv"
    units.write_text("楼栋,单元,房号,建筑面积,业主,电话,状态\n1,2,301,100,张三,13800001234,已入住\n", encoding="utf-8")
    cli("import", "accounts", str(units), **admin)
    cli("fee", "add", "--code", "TCF", "--name", "停车费", "--method", "fixed", "--rate", "300", "--cycle", "monthly",
        **admin)
    assert "自 2026-11-01 起计费" in cli("fee", "assign", "--fee", "TCF", "--account", "1-2-301", "--from",
                                        "2026-11-01", **admin)
    cli("bill", "run", "--period", "2026-10", **admin)
    assert cli("report", "unbilled", "--period", "2026-10", "--json", **admin) == []
    assert cli("report", "unbilled", "--period", "2026-11", "--json", **admin) == [
        {"account": "1-2-301", "owner": "张三", "fee": "停车费", "reason": "未计费"}]
    assert "停止计费" in cli("fee", "end", "--fee", "TCF", "--account", "1-2-301", "--date", "2026-11-30", **admin)
    assert cli("report", "unbilled", "--period", "2026-12", "--json", **admin) == []


def test_a_written_off_charge_stays_collectable_and_is_reported_as_recovered(estate):
    from sqlalchemy import func, select

    from app.models import Posting
    from app.services import reports
    from app.services.desk import corrections
    from app.services.journal import ledger
    from tests.helpers import at, fen, open_shift, pay

    assign(estate, "WYF", all_accounts=True)
    bill(estate, "2026-09", "2026-10")
    sep = next(c.id for c in card(estate, "1-1-101").charges if c.period == "2026-09")
    estate.run(corrections.write_off, actor=estate.actor("demo"), charge_id=sep, reason="无法收回",
               approver="boss", approver_password="boss", at=at("2026-11-01"))
    c = card(estate, "1-1-101")
    assert c.arrears == fen("200") and c.written_off == (f"#{sep} 物业费 2026-09 200.00",)
    open_shift(estate)
    pay(estate, "1-1-101", "cash=200")  # no selection: pays October, never the written-off debt
    assert card(estate, "1-1-101").written_off != ()
    r = pay(estate, "1-1-101", "cash=200", charge_ids=[sep])  # the payer pays the old debt after all
    assert [(a.charge_id, a.amount) for a in r.allocated] == [(sep, fen("200"))]
    c = card(estate, "1-1-101")
    assert (c.arrears, c.written_off) == (0, ())
    with estate.session() as s:
        bad_debt = s.scalar(select(func.coalesce(func.sum(Posting.amount), 0)).where(Posting.book == ledger.BAD_DEBT))
    assert bad_debt == 0
    st = estate.run(reports.statement, actor=estate.actor("boss"), account_code="1-1-101",
                    date_from=D(2026, 11, 1), date_to=D(2026, 11, 30))
    assert [x.description.split("（")[0].split(" ")[0] for x in st.lines][:3] == ["核销", "收款", "核销收回"]
