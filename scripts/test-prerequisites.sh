#!/usr/bin/env bash
# Run first by `npm test`: makes sure the machine has the Debian packages the
# tests drive for real, and says what it found or did.
#   chromium        Playwright drives Debian's Chromium (/usr/bin/chromium, or PLAYWRIGHT_CHROMIUM_PATH)
#   mariadb-server  lambda's secret-rotation test runs a real MariaDB (mariadbd, mariadb-install-db)
#   openssl         that MariaDB's self-signed TLS certificate
# Missing packages are installed with apt-get when that is permitted: running as
# root on a Debian-like machine, non-interactively (no terminal on stdin, or
# CI=true, or SEP_INSTALL_TEST_PACKAGES=1). Otherwise it stops at once and
# prints the exact command to run. SEP_SKIP_TEST_PREREQUISITES=1 skips the check.
set -euo pipefail

if [ "${SEP_SKIP_TEST_PREREQUISITES:-}" = "1" ]; then
  echo "test prerequisites: check skipped (SEP_SKIP_TEST_PREREQUISITES=1)"
  exit 0
fi

has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }

chromium="${PLAYWRIGHT_CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()
[ -x "$chromium" ] || missing+=(chromium)
{ has mariadbd || has mysqld; } && has mariadb-install-db || missing+=(mariadb-server)
has openssl || missing+=(openssl)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "test prerequisites: chromium ($chromium), mariadbd, openssl present; nothing installed"
  exit 0
fi

command_line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
interactive=0
[ -t 0 ] && interactive=1
permitted=0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$interactive" = "0" ] || [ "${CI:-}" = "true" ] || [ "${SEP_INSTALL_TEST_PACKAGES:-}" = "1" ]; then
    permitted=1
  fi
fi

if [ "$permitted" = "0" ]; then
  echo "test prerequisites: missing ${missing[*]}." >&2
  if [ "$(id -u)" = "0" ]; then
    echo "Install them (or rerun with SEP_INSTALL_TEST_PACKAGES=1 to let npm test do it):" >&2
    echo "  $command_line" >&2
  else
    echo "Install them as root, then run npm test again:" >&2
    echo "  sudo sh -c '$command_line'" >&2
  fi
  exit 1
fi

echo "test prerequisites: installing ${missing[*]} with apt-get (root, non-interactive)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "test prerequisites: installed ${missing[*]}"
if [ "${missing[*]}" != "${missing[*]/chromium/}" ] && [ ! -x "$chromium" ]; then
  echo "test prerequisites: chromium was installed but $chromium is still missing (set PLAYWRIGHT_CHROMIUM_PATH)" >&2
  exit 1
fi
