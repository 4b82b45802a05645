"""Free time on a trainer's day: working hours minus occupying sessions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import timeutil
from ..domain import effective_working_hours
from ..models import Trainer, TrainingSession
from . import scheduling


def day_availability(db: Session, *, trainer: Trainer, day: date, duration: int, now: datetime) -> dict[str, Any]:
    """The trainer's ``day`` (local, in their zone; 23 or 25 hours on DST days):
    ``booked_sessions`` are the occupying sessions overlapping it, earliest first, including
    ones that began the day before; ``available_slots`` are the maximal free intervals within
    working hours, at least ``duration`` minutes long, none of them in the past."""
    tz = timeutil.zone(trainer.timezone)
    day_start, day_end = timeutil.day_bounds(day, tz)
    booked = db.scalars(
        select(TrainingSession)
        .where(TrainingSession.trainer_id == trainer.id, scheduling.overlap_clause(day_start, day_end))
        .order_by(TrainingSession.scheduled_start, TrainingSession.id)
    ).all()
    windows = scheduling.working_intervals(day, tz, effective_working_hours(trainer.working_hours))
    free = scheduling.free_intervals(
        # Free time starts at the next whole minute: nobody books a slot at 09:09:35.
        windows, [(row.scheduled_start, row.scheduled_end) for row in booked], not_before=timeutil.next_minute(now)
    )
    return {
        "date": day.isoformat(),
        "requested_duration": duration,
        "available_slots": [
            {
                "start": timeutil.format_local(start, tz),
                "end": timeutil.format_local(end, tz),
                "duration_minutes": timeutil.minutes_between(start, end),
            }
            for start, end in scheduling.long_enough(free, duration)
        ],
        "booked_sessions": [
            {
                "start": timeutil.format_local(row.scheduled_start, tz),
                "end": timeutil.format_local(row.scheduled_end, tz),
                "title": row.title,
            }
            for row in booked
        ],
    }
