"""Reconciliation screen (对账), in the supervisor's part of the window.

Import a statement (file dialog or drag and drop), run the matching for a day, see each
channel's status and the day's open items, and resolve one with a reason and a second
supervisor's approval (the same `ApprovalDialog` as voids and refunds).
Reads: `reconcile.day_view`, `reconcile.list_mappings`. Writes: `reconcile.import_statement`,
`reconcile.run_matching`, `reconcile.resolve`. No SQL, no models here.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.money import format_yuan
from app.services.bank import reconcile
from app.services.bank.statements import CHANNELS
from app.ui.dialogs import ApprovalDialog
from app.ui.models import (
    RED,
    Column,
    DtoTableModel,
    line_edit,
    message_label,
    proxied_table,
    push_button,
    say,
)
from app.ui.op import Op

STATUS_COLORS = {"reconciled": "#2e7d32", "open": "#c62828", "not_run": "#b26a00", "no_statement": "#b26a00"}


class ReconcileScreen(QWidget):
    def __init__(self, window):
        super().__init__()
        self.setObjectName("reconcile_screen")
        self.window_ = window
        self.login = None
        self.views: list[reconcile.ChannelDay] = []
        self.approval_dialog = None
        self.setAcceptDrops(True)
        lay = QVBoxLayout(self)

        top = QHBoxLayout()
        self.channel = QComboBox()
        self.channel.setObjectName("recon_channel")
        for code, name in CHANNELS.items():
            self.channel.addItem(name, code)
        self.channel.currentIndexChanged.connect(self.on_channel_current_index_changed)
        self.mapping = QComboBox()
        self.mapping.setObjectName("recon_mapping")
        self.mapping.setEnabled(False)
        self.date = QDateEdit(dt.date.today())
        self.date.setObjectName("recon_date")
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setCalendarPopup(True)
        self.date.dateChanged.connect(lambda _d: self.reload())
        top.addWidget(QLabel("渠道"))
        top.addWidget(self.channel)
        top.addWidget(QLabel("列映射"))
        top.addWidget(self.mapping)
        top.addWidget(push_button("导入对账单…", "recon_import_button", self.on_import_button_clicked))
        top.addSpacing(16)
        top.addWidget(QLabel("营业日"))
        top.addWidget(self.date)
        top.addWidget(push_button("对账", "recon_run_button", self.on_run_button_clicked))
        top.addStretch(1)
        lay.addLayout(top)
        hint = QLabel("可把对账单文件直接拖到此处导入（先选择渠道）。导入前整体校验，不合格的文件不会导入任何一行。")
        hint.setStyleSheet("color:#666;")
        lay.addWidget(hint)

        self.status = message_label("recon_status")
        self.status.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.status)

        self.model = DtoTableModel([
            Column("渠道", lambda o: CHANNELS[o.channel]),
            Column("差异类型", lambda o: reconcile.ITEM_NAMES[o.item],
                   color=lambda o: RED if o.item == "missing_on_statement" else None),
            Column("金额", lambda o: o.amount, money=True), Column("参考号", lambda o: o.reference),
            Column("说明", lambda o: o.detail), Column("编号", lambda o: o.key)], self)
        self.table, self.proxy = proxied_table("recon_open_items", self.model, self)
        for col, width in enumerate((90, 190, 90, 190, 520)):
            self.table.setColumnWidth(col, width)
        lay.addWidget(QLabel("未处理差异（只能由主管通过更正处理，不能修改记录）"))
        lay.addWidget(self.table, 1)

        row = QHBoxLayout()
        self.action = QComboBox()
        self.action.setObjectName("recon_action")
        for code, name in reconcile.ACTION_NAMES.items():
            self.action.addItem(name, code)
        self.account = line_edit("recon_account", "补录收款的缴费户编号，如 1-2-301", max_width=320)
        self.account.setMinimumWidth(260)
        row.addWidget(QLabel("处理方式"))
        row.addWidget(self.action)
        row.addWidget(self.account)
        row.addWidget(push_button("处理所选差异…", "recon_resolve_button", self.on_resolve_button_clicked))
        row.addStretch(1)
        lay.addLayout(row)
        self.message = message_label("recon_message")
        lay.addWidget(self.message)

    # -- screen protocol ------------------------------------------------------------------
    def set_login(self, login) -> None:
        self.login = login

    def set_business_date(self, day: dt.date) -> None:
        self.date.setDate(day)

    def focus_first(self) -> None:
        self.reload()
        self.table.setFocus()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.reload()
        self._load_mappings()

    def _load_mappings(self) -> None:
        if self.login is None:
            return
        Op(self, reconcile.list_mappings, name="recon_mappings", actor=self.login.actor) \
            .on_success(self._mappings_loaded).on_failure(lambda e: self.message.setText(e.message)).start()

    def _mappings_loaded(self, rows) -> None:
        self.mappings = rows
        self.on_channel_current_index_changed(self.channel.currentIndex())

    @Slot(int)
    def on_channel_current_index_changed(self, _index: int) -> None:
        channel = self.channel.currentData()
        self.mapping.clear()
        for m in getattr(self, "mappings", []):
            if m.channel == channel:
                self.mapping.addItem(m.name + ("（内置）" if m.builtin else ""), m.name)
        self.mapping.setEnabled(channel in ("bank", "card"))

    def reload(self) -> None:
        if self.login is None:
            return
        Op(self, reconcile.day_view, name="recon_day", actor=self.login.actor, day=self.date.date().toPython()) \
            .on_success(self._loaded).on_failure(lambda e: self.message.setText(e.message)).start()

    def _loaded(self, views) -> None:
        self.views = views
        parts = []
        for v in views:
            if v.status == "nothing":
                continue
            color = STATUS_COLORS.get(v.status, "#333")
            parts.append(f"<b>{CHANNELS[v.channel]}</b>：<span style='color:{color};font-weight:bold'>"
                         f"{reconcile.STATUS_NAMES[v.status]}</span>　FeeDesk {format_yuan(v.feedesk_total)}　"
                         f"对账单 {format_yuan(v.statement_total)}　手续费 {format_yuan(v.fees)}　"
                         f"已匹配 {len(v.matched)} 笔　未处理 {len(v.open_items)} 项　已处理 {len(v.resolved)} 项")
        self.status.setText("<br>".join(parts) or "该营业日没有需要对账的款项")
        self.model.set_rows([o for v in views for o in v.open_items])

    # -- import ---------------------------------------------------------------------------
    @Slot()
    def on_import_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择对账单文件", "",
                                              "对账单 (*.csv *.txt *.xlsx);;所有文件 (*)")
        if path:
            self.import_file(path)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.import_file(url.toLocalFile())
                break

    def import_file(self, path: str) -> None:
        if self.login is None:
            return
        channel = self.channel.currentData()
        mapping = self.mapping.currentData() if channel in ("bank", "card") else None
        Op(self, reconcile.import_statement, write=True, name="recon_import", actor=self.login.actor, channel=channel,
           path=path, mapping=mapping).on_success(self._imported) \
            .on_failure(lambda e: self._error(e.message)).start()

    def _imported(self, r) -> None:
        self._ok(f"已导入{CHANNELS[r.channel]}对账单 #{r.statement_id}（{r.file_name}）：{r.first_date} 至 "
                 f"{r.last_date}，{r.lines} 行，手续费 {format_yuan(r.total_fee)} 元。请按营业日对账。")
        self.date.setDate(r.first_date)
        self.reload()

    # -- run ------------------------------------------------------------------------------
    @Slot()
    def on_run_button_clicked(self) -> None:
        if self.login is None:
            return
        Op(self, reconcile.run_matching, write=True, name="recon_run", actor=self.login.actor,
           day=self.date.date().toPython()).on_success(self._ran) \
            .on_failure(lambda e: self._error(e.message)).start()

    def _ran(self, results) -> None:
        new = sum(r.new_matches for r in results)
        left = sum(r.open_items for r in results)
        self._ok(f"对账完成：新匹配 {new} 笔，未处理差异 {left} 项")
        self.reload()

    # -- resolve --------------------------------------------------------------------------
    def selected_item(self):
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(idx).row())

    @Slot()
    def on_resolve_button_clicked(self) -> None:
        item = self.selected_item()
        if item is None or self.login is None:
            self._error("请先选择一项未处理差异")
            return
        action = self.action.currentData()
        account = self.account.text().strip() or None
        summary = (f"{reconcile.ITEM_NAMES[item.item]}：{item.detail}\n处理方式：{reconcile.ACTION_NAMES[action]}"
                   + (f"（缴费户 {account}）" if account else ""))

        def submit(approver, password, reason, done, failed):
            Op(self, reconcile.resolve, write=True, name="recon_resolve", actor=self.login.actor, key=item.key,
               action=action, reason=reason, account_code=account, approver=approver or None,
               approver_password=password).on_success(done).on_failure(failed).start()

        dlg = ApprovalDialog(self, "处理对账差异", summary, submit)
        dlg.accepted.connect(lambda: self._resolved(dlg.result_value))
        self.approval_dialog = dlg
        dlg.open()

    def _resolved(self, r) -> None:
        text = f"已处理：{reconcile.ACTION_NAMES[r.action]} {format_yuan(r.amount)} 元"
        if r.receipt_no:
            text += f"，收据 {r.receipt_no}"
        if r.approved_by:
            text += f"，审批人 {r.approved_by}"
        self._ok(text)
        self.account.clear()
        self.reload()

    def _ok(self, text: str) -> None:
        say(self.message, text)

    def _error(self, text: str) -> None:
        say(self.message, text, ok=False)


def make_screen(window) -> QWidget:
    return ReconcileScreen(window)
