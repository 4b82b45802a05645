"""Availability (section 7 of the published document; over a range, contract §8)."""

from __future__ import annotations

from flask import Blueprint, Response

from .. import timeutil
from ..extensions import db
from ..schemas.availability import AvailabilityOut, AvailabilityQuery, AvailabilityRangeOut
from ..security import current_trainer
from ..services import availability
from ..services.ownership import target_trainer
from .http import endpoint, ok

bp = Blueprint("session_availability", __name__, url_prefix="/sessions")


@bp.get("/availability")
@endpoint(query=AvailabilityQuery, response=AvailabilityOut | AvailabilityRangeOut, errors=(400, 401))
def check_availability(query: AvailabilityQuery) -> Response:
    """Bookable slots on a day (or every day of a range) for a session of the given length."""
    trainer = target_trainer(db.session(), actor=current_trainer(), trainer_id=query.trainer_id)
    if query.start_date is not None and query.end_date is not None:
        return ok(availability.range_availability(
            db.session(), trainer=trainer, first=query.start_date, last=query.end_date,
            duration=query.duration, now=timeutil.now(),
        ))
    day = query.date or timeutil.today(timeutil.zone(trainer.timezone))
    result = availability.day_availability(
        db.session(), trainer=trainer, day=day, duration=query.duration, now=timeutil.now()
    )
    return ok(result)
