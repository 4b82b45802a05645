"""The benchmark still works: its smoke mode end to end (seed, production server, wrk on
every endpoint, report), a few seconds per database, leaving no database behind. It
asserts no timings: the benchmark is its own command (docs/benchmarks.md)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from mectofitness.config import normalize_database_url

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = {
    "floor", "floor_end", "list", "list_week_scheduled", "list_include", "get",
    "stats_all", "stats_month", "availability", "availability_31", "feed", "create", "update", "series",
}
PG_URL = os.environ.get("MECTO_TEST_POSTGRES_URL")
pytestmark = pytest.mark.slow


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m bench.run`` with ``args``. Past five minutes it is stopped with SIGTERM,
    on which it still drops its smoke databases, and the test fails."""
    command = [sys.executable, "-m", "bench.run", *args]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                stdout, stderr = process.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
            pytest.fail("bench.run took over 300 s:\n" + stdout[-3000:] + stderr[-3000:])
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def assert_left_nothing(done: subprocess.CompletedProcess[str], data: Path, db: str) -> None:
    """Every database the run made is gone: the SQLite files, or the PostgreSQL databases
    it logged as dropped."""
    dropped = re.findall(r"^\[[\w-]+\] dropped (\S+)$", done.stdout, re.MULTILINE)
    assert dropped, done.stdout[-3000:]
    assert not any(data.iterdir()), sorted(data.iterdir())
    if db == "postgresql":
        assert PG_URL
        engine = create_engine(normalize_database_url(PG_URL))
        try:
            with engine.connect() as conn:
                left = conn.scalars(text("SELECT datname FROM pg_database WHERE datname = ANY(:names)"),
                                    {"names": dropped}).all()
        finally:
            engine.dispose()
        assert left == []


@pytest.mark.parametrize("db", ["sqlite"] + (["postgresql"] if PG_URL else []))
def test_bench_smoke_measures_every_endpoint(db: str, tmp_path: Path) -> None:
    args = ["--smoke", "--db", db, "--out", str(tmp_path)]
    if db == "postgresql":
        assert PG_URL
        args += ["--pg-url", PG_URL]
    done = run_bench(*args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert_left_nothing(done, tmp_path / "data", db)

    report = json.loads((tmp_path / "smoke-report.json").read_text())
    (run,) = report["runs"].values()
    assert run["db"] == db
    assert set(run["endpoints"]) == ENDPOINTS
    for name, figures in run["endpoints"].items():
        assert figures["requests"] > 0, name
        assert figures["non_2xx"] == 0, (name, figures["errors"])
        assert figures["errors"]["timeout"] == 0, (name, figures["errors"])
        assert figures["ratio"] is not None and figures["ratio"] > 0, name
    assert "histogram" not in json.dumps(report)  # merged into percentiles, not kept
    markdown = (tmp_path / "smoke-report.md").read_text()
    assert "| floor: GET /health" in markdown


def test_bench_smoke_paired_drives_both_sizes_at_the_same_moment(tmp_path: Path) -> None:
    done = run_bench("--smoke", "--paired", "--db", "sqlite", "--size", "1000", "--size", "2000", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert_left_nothing(done, tmp_path / "data", "sqlite")

    report = json.loads((tmp_path / "smoke-paired-report.json").read_text())
    small, large = report["runs"]["sqlite-1000"], report["runs"]["sqlite-2000"]
    assert set(small["endpoints"]) == set(large["endpoints"]) == ENDPOINTS
    for name in ENDPOINTS:
        a, b = small["endpoints"][name], large["endpoints"][name]
        assert a["non_2xx"] == b["non_2xx"] == 0, name
        # Measured together: both wrk runs began within a second of each other (a 1-s run
        # after a preflight; one after the other they would be at least a second apart).
        assert abs(a["started"] - b["started"]) < 1.0, (name, a["started"], b["started"])
    assert set(report["p99_growth"]["sqlite"]["endpoints"]) == ENDPOINTS - {"floor_end"}
