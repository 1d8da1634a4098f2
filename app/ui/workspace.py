"""The cashier workspace: search, account card, charges, tender panel — keyboard first.

The typical payment is: type the account code, Enter, type the cash received, Enter. The
first Enter opens the card with every outstanding charge selected (oldest first) and moves
to the tender input; the second pays, shows the change large and returns to the search box.
Other tenders are function keys (F5–F10) that add tender lines (split tender). The slots only
read inputs and start ops; money is integer fen, parsed by `Money.parse`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.errors import FeeDeskError
from app.money import Money, format_yuan
from app.services.desk import payments, reads, receipts
from app.services.master import accounts
from app.ui.i18n import N_, tr
from app.ui.models import (
    AMBER,
    RED,
    Column,
    DtoTableModel,
    fit_columns,
    line_edit,
    message_label,
    proxied_table,
    table_view,
)
from app.ui.op import Op

TENDER_KEYS: dict[int, str] = {
    Qt.Key.Key_F5: "wechat", Qt.Key.Key_F6: "alipay", Qt.Key.Key_F7: "card", Qt.Key.Key_F8: "transfer",
    Qt.Key.Key_F9: "prepaid", Qt.Key.Key_F10: "insurance",
}
TENDER_KEY_NAMES = {"wechat": "F5", "alipay": "F6", "card": "F7", "transfer": "F8", "prepaid": "F9",
                    "insurance": "F10", "cash": ""}
TENDER_LABELS = {"cash": N_("Cash"), "wechat": N_("WeChat Pay"), "alipay": N_("Alipay"), "card": N_("Bank card"),
                 "transfer": N_("Transfer"), "prepaid": N_("Prepaid balance"), "insurance": N_("Medical insurance"),
                 "cheque": N_("Cheque")}
LONG_ARREARS_DAYS = 90


def tender_label(method: str) -> str:
    return tr(TENDER_LABELS.get(method, method))


def big_label(name: str, size: int, color: str = "#000") -> QLabel:
    lab = QLabel("")
    lab.setObjectName(name)
    f = QFont(lab.font())
    f.setPointSize(size)
    f.setBold(True)
    lab.setFont(f)
    lab.setStyleSheet(f"color:{color};")
    lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return lab


class _SearchKeys(QObject):
    """Up/Down in the search box move through the results without leaving the box."""

    def __init__(self, workspace: CashierWorkspace):
        super().__init__(workspace)
        self.ws = workspace

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self.ws.move_hit(1 if event.key() == Qt.Key.Key_Down else -1)
                return True
        return False


class CashierWorkspace(QWidget):
    """Search → card → charges → tenders → pay. `session_actor` is set after log-in."""

    payment_recorded = Signal(object)  # PaymentResult
    card_loaded = Signal(object)  # AccountCard
    display_changed = Signal(str, int, int, int)  # payer, due, received, change (for the customer display)
    receipt_scanned = Signal(str)  # a receipt's QR code was scanned into the search box
    correction_made = Signal(object)  # Corrected: a waiver, write-off or balance refund from the card

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cashier_workspace")
        self.actor = None
        self.card: accounts.AccountCard | None = None
        self.late_fees: dict[int, int] = {}  # charge id -> late fee the payment will add today
        self.tenders: list[payments.TenderInput] = []
        self.method = "cash"
        self.last_result: payments.PaymentResult | None = None
        self._search_seq = 0
        self._hit_moved = False
        self._partial_confirm = ""
        self._only_charge_ids: set[int] | None = None
        self._opening = 0  # open_account ops in flight
        self._hold_display = False  # after a payment the payer keeps seeing received/change
        self._build()

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("workspace_splitter")
        outer.addWidget(splitter, 1)

        # Left: search and account card
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        search_row = QHBoxLayout()
        search_label = QLabel(tr("Find (F2)"))
        self.search_box = line_edit("search_box", tr("Room 1-2-301, name, last 4 phone digits, pinyin initials"))
        self.search_box.setClearButtonEnabled(True)
        search_label.setBuddy(self.search_box)
        search_row.addWidget(search_label)
        search_row.addWidget(self.search_box, 1)
        lv.addLayout(search_row)
        self.search_error = QLabel("")
        self.search_error.setObjectName("search_error")
        self.search_error.setStyleSheet("color:#c62828;")
        self.search_error.setWordWrap(True)
        lv.addWidget(self.search_error)
        self.hits_model = DtoTableModel([
            Column(tr("Account"), lambda h: h.code),
            Column(tr("Owner"), lambda h: h.owner),
            Column(tr("Phone"), lambda h: h.phone),
            Column(tr("Status"), lambda h: h.status),
        ], self)
        self.search_results = table_view("search_results", self.hits_model, sortable=False)
        self.search_results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.search_results.setMaximumHeight(190)
        fit_columns(self.search_results, stretch=1)  # the owner's name elides, never a sideways scroll
        lv.addWidget(self.search_results)

        card_box = QGroupBox(tr("Account card"))
        card_box.setObjectName("account_card")
        grid = QGridLayout(card_box)
        self.card_fields: dict[str, QLabel] = {}
        for i, (key, label) in enumerate((("code", N_("Account")), ("owner", N_("Owner")), ("phone", N_("Phone")),
                                           ("unit", N_("Building / status")), ("area", N_("Built area")),
                                           ("arrears", N_("Arrears")), ("prepaid", N_("Prepaid")),
                                           ("deposits", N_("Deposits held")))):
            grid.addWidget(QLabel(tr(label)), i, 0)
            value = QLabel("—")
            value.setObjectName(f"card_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, i, 1)
            self.card_fields[key] = value
        self.card_warnings = message_label("card_warnings")
        self.card_warnings.setStyleSheet("color:#c62828; font-weight:bold;")
        grid.addWidget(self.card_warnings, 8, 0, 1, 2)
        history = QPushButton(tr("&History and statement…"))
        history.setObjectName("card_history_button")
        history.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Alt+H; stays out of the cashier's Tab chain
        history.clicked.connect(self.on_card_history_button_clicked)
        self.corrections_button = QPushButton(tr("Corrections…"))  # waiver, write-off, balance refunds
        self.corrections_button.setObjectName("card_corrections")
        self.corrections_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.corrections_button.setMenu(self._corrections_menu())
        card_buttons = QHBoxLayout()
        card_buttons.addWidget(history)
        card_buttons.addWidget(self.corrections_button)
        grid.addLayout(card_buttons, 9, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        lv.addWidget(card_box, 1)
        splitter.addWidget(left)

        # Centre: charges
        centre = QWidget()
        cv = QVBoxLayout(centre)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.addWidget(QLabel(tr("Outstanding charges (Space selects, overdue in red)")))
        overdue = lambda c: RED if c.overdue_days > 0 else None  # noqa: E731
        self.charges_model = DtoTableModel([
            Column(tr("Fee"), lambda c: c.fee, color=overdue),
            Column(tr("Period"), lambda c: c.period or c.due_date.isoformat()),
            Column(tr("Basis"), lambda c: c.basis),
            Column(tr("Amount"), lambda c: c.amount, money=True),
            Column(tr("Paid"), lambda c: c.paid, money=True),
            Column(tr("Waived"), lambda c: c.adjusted, money=True),
            Column(tr("Due"), lambda c: c.outstanding, money=True, color=overdue),
            Column(tr("Late fee"), lambda c: self.late_fees.get(c.id) or None, money=True, color=overdue),
            Column(tr("Due date"), lambda c: c.due_date.isoformat()),
            Column(tr("Overdue days"), lambda c: c.overdue_days or "",
                   background=lambda c: AMBER if c.overdue_days > LONG_ARREARS_DAYS else None),
        ], self, checkable=True, key=lambda c: c.id)
        self.charges_table, self.charges_proxy = proxied_table(
            "charges_table", self.charges_model, self, sortable=False
        )
        header = self.charges_table.horizontalHeader()
        header.setStretchLastSection(False)
        for col in range(self.charges_model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)  # the basis text takes what is left
        self.charges_table.installEventFilter(self)
        self.charges_model.dataChanged.connect(self.on_charges_model_data_changed)
        cv.addWidget(self.charges_table, 1)
        self.selection_total = QLabel("")
        self.selection_total.setObjectName("selection_total")
        cv.addWidget(self.selection_total)
        splitter.addWidget(centre)

        # Right: tender panel
        right = QFrame()
        right.setObjectName("tender_panel")
        right.setFrameShape(QFrame.Shape.StyledPanel)
        rv = QVBoxLayout(right)
        rv.addWidget(QLabel(tr("Amount due")))
        self.amount_due = big_label("amount_due", 26, "#0d47a1")
        rv.addWidget(self.amount_due)
        self.late_fee_note = message_label("late_fee_note")
        self.late_fee_note.setStyleSheet("color:#6d4c41;")
        rv.addWidget(self.late_fee_note)
        self.tender_lines = message_label("tender_lines")
        rv.addWidget(self.tender_lines)
        self.remaining_label = QLabel("")
        self.remaining_label.setObjectName("remaining_label")
        self.remaining_label.setStyleSheet("color:#0d47a1; font-weight:bold;")
        rv.addWidget(self.remaining_label)
        self.tender_method = QLabel("")
        self.tender_method.setObjectName("tender_method")
        rv.addWidget(self.tender_method)
        self.tender_input = line_edit("tender_input")
        f = QFont(self.tender_input.font())
        f.setPointSize(18)
        self.tender_input.setFont(f)
        self.tender_input.setAlignment(Qt.AlignmentFlag.AlignRight)
        rv.addWidget(self.tender_input)
        self.tender_error = QLabel("")
        self.tender_error.setObjectName("tender_error")
        self.tender_error.setStyleSheet("color:#c62828;")
        self.tender_error.setWordWrap(True)
        rv.addWidget(self.tender_error)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Received")))
        self.received_total = big_label("received_total", 16)
        row.addWidget(self.received_total, 1)
        rv.addLayout(row)
        rv.addWidget(QLabel(tr("Change")))
        self.change_label = big_label("change_label", 40, "#c62828")
        rv.addWidget(self.change_label)
        self.change_to_prepaid = QCheckBox(tr("Keep change as prepaid (Ctrl+P)"))
        self.change_to_prepaid.setObjectName("change_to_prepaid")
        self.change_to_prepaid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.change_to_prepaid.toggled.connect(self.on_change_to_prepaid_toggled)
        rv.addWidget(self.change_to_prepaid)
        # Who actually pays when not the owner (a tenant, a relative): printed on the receipt.
        self.payer_name = line_edit("payer_name", tr("Payer (empty: the owner)"))
        self.payer_name.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes from the amount to the charges
        rv.addWidget(self.payer_name)
        self.pay_button = QPushButton(tr("Collect (Enter)"))
        self.pay_button.setObjectName("pay_button")
        self.pay_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pay_button.clicked.connect(self.on_pay_button_clicked)
        rv.addWidget(self.pay_button)
        self.last_receipt = message_label("last_receipt")
        rv.addWidget(self.last_receipt)
        rv.addStretch(1)
        splitter.addWidget(right)
        splitter.setSizes([330, 770, 255])  # the charges get the width: their 计费依据 shows in full
        splitter.setStretchFactor(1, 1)

        hints = QLabel(
            tr(
                "F1 help · F2 find · Enter open/pay · Space select · F3 quick charge · F4 receipts · "
                "F5 WeChat · F6 Alipay · F7 card · F8 transfer · F9 prepaid · F10 insurance · "
                "Ctrl+P change to prepaid · F11 shift · F12 supervisor · Ctrl+R reprint · Ctrl+L lock · "
                "Ctrl+Q log out · "
                "Esc clear"
            )
        )
        hints.setObjectName("key_hints")
        hints.setWordWrap(True)
        hints.setStyleSheet("color:#555; background:#eef; padding:3px;")
        outer.addWidget(hints)

        self.search_box.textEdited.connect(self.on_search_box_text_edited)
        self.search_box.returnPressed.connect(self.on_search_box_return_pressed)
        self.search_box.installEventFilter(_SearchKeys(self))
        self.tender_input.returnPressed.connect(self.on_tender_input_return_pressed)
        self.tender_input.textEdited.connect(self.on_tender_input_text_edited)
        # Tab as the payment goes: the code, the amount, then (one key) the charges to tick
        self.setTabOrder(self.search_box, self.tender_input)
        self.setTabOrder(self.tender_input, self.charges_table)
        self._show_tender_state()

    def _corrections_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("corrections_menu")
        for kind, text in (("waiver", N_("Waive the selected charge…")),
                           ("write_off", N_("Write off the selected charge…")),
                           ("deposit_refund", N_("Refund a deposit…")),
                           ("prepaid_refund", N_("Refund the prepaid balance…"))):
            action = menu.addAction(tr(text))
            action.setObjectName(f"correction_{kind}")
            action.triggered.connect(lambda _=False, k=kind: self.open_correction(k))
        return menu

    def open_correction(self, kind: str) -> None:
        """The dialog of a correction from the account card (app/ui/corrections.py); a charge's
        correction is of the charge the cursor is on in the charges table."""
        from app.services.desk import corrections
        from app.ui import corrections as dialogs

        if self.card is None or self.actor is None:
            self.search_error.setText(tr("Open an account first (type the room number and press Enter)."))
            return
        card = self.card
        if kind in ("waiver", "write_off"):
            idx = self.charges_table.currentIndex()
            if not idx.isValid():
                self.search_error.setText(tr("Put the cursor on a charge in the table first."))
                return
            charge = self.charges_model.row_at(self.charges_proxy.mapToSource(idx).row())
            make = dialogs.waiver_dialog if kind == "waiver" else dialogs.write_off_dialog
            self._show_correction(make(self, self.actor, card, charge))
        elif kind == "prepaid_refund":
            self._show_correction(dialogs.balance_refund_dialog(self, self.actor, card, "prepaid"))
        else:
            Op(self, corrections.deposits_held, name="deposits_held", actor=self.actor,
               account_code=card.code) \
                .on_success(lambda held: self._show_correction(
                    dialogs.balance_refund_dialog(self, self.actor, card, "deposit", held))) \
                .on_failure(lambda e: self.search_error.setText(e.message)).start()

    def _show_correction(self, dlg) -> None:
        self.correction_dialog = dlg
        dlg.accepted.connect(lambda: self._corrected(dlg.result_value))
        dlg.start()

    def _corrected(self, result) -> None:
        """The correction is saved (the card reloads on `ledger_changed`); its slip is printed."""
        names = {"waiver": tr("Waiver saved"), "write_off": tr("Written off"),
                 "deposit_refund": tr("Deposit refunded"), "prepaid_refund": tr("Prepaid refunded")}
        self.last_receipt.setText(tr("{0} {1}, approved by {2}").format(
            names.get(result.kind, result.kind), format_yuan(result.amount), result.approved_by or "—"))
        self.correction_made.emit(result)

    # -- session ------------------------------------------------------------------------------
    def set_actor(self, actor) -> None:
        self.actor = actor
        self.last_result = None  # Ctrl+R never reprints the previous user's receipt
        self.clear()

    def clear(self) -> None:
        self._hold_display = False
        self.last_receipt.setText("")
        self.card = None
        self._only_charge_ids = None
        self.hits_model.set_rows([])
        self.charges_model.set_rows([])
        for lab in self.card_fields.values():
            lab.setText("—")
        self.card_warnings.setText("")
        self.search_error.setText("")
        self.change_label.setText("")
        self.reset_tenders()
        self.search_box.clear()
        self.search_box.setFocus()

    def reset_tenders(self) -> None:
        self.tenders = []
        self.method = "cash"
        self._partial_confirm = ""
        self.tender_input.clear()
        self.tender_error.setText("")
        self.change_to_prepaid.setChecked(False)
        self.payer_name.clear()
        self._show_tender_state()

    # -- search -----------------------------------------------------------------------------------
    @Slot(str)
    def on_search_box_text_edited(self, text: str) -> None:
        self._search_seq += 1
        self._hit_moved = False
        self.search_error.setText("")
        seq = self._search_seq
        if not text.strip():
            self.hits_model.set_rows([])
            return
        Op(self, accounts.search_accounts, quiet=True, name="search", stale=lambda: seq != self._search_seq,
           actor=self.actor, query=text, limit=20) \
            .on_success(lambda hits: self._show_hits(seq, hits)) \
            .on_failure(lambda e: self.search_error.setText(e.message)).start()

    def _show_hits(self, seq: int, hits) -> None:
        if seq != self._search_seq:
            return  # a newer keystroke is on its way
        self.hits_model.set_rows(hits)
        if hits:
            self.search_results.selectRow(0)

    def move_hit(self, step: int) -> None:
        n = self.hits_model.rowCount()
        if not n:
            return
        current = self.search_results.currentIndex().row()
        row = max(0, min(n - 1, (current if current >= 0 else -1) + step))
        self.search_results.selectRow(row)
        self._hit_moved = True

    @Slot()
    def on_search_box_return_pressed(self) -> None:
        text = self.search_box.text().strip()
        if not text:
            return
        at = text.upper().find("FEEDESK|")
        if at >= 0:  # the QR code printed on a receipt (a scanner types it, maybe after leftover text)
            parts = text[at:].split("|")
            if len(parts) > 1 and parts[1]:
                self.search_box.clear()
                self.receipt_scanned.emit(parts[1])
                return
        preferred = ""
        if self._hit_moved and self.search_results.currentIndex().isValid():
            preferred = self.hits_model.row_at(self.search_results.currentIndex().row()).code
        self.open_account(text, preferred=preferred)

    def open_account(self, text: str, *, preferred: str = "", only_charge_ids: set[int] | None = None) -> None:
        self._only_charge_ids = only_charge_ids
        self._hold_display = False
        self._opening += 1  # a reload queued meanwhile (ledger_changed) must not replace this selection
        Op(self, reads.open_account, name="open_account", actor=self.actor, text=text, preferred=preferred) \
            .on_success(self._opened).on_failure(self._open_failed).start()

    def _opened(self, view) -> None:
        self._opening -= 1
        self._show_card(view)

    def _open_failed(self, error) -> None:
        self._opening -= 1
        self.search_error.setText(error.message)

    # -- card ---------------------------------------------------------------------------------------
    def _show_card(self, view, *, focus_tender: bool = True) -> None:
        card = view.card
        self.card = card
        self.late_fees = dict(view.late_fees)
        self.search_error.setText("")
        if focus_tender:  # a fresh open; a reload leaves the search box to the next payer being typed
            self.search_box.setText(card.code)
            self.hits_model.set_rows([])
            self._hold_display = False
            self.change_label.setText("")  # the previous payer's change and receipt line go
            self.last_receipt.setText("")
        f = self.card_fields
        f["code"].setText(card.code)
        f["owner"].setText(card.owner or "—")
        f["phone"].setText(card.phone or "—")
        f["unit"].setText(f"{card.building or '—'} · {card.status}")
        f["area"].setText(f"{card.built_area / 100:.2f} m²" if card.built_area else "—")
        f["arrears"].setText(format_yuan(card.arrears))
        f["arrears"].setStyleSheet("color:#c62828; font-weight:bold;" if card.arrears > 0 else "")
        f["prepaid"].setText(format_yuan(card.prepaid))
        f["deposits"].setText(format_yuan(card.deposits))
        warnings = []
        oldest = max((c.overdue_days for c in card.charges), default=0)
        if oldest > LONG_ARREARS_DAYS:
            warnings.append(tr("Long arrears: oldest charge {0} days overdue").format(oldest))
        if card.note:
            warnings.append(tr("Note: {0}").format(card.note))
        if card.tags:
            warnings.append(tr("Tags: {0}").format(card.tags))
        warnings += [tr("Open ticket: {0}").format(t) for t in card.open_tickets]
        if card.former_owner_debt:
            warnings.append(card.former_owner_debt)
        if card.occupants:
            warnings.append(tr("Occupants: {0}").format("、".join(card.occupants)))
        warnings += [tr("Written off, still collectable: {0}").format(w) for w in card.written_off]
        self.card_warnings.setText("\n".join(warnings))
        only = self._only_charge_ids
        self.charges_model.set_rows(card.charges)
        if only is not None:
            self.charges_model.set_checked({c.id for c in card.charges if c.id in only})
        elif card.former_owner_until is not None:  # the former owner's kept debt is not ticked for the new owner
            self.charges_model.set_checked({c.id for c in card.charges if c.due_date > card.former_owner_until})
        self._only_charge_ids = None
        self.reset_tenders()
        self.card_loaded.emit(card)
        if focus_tender:
            self.tender_input.setFocus()

    @Slot()
    def on_card_history_button_clicked(self) -> None:
        """The account's history and the payer's statement (a dialog of its own module)."""
        from app.ui.account_history import open_history

        if self.card is None or self.actor is None:
            self.search_error.setText(tr("Open an account first"))
            return
        if getattr(self, "history_dialog", None) is not None:
            self.history_dialog.deleteLater()  # one history at a time; the last one is not kept
        self.history_dialog = open_history(self, self.actor, self.card.code)

    def reload_card(self) -> None:
        if self.card is None or self.actor is None or self._opening:
            return
        checked = self.charges_model.checked
        Op(self, reads.card_view, name="reload_card", actor=self.actor, code=self.card.code) \
            .on_success(lambda c: self._reload_done(c, checked)).on_failure(lambda e: None).start()

    def _reload_done(self, view, checked) -> None:
        if self._opening:
            return  # an account being opened shows fresher data with its own selection
        keep_tenders, keep_input = self.tenders, self.tender_input.text()
        card = view.card
        self._show_card(view, focus_tender=False)
        self.charges_model.set_checked({c.id for c in card.charges if c.id in checked})
        self.tenders = keep_tenders
        self.tender_input.setText(keep_input)
        self._show_tender_state()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if obj is self.charges_table and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Space:
                idx = self.charges_table.currentIndex()
                if idx.isValid():
                    self.charges_model.toggle(self.charges_proxy.mapToSource(idx).row())
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.tender_input.setFocus()
                return True
        return super().eventFilter(obj, event)

    @Slot()
    def on_charges_model_data_changed(self, *args) -> None:
        self._show_tender_state()

    # -- tenders ----------------------------------------------------------------------------------------
    def due(self) -> int:
        """Selected outstanding plus the late fees the payment adds today."""
        return sum(c.outstanding + self.late_fees.get(c.id, 0) for c in self.charges_model.checked_rows())

    def tendered(self) -> int:
        return sum(t.amount for t in self.tenders)

    def remaining(self) -> int:
        return max(0, self.due() - self.tendered())

    def _show_tender_state(self) -> None:
        due = self.due()
        n_sel, n_all = len(self.charges_model.checked), self.charges_model.rowCount()
        self.amount_due.setText(format_yuan(due))
        self.selection_total.setText(tr("{0} of {1} charges selected, total {2}").format(n_sel, n_all, format_yuan(due))
                                     if n_all else "")
        late = sum(self.late_fees.get(c.id, 0) for c in self.charges_model.checked_rows())
        self.late_fee_note.setText(tr("Includes late fees {0} (as of today)").format(format_yuan(late)) if late else "")
        self.tender_lines.setText("\n".join(
            f"{tender_label(t.method)}  {format_yuan(t.amount)}" + (f"  ({t.reference})" if t.reference else "")
            for t in self.tenders))
        key = TENDER_KEY_NAMES.get(self.method, "")
        self.tender_method.setText(tr("{0} received (Enter)").format(tender_label(self.method)) if not key else
                                   tr("{0} amount [{1}], optional reference after a space").format(
                                       tender_label(self.method), key))
        if not self._hold_display:  # after a payment its 实收 stays until the next account or amount
            self.received_total.setText(format_yuan(self.tendered()) if self.tenders else "")
        self._show_live_change(due)
        if not self._hold_display:
            self.display_changed.emit(self.card.owner if self.card else "", due, self.tendered(), 0)

    def typed_cash(self) -> int:
        """The cash amount being typed (0 while it is not a valid amount or another tender is chosen)."""
        if self.method != "cash":
            return 0
        try:
            fen = Money.parse(self.tender_input.text().strip()).fen
        except FeeDeskError:
            return 0
        return max(fen, 0)

    def _show_live_change(self, due: int) -> None:
        """还需 after the tender lines; the change as the cash is typed (after a payment the
        paid change stays until the next account or the next amount)."""
        if self._hold_display or self.card is None:
            self.remaining_label.setText("")
            return
        typed = self.typed_cash()
        rest = due - self.tendered() - typed
        self.remaining_label.setText(tr("Still due {0}").format(format_yuan(rest))
                                     if self.tenders and rest > 0 else "")
        if typed or self.tenders:
            keep = self.change_to_prepaid.isChecked()
            self.change_label.setText(format_yuan(0 if keep else -rest) if rest <= 0 else "")
        else:
            self.change_label.setText("")

    @Slot(str)
    def on_tender_input_text_edited(self, _text: str) -> None:
        self._hold_display = False  # a new amount: the last payment's change gives way
        self._show_tender_state()

    def choose_tender(self, method: str) -> None:
        if self.card is None:
            self.search_error.setText(tr("Open an account first (type the room number and press Enter)."))
            return
        self.method = method
        self.tender_error.setText("")
        rest = self.remaining()
        if method == "prepaid" and self.card is not None:
            rest = min(rest, self.card.prepaid)
        self.tender_input.setText(format_yuan(rest) if rest else "")
        self.tender_input.selectAll()
        self.tender_input.setFocus()
        self._show_tender_state()

    def remove_last_tender(self) -> None:
        if self.tenders:
            self.tenders.pop()
            self._show_tender_state()

    @Slot(bool)
    def on_change_to_prepaid_toggled(self, checked: bool) -> None:
        self._show_tender_state()

    @Slot()
    def on_tender_input_return_pressed(self) -> None:
        if self.card is None:
            self.search_box.setFocus()
            return
        text = self.tender_input.text().strip()
        self.tender_error.setText("")
        if text:
            amount_text, _, ref = text.partition(" ")
            try:
                fen = Money.parse(amount_text).fen
            except FeeDeskError as exc:
                self.tender_error.setText(exc.message)
                self.tender_input.selectAll()
                return
            if fen <= 0:
                self.tender_error.setText(tr("The amount must be greater than zero."))
                return
            try:  # the service's own check, shown as the line is typed (a card or mobile tender needs its reference)
                tender = payments.validate_tender(payments.TenderInput(self.method, fen, ref.strip()))
            except FeeDeskError as exc:
                self.tender_error.setText(exc.message)
                self.tender_input.selectAll()
                return
            self.tenders.append(tender)
            was_cash = self.method == "cash"
            self.method = "cash"
            self.tender_input.clear()
            self._show_tender_state()
            if not was_cash and self.tendered() < self.due():
                self.tender_input.setFocus()
                return  # split tender: the rest follows
        if not self.tenders:
            if self.due() == 0:
                self.tender_error.setText(
                    tr("Nothing selected to pay. Type an amount and tick Ctrl+P to keep it as prepaid.")
                )
            return
        if self.tendered() < self.due() and not self.change_to_prepaid.isChecked():
            signature = repr(self.tenders)
            if self._partial_confirm != signature:
                self._partial_confirm = signature
                self.tender_error.setText(tr("Received {0} is less than due {1}: press Enter again to collect a part "
                                             "payment (oldest charges first), Esc to cancel.").format(
                    format_yuan(self.tendered()), format_yuan(self.due())))
                return
        self.pay()

    @Slot()
    def on_pay_button_clicked(self) -> None:
        if not self.tenders and self.tender_input.text().strip():
            self.on_tender_input_return_pressed()
            return
        if self.tenders:
            self.pay()

    def pay(self) -> None:
        if self.card is None or not self.tenders:
            return
        checked = self.charges_model.checked_rows()
        all_rows = self.charges_model.rows
        charge_ids = None if len(checked) == len(all_rows) else [c.id for c in checked]
        if charge_ids == [] and not self.change_to_prepaid.isChecked():
            self.tender_error.setText(tr("No charge selected."))
            return
        self.pay_button.setEnabled(False)
        Op(self, payments.pay, write=True, name="pay", actor=self.actor, account_code=self.card.code,
           tenders=list(self.tenders), charge_ids=charge_ids,
           change_to_prepaid=self.change_to_prepaid.isChecked(), payer_name=self.payer_name.text()) \
            .on_success(self._paid).on_failure(self._pay_failed).start()

    def _pay_failed(self, error: FeeDeskError) -> None:
        self.pay_button.setEnabled(True)
        self.tender_error.setText(error.message)
        self.tender_input.setFocus()

    def _paid(self, result: payments.PaymentResult) -> None:
        self.pay_button.setEnabled(True)
        self.last_result = result
        self.change_label.setText(format_yuan(result.change))
        self.received_total.setText(format_yuan(result.total_tendered))
        self.remaining_label.setText("")
        lines = [tr("Receipt {0}: collected {1}").format(result.receipt_no, format_yuan(result.total_tendered))]
        if result.late_fees:
            lines.append(tr("Late fees charged: {0}").format(format_yuan(sum(x.amount for x in result.late_fees))))
        if result.prepaid_added:
            lines.append(tr("Kept as prepaid: {0}, prepaid balance {1}").format(
                format_yuan(result.prepaid_added), format_yuan(result.prepaid_balance)))
        lines.append(tr("Arrears after payment: {0}").format(format_yuan(result.arrears_after)))
        if result.training:
            lines.append(tr("TRAINING MODE — not in the real books"))
        self.last_receipt.setText("\n".join(lines))
        payer = self.card.owner if self.card else ""
        self.display_changed.emit(payer, sum(a.amount for a in result.allocated) + result.prepaid_added,
             result.total_tendered, result.change)
        self._hold_display = True
        self.tenders = []
        self.method = "cash"
        self._partial_confirm = ""
        self.change_to_prepaid.setChecked(False)
        self.payment_recorded.emit(result)
        self.search_box.setFocus()
        self.search_box.selectAll()

    # -- keys -----------------------------------------------------------------------------------
    def handle_key(self, key: int, modifiers) -> bool:
        """Function keys of the workspace (called by the main window's shortcut handling)."""
        if key in TENDER_KEYS:
            self.choose_tender(TENDER_KEYS[key])
            return True
        if key == Qt.Key.Key_P and modifiers & Qt.KeyboardModifier.ControlModifier:
            self.change_to_prepaid.toggle()
            return True
        if key == Qt.Key.Key_Backspace and modifiers & Qt.KeyboardModifier.ControlModifier:
            self.remove_last_tender()
            return True
        if key == Qt.Key.Key_Escape:
            if self.tenders or self.tender_input.text():
                self.reset_tenders()
                self.tender_input.setFocus()
            else:
                self.clear()
            return True
        if key == Qt.Key.Key_F2:
            self.search_box.setFocus()
            self.search_box.selectAll()
            return True
        return False


__all__ = ["CashierWorkspace", "receipts"]
