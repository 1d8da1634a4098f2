"""Back office: accounts lookup, arrears, fee items, users, verify and backup.

Only what the services offer as read functions or use cases; each tab loads through an Op
when shown and on `ledger_changed`. Backup and verify run off the GUI thread.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.money import format_yuan
from app.services import accounts, arrears, auth, backup, fees, verify
from app.ui.i18n import tr
from app.ui.models import RED, Column, DtoTableModel, configure_view, make_proxy
from app.ui.op import Op


def _table(name: str, model: DtoTableModel, parent) -> tuple[QTableView, object]:
    proxy = make_proxy(model, parent)
    view = QTableView()
    view.setObjectName(name)
    view.setModel(proxy)
    configure_view(view)
    return view, proxy


class BackOffice(QTabWidget):
    def __init__(self, window):
        super().__init__()
        self.setObjectName("backoffice")
        self.window_ = window
        self.login = None

        # Accounts
        acc = QWidget()
        av = QVBoxLayout(acc)
        self.account_filter = QLineEdit()
        self.account_filter.setObjectName("bo_account_filter")
        self.account_filter.setPlaceholderText(tr("Room, name, phone digits or pinyin initials"))
        av.addWidget(self.account_filter)
        self.accounts_model = DtoTableModel([
            Column(tr("Account"), lambda h: h.code), Column(tr("Owner"), lambda h: h.owner),
            Column(tr("Phone"), lambda h: h.phone), Column(tr("Building"), lambda h: h.building),
            Column(tr("Status"), lambda h: h.status)], self)
        self.accounts_view, _ = _table("bo_accounts", self.accounts_model, self)
        av.addWidget(self.accounts_view)
        self.account_filter.textEdited.connect(self.on_account_filter_text_edited)
        self.addTab(acc, tr("Accounts"))

        # Arrears
        arr = QWidget()
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
        self.arrears_view, self.arrears_proxy = _table("bo_arrears", self.arrears_model, self)
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
        self.fees_view, _ = _table("bo_fees", self.fees_model, self)
        self.addTab(self.fees_view, tr("Fee items"))

        # Users
        self.users_model = DtoTableModel([
            Column(tr("User"), lambda u: u.username), Column(tr("Name"), lambda u: u.display_name),
            Column(tr("Role"), lambda u: {"cashier": "收费员", "supervisor": "主管", "admin": "管理员",
                                          "auditor": "稽核"}.get(u.role, u.role)),
            Column(tr("Training"), lambda u: "✓" if u.training else "")], self)
        self.users_view, _ = _table("bo_users", self.users_model, self)
        self.addTab(self.users_view, tr("Users"))

        # Verify and backup
        vb = QWidget()
        vv = QVBoxLayout(vb)
        row = QHBoxLayout()
        self.verify_button = QPushButton(tr("Verify the books"))
        self.verify_button.setObjectName("bo_verify")
        self.verify_button.clicked.connect(self.on_verify_button_clicked)
        self.backup_button = QPushButton(tr("Back up to file…"))
        self.backup_button.setObjectName("bo_backup")
        self.backup_button.clicked.connect(self.on_backup_button_clicked)
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
        i = self.currentIndex()
        if i == 1:
            Op(self, arrears.arrears, name="arrears", actor=actor, as_of=dt.date.today()) \
                .on_success(self._arrears_loaded).on_failure(lambda e: self.arrears_total.setText(e.message)).start()
        elif i == 2:
            Op(self, fees.list_fees, name="list_fees", actor=actor).on_success(self.fees_model.set_rows) \
                .on_failure(lambda e: None).start()
        elif i == 3:
            Op(self, auth.list_users, name="list_users", actor=actor).on_success(self.users_model.set_rows) \
                .on_failure(lambda e: None).start()

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
        Op(self, verify.verify, name="verify", actor=self.login.actor).on_success(self._verified) \
            .on_failure(lambda e: self.ops_output.setPlainText(e.message)).start()

    def _verified(self, result) -> None:
        lines = [tr("Books balanced: all checks passed") if result.ok else
                 tr("CHECK FAILED: {0}").format(result.first_failure)]
        lines += [f"{k}: {v}" for k, v in result.checks.items()]
        lines += [f"{k}: {v}" for k, v in result.counts.items()]
        self.ops_output.setPlainText("\n".join(lines))

    @Slot()
    def on_backup_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Back up to file…"), "feedesk-backup.db")
        if path:
            self.start_backup(path)

    def start_backup(self, path: str) -> None:
        db = self.window_.factory.kw["bind"].url.database
        self.ops_output.setPlainText(tr("Backing up…"))
        Op(self, lambda _factory, db, to: backup.backup(db, to), raw=True, name="backup", db=db, to=path) \
            .on_success(lambda r: self.ops_output.setPlainText(
                tr("Backup written: {0} ({1} bytes), integrity {2}").format(r.path, r.size_bytes, r.integrity))) \
            .on_failure(lambda e: self.ops_output.setPlainText(e.message)).start()


def make_screen(window) -> QWidget:
    return BackOffice(window)
