"""Supervisor desk: every station's shift live, closes waiting for acceptance (expected vs
counted, the cashier's reason, the count by denomination, the second count), accept or send
back for recount, the 缴款单; day settlement and month close as preview-then-confirm (the
supervisor's password); bank deposits.

Reads: `closes.list_shifts`, `closes.open_takings` (open shifts, supervisor only — the
cashier's own count stays blind), `closes.expected_figures` (closed shifts), `settlement.day_preview`,
`settlement.month_preview`, `settlement.day_report`.
Writes: `closes.accept_close`, `closes.reopen_shift`, `settlement.settle_day`, `close_month`, `bank_deposit`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.errors import FeeDeskError, NotFound, PermissionDenied
from app.labels import TENDER_NAMES
from app.money import format_yuan
from app.services.clock import utcnow
from app.services.desk import cashdesk, closes, settlement
from app.services.system import auth, settings
from app.ui.i18n import tr
from app.ui.models import (
    AMBER,
    GREEN,
    RED,
    Column,
    DtoTableModel,
    enter_submits,
    fit_columns,
    line_edit,
    message_label,
    proxied_table,
    push_button,
    table_view,
)
from app.ui.op import Op

STATUS_NAMES = {"open": "收款中", "closed": "待验收", "accepted": "已验收"}


@dataclass(frozen=True)
class ShiftLine:
    id: int
    station: str
    cashier: str
    status: str
    business_date: dt.date
    training: bool
    takings: dict  # tender -> drawer balance (open shifts) or counted (closed)
    difference: int | None
    #: the saved close (expected, counted, difference, reason, count by denomination); None while open
    closed: closes.ShiftClosed | None = None
    waiting_minutes: int | None = None  # since the count was saved, while not accepted
    overdue: bool = False  # waiting longer than the setting close_wait_minutes


@dataclass(frozen=True)
class SettleLine:
    section: str
    item: str
    amount: int | None
    note: str = ""


def desk_rows(session, *, actor, day: dt.date | None = None) -> list[ShiftLine]:
    """Shifts not yet accepted, and every shift of `day`, with their takings (an open shift's
    only through `closes.open_takings`, which refuses anyone but a supervisor: blind count)."""
    auth.require(session, actor, auth.SUPERVISE)  # the desk is the supervisor's, whatever opened it
    rows = [r for r in closes.list_shifts(session, actor=actor) if r.status != "accepted"
            or (day is not None and r.business_date == day)]
    limit = settings.get_int(session, "close_wait_minutes")
    now = utcnow()
    out = []
    for r in rows:
        closed = waiting = None
        if r.status == "open":
            try:
                takings = {t: v for t, v in closes.open_takings(session, actor=actor, shift_id=r.id).items()
                           if v or t == "cash"}
            except PermissionDenied:
                takings = {}  # a supervisor's own open shift: blind to her too
            diff = None
        else:
            closed = closes.expected_figures(session, actor=actor, shift_id=r.id)
            takings = dict(closed.counted)
            diff = sum(closed.difference.values())
            if r.status == "closed" and r.closed_at is not None:
                waiting = max(0, int((now - r.closed_at).total_seconds() // 60))
        out.append(ShiftLine(r.id, r.station, r.cashier, r.status, r.business_date, r.training, takings, diff,
                             closed, waiting, waiting is not None and limit > 0 and waiting > limit))
    return out


def close_detail(r: ShiftLine) -> str:
    """What the supervisor checks before accepting: per tender expected / counted / difference,
    the cashier's reason and her count by denomination (the desk is the supervisor's only)."""
    if r.closed is None:
        parts = [f"{TENDER_NAMES.get(t, t)} {format_yuan(v)}" for t, v in r.takings.items()]
        return tr("Shift #{0} {1} at {2}: drawer now: {3}").format(r.id, r.cashier, r.station, "，".join(parts))
    c = r.closed
    lines = [tr("Shift #{0} {1} at {2}, counted at the close:").format(r.id, r.cashier, r.station)]
    for t in sorted(c.counted, key=lambda t: (t != "cash", t)):
        lines.append(tr("{0}: expected {1}, counted {2}, difference {3}").format(
            TENDER_NAMES.get(t, t), format_yuan(c.expected.get(t, 0)), format_yuan(c.counted[t]),
            format_yuan(c.difference.get(t, 0))))
    notes = "，".join(f"{format_yuan(face).removesuffix('.00')}×{n}" for face, n in sorted(c.count.items(),
                                                                                          reverse=True) if n)
    lines.append(tr("Count: {0}").format(notes or "—"))
    if c.reason:
        lines.append(tr("Cashier's reason: {0}").format(c.reason))
    if c.pending:
        lines.append(tr("The difference still needs the cashier's reason or a supervisor's approval."))
    return "\n".join(lines)


def second_count_result(r: ShiftLine | None, text: str) -> str:
    """The second count (复点) against the cashier's counted cash, as typed (nothing written)."""
    if r is None or r.closed is None or not text.strip():
        return ""
    try:
        second = sum(face * n for face, n in cashdesk.parse_count(text).items())
    except FeeDeskError as exc:
        return exc.message
    diff = second - r.closed.counted.get("cash", 0)
    if not diff:
        return tr("Second count {0}: agrees with the cashier's count.").format(format_yuan(second))
    return tr("Second count {0}: differs from the cashier's count by {1}; send it back for a recount.").format(
        format_yuan(second), format_yuan(diff))


def day_preview_lines(p: settlement.DayPreview) -> list[SettleLine]:
    out = [SettleLine("阻止日结", b, None) for b in p.blockers if not b.startswith("班次 #")]
    for x in p.shifts:
        state = STATUS_NAMES.get(x.status, x.status) + ("（阻止日结）" if x.blocker else "")
        out.append(SettleLine("班次", f"#{x.id} {x.cashier} {x.station}",
                              sum(x.counted.values()) if x.counted else None, state))
    tenders = p.totals["tenders"]
    for tender, value in tenders["counted"].items():
        out.append(SettleLine("结算方式", TENDER_NAMES.get(tender, tender), value,
                              f"差额 {format_yuan(tenders['difference'].get(tender, 0))}"))
    out.append(SettleLine("合计", "应解银行现金", p.cash_due_to_bank))
    gaps = "、".join(p.receipt_gaps[:5]) + ("…" if len(p.receipt_gaps) > 5 else "")
    out += [SettleLine("票据", "已用", None, f"{p.receipts_used} 张"),
            SettleLine("票据", "作废", None, f"{p.receipts_voided} 张"),
            SettleLine("票据", "断号", None, f"{len(p.receipt_gaps)} 个" + (f"：{gaps}" if gaps else ""))]
    return out


def month_preview_lines(p: settlement.MonthPreview) -> list[SettleLine]:
    out = [SettleLine("阻止月结", b, None) for b in p.blockers]
    out.append(SettleLine("营业日", "已日结", None, f"{len(p.settled_days)} 天"))
    for tender, value in p.totals["counted"].items():
        out.append(SettleLine("结算方式", TENDER_NAMES.get(tender, tender), value))
    out += [SettleLine("合计", "长款", p.totals["over"]), SettleLine("合计", "短款", p.totals["short"]),
            SettleLine("合计", "应解银行现金", p.totals["cash_takings"]),
            SettleLine("合计", "已解银行", p.totals["banked"])]
    return out


def settlement_lines(report: settlement.DaySettled) -> list[SettleLine]:
    t = report.totals
    out = []
    tenders = t["tenders"]
    for tender in tenders["counted"]:
        out.append(SettleLine("结算方式", TENDER_NAMES.get(tender, tender), tenders["counted"][tender],
                              f"应有 {format_yuan(tenders['expected'].get(tender, 0))}，差额 "
                              f"{format_yuan(tenders['difference'].get(tender, 0))}"))
    for _code, f in sorted(t["fee_items"].items()):
        out.append(SettleLine("收费项目", f["name"], f["amount"]))
    out.append(SettleLine("收费项目", "预存", t["prepaid"]))
    for name, c in sorted(t["cashiers"].items()):
        out.append(
            SettleLine(
                "收费员",
                name,
                sum(c["counted"].values()),
                f"收据 {c['receipts_count']} 张，作废 {c['voided_count']}，长款 {format_yuan(c['over'])}，"
                f"短款 {format_yuan(c['short'])}",
            )
        )
    out += [SettleLine("合计", "长款", t["over"]), SettleLine("合计", "短款", t["short"]),
            SettleLine("合计", "退费", t["refunds"]), SettleLine("合计", "交账", t["hand_ins"]),
            SettleLine("合计", "应解银行现金", report.cash_due_to_bank),
            SettleLine("合计", "已解银行", report.banked)]
    if report.unreconciled:  # the day's channels not reconciled yet
        from app.services.bank.reconcile import STATUS_NAMES
        from app.services.bank.statements import CHANNELS

        out += [SettleLine("对账", CHANNELS[x["channel"]], None, STATUS_NAMES[x["status"]]
                           + (f"，{x['open_items']} 项未处理" if x["open_items"] else ""))
                for x in report.unreconciled]
    return out


def settle_or_report(session, *, actor, day: dt.date) -> settlement.DaySettled:
    try:
        return settlement.day_report(session, actor=actor, day=day)
    except NotFound:
        return None


class SupervisorDesk(QWidget):
    def __init__(self, window):
        super().__init__()
        self.setObjectName("supervisor_desk")
        self.window_ = window
        self.login = None
        self.preview = None  # the DayPreview or MonthPreview the confirm button would settle
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        lay.addLayout(left, 3)
        left.addWidget(QLabel(tr("Shifts of every station (open and waiting for acceptance)")))
        self.shifts_model = DtoTableModel([
            Column("#", lambda r: r.id), Column(tr("Station"), lambda r: r.station),
            Column(tr("Cashier"), lambda r: r.cashier),
            Column(tr("Status"), lambda r: STATUS_NAMES.get(r.status, r.status) + (" 练习" if r.training else "")),
            Column(tr("Business date"), lambda r: r.business_date.isoformat()),
            Column(tr("Cash"), lambda r: r.takings.get("cash", 0), money=True),
            Column(tr("Non-cash"), lambda r: sum(v for k, v in r.takings.items() if k != "cash"), money=True),
            Column(tr("Difference"), lambda r: r.difference, money=True,
                   color=lambda r: RED if (r.difference or 0) < 0 else GREEN if (r.difference or 0) > 0 else None),
            Column(tr("Waiting"), lambda r: "" if r.waiting_minutes is None else
                   tr("{0} min").format(r.waiting_minutes) + (" ⚠" if r.overdue else ""),
                   background=lambda r: AMBER if r.overdue else None)],
            self)
        self.shifts_table, self.shifts_proxy = proxied_table("desk_shifts", self.shifts_model, self)
        self.shifts_table.selectionModel().currentRowChanged.connect(self.on_shifts_table_current_row_changed)
        self.shifts_table.installEventFilter(self)  # Enter accepts the selected close
        fit_columns(self.shifts_table, stretch=2)  # the cashier's name takes the room, never elided on 1366
        left.addWidget(self.shifts_table, 1)
        self.shift_detail = message_label("desk_shift_detail")
        left.addWidget(self.shift_detail)
        accept_row = QHBoxLayout()
        self.second_count = line_edit("second_count", tr("second count (复点), e.g. 100=3,50=1"))
        self.second_count.textChanged.connect(self.on_second_count_text_changed)
        self.accept_button = push_button(tr("Accept close (Enter)"), "accept_button", self.on_accept_button_clicked)
        enter_submits(self.accept_button, self.second_count)
        accept_row.addWidget(self.second_count, 1)
        accept_row.addWidget(self.accept_button)
        self.remittance_button = push_button(tr("Print remittance slip"), "desk_remittance_print",
                                             self.on_remittance_button_clicked)
        self.remittance_button.setEnabled(False)
        accept_row.addWidget(self.remittance_button)
        left.addLayout(accept_row)
        self.second_count_result = message_label("second_count_result")
        left.addWidget(self.second_count_result)
        back_row = QHBoxLayout()
        self.send_back_reason = line_edit("send_back_reason", tr("reason for sending the close back"))
        self.send_back_button = push_button(tr("Send back for recount"), "send_back_button",
                                            self.on_send_back_button_clicked)
        self.send_back_reason.returnPressed.connect(self.on_send_back_button_clicked)
        back_row.addWidget(self.send_back_reason, 1)
        back_row.addWidget(self.send_back_button)
        left.addLayout(back_row)
        self.desk_message = message_label("desk_message")
        left.addWidget(self.desk_message)

        right = QVBoxLayout()
        lay.addLayout(right, 2)
        settle_box = QGroupBox(tr("Day settlement and month close"))
        sv = QVBoxLayout(settle_box)
        row = QHBoxLayout()
        self.settle_date = QDateEdit(dt.date.today())
        self.settle_date.setObjectName("settle_date")
        self.settle_date.setDisplayFormat("yyyy-MM-dd")
        self.settle_date.setCalendarPopup(True)
        self.settle_button = push_button(tr("Preview the day"), "settle_button", self.on_settle_button_clicked)
        self.month = line_edit("close_month", text=dt.date.today().strftime("%Y-%m"), max_width=80)
        self.month_button = push_button(tr("Preview the month"), "close_month_button", self.on_month_button_clicked)
        for w in (self.settle_date, self.settle_button, self.month, self.month_button):
            row.addWidget(w)
        sv.addLayout(row)
        self.settle_status = message_label("settle_status")
        sv.addWidget(self.settle_status)
        self.settle_model = DtoTableModel([
            Column(tr("Section"), lambda r: r.section), Column(tr("Item"), lambda r: r.item),
            Column(tr("Amount"), lambda r: r.amount, money=True), Column(tr("Note"), lambda r: r.note)], self)
        self.settle_table = table_view("settlement_report", self.settle_model, sortable=False)
        fit_columns(self.settle_table)
        sv.addWidget(self.settle_table, 1)
        confirm = QHBoxLayout()
        self.confirm_password = line_edit("settle_password", tr("your password to confirm"), password=True)
        self.confirm_password.returnPressed.connect(self.on_confirm_button_clicked)
        self.confirm_button = push_button(tr("Confirm"), "settle_confirm_button", self.on_confirm_button_clicked)
        self.confirm_button.setEnabled(False)
        confirm.addWidget(self.confirm_password, 1)
        confirm.addWidget(self.confirm_button)
        sv.addLayout(confirm)
        right.addWidget(settle_box, 1)

        other = QGroupBox(tr("Bank deposit"))
        form = QFormLayout(other)
        self.deposit_amount = line_edit("deposit_amount")
        self.deposit_slip = line_edit("deposit_slip")
        self.deposit_button = push_button(tr("Record bank deposit (Enter)"), "deposit_button",
                                          self.on_deposit_button_clicked)
        enter_submits(self.deposit_button, self.deposit_amount, self.deposit_slip)
        form.addRow(tr("Amount"), self.deposit_amount)
        form.addRow(tr("Bank slip no."), self.deposit_slip)
        form.addRow("", self.deposit_button)
        self.other_message = message_label("desk_other_message")
        form.addRow("", self.other_message)
        right.addWidget(other)

    # -- screen protocol ------------------------------------------------------------------
    def set_login(self, login) -> None:
        self.login = login

    def set_business_date(self, day: dt.date) -> None:
        self.settle_date.setDate(day)
        self.month.setText(day.strftime("%Y-%m"))
        if self.isVisible():
            self.reload()

    def focus_first(self) -> None:
        self.reload()
        self.shifts_table.setFocus()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.reload()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if obj is self.shifts_table and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.on_accept_button_clicked()
            return True
        return super().eventFilter(obj, event)

    def reload(self) -> None:
        if self.login is None:
            return
        day = self.settle_date.date().toPython()
        Op(self, desk_rows, name="desk_rows", actor=self.login.actor, day=day).on_success(self._shifts_loaded) \
            .on_failure(lambda e: self.desk_message.setText(e.message)).start()
        # a preview is stale once shifts change: the day's report (or "not settled yet") replaces it
        self.preview = None
        self.confirm_button.setEnabled(False)
        Op(self, settle_or_report, name="day_report", actor=self.login.actor, day=day) \
            .on_success(self._show_settlement).on_failure(lambda e: self.settle_status.setText(e.message)).start()

    def _write(self, button, fn, name: str, on_success, on_failure, **kw) -> None:
        """A write from this desk: its button stays disabled while it runs (no second submit)."""
        button.setEnabled(False)

        def done(callback):
            def run(result):
                button.setEnabled(True)
                callback(result)
            return run

        op = Op(self, fn, write=True, name=name, actor=self.login.actor, **kw).on_success(done(on_success)) \
            .on_failure(done(lambda e: on_failure(e.message))).start()
        if op.refused:  # another write of this desk is still running: nothing was queued
            button.setEnabled(True)

    def _shifts_loaded(self, rows) -> None:
        selected = self.selected_shift()
        self.shifts_model.set_rows(rows)
        keep = next((i for i, r in enumerate(rows) if selected and r.id == selected.id), None)
        first = next((i for i, r in enumerate(rows) if r.status == "closed"), None)
        pick = keep if keep is not None else first
        if pick is not None:
            self.shifts_table.selectRow(self.shifts_proxy.mapFromSource(self.shifts_model.index(pick, 0)).row())
        self._update_buttons()

    def selected_shift(self) -> ShiftLine | None:
        idx = self.shifts_table.currentIndex()
        if not idx.isValid():
            return None
        return self.shifts_model.row_at(self.shifts_proxy.mapToSource(idx).row())

    def _update_buttons(self) -> None:
        r = self.selected_shift()
        waiting = r is not None and r.status == "closed"
        self.accept_button.setEnabled(waiting)
        self.send_back_button.setEnabled(waiting)
        self.remittance_button.setEnabled(r is not None and r.status != "open")

    @Slot()
    def on_shifts_table_current_row_changed(self, current, _previous) -> None:
        r = self.selected_shift()
        if r is None:
            return
        self.shift_detail.setText(close_detail(r))
        self.second_count_result.setText(second_count_result(r, self.second_count.text()))
        self._update_buttons()

    @Slot(str)
    def on_second_count_text_changed(self, text: str) -> None:
        self.second_count_result.setText(second_count_result(self.selected_shift(), text))

    @Slot()
    def on_remittance_button_clicked(self) -> None:
        from app.ui.shift import print_remittance

        r = self.selected_shift()
        if r is not None and self.login is not None:
            print_remittance(self, self.login.actor, r.id, self.desk_message)

    @Slot()
    def on_accept_button_clicked(self) -> None:
        r = self.selected_shift()
        if r is None or r.status != "closed":
            self.desk_message.setText(tr("Select a shift that is waiting for acceptance."))
            return
        if not self.accept_button.isEnabled():
            return  # an acceptance is in flight
        try:
            second = cashdesk.parse_count(self.second_count.text()) if self.second_count.text().strip() else None
        except FeeDeskError as exc:
            self.desk_message.setText(exc.message)
            return
        self._write(self.accept_button, closes.accept_close, "accept_close", self._accepted,
                    self.desk_message.setText, shift_id=r.id, second_count=second)

    def _accepted(self, result) -> None:
        self.second_count.clear()
        self.desk_message.setText(tr("Shift #{0} accepted: {1} to the safe, {2} to the bank").format(
            result.shift_id, format_yuan(result.to_safe), format_yuan(result.to_bank)))
        self.reload()

    @Slot()
    def on_send_back_button_clicked(self) -> None:
        r = self.selected_shift()
        if r is None or r.status != "closed":
            self.desk_message.setText(tr("Select a shift that is waiting for acceptance."))
            return
        self._write(self.send_back_button, closes.reopen_shift, "reopen_shift", self._sent_back,
                    self.desk_message.setText, shift_id=r.id, reason=self.send_back_reason.text().strip())

    def _sent_back(self, result) -> None:
        self.send_back_reason.clear()
        self.second_count.clear()
        self.desk_message.setText(tr("Shift #{0} sent back to the cashier for a recount.").format(result.shift_id))
        self.reload()

    # -- settlement: preview, then confirm with the password ------------------------------
    @Slot()
    def on_settle_button_clicked(self) -> None:
        Op(self, settlement.day_preview, name="day_preview", actor=self.login.actor,
           day=self.settle_date.date().toPython()).on_success(self._show_day_preview) \
            .on_failure(lambda e: self.settle_status.setText(e.message)).start()

    @Slot()
    def on_month_button_clicked(self) -> None:
        Op(self, settlement.month_preview, name="month_preview", actor=self.login.actor,
           month=self.month.text().strip()).on_success(self._show_month_preview) \
            .on_failure(lambda e: self.settle_status.setText(e.message)).start()

    def _show_day_preview(self, p) -> None:
        self._show_preview(p, day_preview_lines(p), p.can_settle, tr("Preview of {0}: ").format(p.business_date),
                           tr("Confirm the day settlement"))

    def _show_month_preview(self, p) -> None:
        self._show_preview(p, month_preview_lines(p), p.can_close, tr("Preview of {0}: ").format(p.month),
                           tr("Confirm the month close"))

    def _show_preview(self, p, lines, ok: bool, title: str, confirm: str) -> None:
        self.preview = p
        self.settle_model.set_rows(lines)
        self.confirm_button.setText(confirm)
        self.confirm_button.setEnabled(ok)
        self.confirm_password.clear()
        if ok:
            self.settle_status.setText(title + tr("nothing blocks it. Check the figures, then type your password "
                                                  "and confirm."))
            self.settle_status.setStyleSheet("color:#2e7d32; font-weight:bold;")
            self.confirm_password.setFocus()
        else:
            self.settle_status.setText(title + tr("cannot be settled yet: {0}").format(
                "；".join(p.blockers[:3]) + ("…" if len(p.blockers) > 3 else "")))
            self.settle_status.setStyleSheet("color:#c62828; font-weight:bold;")

    @Slot()
    def on_confirm_button_clicked(self) -> None:
        p = self.preview
        if p is None or not self.confirm_button.isEnabled():
            return
        password = self.confirm_password.text()
        if not password:
            self.settle_status.setText(tr("Type your password to confirm."))
            return
        fail = self.settle_status.setText
        if isinstance(p, settlement.DayPreview):
            self._write(self.confirm_button, settlement.settle_day, "settle_day", self._settled, fail,
                        day=p.business_date, password=password)
        else:
            self._write(self.confirm_button, settlement.close_month, "close_month", self._month_closed, fail,
                        month=p.month, password=password)

    def _settled(self, report) -> None:
        self.preview = None
        self.confirm_password.clear()
        self.confirm_button.setEnabled(False)
        self._show_settlement(report)
        self.reload()

    def _month_closed(self, result) -> None:
        self.preview = None
        self.confirm_password.clear()
        self.confirm_button.setEnabled(False)
        self.settle_status.setText(tr("Month {0} closed by {1}").format(result.month, result.closed_by))
        self.settle_status.setStyleSheet("color:#2e7d32; font-weight:bold;")

    def _show_settlement(self, report) -> None:
        if report is None:
            self.settle_model.set_rows([])
            self.settle_status.setText(tr("{0} is not settled yet.").format(self.settle_date.date().toPython()))
            self.settle_status.setStyleSheet("")
            return
        self.settle_model.set_rows(settlement_lines(report))
        self.settle_status.setText(tr("{0} settled by {1}: {2} shifts, cash due to the bank {3}, banked {4}").format(
            report.business_date.isoformat(), report.settled_by, report.totals["shifts"],
            format_yuan(report.cash_due_to_bank), format_yuan(report.banked)))
        self.settle_status.setStyleSheet("color:#2e7d32; font-weight:bold;")

    @Slot()
    def on_deposit_button_clicked(self) -> None:
        self._write(self.deposit_button, settlement.bank_deposit, "bank_deposit", self._deposited,
                    self.other_message.setText, amount=self.deposit_amount.text().strip(),
                    slip=self.deposit_slip.text().strip())

    def _deposited(self, r) -> None:
        self.other_message.setText(tr("Deposit {0} (slip {1}) for {2}, posted on {5}; banked {3} of {4}").format(
            format_yuan(r.amount), r.slip_no, r.for_date.isoformat(), format_yuan(r.banked), format_yuan(r.due),
            r.business_date.isoformat()))
        self.deposit_amount.clear()
        self.deposit_slip.clear()
        self.reload()


def make_screen(window) -> QWidget:
    return SupervisorDesk(window)
