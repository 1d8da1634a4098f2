"""Program entry and the main window: log-in, lock, the screens in tabs, the status bar.

`main()` parses options, loads the bundled CJK font and the translation, opens the ledger
and shows `MainWindow`. The window owns the one `OpRunner` (services run off the GUI thread);
screens reload on its `ledger_changed` signal. Opening the ledger (engine, schema check) is
the only place here that touches app.db.engine; widgets never do.
"""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from app import config
from app.money import format_yuan
from app.ui.dialogs import ShortcutSheet
from app.ui.i18n import tr
from app.ui.login import LockPage, LoginPage
from app.ui.op import Op, OpRunner

log = logging.getLogger("feedesk.ui")
TITLE = "FeeDesk 收费台"
#: Who may open a screen (by tab, key or any other way); the services check again.
SCREEN_ROLES = {"supervisor": ("supervisor", "admin"), "reconcile": ("supervisor", "admin"),
                "backoffice": ("admin", "supervisor", "auditor"),
                "reports": ("supervisor", "admin", "auditor")}


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="feedesk-gui")
    p.add_argument("--db", default=None)
    p.add_argument("--station", default=None)
    p.add_argument("--lang", default="zh_CN")
    p.add_argument("--idle-lock", type=int, default=10, help="minutes of inactivity before the screen locks (0: never)")
    p.add_argument("--customer-display", action="store_true", help="show the payer-facing window")
    p.add_argument("--speak", action="store_true", help="customer display: say the amounts aloud (TTS)")
    return p.parse_args(argv)


def load_font():
    """The bundled CJK font as the window's font (machines without Chinese fonts show no boxes).
    A missing or unreadable font file raises MissingResource."""
    from PySide6.QtGui import QFont, QFontDatabase

    from app.errors import MissingResource

    path = config.font_path()
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        raise MissingResource(f"fonts/{path.name}")
    return QFont(families[0], 11)


class _IdleWatch(QObject):
    """Any key or mouse event restarts the idle timer."""

    def __init__(self, timer: QTimer, parent: QObject):
        super().__init__(parent)
        self.timer = timer

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            if self.timer.isActive():
                self.timer.start()
        return False


class MainWindow(QMainWindow):
    """Pages: log-in, work (tabs), lock. F-keys are window shortcuts routed to the current screen."""

    def __init__(self, factory=None, *, station_code: str, idle_minutes: int = 10, customer_display: bool = False,
                 banner: str = "", db: str | None = None, speak: bool = False):
        """With a session factory the window is complete at once (tests). With `db` only, the
        log-in page shows first and the ledger opens off the GUI thread meanwhile (the first op):
        the slow imports (SQLAlchemy, services) never delay the window."""
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle(TITLE)
        self.factory = factory
        self.opened = None  # the OpenLedger (lock, engine) when this window opened the ledger itself
        self.station_code = station_code
        self.runner = OpRunner(factory, self)
        self.login = None
        self.business_date = None  # the ledger's business date (time zone and cut-off applied)
        self.customer_display = None
        self.want_customer_display = customer_display
        self.want_speech = speak
        self.tabs = None
        self.screens: dict[str, QWidget] = {}

        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self.setCentralWidget(self.pages)
        self.login_page = LoginPage(station_code)
        self.login_page.logged_in.connect(self.on_login_page_logged_in)
        self.pages.addWidget(self.login_page)
        self.lock_page = LockPage()
        self.lock_page.unlocked.connect(self.on_lock_page_unlocked)
        self.pages.addWidget(self.lock_page)

        self._build_status_bar()
        self._build_menu()
        self._build_shortcuts()
        self.runner.ledger_changed.connect(self.on_runner_ledger_changed)
        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("idle_timer")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self.on_idle_timer_timeout)
        self.idle_minutes = idle_minutes
        QApplication.instance().installEventFilter(_IdleWatch(self.idle_timer, self))
        self.resize(1366, 768)
        self.login_page.username.setFocus()
        if factory is not None:
            self._ledger_ready(banner)
        else:
            Op(self, open_in_background, raw=True, name="open_ledger", runner=self.runner, db=db,
               station=station_code).on_success(lambda opened: self._opened(opened)) \
                .on_failure(self._open_failed).start()

    def _opened(self, opened) -> None:
        log.info("ledger opened%s", f" ({opened.banner})" if opened.banner else "")
        self.opened = opened
        self.factory = opened.factory
        self._ledger_ready(opened.banner)

    def _open_failed(self, error) -> None:
        """The ledger cannot be opened (missing, broken, refused): its Chinese message in a
        dialog and on the log-in page, which stays locked."""
        from app.ui.dialogs import show_error

        log.warning("ledger not opened: %s", error.message)
        self.login_page.error.setText(error.message)
        self.login_page.login_button.setEnabled(False)
        show_error(self, error.message)

    def _ledger_ready(self, banner: str) -> None:
        from app.ui.workspace import CashierWorkspace

        self.tabs = QTabWidget()
        self.tabs.setObjectName("main_tabs")
        self.workspace = CashierWorkspace()
        self.workspace.payment_recorded.connect(self.on_workspace_payment_recorded)
        self.workspace.receipt_scanned.connect(self.on_workspace_receipt_scanned)
        self.workspace.correction_made.connect(self.on_workspace_correction_made)
        self.tabs.addTab(self.workspace, tr("Cashier (F2)"))
        self.screens["workspace"] = self.workspace
        self._add_optional_screens()
        self.tabs.currentChanged.connect(self.on_tabs_current_changed)
        self.pages.addWidget(self.tabs)
        log.info("screens: %s", ", ".join(self.screens))
        if banner:
            self.status_message.setText(banner)
            self.status_message.setStyleSheet("color:#c62828; font-weight:bold;")
            self.setWindowTitle(f"{TITLE} — {banner}")
        if self.want_customer_display:
            from app.ui.customer_display import CustomerDisplay

            self.customer_display = CustomerDisplay(speak=self.want_speech)
            self.workspace.display_changed.connect(self.customer_display.on_workspace_display_changed)
        self.login_page.check_demo()

    # -- screens -------------------------------------------------------------------------------
    def _add_optional_screens(self) -> None:
        """Screens whose services exist in this build (each module decides for itself)."""
        from app.ui import backoffice, shift, tickets_screen

        for key, module, label in (("shift", shift, tr("Shift (F11)")),
                                   ("tickets", tickets_screen, tr("Complaints & repairs")),
                                   ("backoffice", backoffice, tr("Back office"))):
            screen = module.make_screen(self)
            if screen is not None:
                self.screens[key] = screen
                self.tabs.addTab(screen, label)
        from app.ui import receipts_screen, reconcile_screen, supervisor

        for key, module, label in (("receipts", receipts_screen, tr("Receipts (F4)")),
                                   ("supervisor", supervisor, tr("Supervisor (F12)")),
                                   ("reconcile", reconcile_screen, "对账")):
            screen = module.make_screen(self)
            if screen is not None:
                self.screens[key] = screen
                self.tabs.insertTab(1 if key == "receipts" else self.tabs.count() - 1, screen, label)
        from app.ui import reports_screen

        self.screens["reports"] = reports_screen.make_screen(self)
        self.tabs.addTab(self.screens["reports"], tr("Reports"))

    def show_screen(self, key: str) -> bool:
        screen = self.screens.get(key)
        if screen is None or self.tabs is None or self.pages.currentWidget() is not self.tabs:
            return False
        if not self.may_open(key):
            self.status_message.setText(tr("This screen is for a supervisor."))
            return False
        self.tabs.setCurrentWidget(screen)
        if hasattr(screen, "focus_first"):
            screen.focus_first()
        return True

    @Slot(int)
    def on_tabs_current_changed(self, index: int) -> None:
        """However a screen became current (Ctrl+Tab, a hidden tab, code), one not for this role goes."""
        screen = self.tabs.widget(index)
        key = next((k for k, w in self.screens.items() if w is screen), "")
        if not self.may_open(key):
            self.tabs.setCurrentWidget(self.workspace)

    def may_open(self, key: str) -> bool:
        roles = SCREEN_ROLES.get(key)
        return roles is None or (self.login is not None and self.login.user.role in roles)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("status_bar")
        self.status_labels: dict[str, QLabel] = {}
        for key in ("cashier", "station", "business_date", "shift", "drawer", "printer"):
            lab = QLabel("")
            lab.setObjectName(f"status_{key}")
            lab.setContentsMargins(6, 0, 6, 0)
            bar.addPermanentWidget(lab)
            self.status_labels[key] = lab
        self.status_message = QLabel("")
        self.status_message.setObjectName("status_message")
        bar.addWidget(self.status_message, 1)
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("busy_bar")
        self.busy_bar.setRange(0, 0)  # indeterminate: imports, bill runs, backups, verify
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.setVisible(False)
        bar.addWidget(self.busy_bar)
        self.runner.busy_changed.connect(self.busy_bar.setVisible)

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(tr("Help"))
        menu.setObjectName("help_menu")
        self.open_logs_action = menu.addAction(tr("Open the log folder"))
        self.open_logs_action.setObjectName("open_logs_action")
        self.open_logs_action.triggered.connect(self.on_open_logs_action_triggered)
        self.choose_ledger_action = menu.addAction(tr("Choose the ledger… (administrator)"))
        self.choose_ledger_action.setObjectName("choose_ledger_action")
        self.choose_ledger_action.setEnabled(False)
        self.choose_ledger_action.triggered.connect(self.on_choose_ledger_action_triggered)

    @Slot()
    def on_open_logs_action_triggered(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        folder = config.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.status_message.setText(tr("Log folder: {0}").format(str(folder)))

    @Slot()
    def on_choose_ledger_action_triggered(self) -> None:
        """The administrator changes the saved ledger choice; it applies at the next start."""
        from app.ui.first_run import FirstRunDialog

        if self.login is None or self.login.user.role != "admin":
            return
        dlg = FirstRunDialog(self, station=self.station_code)
        dlg.chosen.connect(lambda _db, _st: self.status_message.setText(
            tr("The new ledger choice applies when the program is started again")))
        self.first_run_dialog = dlg
        dlg.open()

    def _build_shortcuts(self) -> None:
        keys = [Qt.Key.Key_F1, Qt.Key.Key_F2, Qt.Key.Key_F3, Qt.Key.Key_F4, Qt.Key.Key_F11, Qt.Key.Key_F12,
                Qt.Key.Key_Escape, Qt.Key.Key_F5, Qt.Key.Key_F6, Qt.Key.Key_F7, Qt.Key.Key_F8, Qt.Key.Key_F9,
                Qt.Key.Key_F10]
        self.shortcuts: list[QShortcut] = []
        for key in keys:
            sc = QShortcut(QKeySequence(key), self)
            sc.activated.connect(lambda k=key: self.on_key(k, Qt.KeyboardModifier.NoModifier))
            self.shortcuts.append(sc)
        for key in (Qt.Key.Key_L, Qt.Key.Key_P, Qt.Key.Key_R, Qt.Key.Key_Q, Qt.Key.Key_Backspace):
            sc = QShortcut(QKeySequence(Qt.KeyboardModifier.ControlModifier | key), self)
            sc.activated.connect(lambda k=key: self.on_key(k, Qt.KeyboardModifier.ControlModifier))
            self.shortcuts.append(sc)

    def on_key(self, key, modifiers) -> None:
        if self.tabs is None or self.pages.currentWidget() is not self.tabs:
            return
        if self.runner.holds(self.tabs.currentWidget()):
            return  # the screen's write is in flight: no key acts on it until it returns
        ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
        if key == Qt.Key.Key_F1:
            ShortcutSheet(self).open()
        elif ctrl and key == Qt.Key.Key_L:
            self.lock()
        elif ctrl and key == Qt.Key.Key_Q:
            self.log_out()
        elif key == Qt.Key.Key_F2:
            self.tabs.setCurrentWidget(self.workspace)
            self.workspace.handle_key(key, modifiers)
        elif key == Qt.Key.Key_F3:
            self.open_quick_charge()
        elif key == Qt.Key.Key_F4:
            self.show_screen("receipts")
        elif key == Qt.Key.Key_F11:
            self.show_screen("shift")
        elif key == Qt.Key.Key_F12:
            self.show_screen("supervisor")
        elif ctrl and key == Qt.Key.Key_R:
            screen = self.screens.get("receipts")
            if screen is None:
                return
            if self.tabs.currentWidget() is screen:  # the receipt selected there, not the last one taken
                screen.reprint_selected()
            elif self.workspace.last_result is not None:
                screen.reprint(self.workspace.last_result.receipt_no)
        elif self.tabs.currentWidget() is self.workspace:
            self.workspace.handle_key(key, modifiers)
        elif key == Qt.Key.Key_Escape:
            current = self.tabs.currentWidget()
            if hasattr(current, "handle_escape"):
                current.handle_escape()

    # -- session -------------------------------------------------------------------------------
    @Slot(object)
    def on_login_page_logged_in(self, login) -> None:
        self.login = login
        self.status_message.setText("")
        self.workspace.set_actor(login.actor)
        for screen in self.screens.values():
            if screen is not self.workspace and hasattr(screen, "set_login"):
                screen.set_login(login)
        self.choose_ledger_action.setEnabled(login.user.role == "admin")
        for key in SCREEN_ROLES:
            if key in self.screens:
                self.tabs.setTabVisible(self.tabs.indexOf(self.screens[key]), self.may_open(key))
        self.pages.setCurrentWidget(self.tabs)
        self.tabs.setCurrentWidget(self.workspace)
        self._mark_training(login.training)
        from app.services.system.auth import ROLE_NAMES

        role = next((name for r, name in ROLE_NAMES.items() if r.value == login.user.role), login.user.role)
        self.status_labels["cashier"].setText(tr("{0}: {1}").format(role, login.user.display_name))
        name = login.station_name  # "W01 收费窗口" already names the station: W01 shown once
        if name.startswith(login.station_code):
            name = name[len(login.station_code):].strip()
        self.status_labels["station"].setText(tr("Station: {0} {1}").format(login.station_code, name))
        self.refresh_status()
        if self.idle_minutes > 0:
            self.idle_timer.start(self.idle_minutes * 60_000)
        self.workspace.search_box.setFocus()
        if self.customer_display is not None:
            self.customer_display.show()

    def _mark_training(self, on: bool) -> None:
        """Practice mode shows on every screen: a red mark beside the tabs and in the title."""
        if on:
            mark = QLabel(tr("PRACTICE MODE — not real takings"))
            mark.setObjectName("training_mark")
            mark.setStyleSheet("background:#c62828; color:white; font-weight:bold; padding:2px 10px;")
            self.tabs.setCornerWidget(mark, Qt.Corner.TopRightCorner)
            mark.show()
            self.setWindowTitle(f"{TITLE} — {tr('PRACTICE MODE — not real takings')}")
        elif self.tabs.cornerWidget(Qt.Corner.TopRightCorner) is not None:
            self.tabs.cornerWidget(Qt.Corner.TopRightCorner).deleteLater()
            self.tabs.setCornerWidget(None, Qt.Corner.TopRightCorner)
            self.setWindowTitle(TITLE)

    def log_out(self) -> None:
        """Back to the log-in page; the next user starts with a clean workspace."""
        self.idle_timer.stop()
        self.login = None
        self.choose_ledger_action.setEnabled(False)
        self.workspace.set_actor(None)
        for lab in self.status_labels.values():
            lab.setText("")
        self.status_message.setText(tr("Logged out"))
        self.pages.setCurrentWidget(self.login_page)
        self.login_page.username.clear()
        self.login_page.reset()
        self.login_page.username.setFocus()

    def lock(self) -> None:
        if self.login is None:
            return
        self.idle_timer.stop()
        self.lock_page.lock(self.login)
        self.pages.setCurrentWidget(self.lock_page)
        if self.customer_display is not None:
            self.customer_display.on_workspace_display_changed("", 0, 0, 0)

    @Slot()
    def on_idle_timer_timeout(self) -> None:
        self.lock()

    @Slot(object)
    def on_lock_page_unlocked(self, who) -> None:
        self.pages.setCurrentWidget(self.tabs)
        if self.idle_minutes > 0:
            self.idle_timer.start(self.idle_minutes * 60_000)
        self.status_message.setText(tr("Unlocked by {0}").format(who.user.display_name))
        self.workspace.search_box.setFocus()

    def open_quick_charge(self) -> None:
        from app.ui.quick_charge import QuickChargeDialog

        self.tabs.setCurrentWidget(self.workspace)
        code = self.workspace.card.code if self.workspace.card else ""
        dlg = QuickChargeDialog(self, self.login.actor, code)
        dlg.charges_posted.connect(self.on_quick_charge_posted)
        self.quick_charge_dialog = dlg
        dlg.open()

    @Slot(str, object)
    def on_quick_charge_posted(self, code: str, added) -> None:
        self.workspace.open_account(code, only_charge_ids={a.charge_id for a in added})

    @Slot(str)
    def on_workspace_receipt_scanned(self, receipt_no: str) -> None:
        if self.show_screen("receipts"):
            self.screens["receipts"].show_receipt(receipt_no)

    @Slot(object)
    def on_workspace_payment_recorded(self, result) -> None:
        self.status_message.setText(tr("Receipt {0} collected, change {1}").format(
            result.receipt_no, format_yuan(result.change)))
        printer = self.screens.get("receipts")
        if printer is not None and hasattr(printer, "print_after_payment"):
            printer.print_after_payment(result)

    @Slot(object)
    def on_workspace_correction_made(self, result) -> None:
        """A waiver, write-off or balance refund from the account card: its slip, as a void's."""
        printer = self.screens.get("receipts")
        if printer is not None and hasattr(printer, "print_after_correction"):
            printer.print_after_correction(result)

    @Slot()
    def on_runner_ledger_changed(self) -> None:
        self.refresh_status()
        self.workspace.reload_card()
        for screen in self.screens.values():
            if screen is not self.workspace and hasattr(screen, "reload") and screen.isVisible():
                screen.reload()

    def refresh_status(self) -> None:
        if self.login is None:
            return
        from app.services.desk import reads

        Op(self, reads.status_info, quiet=True, name="status", actor=self.login.actor).on_success(self._show_status) \
            .on_failure(lambda e: self.status_message.setText(e.message)).start()

    def _show_status(self, info) -> None:
        if info.business_date != self.business_date:
            self.business_date = info.business_date
            for screen in self.screens.values():
                if hasattr(screen, "set_business_date"):
                    screen.set_business_date(info.business_date)
        self.status_labels["business_date"].setText(tr("Business date: {0}").format(info.business_date.isoformat()))
        if info.shift is None:
            self.status_labels["shift"].setText(tr("No open shift (F11)"))
            self.status_labels["shift"].setStyleSheet("color:#c62828;")
            self.status_labels["drawer"].setText("")
        else:
            self.status_labels["shift"].setText(tr("Shift #{0} open").format(info.shift.id)
                                                + (tr(" · TRAINING") if info.shift.training else ""))
            self.status_labels["shift"].setStyleSheet("")
            self.status_labels["drawer"].setText(info.drawer_warning or tr("Drawer within limit {0}").format(
                format_yuan(info.cash_limit)))
            self.status_labels["drawer"].setStyleSheet("color:#c62828; font-weight:bold;" if info.drawer_warning
                                                       else "")
        printer = self.screens.get("receipts")
        if printer is not None and hasattr(printer, "printer_status_text"):
            printer.printer_status_text(self.status_labels["printer"])
        shift_screen = self.screens.get("shift")
        if shift_screen is not None and hasattr(shift_screen, "show_status"):
            shift_screen.show_status(info)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.customer_display is not None:
            self.customer_display.close()
        self.runner.shutdown()
        if self.opened is not None:
            self.opened.close()
            self.opened = None
        super().closeEvent(event)


def open_ledger(db: str, station: str):
    """Open the ledger for posting (single-writer lock) or read-only with a banner."""
    from app.db import engine as dbmod
    from app.db import ledgerfile

    ledgerfile.check(db)  # missing, empty, a directory, not a ledger, broken: named (LedgerUnusable)
    dbmod.check_schema(db)
    return dbmod.open_ledger(db, station=station)


def open_in_background(_factory, *, runner: OpRunner, db: str, station: str):
    """The window's first op: open the ledger (importing SQLAlchemy and the services on this
    worker thread) and hand the factory to the runner before any later op runs."""
    opened = open_ledger(db, station)
    runner.factory = opened.factory
    if not opened.banner:
        start_daily_backup(db)
    import app.services.desk.payments  # noqa: F401
    import app.services.desk.reads  # noqa: F401 - warm the services the first screens need

    return opened


def start_daily_backup(db: str) -> None:
    """The day's automatic backup (setting backup_auto), on its own thread: on a large ledger it
    takes as long as `verify`, and the cashier must not wait for it. Failures are only logged."""
    import logging
    import threading

    from app.db import engine as dbmod
    from app.services.system import backup

    if dbmod.sqlite_file(db) is None:  # a shared PostgreSQL ledger is backed up with pg_dump
        return

    def work() -> None:
        try:
            backup.daily_backup_if_due(db)
        except Exception:  # a failed backup never stops the window; the next start tries again
            logging.getLogger("feedesk").exception("daily backup failed")

    threading.Thread(target=work, name="daily-backup", daemon=True).start()


def chosen_ledger(args: argparse.Namespace) -> str | None:
    """`--db`, env FEEDESK_DB, the saved first-run choice, or an existing default ledger file;
    None means nothing is configured yet: the first-run set-up asks."""
    db = args.db or config.configured_db()
    if db:
        return db
    default = config.data_dir_path() / "feedesk.db"
    return str(default) if default.exists() else None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from app import logs
    from app.errors import MissingResource
    from app.ui import i18n
    from app.ui.dialogs import install_excepthook

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("FeeDesk")
    logs.setup("gui")
    install_excepthook()
    try:
        app.setFont(load_font())
        i18n.install(app, args.lang)
    except MissingResource as exc:  # a broken installation: say so, never an English window
        from PySide6.QtWidgets import QMessageBox

        log.error("cannot start: %s", exc.message)
        QMessageBox.critical(None, TITLE, exc.message)
        return 1
    station = args.station or config.default_station()
    db = chosen_ledger(args)
    if db is None:
        from app.ui.first_run import FirstRunDialog

        dlg = FirstRunDialog(None, station=station, first=True)
        if dlg.exec() != FirstRunDialog.DialogCode.Accepted:
            return 0
        db, station = dlg.db, dlg.station
    win = MainWindow(station_code=station, idle_minutes=args.idle_lock,
                     customer_display=args.customer_display, db=db, speak=args.speak)
    win.show()
    log.info("window started (station %s, ledger %s)", station, _shown(db))
    return app.exec()


def _shown(db: str) -> str:
    """The ledger for the log, without a PostgreSQL password."""
    if "://" not in db:
        return db
    from urllib.parse import urlsplit

    url = urlsplit(db)
    return f"{url.scheme}://{url.username or ''}@{url.hostname or ''}:{url.port or ''}{url.path}"
