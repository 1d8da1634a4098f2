"""A long day at the window must not wear the program out: references, signals, translations, crashes."""

from __future__ import annotations

import ast
import sys

from PySide6.QtCore import QObject, Signal

from app import config


class _Counter(QObject):
    ticked = Signal(int)
    payload = Signal(object)


def test_thousands_of_signals_leave_true_false_and_none_alone(qapp):
    c = _Counter()
    got = []
    c.ticked.connect(got.append)
    before = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    for i in range(20000):
        c.ticked.emit(i)
        c.payload.emit(None)
    after = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    assert len(got) == 20000
    assert all(abs(a - b) < 50 for a, b in zip(after, before, strict=True)), (before, after)


def test_every_screen_string_has_a_chinese_translation():
    sys.path.insert(0, str(config.ROOT / "resources" / "translations"))
    import update_ts

    strings = update_ts.source_strings()
    zh = update_ts.load_zh()
    assert len(strings) > 200
    assert [s for s in strings if not zh.get(s)] == []
    ts = (config.ROOT / "resources" / "translations" / "feedesk_zh_CN.ts").read_text(encoding="utf-8")
    assert ts.count("<message>") == len(strings), "the .ts is stale: run resources/translations/update_ts.py"
    qm = config.ROOT / "resources" / "translations" / "feedesk_zh_CN.qm"
    assert qm.stat().st_mtime >= (config.ROOT / "resources" / "translations" / "feedesk_zh_CN.ts").stat().st_mtime - 1


def test_translator_turns_source_text_into_chinese_and_english_is_selectable(qapp):
    from app.ui import i18n

    assert i18n.tr("Collect (Enter)") == "收款 (Enter)"
    assert i18n.install(qapp, "en")
    assert i18n.tr("Collect (Enter)") == "Collect (Enter)"
    assert i18n.install(qapp, "zh_CN")
    assert i18n.tr("Amount due") == "应收金额"


def test_uncaught_error_shows_a_plain_chinese_dialog_and_logs_the_traceback(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.ui import dialogs

    monkeypatch.setattr(dialogs, "log_file", lambda: tmp_path / "gui.log")
    old = sys.excepthook
    try:
        dialogs.install_excepthook()
        try:
            raise ZeroDivisionError("boom")
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())
        boxes = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.objectName() == "internal_error_box" and w.isVisible()]
        assert boxes and "程序内部出错" in boxes[-1].text() and "Traceback" not in boxes[-1].text()
        for b in boxes:
            b.close()
        log = (tmp_path / "gui.log").read_text(encoding="utf-8")
        assert "ZeroDivisionError: boom" in log and "Traceback" in log
    finally:
        sys.excepthook = old
        import logging

        for h in list(logging.getLogger("feedesk").handlers):
            logging.getLogger("feedesk").removeHandler(h)
            h.close()


def test_widgets_never_import_models_or_sqlalchemy():
    allowed = {"main.py"}  # opening the ledger (engine, schema check) happens in main() only
    for path in sorted((config.ROOT / "app" / "ui").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith("sqlalchemy"), f"{path.name} imports {name}"
                if name.startswith("app.models"):
                    assert path.name in allowed, f"{path.name} imports {name}"


def test_thousands_of_void_qt_calls_do_not_exhaust_none(qapp):
    """PySide6 6.12 on CPython 3.11 drops a reference of None per void call; app.ui guards it."""
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    for i in range(30000):
        label.setText(str(i % 10))
        label.clear()
    assert label.text() == ""
    assert sys.getrefcount(None) > 1000
