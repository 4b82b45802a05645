"""The scheduling rules, in one place: which sessions occupy the calendar, when two
intervals conflict (overlap, buffers, time off), working hours after date overrides,
notice, horizon and the step grid, and free-interval arithmetic.

Two questions, asked by every path (contract §8):

- *free*: no other occupying session lies within the trainer's buffer of the interval and
  no time off overlaps it. Create, reschedule and un-cancel require it (``ensure_free``).
- *bookable*: free, inside its local day's working hours (after overrides), starting no
  sooner than now + notice, no later than the horizon's last day, and on the step grid
  counted from the start of its working range (``Calendar.is_bookable``). Availability
  offers exactly these (``Calendar.bookable_intervals`` and ``Calendar.start_times``).

Intervals are half-open ``[start, end)`` in UTC: back-to-back sessions do not overlap.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, and_, func, or_, select
from sqlalchemy.orm import Session, load_only

from .. import timeutil
from ..domain import (
    MAX_SESSION_LENGTH,
    MAX_TIME_OFF_LENGTH,
    OCCUPYING_STATUSES,
    TIME_OFF_DEFAULT_REASON,
    effective_working_hours,
    hours_of_day,
    parse_hhmm,
)
from ..errors import Conflict
from ..models import TimeOff, Trainer, TrainingSession

Interval = tuple[datetime, datetime]


def occupies(status: str) -> bool:
    return status in OCCUPYING_STATUSES


def overlaps(a: Interval, b: Interval) -> bool:
    """Half-open overlap: ``[a0, a1)`` and ``[b0, b1)`` share at least one instant."""
    return a[0] < b[1] and b[0] < a[1]


def within_buffer(a: Interval, b: Interval, buffer: timedelta) -> bool:
    """Whether two sessions conflict with ``buffer`` between them: either starts less than
    ``buffer`` after the other ends (with no buffer: ``overlaps``)."""
    return a[0] < b[1] + buffer and b[0] < a[1] + buffer


def overlap_clause(start: datetime, end: datetime, buffer: timedelta = timedelta(0)) -> ColumnElement[bool]:
    """SQL for "an occupying session within ``buffer`` of ``[start, end)``" (the rule of
    ``within_buffer``; with no buffer, of ``overlaps``)."""
    return and_(
        TrainingSession.status.in_(sorted(OCCUPYING_STATUSES)),
        TrainingSession.scheduled_start < end + buffer,
        # Sessions last at most a day: this bounds the scan to a day's slice of the index.
        TrainingSession.scheduled_start > start - buffer - MAX_SESSION_LENGTH,
        TrainingSession.scheduled_end > start - buffer,
    )


def time_off_clause(start: datetime, end: datetime) -> ColumnElement[bool]:
    """SQL for "a time off overlapping ``[start, end)``" (the rule of ``overlaps``)."""
    return and_(
        TimeOff.start < end,
        # Time off lasts at most 366 days: this bounds the scan of the index.
        TimeOff.start > start - MAX_TIME_OFF_LENGTH,
        TimeOff.end > start,
    )


def working_intervals(
    day: date, tz: ZoneInfo, hours: Mapping[str, list[dict[str, str]]], overrides: Mapping[str, Any] | None = None
) -> list[Interval]:
    """The local ``day``'s working ranges (its date's override, else its weekday's hours) as
    UTC intervals. A boundary that falls in a DST gap is the moment the clocks jump past
    it, so a range holds every instant whose wall-clock time lies in it and none after its
    end."""
    midnight = datetime.combine(day, time())
    intervals = []
    for span in hours_of_day(day, hours, overrides):
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


# --- a trainer's rules and calendar ------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """A trainer's scheduling settings that decide what is free and what is bookable."""

    buffer_minutes: int = 0
    min_notice_minutes: int = 0
    horizon_days: int | None = None
    slot_step_minutes: int = 15

    @classmethod
    def of(cls, trainer: Trainer) -> Rules:
        return cls(
            buffer_minutes=trainer.buffer_minutes or 0,
            min_notice_minutes=trainer.min_notice_minutes or 0,
            horizon_days=trainer.horizon_days,
            slot_step_minutes=trainer.slot_step_minutes or 15,
        )

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)


@dataclass(frozen=True)
class Calendar:
    """What the rules need to know of a trainer's time, around the days asked about: the
    zone, weekly hours and date overrides, the rules, the clock, and the occupying sessions
    and time off (UTC intervals) near those days. Pure: no database."""

    tz: ZoneInfo
    rules: Rules
    now: datetime
    hours: Mapping[str, list[dict[str, str]]]
    overrides: Mapping[str, Any] = field(default_factory=dict)
    sessions: Sequence[Interval] = ()
    time_off: Sequence[Interval] = ()
    # Each day's working windows, computed once (``windows``).
    _windows: dict[date, list[Interval]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _bookable: dict[date, list[Interval]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _blocked: list[Interval] = field(default_factory=list, init=False, repr=False, compare=False)

    @classmethod
    def of(
        cls, trainer: Trainer, *, now: datetime, sessions: Sequence[Interval] = (), time_off: Sequence[Interval] = ()
    ) -> Calendar:
        return cls(
            tz=timeutil.zone(trainer.timezone),
            rules=Rules.of(trainer),
            now=now,
            hours=effective_working_hours(trainer.working_hours),
            overrides=trainer.working_hours_overrides or {},
            sessions=sessions,
            time_off=time_off,
        )

    @property
    def earliest_start(self) -> datetime:
        """The first instant a booking may start: now + notice."""
        return self.now + timedelta(minutes=self.rules.min_notice_minutes)

    @property
    def horizon_end(self) -> datetime | None:
        """Bookings start before this instant: the end of the local day ``horizon_days``
        after today (None: no horizon)."""
        if self.rules.horizon_days is None:
            return None
        last_day = timeutil.to_local(self.now, self.tz).date() + timedelta(days=self.rules.horizon_days)
        return timeutil.day_start(last_day + timedelta(days=1), self.tz)

    def windows(self, day: date) -> list[Interval]:
        """The local ``day``'s working ranges in UTC, touching ones joined: a booking lies
        inside one of them, and its grid counts from that one's start."""
        if day not in self._windows:
            self._windows[day] = _merge(working_intervals(day, self.tz, self.hours, self.overrides))
        return self._windows[day]

    def blocked(self) -> list[Interval]:
        """Where no booking may lie: each session widened by the buffer on both sides
        (a booking in it would start or end within the buffer of it), and time off."""
        if not self._blocked and (self.sessions or self.time_off):
            buffer = self.rules.buffer
            self._blocked.extend(_merge([(start - buffer, end + buffer) for start, end in self.sessions]
                                        + list(self.time_off)))
        return self._blocked

    def is_free(self, start: datetime, end: datetime) -> bool:
        """The *free* rule: no session within the buffer, no time off overlapping."""
        buffer = self.rules.buffer
        return not any(within_buffer((start, end), other, buffer) for other in self.sessions) and not any(
            overlaps((start, end), other) for other in self.time_off
        )

    def is_bookable(self, start: datetime, end: datetime) -> bool:
        """The *bookable* rule, written as the contract says it (availability computes the
        same set by interval arithmetic; the property tests hold the two together)."""
        if end <= start or not self.is_free(start, end) or start < self.earliest_start:
            return False
        horizon = self.horizon_end
        if horizon is not None and start >= horizon:
            return False
        step = timedelta(minutes=self.rules.slot_step_minutes)
        for w_start, w_end in self.windows(timeutil.to_local(start, self.tz).date()):
            if w_start <= start and end <= w_end:
                return (start - w_start) % step == timedelta(0)
        return False

    def bookable_intervals(self, day: date) -> list[Interval]:
        """The maximal bookable intervals of the local ``day`` (free, inside working hours,
        after now + notice, before the horizon), whatever their length. Free time starts
        at a whole minute: nobody books a slot at 09:09:35."""
        if day in self._bookable:
            return self._bookable[day]
        windows = self.windows(day)
        blocked = self.blocked()
        if windows and blocked:  # only the blocked time near the day (blocked is merged: ends ascend too)
            blocked = blocked[bisect_right(blocked, windows[0][0], key=lambda iv: iv[1]):
                              bisect_left(blocked, windows[-1][1], key=lambda iv: iv[0])]
        free = free_intervals(windows, blocked, not_before=timeutil.next_minute(self.earliest_start))
        horizon = self.horizon_end
        if horizon is not None:
            free = [(start, min(end, horizon)) for start, end in free if start < horizon]
        self._bookable[day] = free
        return free

    def start_times(self, day: date, minutes: int) -> list[datetime]:
        """Every bookable start on the local ``day`` of a session ``minutes`` long, in order:
        the step grid of each working range, kept where the session fits a bookable interval."""
        need, step = timedelta(minutes=minutes), timedelta(minutes=self.rules.slot_step_minutes)
        windows = self.windows(day)
        starts: list[datetime] = []
        for start, end in self.bookable_intervals(day):
            w_start = next(w for w, w_end in windows if w <= start < w_end)
            at = w_start + -((w_start - start) // step) * step  # the first grid point >= start
            while at + need <= end:
                starts.append(at)
                at += step
        return starts


def trainer_calendar(db: Session, *, trainer: Trainer, start: datetime, end: datetime, now: datetime) -> tuple[
    Calendar, Sequence[Row[tuple[datetime, datetime, str]]], list[TimeOff]
]:
    """The trainer's calendar around ``[start, end)``, in two queries whatever its length:
    every occupying session within the buffer of it (rows of ``scheduled_start``,
    ``scheduled_end`` and ``title``), and every time off overlapping it (each earliest
    first, returned too for the caller to list)."""
    rules = Rules.of(trainer)
    # Plain rows of the three columns availability shows and the rule needs, not mapped
    # objects: a month of a busy calendar is hundreds of rows, and building an ORM
    # instance for each cost more than the rest of the query.
    sessions = db.execute(
        select(TrainingSession.scheduled_start, TrainingSession.scheduled_end, TrainingSession.title)
        .where(TrainingSession.trainer_id == trainer.id, overlap_clause(start, end, rules.buffer))
        .order_by(TrainingSession.scheduled_start, TrainingSession.id)
    ).all()
    time_off = list(
        db.scalars(
            select(TimeOff)
            .where(TimeOff.trainer_id == trainer.id, time_off_clause(start, end))
            .order_by(TimeOff.start, TimeOff.id)
        )
    )
    calendar = Calendar.of(
        trainer,
        now=now,
        sessions=[(start, end) for start, end, _ in sessions],
        time_off=[(row.start, row.end) for row in time_off],
    )
    return calendar, sessions, time_off


# --- the free rule against the database, race-proof ------------------------------------------

# The first key of pg_advisory_xact_lock(int, int): a trainer's calendar (the second key is
# the trainer's id), apart from the migrations' and the login throttle's locks.
_PG_CALENDAR_LOCK = 72_616_003


def lock_calendar(db: Session, *, trainer_id: int, exclusive: bool) -> None:
    """Serialize bookings against time off on PostgreSQL, until the transaction ends.

    A booking takes the trainer's lock shared before it looks for time off, and a new time
    off takes it exclusively before it is written: so a time off cannot land, unseen, on a
    booking that is being written, and bookings do not wait for each other (the exclusion
    constraint keeps them apart). On SQLite every write request already holds the
    database's write lock (``transactions``), which does the same."""
    if db.get_bind().dialect.name == "postgresql":
        lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
        db.execute(select(lock(_PG_CALENDAR_LOCK, trainer_id)))


def ensure_free(
    db: Session,
    *,
    trainer: Trainer,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    exclude_id: int | None = None,
) -> None:
    """Raise Conflict unless ``[start, end)`` is *free* on the trainer's calendar, naming
    the clash that starts first (a session before a time off starting at the same
    instant), its start shown in ``tz``. On SQLite the request's write transaction (BEGIN
    IMMEDIATE) makes this check and the write one step; on PostgreSQL the exclusion
    constraint over the buffered range backs it for sessions, and ``lock_calendar`` for
    time off."""
    lock_calendar(db, trainer_id=trainer.id, exclusive=False)
    stmt = select(TrainingSession).where(
        TrainingSession.trainer_id == trainer.id, overlap_clause(start, end, Rules.of(trainer).buffer)
    )
    if exclude_id is not None:
        stmt = stmt.where(TrainingSession.id != exclude_id)
    with db.no_autoflush:
        session = db.scalars(stmt.order_by(TrainingSession.scheduled_start, TrainingSession.id).limit(1)).first()
        time_off = db.scalars(
            select(TimeOff)
            .where(TimeOff.trainer_id == trainer.id, time_off_clause(start, end))
            .order_by(TimeOff.start, TimeOff.id)
            .limit(1)
        ).first()
    message = clash_message(session, time_off, tz)
    if message is not None:
        raise Conflict(message)


def clash_message(session: TrainingSession | None, time_off: TimeOff | None, tz: ZoneInfo) -> str | None:
    """The §5/§8 conflict sentence for the earliest of a clashing session and time off
    (the session when both start at the same instant); None when neither clashes."""
    if session is not None and (time_off is None or session.scheduled_start <= time_off.start):
        return (
            f'Scheduling conflict detected with session "{session.title}" at '
            f"{timeutil.format_local(session.scheduled_start, tz)}"
        )
    if time_off is not None:
        return (
            f'Scheduling conflict detected with time off "{time_off.reason or TIME_OFF_DEFAULT_REASON}" at '
            f"{timeutil.format_local(time_off.start, tz)}"
        )
    return None


def conflicts(
    db: Session,
    *,
    trainer: Trainer,
    intervals: Sequence[Interval],
    tz: ZoneInfo,
    exclude_ids: Iterable[int] = (),
) -> dict[int, str]:
    """The *free* rule of ``ensure_free`` for many intervals at once (a series' occurrences):
    for each that is not free, its index and the conflict sentence naming its earliest
    clash. Two queries however many intervals there are: the sessions within the buffer of
    any of them (one ``overlap_clause`` each, OR-ed: only the clashing rows come back, not
    a busy year of calendar), and the time off over their span; the rule itself is
    ``within_buffer`` and ``overlaps``, as for one. Race-proof as ``ensure_free``."""
    if not intervals:
        return {}
    lock_calendar(db, trainer_id=trainer.id, exclusive=False)
    buffer = Rules.of(trainer).buffer
    span_start, span_end = min(start for start, _ in intervals), max(end for _, end in intervals)
    excluded = set(exclude_ids)
    near_any = or_(*(and_(TrainingSession.trainer_id == trainer.id, overlap_clause(start, end, buffer))
                     for start, end in intervals))
    with db.no_autoflush:
        sessions = [
            row for row in db.scalars(
                select(TrainingSession)
                .where(near_any)
                .order_by(TrainingSession.scheduled_start, TrainingSession.id)
                .options(load_only(TrainingSession.scheduled_start, TrainingSession.scheduled_end,
                                   TrainingSession.title, TrainingSession.status))
            )
            if row.id not in excluded
        ]
        time_off = list(db.scalars(
            select(TimeOff)
            .where(TimeOff.trainer_id == trainer.id, time_off_clause(span_start, span_end))
            .order_by(TimeOff.start, TimeOff.id)
        ))
    starts = [row.scheduled_start for row in sessions]
    found: dict[int, str] = {}
    for index, (start, end) in enumerate(intervals):
        # Only sessions starting within a day (plus the buffer) before it can reach it.
        near = sessions[bisect_left(starts, start - buffer - MAX_SESSION_LENGTH):bisect_left(starts, end + buffer)]
        session = next((row for row in near if within_buffer((start, end), (row.scheduled_start, row.scheduled_end),
                                                             buffer)), None)
        off = next((row for row in time_off if overlaps((start, end), (row.start, row.end))), None)
        message = clash_message(session, off, tz)
        if message is not None:
            found[index] = message
    return found
