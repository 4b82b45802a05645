"""Before and after: two load runs' reports side by side, endpoint by endpoint, and the
guard every change is held to: no endpoint loses more than 10% of its throughput or gains
more than 10% of its p99.

    python -m bench.compare before/report.json after/report.json [--out compare.md]

Both reports come from ``python -m bench.run`` with the same settings, on the same
machine, one after the other (see docs/benchmarks.md). Exits 1 when an endpoint misses.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

MAX_THROUGHPUT_LOSS = 0.10
MAX_P99_GAIN = 0.10


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """For every run (database and size) in both reports, each endpoint's req/s and p99
    before and after, their changes, and whether the change keeps within the guard."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key, run in after["runs"].items():
        earlier = before["runs"].get(key)
        if earlier is None:
            continue
        rows = []
        for name, figures in run["endpoints"].items():
            old = earlier["endpoints"].get(name)
            if old is None or figures.get("kind") == "floor":
                continue
            rps_change = figures["rps"] / old["rps"] - 1
            p99_change = figures["p99_ms"] / old["p99_ms"] - 1
            rows.append({
                "name": name, "label": figures["label"],
                "rps_before": old["rps"], "rps_after": figures["rps"], "rps_change": round(rps_change, 3),
                "p99_before": old["p99_ms"], "p99_after": figures["p99_ms"], "p99_change": round(p99_change, 3),
                "within": rps_change >= -MAX_THROUGHPUT_LOSS and p99_change <= MAX_P99_GAIN,
            })
        out[key] = rows
    return out


def markdown(comparison: dict[str, list[dict[str, Any]]]) -> str:
    parts = []
    for key, rows in comparison.items():
        parts += [f"#### {key}", "",
                  "| endpoint | req/s before | req/s after | change | p99 ms before | p99 ms after | change | within |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |"]
        for row in rows:
            parts.append(
                f"| {row['label']} | {row['rps_before']:,.1f} | {row['rps_after']:,.1f} | {row['rps_change']:+.1%} | "
                f"{row['p99_before']:.2f} | {row['p99_after']:.2f} | {row['p99_change']:+.1%} | "
                f"{'yes' if row['within'] else '**no**'} |")
        parts.append("")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="also write the markdown here")
    args = parser.parse_args(argv)
    comparison = compare(json.loads(args.before.read_text()), json.loads(args.after.read_text()))
    text = markdown(comparison)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0 if all(row["within"] for rows in comparison.values() for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
