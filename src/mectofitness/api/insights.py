"""Session statistics and availability (sections 6 and 7 of the published document)."""

from __future__ import annotations

from flask import Blueprint, Response

from .. import timeutil
from ..extensions import db
from ..schemas.insights import AvailabilityOut, AvailabilityQuery, StatsOut, StatsQuery
from ..security import current_principal
from ..services import availability, stats
from ..services.ownership import target_trainer
from .http import endpoint, ok

bp = Blueprint("session_insights", __name__, url_prefix="/sessions")


@bp.get("/stats")
@endpoint(query=StatsQuery, response=StatsOut, errors=(400, 401))
def session_stats(query: StatsQuery) -> Response:
    """Aggregate statistics about sessions."""
    result = stats.session_stats(
        db.session(),
        actor=current_principal().caller,
        now=timeutil.now(),
        trainer_id=query.trainer_id,
        client_id=query.client_id,
        start=query.start_date,
        end_exclusive=query.end_date,
    )
    return ok(result)


@bp.get("/availability")
@endpoint(query=AvailabilityQuery, response=AvailabilityOut, errors=(400, 401))
def check_availability(query: AvailabilityQuery) -> Response:
    """Free slots on a day, within working hours, for a session of the given length."""
    trainer = target_trainer(db.session(), actor=current_principal().caller, trainer_id=query.trainer_id)
    day = query.date or timeutil.today(timeutil.zone(trainer.timezone))
    result = availability.day_availability(
        db.session(), trainer=trainer, day=day, duration=query.duration, now=timeutil.now()
    )
    return ok(result)
