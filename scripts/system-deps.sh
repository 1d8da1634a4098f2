#!/usr/bin/env bash
# Debian 12 packages FeeDesk needs beyond what pip installs: Python's venv and make (`make run`,
# `make test`), Qt's runtime libraries (the window on X11 and offscreen), PostgreSQL server
# binaries (the shared-ledger tests), poppler (PDF checks), libusb (USB printers), binutils
# (PyInstaller, `make dist`) and xvfb/xdotool/imagemagick (screenshots of the installed program).
# Installs only what is missing; safe to run again. Needs root (or sudo) on a fresh machine.
set -euo pipefail
PKGS=(
  python3 python3-venv make binutils
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 fontconfig libfreetype6 libdbus-1-3 libglib2.0-0
  libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0
  libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libxcb-sync1 libxcb-render0 libxcb-shm0 libx11-xcb1
  postgresql-15 poppler-utils libusb-1.0-0
  xvfb xauth xdotool imagemagick
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
