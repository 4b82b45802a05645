#!/usr/bin/env bash
# Installs the load tool the benchmark drives the service with (wrk, from Debian's
# packages). A no-op when wrk is already on PATH. Needs root (or sudo) and apt.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (up to 5 minutes) instead of failing on its lock.
APT="apt-get -o DPkg::Lock::Timeout=300"
if ! $SUDO $APT install -y --no-install-recommends wrk >/dev/null 2>&1; then
  $SUDO $APT update -qq
  $SUDO $APT install -y --no-install-recommends wrk
fi
command -v wrk >/dev/null
