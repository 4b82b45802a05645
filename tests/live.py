"""A real server process (``mectofitness serve``: gunicorn, several workers) for tests
that need true concurrency."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(
    db_url: str, instance: Path, *, workers: int = 4, threads: int = 4, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "MECTO_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "live-test-secret-key-0123456789abcdef",
        "MECTO_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    log = open(instance.parent / f"server-{port}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "mectofitness", "serve", "--port", str(port),
         "--workers", str(workers), "--threads", str(threads)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(base + "/api/v1/auth/me", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("server did not start: " + (instance.parent / f"server-{port}.log").read_text())
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def login_cookie(base: str, username: str, password: str) -> str:
    response = requests.post(base + "/api/v1/auth/login", json={"username": username, "password": password}, timeout=10)
    response.raise_for_status()
    return response.cookies["session"]
