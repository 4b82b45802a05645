"""What requests cost in process (Flask's test client, no server, no network), steadier
than a load run on a noisy machine, for comparing two versions of the code:

    python -m bench.inprocess --database-url sqlite:///bench-results/data/bench-1000000.db \\
        /api/v1/sessions /api/v1/sessions/stats

Logs in as the measured trainer, then runs each path ``--requests`` times in a batch,
``--batches`` times over, and prints the best batch's and the median batch's milliseconds
per request. Run it on a checkout of each version, alternating, and keep the best of each.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from pathlib import Path

from mectofitness import create_app
from mectofitness.config import Settings, normalize_database_url

from . import MEASURED_PASSWORD, MEASURED_USERNAME


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    app = create_app(Settings(instance_path=Path("bench-results/instance").resolve(),
                              database_url=normalize_database_url(args.database_url), secret_key="x" * 48))
    web = app.test_client()
    login = {"username": MEASURED_USERNAME, "password": MEASURED_PASSWORD}
    assert web.post("/api/v1/auth/login", json=login).status_code == 200
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


if __name__ == "__main__":
    main()
