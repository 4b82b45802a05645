"""The scheduling rules, in one place: which sessions occupy the calendar, when two
intervals overlap, working hours, and free-interval arithmetic.

Conflict checks and availability both use these, so the rules cannot drift apart.
Intervals are half-open ``[start, end)`` in UTC: back-to-back sessions do not overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_

from .. import timeutil
from ..domain import MAX_SESSION_LENGTH, OCCUPYING_STATUSES, WEEKDAYS, parse_hhmm
from ..models import TrainingSession

Interval = tuple[datetime, datetime]


def occupies(status: str) -> bool:
    return status in OCCUPYING_STATUSES


def overlaps(a: Interval, b: Interval) -> bool:
    """Half-open overlap: ``[a0, a1)`` and ``[b0, b1)`` share at least one instant."""
    return a[0] < b[1] and b[0] < a[1]


def overlap_clause(start: datetime, end: datetime) -> ColumnElement[bool]:
    """SQL for "an occupying session overlapping ``[start, end)``" (same rule as ``overlaps``)."""
    return and_(
        TrainingSession.status.in_(sorted(OCCUPYING_STATUSES)),
        TrainingSession.scheduled_start < end,
        # Sessions last at most a day: this bounds the scan to a day's slice of the index.
        TrainingSession.scheduled_start > start - MAX_SESSION_LENGTH,
        TrainingSession.scheduled_end > start,
    )


def working_intervals(day: date, tz: ZoneInfo, hours: dict[str, list[dict[str, str]]]) -> list[Interval]:
    """The local ``day``'s working ranges as UTC intervals. A boundary that falls in a DST gap
    is the moment the clocks jump past it, so a range holds every instant whose wall-clock
    time lies in it and none after its end."""
    midnight = datetime.combine(day, time())
    intervals = []
    for span in hours.get(WEEKDAYS[day.weekday()], []):
        start = timeutil.first_instant_at(midnight + timedelta(minutes=parse_hhmm(span["start"])), tz)
        end = timeutil.first_instant_at(midnight + timedelta(minutes=parse_hhmm(span["end"])), tz)
        if end > start:
            intervals.append((start, end))
    return sorted(intervals)


def free_intervals(
    windows: Iterable[Interval], busy: Iterable[Interval], *, not_before: datetime | None = None
) -> list[Interval]:
    """Maximal sub-intervals of ``windows`` that overlap no ``busy`` interval and start no
    earlier than ``not_before``. Adjacent windows merge into one free interval."""
    merged_busy = _merge(busy)
    free: list[Interval] = []
    for w_start, w_end in _merge(windows):
        if not_before is not None:
            w_start = max(w_start, not_before)
        cursor = w_start
        for b_start, b_end in merged_busy:
            if b_end <= cursor or b_start >= w_end:
                continue
            if b_start > cursor:
                free.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < w_end:
            free.append((cursor, w_end))
    return free


def long_enough(intervals: Sequence[Interval], minutes: int) -> list[Interval]:
    need = timedelta(minutes=minutes)
    return [iv for iv in intervals if iv[1] - iv[0] >= need]


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and join intervals that overlap or touch."""
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result
