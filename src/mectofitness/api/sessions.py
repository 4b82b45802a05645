"""Training sessions: the published Sessions API, sections 1-5."""

from __future__ import annotations

from flask import Blueprint, Response

from ..extensions import db
from ..schemas.session import (
    DeleteQuery,
    IncludeQuery,
    SessionCreate,
    SessionListQuery,
    SessionOut,
    SessionPage,
    SessionUpdate,
    session_json,
)
from ..security import current_principal
from ..services import sessions
from .http import caller_zone, endpoint, ok, paginate

bp = Blueprint("sessions", __name__, url_prefix="/sessions")


def _out(row, query: IncludeQuery) -> dict:  # type: ignore[no-untyped-def]
    client, trainer = sessions.related(
        db.session(), row, include_client=query.include_client, include_trainer=query.include_trainer
    )
    return session_json(row, caller_zone(), client=client, trainer=trainer)


@bp.get("")
@endpoint(query=SessionListQuery, response=SessionPage, errors=(400, 401))
def list_sessions(query: SessionListQuery) -> Response:
    """List sessions with filters, sorting and pagination."""
    stmt = sessions.sessions_query(
        actor=current_principal().caller,
        trainer_id=query.trainer_id,
        client_id=query.client_id,
        status=query.status,
        session_type=query.session_type,
        start=query.start_date,
        end_exclusive=query.end_date,
        sort_by=query.sort_by,
        sort_order=query.sort_order,
    )
    rows, pagination = paginate(stmt, query, scalars=False)
    clients, trainers = sessions.related_rows(
        db.session(), rows, include_client=query.include_client, include_trainer=query.include_trainer
    )
    tz = caller_zone()
    items = [
        session_json(row, tz, client=clients.get(row.client_id), trainer=trainers.get(row.trainer_id))
        for row in rows
    ]
    return ok({"sessions": items, "pagination": pagination})


@bp.get("/<int:session_id>")
@endpoint(query=IncludeQuery, response=SessionOut, errors=(400, 401, 403, 404))
def get_session(session_id: int, query: IncludeQuery) -> Response:
    """Get one session."""
    row = sessions.read_session(db.session(), actor=current_principal().caller, session_id=session_id)
    return ok(_out(row, query))


def _client_check(raw: dict, session_id: int | None = None) -> dict[str, str]:  # type: ignore[type-arg]
    return sessions.body_client_problems(db.session(), actor=current_principal().caller, raw=raw, session_id=session_id)


@bp.post("")
@endpoint(body=SessionCreate, body_checks=(_client_check,), response=SessionOut, status=201, errors=(400, 401, 409, 415))
def create_session(body: SessionCreate) -> Response:
    """Schedule a new session (409 when it overlaps another)."""
    row = sessions.create_session(
        db.session(), actor=current_principal().caller, fields=body.model_dump(), tz=caller_zone()
    )
    return ok(_out(row, IncludeQuery(include_client=True, include_trainer=False)), message="Session created successfully", status=201)


@bp.route("/<int:session_id>", methods=["PUT", "PATCH"])
@endpoint(query=IncludeQuery, body=SessionUpdate, body_checks=(_client_check,), response=SessionOut, errors=(400, 401, 403, 404, 409, 415))
def update_session(session_id: int, query: IncludeQuery, body: SessionUpdate) -> Response:
    """Update a session (partial; rescheduling is conflict-checked)."""
    row = sessions.update_session(
        db.session(),
        actor=current_principal().caller,
        session_id=session_id,
        changes=body.model_dump(exclude_unset=True),
        tz=caller_zone(),
    )
    return ok(_out(row, query), message="Session updated successfully")


@bp.delete("/<int:session_id>")
@endpoint(query=DeleteQuery, response=SessionOut, data_optional=True, errors=(400, 401, 403, 404))
def delete_session(session_id: int, query: DeleteQuery) -> Response:
    """Cancel a session, or delete it for good with permanent=true."""
    actor = current_principal().caller
    if query.permanent:
        sessions.delete_session(db.session(), actor=actor, session_id=session_id)
        return ok(message="Session permanently deleted")
    row = sessions.cancel_session(db.session(), actor=actor, session_id=session_id)
    return ok(_out(row, query), message="Session cancelled successfully")
