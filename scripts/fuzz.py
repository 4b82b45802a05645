"""Fuzz the live service with Schemathesis, on SQLite and on PostgreSQL.

For each database: a fresh migrated database, a trainer with clients and sessions, the
service started as production runs it (``mectofitness serve``), then Schemathesis over
every operation of /api/v1/openapi.json with a fixed seed: server errors, status codes,
content types and response bodies are checked against the document, and stateful
sequences follow its links. Exits non-zero on any failure. Reports go to fuzz-report/.

    python scripts/fuzz.py [--db sqlite|postgresql|both] [--max-examples N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a file (python scripts/fuzz.py): tests.live is found from the root
from tests.live import live_server

BIN = Path(sys.executable).parent
SEED = 20251209
REVOKE = "auth_revoke_token"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("MECTO_FUZZ_EXAMPLES", "25")))
    parser.add_argument("--postgres-url", default=os.environ.get("MECTO_TEST_POSTGRES_URL",
                                                                  "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    failed = [backend for backend in backends if not fuzz(backend, args)]
    print("fuzzing:", "FAILED on " + ", ".join(failed) if failed else "passed on " + ", ".join(backends))
    return 1 if failed else 0


def fuzz(backend: str, args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix=f"mecto-fuzz-{backend}-") as tmp:
        url, drop = _database(backend, Path(tmp), args.postgres_url)
        # Rate limits off (live_server's default too): Schemathesis sends far more than any
        # caller may, and a 429 would hide what it is looking for.
        env = {**os.environ, "DATABASE_URL": url, "MECTO_INSTANCE_PATH": tmp, "MECTO_LOG_LEVEL": "WARNING",
               "MECTO_RATE_LIMIT_READS": "off", "MECTO_RATE_LIMIT_WRITES": "off"}
        try:
            _run([str(BIN / "mectofitness"), "create-trainer", "--username", "fuzzer", "--email",
                  "fuzzer@example.com", "--password", "fuzz-password-1", "--timezone", "America/New_York"], env)
            server_log = Path(tmp) / "server.log"
            # The app's log (stderr) only: it is searched for tracebacks below.
            with live_server(url, Path(tmp), log=server_log, workers=2, access_log=False) as server:
                base = server.base
                token = _prepare(base)
                report = ROOT / "fuzz-report" / backend
                report.mkdir(parents=True, exist_ok=True)
                # Revoking tokens could revoke the fuzzer's own: that operation runs last, alone.
                common = [
                    str(BIN / "schemathesis"), "run", f"{base}/api/v1/openapi.json",
                    "--header", f"Authorization: Bearer {token}",
                    "--checks", CHECKS,
                    "--max-examples", str(args.max_examples),
                    "--seed", str(SEED),
                    "--generation-deterministic",
                    "--workers", "1",
                    "--request-timeout", "30",
                    "--report", "junit", "--report-dir", str(report),
                ]
                ok = True
                for scope in (
                    ["--exclude-operation-id", REVOKE, "--phases", "examples,coverage,fuzzing,stateful"],
                    ["--include-operation-id", REVOKE, "--phases", "examples,coverage,fuzzing"],
                ):
                    print(f"== fuzzing on {backend}: {' '.join(common[2:] + scope)}", flush=True)
                    ok = subprocess.run(common + scope, env=env, check=False).returncode == 0 and ok
                errors = server_log.read_text()
                if "Traceback" in errors:
                    print(errors[-5000:])
                    return False
                return ok
        finally:
            drop()


def _prepare(base: str) -> str:
    """Log in, make a token, and give the trainer clients and a session to act on."""
    http = requests.Session()
    http.post(base + "/api/v1/auth/login", json={"username": "fuzzer", "password": "fuzz-password-1"},
              timeout=10).raise_for_status()
    token = http.post(base + "/api/v1/auth/tokens", json={"name": "fuzz"}, timeout=10).json()["data"]["token"]
    for name in ("Ana Fuzz", "Ben Fuzz", "Cy Fuzz"):
        client = http.post(base + "/api/v1/clients", json={"name": name}, timeout=10).json()["data"]
    http.post(base + "/api/v1/sessions", timeout=10, json={
        "client_id": client["id"], "title": "Seed session",
        "scheduled_start": "2031-01-06T10:00:00", "scheduled_end": "2031-01-06T11:00:00",
    }).raise_for_status()
    return token


def _database(backend: str, tmp: Path, postgres_url: str):
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'fuzz.db'}", lambda: None
    admin_url = postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"mecto_fuzz_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return postgres_url.rsplit("/", 1)[0] + "/" + name, drop


def _run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    sys.exit(main())
