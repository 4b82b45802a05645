"""Time off (contract §8): create, list, get, delete."""

from __future__ import annotations

from flask import Blueprint, Response

from ..extensions import db
from ..models import TimeOff
from ..schemas.time_off import (
    OverlappingSession,
    TimeOffCreate,
    TimeOffCreatedOut,
    TimeOffListQuery,
    TimeOffOut,
    TimeOffPage,
)
from ..security import current_trainer
from ..services import time_off
from .http import Versioned, caller_zone, dump, endpoint, ok, paginate

bp = Blueprint("time_off", __name__, url_prefix="/time-off")
# Time off is never edited, only created and deleted: its creation is its version.
TIME_OFF = Versioned(TimeOff, "time_off_id", version="created_at")


@bp.get("")
@endpoint(query=TimeOffListQuery, response=TimeOffPage, errors=(400, 401))
def list_time_off(query: TimeOffListQuery) -> Response:
    """List time off overlapping the dates given, earliest first, paginated."""
    stmt = time_off.time_off_query(
        actor=current_trainer(), start=query.start_date, end_exclusive=query.end_date, trainer_id=query.trainer_id
    )
    rows, pagination = paginate(stmt, query)
    tz = caller_zone()
    return ok({"time_off": [dump(TimeOffOut.model_validate(row), tz=tz) for row in rows], "pagination": pagination})


@bp.post("")
@endpoint(body=TimeOffCreate, response=TimeOffCreatedOut, status=201, errors=(400, 401, 415))
def create_time_off(body: TimeOffCreate) -> Response:
    """Add time off; the occupying sessions it covers are kept and listed."""
    tz = caller_zone()
    row, overlapping = time_off.create_time_off(db.session(), actor=current_trainer(), fields=body.model_dump(), tz=tz)
    out = TimeOffCreatedOut(
        **TimeOffOut.model_validate(row).model_dump(),
        overlapping_sessions=[OverlappingSession.model_validate(s) for s in overlapping],
    )
    return ok(dump(out, tz=tz), message="Time off created successfully", status=201)


@bp.get("/<int:time_off_id>")
@endpoint(response=TimeOffOut, errors=(401, 403, 404), versioned=TIME_OFF)
def get_time_off(time_off_id: int) -> Response:
    """One time off."""
    row = time_off.get_time_off(db.session(), actor=current_trainer(), time_off_id=time_off_id)
    return ok(dump(TimeOffOut.model_validate(row)))


@bp.delete("/<int:time_off_id>")
@endpoint(errors=(401, 403, 404), versioned=TIME_OFF)
def delete_time_off(time_off_id: int) -> Response:
    """Delete a time off: its interval is free again."""
    time_off.delete_time_off(db.session(), actor=current_trainer(), time_off_id=time_off_id)
    return ok(message="Time off deleted successfully")
