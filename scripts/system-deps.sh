#!/usr/bin/env bash
# Debian packages FeeDesk needs beyond Python: Qt's runtime libraries (offscreen tests),
# PostgreSQL server binaries (the shared-ledger tests), poppler (PDF checks) and xvfb.
# Installs only what is missing; safe to run again. Needs root (or sudo) on a fresh machine.
set -euo pipefail
PKGS=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 postgresql-15 poppler-utils libusb-1.0-0)
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
