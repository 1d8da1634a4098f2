"""Reports screen (报表): every report of `feedesk report` in the window.

Pick a report (list on the left, Up/Down), fill its parameters, Enter runs it off the GUI
thread (`report_catalog.load_report` through an `Op`; the progress line counts the rows
read, Cancel or Esc drops it). The preview is the document itself (`DocumentView`), a chart
sits beside the table where one helps (collection rate, ageing, takings through the day),
and Print (Alt+P, Qt's print dialog), Save PDF (Alt+S) and Save Excel (Alt+E) render that
same document with the CLI's writers. For supervisors, administrators and auditors
(`SCREEN_ROLES["reports"]`); the read functions check the role again.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services import reports
from app.ui import report_catalog as rc
from app.ui.charts import BarChart
from app.ui.document_view import DocumentView, print_with_dialog, save_document
from app.ui.i18n import N_, tr
from app.ui.models import line_edit, message_label, push_button, say
from app.ui.op import Op

PARAM_LABELS = {
    rc.DAY: N_("Business day"),
    rc.DATE_FROM: N_("From"),
    rc.DATE_TO: N_("To"),
    rc.MONTH: N_("Month"),
    rc.FROM_PERIOD: N_("From period"),
    rc.TO_PERIOD: N_("To period"),
    rc.BY: N_("Group by"),
    rc.IN_PERIOD: N_("Only money paid within each period"),
    rc.AS_OF: N_("As of"),
    rc.BUILDING: N_("Building"),
    rc.ACCOUNT: N_("Account"),
    rc.SHIFT: N_("Shift no."),
}


def _date_edit(name: str, month: bool = False) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat("yyyy-MM" if month else "yyyy-MM-dd")
    edit.setCalendarPopup(not month)
    return edit


class ReportsScreen(QWidget):
    def __init__(self, window):
        super().__init__()
        self.setObjectName("reports_screen")
        self.window_ = window
        self.login = None
        self.job: rc.Job | None = None
        self.loaded: rc.LoadedReport | None = None
        outer = QHBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 2)

        self.report_list = QListWidget()
        self.report_list.setObjectName("report_list")
        self.report_list.setMaximumWidth(190)
        for spec in rc.SPECS:
            item = QListWidgetItem(tr(spec.title))
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.report_list.addItem(item)
        self.report_list.currentRowChanged.connect(self.on_report_list_current_row_changed)
        self.report_list.itemActivated.connect(lambda _item: self.run_report())
        outer.addWidget(self.report_list)

        right = QVBoxLayout()
        outer.addLayout(right, 1)
        self.params_row = QHBoxLayout()
        self.inputs: dict[str, QWidget] = {
            rc.DAY: _date_edit("param_day"),
            rc.DATE_FROM: _date_edit("param_date_from"),
            rc.DATE_TO: _date_edit("param_date_to"),
            rc.MONTH: _date_edit("param_month", month=True),
            rc.FROM_PERIOD: _date_edit("param_from_period", month=True),
            rc.TO_PERIOD: _date_edit("param_to_period", month=True),
            rc.AS_OF: _date_edit("param_as_of"),
            rc.BUILDING: line_edit("param_building", tr("all"), max_width=90),
            rc.ACCOUNT: line_edit("param_account", tr("e.g. 1-2-301"), max_width=130),
        }
        by = QComboBox()
        by.setObjectName("param_by")
        for code, name in reports.GROUPINGS.items():
            by.addItem(name, code)
        self.inputs[rc.BY] = by
        in_period = QCheckBox(tr(PARAM_LABELS[rc.IN_PERIOD]))
        in_period.setObjectName("param_in_period")
        self.inputs[rc.IN_PERIOD] = in_period
        shift = QSpinBox()
        shift.setObjectName("param_shift_id")
        shift.setRange(1, 10_000_000)
        self.inputs[rc.SHIFT] = shift
        self.labels: dict[str, QLabel] = {}
        for kind, widget in self.inputs.items():
            if kind != rc.IN_PERIOD:
                lab = QLabel(tr(PARAM_LABELS[kind]))
                lab.setBuddy(widget)
                self.labels[kind] = lab
                self.params_row.addWidget(lab)
            self.params_row.addWidget(widget)
            if hasattr(widget, "returnPressed"):
                widget.returnPressed.connect(self.run_report)
        self.params_row.addStretch(1)
        right.addLayout(self.params_row)

        buttons = QHBoxLayout()
        self.run_button = push_button(tr("&Run (Enter)"), "report_run_button", self.run_report)
        self.cancel_button = push_button(tr("Cancel (Esc)"), "report_cancel_button", self.cancel_report)
        self.print_button = push_button(tr("&Print…"), "report_print_button", self.on_print_button_clicked)
        self.pdf_button = push_button(tr("&Save PDF…"), "report_pdf_button", lambda: self.save("pdf"))
        self.xlsx_button = push_button(tr("Save &Excel…"), "report_xlsx_button", lambda: self.save("xlsx"))
        for b in (self.run_button, self.cancel_button, self.print_button, self.pdf_button, self.xlsx_button):
            buttons.addWidget(b)
        self.progress = QProgressBar()
        self.progress.setObjectName("report_progress_bar")
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(140)
        buttons.addWidget(self.progress)
        self.progress_text = QLabel("")
        self.progress_text.setObjectName("report_progress")
        buttons.addWidget(self.progress_text)
        buttons.addStretch(1)
        right.addLayout(buttons)
        self.message = message_label("report_message")
        right.addWidget(self.message)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("report_splitter")
        self.preview = DocumentView("report_preview")
        self.chart = BarChart()
        self.chart.set_data(None)
        self.splitter.addWidget(self.preview)
        self.splitter.addWidget(self.chart)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([820, 360])
        self.chart.setMaximumWidth(460)
        right.addWidget(self.splitter, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(200)
        self.timer.timeout.connect(self.on_timer_timeout)
        self.set_business_date(dt.date.today())
        self._set_running(False)
        self.report_list.setCurrentRow(0)

    # -- screen protocol ----------------------------------------------------------------
    def set_login(self, login) -> None:
        """A new log-in starts with an empty screen: nobody sees the previous user's report."""
        self.login = login
        self.cancel_report()
        self.loaded = None
        self.preview.set_document(None)
        self.chart.set_data(None)
        self.message.setText("")
        self._set_running(False)

    def set_business_date(self, day: dt.date) -> None:
        p = rc.default_params(day)
        for kind in (rc.DAY, rc.DATE_FROM, rc.DATE_TO, rc.AS_OF):
            self.inputs[kind].setDate(QDate(p[kind]))
        for kind in (rc.MONTH, rc.TO_PERIOD):
            self.inputs[kind].setDate(QDate(day.year, day.month, 1))
        self.inputs[rc.FROM_PERIOD].setDate(QDate(day.year, 1, 1))

    def focus_first(self) -> None:
        self.report_list.setFocus()

    def handle_escape(self) -> None:
        self.cancel_report()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.run_report()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.cancel_report()
            return
        super().keyPressEvent(event)

    # -- parameters ---------------------------------------------------------------------
    def spec(self) -> rc.ReportSpec:
        return rc.SPECS[max(0, self.report_list.currentRow())]

    def select(self, key: str) -> None:
        self.report_list.setCurrentRow(next(i for i, s in enumerate(rc.SPECS) if s.key == key))

    @Slot(int)
    def on_report_list_current_row_changed(self, _row: int) -> None:
        wanted = set(self.spec().params)
        for kind, widget in self.inputs.items():
            widget.setVisible(kind in wanted)
            if kind in self.labels:
                self.labels[kind].setVisible(kind in wanted)

    def params(self) -> dict:
        out: dict = {}
        for kind in self.spec().params:
            w = self.inputs[kind]
            if isinstance(w, QDateEdit):
                d = w.date().toPython()
                out[kind] = d.strftime("%Y-%m") if w.displayFormat() == "yyyy-MM" else d
            elif isinstance(w, QComboBox):
                out[kind] = w.currentData()
            elif isinstance(w, QCheckBox):
                out[kind] = w.isChecked()
            elif isinstance(w, QSpinBox):
                out[kind] = w.value()
            else:
                out[kind] = w.text().strip()
        return out

    # -- running ------------------------------------------------------------------------
    def _set_running(self, on: bool) -> None:
        self.run_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)
        self.progress.setVisible(on)
        for b in (self.print_button, self.pdf_button, self.xlsx_button):
            b.setEnabled(not on and self.loaded is not None)
        if on:
            self.timer.start()
        else:
            self.timer.stop()
            self.progress_text.setText("")

    @Slot()
    def run_report(self) -> None:
        if self.login is None or self.job is not None:
            return
        if not self.window_.may_open("reports"):
            self._error(tr("This screen is for a supervisor."))
            return
        spec = self.spec()
        if spec.write and not self.confirm_write(spec):
            return
        job = self.job = rc.Job()
        self.loaded = None
        self.message.setText("")
        self._set_running(True)
        self.progress_text.setText(tr("Reading {0}…").format(tr(spec.title)))
        Op(
            self,
            rc.load_report,
            write=spec.write,
            long=spec.long,
            name="report",
            stale=job.cancel.is_set,
            actor=self.login.actor,
            key=spec.key,
            params=self.params(),
            job=job,
        ).on_success(lambda r: self._loaded(job, r)).on_failure(lambda e: self._failed(job, e)).start()

    def confirm_write(self, spec: rc.ReportSpec) -> bool:
        """A report that records something (a dunning run numbers its notices) is asked for first."""
        answer = QMessageBox.question(
            self,
            tr(spec.title),
            tr("This records a new dunning run and numbers its notices. Go ahead?"),
        )
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def on_timer_timeout(self) -> None:
        if self.job is not None and self.job.rows:
            self.progress_text.setText(tr("Reading… {0} rows").format(self.job.rows))

    @Slot()
    def cancel_report(self) -> None:
        """Drop the report being read: the worker stops at its next row; the window is free at once."""
        if self.job is None:
            return
        self.job.cancel.set()
        self.job = None
        self._set_running(False)
        self._error(tr("Cancelled"))

    def _loaded(self, job: rc.Job, loaded: rc.LoadedReport) -> None:
        if job is not self.job:
            return  # cancelled meanwhile
        self.job = None
        self.loaded = loaded
        self.preview.set_document(loaded.document)
        self.chart.set_data(loaded.chart)
        self._set_running(False)
        rows = sum(v.model().rowCount() for v in self.preview.tables)
        self._ok(tr("{0}: {1} rows").format(loaded.document.title, rows))

    def _failed(self, job: rc.Job, error) -> None:
        if job is not self.job:
            return
        self.job = None
        self.preview.set_document(None, error.message)
        self.chart.set_data(None)
        self._set_running(False)
        self._error(error.message)

    # -- output -------------------------------------------------------------------------
    @Slot()
    def on_print_button_clicked(self) -> None:
        if self.loaded is not None:
            print_with_dialog(
                self,
                self.loaded.document,
                lambda n: self._ok(tr("Printed {0} pages").format(n)),
                lambda e: self._error(e.message),
            )

    def save(self, kind: str, path: str = "") -> None:
        if self.loaded is not None:
            save_document(
                self,
                self.loaded.document,
                kind,
                lambda p: self._ok(tr("Saved: {0}").format(p)),
                lambda e: self._error(e.message),
                path,
                letters=self.loaded.letters,
            )

    def _ok(self, text: str) -> None:
        say(self.message, text)

    def _error(self, text: str) -> None:
        say(self.message, text, ok=False)


def make_screen(window) -> QWidget:
    return ReportsScreen(window)
