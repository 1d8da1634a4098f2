"""Settings of this installation (not of the ledger): where the ledger is, which station.

The ledger URL comes from `--db`, else env FEEDESK_DB, else a SQLite file in the user data
directory. The station code from `--station`, else FEEDESK_STATION, else `W01`.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "FeeDesk"
DEFAULT_STATION = "W01"
ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
FONT_PATH = RESOURCES / "fonts" / "wqy-microhei.ttc"


def data_dir() -> Path:
    path = Path(os.environ.get("FEEDESK_HOME") or user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db() -> str:
    return os.environ.get("FEEDESK_DB") or str(data_dir() / "feedesk.db")


def default_station() -> str:
    return os.environ.get("FEEDESK_STATION") or DEFAULT_STATION
