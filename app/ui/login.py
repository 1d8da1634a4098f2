"""Log-in page and lock page.

Log-in goes through `auth.login_counting_failures` (a failed attempt is still committed: the
failure count and lock-out). The lock page hides every amount (the workspace is not shown
at all) until the same user, or a supervisor, types a password again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import FeeDeskError, PermissionDenied
from app.ui.i18n import tr
from app.ui.models import line_edit, push_button
from app.ui.op import Op


def log_in(factory, **kw):
    """`auth.login_counting_failures` (imported on first use: the page shows before the services load)."""
    from app.services.system import auth

    return auth.login_counting_failures(factory, **kw)


def change_own_password(factory, **kw):
    """`auth.change_password` after an administrator's reset (old password, new one under the policy)."""
    from app.services import run
    from app.services.system import auth

    return run(factory, auth.change_password, **kw)


def is_demo(session) -> bool:
    from app.services.desk import reads

    return reads.is_demo_ledger(session)


# One user a line: a word-wrapped label would squeeze the password fields when it appears.
DEMO_USERS = "\ndemo / demo（收费员）\nboss / boss（主管）\nadmin / admin（管理员）"


def _panel(title_text: str) -> tuple[QFrame, QVBoxLayout]:
    panel = QFrame()
    panel.setFrameShape(QFrame.Shape.StyledPanel)
    panel.setMinimumWidth(440)
    panel.setMaximumWidth(560)
    panel.setStyleSheet("QFrame{background:#fafafa;}")
    lay = QVBoxLayout(panel)
    title = QLabel(title_text)
    f = QFont(title.font())
    f.setPointSize(22)
    f.setBold(True)
    title.setFont(f)
    title.setAlignment(Qt.AlignmentFlag.AlignCenter)
    lay.addWidget(title)
    return panel, lay


def _centered(panel: QWidget, parent: QWidget) -> None:
    outer = QVBoxLayout(parent)
    outer.addStretch(1)
    outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignHCenter)
    outer.addStretch(2)


class LoginPage(QWidget):
    logged_in = Signal(object)  # auth.Login

    def __init__(self, station_code: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("login_page")
        self.station_code = station_code
        panel, lay = _panel("FeeDesk 收费台")
        self.station_label = QLabel(tr("Station: {0}").format(station_code))
        self.station_label.setObjectName("login_station")
        self.station_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.station_label)
        form = QFormLayout()
        self.username = line_edit("login_user")
        self.password = line_edit("login_password", password=True)
        for edit in (self.username, self.password):
            edit.setMinimumHeight(30)
        form.addRow(tr("User"), self.username)
        form.addRow(tr("Password"), self.password)
        # After an administrator reset the password: the new one, twice, before anything else.
        self.new_password = line_edit("login_new_password", password=True)
        self.new_password2 = line_edit("login_new_password2", password=True)
        self.new_rows = [(QLabel(tr("New password")), self.new_password),
                         (QLabel(tr("New password again")), self.new_password2)]
        for label, edit in self.new_rows:
            form.addRow(label, edit)
            label.hide()
            edit.hide()
        self.pending = None  # (user, old password) while the new password is asked for
        lay.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("login_error")
        self.error.setStyleSheet("color:#c62828;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        self.login_button = QPushButton(tr("Log in (Enter)"))
        self.login_button.setObjectName("login_button")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.on_login_button_clicked)
        lay.addWidget(self.login_button)
        self.demo_hint = QLabel("")
        self.demo_hint.setObjectName("demo_users")
        self.demo_hint.setStyleSheet("color:#555;")
        lay.addWidget(self.demo_hint)
        _centered(panel, self)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.on_login_button_clicked)
        self.new_password.returnPressed.connect(self.new_password2.setFocus)
        self.new_password2.returnPressed.connect(self.on_login_button_clicked)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.login_button)

    def check_demo(self) -> None:
        Op(self, is_demo, name="is_demo").on_success(
            lambda demo: self.demo_hint.setText(tr("Demo ledger users: {0}").format(DEMO_USERS) if demo else "")) \
            .on_failure(lambda e: self.error.setText(e.message)).start()

    def reset(self) -> None:
        self._ask_new_password(None)
        self.password.clear()
        self.error.setText("")
        self.login_button.setEnabled(True)
        (self.password if self.username.text() else self.username).setFocus()

    def _ask_new_password(self, pending) -> None:
        self.pending = pending
        for label, edit in self.new_rows:
            label.setVisible(pending is not None)
            edit.setVisible(pending is not None)
            edit.clear()
        self.username.setEnabled(pending is None)
        self.password.setEnabled(pending is None)

    @Slot()
    def on_login_button_clicked(self) -> None:
        if self.pending is not None:
            self._change_password()
            return
        user = self.username.text().strip()
        if not user:
            self.username.setFocus()
            return
        self.error.setText("")
        self.login_button.setEnabled(False)
        Op(self, log_in, raw=True, name="login", username=user,
           password=self.password.text(), station_code=self.station_code) \
            .on_success(self._done).on_failure(self._failed).start()

    def _failed(self, error: FeeDeskError) -> None:
        self.login_button.setEnabled(True)
        self.error.setText(error.message)
        self.password.clear()
        self.password.setFocus()

    def _done(self, login) -> None:
        self.login_button.setEnabled(True)
        if login.must_change_password:
            self._ask_new_password((login.user.username, self.password.text()))
            self.password.clear()
            self.error.setText(tr("The administrator reset your password: choose a new one (twice)."))
            self.new_password.setFocus()
            return
        self.password.clear()
        self.logged_in.emit(login)

    def _change_password(self) -> None:
        if self.new_password.text() != self.new_password2.text():
            self.error.setText(tr("The two passwords differ"))
            self.new_password2.clear()
            self.new_password2.setFocus()
            return
        if not self.login_button.isEnabled():
            return  # a change is in flight
        user, old = self.pending
        self.login_button.setEnabled(False)
        Op(self, change_own_password, raw=True, write=True, name="change_password", username=user, password=old,
           new_password=self.new_password.text(), station_code=self.station_code) \
            .on_success(self._password_changed).on_failure(self._change_failed).start()

    def _password_changed(self, login) -> None:
        self.login_button.setEnabled(True)
        self._ask_new_password(None)
        self.error.setText("")
        self.logged_in.emit(login)

    def _change_failed(self, error: FeeDeskError) -> None:
        self.login_button.setEnabled(True)
        self.error.setText(error.message)
        self.new_password.clear()
        self.new_password2.clear()
        self.new_password.setFocus()


def unlock(factory, *, login, username: str, password: str, station_code: str):
    """The same user or a supervisor unlocks; the session stays the locked user's."""
    who = log_in(factory, username=username, password=password, station_code=station_code)
    if who.user.id != login.user.id and who.user.role not in ("supervisor", "admin"):
        raise PermissionDenied("只有本人或主管可以解锁")
    return who


class LockPage(QWidget):
    unlocked = Signal(object)  # the Login that unlocked

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lock_page")
        self.login = None
        panel, lay = _panel(tr("Screen locked"))
        self.who = QLabel("")
        self.who.setObjectName("lock_user_label")
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who.setWordWrap(True)
        lay.addWidget(self.who)
        form = QFormLayout()
        self.username = line_edit("lock_user")
        self.password = line_edit("lock_password", password=True)
        form.addRow(tr("User"), self.username)
        form.addRow(tr("Password"), self.password)
        lay.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("lock_error")
        self.error.setStyleSheet("color:#c62828;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        self.unlock_button = push_button(tr("Unlock (Enter)"), "unlock_button", self.on_unlock_button_clicked)
        lay.addWidget(self.unlock_button)
        _centered(panel, self)
        self.password.returnPressed.connect(self.on_unlock_button_clicked)
        self.username.returnPressed.connect(self.password.setFocus)

    def lock(self, login) -> None:
        self.login = login
        self.who.setText(tr("Locked by {0} at station {1}. The same user or a supervisor can unlock.").format(
            login.user.display_name, login.station_code))
        self.username.setText(login.user.username)
        self.password.clear()
        self.error.setText("")
        self.password.setFocus()

    @Slot()
    def on_unlock_button_clicked(self) -> None:
        if self.login is None:
            return
        self.error.setText("")
        Op(self, unlock, raw=True, name="unlock", login=self.login, username=self.username.text().strip(),
           password=self.password.text(), station_code=self.login.station_code) \
            .on_success(lambda who: self.unlocked.emit(who)).on_failure(self._failed).start()

    def _failed(self, error: FeeDeskError) -> None:
        self.error.setText(error.message)
        self.password.clear()
        self.password.setFocus()
