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
from datetime import datetime
from typing import Any

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
            ts.sequence, ts.created_at, ts.updated_at, Client.name,
        )
        .join(Client, Client.id == ts.client_id)
        .where(ts.trainer_id == trainer.id, ts.scheduled_start >= state.start, ts.scheduled_start < state.end)
        .order_by(ts.scheduled_start, ts.id)
    )
    for row in sessions:
        event = icalendar.Event()
        event.add("uid", _uid("session", row.id))
        event.add("dtstamp", row.updated_at)
        event.add("created", row.created_at)
        event.add("last-modified", row.updated_at)
        event.add("sequence", row.sequence)
        start, end = timeutil.calendar_interval(row.scheduled_start, row.scheduled_end, tz)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", f"{row.title} — {row.name}")
        if row.location:
            event.add("location", row.location)
        if row.notes:
            event.add("description", row.notes)
        cancelled = row.status == SessionStatus.CANCELLED.value
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
        cal.add_component(event)
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
    return cal.to_ical()
