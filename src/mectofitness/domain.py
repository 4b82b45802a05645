"""The service's vocabulary, shared by every layer: enumerations, limits, user-facing
messages and the small rules that need no database. Pure Python: models, schemas and
services all import from here, and it imports none of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    TRAINER = "trainer"
    ADMIN = "admin"


class ClientStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no-show"


class SessionType(StrEnum):
    PERSONAL = "personal"
    GROUP = "group"
    ONLINE = "online"
    ASSESSMENT = "assessment"
    CONSULTATION = "consultation"


# Every status but cancelled holds its slot: a completed or no-show session still took the time.
OCCUPYING_STATUSES = frozenset(s.value for s in SessionStatus if s is not SessionStatus.CANCELLED)

# The largest id an INTEGER primary key holds on every supported database (PostgreSQL's is
# 32-bit). A larger number in a path, filter or body names no row; binding it in SQL would
# fail (out of range) instead of finding nothing.
MAX_ID = 2**31 - 1

# A session is at most a day long. Besides being sane for training, this bounds every
# overlap query to a one-day slice of the (trainer_id, scheduled_start) index.
MAX_SESSION_LENGTH = timedelta(hours=24)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_WORKING_HOURS: dict[str, list[dict[str, str]]] = {
    day: [{"start": "08:00", "end": "20:00"}] for day in WEEKDAYS
}

END_AFTER_START = "Scheduled end time must be after start time"
ACTUAL_END_AFTER_START = "Actual end time must be after actual start time"
SESSION_TOO_LONG = "A session may last at most 24 hours"
CLIENT_NOT_FOUND = "Client not found"
CLIENT_INACTIVE = "Client is inactive"

# A trainer's scheduling settings (contract §8): each one's range, and the defaults, which
# leave v1.0's behaviour exactly as it was (no buffer, no notice, no horizon).
SCHEDULING_LIMITS: dict[str, tuple[int, int]] = {
    "buffer_minutes": (0, 240),
    "min_notice_minutes": (0, 525_600),
    "horizon_days": (1, 3650),
    "slot_step_minutes": (5, 240),
    "cancel_notice_minutes": (0, 10_080),
}
SCHEDULING_DEFAULTS: dict[str, int | None] = {
    "buffer_minutes": 0,
    "min_notice_minutes": 0,
    "horizon_days": None,  # no horizon
    "slot_step_minutes": 15,
    "cancel_notice_minutes": 0,
}
# A time off lasts at most this long (contract §8); it also bounds the overlap queries.
MAX_TIME_OFF_LENGTH = timedelta(days=366)
TIME_OFF_TOO_LONG = "Time off may last at most 366 days"
TIME_OFF_END_AFTER_START = "End must be after start"
TIME_OFF_DEFAULT_REASON = "Time off"
# The longest range availability answers for at once (contract §8), in days.
MAX_AVAILABILITY_DAYS = 62
# A recurring series (contract §9): at most this many occurrences, within this many years
# of the first.
MAX_SERIES_OCCURRENCES = 200
MAX_SERIES_YEARS = 2
SERIES_NOT_FOUND = "Series not found"


def is_storable_id(value: int) -> bool:
    """Whether ``value`` can be the id of a row (ids start at 1)."""
    return 1 <= value <= MAX_ID


def parse_hhmm(text: str) -> int:
    """Minutes since midnight of ``HH:MM`` (``24:00`` allowed as an end of day)."""
    hours, minutes = int(text[:2]), int(text[3:5])
    return hours * 60 + minutes


def effective_working_hours(stored: dict[str, Any] | None) -> dict[str, list[dict[str, str]]]:
    """A trainer's hours for all seven days: stored days, the default for any not stored."""
    hours = {day: list(ranges) for day, ranges in DEFAULT_WORKING_HOURS.items()}
    for day, ranges in (stored or {}).items():
        if day in hours:
            hours[day] = list(ranges)
    return hours


def hours_of_day(
    day: date, hours: Mapping[str, list[dict[str, str]]], overrides: Mapping[str, Any] | None
) -> list[dict[str, str]]:
    """The working ranges of one local ``day``: its date's override when there is one
    (``[]``: a day off), else its weekday's hours (``hours``: all seven days)."""
    if overrides:
        special = overrides.get(day.isoformat())
        if special is not None:
            return list(special)
    return list(hours.get(WEEKDAYS[day.weekday()], []))


def time_order_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """The rules that need both ends of a session's times (UTC instants; either may be
    missing), as field errors: the one place they are written."""
    problems: dict[str, str] = {}
    start, end = values.get("scheduled_start"), values.get("scheduled_end")
    if start is not None and end is not None:
        if end <= start:
            problems["scheduled_end"] = END_AFTER_START
        elif end - start > MAX_SESSION_LENGTH:
            problems["scheduled_end"] = SESSION_TOO_LONG
    actual_start, actual_end = values.get("actual_start"), values.get("actual_end")
    if actual_start is not None and actual_end is not None and actual_end <= actual_start:
        problems["actual_end"] = ACTUAL_END_AFTER_START
    return problems


@dataclass(frozen=True)
class SessionFilter:
    """Which sessions a list or a statistics request is about. Dates select by
    ``scheduled_start`` in ``[start, end_exclusive)`` (UTC)."""

    trainer_id: int | None = None
    client_id: int | None = None
    status: str | None = None
    session_type: str | None = None
    start: datetime | None = None
    end_exclusive: datetime | None = None
    series_id: int | None = None
