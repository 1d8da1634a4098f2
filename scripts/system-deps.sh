#!/usr/bin/env bash
# Debian packages FeeDesk needs beyond Python: Qt's runtime libraries (offscreen tests),
# PostgreSQL server binaries (the shared-ledger tests), poppler (PDF checks) and xvfb.
# Installs only what is missing; safe to run again. Needs root (or sudo) on a fresh machine.
set -euo pipefail
PKGS=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 postgresql-15 poppler-utils libusb-1.0-0
      # the window on a real X11 display (xcb platform plugin), and driving it headless (Xvfb, xdotool)
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0
      libxcb-shape0 libxcb-randr0 libxcb-xkb1 libxkbcommon-x11-0 xvfb xdotool imagemagick)
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
