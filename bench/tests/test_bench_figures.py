"""The benchmark's arithmetic: percentiles over several rounds' requests together and the
median round's throughput. No timing here: the figures are made up, the rules are the
benchmark's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.run import combine, growth, percentile, rounds_table
from bench.spy import OTHER, PARTS, summarize


def round_of(rps: float, p99_ms: float, histogram: list[list[int]]) -> dict[str, Any]:
    return {
        "requests": sum(count for _, count in histogram), "seconds": 15.0, "rps": rps,
        "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": p99_ms, "max_ms": max(v for v, _ in histogram) / 1000,
        "mean_ms": 1.0, "bytes_per_response": 100, "errors": {"status": 0, "timeout": 0},
        "non_2xx": 0, "load_before": 1.0, "load_after": 2.0, "histogram": histogram,
    }


def test_percentile_ranks_as_wrk_does() -> None:
    # 100 requests, 1..100 ms, one each: wrk's rank for p is round(p% of 100 + 0.5).
    histogram = [[ms * 1000, 1] for ms in range(1, 101)]
    assert percentile(histogram, 50) == 51_000
    assert percentile(histogram, 98.4) == 99_000
    assert percentile(histogram, 99) == 100_000
    # Order and duplicate values across histograms do not matter.
    assert percentile([[3, 5], [1, 90], [2, 5]], 90) == 2
    assert percentile([[1, 45], [1, 45], [2, 5], [3, 5]], 90) == 2


def test_combine_takes_the_median_rounds_throughput_and_pooled_percentiles() -> None:
    fast = [[1000, 990], [50_000, 10]]   # p99 1 ms
    slow = [[1000, 980], [80_000, 20]]   # p99 80 ms
    rounds = [round_of(900.0, 1.0, fast), round_of(300.0, 80.0, slow), round_of(1000.0, 1.0, fast)]
    out = combine(rounds)
    assert out["rps"] == 900.0
    # Pooled: 40 of 3,000 requests are slower than 1 ms (1.3%), so p99 is among them; the
    # median of the three rounds' own p99s would have said 1 ms.
    assert out["p99_ms"] == 50.0
    assert out["p50_ms"] == 1.0
    assert out["requests"] == 3000 and out["max_ms"] == 80.0
    assert all("histogram" not in r for r in out["rounds"])


def test_a_single_round_keeps_its_own_figures() -> None:
    only = round_of(500.0, 7.5, [[7000, 100]])
    out = combine([only])
    assert out["p99_ms"] == 7.5 and out["rps"] == 500.0 and "histogram" not in out


def test_spy_puts_each_sample_in_one_part_of_the_request(tmp_path: Path) -> None:
    worker = 'process 1:"gunicorn";Thread.run (threading.py:982);ThreadWorker.handle (gunicorn/workers/gthread.py:281)'
    view = worker + ";Flask.wsgi_app (flask/app.py:1511);wrapper (mectofitness/api/http.py:84)"
    raw = tmp_path / "raw.txt"
    raw.write_text("\n".join([
        # SQL inside the credential check is the credential check's.
        view + ";trainer_for_secret (mectofitness/services/auth.py:140);Connection.execute (sqlalchemy/engine/base.py:1)"
        + " 7",
        view + ";get_session (mectofitness/services/sessions.py:150);Connection.execute (sqlalchemy/engine/base.py:1)"
        + " 5",
        # werkzeug building the response a view asked for is werkzeug's, not the view's.
        view + ";ok (mectofitness/api/http.py:177);Response.__init__ (werkzeug/wrappers/response.py:1) 3",
        view + ";_assign_request_id (mectofitness/requestlog.py:40) 2",
        # The standard library under gunicorn (a socket write) is gunicorn's.
        worker + ";write (gunicorn/util.py:298);socket.sendall (socket.py:1) 11",
        'process 1:"gunicorn";select (selectors.py:1) 1',
    ]) + "\n")
    parts = summarize(raw)
    assert parts == {
        "credential check (login row, SQL included)": 7,
        "database: the endpoint's statements, connection, transaction": 5,
        "Flask and Werkzeug: routing, request, response": 3,
        "the app's own code (views, services, hooks)": 2,
        "gunicorn: HTTP, keep-alive, access log": 11,
        OTHER: 1,
    }
    assert set(parts) <= set(PARTS)


def test_every_round_is_reported() -> None:
    def figures(label: str, rounds: list[tuple[float, float]]) -> dict[str, Any]:
        return {"label": label, "rounds": [{"p99_ms": p99, "rps": rps} for p99, rps in rounds]}

    results = {"sqlite-1000000": {
        "endpoints": {"get": figures("get one", [(55.4, 1912.3), (65.0, 1917.0), (56.0, 1819.0)])},
    }}
    assert rounds_table(results).splitlines()[2:] == [
        "| sqlite-1000000 | get one | 55, 65, 56 | 1,912, 1,917, 1,819 |",
    ]


def test_p99_growth_is_judged_on_the_exact_ratio() -> None:
    def run(p99: float) -> dict[str, Any]:
        return {"endpoints": {"get": {"label": "get one", "p99_ms": p99}}}

    assert growth(run(201.12), run(251.98))["get"] == {
        "label": "get one", "p99_small_ms": 201.12, "p99_large_ms": 251.98, "ratio": 1.253, "meets_target": False}
    assert growth(run(200.0), run(250.0))["get"]["meets_target"] is True


def test_compare_holds_each_endpoint_to_the_ten_percent_guard() -> None:
    from bench.compare import compare

    def report(rps: float, p99: float) -> dict:
        endpoints = {
            "floor": {"label": "floor", "kind": "floor", "rps": 3000.0, "p99_ms": 10.0},
            "get": {"label": "get one", "kind": "read", "rps": rps, "p99_ms": p99},
        }
        return {"runs": {"sqlite-10000": {"endpoints": endpoints}}}

    before = report(1000.0, 50.0)
    rows = {r["name"]: r for r in compare(before, report(905.0, 54.0))["sqlite-10000"]}
    assert set(rows) == {"get"}  # the floor is the yardstick of a run, not a result
    assert rows["get"]["within"] is True and rows["get"]["rps_change"] == -0.095
    assert compare(before, report(899.0, 50.0))["sqlite-10000"][0]["within"] is False  # lost 10.1%
    assert compare(before, report(1000.0, 55.5))["sqlite-10000"][0]["within"] is False  # p99 +11%
