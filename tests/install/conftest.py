"""The program as an office installs it: the wheel, the one-folder bundle, the .deb.

The bundle is built once per test session with the repository's spec (PyInstaller, several
minutes on a busy machine) and shared by the bundle and .deb tests. Every run happens in another
directory with an empty environment (HOME only, plus QT_QPA_PLATFORM for the window) and no
system fonts (a fontconfig file naming an empty folder): what the program needs, it carries.
`pytest -m install` (or `make test-install`) runs only these tests.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import config
from app.printing.decode import decode

REPO = config.ROOT
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    """dist/FeeDesk built from packaging/feedesk.spec into a temporary folder (env
    FEEDESK_TEST_BUNDLE=path/to/FeeDesk reuses a bundle already built, while working on the tests)."""
    if os.environ.get("FEEDESK_TEST_BUNDLE"):
        return Path(os.environ["FEEDESK_TEST_BUNDLE"])
    out = tmp_path_factory.mktemp("pyinstaller")
    started = time.monotonic()
    proc = subprocess.run(
        [
            str(BIN / "pyinstaller"),
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "build"),
            str(REPO / "packaging" / "feedesk.spec"),
        ],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    folder = out / "dist" / "FeeDesk"
    (out / "build-seconds.txt").write_text(f"{time.monotonic() - started:.0f}\n")
    return folder


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """HOME only, and a fontconfig that knows no fonts at all."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "no-fonts").mkdir(exist_ok=True)
    conf = home / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                    f"<dir>{home / 'no-fonts'}</dir><cachedir>{home / 'fc-cache'}</cachedir></fontconfig>\n")
    return {"HOME": str(home), "FONTCONFIG_FILE": str(conf), **extra}


def run(cmd: list[str], cwd: Path, env: dict[str, str], *, user: str = "", ok: bool = True,
        timeout: int = 300) -> subprocess.CompletedProcess:
    if user:
        env = {**env, "FEEDESK_USER": user, "FEEDESK_PASSWORD": user}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if ok:
        assert proc.returncode == 0, f"{cmd}: {proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def counter_day(feedesk: list[str], gui: list[str], work: Path) -> dict:
    """What an office does on day one, from `work` (not the program's folder): create the demo
    ledger, add a file printer, open a shift, take a payment with a printed receipt, print the
    day report as PDF, verify; then start the window for a few seconds. Returns what was seen."""
    import json

    from pypdf import PdfReader

    home = work / "home"
    env = clean_env(home)
    fc = subprocess.run(["fc-list"], env=env, capture_output=True, text=True)
    assert fc.stdout.strip() == "", "the test machine's fonts are visible to the program"
    db = "ledger.db"
    run([*feedesk, "--db", db, "init", "--demo"], work, env)
    paper = work / "receipts.bin"
    run([*feedesk, "--db", db, "printer", "add", "P1", "--file", str(paper), "--default"], work, env, user="admin")
    run([*feedesk, "--db", db, "shift", "open", "--float", "200"], work, env, user="demo")
    arrears = json.loads(run([*feedesk, "--db", db, "--json", "arrears"], work, env, user="demo").stdout)
    code = arrears["accounts"][0]["code"]
    paid = json.loads(run([*feedesk, "--db", db, "--json", "pay", "--account", code, "--tender", "cash=500"],
                          work, env, user="demo").stdout)
    assert paid["print"]["status"] == "done"
    printed = decode(paper.read_bytes())
    assert printed.cuts == 1 and paid["receipt_no"] in printed.text and "收据" in printed.text
    def pdf_text(*args: str) -> str:
        out = work / f"{args[0]}.pdf"
        run([*feedesk, "--db", db, "report", *args, "--pdf", str(out)], work, env, user="admin")
        return "".join(page.extract_text() for page in PdfReader(out).pages)

    today = dt.date.fromisoformat(arrears["as_of"])
    day = pdf_text("day", "--date", (today - dt.timedelta(days=1)).isoformat())  # today is not settled yet
    journal = pdf_text("journal", "--from", today.isoformat(), "--to", today.isoformat())
    verified = run([*feedesk, "--db", db, "verify"], work, env, user="admin").stdout
    assert "核验通过" in verified
    logs = home / ".local" / "share" / "FeeDesk" / "logs"
    window = subprocess.Popen([*gui, "--db", db], cwd=work, env={**env, "QT_QPA_PLATFORM": "offscreen"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        log = logs / "feedesk-gui.log"
        while time.monotonic() < deadline and window.poll() is None:
            if log.exists() and "window started" in log.read_text(encoding="utf-8"):
                break
            time.sleep(0.5)
        time.sleep(4)  # the ledger opens behind the log-in page meanwhile
        alive = window.poll() is None
    finally:
        window.terminate()
        _out, err = window.communicate(timeout=30)
    return {"receipt": printed.text, "receipt_no": paid["receipt_no"], "day": day, "journal": journal,
            "verify": verified,
            "window_alive": alive, "window_stderr": err, "gui_log": log.read_text(encoding="utf-8"),
            "log_dir": logs, "home": home}


def assert_counter_day(seen: dict) -> None:
    assert "日结报表" in seen["day"] and "营业日" in seen["day"], seen["day"][:500]
    assert "收费明细表" in seen["journal"] and seen["receipt_no"] in seen["journal"], seen["journal"][:800]
    assert seen["window_alive"], seen["window_stderr"][-3000:]
    assert "Traceback" not in seen["window_stderr"]
    assert "window started" in seen["gui_log"] and "ledger opened" in seen["gui_log"], seen["gui_log"]
    assert " ERROR " not in seen["gui_log"] and "Traceback" not in seen["gui_log"], seen["gui_log"]
    screens = "screens: workspace, shift, tickets, backoffice, receipts, supervisor, reconcile, reports"
    assert screens in seen["gui_log"], seen["gui_log"]
    assert (seen["log_dir"] / "feedesk-cli.log").exists()
