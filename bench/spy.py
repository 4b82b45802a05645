"""Where the server's time goes under load: py-spy samples every worker of the production
server while wrk drives one endpoint as ``bench.run`` does, and the samples are summed
into the parts of a request.

    python -m bench.spy --db sqlite --size 1000000 --endpoint get

The floor is profiled the same way first, so that an endpoint's own work (its cost beyond
the floor's) can be read off part by part. py-spy is a profiling tool, not a dependency:
``pip install py-spy``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from . import ANCHOR, RESULTS
from .run import DEFAULT_PG_URL, dataset, endpoints, ensure_seeded, ensure_wrk, login, logout, prepare, server, wrk

# The parts of a request. First by task: a sample belongs to the first task any frame of
# its stack matches, so that the SQL run inside the credential check counts as the
# credential check. Else by layer: the innermost frame that names one (a socket write
# under gunicorn is gunicorn's; werkzeug building the response a view asked for is
# werkzeug's, not the view's). Matched as substrings of py-spy's "function (file:line)".
TASKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("credential check (login row, SQL included)", ("trainer_for_secret (",)),
    ("cookie: read and verify (Flask session)", ("open_session (",)),
    ("answer: JSON of the session(s)", ("session_data (", "jsonify (", "json/provider.py", "json/__init__.py")),
    ("database: the endpoint's statements, connection, transaction", ("sqlalchemy/", "psycopg/", "flask_sqlalchemy/")),
)
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pydantic: parameters and models", ("pydantic",)),
    ("Flask-Login", ("flask_login/",)),
    ("the app's own code (views, services, hooks)", ("mectofitness/",)),
    ("Flask and Werkzeug: routing, request, response", ("flask/", "werkzeug/")),
    ("gunicorn: HTTP, keep-alive, access log", ("gunicorn/",)),
)
OTHER = "other (interpreter, standard library)"
PARTS = [name for name, _ in TASKS] + [name for name, _ in LAYERS] + [OTHER]


def classify(stack: str) -> str:
    for part, patterns in TASKS:
        if any(pattern in stack for pattern in patterns):
            return part
    for frame in reversed(stack.split(";")):
        for part, patterns in LAYERS:
            if any(pattern in frame for pattern in patterns):
                return part
    return OTHER


def summarize(raw: Path) -> Counter[str]:
    """py-spy's raw (collapsed) output, "frame;frame;... count" a line, as samples per part."""
    parts: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            parts[classify(stack)] += int(count)
    return parts


def profile(binary: str, pid: int, ep: Any, base: str, cookie: str, *, seconds: int, rate: int,
            connections: int, wrk_threads: int, out: Path) -> dict[str, Any]:
    """wrk on one endpoint for ``seconds``; py-spy on every worker through the middle of it."""
    raw = out / f"spy-{ep.name}-{pid}.txt"
    figures: dict[str, Any] = {}

    def drive() -> None:
        figures.update(wrk(binary, base, ep, cookie=cookie, seconds=seconds, connections=connections,
                           threads=wrk_threads))

    load = threading.Thread(target=drive)
    load.start()
    sampled = max(seconds - 2, 1)
    # --gil: only the thread holding the interpreter, i.e. Python at work (not threads
    # waiting for a connection, a lock or the next request).
    subprocess.run([_py_spy(), "record", "--pid", str(pid), "--subprocesses", "--gil", "--rate", str(rate),
                    "--duration", str(sampled), "--format", "raw", "--output", str(raw)],
                   check=True, capture_output=True, timeout=sampled + 60)
    load.join()
    parts = summarize(raw)
    requests_sampled = figures["rps"] * sampled
    # A sample is 1/rate s of one worker's interpreter at work.
    per_request_ms = {part: count / rate / requests_sampled * 1000 for part, count in parts.items()}
    return {"rps": figures["rps"], "samples": sum(parts.values()), "ms": per_request_ms}


def _py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise SystemExit("py-spy is not installed: pip install py-spy")
    return found


def table(floor: dict[str, Any], measured: dict[str, Any], label: str) -> str:
    lines = [f"| part of the request | floor: ms per request | {label}: ms per request | {label}'s own work |",
             "| --- | ---: | ---: | ---: |"]
    for part in PARTS:
        a, b = floor["ms"].get(part, 0.0), measured["ms"].get(part, 0.0)
        if a or b:
            lines.append(f"| {part} | {a:.3f} | {b:.3f} | {b - a:+.3f} |")
    total_a, total_b = sum(floor["ms"].values()), sum(measured["ms"].values())
    lines.append(f"| **all sampled (the workers' interpreter time)** | **{total_a:.3f}** | **{total_b:.3f}** | "
                 f"**{total_b - total_a:+.3f}** |")
    lines.append(f"| req/s while sampled | {floor['rps']:,.0f} | {measured['rps']:,.0f} | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.spy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--endpoint", default="get", help="a bench.run endpoint name (get, list, stats_all, ...)")
    parser.add_argument("--seconds", type=int, default=12, help="wrk's time per endpoint; py-spy samples all but 2 s")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--pg-url", default=os.environ.get("MECTO_BENCH_POSTGRES_URL") or DEFAULT_PG_URL)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    out = args.out.resolve()
    (out / "data").mkdir(parents=True, exist_ok=True)
    ds = dataset(args.db, args.size, pg_url=args.pg_url, data_dir=out / "data", smoke=False)
    ensure_seeded(ds, reseed=False, log=print)
    files, client_ids = prepare(ds, out)
    binary = ensure_wrk()
    by_name = {e.name: e for e in endpoints(ANCHOR, files, args.wrk_threads, client_ids, warmup=False)}
    if args.endpoint not in by_name:
        raise SystemExit(f"no endpoint {args.endpoint!r}; one of {', '.join(by_name)}")
    with ExitStack() as stack:
        target = stack.enter_context(server(ds, out, workers=None, threads=None, log=print))
        cookie = login(target.base)
        stack.callback(logout, target.base, cookie)
        results = {}
        for name in ("floor", args.endpoint):
            ep = by_name[name]
            wrk(binary, target.base, ep, cookie=cookie, seconds=args.warmup, connections=args.connections,
                threads=args.wrk_threads)
            results[name] = profile(binary, target.pid, ep, target.base, cookie, seconds=args.seconds, rate=args.rate,
                                    connections=args.connections, wrk_threads=args.wrk_threads, out=out)
    print(f"\nmectofitness serve, {ds.db} {ds.size:,} sessions, py-spy at {args.rate} Hz over {args.seconds - 2} s "
          f"of {args.seconds} s under wrk ({args.connections} connections):\n")
    print(table(results["floor"], results[args.endpoint], by_name[args.endpoint].label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
