#!/usr/bin/env bash
# Installs Debian packages the project drives from outside Python: each argument is a
# command that must be on PATH afterwards (its package has the same name), e.g.
#   bash scripts/install-debian-packages.sh chromium wrk
# chromium for the docs page's browser test (never a browser download), wrk for the
# benchmark. Commands already present are skipped. Needs root (or sudo) and apt.
set -euo pipefail
missing=()
for command in "$@"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("$command")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (up to 5 minutes) instead of failing on its lock.
APT="apt-get -o DPkg::Lock::Timeout=300"
if ! $SUDO $APT install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  $SUDO $APT update -qq
  $SUDO $APT install -y --no-install-recommends "${missing[@]}"
fi
for command in "${missing[@]}"; do
  command -v "$command" >/dev/null
done
