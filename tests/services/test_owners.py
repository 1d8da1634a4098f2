"""过户 as a dated event: the arrears up to the date are settled, taken over with approval, or kept as
the former owner's debt; the new owner starts clean; a tenant pays and the receipt names them."""

import datetime as dt

import pytest
from sqlalchemy import text

from app.errors import AuthenticationFailed, InvalidInput, PermissionDenied
from app.printing.layout import layout_receipt
from app.services.bills import bill_notices
from app.services.collection import dunning
from app.services.desk import receipts
from app.services.master import admin, owners
from tests.helpers import assign_all, at, bill, card, fen, make_accounts, make_fee, open_shift, pay

D = dt.date


@pytest.fixture
def unit(ledger):
    """1-1-101 张三 owes September and October (200.00 each, due 10-15 and 11-15)."""
    make_accounts(ledger, "1-1-101 张三 100.00 13800001111\n1-1-102 李四 100.00 13800002222")
    make_fee(ledger, "WYF 物业费 area 2.00 monthly", due_days=15)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-09", "2026-10", "2026-11")
    return ledger


def transfer(lg, arrears, day="2026-11-20", who="boss", **kw):
    kw.setdefault("new_owner", "王五")
    return lg.run(owners.transfer_ownership, actor=lg.actor(who), account_code="1-1-101",
                  effective_date=D.fromisoformat(day), arrears=arrears, at=at("2026-11-25"), **kw)


def test_settled_is_refused_while_the_former_owner_owes_and_nothing_is_written(unit):
    with pytest.raises(InvalidInput, match="欠费 400.00 元未结清"):
        transfer(unit, "settled")
    assert card(unit, "1-1-101").owner == "张三"
    with unit.session() as s:
        assert s.execute(text("SELECT count(*) FROM ownership_change")).scalar() == 0


def test_settled_after_the_former_owner_pays(unit):
    open_shift(unit)
    pay(unit, "1-1-101", "cash=400")  # September and October
    r = transfer(unit, "settled", new_phone="13900009999")
    assert (r.former_owner, r.new_owner, r.mode, r.arrears) == ("张三", "王五", "已结清", 0)
    c = card(unit, "1-1-101")
    assert (c.owner, c.phone, c.arrears, c.former_owner_debt) == ("王五", "13900009999", fen("200"), "")
    hist = unit.run(owners.ownership_history, actor=unit.actor("demo"), account_code="1-1-101")
    assert [(h.former_owner, h.new_owner, h.effective_date) for h in hist] == [("张三", "王五", D(2026, 11, 20))]


def test_transferred_needs_a_supervisor_other_than_the_clerk(unit):
    with pytest.raises(AuthenticationFailed):
        transfer(unit, "transferred", approver="boss2", approver_password="wrong", reason="双方同意")
    with pytest.raises(PermissionDenied, match="不能审批自己"):
        transfer(unit, "transferred", approver="boss", approver_password="boss", reason="双方同意")
    with pytest.raises(PermissionDenied):
        transfer(unit, "transferred", who="demo", approver="boss", approver_password="boss", reason="双方同意")
    r = transfer(unit, "新业主承接", approver="boss2", approver_password="boss2", reason="买卖合同约定由买方承担")
    assert (r.mode, r.arrears) == ("新业主承接", fen("400"))
    c = card(unit, "1-1-101")
    assert (c.owner, c.arrears, c.former_owner_debt) == ("王五", fen("600"), "")


def test_kept_debt_stays_on_the_books_but_off_the_new_owners_notices(unit):
    transfer(unit, "kept", approver="boss2", approver_password="boss2", reason="前业主承诺自行结清")
    c = card(unit, "1-1-101")
    assert c.owner == "王五" and c.arrears == fen("600")  # the journal is not rewritten
    assert c.former_owner_debt == "前业主张三欠费 400.00 元（2026-11-20 过户前，不向新业主催缴）"
    run = unit.run(dunning.run_dunning, actor=unit.actor("boss"), at=at("2026-12-20"))
    mine = [n for n in run.notices if n.account_code == "1-1-101"]
    assert [i.period for i in mine[0].items] == ["2026-11"] and mine[0].total == fen("200")
    notes = unit.run(bill_notices.bill_notices, actor=unit.actor("boss"), period="2026-11", at=at("2026-11-25"))
    n = next(n for n in notes.notices if n.account_code == "1-1-101")
    assert (n.owner, n.current_total, n.arrears_total) == ("王五", fen("200"), 0)
    open_shift(unit)
    pay(unit, "1-1-101", "cash=400", payer_name="张三")  # the former owner pays it off later
    assert card(unit, "1-1-101").former_owner_debt == ""


def test_nothing_owed_up_to_the_date_is_settled_whatever_was_chosen(unit):
    r = transfer(unit, "kept", day="2026-10-01")  # September's charge falls due on 10-15
    assert (r.mode, r.arrears) == ("已结清", 0)


def test_dates_and_same_owner_are_checked(unit):
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        transfer(unit, "settled", day="2026-11-26")
    with pytest.raises(InvalidInput, match="与现业主相同"):
        transfer(unit, "settled", new_owner="张三")
    transfer(unit, "settled", day="2026-10-01")
    with pytest.raises(InvalidInput, match="早于该户上一次过户"):
        transfer(unit, "settled", day="2026-09-30", new_owner="赵六")


def test_renaming_an_owner_in_arrears_is_refused_it_is_a_transfer(unit):
    with pytest.raises(InvalidInput, match="请办理过户"):
        unit.run(admin.update_account, actor=unit.actor("admin"), code="1-1-101", owner="王五")
    assert card(unit, "1-1-101").owner == "张三"
    unit.run(admin.update_account, actor=unit.actor("admin"), code="1-1-101", phone="13800000000")
    assert card(unit, "1-1-101").phone == "13800000000"


def test_a_tenant_pays_and_the_receipt_names_them(unit):
    occ = unit.run(owners.add_occupant, actor=unit.actor("admin"), account_code="1-1-101", name="刘租户",
                   phone="13700000000", role="tenant")
    assert occ == ["刘租户（租户）"] and card(unit, "1-1-101").occupants == ("刘租户（租户）",)
    open_shift(unit)
    r = pay(unit, "1-1-101", "cash=200", payer_name="刘租户")
    with unit.session() as s:
        doc = receipts.receipt_doc(s, r.receipt_no)
        assert s.execute(text("SELECT payer_name FROM payment ORDER BY id DESC LIMIT 1")).scalar() == "刘租户"
    assert "缴费人：刘租户" in layout_receipt(doc).text_lines() and doc.account_code == "1-1-101"
    with pytest.raises(InvalidInput, match="缴费人"):
        pay(unit, "1-1-101", "cash=200", payer_name="x" * 61)
