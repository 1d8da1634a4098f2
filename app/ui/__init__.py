"""PySide6 widgets only: windows, dialogs and Qt item models; calls services, never SQL."""

