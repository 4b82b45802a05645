"""Recurring sessions (contract §9): book a series, read it back.

A series is booked all or nothing in one transaction: every occurrence is checked by the
scheduling rule's *free* test in one pass over the series' span
(``scheduling.conflicts``), then written in one bulk insert, so the number of statements
does not grow with the number of occurrences. Race-proof as a single booking: SQLite's
write transaction serializes the check and the write; on PostgreSQL the exclusion
constraint refuses an occurrence that a concurrent booking took, and the whole series is
rolled back with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import recurrence, timeutil
from ..domain import SessionStatus
from ..errors import Conflict, InvalidInput
from ..models import Series, Trainer, TrainingSession
from . import scheduling
from .ownership import get_owned_or_raise, target_trainer
from .sessions import OVERLAP_CONSTRAINT, resolve_times, session_problems

NOUN = "series"
RRULE_FIELD = "rrule"
# How often a series with on_conflict=skip is tried again when concurrent bookings took
# some of its slots between the check and the write (PostgreSQL only).
_SKIP_ATTEMPTS = 3


@dataclass
class SeriesResult:
    """A booked series: its row, its sessions (earliest first) and the occurrences not
    booked, as ``{"scheduled_start": local text, "reason": sentence}``."""

    series: Series
    sessions: list[TrainingSession]
    skipped: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Occurrence:
    local: datetime  # wall-clock start in the trainer's zone
    start: datetime  # UTC
    end: datetime


def create_series(db: Session, *, actor: Trainer, fields: dict[str, Any], tz: ZoneInfo) -> SeriesResult:
    """Book every occurrence of ``fields['rrule']`` from the session of ``fields`` (the first
    occurrence), expanded in the trainer's zone on wall-clock times.

    Raises InvalidInput naming ``rrule`` for a rule outside the subset or its limits, and
    for the session fields as a create would; with ``on_conflict='fail'`` Conflict whose
    ``errors`` map every conflicting occurrence's local start to its §5/§8 sentence;
    with ``'skip'`` the free occurrences are booked and the others listed (Conflict when
    none is free)."""
    rule_text, on_conflict = fields.pop(RRULE_FIELD), fields.pop("on_conflict", "fail")
    trainer = target_trainer(db, actor=actor, trainer_id=fields.pop("trainer_id", None))
    values = resolve_times(fields, tz)
    client, problems = session_problems(db, trainer_id=trainer.id, values=values)
    if problems:
        raise InvalidInput(problems)
    assert client is not None  # a create names its client
    zone = timeutil.zone(trainer.timezone)
    rule = recurrence.parse(rule_text)  # the schema has parsed it once already
    first = timeutil.to_local(values["scheduled_start"], zone)
    try:
        expansion = recurrence.expand(rule, first, zone)
    except ValueError as exc:
        raise InvalidInput({RRULE_FIELD: str(exc)}) from exc
    length = values["scheduled_end"] - values["scheduled_start"]
    occurrences = []
    for local in expansion.starts:
        start = timeutil.local_to_utc(local, zone)
        occurrences.append(_Occurrence(local, start, start + length))
    skipped = [(local, recurrence.gap_reason(zone)) for local in expansion.skipped]

    now = timeutil.now()
    series = Series(trainer_id=trainer.id, rrule=rule.text, timezone=zone.key, created_at=now, updated_at=now)
    buffer = scheduling.Rules.of(trainer).buffer
    occupying = scheduling.occupies(values.get("status", SessionStatus.SCHEDULED.value))
    values.pop("client_id")
    for attempt in range(_SKIP_ATTEMPTS):
        clashes = _clashes(db, trainer=trainer, occurrences=occurrences, tz=tz) if occupying else {}
        if clashes and (on_conflict == "fail" or len(clashes) == len(occurrences)):
            raise Conflict(
                clashes[min(clashes)],
                errors={timeutil.format_local(occurrences[i].start, tz) or "": clashes[i] for i in sorted(clashes)},
            )
        chosen = [occ for i, occ in enumerate(occurrences) if i not in clashes]
        rows = [
            {**values, "trainer_id": trainer.id, "client_id": client.id, "scheduled_start": occ.start,
             "scheduled_end": occ.end, "buffered_end": occ.end + buffer, "created_at": now, "updated_at": now}
            for occ in chosen
        ]
        try:
            with db.begin_nested():  # one savepoint: a refused occurrence takes the series with it
                db.add(series)
                db.flush()
                for row in rows:
                    row["series_id"] = series.id
                # One multi-row INSERT .. RETURNING (insertmanyvalues); asking for the rows in
                # parameter order would cost SQLite one statement a row, so they are sorted here.
                sessions = sorted(db.scalars(insert(TrainingSession).returning(TrainingSession), rows),
                                  key=lambda row: (row.scheduled_start, row.id))
        except IntegrityError as exc:
            if OVERLAP_CONSTRAINT not in str(exc.orig):
                raise
            if on_conflict == "fail" or attempt == _SKIP_ATTEMPTS - 1:
                clashes = _clashes(db, trainer=trainer, occurrences=occurrences, tz=tz)
                raise Conflict(
                    clashes[min(clashes)] if clashes else "Scheduling conflict detected with another session",
                    errors={timeutil.format_local(occurrences[i].start, tz) or "": clashes[i] for i in sorted(clashes)}
                    or None,
                ) from exc
            continue  # a concurrent booking took a slot: check again and skip it too
        skipped += [(occurrences[i].local, clashes[i]) for i in clashes]
        break
    skipped.sort()
    return SeriesResult(
        series,
        sessions,
        [{"scheduled_start": _local_text(local), "reason": reason} for local, reason in skipped],
    )


def _local_text(local: datetime) -> str:
    return local.replace(microsecond=0).isoformat()


def _clashes(db: Session, *, trainer: Trainer, occurrences: Sequence[_Occurrence], tz: ZoneInfo) -> dict[int, str]:
    """Each occurrence that is not free (by index), with the sentence naming its clash:
    the calendar (``scheduling.conflicts``), and an earlier occurrence of the series itself
    within the trainer's buffer (a daily series of long sessions)."""
    found = scheduling.conflicts(db, trainer=trainer, intervals=[(o.start, o.end) for o in occurrences], tz=tz)
    buffer = scheduling.Rules.of(trainer).buffer
    previous: _Occurrence | None = None
    for index, occ in enumerate(occurrences):
        if index in found:
            continue
        if previous is not None and scheduling.within_buffer((previous.start, previous.end), (occ.start, occ.end), buffer):
            found[index] = f"Conflicts with the series' occurrence at {timeutil.format_local(previous.start, tz)}"
            continue
        previous = occ
    return found


def get_series(db: Session, *, actor: Trainer, series_id: int) -> tuple[Series, list[TrainingSession]]:
    """A series ``actor`` may view (404 "Series not found", 403 another trainer's) and its
    sessions, earliest first."""
    series = get_owned_or_raise(db, Series, series_id, actor=actor, action="view", noun=NOUN)
    sessions = list(db.scalars(
        select(TrainingSession)
        .where(TrainingSession.series_id == series.id)
        .order_by(TrainingSession.scheduled_start, TrainingSession.id)
    ))
    return series, sessions
