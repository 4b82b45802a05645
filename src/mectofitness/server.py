"""Production serving: gunicorn with the app factory, one app per worker process."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from . import create_app

        return create_app()


# serve's defaults, measured side by side on a 2-core machine (docs/decisions.md, "Serving"):
# one sync worker per core served every endpoint faster than 2 gthread workers per core with
# 4 threads each, on SQLite (1.1-2.0x) and PostgreSQL (1.2-2.0x) alike.
DEFAULT_THREADS = 1


def default_workers() -> int:
    return os.cpu_count() or 1


def worker_class(threads: int) -> str:
    """Sync workers for one thread each (no thread switching, no keep-alive bookkeeping),
    gthread workers for more."""
    return "sync" if threads == 1 else "gthread"


def run(*, host: str, port: int, workers: int, threads: int) -> None:
    """Serve ``create_app()``."""
    _Gunicorn(
        {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": worker_class(threads),
            "keepalive": 5,
            "accesslog": "-",
            # The response's X-Request-ID joins each access line to the app's log lines.
            "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s',
            "timeout": 30,
            "graceful_timeout": 10,
        }
    ).run()
