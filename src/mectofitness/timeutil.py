"""The clock and every local <-> UTC conversion, ISO 8601 parsing and formatting.

Storage is UTC; a trainer sees and types naive local times in their IANA zone.
This module is the only caller of ``datetime.now``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

OUTPUT_FORMAT = "%Y-%m-%dT%H:%M:%S"
# The calendar this service schedules on. Bounding it keeps every conversion and
# day-boundary step (+1 day, any UTC offset) inside what datetime can represent.
MIN_YEAR, MAX_YEAR = 1900, 2999

# ASCII: ``\d`` alone would also take other scripts' digits ("１４:30"), which ISO 8601 does not.
_ISO = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?$",
    re.ASCII,
)


class TimeInputError(ValueError):
    """A time value that is not one the contract accepts; the message is user-facing."""


def now() -> datetime:
    """The current instant, aware UTC, to the second (outputs never show fractions)."""
    return datetime.now(UTC).replace(microsecond=0)


def revised(previous: datetime | None) -> datetime:
    """The ``updated_at`` of a change to something last changed at ``previous``: now, to the
    microsecond, and always after ``previous``, so that every change, even two within one
    second or across a clock step back, gives the resource a new version (its ETag)."""
    stamp = datetime.now(UTC)
    if previous is not None and stamp <= previous:
        stamp = previous + timedelta(microseconds=1)
    return stamp


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; raises TimeInputError for an unknown one."""
    if not name or name not in _zone_names():
        raise TimeInputError(f"Unknown time zone {name!r}; use an IANA name such as Europe/London")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed but unloadable
        raise TimeInputError(f"Unknown time zone {name!r}") from exc


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def parse_iso(value: str) -> date | datetime:
    """Parse the contract's ISO 8601 forms: a date, or a datetime to the minute, second or
    microsecond, optionally with ``Z`` or ``+HH:MM``. Fractions of a second are dropped.
    Returns a ``date`` for a bare date, else a naive (no offset given) or aware datetime."""
    if not isinstance(value, str):
        raise TimeInputError("Must be an ISO 8601 date or datetime string")
    match = _ISO.match(value.strip())
    if not match:
        raise TimeInputError("Must be an ISO 8601 date or datetime (YYYY-MM-DDTHH:MM:SS)")
    try:
        day = date.fromisoformat(match["date"])
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise TimeInputError(f"Year must be between {MIN_YEAR} and {MAX_YEAR}")
        if match["h"] is None:
            return day
        clock = time(int(match["h"]), int(match["m"]), int(match["s"] or 0))
        offset = match["tz"]
        tz: tzinfo | None = None
        if offset == "Z":
            tz = UTC
        elif offset:
            sign = 1 if offset[0] == "+" else -1
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            if minutes >= 60:
                raise ValueError("offset minutes")
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        return datetime.combine(day, clock, tzinfo=tz)
    except TimeInputError:
        raise  # already says what is wrong (the year)
    except ValueError as exc:
        raise TimeInputError("Not a valid date or time (out of range)") from exc


def local_to_utc(local: datetime, tz: ZoneInfo, *, strict: bool = True) -> datetime:
    """Interpret a naive wall-clock time in ``tz``. A wall time skipped by a DST change does
    not exist: refused when ``strict``, else moved forward by the gap (used for day
    boundaries). A repeated wall time means its first occurrence."""
    aware = local.replace(tzinfo=tz, fold=0)
    instant = aware.astimezone(UTC)
    if strict and instant.astimezone(tz).replace(tzinfo=None) != local:
        raise TimeInputError(
            f"{local.strftime(OUTPUT_FORMAT)} does not exist in {tz.key} (clocks skip it for daylight saving)"
        )
    return instant


def wall_time_exists(local: datetime, tz: ZoneInfo) -> bool:
    """Whether the naive wall-clock time ``local`` happens in ``tz`` (False in a DST gap)."""
    return to_local(local_to_utc(local, tz, strict=False), tz) == local


def first_instant_at(local: datetime, tz: ZoneInfo) -> datetime:
    """The first instant at which the wall clock in ``tz`` reads ``local`` or later: the time
    itself; a repeated time's first occurrence; for a time a DST gap skips, the moment the
    clocks jump past it. Working hours use it, so a range never reaches past its end."""
    instant = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if to_local(instant, tz) == local:
        return instant
    # In a gap fold=1 reads before it and fold=0 after it; find the jump, to the second.
    before = int(local.replace(tzinfo=tz, fold=1).astimezone(UTC).timestamp())
    after = int(instant.timestamp())
    while after - before > 1:
        middle = (before + after) // 2
        if to_local(datetime.fromtimestamp(middle, UTC), tz) >= local:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def to_utc(value: datetime, tz: ZoneInfo) -> datetime:
    """An aware datetime as UTC; a naive one read as wall-clock time in ``tz``."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return local_to_utc(value, tz)


def from_wall_clock(value: datetime, tz: ZoneInfo, *, shown: datetime | None = None) -> datetime:
    """The instant a written time means. An aware value is itself. A naive one is wall-clock
    time in ``tz`` (a repeated time: its first occurrence), except that one reading exactly
    as the instant ``shown`` displays means that instant: so a client that writes back the
    time it read keeps the second 01:30 of a fall-back night, which its text cannot say."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    if shown is not None and to_local(shown, tz) == value:
        return shown
    return local_to_utc(value, tz)


def reads_back(instant: datetime, tz: ZoneInfo) -> bool:
    """Whether the local text of ``instant`` names it again when read back (every instant
    but those of a fall-back night's second pass, whose text means the first)."""
    return local_to_utc(to_local(instant, tz), tz, strict=False) == instant


def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    """A UTC instant as naive wall-clock time in ``tz``."""
    return instant.astimezone(tz).replace(tzinfo=None)


def format_local(instant: datetime | None, tz: ZoneInfo) -> str | None:
    """The contract's output form: local ``YYYY-MM-DDTHH:MM:SS``, no offset, no fraction."""
    if instant is None:
        return None
    # isoformat is several times faster than strftime(OUTPUT_FORMAT) and, with the
    # fraction dropped, writes the same text for the years the service accepts.
    return instant.astimezone(tz).replace(tzinfo=None, microsecond=0).isoformat()


def day_formatter(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[Callable[[datetime], str], bool]:
    """``format_local`` for many instants of one local day ``[start, end)``, and whether
    ``tz`` keeps one UTC offset throughout it (then every instant in it reads back, see
    ``reads_back``). On such a day an instant in it is written from that one offset, the
    same text as ``format_local``'s; others, and every instant of a DST change day, go
    through ``format_local``. (No zone changes its offset twice within one day.)
    Availability over 31 days at 10,000 sessions formats about 1,100 instants: this took
    that request from 91.3M to 75.6M instructions (callgrind, docs/benchmarks.md)."""
    offset = start.astimezone(tz).utcoffset()
    if offset is None or (end - timedelta(seconds=1)).astimezone(tz).utcoffset() != offset:
        return (lambda instant: format_local(instant, tz) or ""), False

    def fmt(instant: datetime) -> str:
        if start <= instant < end:
            # A UTC instant's isoformat is "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00" (years
            # 1900-2999): the first 19 characters are format_local's text.
            return (instant + offset).isoformat()[:19]
        return format_local(instant, tz) or ""

    return fmt, True


def format_utc(instant: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``: the instant in UTC, the one text no DST change makes ambiguous."""
    return instant.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant (UTC) of local ``day`` in ``tz``."""
    return local_to_utc(datetime.combine(day, time()), tz, strict=False)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start, end)`` of local ``day`` in UTC: 23 or 25 hours long on DST change days."""
    return day_start(day, tz), day_start(day + timedelta(days=1), tz)


def today(tz: ZoneInfo) -> date:
    return now().astimezone(tz).date()


def local_date_of(value: date | datetime, tz: ZoneInfo) -> date:
    """The local date a parsed input names: a date as is; a datetime's date in ``tz``."""
    if isinstance(value, datetime):
        return value.astimezone(tz).date() if value.tzinfo else value.date()
    return value


def range_start(value: date | datetime, tz: ZoneInfo) -> datetime:
    """Inclusive lower bound in UTC: a bare date means the start of that local day."""
    if isinstance(value, datetime):
        return to_utc(value, tz)
    return day_start(value, tz)


def range_end_exclusive(value: date | datetime, tz: ZoneInfo) -> datetime:
    """Exclusive upper bound in UTC for an inclusive ``end_date``: a bare date includes that
    whole local day; a datetime includes its own second (stored times have no fractions)."""
    if isinstance(value, datetime):
        return to_utc(value, tz) + timedelta(seconds=1)
    return day_start(value + timedelta(days=1), tz)


def next_minute(instant: datetime) -> datetime:
    """``instant`` rounded up to a whole minute (unchanged if it is one)."""
    whole = instant.replace(second=0, microsecond=0)
    return whole if whole == instant else whole + timedelta(minutes=1)


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes of real (UTC) time between two instants."""
    return int((end - start).total_seconds() // 60)


def utc_day_window(instant: datetime, *, days_back: int, days_ahead: int) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC: from the start of the UTC day ``days_back`` days before
    ``instant`` to the end of the UTC day ``days_ahead`` days after it. Whole UTC days, so
    the window moves only once a day whatever the zone (the calendar feed's ETag says so)."""
    today = instant.astimezone(UTC).date()
    return (
        datetime.combine(today - timedelta(days=days_back), time(), UTC),
        datetime.combine(today + timedelta(days=days_ahead + 1), time(), UTC),
    )


def calendar_interval(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start, end)`` as aware times for an iCalendar DTSTART/DTEND: local in ``tz``
    (written with its TZID), except when either falls on a fall-back night's second pass,
    whose local text a reader takes for the first (RFC 5545 §3.3.5): then both are given
    in UTC, which names them (both, since readers expand a mixed pair inconsistently)."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    # astimezone marks a second pass with fold=1: the cheap form of ``reads_back``.
    if not (local_start.fold or local_end.fold):
        return local_start, local_end
    return start.astimezone(UTC), end.astimezone(UTC)
