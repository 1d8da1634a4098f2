"""Back office: account edits, walk-in payers, settings — validated, permission-checked, audited."""

import pytest
from sqlalchemy import select

from app.errors import InvalidAmount, InvalidInput, PermissionDenied
from app.models import AuditEvent
from app.services.master import accounts, admin
from app.services.system import settings
from tests.helpers import assign_all, bill, card, fen, make_accounts, make_fee, open_shift, pay


def last_audit(lg) -> AuditEvent:
    with lg.session() as s:
        return s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))


def test_account_edit_changes_search_fields_and_is_audited(ledger):
    make_accounts(ledger, "1-1-101 张三 89.50 13800001234")
    r = ledger.run(admin.update_account, actor=ledger.actor("admin"), code="1-1-101", owner="李四",
                   phone="13900005678", status="空置", note="漏水维修纠纷")
    assert set(r.changed) == {"owner", "phone", "status", "note"}
    c = card(ledger, "1-1-101")
    assert (c.owner, c.phone, c.status, c.note) == ("李四", "13900005678", "空置", "漏水维修纠纷")
    hits = ledger.run(accounts.search_accounts, actor=ledger.actor("demo"), query="ls")
    assert [h.code for h in hits] == ["1-1-101"]
    assert [h.code for h in ledger.run(accounts.search_accounts, actor=ledger.actor("demo"), query="5678")] == [
        "1-1-101"
    ]
    assert last_audit(ledger).action == "account_update" and "张三" in last_audit(ledger).payload


def test_area_change_applies_to_the_next_bill_only(ledger):
    make_accounts(ledger, "1-1-101 张三 100")
    make_fee(ledger, "WYF 物业费 area 2 monthly")
    assign_all(ledger, "WYF")
    bill(ledger, "2026-10")
    ledger.run(admin.update_account, actor=ledger.actor("admin"), code="1-1-101", area="120")
    bill(ledger, "2026-11")
    assert [c.amount for c in card(ledger, "1-1-101").charges] == [fen("200"), fen("240")]


@pytest.mark.parametrize("field,value", [("phone", "call me"), ("area", "-5"), ("status", "搬走"), ("owner", "\x00")])
def test_bad_account_edits_are_refused_and_change_nothing(ledger, field, value):
    make_accounts(ledger, "1-1-101 张三 100 13800001234")
    with pytest.raises(InvalidInput):
        ledger.run(admin.update_account, actor=ledger.actor("admin"), code="1-1-101", **{field: value})
    c = card(ledger, "1-1-101")
    assert (c.owner, c.phone, c.built_area, c.status) == ("张三", "13800001234", 10000, "已入住")


def test_cashier_cannot_edit_accounts(ledger):
    make_accounts(ledger, "1-1-101 张三 100")
    with pytest.raises(PermissionDenied):
        ledger.run(admin.update_account, actor=ledger.actor("demo"), code="1-1-101", owner="x")


def test_walk_in_payer_gets_an_account_and_pays_a_quick_charge(ledger):
    from app.services.bills import billing

    make_fee(ledger, "GHF 挂号费 quantity 12 once")
    w = ledger.run(admin.walk_in, actor=ledger.actor("demo"), name="王小明", id_number="11010119900307001x")
    assert w.created and w.code.startswith("LK")
    again = ledger.run(admin.walk_in, actor=ledger.actor("demo"), name="王小明", id_number="11010119900307001X")
    assert (again.code, again.created) == (w.code, False)
    ledger.run(billing.add_charge, actor=ledger.actor("demo"), account_code=w.code, fee_code="GHF", quantity="1")
    open_shift(ledger, float_yuan="100")
    r = pay(ledger, w.code, "cash=20")
    assert (r.change, card(ledger, w.code).arrears) == (fen("8"), 0)


def test_walk_in_needs_a_name(ledger):
    with pytest.raises(InvalidInput):
        ledger.run(admin.walk_in, actor=ledger.actor("demo"), name="  ")


def test_settings_are_validated_and_audited(ledger):
    a = ledger.actor("admin")
    ledger.admin_run(admin.update_setting, actor=a, key="cash_limit", value="3000")
    ledger.admin_run(admin.update_setting, actor=a, key="site_name", value="阳光花园物业服务中心")
    ledger.admin_run(admin.update_setting, actor=a, key="handin_cutoff", value="17:30")
    with ledger.session() as s:
        assert settings.get(s, "cash_limit") == str(fen("3000"))
        assert settings.get(s, "handin_cutoff") == "17:30"
    rows = {r.key: r.value for r in ledger.run(admin.list_settings, actor=a)}
    assert rows["cash_limit"] == "3000.00" and rows["site_name"] == "阳光花园物业服务中心"
    assert last_audit(ledger).action == "setting"


@pytest.mark.parametrize("key,value,error", [
    ("cash_limit", "lots", InvalidAmount), ("handin_cutoff", "25:00", InvalidInput),
    ("approval_required", "void,launch_rocket", InvalidInput), ("lockout_attempts", "0", InvalidInput),
    ("receipt_secret", "x", InvalidInput), ("site_name", "", InvalidInput),
])
def test_bad_settings_are_refused(ledger, key, value, error):
    with pytest.raises(error):
        ledger.admin_run(admin.update_setting, actor=ledger.actor("admin"), key=key, value=value)


def test_only_admin_changes_settings(ledger):
    with pytest.raises(PermissionDenied):
        ledger.admin_run(admin.update_setting, actor=ledger.actor("boss"), key="cash_limit", value="1")
