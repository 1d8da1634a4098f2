"""PySide6 widgets only: windows, dialogs and Qt item models; calls services, never SQL."""

from app.ui.qtcompat import protect_singletons

protect_singletons()  # before any Qt call: PySide6 6.12 / CPython 3.11 reference defect (see qtcompat)
