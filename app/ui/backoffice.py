"""Back office: accounts (lookup, import with bad-row report), arrears, fee items, meter
readings grid, bill runs, receipt ranges, printers (test print, receipt preview), users,
settings (each value saved on its own, a refusal shown next to its field), verify and backup.

Only what the services offer as read functions or use cases; each tab loads through an Op
when shown and on `ledger_changed`. Long work (imports, bill runs, backups, verify) runs off
the GUI thread with the busy bar in the status bar (`Op(long=True)`).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.money import format_yuan
from app.services.bills import arrears, billing, fees
from app.services.desk import print_jobs as printing
from app.services.desk import receipt_stock
from app.services.desk.cashdesk import ACTION_NAMES, MANDATORY_APPROVAL
from app.services.journal import verify
from app.services.master import accounts, admin
from app.services.system import auth, backup
from app.ui.i18n import tr
from app.ui.models import (
    RED,
    Column,
    DtoTableModel,
    line_edit,
    message_label,
    proxied_table,
    push_button,
    table_widget,
)
from app.ui.op import Op


def add_fee(session, *, actor, fee_name: str, **kw) -> fees.FeeInfo:
    """fees.add_fee with the item's name passed as `fee_name` (`name` names the Op)."""
    return fees.add_fee(session, actor=actor, name=fee_name, **kw)


class BackOffice(QTabWidget):
    def __init__(self, window):
        super().__init__()
        self.setObjectName("backoffice")
        self.window_ = window
        self.login = None

        # Accounts
        acc = QWidget()
        av = QVBoxLayout(acc)
        self.account_filter = line_edit("bo_account_filter", tr("Room, name, phone digits or pinyin initials"))
        av.addWidget(self.account_filter)
        self.accounts_model = DtoTableModel([
            Column(tr("Account"), lambda h: h.code), Column(tr("Owner"), lambda h: h.owner),
            Column(tr("Phone"), lambda h: h.phone), Column(tr("Building"), lambda h: h.building),
            Column(tr("Status"), lambda h: h.status)], self)
        self.accounts_view, self.accounts_proxy = proxied_table("bo_accounts", self.accounts_model, self)
        av.addWidget(self.accounts_view)
        irow = QHBoxLayout()
        self.import_button = push_button(tr("Import from Excel/CSV…"), "bo_import", self.on_import_button_clicked)
        irow.addWidget(self.import_button)
        irow.addStretch(1)
        av.addLayout(irow)
        self.import_report = QPlainTextEdit()
        self.import_report.setObjectName("bo_import_report")
        self.import_report.setReadOnly(True)
        self.import_report.setMaximumHeight(140)
        av.addWidget(self.import_report)
        self._build_account_edit(av)
        self.account_filter.textEdited.connect(self.on_account_filter_text_edited)
        self.accounts_view.selectionModel().currentRowChanged.connect(self.on_accounts_current_row_changed)
        self.addTab(acc, tr("Accounts"))

        # Arrears
        arr = self.arrears_page = QWidget()
        arv = QVBoxLayout(arr)
        self.arrears_total = QLabel("")
        self.arrears_total.setObjectName("bo_arrears_total")
        arv.addWidget(self.arrears_total)
        self.arrears_model = DtoTableModel([
            Column(tr("Account"), lambda r: r.code), Column(tr("Owner"), lambda r: r.owner),
            Column(tr("Building"), lambda r: r.building),
            Column(tr("Outstanding"), lambda r: r.outstanding, money=True, color=lambda r: RED),
            Column(tr("Oldest due"), lambda r: r.oldest_due.isoformat()),
            Column(tr("Days overdue"), lambda r: r.days_overdue)], self)
        self.arrears_view, self.arrears_proxy = proxied_table("bo_arrears", self.arrears_model, self)
        arv.addWidget(self.arrears_view)
        self.addTab(arr, tr("Arrears"))

        # Fee items
        self.fees_model = DtoTableModel([
            Column(tr("Code"), lambda f: f.code), Column(tr("Item"), lambda f: f.name),
            Column(tr("Kind"), lambda f: fees.KIND_NAMES.get(f.kind, f.kind)),
            Column(tr("Pricing"), lambda f: fees.METHOD_NAMES.get(f.method, f.method)),
            Column(tr("Cycle"), lambda f: fees.CYCLE_NAMES.get(f.cycle, f.cycle)),
            Column(tr("Rate"), lambda f: f.rate), Column(tr("Since"), lambda f: f.effective_from),
            Column(tr("Department"), lambda f: f.department)], self)
        self.fees_view, self.fees_proxy = proxied_table("bo_fees", self.fees_model, self)
        self._build_fees_tab()

        self._build_meter_tab()
        self._build_bill_tab()
        self._build_ranges_tab()
        self._build_printers_tab()

        # Users
        self.users_model = DtoTableModel([
            Column(tr("User"), lambda u: u.username), Column(tr("Name"), lambda u: u.display_name),
            Column(tr("Role"), lambda u: {"cashier": "收费员", "supervisor": "主管", "admin": "管理员",
                                          "auditor": "稽核"}.get(u.role, u.role)),
            Column(tr("Training"), lambda u: "✓" if u.training else ""),
            Column(tr("Status"), user_state,
                   color=lambda u: RED if u.locked or u.locked_until or not u.active else None)], self)
        self.users_view, self.users_proxy = proxied_table("bo_users", self.users_model, self)
        users = self.users_page = QWidget()
        uv = QVBoxLayout(users)
        uv.addWidget(self.users_view)
        urow = QHBoxLayout()
        self.new_user = line_edit("bo_new_user", tr("user name"))
        self.new_user_name = line_edit("bo_new_user_name", tr("display name"))
        self.new_user_role = QComboBox()
        self.new_user_role.setObjectName("bo_new_user_role")
        for role, label in (("cashier", "收费员"), ("supervisor", "主管"), ("admin", "管理员"), ("auditor", "稽核")):
            self.new_user_role.addItem(label, role)
        self.new_user_password = line_edit("bo_new_user_password", tr("initial password"), password=True)
        add_user = push_button(tr("Add user"), "bo_add_user", self.on_add_user_clicked)
        self.unlock_user_button = push_button(tr("Unlock selected user"), "bo_unlock_user",
                                              self.on_unlock_user_clicked)
        for w in (self.new_user, self.new_user_name, self.new_user_role, self.new_user_password, add_user,
                  self.unlock_user_button):
            urow.addWidget(w)
        uv.addLayout(urow)
        # The selected user: disable/enable, reset the password, change the role (administrator only,
        # checked again by the services; every change audited).
        srow = QHBoxLayout()
        self.user_active_button = push_button(tr("Disable / enable selected user"), "bo_user_active",
                                              self.on_user_active_clicked)
        self.reset_password = line_edit("bo_reset_password", tr("temporary password"), password=True)
        self.reset_password_button = push_button(tr("Reset password"), "bo_reset_password_button",
                                                 self.on_reset_password_clicked)
        self.set_role = QComboBox()
        self.set_role.setObjectName("bo_set_role")
        for role, label in (("cashier", "收费员"), ("supervisor", "主管"), ("admin", "管理员"), ("auditor", "稽核")):
            self.set_role.addItem(label, role)
        self.set_role_button = push_button(tr("Change role"), "bo_set_role_button", self.on_set_role_clicked)
        for w in (self.user_active_button, self.reset_password, self.reset_password_button, self.set_role,
                  self.set_role_button):
            srow.addWidget(w)
        srow.addStretch(1)
        uv.addLayout(srow)
        self.users_message = QLabel("")
        self.users_message.setObjectName("bo_users_message")
        uv.addWidget(self.users_message)
        self.addTab(users, tr("Users"))
        self._build_settings_tab()

        # Verify and backup
        vb = QWidget()
        vv = QVBoxLayout(vb)
        row = QHBoxLayout()
        self.verify_button = push_button(tr("Verify the books"), "bo_verify", self.on_verify_button_clicked)
        self.backup_button = push_button(tr("Back up to file…"), "bo_backup", self.on_backup_button_clicked)
        row.addWidget(self.verify_button)
        row.addWidget(self.backup_button)
        row.addStretch(1)
        vv.addLayout(row)
        self.ops_output = QPlainTextEdit()
        self.ops_output.setObjectName("bo_output")
        self.ops_output.setReadOnly(True)
        vv.addWidget(self.ops_output)
        self.addTab(vb, tr("Verify and backup"))
        self.currentChanged.connect(self.on_tabs_current_changed)

    def set_login(self, login) -> None:
        self.login = login

    def focus_first(self) -> None:
        self.reload()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.reload()

    @Slot(int)
    def on_tabs_current_changed(self, index: int) -> None:
        self.reload()

    def reload(self) -> None:
        if self.login is None:
            return
        actor = self.login.actor
        page = self.currentWidget()
        if page is self.arrears_page:
            Op(self, arrears.arrears, name="arrears", actor=actor) \
                .on_success(self._arrears_loaded).on_failure(lambda e: self.arrears_total.setText(e.message)).start()
        elif page is self.fees_page:
            Op(self, fees.list_fees, name="list_fees", actor=actor).on_success(self.fees_model.set_rows) \
                .on_failure(lambda e: None).start()
        elif page is self.users_page:
            Op(self, auth.list_users, name="list_users", actor=actor).on_success(self.users_model.set_rows) \
                .on_failure(lambda e: None).start()
        elif page is self.ranges_page:
            Op(self, receipt_stock.list_ranges, name="list_ranges", actor=actor) \
                .on_success(self.ranges_model.set_rows) \
                .on_failure(lambda e: self.ranges_message.setText(e.message)).start()
        elif page is self.settings_page:
            Op(self, admin.list_settings, name="list_settings", actor=actor) \
                .on_success(self._settings_loaded) \
                .on_failure(lambda e: self.settings_message.setText(e.message)).start()
            self.load_reasons()
        elif page is self.printers_page:
            Op(self, printing.list_printers, name="list_printers", actor=actor) \
                .on_success(self.printers_model.set_rows).on_failure(lambda e: None).start()

    def _arrears_loaded(self, report) -> None:
        self.arrears_model.set_rows(report.rows)
        self.arrears_total.setText(tr("{0} accounts in arrears, total {1} (as of {2})").format(
            len(report.rows), format_yuan(report.total), report.as_of.isoformat()))

    @Slot(str)
    def on_account_filter_text_edited(self, text: str) -> None:
        if self.login is None or not text.strip():
            self.accounts_model.set_rows([])
            return
        Op(self, accounts.search_accounts, name="bo_search", actor=self.login.actor, query=text, limit=500) \
            .on_success(self.accounts_model.set_rows).on_failure(lambda e: None).start()

    @Slot()
    def on_verify_button_clicked(self) -> None:
        self.ops_output.setPlainText(tr("Verifying…"))
        Op(self, verify.verify, long=True, name="verify", actor=self.login.actor).on_success(self._verified) \
            .on_failure(lambda e: self.ops_output.setPlainText(e.message)).start()

    def _verified(self, result) -> None:
        names, counted = verify.CHECK_NAMES, verify.COUNT_NAMES
        shown = {names.get(k, k): (tr("passed") if v == "ok" else v) for k, v in result.checks.items()}
        failed = next((f"{k}：{v}" for k, v in shown.items() if v != tr("passed")), result.first_failure)
        lines = [tr("Books balanced: all checks passed") if result.ok else tr("CHECK FAILED: {0}").format(failed)]
        lines += [f"{k}：{v}" for k, v in shown.items()]
        lines += [tr("{0}: {1} rows").format(counted.get(k, k), v) for k, v in result.counts.items()]
        self.ops_output.setPlainText("\n".join(lines))

    @Slot()
    def on_backup_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Back up to file…"), "feedesk-backup.db")
        if path:
            self.start_backup(path)

    def start_backup(self, path: str) -> None:
        db = self.window_.factory.kw["bind"].url.database
        self.ops_output.setPlainText(tr("Backing up…"))
        Op(self, lambda _factory, db, to, actor: backup.backup(db, to, actor=actor), raw=True, long=True,
           name="backup", db=db, to=path, actor=self.login.actor) \
            .on_success(lambda r: self.ops_output.setPlainText(
                tr("Backup written: {0} ({1} bytes), integrity {2}").format(r.path, r.size_bytes, r.integrity))) \
            .on_failure(lambda e: self.ops_output.setPlainText(e.message)).start()


    # -- fee items, tariffs, assignments -------------------------------------------------------
    def _build_fees_tab(self) -> None:
        self.fees_page = QWidget()
        v = QVBoxLayout(self.fees_page)
        v.addWidget(self.fees_view, 1)
        self.fees_view.selectionModel().currentRowChanged.connect(self.on_fees_current_row_changed)

        box = QGroupBox(tr("New fee item"))
        box.setObjectName("bo_fee_box")
        g = QGridLayout(box)
        self.fee_code = line_edit("bo_fee_code", tr("code, e.g. TCF"))
        self.fee_name = line_edit("bo_fee_name")
        self.fee_method = QComboBox()
        self.fee_method.setObjectName("bo_fee_method")
        for key, label in fees.METHOD_NAMES.items():
            self.fee_method.addItem(label, key)
        self.fee_rate = line_edit("bo_fee_rate", tr("yuan, up to 4 decimals"))
        self.fee_cycle = QComboBox()
        self.fee_cycle.setObjectName("bo_fee_cycle")
        for key, label in fees.CYCLE_NAMES.items():
            self.fee_cycle.addItem(label, key)
        self.fee_kind = QComboBox()
        self.fee_kind.setObjectName("bo_fee_kind")
        for key, label in fees.KIND_NAMES.items():
            self.fee_kind.addItem(label, key)
        self.fee_due_days = line_edit("bo_fee_due_days", "0", "0")
        self.fee_late_fee = line_edit("bo_fee_late_fee", tr("e.g. 0.0005 or 0.05%"))
        self.fee_grace = line_edit("bo_fee_grace", "0", "0")
        self.fee_from = line_edit("bo_fee_from", tr("YYYY-MM-DD (empty: always)"))
        self.fee_department = line_edit("bo_fee_department")
        self.fee_unit = line_edit("bo_fee_unit", tr("e.g. 次"))
        add = push_button(tr("Add fee item"), "bo_fee_add", self.on_fee_add_clicked)
        cells = ((tr("Code"), self.fee_code), (tr("Item"), self.fee_name), (tr("Pricing"), self.fee_method),
                 (tr("Rate"), self.fee_rate), (tr("Cycle"), self.fee_cycle), (tr("Kind"), self.fee_kind),
                 (tr("Due after (days)"), self.fee_due_days), (tr("Late fee per day"), self.fee_late_fee),
                 (tr("Grace (days)"), self.fee_grace), (tr("Since"), self.fee_from),
                 (tr("Department"), self.fee_department), (tr("Unit"), self.fee_unit))
        for i, (label, w) in enumerate(cells):
            g.addWidget(QLabel(label), i // 4, (i % 4) * 2)
            g.addWidget(w, i // 4, (i % 4) * 2 + 1)
        g.addWidget(add, 3, 7)
        v.addWidget(box)

        row = QHBoxLayout()
        tariff = QGroupBox(tr("New rate from a date (tariff)"))
        tariff.setObjectName("bo_tariff_box")
        th = QHBoxLayout(tariff)
        self.tariff_code = line_edit("bo_tariff_code", tr("fee item code"))
        self.tariff_rate = line_edit("bo_tariff_rate", tr("new rate"))
        self.tariff_from = line_edit("bo_tariff_from", tr("from YYYY-MM-DD"))
        tadd = push_button(tr("Add rate"), "bo_tariff_add", self.on_tariff_add_clicked)
        for w in (self.tariff_code, self.tariff_rate, self.tariff_from, tadd):
            th.addWidget(w)
        row.addWidget(tariff)
        assign = QGroupBox(tr("Assign to accounts"))
        assign.setObjectName("bo_assign_box")
        ah = QHBoxLayout(assign)
        self.assign_code = line_edit("bo_assign_code", tr("fee item code"))
        self.assign_scope = QComboBox()
        self.assign_scope.setObjectName("bo_assign_scope")
        for key, label in (("account", tr("one account")), ("building", tr("a building")),
                           ("all", tr("all accounts"))):
            self.assign_scope.addItem(label, key)
        self.assign_target = line_edit("bo_assign_target", tr("account code or building"))
        self.assign_quantity = line_edit("bo_assign_quantity", tr("quantity"), "1")
        self.assign_quantity.setMaximumWidth(60)
        aadd = push_button(tr("Assign"), "bo_assign_add", self.on_assign_clicked)
        for w in (self.assign_code, self.assign_scope, self.assign_target, self.assign_quantity, aadd):
            ah.addWidget(w)
        row.addWidget(assign)
        v.addLayout(row)
        self.fees_message = message_label("bo_fees_message")
        v.addWidget(self.fees_message)
        self.addTab(self.fees_page, tr("Fee items"))

    def on_fees_current_row_changed(self, current, _previous) -> None:
        if current.isValid():
            fee = self.fees_model.row_at(self.fees_proxy.mapToSource(current).row())
            self.tariff_code.setText(fee.code)
            self.assign_code.setText(fee.code)

    def _fees_error(self, message: str) -> None:
        self.fees_message.setStyleSheet("color:#c62828;")
        self.fees_message.setText(message)

    def _fees_done(self, message: str) -> None:
        self.fees_message.setStyleSheet("")
        self.fees_message.setText(message)

    @staticmethod
    def _date(text: str) -> dt.date | None:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None

    @Slot()
    def on_fee_add_clicked(self) -> None:
        try:
            due, grace = int(self.fee_due_days.text() or "0"), int(self.fee_grace.text() or "0")
        except ValueError:
            self._fees_error(tr("Days must be whole numbers."))
            return
        try:
            since = self._date(self.fee_from.text())
        except ValueError:
            self._fees_error(tr("Date as YYYY-MM-DD, please."))
            return
        Op(self, add_fee, write=True, name="add_fee", actor=self.login.actor, code=self.fee_code.text(),
           fee_name=self.fee_name.text(), method=self.fee_method.currentData(), rate=self.fee_rate.text(),
           cycle=self.fee_cycle.currentData(), kind=self.fee_kind.currentData(), due_days=due,
           late_fee_daily=self.fee_late_fee.text().strip(), late_fee_grace=grace, effective_from=since,
           department=self.fee_department.text(), unit_name=self.fee_unit.text()) \
            .on_success(self._fee_added).on_failure(lambda e: self._fees_error(e.message)).start()

    def _fee_added(self, f) -> None:
        self._fees_done(tr("Fee item {0} {1} added: rate {2} from {3}.").format(
            f.code, f.name, f.rate, f.effective_from.isoformat() if f.effective_from else ""))
        for w in (self.fee_code, self.fee_name, self.fee_rate, self.fee_late_fee, self.fee_from,
                  self.fee_department, self.fee_unit):
            w.clear()

    @Slot()
    def on_tariff_add_clicked(self) -> None:
        try:
            since = self._date(self.tariff_from.text())
        except ValueError:
            since = None
        if since is None:
            self._fees_error(tr("Date as YYYY-MM-DD, please."))
            return
        Op(self, fees.add_tariff, write=True, name="add_tariff", actor=self.login.actor,
           code=self.tariff_code.text().strip(), rate=self.tariff_rate.text(), effective_from=since) \
            .on_success(lambda f: self._fees_done(tr("Fee item {0}: rate {1} from {2}.").format(
                f.code, f.rate, f.effective_from.isoformat()))) \
            .on_failure(lambda e: self._fees_error(e.message)).start()

    @Slot()
    def on_assign_clicked(self) -> None:
        qty = self.assign_quantity.text().strip() or "1"
        if not qty.isdigit():
            self._fees_error(tr("Quantity must be a whole number."))
            return
        scope, target = self.assign_scope.currentData(), self.assign_target.text().strip()
        code = self.assign_code.text().strip()
        Op(self, fees.assign_fee, write=True, name="assign_fee", actor=self.login.actor, fee_code=code,
           all_accounts=scope == "all", building=target if scope == "building" else None,
           account_code=target if scope == "account" else None, quantity=int(qty)) \
            .on_success(lambda n: self._fees_done(tr("Fee item {0} assigned to {1} accounts.").format(code, n))) \
            .on_failure(lambda e: self._fees_error(e.message)).start()

    # -- account edit ----------------------------------------------------------------------
    def _build_account_edit(self, parent_layout) -> None:
        box = self.account_edit_box = QGroupBox(tr("Edit the selected account"))
        box.setObjectName("bo_account_edit")
        grid = QGridLayout(box)
        self.edit_code = QLabel("")
        self.edit_code.setObjectName("bo_edit_code")
        self.edit_owner = line_edit("bo_edit_owner")
        self.edit_phone = line_edit("bo_edit_phone")
        self.edit_area = line_edit("bo_edit_area", tr("m², e.g. 89.50"))
        self.edit_status = QComboBox()
        self.edit_status.setObjectName("bo_edit_status")
        for name in accounts.STATUS_NAMES.values():
            self.edit_status.addItem(name, name)
        self.edit_tags = line_edit("bo_edit_tags")
        self.edit_note = line_edit("bo_edit_note", tr("shown to the cashier as a warning on the account card"))
        self.edit_save = push_button(tr("Save account"), "bo_edit_save", self.on_edit_save_clicked)
        self.edit_message = message_label("bo_edit_message")
        cells = ((tr("Account"), self.edit_code), (tr("Owner"), self.edit_owner), (tr("Phone"), self.edit_phone),
                 (tr("Built area"), self.edit_area), (tr("Status"), self.edit_status), (tr("Tags"), self.edit_tags))
        for i, (label, w) in enumerate(cells):
            grid.addWidget(QLabel(label), i // 3, (i % 3) * 2)
            grid.addWidget(w, i // 3, (i % 3) * 2 + 1)
        grid.addWidget(QLabel(tr("Account note")), 2, 0)
        grid.addWidget(self.edit_note, 2, 1, 1, 5)
        grid.addWidget(self.edit_save, 3, 0)
        grid.addWidget(self.edit_message, 3, 1, 1, 5)
        box.setEnabled(False)
        parent_layout.addWidget(box)

    def on_accounts_current_row_changed(self, current, _previous) -> None:
        if not current.isValid() or self.login is None:
            return
        hit = self.accounts_model.row_at(self.accounts_proxy.mapToSource(current).row())
        self.load_account_for_edit(hit.code)

    def load_account_for_edit(self, code: str) -> None:
        self.edit_message.setText("")
        Op(self, accounts.account_card, name="bo_account_card", actor=self.login.actor, code=code) \
            .on_success(self._account_for_edit).on_failure(lambda e: self.edit_message.setText(e.message)).start()

    def _account_for_edit(self, card) -> None:
        self.edited_code = card.code
        self.edit_code.setText(card.code)
        self.edit_owner.setText(card.owner)
        self.edit_phone.setText(card.phone)
        self.edit_area.setText(f"{card.built_area // 100}.{card.built_area % 100:02d}")
        self.edit_status.setCurrentIndex(max(0, self.edit_status.findData(card.status)))
        self.edit_tags.setText(card.tags)
        self.edit_note.setText(card.note)
        self.account_edit_box.setEnabled(True)

    @Slot()
    def on_edit_save_clicked(self) -> None:
        code = getattr(self, "edited_code", "")
        if not code:
            return
        self.edit_message.setText("")
        Op(self, admin.update_account, write=True, name="update_account", actor=self.login.actor, code=code,
           owner=self.edit_owner.text(), phone=self.edit_phone.text(), area=self.edit_area.text(),
           status=self.edit_status.currentData(), tags=self.edit_tags.text(), note=self.edit_note.text()) \
            .on_success(self._account_saved) \
            .on_failure(lambda e: (self.edit_message.setStyleSheet("color:#c62828;"),
                                   self.edit_message.setText(e.message))).start()

    def _account_saved(self, result) -> None:
        names = {"owner": tr("Owner"), "phone": tr("Phone"), "built_area": tr("Built area"), "status": tr("Status"),
                 "tags": tr("Tags"), "note": tr("Account note")}
        self.edit_message.setStyleSheet("")
        if result.changed:
            self.edit_message.setText(tr("Account {0} saved; changed: {1}").format(
                result.code, "、".join(names.get(k, k) for k in result.changed)))
        else:
            self.edit_message.setText(tr("Nothing changed."))
        self.on_account_filter_text_edited(self.account_filter.text())  # the list shows the new owner/phone

    # -- import ----------------------------------------------------------------------------
    @Slot()
    def on_import_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Import from Excel/CSV…"), "",
                                              tr("Tables (*.xlsx *.csv)"))
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        self.import_report.setPlainText(tr("Importing…"))
        Op(self, accounts.import_accounts, write=True, long=True, name="import_accounts", actor=self.login.actor,
           path=path).on_success(lambda r: self.import_report.setPlainText(
               tr("{0} accounts imported.").format(r.imported))).on_failure(self._import_failed).start()

    def _import_failed(self, error) -> None:
        rows = error.details.get("errors") if hasattr(error, "details") else None
        if rows:
            self.import_report.setPlainText(tr("Nothing was imported. Fix these rows and import again:") + "\n"
                                            + "\n".join(rows))
        else:
            self.import_report.setPlainText(error.message)

    # -- meter readings ----------------------------------------------------------------------
    def _build_meter_tab(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        v.addWidget(QLabel(tr("Meter readings: one row per meter; Enter moves down. Save checks every row.")))
        row = QHBoxLayout()
        self.meter_fee = line_edit("bo_meter_fee", text="SF", max_width=100)
        self.meter_date = line_edit("bo_meter_date", text=dt.date.today().isoformat(), max_width=120)
        row.addWidget(QLabel(tr("Fee item code")))
        row.addWidget(self.meter_fee)
        row.addWidget(QLabel(tr("Read on")))
        row.addWidget(self.meter_date)
        row.addStretch(1)
        v.addLayout(row)
        self.meter_grid = table_widget("bo_meter_grid", 12, [tr("Account"), tr("Reading"), tr("Usage"), tr("Flags")])
        v.addWidget(self.meter_grid, 1)
        save = push_button(tr("Save readings"), "bo_meter_save", self.on_meter_save_clicked)
        v.addWidget(save)
        self.meter_message = message_label("bo_meter_message")
        v.addWidget(self.meter_message)
        self.addTab(page, tr("Meter readings"))

    def meter_rows(self) -> list[tuple[int, str, str]]:
        rows = []
        for r in range(self.meter_grid.rowCount()):
            acc, rd = self.meter_grid.item(r, 0), self.meter_grid.item(r, 1)
            if acc and acc.text().strip() and rd and rd.text().strip():
                rows.append((r, acc.text().strip(), rd.text().strip()))
        return rows

    @Slot()
    def on_meter_save_clicked(self) -> None:
        rows = self.meter_rows()
        if not rows:
            self.meter_message.setText(tr("Type at least one account and reading."))
            return
        try:
            read_on = dt.date.fromisoformat(self.meter_date.text().strip())
        except ValueError:
            self.meter_message.setText(tr("Date as YYYY-MM-DD, please."))
            return

        def save_all(session, *, actor, fee_code, rows, read_on):
            return [(r, billing.read_meter(session, actor=actor, account_code=acc, fee_code=fee_code, reading=rd,
                                           read_on=read_on)) for r, acc, rd in rows]

        Op(self, save_all, write=True, name="read_meter", actor=self.login.actor,
           fee_code=self.meter_fee.text().strip(), rows=rows, read_on=read_on) \
            .on_success(self._meters_saved).on_failure(lambda e: self.meter_message.setText(e.message)).start()

    def _meters_saved(self, results) -> None:
        for r, res in results:
            self.meter_grid.setItem(r, 2, QTableWidgetItem(res.usage))
            flags = QTableWidgetItem("；".join(res.flags))
            if res.flags:
                flags.setForeground(RED)
            self.meter_grid.setItem(r, 3, flags)
        self.meter_message.setText(tr("{0} readings saved.").format(len(results)))

    # -- bill runs ---------------------------------------------------------------------------
    def _build_bill_tab(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.bill_period = line_edit("bo_bill_period", text=dt.date.today().strftime("%Y-%m"))
        run_button = push_button(tr("Run billing"), "bo_bill_run", self.on_bill_run_clicked)
        self.bill_result = QPlainTextEdit()
        self.bill_result.setObjectName("bo_bill_result")
        self.bill_result.setReadOnly(True)
        form.addRow(tr("Period"), self.bill_period)
        form.addRow("", run_button)
        form.addRow(self.bill_result)
        self.addTab(page, tr("Bill runs"))

    @Slot()
    def on_bill_run_clicked(self) -> None:
        self.bill_result.setPlainText(tr("Billing…"))
        Op(self, billing.bill_run, write=True, long=True, name="bill_run", actor=self.login.actor,
           period=self.bill_period.text().strip()).on_success(self._billed) \
            .on_failure(lambda e: self.bill_result.setPlainText(e.message)).start()

    def _billed(self, r) -> None:
        lines = [tr("Period {0}: {1} charges, total {2}; {3} already billed").format(
            r.period, r.created, format_yuan(r.total), r.skipped_existing)]
        lines += r.flags
        self.bill_result.setPlainText("\n".join(lines))

    # -- receipt ranges ----------------------------------------------------------------------
    def _build_ranges_tab(self) -> None:
        self.ranges_page = QWidget()
        v = QVBoxLayout(self.ranges_page)
        self.ranges_model = DtoTableModel([
            Column(tr("Prefix"), lambda r: r.prefix), Column(tr("From"), lambda r: r.first),
            Column(tr("To"), lambda r: r.last), Column(tr("Next"), lambda r: r.next),
            Column(tr("Holder"), lambda r: r.holder), Column(tr("Remaining"), lambda r: r.remaining)], self)
        self.ranges_view, _ = proxied_table("bo_ranges", self.ranges_model, self)
        v.addWidget(self.ranges_view, 1)
        row = QHBoxLayout()
        self.range_prefix = line_edit("bo_range_prefix", tr("prefix"))
        self.range_first = line_edit("bo_range_first", tr("first number"))
        self.range_last = line_edit("bo_range_last", tr("last number"))
        self.range_user = line_edit("bo_range_user", tr("to cashier (user name)"))
        issue = push_button(tr("Issue range"), "bo_range_issue", self.on_range_issue_clicked)
        for w in (self.range_prefix, self.range_first, self.range_last, self.range_user, issue):
            row.addWidget(w)
        v.addLayout(row)
        self.ranges_message = message_label("bo_ranges_message")
        v.addWidget(self.ranges_message)
        self.addTab(self.ranges_page, tr("Receipt ranges"))

    @Slot()
    def on_range_issue_clicked(self) -> None:
        first, last = self.range_first.text().strip(), self.range_last.text().strip()
        if not first.isdigit() or not last.isdigit():
            self.ranges_message.setText(tr("Numbers must be whole numbers."))
            return
        Op(self, receipt_stock.issue_range, write=True, name="issue_range", actor=self.login.actor,
           prefix=self.range_prefix.text().strip(), first=int(first), last=int(last),
           to_user=self.range_user.text().strip() or None).on_success(
            lambda r: (self.ranges_message.setText(tr("Range issued: {0}{1}–{2} to {3}").format(
                r.prefix, r.first, r.last, r.holder)), self.reload())) \
            .on_failure(lambda e: self.ranges_message.setText(e.message)).start()

    # -- printers ----------------------------------------------------------------------------
    def _build_printers_tab(self) -> None:
        self.printers_page = QWidget()
        h = QHBoxLayout(self.printers_page)
        v = QVBoxLayout()
        h.addLayout(v, 3)
        self.printers_model = DtoTableModel([
            Column(tr("Name"), lambda p: p.name), Column(tr("Station"), lambda p: p.station),
            Column(tr("Connection"), lambda p: printing.CONNECTION_NAMES.get(p.connection, p.connection)),
            Column(tr("Address"), lambda p: p.target), Column(tr("Paper"), lambda p: f"{p.width_mm} mm"),
            Column(tr("Default"), lambda p: "✓" if p.is_default else "")], self)
        self.printers_view, self.printers_proxy = proxied_table("bo_printers", self.printers_model, self)
        v.addWidget(self.printers_view, 1)
        row = QHBoxLayout()
        test = push_button(tr("Test print"), "bo_test_print", self.on_test_print_clicked)
        preview = push_button(tr("Receipt preview"), "bo_receipt_preview", self.on_preview_clicked)
        row.addWidget(test)
        row.addWidget(preview)
        row.addStretch(1)
        v.addLayout(row)
        self.printers_message = message_label("bo_printers_message")
        v.addWidget(self.printers_message)
        self.printer_preview = QLabel("")
        self.printer_preview.setObjectName("bo_printer_preview")
        self.printer_preview.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        h.addWidget(self.printer_preview, 2)
        self.addTab(self.printers_page, tr("Printers"))

    def selected_printer(self):
        idx = self.printers_view.currentIndex()
        if idx.isValid():
            return self.printers_model.row_at(self.printers_proxy.mapToSource(idx).row())
        return self.printers_model.rows[0] if self.printers_model.rows else None

    @Slot()
    def on_test_print_clicked(self) -> None:
        p = self.selected_printer()
        if p is None:
            self.printers_message.setText(tr("No printer configured (feedesk printer add)."))
            return
        from app.printing import queue

        Op(self, queue.print_test_page, raw=True, write=True, name="test_print", actor=self.login.actor,
           printer_name=p.name).on_success(lambda o: self.printers_message.setText(
               tr("Test page on {0}: {1}").format(p.name, tr("done") if o.status == "done" else o.error))) \
            .on_failure(lambda e: self.printers_message.setText(e.message)).start()

    @Slot()
    def on_preview_clicked(self) -> None:
        p = self.selected_printer()
        width = p.width_mm if p else 80

        def render(_factory, *, width):
            from app.printing.layout import sample_doc
            from app.printing.preview import render_preview_png

            return render_preview_png(sample_doc(), width)

        Op(self, render, raw=True, name="printer_preview", width=width).on_success(self._show_preview) \
            .on_failure(lambda e: self.printers_message.setText(e.message)).start()

    def _show_preview(self, png: bytes) -> None:
        pix = QPixmap()
        pix.loadFromData(png, "PNG")
        self.printer_preview.setPixmap(pix.scaledToWidth(min(pix.width(), 360),
                                                         Qt.TransformationMode.SmoothTransformation))

    # -- settings ----------------------------------------------------------------------------
    def _build_settings_tab(self) -> None:
        self.settings_page = QWidget()
        v = QVBoxLayout(self.settings_page)
        v.addWidget(QLabel(tr("Money in yuan; yes/no as 1 or 0; times as HH:MM. Enter or Save stores one value.")))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        self.settings_grid = QGridLayout(inner)
        self.settings_grid.setColumnStretch(3, 1)
        scroll.setWidget(inner)
        v.addWidget(scroll, 1)
        self.settings_message = message_label("bo_settings_message")
        v.addWidget(self.settings_message)
        v.addWidget(self._build_reasons_box())
        # key -> (label, edit, save button, message)
        self.setting_fields: dict[str, tuple[QLabel, QLineEdit, QPushButton, QLabel]] = {}
        self.addTab(self.settings_page, tr("Settings"))

    def _build_reasons_box(self) -> QGroupBox:
        """The preset reasons each correction dialog offers (app/ui/corrections.py), one a line."""
        from app.services.desk.cashdesk import ACTION_NAMES
        from app.services.desk.corrections import REASON_KINDS

        box = QGroupBox(tr("Preset reasons of corrections"))
        lay = QHBoxLayout(box)
        self.reasons_kind = QComboBox()
        self.reasons_kind.setObjectName("bo_reasons_kind")
        for kind in REASON_KINDS:
            self.reasons_kind.addItem(ACTION_NAMES[kind], kind)
        self.reasons_kind.currentIndexChanged.connect(lambda _i: self.load_reasons(kind_changed=True))
        self.reasons_edit = QPlainTextEdit()
        self.reasons_edit.setObjectName("bo_reasons_edit")
        self.reasons_edit.setPlaceholderText(tr("One reason a line"))
        self.reasons_edit.setTabChangesFocus(True)
        self.reasons_edit.setMaximumHeight(110)
        save = push_button(tr("Save"), "bo_reasons_save", self.save_reasons)
        save.setAutoDefault(False)
        self.reasons_message = message_label("bo_reasons_message")
        side = QVBoxLayout()
        for w in (self.reasons_kind, save, self.reasons_message):
            side.addWidget(w)
        side.addStretch(1)
        lay.addLayout(side)
        lay.addWidget(self.reasons_edit, 1)
        return box

    def load_reasons(self, *, kind_changed: bool = False) -> None:
        from app.services.desk import corrections

        def loaded(reasons: list[str]) -> None:
            if kind_changed or not self.reasons_edit.document().isModified():
                self._show_reasons(reasons)  # a list being typed (or just refused) stays as typed

        Op(self, corrections.preset_reasons, name="preset_reasons", actor=self.login.actor,
           kind=self.reasons_kind.currentData()).on_success(loaded) \
            .on_failure(lambda e: self.reasons_message.setText(e.message)).start()

    def _show_reasons(self, reasons: list[str], message: str = "") -> None:
        self.reasons_edit.setPlainText("\n".join(reasons))
        self.reasons_edit.document().setModified(False)
        self.reasons_message.setText(message)

    @Slot()
    def save_reasons(self) -> None:
        Op(
            self,
            admin.update_reason_presets,
            write=True,
            name="update_reason_presets",
            actor=self.login.actor,
            kind=self.reasons_kind.currentData(),
            reasons=self.reasons_edit.toPlainText().splitlines(),
        ).on_success(lambda r: self._show_reasons(r, tr("Saved."))).on_failure(
            lambda e: self.reasons_message.setText(e.message)
        ).start()

    def _settings_loaded(self, rows) -> None:
        self.settings_message.setText("")
        for row in rows:
            field = self.setting_fields.get(row.key)
            if field is None:
                n = len(self.setting_fields)
                label = QLabel(row.label)
                if row.key == "approval_required":
                    edit = ApprovalChecks(f"bo_setting_{row.key}")
                else:
                    edit = line_edit(f"bo_setting_{row.key}")
                    edit.setMinimumWidth(360)
                save = QPushButton(tr("Save"))
                save.setObjectName(f"bo_setting_save_{row.key}")
                save.setAutoDefault(False)
                message = QLabel("")
                message.setObjectName(f"bo_setting_message_{row.key}")
                message.setWordWrap(True)
                for col, w in enumerate((label, edit, save, message)):
                    self.settings_grid.addWidget(w, n, col)
                save.clicked.connect(lambda _=False, k=row.key: self.save_setting(k))
                edit.returnPressed.connect(lambda k=row.key: self.save_setting(k))
                field = self.setting_fields[row.key] = (label, edit, save, message)
            field[0].setText(row.label)
            if not field[1].isModified():  # a value being typed (or just refused) stays as typed
                field[1].setText(row.value)

    def save_setting(self, key: str) -> None:
        _label, edit, _save, message = self.setting_fields[key]
        message.setText("")
        Op(self, admin.update_setting, write=True, name="update_setting", actor=self.login.actor, key=key,
           value=edit.text()).on_success(lambda r: self._setting_saved(key, r)) \
            .on_failure(lambda e: self._setting_refused(key, e)).start()

    def _setting_saved(self, key: str, row) -> None:
        _label, edit, _save, message = self.setting_fields[key]
        edit.setModified(False)
        edit.setText(row.value)
        message.setStyleSheet("color:#2e7d32;")
        message.setText(tr("Saved."))

    def _setting_refused(self, key: str, error) -> None:
        _label, edit, _save, message = self.setting_fields[key]
        message.setStyleSheet("color:#c62828;")
        message.setText(error.message)
        edit.setFocus()

    # -- users -------------------------------------------------------------------------------
    @Slot()
    def on_add_user_clicked(self) -> None:
        Op(self, auth.add_user, write=True, name="add_user", actor=self.login.actor,
           username=self.new_user.text().strip(), role=self.new_user_role.currentData(),
           password=self.new_user_password.text(), display_name=self.new_user_name.text().strip()) \
            .on_success(lambda u: (self.users_message.setText(tr("User {0} added.").format(u.username)),
                                   self.new_user_password.clear(), self.reload())) \
            .on_failure(lambda e: self.users_message.setText(e.message)).start()


    def selected_user(self):
        index = self.users_view.currentIndex()
        if not index.isValid():
            self.users_message.setText(tr("Select a user in the list first."))
            return None
        return self.users_model.rows[self.users_proxy.mapToSource(index).row()]

    def _user_op(self, fn, name: str, done: str, **kw) -> None:
        Op(self, fn, write=True, name=name, actor=self.login.actor, **kw) \
            .on_success(lambda u: (self.users_message.setText(done.format(u.username)), self.reload())) \
            .on_failure(lambda e: self.users_message.setText(e.message)).start()

    @Slot()
    def on_unlock_user_clicked(self) -> None:
        user = self.selected_user()
        if user is not None:
            self._user_op(auth.unlock_user, "unlock_user", tr("User {0} unlocked."), username=user.username)

    @Slot()
    def on_user_active_clicked(self) -> None:
        user = self.selected_user()
        if user is not None:
            self._user_op(auth.set_active, "set_active",
                          tr("User {0} disabled.") if user.active else tr("User {0} enabled."),
                          username=user.username, active=not user.active)

    @Slot()
    def on_reset_password_clicked(self) -> None:
        user = self.selected_user()
        if user is not None:
            self._user_op(auth.reset_password, "reset_password",
                          tr("Password of {0} reset: it must be changed at the next log-in."),
                          username=user.username, password=self.reset_password.text())
            self.reset_password.clear()

    @Slot()
    def on_set_role_clicked(self) -> None:
        user = self.selected_user()
        if user is not None:
            self._user_op(auth.set_role, "set_role", tr("Role of {0} changed."), username=user.username,
                          role=self.set_role.currentData())


class ApprovalChecks(QWidget):
    """The `approval_required` setting as a check box per action, named in Chinese; the actions
    that always need a supervisor are ticked and cannot be unticked. It stands where the other
    settings have a line edit (text/setText/isModified), the value being the keys, comma-separated."""

    returnPressed = Signal()  # noqa: N815 - as QLineEdit's; a check box saves with the button

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        self._modified = False
        for action in admin.APPROVABLE:
            box = QCheckBox(ACTION_NAMES[action])
            box.setObjectName(f"{name}_{action}")
            if action in MANDATORY_APPROVAL:
                box.setChecked(True)
                box.setEnabled(False)
                box.setToolTip(tr("Always needs a second person with supervisor rights"))
            box.toggled.connect(self._touched)
            row.addWidget(box)
            self.boxes[action] = box
        row.addStretch(1)

    def _touched(self, _on: bool) -> None:
        self._modified = True

    def text(self) -> str:
        return ",".join(a for a, box in self.boxes.items() if box.isChecked())

    def setText(self, value: str) -> None:  # noqa: N802 - as QLineEdit's
        chosen = {v.strip() for v in value.split(",")}
        for action, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(action in chosen or action in MANDATORY_APPROVAL)
            box.blockSignals(False)

    def isModified(self) -> bool:  # noqa: N802 - as QLineEdit's
        return self._modified

    def setModified(self, on: bool) -> None:  # noqa: N802 - as QLineEdit's
        self._modified = on


def user_state(u) -> str:
    """Disabled, locked by wrong passwords until a local time, locked by hand, password to change, or ''."""
    if not u.active:
        return tr("Disabled")
    if u.must_change_password:
        return tr("Must change password")
    if u.locked:
        return tr("Locked")
    if u.locked_until is not None:
        from app.services.clock import local_time

        return tr("Locked until {0}").format(f"{local_time(u.locked_until):%H:%M}")
    return ""


def make_screen(window) -> QWidget:
    return BackOffice(window)
