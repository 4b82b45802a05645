"""Runs the checked-in Postman collection with newman against the live service.

A fresh SQLite database in a temporary folder, the demo data (``mectofitness seed-demo``),
the service started as production runs it (``mectofitness serve``) on a free port, then
``newman run docs/postman/...`` with the checked-in environment pointed at it. Exits with
newman's status (non-zero on any failed check), or 1 if the server logged a traceback.
newman comes from the root package.json (``npm ci``, done by ``make install``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
POSTMAN = ROOT / "docs" / "postman"
COLLECTION = POSTMAN / "mectofitness.postman_collection.json"
ENVIRONMENT = POSTMAN / "mectofitness.postman_environment.json"


def main() -> int:
    if not (ROOT / "node_modules" / ".bin" / "newman").exists():
        print("newman is not installed: run `make install` (npm ci)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="mecto-newman-") as tmp:
        # Rate limits off: the run is one caller, and must not depend on how fast it goes.
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'newman.db'}", "MECTO_INSTANCE_PATH": tmp,
               "MECTO_LOG_LEVEL": "WARNING", "MECTO_RATE_LIMIT_READS": "off", "MECTO_RATE_LIMIT_WRITES": "off"}
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        subprocess.run([str(BIN / "mectofitness"), "seed-demo", "--url", base], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        with open(Path(tmp) / "server.log", "w") as log:
            server = subprocess.Popen([str(BIN / "mectofitness"), "serve", "--port", str(port), "--workers", "1"],
                                      env=env, stdout=subprocess.DEVNULL, stderr=log)
            try:
                _wait_until_up(base, server)
                print(f"== newman: {COLLECTION.relative_to(ROOT)} against {base}", flush=True)
                code = subprocess.run(
                    ["npx", "--no-install", "newman", "run", str(COLLECTION), "--environment", str(ENVIRONMENT),
                     "--env-var", f"BASE_URL={base}", "--color", "off"],
                    cwd=ROOT, check=False,
                ).returncode
            finally:
                server.terminate()
                server.wait(timeout=20)
        server_log = (Path(tmp) / "server.log").read_text()
        if "Traceback" in server_log:
            print(server_log[-5000:])
            code = code or 1
    print("newman:", "passed" if code == 0 else "FAILED")
    return code


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=1):
                return
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the service at {base} did not come up") from None
            time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


if __name__ == "__main__":
    sys.exit(main())
