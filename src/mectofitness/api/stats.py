"""Session statistics (section 6 of the published document)."""

from __future__ import annotations

from flask import Blueprint, Response

from .. import timeutil
from ..extensions import db
from ..schemas.stats import StatsOut, StatsQuery
from ..security import current_trainer
from ..services import stats
from .http import endpoint, ok

bp = Blueprint("session_stats", __name__, url_prefix="/sessions")


@bp.get("/stats")
@endpoint(query=StatsQuery, response=StatsOut, errors=(400, 401))
def session_stats(query: StatsQuery) -> Response:
    """Aggregate statistics about sessions."""
    result = stats.session_stats(db.session(), actor=current_trainer(), filters=query.filter(), now=timeutil.now())
    return ok(result)
