"""Running use cases off the GUI thread: `Op(parent, fn, **kw).on_success(cb).on_failure(cb).start()`.

One `OpRunner` per main window owns the session factory, a single-thread executor
(`ThreadPoolExecutor(max_workers=1)`, so use cases never overlap and a Session never
crosses threads) and the `ledger_changed` signal emitted once after every successful write.
`fn` never touches widgets; results come back to the GUI thread through a queued signal.
Widgets must not call `services.run` themselves, and never import app.models or sqlalchemy.

A form with a ledger write in flight is *held* until the write returns (`OpRunner.holds`):
the runner's event filter swallows every submit aimed at it — Enter, Esc, function keys,
Ctrl/Alt shortcuts, Space on a button, mouse clicks — and a second write op started from it
(a button's `click()`, a shortcut) is refused. The form is the op's parent with everything
under it, dialogs opened on it included. So one Enter pressed twice is one payment, on every
screen, without a busy flag in each screen. Print jobs (`raw` ops) do not hold their form.

Printing runs on its own single-thread lane (`Op(..., lane="print")`): a printer that takes
its full timeout to fail never delays the next search or payment on the ledger worker.
Report files and page-printer output run on a third lane (`lane="report"`), apart from receipts.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from app.errors import FeeDeskError

log = logging.getLogger("feedesk.ui")


_SKIPPED = object()
_SUBMIT_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape}
_KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
_MOUSE_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick)


def _is_submit_key(event, receiver) -> bool:
    key = event.key()
    if key in _SUBMIT_KEYS or Qt.Key.Key_F1 <= key <= Qt.Key.Key_F35:
        return True
    mods = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    if mods and key not in (Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Shift):
        return True
    return key == Qt.Key.Key_Space and isinstance(receiver, QAbstractButton)


def _load_printer_library() -> None:
    try:
        import escpos.printer  # noqa: F401 - parses its printer profiles once, off the GUI thread
    except Exception:  # noqa: BLE001 - printing reports its own errors when it runs
        log.exception("loading python-escpos")


class _HoldFilter(QObject):
    """Application event filter: swallows submits aimed at a held form (see the module doc)."""

    def __init__(self, runner: OpRunner):
        super().__init__(runner)
        self.runner = runner

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if not self.runner.held_forms:
            return False
        kind = event.type()
        if kind in _KEY_EVENTS:
            if not (isinstance(obj, QWidget) and _is_submit_key(event, obj) and self.runner.holds(obj)):
                return False
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # claimed by the widget: no window shortcut fires; its key press is swallowed next
            return True
        if kind in _MOUSE_EVENTS:
            return isinstance(obj, QWidget) and self.runner.holds(obj)
        return False


class OpRunner(QObject):
    """Executes ops one at a time and reports back on the GUI thread."""

    ledger_changed = Signal()
    op_finished = Signal(str)  # name of the finished op, for tests and the status bar
    busy_changed = Signal(bool)  # a long op (import, bill run, backup, verify) started / all ended
    internal_error = Signal(str)  # a bug: the traceback text (already logged)
    _delivered = Signal(object, object, object)

    _current: OpRunner | None = None

    def __init__(self, factory, parent: QObject | None = None):
        super().__init__(parent)
        self.factory = factory
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feedesk-op")
        self.print_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feedesk-print")
        self.print_executor.submit(_load_printer_library)  # seconds on a slow machine: not at the first receipt
        self.report_executor: ThreadPoolExecutor | None = None  # lane "report", made when first used
        self.pending = 0
        self.long_pending = 0
        self.closed = False
        self.held_forms: dict[QWidget, int] = {}  # form -> ledger writes in flight started from it
        self._delivered.connect(self.on_runner_delivered)
        self._hold_filter = _HoldFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._hold_filter)
        OpRunner._current = self

    @classmethod
    def current(cls) -> OpRunner:
        if cls._current is None:
            raise RuntimeError("OpRunner not created")
        return cls._current

    def holds(self, widget: QWidget | None) -> bool:
        """True when `widget`, or a widget it sits in (across dialogs), has a ledger write in flight."""
        while widget is not None:
            if widget in self.held_forms:
                return True
            widget = widget.parentWidget()
        return False

    def submit(self, op: Op) -> bool:
        """Queue `op`; False (nothing queued) when the window is closing or the op's form is held."""
        if self.closed:
            return False  # the window is closing: nothing new starts
        if op.hold and op.parent is not None:
            if self.holds(op.parent):
                log.info("op %s refused: a write of its form is in flight", op.name)
                return False
            self.held_forms[op.parent] = self.held_forms.get(op.parent, 0) + 1
        self.pending += 1
        if op.long:
            self.long_pending += 1
            if self.long_pending == 1:
                self.busy_changed.emit(True)
        self._executor(op.lane).submit(self._work, op)
        return True

    def _executor(self, lane: str) -> ThreadPoolExecutor:
        """Report files and page-printer jobs (a 600-page journal takes a minute) get their own
        lane, so a receipt never waits behind them on the print lane."""
        if lane == "print":
            return self.print_executor
        if lane == "report":
            if self.report_executor is None:
                self.report_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feedesk-report")
            return self.report_executor
        return self.executor

    def _release(self, op: Op) -> None:
        if op.hold and op.parent is not None:
            left = self.held_forms.pop(op.parent, 1) - 1
            if left > 0:
                self.held_forms[op.parent] = left

    def _work(self, op: Op) -> None:
        if op.stale is not None and op.stale():
            self._delivered.emit(op, _SKIPPED, None)  # superseded while waiting (e.g. an older keystroke)
            return
        try:
            # imported here: the log-in window shows before SQLAlchemy loads
            from app.services import run

            result = op.fn(self.factory, **op.kw) if op.raw else run(self.factory, op.fn, **op.kw)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            if not isinstance(exc, FeeDeskError):
                op.trace = traceback.format_exc()
            self._delivered.emit(op, None, exc)
            return
        self._delivered.emit(op, result, None)

    @Slot(object, object, object)
    def on_runner_delivered(self, op: Op, result: Any, error: BaseException | None) -> None:
        self.pending -= 1
        self._release(op)  # before the callbacks: they may start the form's next write
        if result is _SKIPPED:
            self.op_finished.emit(op.name)
            return
        if op.long:
            self.long_pending -= 1
            if self.long_pending == 0:
                self.busy_changed.emit(False)
        try:
            op.deliver(result, error)
        finally:
            if error is None and op.write:
                self.ledger_changed.emit()
            self.op_finished.emit(op.name)

    def shutdown(self) -> None:
        self.closed = True
        self.executor.shutdown(wait=True)
        self.print_executor.shutdown(wait=True)
        if self.report_executor is not None:
            self.report_executor.shutdown(wait=True)  # a file being written is finished, never left half
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._hold_filter)
        if OpRunner._current is self:
            OpRunner._current = None


class Op:
    """One use case run: `Op(parent, fn, write=True, **kw).on_success(cb).on_failure(cb).start()`.

    `fn(session, **kw)` runs inside `services.run`; with `raw=True` it is called as
    `fn(factory, **kw)` (log-in, which commits its failure count itself). Callbacks are
    dropped when `parent` has been destroyed meanwhile. A `FeeDeskError` goes to the
    failure callback with its Chinese message; anything else is a bug: logged, shown plainly.
    `lane="print"` runs it on the printing thread, apart from the ledger worker.
    A ledger write (`write` and not `raw`) holds its parent form until it returns (`hold`);
    `start()` of a write from a held form queues nothing and sets `refused`.
    """

    def __init__(self, parent: QWidget | None, fn: Callable[..., Any], /, *, write: bool = False,
                 raw: bool = False, long: bool = False, quiet: bool = False, name: str = "",
                 stale: Callable[[], bool] | None = None, hold: bool | None = None, lane: str = "ledger", **kw):
        self.parent = parent
        self.fn = fn
        self.kw = kw
        self.write = write
        self.raw = raw
        self.long = long
        self.quiet = quiet  # background refresh: a bug is logged, not shown in a dialog each time
        self.stale = stale  # read-only ops: checked on the worker just before running; True skips the op
        self.hold = (write and not raw) if hold is None else hold
        self.refused = False
        self.lane = lane  # "ledger" (the one worker of use cases), "print" (receipt printer I/O), "report"
        self.name = name or getattr(fn, "__name__", "op")
        self.trace = ""
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[FeeDeskError], None] | None = None

    def on_success(self, cb: Callable[[Any], None]) -> Op:
        self._success = cb
        return self

    def on_failure(self, cb: Callable[[FeeDeskError], None]) -> Op:
        self._failure = cb
        return self

    def start(self, runner: OpRunner | None = None) -> Op:
        """Submit to the runner of the parent's window (or the current one)."""
        if runner is None and self.parent is not None and self._alive():
            runner = getattr(self.parent.window(), "runner", None)
        runner = runner or OpRunner._current
        if runner is not None:
            self.refused = not runner.submit(self)
        return self

    def _alive(self) -> bool:
        if self.parent is None:
            return True
        try:
            import shiboken6

            return shiboken6.isValid(self.parent)
        except ImportError:  # pragma: no cover
            return True

    def deliver(self, result: Any, error: BaseException | None) -> None:
        if not self._alive():
            return
        if error is None:
            if self._success:
                self._success(result)
            return
        if isinstance(error, FeeDeskError):
            if self._failure:
                self._failure(error)
            else:
                from app.ui.dialogs import show_error

                show_error(self.parent, error.message)
            return
        log.error("op %s failed:\n%s", self.name, self.trace)
        if OpRunner._current is not None:
            OpRunner._current.internal_error.emit(self.trace)
        if self.quiet:
            if self._failure:
                self._failure(FeeDeskError("内部错误，详见日志"))
            return
        from app.ui.dialogs import show_internal_error

        show_internal_error(self.parent)
