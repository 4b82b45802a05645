"""Recurring series (contract §9)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ..extensions import db
from ..models import Series
from ..schemas.series import SeriesCreate, SeriesCreated, SeriesOut, series_fields
from ..schemas.session import SessionUpdate
from ..security import current_trainer
from ..services import series
from .http import Versioned, caller_zone, dump, endpoint, ok
from .sessions import body_problems

bp = Blueprint("series", __name__, url_prefix="/series")
# One series' ETag (contract §10): it moves whenever the series or an occurrence changes.
SERIES = Versioned(Series, "series_id")
_NO_NESTED = {"sessions": {"__all__": {"client", "trainer"}}}


def _series_data(model: type[SeriesOut], fields: dict[str, Any]) -> Any:
    tz = caller_zone()
    out = model.model_validate(fields, context={"tz": tz, "include": ()})
    return dump(out, tz=tz, exclude=_NO_NESTED)


@bp.post("")
@endpoint(body=SeriesCreate, partial=SessionUpdate, checks=body_problems, response=SeriesCreated, status=201,
          errors=(400, 401, 409, 415))
def create_series(body: SeriesCreate) -> Response:
    """Book a recurring series of sessions (all or nothing; 409 listing every conflicting occurrence)."""
    result = series.create_series(db.session(), actor=current_trainer(), fields=body.model_dump(), tz=caller_zone())
    data = _series_data(SeriesCreated, series_fields(result.series, result.sessions, result.skipped))
    return ok(data, message="Series created successfully", status=201)


@bp.get("/<int:series_id>")
@endpoint(response=SeriesOut, errors=(401, 403, 404), versioned=SERIES)
def get_series(series_id: int) -> Response:
    """Get a recurring series and its sessions."""
    row, sessions = series.get_series(db.session(), actor=current_trainer(), series_id=series_id)
    return ok(_series_data(SeriesOut, series_fields(row, sessions)))
