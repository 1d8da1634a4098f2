"""Supervisor desk: every station's shift live, closes waiting for acceptance (optional second
count), day settlement with its report, month close and bank deposits.

Reads: `closes.list_shifts`, `shifts.drawer_balance` (open shifts, supervisor only — the
cashier's own count stays blind), `closes.expected_figures` (closed shifts), `settlement.day_report`.
Writes: `closes.accept_close`, `settlement.settle_day`, `close_month`, `bank_deposit`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import FeeDeskError, NotFound, PermissionDenied
from app.labels import TENDER_NAMES
from app.money import format_yuan
from app.services import auth, cashdesk, closes, settlement
from app.ui.i18n import tr
from app.ui.models import (
    GREEN,
    RED,
    Column,
    DtoTableModel,
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
    out = []
    for r in rows:
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
        out.append(ShiftLine(r.id, r.station, r.cashier, r.status, r.business_date, r.training, takings, diff))
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
        out.append(SettleLine("收费员", name, sum(c["counted"].values()),
                              f"收据 {c['receipts_count']} 张，作废 {c['voided_count']}，长款 {format_yuan(c['over'])}，"
                              f"短款 {format_yuan(c['short'])}"))
    out += [SettleLine("合计", "长款", t["over"]), SettleLine("合计", "短款", t["short"]),
            SettleLine("合计", "退费", t["refunds"]), SettleLine("合计", "交账", t["hand_ins"]),
            SettleLine("合计", "应解银行现金", report.cash_due_to_bank),
            SettleLine("合计", "已解银行", report.banked)]
    if report.unreconciled:  # issue 14: the day's channels not reconciled yet
        from app.services.reconcile import STATUS_NAMES
        from app.services.statements import CHANNELS

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
                   color=lambda r: RED if (r.difference or 0) < 0 else GREEN if (r.difference or 0) > 0 else None)],
            self)
        self.shifts_table, self.shifts_proxy = proxied_table("desk_shifts", self.shifts_model, self)
        self.shifts_table.selectionModel().currentRowChanged.connect(self.on_shifts_table_current_row_changed)
        left.addWidget(self.shifts_table, 1)
        self.shift_detail = message_label("desk_shift_detail")
        left.addWidget(self.shift_detail)
        accept_row = QHBoxLayout()
        self.second_count = line_edit("second_count", tr("optional second count, e.g. 100=3,50=1"))
        self.accept_button = push_button(tr("Accept close"), "accept_button", self.on_accept_button_clicked)
        accept_row.addWidget(self.second_count, 1)
        accept_row.addWidget(self.accept_button)
        self.remittance_button = QPushButton(tr("Print remittance slip"))
        self.remittance_button.setObjectName("desk_remittance_print")
        self.remittance_button.setEnabled(False)
        self.remittance_button.clicked.connect(self.on_remittance_button_clicked)
        accept_row.addWidget(self.remittance_button)
        left.addLayout(accept_row)
        self.desk_message = message_label("desk_message")
        left.addWidget(self.desk_message)

        right = QVBoxLayout()
        lay.addLayout(right, 2)
        settle_box = QGroupBox(tr("Day settlement"))
        sv = QVBoxLayout(settle_box)
        row = QHBoxLayout()
        self.settle_date = QDateEdit(dt.date.today())
        self.settle_date.setObjectName("settle_date")
        self.settle_date.setDisplayFormat("yyyy-MM-dd")
        self.settle_date.setCalendarPopup(True)
        self.settle_button = push_button(tr("Settle the day"), "settle_button", self.on_settle_button_clicked)
        row.addWidget(self.settle_date)
        row.addWidget(self.settle_button)
        sv.addLayout(row)
        self.settle_status = message_label("settle_status")
        sv.addWidget(self.settle_status)
        self.settle_model = DtoTableModel([
            Column(tr("Section"), lambda r: r.section), Column(tr("Item"), lambda r: r.item),
            Column(tr("Amount"), lambda r: r.amount, money=True), Column(tr("Note"), lambda r: r.note)], self)
        self.settle_table = table_view("settlement_report", self.settle_model, sortable=False)
        for col, width in enumerate((70, 90, 90)):
            self.settle_table.setColumnWidth(col, width)
        sv.addWidget(self.settle_table, 1)
        right.addWidget(settle_box, 1)

        other = QGroupBox(tr("Month close and bank deposit"))
        form = QFormLayout(other)
        self.month = line_edit("close_month", text=dt.date.today().strftime("%Y-%m"))
        self.month_button = push_button(tr("Close month"), "close_month_button", self.on_month_button_clicked)
        mrow = QHBoxLayout()
        mrow.addWidget(self.month)
        mrow.addWidget(self.month_button)
        form.addRow(tr("Month"), mrow)
        self.deposit_amount = line_edit("deposit_amount")
        self.deposit_slip = line_edit("deposit_slip")
        self.deposit_button = push_button(tr("Record bank deposit"), "deposit_button", self.on_deposit_button_clicked)
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

    def reload(self) -> None:
        if self.login is None:
            return
        day = self.settle_date.date().toPython()
        Op(self, desk_rows, name="desk_rows", actor=self.login.actor, day=day).on_success(self._shifts_loaded) \
            .on_failure(lambda e: self.desk_message.setText(e.message)).start()
        Op(self, settle_or_report, name="day_report", actor=self.login.actor, day=day) \
            .on_success(self._show_settlement).on_failure(lambda e: self.settle_status.setText(e.message)).start()

    def _shifts_loaded(self, rows) -> None:
        self.shifts_model.set_rows(rows)
        waiting = [r for r in rows if r.status == "closed"]
        self.accept_button.setEnabled(bool(waiting))
        for i, r in enumerate(rows):
            if r.status == "closed":
                self.shifts_table.selectRow(self.shifts_proxy.mapFromSource(self.shifts_model.index(i, 0)).row())
                break

    def selected_shift(self) -> ShiftLine | None:
        idx = self.shifts_table.currentIndex()
        if not idx.isValid():
            return None
        return self.shifts_model.row_at(self.shifts_proxy.mapToSource(idx).row())

    @Slot()
    def on_shifts_table_current_row_changed(self, current, _previous) -> None:
        r = self.selected_shift()
        if r is None:
            return
        parts = [f"{TENDER_NAMES.get(t, t)} {format_yuan(v)}" for t, v in r.takings.items()]
        label = tr("Drawer now") if r.status == "open" else tr("Counted")
        self.shift_detail.setText(tr("Shift #{0} {1} at {2}: {3}: {4}").format(
            r.id, r.cashier, r.station, label, "，".join(parts)))
        self.accept_button.setEnabled(r.status == "closed")
        self.remittance_button.setEnabled(r.status != "open")

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
        try:
            second = cashdesk.parse_count(self.second_count.text()) if self.second_count.text().strip() else None
        except FeeDeskError as exc:
            self.desk_message.setText(exc.message)
            return
        Op(self, closes.accept_close, write=True, name="accept_close", actor=self.login.actor, shift_id=r.id,
           second_count=second).on_success(self._accepted) \
            .on_failure(lambda e: self.desk_message.setText(e.message)).start()

    def _accepted(self, result) -> None:
        self.second_count.clear()
        self.desk_message.setText(tr("Shift #{0} accepted: {1} to the safe, {2} to the bank").format(
            result.shift_id, format_yuan(result.to_safe), format_yuan(result.to_bank)))
        self.reload()

    @Slot()
    def on_settle_button_clicked(self) -> None:
        Op(self, settlement.settle_day, write=True, name="settle_day", actor=self.login.actor,
           day=self.settle_date.date().toPython()).on_success(self._settled) \
            .on_failure(lambda e: self.settle_status.setText(e.message)).start()

    def _settled(self, report) -> None:
        self._show_settlement(report)
        self.reload()

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
    def on_month_button_clicked(self) -> None:
        Op(self, settlement.close_month, write=True, name="close_month", actor=self.login.actor,
           month=self.month.text().strip()).on_success(
            lambda r: self.other_message.setText(tr("Month {0} closed by {1}").format(r.month, r.closed_by))) \
            .on_failure(lambda e: self.other_message.setText(e.message)).start()

    @Slot()
    def on_deposit_button_clicked(self) -> None:
        Op(self, settlement.bank_deposit, write=True, name="bank_deposit", actor=self.login.actor,
           amount=self.deposit_amount.text().strip(), slip=self.deposit_slip.text().strip()).on_success(
            lambda r: self.other_message.setText(tr("Deposit {0} (slip {1}) for {2} recorded; banked {3} of {4}").format(
                format_yuan(r.amount), r.slip_no, r.for_date.isoformat(), format_yuan(r.banked), format_yuan(r.due)))) \
            .on_failure(lambda e: self.other_message.setText(e.message)).start()


def make_screen(window) -> QWidget:
    return SupervisorDesk(window)
