"""`pip install feedesk-*.whl`: the wheel is the program (font, translations, migrations inside),
with both entry points, working from any folder."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.install.conftest import BIN, REPO, clean_env, run

pytestmark = pytest.mark.install


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([str(BIN / "python"), "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(REPO)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (path,) = out.glob("feedesk-*.whl")
    return path


def test_the_wheel_carries_what_the_program_reads_and_its_entry_points(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = z.read(meta_name).decode()
        entry_points = z.read(meta_name.replace("METADATA", "entry_points.txt")).decode()
    for name in ("app/resources/fonts/wqy-microhei.ttc", "app/resources/translations/feedesk_zh_CN.qm",
                 "app/resources/__init__.py", "app/db/migrations/env.py", "app/db/migrations/script.py.mako",
                 "app/db/migrations/versions/0001_core_ledger.py", "app/cli/reports.py", "app/ui/first_run.py"):
        assert name in names, name
    assert not any(n.startswith(("tests/", "resources/")) for n in names)
    assert "[console_scripts]\nfeedesk = app.cli.commands:main" in entry_points
    assert "[gui_scripts]\nfeedesk-gui = app.ui.main:main" in entry_points
    assert "Requires-Python: <3.14,>=3.11" in meta
    assert "Provides-Extra: postgresql" in meta
    assert "Requires-Dist: pywin32>=306; sys_platform == \"win32\"" in meta
    assert not any(line.startswith("Requires-Dist: psycopg") and "extra ==" not in line for line in meta.splitlines())


def test_the_installed_wheel_works_from_another_folder(wheel, tmp_path):
    """A fresh venv with the wheel (its dependencies borrowed from the test venv's site-packages,
    which holds no copy of the app itself): init, a PDF with the CJK font, the window's files."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    proc = subprocess.run([str(BIN / "python"), "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                           "--no-deps", "--ignore-installed", str(wheel)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (venv / "bin" / "feedesk-gui").exists()
    work = tmp_path / "office"
    work.mkdir()
    env = clean_env(tmp_path / "home")
    where = run([str(venv / "bin" / "python"), "-c",
                 "import app, app.config as c; print(app.__file__); print(c.font_path()); "
                 "print(c.resource('translations', 'feedesk_zh_CN.qm'))"], work, env).stdout.split()
    assert all(str(site) in line for line in where), where  # the wheel's copy, not the checkout
    run([str(venv / "bin" / "feedesk"), "--db", "w.db", "init", "--demo"], work, env)
    out = run([str(venv / "bin" / "feedesk"), "--db", "w.db", "report", "tariffs", "--pdf", "t.pdf"], work, env,
              user="admin")
    assert (work / "t.pdf").read_bytes().startswith(b"%PDF") and "Traceback" not in out.stderr
    from pypdf import PdfReader

    page = PdfReader(work / "t.pdf").pages[0]
    assert "收费标准" in page.extract_text()  # Chinese text, drawn with the CJK font the wheel carries
    fonts = {str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert any("WenQuanYi" in name for name in fonts), fonts
