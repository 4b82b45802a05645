"""Calendar feeds (contract §12): a secret URL per feed that a calendar app polls for the
trainer's sessions and time off, as an RFC 5545 calendar built with ``icalendar``.

The feed's window is whole UTC days: from 90 days back to ``horizon_days`` (365 when
unset) ahead. A poller's ``If-None-Match`` is answered from one aggregate query
(``feed_state``) before anything is built; see docs/decisions.md.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import ColumnElement, ScalarSelect, Select, func, select
from sqlalchemy.orm import Session

from .. import timeutil
from ..domain import SessionStatus
from ..errors import Conflict
from ..models import CalendarFeed, Client, TimeOff, Trainer, TrainingSession
from .auth import digest_secret
from .ownership import get_owned_or_raise, scope_to_actor, target_trainer

NOUN = "calendar feed"
FEED_PREFIX = "cf_"
# Feeds one trainer may hold, so that their feeds (and the list) stay bounded.
MAX_CALENDAR_FEEDS = 20
DAYS_BACK = 90
DEFAULT_DAYS_AHEAD = 365
# The domain part of every UID: fixed, so an event keeps its UID whatever host name the
# feed is fetched through (a new UID would show the session twice).
UID_DOMAIN = "sessions.mectofitness"
PRODID = "-//MectoFitness//Sessions calendar feed//EN"
TIME_OFF_SUMMARY = "Time off"


def create_feed(db: Session, *, actor: Trainer, name: str, trainer_id: int | None = None) -> tuple[CalendarFeed, str]:
    """A new feed of the actor's calendar (or, for an admin, ``trainer_id``'s); returns the
    row and its secret, which is not stored (only its digest is). Raises Conflict while the
    trainer has ``MAX_CALENDAR_FEEDS`` feeds."""
    trainer = target_trainer(db, actor=actor, trainer_id=trainer_id)
    # Serializes one trainer's feed creations on PostgreSQL, as for API tokens.
    db.execute(select(Trainer.id).where(Trainer.id == trainer.id).with_for_update(key_share=True))
    held = db.scalar(select(func.count()).where(CalendarFeed.trainer_id == trainer.id)) or 0
    if held >= MAX_CALENDAR_FEEDS:
        raise Conflict(f"Calendar feed limit reached ({MAX_CALENDAR_FEEDS}); revoke one first")
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed(trainer_id=trainer.id, name=name, token_hash=digest_secret(secret), created_at=timeutil.now())
    db.add(feed)
    db.flush()
    return feed, secret


def feeds_query(*, actor: Trainer, trainer_id: int | None = None) -> Select[tuple[CalendarFeed]]:
    """The feeds ``actor`` may see (an admin: every trainer's, or ``trainer_id``'s), oldest first."""
    stmt = scope_to_actor(select(CalendarFeed), CalendarFeed, actor=actor, trainer_id=trainer_id)
    return stmt.order_by(CalendarFeed.id)


def revoke_feed(db: Session, *, actor: Trainer, feed_id: int) -> None:
    """Delete a feed: its URL answers 404 from the next request. NotFound when missing,
    Forbidden when another trainer's (admins may revoke any)."""
    feed = get_owned_or_raise(db, CalendarFeed, feed_id, actor=actor, action="delete", noun=NOUN)
    db.delete(feed)
    db.flush()


@dataclass(frozen=True)
class FeedState:
    """A live feed's trainer, window and version (its ETag), read by one query."""

    trainer: Trainer
    name: str
    start: datetime
    end: datetime
    etag: str


def _latest(column: Any, *where: ColumnElement[bool]) -> ScalarSelect[Any]:
    return select(func.max(column)).where(*where).scalar_subquery()


def _count(*where: ColumnElement[bool]) -> ScalarSelect[Any]:
    return select(func.count()).where(*where).scalar_subquery()


def feed_state(db: Session, *, secret: str) -> FeedState | None:
    """The feed ``secret`` opens, or None (unknown or revoked). One query: the trainer,
    and the latest change and number of the sessions, time off and clients that the feed
    shows; with the window's first day they make the ETag, so a poller's unchanged feed
    costs this query alone. (Aggregated from the window's start on, without its end: a
    change beyond the horizon renews the ETag too, which is harmless.)"""
    if not secret.startswith(FEED_PREFIX) or len(secret) > 100:
        return None
    start, _ = timeutil.utc_day_window(timeutil.now(), days_back=DAYS_BACK, days_ahead=0)
    ts, off, client = TrainingSession, TimeOff, Client
    stmt = (
        select(
            Trainer,
            CalendarFeed.id,
            CalendarFeed.name,
            _latest(ts.updated_at, ts.trainer_id == Trainer.id, ts.scheduled_start >= start),
            _count(ts.trainer_id == Trainer.id, ts.scheduled_start >= start),
            _latest(off.created_at, off.trainer_id == Trainer.id, off.end > start),
            _count(off.trainer_id == Trainer.id, off.end > start),
            _latest(client.updated_at, client.trainer_id == Trainer.id),
        )
        .join(CalendarFeed, CalendarFeed.trainer_id == Trainer.id)
        .where(CalendarFeed.token_hash == digest_secret(secret))
    )
    found = db.execute(stmt).first()
    if found is None:
        return None
    trainer, feed_id, feed_name, *version = found
    horizon = trainer.horizon_days if trainer.horizon_days is not None else DEFAULT_DAYS_AHEAD
    start, end = timeutil.utc_day_window(timeutil.now(), days_back=DAYS_BACK, days_ahead=horizon)
    text = "|".join(str(part) for part in (feed_id, *version, trainer.updated_at, trainer.timezone, start, end))
    return FeedState(trainer, feed_name, start, end, hashlib.sha256(text.encode()).hexdigest()[:32])


def _uid(kind: str, row_id: int) -> str:
    return f"{kind}-{row_id}@{UID_DOMAIN}"


def feed_calendar(db: Session, *, state: FeedState) -> bytes:
    """The feed as RFC 5545 text: a VEVENT per session starting in the window (cancelled
    ones STATUS:CANCELLED), one busy VEVENT per time off overlapping it, the trainer's
    VTIMEZONE. Two queries: sessions with their clients' names (one join), and time off.
    DESCRIPTION carries ``notes`` only: ``trainer_notes`` are private to the trainer."""
    trainer = state.trainer
    tz = timeutil.zone(trainer.timezone)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", state.name)
    # No X-WR-TIMEZONE: every time carries its TZID (or is UTC), and readers that honour
    # that non-standard property move UTC times into it, losing a fall-back night's second
    # pass (recurring-ical-events does; see docs/decisions.md).
    if trainer.timezone != "UTC":
        cal.add_component(
            icalendar.Timezone.from_tzid(trainer.timezone, first_date=state.start.date(), last_date=state.end.date())
        )
    ts = TrainingSession
    sessions = db.execute(
        select(
            ts.id, ts.title, ts.location, ts.notes, ts.status, ts.scheduled_start, ts.scheduled_end,
            ts.sequence, ts.updated_at, Client.name,
        )
        .join(Client, Client.id == ts.client_id)
        .where(ts.trainer_id == trainer.id, ts.scheduled_start >= state.start, ts.scheduled_start < state.end)
        .order_by(ts.scheduled_start, ts.id)
    )
    events = "".join(_session_event(row, tz) for row in sessions).encode()
    time_off = db.scalars(
        select(TimeOff)
        .where(TimeOff.trainer_id == trainer.id, TimeOff.end > state.start, TimeOff.start < state.end)
        .order_by(TimeOff.start, TimeOff.id)
    )
    for off in time_off:
        event = icalendar.Event()
        event.add("uid", _uid("time-off", off.id))
        event.add("dtstamp", off.created_at)
        event.add("created", off.created_at)
        event.add("last-modified", off.created_at)
        start, end = timeutil.calendar_interval(off.start, off.end, tz)
        event.add("dtstart", start)
        event.add("dtend", end)
        # Not the reason: a feed's URL is often shared (a partner, the front desk), and the
        # reason may be private; the slot shows as busy, which is what others need.
        event.add("summary", TIME_OFF_SUMMARY)
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    # The sessions' VEVENTs go in before the calendar's end (see _session_event).
    body = cal.to_ical()
    closing = b"END:VCALENDAR\r\n"
    assert body.endswith(closing)
    return body[: -len(closing)] + events + closing


@lru_cache(maxsize=4096)
def _text(value: str) -> str:
    """A TEXT value, escaped as RFC 5545 §3.3.11 says (by icalendar). Cached: a calendar
    repeats its titles, clients' names and places; the function is pure."""
    return icalendar.vText(value).to_ical().decode()


def _utc_text(instant: datetime) -> str:
    """A UTC DATE-TIME (stored times are UTC already)."""
    return f"{instant:%Y%m%dT%H%M%SZ}" if instant.tzinfo is UTC else f"{instant.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _time_property(name: str, value: datetime) -> str:
    """DTSTART/DTEND: local with its TZID, or UTC (``timeutil.calendar_interval`` chose)."""
    if value.tzinfo is UTC:
        return f"{name}:{_utc_text(value)}"
    return f"{name};TZID={value.tzinfo}:{value:%Y%m%dT%H%M%S}"


def _session_event(row: Any, tz: ZoneInfo) -> str:
    """One session's VEVENT as text, CRLF-terminated lines.

    A named fast path: icalendar's component API (``Event.add`` then ``to_ical``) costs
    about 0.35 ms per event, 700 ms for a feed of 2,000 sessions, some 140 list pages
    (docs/benchmarks.md); this writes the same properties, with icalendar's TEXT escaping
    (``_text``), and both test readers parse it. Only the TEXT lines can pass 75 octets,
    so only they are folded. The calendar around it, its VTIMEZONE and the time off still
    come from the component API."""
    start, end = timeutil.calendar_interval(row.scheduled_start, row.scheduled_end, tz)
    cancelled = row.status == SessionStatus.CANCELLED.value
    modified = _utc_text(row.updated_at)
    optional = ""
    if row.location:
        optional += _fold(f"LOCATION:{_text(row.location)}")
    if row.notes:
        optional += _fold(f"DESCRIPTION:{_text(row.notes)}")
    return (
        f"BEGIN:VEVENT\r\nUID:session-{row.id}@{UID_DOMAIN}\r\nDTSTAMP:{modified}\r\n"
        f"LAST-MODIFIED:{modified}\r\nSEQUENCE:{row.sequence}\r\n"
        f"{_time_property('DTSTART', start)}\r\n{_time_property('DTEND', end)}\r\n"
        f"{_fold(f'SUMMARY:{_text(row.title)} — {_text(row.name)}')}{optional}"
        f"{'STATUS:CANCELLED' if cancelled else 'STATUS:CONFIRMED'}\r\n"
        f"{'TRANSP:TRANSPARENT' if cancelled else 'TRANSP:OPAQUE'}\r\nEND:VEVENT\r\n"
    )


def _fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character,
    with its CRLF."""
    if len(line) <= 75 and line.isascii():
        return line + "\r\n"
    data = line.encode()
    if len(data) <= 75:
        return line + "\r\n"
    parts: list[str] = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a continuation byte: step back
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
        limit = 74  # later lines begin with the folding space
    parts.append(data.decode())
    return "\r\n ".join(parts) + "\r\n"
