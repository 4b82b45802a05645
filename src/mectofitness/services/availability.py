"""Free time on a trainer's days: what the scheduling rule calls bookable (working hours
after overrides, minus sessions and their buffers, minus time off, after now + notice,
before the horizon), for one day or a range of days, in a fixed number of queries."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from .. import timeutil
from ..domain import MAX_SESSION_LENGTH
from ..models import Trainer
from . import scheduling


def range_availability(
    db: Session, *, trainer: Trainer, first: date, last: date, duration: int, now: datetime
) -> dict[str, Any]:
    """The trainer's local days ``first`` to ``last`` (in their zone; 23 or 25 hours on DST
    days), in two queries whatever their number. Each day has ``booked_sessions`` (the
    occupying sessions overlapping it, earliest first, including ones that began the day
    before), ``time_off`` (likewise) and ``available_slots`` (the maximal bookable
    intervals at least ``duration`` minutes long, with their real length); ``start_times``
    are every bookable start of a ``duration``-minute session, in order (a start in the
    second pass of a fall-back night's repeated hour is left out: its local text would
    name the first pass; available_slots still report that time)."""
    tz = timeutil.zone(trainer.timezone)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    range_start, range_end = timeutil.day_start(first, tz), timeutil.day_start(last + timedelta(days=1), tz)
    calendar, sessions, time_off = scheduling.trainer_calendar(
        db, trainer=trainer, start=range_start, end=range_end, now=now
    )
    need = timedelta(minutes=duration)
    # Rows unpacked, not read by name: a Row's attribute lookup cost more than the rest of
    # the day's loop (31 days at 10,000 sessions: 75.6M -> 58.7M instructions a request).
    starts = [start for start, _, _ in sessions]  # ascending: a day's sessions are a slice
    out_days: list[dict[str, Any]] = []
    start_times: list[str | None] = []
    for day in days:
        day_start, day_end = timeutil.day_bounds(day, tz)
        fmt, one_offset = timeutil.day_formatter(day_start, day_end, tz)
        slots = [(start, end) for start, end in calendar.bookable_intervals(day) if end - start >= need]
        out_days.append({
            "date": day.isoformat(),
            "available_slots": [
                {
                    "start": fmt(start),
                    "end": fmt(end),
                    "duration_minutes": timeutil.minutes_between(start, end),
                }
                for start, end in slots
            ],
            "booked_sessions": [
                {"start": fmt(start), "end": fmt(end), "title": title}
                for start, end, title in sessions[
                    bisect_left(starts, day_start - MAX_SESSION_LENGTH):bisect_left(starts, day_end)
                ]
                if scheduling.overlaps((start, end), (day_start, day_end))
            ],
            "time_off": [
                {
                    "id": row.id,
                    "start": fmt(row.start),
                    "end": fmt(row.end),
                    "reason": row.reason,
                }
                for row in time_off
                if scheduling.overlaps((row.start, row.end), (day_start, day_end))
            ],
        })
        start_times.extend(
            fmt(at) for at in calendar.start_times(day, duration) if one_offset or timeutil.reads_back(at, tz)
        )
    return {
        "start_date": first.isoformat(),
        "end_date": last.isoformat(),
        "requested_duration": duration,
        "days": out_days,
        "start_times": start_times,
    }


def day_availability(db: Session, *, trainer: Trainer, day: date, duration: int, now: datetime) -> dict[str, Any]:
    """One local ``day`` in the published document's shape (``date``,
    ``requested_duration``, ``available_slots``, ``booked_sessions``): the range form's day."""
    [only] = range_availability(db, trainer=trainer, first=day, last=day, duration=duration, now=now)["days"]
    return {
        "date": only["date"],
        "requested_duration": duration,
        "available_slots": only["available_slots"],
        "booked_sessions": only["booked_sessions"],
    }
