"""Where one endpoint's time goes: the app in this process (Flask's test client, no
network, no gunicorn), a benchmark dataset, pyinstrument over many requests.

    python -m bench.profile --database-url sqlite:///bench-results/data/bench-1000000.db \\
        --path '/api/v1/sessions?include_client=true' -n 500

pyinstrument is a profiling tool, not a dependency: ``pip install pyinstrument``. For the
real server under load, attach py-spy to a worker instead (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from mectofitness import create_app
from mectofitness.config import normalize_database_url
from mectofitness.extensions import db

from . import MEASURED_PASSWORD, MEASURED_USERNAME
from .seed import absolute_url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--path", default="/api/v1/sessions")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default=None, help="JSON body for a write (sent unchanged each time)")
    parser.add_argument("-n", "--requests", type=int, default=500)
    parser.add_argument("--anonymous", action="store_true", help="no login (the floor)")
    parser.add_argument("--html", default=None, help="also write pyinstrument's HTML here")
    parser.add_argument("--time-only", action="store_true", help="no profiler: just the time per request")
    parser.add_argument("--sql-only", action="store_true",
                        help="the request's SQL alone: its statements replayed with the raw DB-API driver")
    args = parser.parse_args(argv)

    app = create_app(database_url=normalize_database_url(absolute_url(args.database_url)), log_level="WARNING")
    web = app.test_client()
    if not args.anonymous:
        response = web.post("/api/v1/auth/login", json={"username": MEASURED_USERNAME, "password": MEASURED_PASSWORD})
        assert response.status_code == 200, response.get_json()
    body = json.loads(args.body) if args.body else None

    def once() -> int:
        return web.open(args.path, method=args.method, json=body).status_code

    for _ in range(min(50, args.requests)):  # warm caches and the connection pool
        status = once()
    print(f"status {status}")
    if args.sql_only:
        sql_only(app, once, args.requests)
        return
    if args.time_only:
        started = time.perf_counter()
        for _ in range(args.requests):
            once()
        elapsed = time.perf_counter() - started
        print(f"{args.requests} requests in {elapsed:.2f}s: {elapsed / args.requests * 1000:.2f} ms each")
        return

    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    started = time.perf_counter()
    profiler.start()
    for _ in range(args.requests):
        once()
    profiler.stop()
    elapsed = time.perf_counter() - started
    print(f"{args.requests} requests in {elapsed:.2f}s: {elapsed / args.requests * 1000:.2f} ms each (profiled)")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        with open(args.html, "w") as fh:
            fh.write(profiler.output_html())


def sql_only(app: Any, once: Callable[[], int], requests: int) -> None:
    """What the database alone costs one request: its statements, captured from one
    request through the app, then run ``requests`` times through the driver's own
    connection (no SQLAlchemy, no Flask), one request at a time. Transaction and
    savepoint statements are left out (the driver's autocommit mode)."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    once()
    event.remove(engine, "before_cursor_execute", capture)
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    statements = [(s, p) for s, p in captured if not s.lstrip().upper().startswith(control)]
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        if engine.dialect.name == "postgresql":
            driver.autocommit = True
        else:
            driver.isolation_level = None
        cursor = driver.cursor()

        def replay() -> None:
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()

        for _ in range(min(50, requests)):
            replay()
        started = time.perf_counter()
        for _ in range(requests):
            replay()
        elapsed = time.perf_counter() - started
    finally:
        raw.close()
    print(f"{len(statements)} statements; the SQL alone, {requests} times: {elapsed / requests * 1000:.3f} ms a request")


if __name__ == "__main__":
    main()
