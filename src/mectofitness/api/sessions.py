"""Training sessions: the published Sessions API, sections 1-5."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response

from ..extensions import db
from ..models import TrainingSession
from ..schemas.session import (
    DeleteQuery,
    IncludeQuery,
    SessionCreate,
    SessionListQuery,
    SessionOut,
    SessionPage,
    SessionUpdate,
    UpdateQuery,
    session_items,
)
from ..security import current_trainer
from ..services import sessions
from .http import Versioned, caller_zone, dump, endpoint, ok, paginate

bp = Blueprint("sessions", __name__, url_prefix="/sessions")
# One session's ETag (contract §10), on its GET, PUT, PATCH and DELETE.
SESSION = Versioned(TrainingSession, "session_id")


def session_data(row: TrainingSession, include: tuple[str, ...], tz: ZoneInfo | None = None) -> Any:
    """The session object as JSON-ready data, with the nested objects in ``include``."""
    tz = tz or caller_zone()
    out = SessionOut.model_validate(row, context={"tz": tz, "include": include})
    return dump(out, tz=tz, exclude={"client", "trainer"} - set(include))


@bp.get("")
@endpoint(query=SessionListQuery, response=SessionPage, errors=(400, 401))
def list_sessions(query: SessionListQuery) -> Response:
    """List sessions with filters, sorting and pagination."""
    stmt = sessions.sessions_query(
        actor=current_trainer(),
        filters=query.filter(),
        sort_by=query.sort_by,
        sort_order=query.sort_order,
    )
    rows, pagination = paginate(stmt, query)
    clients, trainers = sessions.related_by_id(
        db.session(), rows, include_client=query.include_client, include_trainer=query.include_trainer
    )
    items = session_items(rows, caller_zone(), clients=clients, trainers=trainers)
    return ok({"sessions": items, "pagination": pagination})


@bp.get("/<int:session_id>")
@endpoint(query=IncludeQuery, response=SessionOut, errors=(400, 401, 403, 404), versioned=SESSION)
def get_session(session_id: int, query: IncludeQuery) -> Response:
    """Get one session."""
    row = sessions.get_session(
        db.session(),
        actor=current_trainer(),
        session_id=session_id,
        include_client=query.include_client,
        include_trainer=query.include_trainer,
    )
    return ok(session_data(row, query.include))


def body_problems(values: dict[str, Any], raw: dict[str, Any], session_id: int | None = None) -> dict[str, str]:
    """The database's checks of a session body's fields (is this client yours, active?),
    for ``endpoint(checks=...)``; the series create uses them too."""
    return sessions.body_problems(
        db.session(),
        actor=current_trainer(),
        values=values,
        tz=caller_zone(),
        trainer_id=raw.get("trainer_id"),
        session_id=session_id,
    )


@bp.post("")
@endpoint(body=SessionCreate, partial=SessionUpdate, checks=body_problems, response=SessionOut, status=201,
          errors=(400, 401, 409, 415))
def create_session(body: SessionCreate) -> Response:
    """Schedule a new session (409 when it overlaps another)."""
    row = sessions.create_session(db.session(), actor=current_trainer(), fields=body.model_dump(), tz=caller_zone())
    return ok(session_data(row, ("client",)), message="Session created successfully", status=201)


@bp.route("/<int:session_id>", methods=["PUT", "PATCH"])
@endpoint(query=UpdateQuery, body=SessionUpdate, partial=SessionUpdate, checks=body_problems, response=SessionOut,
          errors=(400, 401, 403, 404, 409, 415), versioned=SESSION)
def update_session(session_id: int, query: UpdateQuery, body: SessionUpdate) -> Response:
    """Update a session, or with scope the occurrences of its series (partial; rescheduling is conflict-checked)."""
    row = sessions.update_session(
        db.session(),
        actor=current_trainer(),
        session_id=session_id,
        changes=body.model_dump(exclude_unset=True),
        tz=caller_zone(),
        scope=query.scope,
        include_client=query.include_client,
        include_trainer=query.include_trainer,
    )
    return ok(session_data(row, query.include), message="Session updated successfully")


@bp.delete("/<int:session_id>")
@endpoint(query=DeleteQuery, response=SessionOut, data_optional=True, errors=(400, 401, 403, 404), versioned=SESSION)
def delete_session(session_id: int, query: DeleteQuery) -> Response:
    """Cancel a session (with scope, occurrences of its series), or delete for good with permanent=true."""
    actor = current_trainer()
    if query.permanent:
        sessions.delete_session(db.session(), actor=actor, session_id=session_id, scope=query.scope)
        return ok(message="Session permanently deleted")
    row = sessions.cancel_session(
        db.session(),
        actor=actor,
        session_id=session_id,
        scope=query.scope,
        include_client=query.include_client,
        include_trainer=query.include_trainer,
    )
    return ok(session_data(row, query.include), message="Session cancelled successfully")
