#!/usr/bin/env bash
# Runs the whole test suite: lint, Schemathesis against the live service (scripts/fuzz.py),
# the Postman collection with newman (scripts/newman.py), then pytest on SQLite always and
# PostgreSQL at $MECTO_TEST_POSTGRES_URL.
# Starts the local PostgreSQL cluster if it is down; fails (never skips) if unreachable.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if [ -n "${MECTO_TEST_POSTGRES_URL:-}" ]; then
  if ! "$BIN/python" scripts/pg_ready.py "$MECTO_TEST_POSTGRES_URL" 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
      echo "Starting PostgreSQL..."
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    fi
    for _ in $(seq 1 30); do
      "$BIN/python" scripts/pg_ready.py "$MECTO_TEST_POSTGRES_URL" 2>/dev/null && break
      sleep 1
    done
    "$BIN/python" scripts/pg_ready.py "$MECTO_TEST_POSTGRES_URL" || {
      echo "PostgreSQL at $MECTO_TEST_POSTGRES_URL is unreachable" >&2; exit 1; }
  fi
fi

# System tools the suite drives: Debian's chromium (docs page) and wrk (benchmark smoke).
bash scripts/install-debian-packages.sh chromium wrk

# Lint and types first: they take seconds.
if [ "$#" -eq 0 ]; then
  "$BIN/ruff" check src tests scripts bench
  "$BIN/mypy"
fi

# The whole suite (no arguments) also fuzzes the live service on both databases, then runs
# the Postman collection with newman against a freshly seeded demo (newman comes from
# `make install`). Both run before pytest so that the run ends with pytest's own summary.
if [ "$#" -eq 0 ]; then
  if [ -n "${MECTO_TEST_POSTGRES_URL:-}" ]; then
    "$BIN/python" scripts/fuzz.py --db both
  else
    "$BIN/python" scripts/fuzz.py --db sqlite
  fi
  "$BIN/python" scripts/newman.py
fi

"$BIN/pytest" "$@"
