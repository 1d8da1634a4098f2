"""Logs a support person can use: one `feedesk` logger tree, one rotating file per program.

Every module logs under `feedesk.*` (the window `feedesk.ui`, the print queue
`feedesk.printing.queue`, the CLI `feedesk.cli`). The window writes `feedesk-gui.log`, the CLI
`feedesk-cli.log`, both in `<data directory>/logs` (`feedesk logs` prints the folder, the window's
Help menu opens it). Each file rotates at MAX_BYTES and keeps BACKUPS old files, so the folder never
grows past about 12 MB. Level INFO, or env FEEDESK_LOG_LEVEL (DEBUG, INFO, WARNING, ERROR).
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app import config

ROOT_LOGGER = "feedesk"
MAX_BYTES = 2_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s [%(process)d %(threadName)s] %(name)s: %(message)s"


def log_file(program: str) -> Path:
    """`gui` or `cli`: that program's current log file."""
    return config.log_dir() / f"feedesk-{program}.log"


def level() -> int:
    name = (os.environ.get("FEEDESK_LOG_LEVEL") or "INFO").upper()
    value = logging.getLevelName(name)
    return value if isinstance(value, int) else logging.INFO


def attach(path: Path) -> Path | None:
    """Send the `feedesk` tree to the rotating file `path` (once per path). None when the folder
    cannot be written (read-only home): the program still runs, without a file."""
    logger = logging.getLogger(ROOT_LOGGER)
    logger.setLevel(level())
    for handler in logger.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path.resolve():
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    # A failing log write (disk full, a locked file on Windows) must never reach the cashier.
    logging.raiseExceptions = False
    return path


def setup(program: str) -> Path | None:
    """Called once at start by the window (`gui`) and the CLI (`cli`)."""
    return attach(log_file(program))
