"""First run in the window: choose the ledger this computer works on, and remember it.

Shown by `main()` when nothing names a ledger (no `--db`, no FEEDESK_DB, no saved choice, no
default file), and from the Help menu for the administrator. Three ways, one tab each:
a new ledger (site name, administrator password of at least 8 characters, first window code),
an existing SQLite file, or a shared PostgreSQL ledger (the connection is tested before it can be
chosen). The choice goes to the config file (`config.save_choice`); `--db`/`--station` and the
environment variables still win over it. The work runs off the GUI thread through ops.
"""

from __future__ import annotations

from urllib.parse import quote

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import config
from app.ui.i18n import tr
from app.ui.models import line_edit, message_label, push_button
from app.ui.op import Op, OpRunner


def _create(_factory, **kw):
    from app.services.system import setup

    return setup.create_ledger(**kw)


def _check(_factory, **kw):
    from app.services.system import setup

    return setup.check_ledger(**kw)


def pg_url(host: str, port: int, dbname: str, user: str, password: str) -> str:
    """postgresql://user:password@host:port/dbname with every part quoted."""
    cred = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    return f"postgresql://{cred}@{host.strip()}:{port}/{quote(dbname.strip(), safe='')}"


class FirstRunDialog(QDialog):
    """`chosen(db, station)` after the choice is checked and saved; `db`/`station` then hold it."""

    chosen = Signal(str, str)

    def __init__(self, parent: QWidget | None, *, station: str = config.DEFAULT_STATION, first: bool = False):
        super().__init__(parent)
        self.setObjectName("first_run_dialog")
        self.setWindowTitle(tr("FeeDesk — choose the ledger"))
        self._previous_runner = OpRunner._current  # the main window's, when opened from its menu
        self.runner = OpRunner(None, self)
        self.db = ""
        self.station = ""
        self.tested_url = ""  # the PostgreSQL URL whose connection test passed
        lay = QVBoxLayout(self)
        intro = QLabel(tr("Welcome. This computer has no ledger yet: create one, open an existing ledger file, "
                          "or connect to the shared ledger of your office.") if first
                       else tr("Choose the ledger this computer works on. It applies at the next start."))
        intro.setObjectName("first_run_intro")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("first_run_tabs")
        self.tabs.addTab(self._new_page(station), tr("New ledger"))
        self.tabs.addTab(self._open_page(station), tr("Open a ledger file"))
        self.tabs.addTab(self._pg_page(station), tr("Shared ledger (PostgreSQL)"))
        lay.addWidget(self.tabs)
        self.message = message_label("first_run_message")
        self.message.setStyleSheet("color:#c62828;")
        lay.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(push_button(tr("Cancel"), "first_run_cancel", self.reject))
        lay.addLayout(row)
        self.resize(660, 520)

    # -- pages ---------------------------------------------------------------------------------
    def _new_page(self, station: str) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.new_site = line_edit("new_site", tr("e.g. Xingfuli property service centre"))
        self.new_path = line_edit("new_path", text=str(config.data_dir_path() / "feedesk.db"))
        self.new_password = line_edit("new_password", tr("at least 8 characters"), password=True)
        self.new_password2 = line_edit("new_password2", password=True)
        self.new_station = line_edit("new_station", text=station, max_width=120)
        form.addRow(tr("Site name"), self.new_site)
        form.addRow(tr("Ledger file"), self._with_browse(self.new_path, save=True))
        form.addRow(tr("Administrator password"), self.new_password)
        form.addRow(tr("Password again"), self.new_password2)
        form.addRow(tr("This window's code"), self.new_station)
        form.addRow(QLabel(tr("The administrator logs in as admin with this password.")))
        form.addRow(push_button(tr("Create the ledger"), "new_create", self.on_new_create_clicked))
        return page

    def _open_page(self, station: str) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.open_path = line_edit("open_path", tr("a .db file made by FeeDesk"))
        self.open_station = line_edit("open_station", text=station, max_width=120)
        form.addRow(tr("Ledger file"), self._with_browse(self.open_path, save=False))
        form.addRow(tr("This window's code"), self.open_station)
        form.addRow(push_button(tr("Open the ledger"), "open_ledger", self.on_open_ledger_clicked))
        return page

    def _pg_page(self, station: str) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.pg_host = line_edit("pg_host", tr("server name or address"))
        self.pg_port = QSpinBox()
        self.pg_port.setObjectName("pg_port")
        self.pg_port.setRange(1, 65535)
        self.pg_port.setValue(5432)
        self.pg_name = line_edit("pg_name", text="feedesk")
        self.pg_user = line_edit("pg_user", text="feedesk_app")
        self.pg_password = line_edit("pg_password", password=True)
        self.pg_station = line_edit("pg_station", text=station, max_width=120)
        for label, widget in ((tr("Server"), self.pg_host), (tr("Port"), self.pg_port),
                              (tr("Database"), self.pg_name), (tr("User"), self.pg_user),
                              (tr("Password"), self.pg_password), (tr("This window's code"), self.pg_station)):
            form.addRow(label, widget)
        for edit in (self.pg_host, self.pg_name, self.pg_user, self.pg_password, self.pg_station):
            edit.textChanged.connect(self.on_pg_changed)
        self.pg_port.valueChanged.connect(self.on_pg_changed)
        row = QHBoxLayout()
        row.addWidget(push_button(tr("Test the connection"), "pg_test", self.on_pg_test_clicked))
        self.pg_use = push_button(tr("Use this ledger"), "pg_use", self.on_pg_use_clicked)
        self.pg_use.setEnabled(False)
        row.addWidget(self.pg_use)
        form.addRow(row)
        self.pg_result = message_label("pg_result")
        form.addRow(self.pg_result)
        return page

    def _with_browse(self, edit, *, save: bool) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)

        def browse() -> None:
            pick = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
            path, _ = pick(self, tr("Ledger file"), edit.text(), tr("FeeDesk ledger (*.db);;All files (*)"))
            if path:
                edit.setText(path)

        row.addWidget(push_button(tr("Browse…"), f"{edit.objectName()}_browse", browse))
        return box

    # -- actions -------------------------------------------------------------------------------
    @Slot()
    def on_new_create_clicked(self) -> None:
        if self.new_password.text() != self.new_password2.text():
            self.message.setText(tr("The two passwords differ"))
            return
        db = self.new_path.text().strip()
        Op(self, _create, raw=True, name="create_ledger", db=db,
           site_name=self.new_site.text(), admin_password=self.new_password.text(),
           station_code=self.new_station.text()).on_success(lambda r: self._done(db, r.station)) \
            .on_failure(self._failed).start()

    @Slot()
    def on_open_ledger_clicked(self) -> None:
        db = self.open_path.text().strip()
        if not db:
            self.message.setText(tr("Choose the ledger file"))
            return
        station = self.open_station.text().strip().upper()
        Op(self, _check, raw=True, name="check_ledger", db=db, station_code=station) \
            .on_success(lambda _site: self._done(db, station)).on_failure(self._failed).start()

    def _pg(self) -> str:
        return pg_url(self.pg_host.text(), self.pg_port.value(), self.pg_name.text(), self.pg_user.text(),
                      self.pg_password.text())

    @Slot()
    def on_pg_changed(self) -> None:
        self.tested_url = ""
        self.pg_use.setEnabled(False)
        self.pg_result.setText("")

    @Slot()
    def on_pg_test_clicked(self) -> None:
        if not self.pg_host.text().strip():
            self.pg_result.setText(tr("Type the server name or address"))
            return
        url, station = self._pg(), self.pg_station.text().strip().upper()
        self.pg_result.setText(tr("Connecting…"))

        def passed(site: str) -> None:
            if url == self._pg():  # not edited meanwhile
                self.tested_url = url
                self.pg_use.setEnabled(True)
                self.pg_result.setText(tr("Connected: {0}").format(site))

        def failed(error) -> None:
            self.pg_result.setText(error.message)

        Op(self, _check, raw=True, name="check_pg", db=url, station_code=station) \
            .on_success(passed).on_failure(failed).start()

    @Slot()
    def on_pg_use_clicked(self) -> None:
        if self.tested_url and self.tested_url == self._pg():
            self._done(self.tested_url, self.pg_station.text().strip().upper())

    def _failed(self, error) -> None:
        self.message.setText(error.message)

    def _done(self, db: str, station: str) -> None:
        try:
            config.save_choice(db, station)
        except OSError as exc:
            self.message.setText(tr("Cannot save the choice: {0}").format(str(exc)))
            return
        self.db, self.station = db, station
        self.chosen.emit(db, station)
        self.accept()

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        self.runner.shutdown()
        OpRunner._current = self._previous_runner
        super().done(result)
