"""The benchmark: scale data (``python -m bench.seed``) and the load run against the
production server (``python -m bench.run``). See docs/benchmarks.md."""

from __future__ import annotations

from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"

# The two standard dataset sizes (total sessions in the database).
SIZES = (10_000, 1_000_000)
TRAINERS = 2_000
# The trainer every request is made as, and how many sessions they own at every size, so
# that the 10,000 and 1,000,000 runs ask the same questions of the same calendar.
MEASURED_USERNAME = "bench"
MEASURED_PASSWORD = "bench-password-1"
MEASURED_SESSIONS = 10_000
MEASURED_TIMEZONE = "Europe/London"
# The data is two years of calendar: 18 months before ANCHOR and 6 after. Fixed, so that a
# seed is the same rows whenever it runs.
ANCHOR = date(2026, 11, 23)
DAYS_BEFORE = 548
DAYS_AFTER = 182
DEFAULT_SEED = 20_261_123
