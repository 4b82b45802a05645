"""The service as a real server process (``mectofitness serve``: gunicorn and its workers),
for whatever needs one: the tests that need true concurrency or a browser, the benchmark
(``bench.run``, ``bench.spy``) and the fuzz script (``scripts/fuzz.py``). One way to start
it, wait until it answers, log in to it and stop it.

It lives with the tests and imports nothing from them; the benchmark and the fuzz script
import it as ``tests.live`` from the repository root they run in.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:<port>
    pid: int  # gunicorn's master process; its workers are its children
    command: tuple[str, ...]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(
    database_url: str,
    instance: Path,
    *,
    log: Path | None = None,
    workers: int | None = None,
    threads: int | None = None,
    production: bool = False,
    secret_key: str | None = None,
    log_level: str | None = "WARNING",
    access_log: bool = True,
    start_timeout: float = 30,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Served]:
    """``mectofitness serve`` on a free local port, up once ``/api/v1/health`` answers 200.

    ``workers`` and ``threads`` default to the server's own; ``production`` sets
    ``MECTO_ENV=production``; ``secret_key`` defaults to a fresh random one; ``log_level``
    None leaves the server's default. Its output goes to ``log`` (default: beside the
    instance folder, named after the port); ``access_log=False`` discards gunicorn's access
    lines (its stdout) and keeps the app's (stderr). Stopped on exit: SIGTERM, then SIGKILL
    after 30 s. ``extra_env`` adds to its environment.

    Rate limits are off (``MECTO_RATE_LIMIT_READS`` / ``_WRITES=off``) unless ``extra_env``
    sets them: the concurrency tests, the benchmark and the fuzz script drive the server
    far past any per-caller limit on purpose.
    """
    port = free_port()
    command = [sys.executable, "-m", "mectofitness", "serve", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MECTO_INSTANCE_PATH": str(instance),
        "SECRET_KEY": secret_key or secrets.token_urlsafe(48),
        "MECTO_RATE_LIMIT_READS": "off",
        "MECTO_RATE_LIMIT_WRITES": "off",
        **(extra_env or {}),
    }
    if production:
        env["MECTO_ENV"] = "production"
    env.pop("MECTO_LOG_LEVEL", None)
    if log_level:
        env["MECTO_LOG_LEVEL"] = log_level
    log_path = log or instance.parent / f"server-{port}.log"
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log_file:
        stdout = log_file if access_log else subprocess.DEVNULL
        process = subprocess.Popen(command, env=env, stdout=stdout, stderr=log_file)
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    if requests.get(base + "/api/v1/health", timeout=2).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start; {log_path}:\n" + log_path.read_text()[-3000:])
                time.sleep(0.1)
            yield Served(base, process.pid, tuple(command[1:]))
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def login_cookie(base: str, username: str, password: str) -> str:
    """Log in; the session cookie's value. Read from the header: a production server marks
    the cookie Secure, and this is plain HTTP."""
    response = requests.post(base + "/api/v1/auth/login", json={"username": username, "password": password}, timeout=30)
    response.raise_for_status()
    match = re.search(r"(?:^|[;,]\s*)session=([^;]+)", response.headers.get("Set-Cookie", ""))
    if not match:
        raise RuntimeError("login set no session cookie")
    return match.group(1)
