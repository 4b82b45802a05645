"""The least this stack can do for each measured endpoint: the proof device for item 4's
"out of reach".

A Flask app that answers the benchmark's requests with the same data and the same JSON
as the service, but with none of the service's own layers: no Flask-Login, no ORM
session or objects, no pydantic, no request ids, no error envelope, no cross-site rules.
What is left is what any implementation on Flask + SQLAlchemy + this database must do:
read Flask's signed session cookie, look the credential up in the database (the contract
makes logout and revocation take effect on the next request), run the endpoint's SQL
(the service's own statements and scheduling rule, built with SQLAlchemy Core), and write
the JSON. ``bench.run --minimum`` serves it with the service's gunicorn settings, beside
the service, and drives it with the same wrk scripts.

Where this minimum misses an endpoint's target, no code of this service could meet it on
this machine and stack; where it meets the target and the service does not, the gap is
the service's own cost. It is a measuring instrument, never a way to serve anyone: it
checks only what the benchmark sends, and it is no part of the package.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask, Response, abort, jsonify, request, session
from sqlalchemy import bindparam, create_engine, func, insert, select, update

from mectofitness import timeutil
from mectofitness.config import normalize_database_url
from mectofitness.db import configure_engine, engine_options, write_intent
from mectofitness.errors import Forbidden, NotFound
from mectofitness.models import Client, SessionStatus, SessionType, TrainingSession
from mectofitness.schemas.session import session_json
from mectofitness.server import run as serve
from mectofitness.services import auth, availability, scheduling, sessions, stats
from mectofitness.services.ownership import get_owned_row_or_raise

SESSIONS = TrainingSession.__table__
CLIENTS = Client.__table__

CLIENT_OF = select(CLIENTS.c.id).where(CLIENTS.c.id == bindparam("id"), CLIENTS.c.trainer_id == bindparam("trainer"))
PER_PAGE = 20


class Actor:
    """The caller, as the service's query builders read it, and their time zone."""

    def __init__(self, caller: auth.Caller):
        self.caller = caller
        self.id, self.is_admin, self.tz = caller.id, caller.is_admin, timeutil.zone(caller.timezone)


def create_app(database_url: str, secret_key: str) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secret_key, SESSION_REFRESH_EACH_REQUEST=False)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # as the service answers
    url = normalize_database_url(database_url)
    engine = create_engine(url, **engine_options(url))
    configure_engine(engine)  # the service's rules: SQLite's write lock and queue, PostgreSQL's autocommit reads

    def caller(conn: Any) -> Actor:
        # The service's own credential lookup (a Core statement: a connection runs it too).
        found = auth.caller_for_secret(conn, secret=session.get("_user_id") or "", kind="login")
        if found is None:
            abort(401)
        return Actor(found)

    def owned(conn: Any, actor: Actor, session_id: int) -> Any:
        # The service's own read and ownership rule; its domain errors as bare statuses.
        try:
            return get_owned_row_or_raise(conn, TrainingSession, session_id, actor=actor, action="view", noun="session")
        except NotFound:
            abort(404)
        except Forbidden:
            abort(403)

    def reading() -> Any:
        write_intent.set(False)
        return engine.connect()

    def writing() -> Any:
        write_intent.set(True)
        return engine.begin()

    @app.get("/api/v1/health")
    def health() -> Response:
        return jsonify({"success": True, "data": {"status": "ok"}})

    @app.get("/api/v1/sessions")
    def list_sessions() -> Response:
        args = request.args
        start, end = args.get("start_date"), args.get("end_date")
        with reading() as conn:
            actor = caller(conn)
            stmt = sessions.sessions_query(
                actor=actor,  # type: ignore[arg-type]
                status=args.get("status"),
                start=_range_start(start, actor),
                end_exclusive=_range_end(end, actor),
            )
            total = conn.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
            rows = conn.execute(stmt.limit(PER_PAGE)).all()
            clients, trainers = sessions.related_rows(
                conn, rows, include_client=args.get("include_client") == "true",  # type: ignore[arg-type]
                include_trainer=args.get("include_trainer") == "true")
        items = [session_json(r, actor.tz, client=clients.get(r.client_id), trainer=trainers.get(r.trainer_id))
                 for r in rows]
        pages = -(-total // PER_PAGE)
        pagination = {"page": 1, "per_page": PER_PAGE, "total_pages": pages, "total_items": total,
                      "has_next": pages > 1, "has_prev": False}
        return jsonify({"success": True, "data": {"sessions": items, "pagination": pagination}})

    @app.get("/api/v1/sessions/<int:session_id>")
    def get_session(session_id: int) -> Response:
        with reading() as conn:
            actor = caller(conn)
            row = owned(conn, actor, session_id)
        return jsonify({"success": True, "data": session_json(row, actor.tz)})

    @app.get("/api/v1/sessions/stats")
    def session_stats() -> Response:
        start, end = request.args.get("start_date"), request.args.get("end_date")
        with reading() as conn:
            actor = caller(conn)
            data = stats.session_stats(
                conn,  # type: ignore[arg-type]
                actor=actor,  # type: ignore[arg-type]
                now=timeutil.now(),
                start=_range_start(start, actor),
                end_exclusive=_range_end(end, actor),
            )
        return jsonify({"success": True, "data": data})

    @app.get("/api/v1/sessions/availability")
    def check_availability() -> Response:
        day, duration = date.fromisoformat(request.args["date"]), int(request.args["duration"])
        with reading() as conn:
            actor = caller(conn)
            # The service's own day: its query, working hours and free-interval arithmetic.
            data = availability.day_availability(
                conn,  # type: ignore[arg-type]
                trainer=actor.caller, day=day, duration=duration, now=timeutil.now())
        return jsonify({"success": True, "data": data})

    @app.post("/api/v1/sessions")
    def create_session() -> tuple[Response, int]:
        body = json.loads(request.get_data())
        start, end = _instant(body["scheduled_start"]), _instant(body["scheduled_end"])
        with writing() as conn:
            actor = caller(conn)
            if conn.execute(CLIENT_OF, {"id": body["client_id"], "trainer": actor.id}).first() is None:
                abort(400)
            _ensure_free(conn, actor.id, start, end)
            now = timeutil.now()
            row = conn.execute(insert(SESSIONS).returning(*SESSIONS.columns), {
                "trainer_id": actor.id, "client_id": body["client_id"], "title": body["title"],
                "session_type": body.get("session_type", SessionType.PERSONAL.value), "location": body.get("location"),
                "scheduled_start": start, "scheduled_end": end, "status": SessionStatus.SCHEDULED.value,
                "created_at": now, "updated_at": now,
            }).one()
            client, _ = sessions.related(conn, row, include_client=True, include_trainer=False)  # type: ignore[arg-type]
        return jsonify({"success": True, "message": "Session created successfully",
                        "data": session_json(row, actor.tz, client=client)}), 201

    @app.patch("/api/v1/sessions/<int:session_id>")
    def update_session(session_id: int) -> Response:
        body = json.loads(request.get_data())
        start, end = _instant(body["scheduled_start"]), _instant(body["scheduled_end"])
        with writing() as conn:
            actor = caller(conn)
            owned(conn, actor, session_id)
            _ensure_free(conn, actor.id, start, end, exclude_id=session_id)
            row = conn.execute(
                update(SESSIONS).where(SESSIONS.c.id == session_id).returning(*SESSIONS.columns),
                {"notes": body["notes"], "scheduled_start": start, "scheduled_end": end,
                 "updated_at": timeutil.now()},
            ).one()
        return jsonify({"success": True, "message": "Session updated successfully",
                        "data": session_json(row, actor.tz)})

    return app


def _range_start(text: str | None, actor: Actor) -> datetime | None:
    return timeutil.range_start(timeutil.parse_iso(text), actor.tz) if text else None


def _range_end(text: str | None, actor: Actor) -> datetime | None:
    return timeutil.range_end_exclusive(timeutil.parse_iso(text), actor.tz) if text else None


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _ensure_free(conn: Any, trainer_id: int, start: datetime, end: datetime, exclude_id: int | None = None) -> None:
    stmt = select(SESSIONS.c.id).where(SESSIONS.c.trainer_id == trainer_id, scheduling.overlap_clause(start, end))
    if exclude_id is not None:
        stmt = stmt.where(SESSIONS.c.id != exclude_id)
    if conn.execute(stmt.limit(1)).first() is not None:
        abort(409)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.minimum", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--secret-key", required=True, help="the service's, so that its login cookie is read here")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args(argv)
    serve(host="127.0.0.1", port=args.port, workers=args.workers, threads=args.threads,
          app_factory=lambda: create_app(args.database_url, args.secret_key))


if __name__ == "__main__":
    main()
