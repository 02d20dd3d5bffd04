#!/usr/bin/env bash
# What the test suite needs from the operating system, installed when missing: Debian's
# Chromium (browser tests), LibreOffice Calc headless (a spreadsheet program opens the XLSX
# exports), Pango and a font (WeasyPrint's PDF exports) and the PostgreSQL client. Shared by
# `make test` and `.ci/run`, so a fresh clone on a fresh machine passes with `make test` alone.
# Without root (or apt-get) it installs nothing and says exactly what to install.
set -euo pipefail

need=()
lean=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pg_isready >/dev/null 2>&1 || need+=(postgresql-client)
if command -v dpkg >/dev/null 2>&1; then
  for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
fi
# Without its recommends (Java, extra fonts, help): about 90 MB to download, 276 MB on disk.
command -v soffice >/dev/null 2>&1 || lean+=(libreoffice-calc-nogui)

if [ ${#need[@]} -eq 0 ] && [ ${#lean[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need these system packages, which are missing: ${need[*]} ${lean[*]}" >&2
  echo "Install them as root, then run 'make test' again:" >&2
  [ ${#need[@]} -gt 0 ] && echo "  sudo apt-get install ${need[*]}" >&2
  [ ${#lean[@]} -gt 0 ] && echo "  sudo apt-get install --no-install-recommends ${lean[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "== installing the system packages the tests need: ${need[*]} ${lean[*]}"
apt-get update -qq
if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq "${need[@]}" >/dev/null; fi
if [ ${#lean[@]} -gt 0 ]; then apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null; fi
echo "== system packages installed"
