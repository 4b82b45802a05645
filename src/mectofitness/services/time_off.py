"""Time off (contract §8): a trainer's holidays and other absences. A time off makes its
interval not free for bookings (``scheduling``); occupying sessions it covers are kept and
listed, so that the trainer can move them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from .. import timeutil
from ..domain import MAX_TIME_OFF_LENGTH, TIME_OFF_END_AFTER_START, TIME_OFF_TOO_LONG
from ..errors import InvalidInput
from ..models import TimeOff, Trainer, TrainingSession
from . import scheduling
from .ownership import get_owned_or_raise, scope_to_actor, target_trainer

NOUN = "time off"


def time_off_query(
    *, actor: Trainer, start: datetime | None = None, end_exclusive: datetime | None = None,
    trainer_id: int | None = None,
) -> Select[tuple[TimeOff]]:
    """The time off ``actor`` may see that overlaps ``[start, end_exclusive)`` (either
    bound may be open), earliest first, ties by id."""
    stmt = scope_to_actor(select(TimeOff), TimeOff, actor=actor, trainer_id=trainer_id)
    if start is not None:
        stmt = stmt.where(TimeOff.end > start)
    if end_exclusive is not None:
        stmt = stmt.where(TimeOff.start < end_exclusive)
    return stmt.order_by(TimeOff.start, TimeOff.id)


def get_time_off(db: Session, *, actor: Trainer, time_off_id: int, action: str = "view") -> TimeOff:
    """One time off ``actor`` may ``action``: 404 when missing, 403 when another trainer's."""
    return get_owned_or_raise(db, TimeOff, time_off_id, actor=actor, action=action, noun=NOUN)


def create_time_off(
    db: Session, *, actor: Trainer, fields: dict[str, Any], tz: ZoneInfo
) -> tuple[TimeOff, list[TrainingSession]]:
    """Add time off to the actor's calendar (or, for an admin, ``fields['trainer_id']``'s).

    Returns it with the occupying sessions it overlaps, earliest first (kept as they are).
    Raises InvalidInput when ``end`` is not after ``start`` or is more than 366 days later.
    Written under the trainer's calendar lock (``scheduling.lock_calendar``), so a booking
    being written at the same moment either is listed here or sees this time off."""
    trainer = target_trainer(db, actor=actor, trainer_id=fields.get("trainer_id"))
    start = timeutil.from_wall_clock(fields["start"], tz)
    end = timeutil.from_wall_clock(fields["end"], tz)
    if end <= start:
        raise InvalidInput({"end": TIME_OFF_END_AFTER_START})
    if end - start > MAX_TIME_OFF_LENGTH:
        raise InvalidInput({"end": TIME_OFF_TOO_LONG})
    scheduling.lock_calendar(db, trainer_id=trainer.id, exclusive=True)
    row = TimeOff(trainer_id=trainer.id, start=start, end=end, reason=fields.get("reason") or None,
                  created_at=timeutil.now())
    db.add(row)
    db.flush()
    overlapping = list(db.scalars(
        select(TrainingSession)
        .where(TrainingSession.trainer_id == trainer.id, scheduling.overlap_clause(start, end))
        .order_by(TrainingSession.scheduled_start, TrainingSession.id)
    ))
    return row, overlapping


def delete_time_off(db: Session, *, actor: Trainer, time_off_id: int) -> None:
    """Remove a time off: its interval is free again."""
    row = get_time_off(db, actor=actor, time_off_id=time_off_id, action="delete")
    db.delete(row)
    db.flush()
