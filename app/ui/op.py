"""Running use cases off the GUI thread: `Op(parent, fn, **kw).on_success(cb).on_failure(cb).start()`.

One `OpRunner` per main window owns the session factory, a single-thread executor
(`ThreadPoolExecutor(max_workers=1)`, so use cases never overlap and a Session never
crosses threads) and the `ledger_changed` signal emitted once after every successful write.
`fn` never touches widgets; results come back to the GUI thread through a queued signal.
Widgets must not call `services.run` themselves, and never import app.models or sqlalchemy.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.errors import FeeDeskError
from app.ui.qtcompat import emit

log = logging.getLogger("feedesk.ui")


_SKIPPED = object()


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
        self.pending = 0
        self.long_pending = 0
        self.closed = False
        self._delivered.connect(self.on_runner_delivered)
        OpRunner._current = self

    @classmethod
    def current(cls) -> OpRunner:
        if cls._current is None:
            raise RuntimeError("OpRunner not created")
        return cls._current

    def submit(self, op: Op) -> None:
        if self.closed:
            return  # the window is closing: nothing new starts
        self.pending += 1
        if op.long:
            self.long_pending += 1
            if self.long_pending == 1:
                emit(self.busy_changed, True)
        self.executor.submit(self._work, op)

    def _work(self, op: Op) -> None:
        if op.stale is not None and op.stale():
            emit(self._delivered, op, _SKIPPED, None)  # superseded while waiting (e.g. an older keystroke)
            return
        try:
            # imported here: the log-in window shows before SQLAlchemy loads
            from app.services import run

            result = op.fn(self.factory, **op.kw) if op.raw else run(self.factory, op.fn, **op.kw)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            if not isinstance(exc, FeeDeskError):
                op.trace = traceback.format_exc()
            emit(self._delivered, op, None, exc)
            return
        emit(self._delivered, op, result, None)

    @Slot(object, object, object)
    def on_runner_delivered(self, op: Op, result: Any, error: BaseException | None) -> None:
        self.pending -= 1
        if result is _SKIPPED:
            emit(self.op_finished, op.name)
            return
        if op.long:
            self.long_pending -= 1
            if self.long_pending == 0:
                emit(self.busy_changed, False)
        try:
            op.deliver(result, error)
        finally:
            if error is None and op.write:
                emit(self.ledger_changed)
            emit(self.op_finished, op.name)

    def shutdown(self) -> None:
        self.closed = True
        self.executor.shutdown(wait=True)
        if OpRunner._current is self:
            OpRunner._current = None


class Op:
    """One use case run: `Op(parent, fn, write=True, **kw).on_success(cb).on_failure(cb).start()`.

    `fn(session, **kw)` runs inside `services.run`; with `raw=True` it is called as
    `fn(factory, **kw)` (log-in, which commits its failure count itself). Callbacks are
    dropped when `parent` has been destroyed meanwhile. A `FeeDeskError` goes to the
    failure callback with its Chinese message; anything else is a bug: logged, shown plainly.
    """

    def __init__(self, parent: QWidget | None, fn: Callable[..., Any], /, *, write: bool = False,
                 raw: bool = False, long: bool = False, quiet: bool = False, name: str = "",
                 stale: Callable[[], bool] | None = None, **kw):
        self.parent = parent
        self.fn = fn
        self.kw = kw
        self.write = write
        self.raw = raw
        self.long = long
        self.quiet = quiet  # background refresh: a bug is logged, not shown in a dialog each time
        self.stale = stale  # read-only ops: checked on the worker just before running; True skips the op
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
            runner.submit(self)
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
            emit(OpRunner._current.internal_error, self.trace)
        if self.quiet:
            if self._failure:
                self._failure(FeeDeskError("内部错误，详见日志"))
            return
        from app.ui.dialogs import show_internal_error

        show_internal_error(self.parent)
