"""Meter reading controls and tariff changes between readings (issue #18 items 2 and 3)."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.errors import InvalidInput, NotFound, PermissionDenied
from app.models import Charge, ChargeAdjustment, MeterReading, ReadingReview
from app.printing.layout import layout_receipt
from app.services.bills import billing, fees, meters
from app.services.desk import receipts
from tests.helpers import assign_all, at, bill, card, fen, make_accounts, make_fee, open_shift, pay


@pytest.fixture
def water(ledger):
    make_accounts(ledger, """
        1-1-101 张三 89.50
        1-1-102 李四 120.00
        1-1-103 王五 60.25
    """)
    make_fee(ledger, "SF 水费 metered 3 monthly", kind="passthrough")
    return ledger


def read(lg, code, value, day, user="admin", replaced=False):
    return lg.run(billing.read_meter, actor=lg.actor(user), account_code=code, fee_code="SF", reading=value,
                  read_on=dt.date.fromisoformat(day), replaced=replaced)


def history(lg, code="1-1-101"):
    """A first reading and three months of 10 units each (the usual use of the meter)."""
    for value, day in (("100", "2026-05-31"), ("110", "2026-06-30"), ("120", "2026-07-31"), ("130", "2026-08-31")):
        read(lg, code, value, day)
    bill(lg, "2026-06", "2026-07", "2026-08")


def metered(lg, code):
    return [(c.period, c.amount) for c in card(lg, code).charges if c.fee == "水费"]


def count(lg, model):
    with lg.session() as s:
        return s.scalar(select(func.count()).select_from(model))


# ---- missing readings --------------------------------------------------------------------

def test_assigned_meters_without_a_reading_are_listed_and_reported_by_the_bill_run(water):
    assign_all(water, "SF")
    read(water, "1-1-101", "100", "2026-08-31")
    read(water, "1-1-101", "112", "2026-09-30")
    read(water, "1-1-102", "50", "2026-08-31")  # read in August, not in September
    missing = water.run(meters.missing, actor=water.actor("demo"), period="2026-09")
    assert [(m.account, m.fee, m.last_read_on) for m in missing] == [
        ("1-1-102", "水费", dt.date(2026, 8, 31)), ("1-1-103", "水费", None)]
    r = bill(water, "2026-09")[0]
    assert r.created == 1 and r.missing == ["1-1-102 水费", "1-1-103 水费"]


def test_a_registered_meter_counts_as_assigned(water):
    water.run(meters.set_meter, actor=water.actor("admin"), account_code="1-1-103", fee_code="SF", number="W-0103")
    missing = water.run(meters.missing, actor=water.actor("demo"), period="2026-09")
    assert [(m.account, m.number) for m in missing] == [("1-1-103", "W-0103")]


# ---- one reading per meter and day ---------------------------------------------------------

def test_second_reading_of_a_meter_on_the_same_day_is_refused(water):
    read(water, "1-1-101", "100", "2026-09-30")
    with pytest.raises(InvalidInput) as err:
        read(water, "1-1-101", "105", "2026-09-30")
    assert "同一天不能再抄" in err.value.message
    assert count(water, MeterReading) == 1


# ---- multiplier ----------------------------------------------------------------------------

def test_multiplier_applies_to_usage_and_shows_on_the_charge(water):
    water.run(meters.set_meter, actor=water.actor("admin"), account_code="1-1-101", fee_code="SF",
              number="E-0101", multiplier=40)
    read(water, "1-1-101", "100", "2026-08-31")
    r = read(water, "1-1-101", "102.5", "2026-09-30")
    assert r.usage == "100.00"  # 2.5 x 40
    bill(water, "2026-09")
    [c] = card(water, "1-1-101").charges
    assert c.amount == fen("300.00") and "100.00→102.50×40 用量100.00×3.00" in c.basis


def test_a_meter_number_belongs_to_one_account(water):
    water.run(meters.set_meter, actor=water.actor("admin"), account_code="1-1-101", fee_code="SF", number="W-1")
    with pytest.raises(InvalidInput):
        water.run(meters.set_meter, actor=water.actor("admin"), account_code="1-1-102", fee_code="SF", number="W-1")


# ---- held readings -------------------------------------------------------------------------

def test_unusual_reading_is_held_not_billed_until_a_second_person_confirms_it(water):
    history(water)
    spike = read(water, "1-1-101", "175", "2026-09-30")  # 45 units, the average is 10
    assert "超过近期平均" in spike.held
    r = bill(water, "2026-09")[0]
    assert r.created == 0 and len(r.held) == 1 and "1-1-101" in r.held[0] and "待主管复核" in r.held[0]
    assert metered(water, "1-1-101") == [("2026-06", 3000), ("2026-07", 3000), ("2026-08", 3000)]
    # A later reading waits behind the held one: its usage starts from the held reading.
    read(water, "1-1-101", "185", "2026-10-31")
    assert bill(water, "2026-10")[0].created == 0
    with pytest.raises(PermissionDenied):  # the one who took the reading cannot confirm it
        water.run(meters.confirm, actor=water.actor("boss"), account_code="1-1-101", fee_code="SF",
                  reason="核实无误", approver="admin", approver_password="admin")
    with pytest.raises(PermissionDenied):  # nor without a supervisor's approval
        water.run(meters.confirm, actor=water.actor("admin"), account_code="1-1-101", fee_code="SF", reason="核实")
    done = water.run(meters.confirm, actor=water.actor("admin"), account_code="1-1-101", fee_code="SF",
                     reason="上门核实，确有漏水", approver="boss", approver_password="boss")
    assert done.approved_by == "boss"
    assert water.run(meters.held, actor=water.actor("demo")) == []
    bill(water, "2026-11")
    assert metered(water, "1-1-101")[-1] == ("2026-11", fen("165.00"))  # 45 + 10 units x 3


def test_use_far_below_the_average_is_held_and_the_multiple_is_a_setting(water):
    from tests.helpers import put_settings

    history(water)
    low = read(water, "1-1-101", "132", "2026-09-30")  # 2 units: under a third of the average (about 10)
    assert "不到近期平均" in low.held
    with water.admin_session() as s, s.begin():
        put_settings(s, meter_hold_multiple="5")
    history(water, "1-1-102")
    assert read(water, "1-1-102", "175", "2026-09-30").held == ""  # 45 < 5 x 10
    assert [h.account for h in water.run(meters.held, actor=water.actor("demo"))] == ["1-1-101"]


# ---- correction of a billed reading ----------------------------------------------------------

def test_wrong_unpaid_reading_is_reversed_and_billed_again(water):
    read(water, "1-1-101", "100", "2026-08-31")
    read(water, "1-1-101", "1120", "2026-09-30")  # typed 1120 for 112
    bill(water, "2026-09")
    [wrong] = card(water, "1-1-101").charges
    assert wrong.amount == fen("3060.00")
    readings_before = count(water, MeterReading)
    r = water.run(meters.correct, actor=water.actor("admin"), account_code="1-1-101", fee_code="SF", reading="112",
                  reason="抄表员录错", approver="boss", approver_password="boss", at=at("2026-10-08"))
    assert (r.reversed, r.new_charge, r.credit) == (fen("3060.00"), fen("36.00"), 0)
    with water.session() as s:
        assert s.get(Charge, wrong.id).amount == fen("3060.00")  # never edited
        [adj] = s.scalars(select(ChargeAdjustment).where(ChargeAdjustment.charge_id == wrong.id)).all()
        assert adj.kind.value == "cancel" and adj.amount == fen("3060.00")
        assert s.scalar(select(func.count()).select_from(ReadingReview)) == 1
    assert count(water, MeterReading) == readings_before + 1
    assert card(water, "1-1-101").arrears == fen("36.00")
    # The next month starts from the corrected reading.
    read(water, "1-1-101", "122", "2026-10-31")
    bill(water, "2026-10")
    assert metered(water, "1-1-101")[-1] == ("2026-10", fen("30.00"))


def test_correction_of_a_paid_reading_leaves_the_difference_on_the_account(water):
    read(water, "1-1-101", "100", "2026-08-31")
    read(water, "1-1-101", "120", "2026-09-30")
    bill(water, "2026-09")  # 20 units: 60.00, paid
    open_shift(water, day="2026-10-08")
    pay(water, "1-1-101", "cash=60", day="2026-10-08")
    lower = water.run(meters.correct, actor=water.actor("admin"), account_code="1-1-101", fee_code="SF",
                      reading="115", reason="复核读数", approver="boss", approver_password="boss",
                      at=at("2026-10-08"))
    assert (lower.reversed, lower.new_charge, lower.credit) == (0, 0, fen("15.00"))  # 5 units paid too many
    assert (card(water, "1-1-101").prepaid, card(water, "1-1-101").arrears) == (fen("15.00"), 0)
    # The difference is on the account; the next month's bill starts from the corrected reading.
    read(water, "1-1-101", "125", "2026-10-31")
    bill(water, "2026-10")
    assert metered(water, "1-1-101") == [("2026-10", fen("30.00"))]  # 125 - 115: from the corrected reading
    assert card(water, "1-1-101").arrears == fen("30.00")


def test_a_reading_corrected_with_a_credit_is_not_billed_again_nor_corrected_twice(water):
    read(water, "1-1-101", "100", "2026-08-31")
    read(water, "1-1-101", "120", "2026-09-30")
    bill(water, "2026-09")
    open_shift(water, day="2026-10-08")
    pay(water, "1-1-101", "cash=60", day="2026-10-08")
    water.run(meters.correct, actor=water.actor("admin"), account_code="1-1-101", fee_code="SF", reading="115",
              reason="复核读数", approver="boss", approver_password="boss", at=at("2026-10-08"))
    assert bill(water, "2026-10")[0].created == 0  # the corrected reading is billed already (by the correction)
    with pytest.raises(InvalidInput) as err:
        water.run(meters.correct, actor=water.actor("admin"), account_code="1-1-101", fee_code="SF", reading="125",
                  reason="再次复核", approver="boss2", approver_password="boss2")
    assert "不能再次更正" in err.value.message
    assert card(water, "1-1-101").prepaid == fen("15.00")


def test_correction_needs_a_supervisor_and_writes_nothing_without_one(water):
    read(water, "1-1-101", "100", "2026-08-31")
    read(water, "1-1-101", "120", "2026-09-30")
    before = count(water, MeterReading)
    with pytest.raises(PermissionDenied):
        water.run(meters.correct, actor=water.actor("admin"), account_code="1-1-101", fee_code="SF", reading="115",
                  reason="录错")
    with pytest.raises(NotFound):
        water.run(meters.correct, actor=water.actor("admin"), account_code="1-1-102", fee_code="SF", reading="1",
                  reason="录错", approver="boss", approver_password="boss")
    assert count(water, MeterReading) == before


# ---- tariff change between two readings ----------------------------------------------------

def test_tariff_change_between_readings_bills_old_and_new_rate_pro_rata_by_days(water):
    water.run(fees.add_tariff, actor=water.actor("admin"), code="SF", rate="4", effective_from=dt.date(2026, 9, 11))
    read(water, "1-1-101", "100", "2026-09-01")
    read(water, "1-1-101", "130", "2026-10-01")  # 30 units over 30 days: 10 days before the change
    bill(water, "2026-10")
    [c] = card(water, "1-1-101").charges
    assert c.amount == fen("110.00")  # 10 x 3.00 + 20 x 4.00
    assert c.basis.split("\n")[1:] == ["2026-09-11前 10.00×3.00=30.00", "2026-09-11起 20.00×4.00=80.00"]
    # On the receipt: two lines under the charge.
    open_shift(water, day="2026-10-08")
    p = pay(water, "1-1-101", "cash=110", day="2026-10-08")
    with water.session() as s:
        text = "\n".join(layout_receipt(receipts.receipt_doc(s, p.receipt_no)).text_lines())
    assert "2026-09-11前 10.00×3.00=30.00" in text and "2026-09-11起 20.00×4.00=80.00" in text


def test_a_reading_on_the_change_date_splits_there(water):
    water.run(fees.add_tariff, actor=water.actor("admin"), code="SF", rate="4", effective_from=dt.date(2026, 9, 11))
    read(water, "1-1-101", "100", "2026-09-01")
    read(water, "1-1-101", "125", "2026-09-11")  # the trade reads every meter on the change date
    read(water, "1-1-101", "130", "2026-10-01")
    bill(water, "2026-10")
    [c] = card(water, "1-1-101").charges
    assert c.amount == fen("95.00")  # 25 x 3.00 + 5 x 4.00, whatever the days


def test_split_usage_sums_back_to_the_usage():
    tariffs = [(dt.date(2026, 1, 1), 30000), (dt.date(2026, 9, 11), 40000), (dt.date(2026, 9, 20), 50000)]
    parts = billing.split_usage([(dt.date(2026, 9, 1), dt.date(2026, 10, 1), 1001)], tariffs)
    assert [p.quantity_e2 for p in parts] == [334, 300, 367] and sum(p.quantity_e2 for p in parts) == 1001
    assert billing.split_usage([(dt.date(2026, 9, 1), dt.date(2026, 10, 1), 100)], [(dt.date(2026, 9, 5), 1)]) is None


# ---- import of a reading round -----------------------------------------------------------------

def test_reading_round_imports_from_csv_with_chinese_headers(water, tmp_path):
    water.run(meters.set_meter, actor=water.actor("admin"), account_code="1-1-102", fee_code="SF", number="W-0102")
    read(water, "1-1-101", "100", "2026-08-31")
    sheet = tmp_path / "抄表.csv"
    sheet.write_text("房号,表号,上次读数,本次读数,抄表日期,抄表员\n"
                     "1-1-101,,100,112.5,2026/09/30,小刘\n"
                     ",W-0102,,50,2026-09-30,小刘\n", encoding="gb18030")
    r = water.run(meters.import_readings, actor=water.actor("admin"), path=str(sheet), fee_code="SF")
    assert r.imported == 2
    bill(water, "2026-09")
    assert metered(water, "1-1-101") == [("2026-09", fen("37.50"))]


def test_reading_round_import_is_all_or_nothing_with_line_numbers(water, tmp_path):
    from openpyxl import Workbook

    read(water, "1-1-101", "100", "2026-08-31")
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "本次读数", "抄表日期", "抄表员"])
    ws.append(["1-1-102", "50", "2026-09-30", "小刘"])  # good
    ws.append(["1-1-101", "90", "2026-09-30", "小刘"])  # lower than the last reading
    ws.append(["9-9-999", "10", "2026-09-30", "小刘"])  # no such account
    ws.append(["1-1-103", "12", "2026-09-31", "小刘"])  # no such day
    ws.append(["1-1-102", "55", "2026-09-30", "小刘"])  # the same meter twice on one day
    path = tmp_path / "round.xlsx"
    wb.save(path)
    before = count(water, MeterReading)
    with pytest.raises(InvalidInput) as err:
        water.run(meters.import_readings, actor=water.actor("admin"), path=str(path), fee_code="SF")
    lines = err.value.message.splitlines()
    assert lines[0] == "导入失败，未导入任何读数："
    assert [line.split("：")[0] for line in lines[1:]] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行"]
    assert "小于上次读数" in lines[1] and "9-9-999" in lines[2] and "日期不存在" in lines[3] and "同一天" in lines[4]
    assert count(water, MeterReading) == before
