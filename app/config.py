"""Settings of this installation (not of the ledger): where the ledger is, which station, where the
program's own files (font, translations) and its logs are.

The ledger comes from `--db`, else env FEEDESK_DB, else the choice saved by the window's first-run
set-up (a small JSON file in the user config directory), else the SQLite file `feedesk.db` in the
user data directory. The station code from `--station`, else FEEDESK_STATION, else the saved
choice, else `W01`. FEEDESK_HOME moves both the data directory and the config file (tests, a
portable install).
"""

from __future__ import annotations

import json
import os
import sys
from importlib import resources as _resources
from pathlib import Path

from app.errors import MissingResource

APP_NAME = "FeeDesk"
DEFAULT_STATION = "W01"
#: The source checkout (tests and developer tools only; the program reads `resource(...)`).
ROOT = Path(__file__).resolve().parent.parent
#: sys.platform, read through here so tests can fake Windows.
PLATFORM = sys.platform
CONFIG_NAME = "feedesk.json"


def resource(*parts: str) -> Path:
    """A file shipped with the program (package `app.resources`, the repository's resources/),
    found the same way in a wheel, an editable install and the one-folder bundle, whatever the
    current directory. A missing file is an error, never a silent fallback."""
    try:
        path = Path(str(_resources.files("app.resources").joinpath(*parts)))
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise MissingResource("/".join(parts))
    return path


def font_path() -> Path:
    """The bundled CJK font (WenQuanYi Micro Hei): receipts, PDFs and the window use it."""
    return resource("fonts", "wqy-microhei.ttc")


def _dirs():
    if PLATFORM == "win32":
        from platformdirs.windows import Windows as Dirs
    elif PLATFORM == "darwin":
        from platformdirs.macos import MacOS as Dirs
    else:
        from platformdirs.unix import Unix as Dirs
    return Dirs(APP_NAME, appauthor=False)


def data_dir_path() -> Path:
    """`%LOCALAPPDATA%\\FeeDesk` on Windows, `~/.local/share/FeeDesk` on Linux (or FEEDESK_HOME)."""
    return Path(os.environ.get("FEEDESK_HOME") or _dirs().user_data_dir)


def data_dir() -> Path:
    path = data_dir_path()
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    return data_dir_path() / "logs"


def config_file() -> Path:
    """Where the window's first-run choice is kept (`~/.config/FeeDesk/feedesk.json`)."""
    home = os.environ.get("FEEDESK_HOME")
    return Path(home if home else _dirs().user_config_dir) / CONFIG_NAME


def saved_choice() -> dict:
    """The saved ledger choice ({"db": ..., "station": ...}); {} when none or unreadable."""
    try:
        data = json.loads(config_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_choice(db: str, station: str) -> Path:
    """Keep the ledger and station chosen in the window (the file may hold a PostgreSQL password:
    readable by this user only)."""
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"db": db, "station": station}, ensure_ascii=False, indent=2), encoding="utf-8")
    if PLATFORM != "win32":
        os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def configured_db() -> str | None:
    """The ledger chosen without looking for a default file: env, then the saved choice."""
    return os.environ.get("FEEDESK_DB") or saved_choice().get("db") or None


def default_db() -> str:
    return configured_db() or str(data_dir() / "feedesk.db")


def default_station() -> str:
    return os.environ.get("FEEDESK_STATION") or saved_choice().get("station") or DEFAULT_STATION
