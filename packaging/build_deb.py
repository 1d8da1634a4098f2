"""Build the .deb of the one-folder program for Debian, UOS and Kylin (`make deb`).

    python packaging/build_deb.py dist/FeeDesk dist      -> dist/feedesk_<version>_<arch>.deb

Layout (the UOS/deepin application layout):
    /opt/apps/<APPID>/info                                  the application's JSON description
    /opt/apps/<APPID>/files/                                the bundle: feedesk, feedesk-gui, _internal/
    /opt/apps/<APPID>/entries/applications/<APPID>.desktop  the menu entry
    /opt/apps/<APPID>/entries/icons/hicolor/256x256/apps/<APPID>.png
    /usr/share/applications/<APPID>.desktop                 a link to the entry, for Debian/Kylin menus
No maintainer scripts: installing changes nothing but these files. The Qt libraries the bundle
takes from the system are the package's Depends, so `apt install ./feedesk_*.deb` pulls them in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APPID = "com.feedesk.cashier"
PACKAGE = "feedesk"
DEPENDS = ["libc6", "libegl1", "libgl1", "libfontconfig1", "libfreetype6", "libdbus-1-3", "libglib2.0-0",
           "libxkbcommon0", "libxkbcommon-x11-0", "libx11-xcb1", "libxcb1", "libxcb-cursor0", "libxcb-icccm4",
           "libxcb-keysyms1", "libxcb-image0", "libxcb-render-util0", "libxcb-randr0", "libxcb-shape0",
           "libxcb-xfixes0", "libxcb-xinerama0", "libxcb-xkb1", "libusb-1.0-0"]


def version() -> str:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def arch() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True,
                          text=True).stdout.strip()


def desktop_entry(prefix: str) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=FeeDesk",
        "Name[zh_CN]=收费台",
        "GenericName=Cashier",
        "GenericName[zh_CN]=收费台",
        "Comment=Offline cashier for fee-collection windows",
        "Comment[zh_CN]=收费窗口的离线收费程序",
        f"Exec={prefix}/files/feedesk-gui",
        f"Icon={prefix}/entries/icons/hicolor/256x256/apps/{APPID}.png",
        "Terminal=false",
        "Categories=Office;Finance;",
        "StartupNotify=true",
        "",
    ])


def make_icon(path: Path) -> None:
    """256x256: 收 in white on a blue rounded square, drawn with the bundled font."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(REPO / "resources" / "fonts" / "wqy-microhei.ttc"), 170, index=0)
    img = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((8, 8, 248, 248), radius=44, fill=(21, 101, 192, 255))
    draw.text((128, 132), "收", font=font, fill=(255, 255, 255, 255), anchor="mm")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)


def build(bundle: Path, out_dir: Path) -> Path:
    if not (bundle / "feedesk-gui").is_file() or not (bundle / "feedesk").is_file():
        raise SystemExit(f"{bundle} is not the one-folder program (make dist first)")
    ver, deb_arch = version(), arch()
    prefix = f"/opt/apps/{APPID}"
    with tempfile.TemporaryDirectory(prefix="feedesk-deb-") as tmp:
        root = Path(tmp) / "root"
        app = root / prefix.lstrip("/")
        shutil.copytree(bundle, app / "files", symlinks=True)
        entry = app / "entries" / "applications" / f"{APPID}.desktop"
        entry.parent.mkdir(parents=True)
        entry.write_text(desktop_entry(prefix), encoding="utf-8")
        make_icon(app / "entries" / "icons" / "hicolor" / "256x256" / "apps" / f"{APPID}.png")
        info = {"appid": APPID, "name": "FeeDesk 收费台", "version": ver, "arch": [deb_arch],
                "permissions": {"autostart": False, "notification": False, "trayicon": False,
                                "clipboard": True, "account": False, "bluetooth": False, "camera": False,
                                "audio_record": False, "installed_apps": False}}
        (app / "info").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        menu = root / "usr" / "share" / "applications"
        menu.mkdir(parents=True)
        os.symlink(f"{prefix}/entries/applications/{APPID}.desktop", menu / f"{APPID}.desktop")
        size_kb = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
        control = root / "DEBIAN" / "control"
        control.parent.mkdir()
        control.write_text("\n".join([
            f"Package: {PACKAGE}",
            f"Version: {ver}",
            f"Architecture: {deb_arch}",
            "Maintainer: FeeDesk <feedesk@localhost>",
            f"Installed-Size: {size_kb}",
            f"Depends: {', '.join(DEPENDS)}",
            "Section: misc",
            "Priority: optional",
            "Description: FeeDesk 收费台 - offline cashier for fee-collection windows",
            " Takes cash, WeChat Pay, Alipay and card at a counter, prints numbered receipts,",
            " keeps double-entry books in a local SQLite file or a shared PostgreSQL ledger.",
            "",
        ]), encoding="utf-8")
        for path in [root, *root.rglob("*")]:
            if path.is_symlink():
                continue
            if path.is_dir():
                path.chmod(0o755)
            elif not os.access(path, os.X_OK):
                path.chmod(0o644)
        out_dir.mkdir(parents=True, exist_ok=True)
        deb = out_dir / f"{PACKAGE}_{ver}_{deb_arch}.deb"
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "--build", str(root), str(deb)],
                       check=True, stdout=subprocess.DEVNULL)
    return deb


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(build(Path(sys.argv[1]), Path(sys.argv[2])))
