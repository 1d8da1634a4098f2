"""Shift screen: open with a float, cash in/out, hand-ins, and the blind close.

The blind close (盲点轧帐): the cashier counts notes by denomination (count × face value,
running total and 大写 total) and non-cash slips, and only after `closes.close_shift` has
saved the count does the screen show expected vs counted with the differences coloured.
The expected figures are never read while the shift is open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import FeeDeskError
from app.labels import MOVEMENT_NAMES
from app.money import Money, format_yuan, to_chinese_upper
from app.services.desk import cashdesk, closes, shifts
from app.ui.i18n import tr
from app.ui.models import (
    GREEN,
    RED,
    Column,
    DtoTableModel,
    enter_submits,
    line_edit,
    message_label,
    push_button,
    table_view,
)
from app.ui.op import Op

SLIP_TENDERS = ("card", "wechat", "alipay", "transfer", "insurance", "cheque")
MOVEMENT_KINDS = ("drop", "bank_run", "top_up", "paid_in", "counterfeit")


def print_remittance(parent: QWidget, actor, shift_id: int, message: QLabel) -> None:
    """Print the remittance slip (缴款单) of a closed shift on the station's default printer
    (`app.printing.queue.print_remittance`, as `feedesk shift remittance`); the outcome, or
    the service's reason (no printer configured...), shows in `message`."""
    from app.printing import queue

    def done(outcome) -> None:
        message.setStyleSheet("" if outcome.status == "done" else "color:#c62828;")
        message.setText(tr("Remittance slip of shift #{0} printed on {1} (job #{2}).").format(
            shift_id, outcome.printer, outcome.job_id) if outcome.status == "done" else
            tr("Remittance slip not printed: {0}").format(outcome.error))

    def failed(error) -> None:
        message.setStyleSheet("color:#c62828;")
        message.setText(tr("Remittance slip not printed: {0}").format(error.message))

    message.setText(tr("Printing the remittance slip…"))
    Op(parent, queue.print_remittance, raw=True, write=True, lane="print", name="print_remittance", actor=actor,
       shift_id=shift_id).on_success(done).on_failure(failed).start()


class DiffRow:
    __slots__ = ("tender", "expected", "counted", "difference")

    def __init__(self, tender, expected, counted, difference):
        self.tender, self.expected, self.counted, self.difference = tender, expected, counted, difference


def remittance_preview(factory, *, actor, shift_id: int) -> tuple[str, bytes]:
    """The remittance slip (缴款单) as the printer lays it out (`queue.remittance_preview`):
    its text and its picture, made off the GUI thread."""
    from app.printing import queue
    from app.printing.preview import layout_png, layout_text

    layout = queue.remittance_preview(factory, actor=actor, shift_id=shift_id)
    return layout_text(layout), layout_png(layout)


class ShiftScreen(QWidget):
    def __init__(self, window):
        super().__init__()
        self.setObjectName("shift_screen")
        self.window_ = window
        self.login = None
        self.info = None
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        lay.addLayout(left, 1)

        self.state = QLabel("")
        self.state.setObjectName("shift_state")
        f = QFont(self.state.font())
        f.setPointSize(16)
        f.setBold(True)
        self.state.setFont(f)
        self.state.setWordWrap(True)
        left.addWidget(self.state)

        self.open_box = QGroupBox(tr("Open shift (float from the safe)"))
        self.open_box.setObjectName("open_shift_box")
        form = QFormLayout(self.open_box)
        self.float_amount = line_edit("float_amount", text="0")
        self.float_by = line_edit("float_by", tr("supervisor user name (optional)"))
        form.addRow(tr("Float"), self.float_amount)
        form.addRow(tr("Float handed over by"), self.float_by)
        self.open_button = push_button(tr("Open shift (Enter)"), "open_shift_button", self.on_open_button_clicked)
        form.addRow("", self.open_button)
        self.open_error = QLabel("")
        self.open_error.setObjectName("open_shift_error")
        self.open_error.setStyleSheet("color:#c62828;")
        self.open_error.setWordWrap(True)
        form.addRow("", self.open_error)
        self.float_amount.returnPressed.connect(self.on_open_button_clicked)
        self.float_by.returnPressed.connect(self.on_open_button_clicked)
        left.addWidget(self.open_box)
        self._build_movements(left)
        left.addStretch(1)
        right = QVBoxLayout()
        lay.addLayout(right, 2)
        self._build_close(right)
        self.denoms: list[int] = []

    # -- cash in / out ---------------------------------------------------------------------
    def _build_movements(self, parent_layout) -> None:
        self.move_box = QGroupBox(tr("Cash in / out and hand-ins"))
        self.move_box.setObjectName("cash_move_box")
        form = QFormLayout(self.move_box)
        self.move_kind = QComboBox()
        self.move_kind.setObjectName("move_kind")
        for k in MOVEMENT_KINDS:
            self.move_kind.addItem(MOVEMENT_NAMES[k], k)
        self.move_kind.addItem(tr("Hand-in from a field collector"), "hand_in")
        self.move_amount = line_edit("move_amount")
        self.move_reason = line_edit("move_reason", tr("reason; for a hand-in the collector's user name"))
        self.move_button = push_button(tr("Record (Enter)"), "move_button", self.on_move_button_clicked)
        self.move_result = message_label("move_result")
        form.addRow(tr("Kind"), self.move_kind)
        form.addRow(tr("Amount"), self.move_amount)
        form.addRow(tr("Reason"), self.move_reason)
        form.addRow("", self.move_button)
        form.addRow("", self.move_result)
        enter_submits(self.move_button, self.move_amount, self.move_reason)
        parent_layout.addWidget(self.move_box)

    @Slot()
    def on_move_button_clicked(self) -> None:
        kind = self.move_kind.currentData()
        text = self.move_reason.text().strip()
        if kind == "hand_in":
            op = Op(self, closes.hand_in, write=True, name="hand_in", actor=self.login.actor, collector=text,
                    amount=self.move_amount.text().strip())
        else:
            op = Op(self, closes.move_cash, write=True, name="move_cash", actor=self.login.actor, kind=kind,
                    amount=self.move_amount.text().strip(), reason=text)
        op.on_success(self._moved).on_failure(lambda e: self.move_result.setText(e.message)).start()

    def _moved(self, result) -> None:
        self.move_result.setText(tr("Recorded: {0}").format(format_yuan(abs(result.amount)))
                                 + (f"\n{result.warning}" if getattr(result, "warning", None) else ""))
        self.move_amount.clear()
        self.move_reason.clear()

    # -- blind close -----------------------------------------------------------------------------
    def _build_close(self, parent_layout) -> None:
        self.close_box = QGroupBox(tr("Blind close: count the drawer before seeing what it should hold"))
        self.close_box.setObjectName("blind_close_box")
        v = QVBoxLayout(self.close_box)
        self.count_grid = QGridLayout()
        self.count_grid.setHorizontalSpacing(10)
        self.count_grid.setVerticalSpacing(2)
        v.addLayout(self.count_grid)
        self.count_inputs: dict[int, QLineEdit] = {}
        self.count_subtotals: dict[int, QLabel] = {}
        self.slip_inputs: dict[str, tuple[QLineEdit, QLineEdit]] = {}
        self.count_total = QLabel("")
        self.count_total.setObjectName("count_total")
        f = QFont(self.count_total.font())
        f.setPointSize(15)
        f.setBold(True)
        self.count_total.setFont(f)
        v.addWidget(self.count_total)
        self.count_upper = QLabel("")
        self.count_upper.setObjectName("count_total_upper")
        v.addWidget(self.count_upper)
        self.close_button = push_button(tr("Save count and close shift (Enter)"), "close_shift_button",
                                        self.on_close_button_clicked)
        self.close_button.setAutoDefault(True)  # Enter on the focused button saves (the last field leads to it)
        v.addWidget(self.close_button)
        self.close_error = QLabel("")
        self.close_error.setObjectName("close_error")
        self.close_error.setStyleSheet("color:#c62828;")
        self.close_error.setWordWrap(True)
        v.addWidget(self.close_error)
        parent_layout.addWidget(self.close_box, 0, Qt.AlignmentFlag.AlignTop)

        self.result_box = QGroupBox(tr("Close result: expected against counted"))
        self.result_box.setObjectName("close_result_box")
        rv = QVBoxLayout(self.result_box)
        self.diff_model = DtoTableModel([
            Column(tr("Tender"), lambda r: r.tender),
            Column(tr("Expected"), lambda r: r.expected, money=True),
            Column(tr("Counted"), lambda r: r.counted, money=True),
            Column(tr("Difference"), lambda r: r.difference, money=True,
                   color=lambda r: RED if r.difference < 0 else GREEN if r.difference > 0 else None)], self)
        self.diff_table = table_view("close_difference_table", self.diff_model)
        self.diff_table.setMaximumHeight(150)
        rv.addWidget(self.diff_table)
        self.close_summary = message_label("close_summary")
        rv.addWidget(self.close_summary)
        # The reason is asked after the saved count showed the difference (never before: blind)
        self.explain_box = QGroupBox(tr("Reason for the difference"))
        self.explain_box.setObjectName("explain_box")
        form = QFormLayout(self.explain_box)
        self.close_reason = line_edit("close_reason", tr("what happened, e.g. change given twice"))
        self.close_approver = line_edit("close_approver", tr("only for a difference over the limit"))
        self.close_approver_password = line_edit("close_approver_password", password=True)
        form.addRow(tr("Reason"), self.close_reason)
        form.addRow(tr("Supervisor"), self.close_approver)
        form.addRow(tr("Supervisor password"), self.close_approver_password)
        self.explain_button = push_button(tr("Save the reason (Enter)"), "explain_button",
                                          self.on_explain_button_clicked)
        form.addRow("", self.explain_button)
        self.explain_error = message_label("explain_error")
        self.explain_error.setStyleSheet("color:#c62828;")
        form.addRow("", self.explain_error)
        self.close_reason.returnPressed.connect(self.on_explain_button_clicked)
        self.close_approver.returnPressed.connect(self.close_approver_password.setFocus)
        self.close_approver_password.returnPressed.connect(self.on_explain_button_clicked)
        rv.addWidget(self.explain_box)
        self.remittance = QLabel("")
        self.remittance.setObjectName("remittance_preview")
        self.remittance.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.remittance_text = ""  # the slip's printed lines, as on the picture
        scroll = QScrollArea()
        scroll.setObjectName("remittance_scroll")
        scroll.setWidget(self.remittance)
        scroll.setWidgetResizable(True)
        scroll.setMinimumHeight(300)
        rv.addWidget(scroll, 1)
        prow = QHBoxLayout()
        self.remittance_print_button = push_button(
            tr("Print remittance slip"), "remittance_print_button", self.on_remittance_print_clicked
        )
        prow.addWidget(self.remittance_print_button)
        self.remittance_message = message_label("remittance_print_message")
        prow.addWidget(self.remittance_message, 1)
        rv.addLayout(prow)
        parent_layout.addWidget(self.result_box, 1)  # the slip preview takes the height there is
        self.result_box.setVisible(False)

    def _load_denominations(self) -> None:
        Op(self, lambda s: cashdesk.denominations(s), name="denominations").on_success(self._build_grid) \
            .on_failure(lambda e: self.close_error.setText(e.message)).start()

    def _build_grid(self, denoms: list[int]) -> None:
        if self.denoms == denoms:
            return
        self.denoms = denoms
        g = self.count_grid
        g.addWidget(QLabel(tr("Face value")), 0, 0)
        g.addWidget(QLabel(tr("Count")), 0, 1)
        g.addWidget(QLabel(tr("Subtotal")), 0, 2)
        g.addWidget(QLabel(tr("Slips")), 0, 4)
        g.addWidget(QLabel(tr("Number")), 0, 5)
        g.addWidget(QLabel(tr("Total (optional)")), 0, 6)
        previous = None
        for i, face in enumerate(sorted(denoms, reverse=True), start=1):
            g.addWidget(QLabel(format_yuan(face).removesuffix(".00") + " " + tr("yuan")), i, 0)
            edit = line_edit(f"count_{face}", max_width=80)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.textChanged.connect(self.on_count_text_changed)
            g.addWidget(edit, i, 1)
            sub = QLabel("")
            sub.setObjectName(f"subtotal_{face}")
            sub.setAlignment(Qt.AlignmentFlag.AlignRight)
            sub.setMinimumWidth(90)
            g.addWidget(sub, i, 2)
            self.count_inputs[face] = edit
            self.count_subtotals[face] = sub
            if previous is not None:
                previous.returnPressed.connect(edit.setFocus)
                self.setTabOrder(previous, edit)
            previous = edit
        from app.ui.workspace import tender_label

        for i, tender in enumerate(SLIP_TENDERS, start=1):
            g.addWidget(QLabel(tender_label(tender)), i, 4)
            n = line_edit(f"slips_{tender}", max_width=60)
            total = line_edit(f"slips_total_{tender}", max_width=100)
            g.addWidget(n, i, 5)
            g.addWidget(total, i, 6)
            self.slip_inputs[tender] = (n, total)
        g.setColumnMinimumWidth(3, 24)
        g.setColumnStretch(7, 1)
        # Tab goes as the eye reads: the notes down, the slips row by row, then the save button.
        # Enter does too, except that the last note leads straight to the save button (no slips
        # is the usual close); Enter on the button saves.
        slips = [edit for pair in self.slip_inputs.values() for edit in pair]
        for a, b in zip([previous, *slips], [*slips, self.close_button], strict=True):
            if a is not None:
                self.setTabOrder(a, b)
        for a, b in zip(slips, [*slips[1:], self.close_button], strict=True):
            a.returnPressed.connect(b.setFocus)
        if previous is not None:
            previous.returnPressed.connect(self.close_button.setFocus)
        self.on_count_text_changed()

    def counted(self) -> dict[int, int]:
        out = {}
        for face, edit in self.count_inputs.items():
            t = edit.text().strip()
            if t:
                if not t.isdigit():
                    raise FeeDeskError(f"{format_yuan(face)} 元的张数必须是整数")
                out[face] = int(t)
        return out

    def slips(self) -> dict[str, tuple[int, int | None]]:
        out = {}
        for tender, (n, total) in self.slip_inputs.items():
            nt, tt = n.text().strip(), total.text().strip()
            if nt or tt:
                if not nt.isdigit():
                    raise FeeDeskError("单据张数必须是整数")
                out[tender] = (int(nt), Money.parse(tt).fen if tt else None)
        return out

    @Slot()
    def on_count_text_changed(self, *_args) -> None:
        total = 0
        for face, edit in self.count_inputs.items():
            t = edit.text().strip()
            qty = int(t) if t.isdigit() else 0
            self.count_subtotals[face].setText(format_yuan(face * qty) if qty else "")
            total += face * qty
        self.count_total.setText(tr("Cash counted: {0}").format(format_yuan(total)))
        self.count_upper.setText(tr("In words: {0}").format(to_chinese_upper(Money(total))))

    @Slot()
    def on_close_button_clicked(self) -> None:
        self.close_error.setText("")
        try:
            count, slips = self.counted(), self.slips()
        except FeeDeskError as exc:
            self.close_error.setText(exc.message)
            return
        self.close_button.setEnabled(False)
        Op(self, closes.close_shift, write=True, name="close_shift", actor=self.login.actor, count=count,
           slips=slips).on_success(self.show_closed).on_failure(self._close_failed).start()

    def _close_failed(self, error: FeeDeskError) -> None:
        self.close_button.setEnabled(True)
        self.close_error.setText(error.message)

    @Slot()
    def on_explain_button_clicked(self) -> None:
        closed = getattr(self, "last_close", None)
        if self.login is None or closed is None:
            return
        self.explain_error.setText("")
        Op(self, closes.explain_difference, write=True, name="explain_difference", actor=self.login.actor,
           shift_id=closed.shift_id, reason=self.close_reason.text().strip(),
           approver=self.close_approver.text().strip() or None,
           approver_password=self.close_approver_password.text() or None) \
            .on_success(self.show_closed).on_failure(self._explain_failed).start()

    def _explain_failed(self, error: FeeDeskError) -> None:
        self.explain_error.setText(error.message)  # what was typed stays; only the password goes
        self.close_approver_password.clear()
        (self.close_approver if self.close_reason.text().strip() else self.close_reason).setFocus()

    def show_closed(self, closed) -> None:
        from app.ui.workspace import tender_label

        self.close_button.setEnabled(True)
        self.last_close = closed
        self.close_box.setVisible(False)
        self.result_box.setVisible(True)
        self.diff_model.set_rows([DiffRow(tender_label(t), closed.expected.get(t, 0), closed.counted.get(t, 0),
                                          closed.difference.get(t, 0)) for t in closed.counted])
        parts = []
        if closed.shortage:
            parts.append(tr("Shortage {0}").format(format_yuan(closed.shortage)))
        if closed.overage:
            parts.append(tr("Overage {0}").format(format_yuan(closed.overage)))
        if not parts:
            parts.append(tr("The count matches."))
        if closed.reason:
            parts.append(tr("Reason: {0}").format(closed.reason))
        if closed.approved_by:
            parts.append(tr("Approved by {0}").format(closed.approved_by))
        parts += closed.warnings
        if closed.pending == "reason":
            parts.append(tr("Type the reason for the difference below; the supervisor accepts after it."))
        elif closed.pending == "approval":
            parts.append(tr("The difference is over the limit: a supervisor approves the reason below."))
        else:
            parts.append(tr("Waiting for the supervisor's acceptance."))
        self.close_summary.setText("  ·  ".join(parts))
        self.explain_box.setVisible(bool(closed.pending))
        self.explain_error.setText("")
        if closed.pending:
            (self.close_approver if closed.pending == "approval" and self.close_reason.text()
             else self.close_reason).setFocus()
        else:
            self.close_reason.clear()
            self.close_approver.clear()
        self.close_approver_password.clear()
        self.remittance.clear()
        self.remittance_text = ""
        Op(self, remittance_preview, raw=True, name="remittance_preview", actor=self.login.actor,
           shift_id=closed.shift_id).on_success(self._show_remittance) \
            .on_failure(lambda e: self.remittance.setText(e.message)).start()
        self.remittance_message.setText("")
        for edit in self.count_inputs.values():
            edit.clear()

    def _show_remittance(self, text_png: tuple[str, bytes]) -> None:
        self.remittance_text, png = text_png
        pix = QPixmap()
        pix.loadFromData(png, "PNG")
        self.remittance.setPixmap(pix)

    @Slot()
    def on_remittance_print_clicked(self) -> None:
        if self.login is not None and getattr(self, "last_close", None) is not None:
            print_remittance(self, self.login.actor, self.last_close.shift_id, self.remittance_message)

    def set_login(self, login) -> None:
        self.login = login
        self.open_error.setText("")
        self.result_box.setVisible(False)  # the previous user's close result is not the next user's
        self.last_close = None

    def focus_first(self) -> None:
        if self.info is None or self.info.shift is None:
            self.float_amount.setFocus()
            self.float_amount.selectAll()
        elif self.count_inputs:
            next(iter(self.count_inputs.values())).setFocus()

    def show_status(self, info) -> None:
        self.info = info
        if info.shift is None:
            self.state.setText(tr("No open shift. Open one with the float counted out of the safe."))
            self.open_box.setVisible(True)
            self.move_box.setVisible(False)
            self.close_box.setVisible(False)
            if self.login is not None and not self.result_box.isVisible():  # a difference left unexplained
                Op(self, closes.unexplained_close, name="unexplained_close", actor=self.login.actor) \
                    .on_success(lambda closed: self.show_closed(closed) if closed else None) \
                    .on_failure(lambda e: None).start()
        else:
            s = info.shift
            self.state.setText(tr("Shift #{0} open since {1}, business date {2}\nFloat {3}").format(
                s.id, info.opened_local, s.business_date.isoformat(), format_yuan(s.float_amount))
                + ("\n" + info.drawer_warning if info.drawer_warning else ""))
            self.open_box.setVisible(False)
            self.move_box.setVisible(True)
            self.close_box.setVisible(True)
            self.result_box.setVisible(False)
            self._load_denominations()

    def reload(self) -> None:
        self.window_.refresh_status()

    @Slot()
    def on_open_button_clicked(self) -> None:
        if self.login is None:
            return
        self.open_error.setText("")
        Op(self, shifts.open_shift, write=True, name="open_shift", actor=self.login.actor,
           float_amount=self.float_amount.text().strip() or "0", float_by=self.float_by.text().strip() or None) \
            .on_success(self._opened).on_failure(self._failed).start()

    def _failed(self, error: FeeDeskError) -> None:
        self.open_error.setText(error.message)

    def _opened(self, info) -> None:
        self.window_.status_message.setText(tr("Shift #{0} opened").format(info.id))
        self.window_.tabs.setCurrentWidget(self.window_.workspace)
        self.window_.workspace.search_box.setFocus()


def make_screen(window) -> QWidget:
    return ShiftScreen(window)


