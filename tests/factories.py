"""Test data through the services (or plain rows where a test needs a specific past), the
logged-in clients that use it, the one check of a validation error, and the Sessions
API's requests as its tests make them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mectofitness import timeutil
from mectofitness.extensions import db
from mectofitness.models import Client, Trainer, TrainingSession
from mectofitness.services import trainers

PASSWORD = "correct-horse-9"
_seq = itertools.count(1)


class Factory:
    def __init__(self, app: Flask):
        self.app = app

    def trainer(self, **fields: Any) -> Trainer:
        n = next(_seq)
        values = {
            "username": f"trainer{n}",
            "email": f"trainer{n}@example.com",
            "password": PASSWORD,
            "full_name": f"Trainer {n}",
            "timezone": "UTC",
            "role": "trainer",
        } | fields
        with self.app.app_context():
            trainer = trainers.create_trainer(
                db.session, **values, hash_method=self.app.config["MECTO_SETTINGS"].password_hash_method
            )
            db.session.commit()
            return trainer

    def admin(self, **fields: Any) -> Trainer:
        """A trainer with the admin role (in UTC, like any trainer, unless told)."""
        return self.trainer(**fields, role="admin")

    def client(self, trainer: Trainer, **fields: Any) -> Client:
        n = next(_seq)
        now = timeutil.now()
        values = {"name": f"Client {n}", "email": f"client{n}@example.com", "phone": "+1-555-0100", "status": "active"}
        values |= fields
        with self.app.app_context():
            client = Client(trainer_id=trainer.id, created_at=now, updated_at=now, **values)
            db.session.add(client)
            db.session.commit()
            return client

    def session(
        self, trainer: Trainer, client: Client, start: datetime, minutes: int = 60, **fields: Any
    ) -> TrainingSession:
        """A session row as stored (``start`` aware UTC), bypassing the API's rules on purpose."""
        now = timeutil.now()
        values = {"title": "Personal Training Session", "session_type": "personal", "status": "scheduled"} | fields
        with self.app.app_context():
            row = TrainingSession(
                trainer_id=trainer.id,
                client_id=client.id,
                scheduled_start=start,
                scheduled_end=start + timedelta(minutes=minutes),
                created_at=now,
                updated_at=now,
                **values,
            )
            db.session.add(row)
            db.session.commit()
            return row

    def login(self, web: FlaskClient, trainer: Trainer, password: str = PASSWORD) -> None:
        """Log ``web`` in as ``trainer`` (it then holds the session cookie)."""
        response = web.post("/api/v1/auth/login", json={"username": trainer.username, "password": password})
        assert response.status_code == 200, response.get_json()

    def login_as(self, trainer: Trainer, password: str = PASSWORD) -> FlaskClient:
        """A new test client, logged in as ``trainer``."""
        web = self.app.test_client()
        self.login(web, trainer, password)
        return web

    def token(self, trainer: Trainer, name: str = "test") -> str:
        web = self.login_as(trainer)
        response = web.post("/api/v1/auth/tokens", json={"name": name})
        assert response.status_code == 201
        return response.get_json()["data"]["token"]


def assert_invalid(
    response: TestResponse, *fields: str, errors: dict[str, str] | None = None, exactly: bool = True
) -> dict[str, str]:
    """A 400 "Validation failed" in the contract's envelope, every message a non-empty
    string, naming exactly ``fields`` (with ``exactly=False``: at least them) or, given
    ``errors``, exactly those fields with those messages. Returns the errors."""
    body = response.get_json()
    assert response.status_code == 400, body
    assert set(body) == {"success", "error", "errors"}, body
    assert body["success"] is False
    assert body["error"] == "Validation failed"
    assert all(isinstance(message, str) and message for message in body["errors"].values()), body["errors"]
    if errors is not None:
        assert body["errors"] == errors
    if fields:
        named, expected = set(body["errors"]), set(fields)
        assert (named == expected) if exactly else (named >= expected), body["errors"]
    return body["errors"]


# --- the Sessions API over HTTP (tests/test_sessions_*.py) ----------------------------

SESSIONS = "/api/v1/sessions"
# Numbers no id column holds (PostgreSQL INTEGER is 32-bit; the last one is past 64 bits too).
BEYOND = [2**31, 2**63, 10**20]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def conflict(title: str, at: str) -> dict[str, Any]:
    return {"success": False, "error": f'Scheduling conflict detected with session "{title}" at {at}'}


# What a booking over the conftest's ``existing`` session is answered with.
EXISTING_CONFLICT = conflict("Existing", "2030-12-11T10:00:00")


def forbidden(action: str) -> dict[str, Any]:
    return {"success": False, "error": f"You do not have permission to {action} this session"}


def new_session(client_id: int, start: str = "2030-12-11T10:00:00", end: str = "2030-12-11T11:00:00", **fields: Any) -> dict[str, Any]:
    return {"client_id": client_id, "title": "Personal Training Session", "scheduled_start": start, "scheduled_end": end} | fields


def create(web: FlaskClient, client_id: int, start: str = "2030-12-11T10:00:00", end: str = "2030-12-11T11:00:00", **fields: Any) -> dict[str, Any]:
    """Create through the API; the session object."""
    r = web.post(SESSIONS, json=new_session(client_id, start, end, **fields))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["data"]


def get(web: FlaskClient, session_id: int, **query: Any) -> dict[str, Any]:
    r = web.get(f"{SESSIONS}/{session_id}", query_string=query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["data"]


def listed(web: FlaskClient, **query: Any) -> dict[str, Any]:
    r = web.get(SESSIONS, query_string=query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["data"]


def listed_ids(web: FlaskClient, **query: Any) -> list[int]:
    return [item["id"] for item in listed(web, **query)["sessions"]]


def stored(app: Flask, session_id: int) -> dict[str, Any] | None:
    """The row as the database holds it (None when gone)."""
    with app.app_context():
        row = db.session.get(TrainingSession, session_id)
        if row is None:
            return None
        return {column.name: getattr(row, column.name) for column in TrainingSession.__table__.columns}
