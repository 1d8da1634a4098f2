"""The .deb for Debian/UOS/Kylin: layout, no maintainer scripts, dependencies apt can resolve, and
the program started by its menu entry's command, unpacked (`dpkg -x`) into a temporary root.
(The real `apt install ./feedesk_*.deb` changes the machine; it was done by hand, see README.)"""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.install.conftest import REPO, assert_counter_day, counter_day

pytestmark = pytest.mark.install
APPID = "com.feedesk.cashier"


@pytest.fixture(scope="module")
def deb(bundle, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("deb")
    proc = subprocess.run([sys.executable, str(REPO / "packaging" / "build_deb.py"), str(bundle), str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Path(proc.stdout.strip())


def test_the_package_has_the_uos_layout_and_no_maintainer_scripts(deb, tmp_path):
    assert deb.name.startswith("feedesk_0.1.0_") and deb.suffix == ".deb"
    control = subprocess.run(["dpkg-deb", "-e", str(deb), str(tmp_path / "DEBIAN")], check=True)
    assert control.returncode == 0
    assert sorted(p.name for p in (tmp_path / "DEBIAN").iterdir()) == ["control"]  # no preinst/postinst/...
    fields = (tmp_path / "DEBIAN" / "control").read_text(encoding="utf-8")
    assert "Package: feedesk" in fields and "libxcb-cursor0" in fields and "libxcb-icccm4" in fields
    names = subprocess.run(["dpkg-deb", "-c", str(deb)], check=True, capture_output=True, text=True).stdout
    for path in (
        f"./opt/apps/{APPID}/info",
        f"./opt/apps/{APPID}/files/feedesk-gui",
        f"./opt/apps/{APPID}/files/feedesk",
        f"./opt/apps/{APPID}/entries/applications/{APPID}.desktop",
        f"./opt/apps/{APPID}/entries/icons/hicolor/256x256/apps/{APPID}.png",
        f"./usr/share/applications/{APPID}.desktop",
    ):
        assert path in names, path
    outside = {line.split()[-1] if "->" not in line else line.split()[-3] for line in names.splitlines()}
    assert all(p.startswith(("./opt/apps/", "./usr/share/applications")) or p in ("./", "./opt/", "./usr/",
               "./usr/share/") for p in outside), outside


def test_apt_can_resolve_the_package_here(deb):
    """`apt-get install --simulate ./feedesk_*.deb`: what a real install would do, without doing it."""
    proc = subprocess.run(["apt-get", "install", "--simulate", "-y", str(deb)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "feedesk" in proc.stdout


def test_the_menu_entry_starts_the_installed_program(deb, tmp_path):
    root = tmp_path / "root"
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    app = root / "opt" / "apps" / APPID
    info = json.loads((app / "info").read_text(encoding="utf-8"))
    assert info["appid"] == APPID and info["version"] == "0.1.0"
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(app / "entries" / "applications" / f"{APPID}.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Name[zh_CN]"] == "收费台" and desktop["Type"] == "Application"
    exec_path = desktop["Exec"]
    assert exec_path == f"/opt/apps/{APPID}/files/feedesk-gui"
    assert (root / desktop["Icon"].lstrip("/")).is_file()
    gui = root / exec_path.lstrip("/")
    work = tmp_path / "office"
    work.mkdir()
    seen = counter_day([str(gui.with_name("feedesk"))], [str(gui)], work)
    assert_counter_day(seen)
