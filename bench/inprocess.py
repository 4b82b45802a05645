"""What requests cost in process (Flask's test client, no server, no network), steadier
than a load run on a noisy machine, for comparing two versions of the code:

    python -m bench.inprocess --database-url sqlite:///bench-results/data/bench-1000000.db \\
        /api/v1/sessions /api/v1/sessions/stats

Logs in as the measured trainer, then runs each path ``--requests`` times in a batch,
``--batches`` times over, and prints the best batch's and the median batch's milliseconds
per request. Run it on a checkout of each version, alternating, and keep the best of each.

With ``--writes`` (no paths) it measures the two bookings instead: one create
(``POST /api/v1/sessions``) against a 52-week series (``POST /api/v1/series``), each
request in a free slot far in the future (bookings the benchmark's reset removes).
"""

from __future__ import annotations

import argparse
import itertools
import logging
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from mectofitness import create_app
from mectofitness.config import Settings, normalize_database_url

from . import MEASURED_PASSWORD, MEASURED_USERNAME


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("--writes", action="store_true", help="measure one create against a 52-week series")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args(argv)
    if not args.paths and not args.writes:
        parser.error("give paths, or --writes")
    logging.disable(logging.WARNING)
    app = create_app(Settings(instance_path=Path("bench-results/instance").resolve(),
                              database_url=normalize_database_url(args.database_url), secret_key="x" * 48,
                              # The cost of a request, not the limits': a batch is past them.
                              rate_limit_reads=None, rate_limit_writes=None))
    web = app.test_client()
    login = {"username": MEASURED_USERNAME, "password": MEASURED_PASSWORD}
    assert web.post("/api/v1/auth/login", json=login).status_code == 200
    if args.writes:
        _clear_far_bookings(app)  # an earlier run's, if it stopped half way
        try:
            _writes(web, requests=args.requests, batches=args.batches)
        finally:
            _clear_far_bookings(app)
        return
    times: dict[str, list[float]] = {path: [] for path in args.paths}
    for _ in range(args.batches):
        for path in args.paths:
            start = time.perf_counter()
            for _ in range(args.requests):
                response = web.get(path)
            assert response.status_code == 200, response.get_json()
            times[path].append((time.perf_counter() - start) * 1000 / args.requests)
    for path, batch in times.items():
        print(f"best {min(batch):.3f} ms  median {statistics.median(batch):.3f} ms  {path}")


WRITES_BASE = datetime(2090, 1, 1, tzinfo=UTC)


def _clear_far_bookings(app: Flask) -> None:
    """Remove what ``_writes`` booked: sessions from WRITES_BASE on, and emptied series."""
    from sqlalchemy import delete

    from mectofitness.extensions import db
    from mectofitness.models import Series, TrainingSession

    with app.app_context():
        db.session.execute(delete(TrainingSession).where(TrainingSession.scheduled_start >= WRITES_BASE))
        db.session.execute(delete(Series).where(~Series.id.in_(
            db.session.query(TrainingSession.series_id).where(TrainingSession.series_id.is_not(None)))))
        db.session.commit()


def _writes(web: FlaskClient, *, requests: int, batches: int) -> None:
    """One create against one 52-week series: ms per request, best and median batch. Each
    request books its own 10-minute slot of a week (a week holds 1008), a series' block of
    weeks after the creates', so that nothing conflicts."""
    base = WRITES_BASE
    counter = itertools.count()

    def body(start: datetime, **extra: str) -> dict[str, object]:
        return {"client_id": client_id, "title": "In-process booking", "scheduled_start": start.isoformat(),
                "scheduled_end": (start + timedelta(minutes=10)).isoformat()} | extra

    client_id = web.get("/api/v1/clients", query_string={"status": "active"}).get_json()["data"]["clients"][0]["id"]
    cases = {
        "create (POST /api/v1/sessions)": ("/api/v1/sessions", {}),
        "create a 52-week series (POST /api/v1/series)": ("/api/v1/series", {"rrule": "FREQ=WEEKLY;COUNT=52"}),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(batches):
        for name, (path, extra) in cases.items():
            started = time.perf_counter()
            for _ in range(requests):
                slot = next(counter)
                start = base + timedelta(minutes=10 * (slot % 1008), weeks=52 * (slot // 1008))
                response = web.post(path, json=body(start, **extra))
                assert response.status_code == 201, response.get_json()
            times[name].append((time.perf_counter() - started) * 1000 / requests)
    for name, batch in times.items():
        print(f"best {min(batch):.3f} ms  median {statistics.median(batch):.3f} ms  {name}")


if __name__ == "__main__":
    main()
