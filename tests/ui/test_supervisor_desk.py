"""The supervisor's desk (issue 13.1), driven by keyboard: a close waiting too long is marked,
its figures, reason and count are shown, the second count is compared, the close is sent back
for a recount or accepted with Enter; the day is previewed (blockers named), settled with the
password, and its cash banked afterwards. The ledger is checked after each step."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.models import BankDeposit, DaySettlement, Shift, ShiftReopen
from app.services.clock import utcnow
from app.services.desk import closes, payments, shifts
from app.services.desk.cashdesk import parse_count
from app.services.journal.verify import verify
from app.services.system import settings
from app.ui.models import AMBER
from tests.helpers import put_settings
from tests.services.cashdesk_helpers import book
from tests.ui.conftest import log_in, press, screenshot, type_text, wait_idle

RIGHT = "100=5,50=1,20=1,10=1,5=1,1=3"  # 588.00 = float 200 + 388 taken


def _shifts(estate):
    demo, lily = estate.actor("demo"), estate.actor("lily", "W02")
    with estate.admin_session() as s, s.begin():
        put_settings(s, close_wait_minutes="10")
    a = estate.run(shifts.open_shift, actor=demo, float_amount="200")
    estate.run(payments.pay, actor=demo, account_code="1-2-301", tenders=[payments.parse_tender("cash=388")])
    # counted 3.00 short, saved 45 minutes ago: waiting longer than the 10 minutes of the setting
    estate.run(closes.close_shift, actor=demo, count=parse_count("100=5,50=1,20=1,10=1,5=1"), reason="找零少收",
               at=utcnow() - dt.timedelta(minutes=45))
    b = estate.run(shifts.open_shift, actor=lily, float_amount="0")
    estate.run(payments.pay, actor=lily, account_code="1-2-302", tenders=[payments.parse_tender("cash=414")])
    estate.run(closes.close_shift, actor=lily, count=parse_count("100=4,10=1,1=4"))
    return a, b


def _select(qtbot, desk, shift_id):
    qtbot.waitUntil(lambda: any(r.id == shift_id for r in desk.shifts_model.rows), timeout=5000)
    row = next(i for i, r in enumerate(desk.shifts_model.rows) if r.id == shift_id)
    desk.shifts_table.setCurrentIndex(desk.shifts_proxy.mapFromSource(desk.shifts_model.index(row, 0)))
    desk.shifts_table.setFocus()
    assert desk.selected_shift().id == shift_id


def test_the_supervisors_day_at_the_desk(qtbot, window, estate):
    a, b = _shifts(estate)
    log_in(qtbot, window, "boss")
    press(qtbot, window.workspace.search_box, Qt.Key.Key_F12)
    desk = window.screens["supervisor"]
    qtbot.waitUntil(lambda: desk.shifts_model.rowCount() == 2, timeout=5000)
    rows = {r.id: i for i, r in enumerate(desk.shifts_model.rows)}
    waiting = desk.shifts_model.index(rows[a.id], 8)
    assert waiting.data().endswith("⚠") and waiting.data(Qt.ItemDataRole.BackgroundRole) == AMBER
    assert not desk.shifts_model.index(rows[b.id], 8).data().endswith("⚠")

    _select(qtbot, desk, a.id)
    detail = desk.shift_detail.text()
    assert "现金：应有 588.00，实点 585.00，差额 -3.00" in detail
    assert "收费员说明：找零少收" in detail and "点钞：100×5，50×1，20×1，10×1，5×1" in detail
    qtbot.keyClicks(desk.second_count, "100=5,50=1,20=1,10=1")
    assert "相差 -5.00" in desk.second_count_result.text() and "退回重点" in desk.second_count_result.text()
    wait_idle(qtbot, window)
    screenshot(window, "supervisor-desk.png")

    # send back for a recount: the reason, Enter; the close's shortage entry is reversed
    desk.second_count.clear()
    type_text(desk.send_back_reason, "复点不符")
    press(qtbot, desk.send_back_reason)
    qtbot.waitUntil(lambda: "已退回" in desk.desk_message.text(), timeout=5000)
    with estate.session() as s:
        assert s.get(Shift, a.id).status.value == "open"
        assert s.scalars(select(ShiftReopen.reason).where(ShiftReopen.shift_id == a.id)).one() == "复点不符"
    assert book(estate, "cashier_owed") == 0

    # lily's close: the second count agrees; Enter on the table accepts it
    qtbot.waitUntil(lambda: {r.id: r.status for r in desk.shifts_model.rows}.get(a.id) == "open", timeout=5000)
    _select(qtbot, desk, b.id)
    qtbot.keyClicks(desk.second_count, "100=4,10=1,1=4")
    assert "相符" in desk.second_count_result.text()
    safe = book(estate, "safe")
    desk.shifts_table.setFocus()
    press(qtbot, desk.shifts_table)
    qtbot.waitUntil(lambda: "已验收" in desk.desk_message.text(), timeout=5000)
    assert book(estate, "safe") == safe + 41400

    # the preview names demo's reopened shift as a blocker: no confirm
    qtbot.mouseClick(desk.settle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "暂不能结账" in desk.settle_status.text(), timeout=5000)
    assert f"#{a.id}" in desk.settle_status.text() and "未轧帐" in desk.settle_status.text()
    assert not desk.confirm_button.isEnabled()

    # demo recounts right; the supervisor accepts; the preview is clear
    estate.run(closes.close_shift, actor=estate.actor("demo"), count=parse_count(RIGHT))
    desk.reload()
    qtbot.waitUntil(lambda: {r.id: r.status for r in desk.shifts_model.rows}.get(a.id) == "closed", timeout=5000)
    _select(qtbot, desk, a.id)
    press(qtbot, desk.shifts_table)
    qtbot.waitUntil(lambda: f"班次 #{a.id} 已验收" in desk.desk_message.text(), timeout=5000)
    wait_idle(qtbot, window)
    qtbot.mouseClick(desk.settle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.confirm_button.isEnabled(), timeout=5000)
    items = {(r.section, r.item): (r.amount, r.note) for r in desk.settle_model.rows}
    assert items[("结算方式", "现金")][0] == 58800 + 41400
    assert items[("合计", "应解银行现金")][0] == 38800 + 41400
    assert items[("票据", "已用")][1] == "2 张" and items[("票据", "作废")][1] == "0 张"
    assert desk.confirm_password.hasFocus()
    wait_idle(qtbot, window)
    screenshot(window, "settlement-preview.png")

    qtbot.keyClicks(desk.confirm_password, "wrong")
    press(qtbot, desk.confirm_password)
    qtbot.waitUntil(lambda: "密码错误" in desk.settle_status.text(), timeout=5000)
    with estate.session() as s:
        assert s.scalar(select(DaySettlement.id)) is None
        today = settings.today(s)
    desk.confirm_password.clear()
    qtbot.keyClicks(desk.confirm_password, "boss")
    press(qtbot, desk.confirm_password)
    qtbot.waitUntil(lambda: "boss" in desk.settle_status.text() and "日结" in desk.settle_status.text()
                    or "已日结" in desk.settle_status.text(), timeout=5000)
    with estate.session() as s:
        assert s.scalars(select(DaySettlement.business_date)).one() == today

    # the day's cash banked after the settlement: posted on the next open day
    qtbot.keyClicks(desk.deposit_amount, "802")
    press(qtbot, desk.deposit_amount)
    qtbot.keyClicks(desk.deposit_slip, "ICBC-0001")
    press(qtbot, desk.deposit_slip)
    qtbot.waitUntil(lambda: "ICBC-0001" in desk.other_message.text(), timeout=5000)
    assert f"记入营业日 {today + dt.timedelta(days=1)}" in desk.other_message.text()
    with estate.session() as s:
        dep = s.scalars(select(BankDeposit)).one()
        assert (dep.amount, dep.for_date, dep.business_date) == (80200, today, today + dt.timedelta(days=1))
    assert estate.run(verify).ok


def test_the_desk_refuses_a_cashier_and_hides_expected_from_her(qtbot, window, estate):
    _shifts(estate)
    log_in(qtbot, window, "lily")
    desk = window.screens["supervisor"]
    assert not window.tabs.isTabVisible(window.tabs.indexOf(desk))
    from app.errors import PermissionDenied
    from app.ui.supervisor import desk_rows

    try:
        estate.run(desk_rows, actor=estate.actor("lily"))
    except PermissionDenied:
        pass
    else:
        raise AssertionError("a cashier read the supervisor desk")
