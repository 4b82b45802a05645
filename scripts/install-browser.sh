#!/usr/bin/env bash
# Installs Debian's chromium for the docs page's browser test (Playwright drives it by
# executable path; no browser is ever downloaded). A no-op when it is already there.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -o DPkg::Lock::Timeout=300"
if ! $SUDO $APT install -y --no-install-recommends chromium >/dev/null 2>&1; then
  $SUDO $APT update -qq
  $SUDO $APT install -y --no-install-recommends chromium
fi
command -v chromium >/dev/null
