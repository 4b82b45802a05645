"""Recurrence rules (contract §9): the RRULE subset the service accepts, and its expansion
by python-dateutil's ``rrule`` on naive wall-clock times, so that an occurrence at 07:00
stays at 07:00 across DST changes. Which wall times exist in a zone is ``timeutil``'s
question; nothing here converts between zones.

Pure: no database, no request. Errors are ValueError with a user-facing sentence (they
answer 400 naming ``rrule``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil import rrule as dateutil_rrule
from dateutil.relativedelta import relativedelta

from . import timeutil
from .domain import MAX_SERIES_OCCURRENCES, MAX_SERIES_YEARS

FREQUENCIES: dict[str, Literal[1, 2, 3]] = {
    "DAILY": dateutil_rrule.DAILY, "WEEKLY": dateutil_rrule.WEEKLY, "MONTHLY": dateutil_rrule.MONTHLY,
}
PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL")
_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_BYDAY = re.compile(r"([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)", re.ASCII)
_UNTIL = re.compile(r"(\d{8})(?:T(\d{6})(Z)?)?", re.ASCII)
_INT = re.compile(r"[+-]?\d{1,3}", re.ASCII)
GAP_REASON = "Does not exist in {zone}: the clocks skip it for daylight saving"


@dataclass(frozen=True)
class Rule:
    """A parsed RRULE of the subset: ``text`` is its normalized form."""

    text: str
    freq: str
    interval: int = 1
    byday: tuple[tuple[int | None, int], ...] = ()  # (ordinal or None, weekday 0=Monday)
    bymonthday: tuple[int, ...] = ()
    count: int | None = None
    until: date | datetime | None = None  # a date, a naive local datetime, or an aware UTC one


def parse(text: str) -> Rule:
    """Parse ``FREQ=...;INTERVAL=...;BYDAY=...;BYMONTHDAY=...;COUNT=...|UNTIL=...`` (an
    optional ``RRULE:`` prefix allowed). Raises ValueError naming what is wrong."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts: dict[str, str] = {}
    for item in body.split(";"):
        name, sep, value = item.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not sep or not name or not value:
            raise ValueError(f"Not an RRULE part: {item.strip()!r} (expected NAME=VALUE)")
        if name not in PARTS:
            raise ValueError(f"{name} is not supported; use {', '.join(PARTS)}")
        if name in parts:
            raise ValueError(f"{name} is given twice")
        parts[name] = value
    freq = parts.get("FREQ")
    if freq not in FREQUENCIES:
        raise ValueError("FREQ is required and must be DAILY, WEEKLY or MONTHLY")
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise ValueError("Give exactly one of COUNT and UNTIL")
    interval = _integer(parts, "INTERVAL", 1, 1, 366) or 1
    count = _integer(parts, "COUNT", None, 1, MAX_SERIES_OCCURRENCES)
    byday = tuple(_weekday(day, freq) for day in parts["BYDAY"].split(",")) if "BYDAY" in parts else ()
    bymonthday: tuple[int, ...] = ()
    if "BYMONTHDAY" in parts:
        values = []
        for day in parts["BYMONTHDAY"].split(","):
            if not _INT.fullmatch(day) or not 1 <= abs(int(day)) <= 31:
                raise ValueError("BYMONTHDAY takes days 1 to 31 (or -1 to -31 from the month's end)")
            values.append(int(day))
        bymonthday = tuple(values)
    until = _until(parts["UNTIL"]) if "UNTIL" in parts else None
    return Rule(";".join(f"{name}={parts[name]}" for name in PARTS if name in parts),
                freq, interval, byday, bymonthday, count, until)


def _integer(parts: dict[str, str], name: str, default: int | None, low: int, high: int) -> int | None:
    if name not in parts:
        return default
    value = parts[name]
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}")
    return int(value)


def _weekday(text: str, freq: str) -> tuple[int | None, int]:
    match = _BYDAY.fullmatch(text.strip())
    if not match:
        raise ValueError("BYDAY takes MO, TU, WE, TH, FR, SA, SU (with MONTHLY optionally numbered: 1MO, -1FR)")
    if match[1] and freq != "MONTHLY":
        raise ValueError("A numbered BYDAY (such as 1MO) needs FREQ=MONTHLY")
    return (int(match[1]) if match[1] else None), _WEEKDAYS[match[2]]


def _until(text: str) -> date | datetime:
    match = _UNTIL.fullmatch(text)
    try:
        if match:
            day = datetime.strptime(match[1], "%Y%m%d").date()
            if not timeutil.MIN_YEAR <= day.year <= timeutil.MAX_YEAR:
                raise ValueError("year")
            if not match[2]:
                return day
            clock = datetime.strptime(match[2], "%H%M%S").time()
            return datetime.combine(day, clock, tzinfo=timeutil.UTC if match[3] else None)
    except ValueError:
        pass
    raise ValueError("UNTIL must be a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS, optionally Z)")


@dataclass(frozen=True)
class Expansion:
    """The wall-clock starts of a rule's occurrences, and those skipped by a DST gap."""

    starts: list[datetime]
    skipped: list[datetime]


def expand(rule: Rule, first: datetime, tz: ZoneInfo) -> Expansion:
    """The occurrences of ``rule`` from the naive local ``first`` (the first occurrence,
    which the rule must produce), in ``tz``. An occurrence in a spring-forward gap is
    skipped and not counted toward COUNT (RFC 5545 §3.3.10). At most 200 occurrences,
    within 2 years of the first; ValueError otherwise."""
    limit = first + relativedelta(years=MAX_SERIES_YEARS)
    until = limit
    if rule.until is not None:
        if isinstance(rule.until, datetime):
            wanted = timeutil.to_local(rule.until, tz) if rule.until.tzinfo else rule.until
        else:
            wanted = datetime.combine(rule.until, time(23, 59, 59))
        if wanted > limit:
            raise ValueError(f"UNTIL may be at most {MAX_SERIES_YEARS} years after the first occurrence")
        until = wanted
    generator = dateutil_rrule.rrule(
        FREQUENCIES[rule.freq],
        dtstart=first,
        interval=rule.interval,
        byweekday=[dateutil_rrule.weekday(day, n) for n, day in rule.byday] or None,
        bymonthday=rule.bymonthday or None,
        until=until,
        cache=False,
    )
    starts: list[datetime] = []
    skipped: list[datetime] = []
    for index, local in enumerate(generator):
        if index == 0 and local != first:
            raise ValueError("The rule must include scheduled_start as its first occurrence")
        if not timeutil.wall_time_exists(local, tz):
            skipped.append(local)
            continue
        starts.append(local)
        if rule.count is not None and len(starts) == rule.count:
            break
        if len(starts) > MAX_SERIES_OCCURRENCES:
            raise ValueError(f"A series has at most {MAX_SERIES_OCCURRENCES} occurrences")
    else:
        if not starts:
            raise ValueError("The rule has no occurrence on or after scheduled_start")
        if rule.count is not None and len(starts) < rule.count:
            raise ValueError(f"COUNT reaches more than {MAX_SERIES_YEARS} years past the first occurrence")
    return Expansion(starts, skipped)


def gap_reason(tz: ZoneInfo) -> str:
    return GAP_REASON.format(zone=tz.key)


