"""Work-arounds for defects of the Qt binding, in one place.

PySide6 6.12.0 on CPython 3.11: every binding call that returns None (all void methods —
`setText`, `clear`, `show` — and null pointers such as `parent()`) hands back `None` without
a new reference, so each such call takes one reference away from `None`; after some
thousands of calls (a morning at the window) the interpreter aborts with "none_dealloc:
deallocating None". CPython 3.12 made None/True/False immortal, which hides the defect
there; `protect_singletons()` gives them the same practical immortality on 3.11 (it adds
2**40 references once, at import of `app.ui`). It changes nothing on 3.12+ or other pythons.

PySide6 6.12.0: `SignalInstance.emit()` returns its bool result without a new reference, so
every emit from Python takes one reference away from `True` (or `False`); after a few thousand
emits the interpreter aborts ("bool_dealloc: deallocating True or False"). Signals emitted by
Qt itself are not affected. All Python-side emits in app/ui go through `emit()`, which probes
the binding once and gives the stolen reference back only when the defect is present (so it
switches itself off on a fixed binding). Callers must not call `.emit()` directly.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None
_steals: bool | None = None


class _Probe(QObject):
    probed = Signal()


def emit_steals_reference() -> bool:
    """Whether this binding's emit() drops a reference of its result (probed once)."""
    global _steals
    if _steals is None:
        probe = _Probe()
        probe.probed.connect(lambda: None)
        before_true, before_false = sys.getrefcount(True), sys.getrefcount(False)
        probe.probed.emit()  # result discarded: a correct binding leaves both counts as they were
        lost_true = sys.getrefcount(True) < before_true
        lost_false = sys.getrefcount(False) < before_false
        if lost_true:
            _incref(True)
        if lost_false:
            _incref(False)
        _steals = lost_true or lost_false
    return _steals


def void_call_steals_reference() -> bool:
    """Whether a void binding call takes a reference away from None (probed once per call)."""
    from PySide6.QtCore import QObject as _Obj

    obj = _Obj()
    before = sys.getrefcount(None)
    obj.setObjectName("probe")  # returns None; a correct binding leaves None's count unchanged
    lost = sys.getrefcount(None) < before
    if lost:
        _incref(None)
    return lost


def protect_singletons() -> bool:
    """Make None/True/False practically immortal where the binding has the defect (see module docstring).

    pyproject pins PySide6 below 6.12, so this normally finds nothing to do; it stays as a net
    for a machine where a defective binding is installed anyway.
    """
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return False
    if not void_call_steals_reference():
        return False
    for obj in (None, True, False):
        if sys.getrefcount(obj) < 1 << 39:
            ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40  # ob_refcnt is the first field
    return True


def emit(signal, *args) -> None:
    """`signal.emit(*args)`, safe on every PySide6 version."""
    result = signal.emit(*args)
    if _steals if _steals is not None else emit_steals_reference():
        _incref(result)
