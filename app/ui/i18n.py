"""Translation of everything the cashier sees, through Qt's translation system.

Source strings in the code are English and wrapped in `tr("...")` (one context, "FeeDesk");
zh_CN, the default, comes from resources/translations/feedesk_zh_CN.qm (built from the .ts
by resources/translations/update_ts.py), installed as app.resources; a missing .qm raises
MissingResource (never an English window without warning). `--lang en` simply loads no translator. Domain error
messages from the services are already Chinese and are shown as they come.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from app import config
from app.errors import MissingResource

CONTEXT = "FeeDesk"
_installed: list[QTranslator] = []


def N_(text: str) -> str:
    """Mark a string for translation where it is defined; translate it with tr() where shown."""
    return text


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def qm_path(lang: str):
    """The compiled translation shipped with the program; MissingResource when it is not there."""
    return config.resource("translations", f"feedesk_{lang}.qm")


def install(app, lang: str = "zh_CN") -> bool:
    """Install the translator of `lang` (replacing an earlier one). English needs none."""
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    if lang.lower().startswith("en"):
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return True
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    path = qm_path(lang)
    translator = QTranslator(app)
    ok = translator.load(str(path))
    if not ok:  # present but unreadable: as broken as missing
        raise MissingResource(f"translations/{path.name}")
    if ok:
        app.installTranslator(translator)
        _installed.append(translator)
        qt_base = QTranslator(app)
        from PySide6.QtCore import QLibraryInfo

        if qt_base.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt_base)
            _installed.append(qt_base)
    return ok
