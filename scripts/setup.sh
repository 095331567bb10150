#!/usr/bin/env bash
# Installs what Tripod needs on Debian 12: system packages (only the missing
# ones, with one `apt-get update` first), the npm web assets built into
# tripod (vendor/: Leaflet) and the npm browser-test tooling.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev
  libical-dev libcurl4-openssl-dev libxml2-dev libcmocka-dev libsodium-dev tzdata
  radicale python3-aiosmtpd python3-requests python3-pytest python3-caldav
  python3-icalendar chromium nodejs npm wrk postgresql postgresql-contrib
)

# Node.js may come from elsewhere (e.g. NodeSource, whose nodejs bundles npm
# and conflicts with Debian's npm): a working command counts as installed.
declare -A BY_COMMAND=([nodejs]=node [npm]=npm)

missing=()
for p in "${PKGS[@]}"; do
  cmd=${BY_COMMAND[$p]:-}
  if [ -n "$cmd" ] && command -v "$cmd" >/dev/null 2>&1; then
    continue
  fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

here="$(cd "$(dirname "$0")/.." && pwd)"
# Web assets compiled into tripod (Leaflet for the maps), pinned in vendor/package-lock.json.
if [ ! -f "$here/vendor/node_modules/leaflet/dist/leaflet.js" ]; then
  (cd "$here/vendor" && npm ci --no-audit --no-fund --loglevel=error)
fi
# Browser-test tooling (playwright-core drives Debian's chromium; no browser download).
if [ -f "$here/tests/browser/package.json" ] && [ ! -d "$here/tests/browser/node_modules/playwright-core" ]; then
  (cd "$here/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
