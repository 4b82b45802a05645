"""The Sessions API over HTTP, sections 1-5 of ``sessions-api.md`` as decided by the
contract: shapes and messages, validation, lists, ownership, conflicts and time zones."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from mectofitness import timeutil
from mectofitness.extensions import db
from mectofitness.models import Client, Trainer, TrainingSession
from mectofitness.schemas.auth import TrainerBrief
from mectofitness.schemas.client import ClientBrief
from mectofitness.schemas.session import SessionOut

from .expected import CLIENT_KEYS, SESSION_KEYS
from .factories import assert_invalid

SESSIONS = "/api/v1/sessions"
ME = "/api/v1/auth/me"

PAGINATION_KEYS = {"page", "per_page", "total_pages", "total_items", "has_next", "has_prev"}
STATUSES = ("scheduled", "completed", "cancelled", "no-show")
SESSION_TYPES = ("personal", "group", "online", "assessment", "consultation")
SORT_FIELDS = ("scheduled_start", "scheduled_end", "created_at", "updated_at", "status", "title")
OPTIONAL_TEXT = ("description", "notes", "trainer_notes", "exercises_performed", "client_feedback")
LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")

END_AFTER_START = "Scheduled end time must be after start time"
NOT_FOUND = {"success": False, "error": "Session not found"}
AUTH_REQUIRED = {"success": False, "error": "Authentication required"}
CLIENT_NOT_FOUND = {"client_id": "Client not found"}
# Numbers no id column holds (PostgreSQL INTEGER is 32-bit; the last one is past 64 bits too).
BEYOND = [2**31, 2**63, 10**20]


# --- helpers -------------------------------------------------------------------------


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def conflict(title: str, at: str) -> dict[str, Any]:
    return {"success": False, "error": f'Scheduling conflict detected with session "{title}" at {at}'}


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


def set_columns(app: Flask, session_id: int, **values: Any) -> None:
    """Write columns the API never lets a client set (created_at, updated_at)."""
    with app.app_context():
        db.session.execute(update(TrainingSession).where(TrainingSession.id == session_id).values(**values))
        db.session.commit()


def bulk_sessions(app: Flask, trainer: Trainer, client: Client, count: int, **fields: Any) -> list[int]:
    """``count`` one-hour sessions two hours apart from 2030-01-01 09:00 UTC, in one commit."""
    first = utc(2030, 1, 1, 9)
    now = timeutil.now()
    values = {"title": "Personal Training Session", "session_type": "personal", "status": "scheduled"} | fields
    with app.app_context():
        rows = [
            TrainingSession(
                trainer_id=trainer.id,
                client_id=client.id,
                scheduled_start=first + timedelta(hours=2 * i),
                scheduled_end=first + timedelta(hours=2 * i + 1),
                created_at=now,
                updated_at=now,
                **values,
            )
            for i in range(count)
        ]
        db.session.add_all(rows)
        db.session.flush()
        ids = [row.id for row in rows]
        db.session.commit()
    return ids


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture()
def john(factory, trainer) -> Client:  # type: ignore[no-untyped-def]
    return factory.client(trainer, name="John Doe", email="john@example.com", phone="+1-555-0123")


@pytest.fixture()
def other(factory) -> Trainer:  # type: ignore[no-untyped-def]
    return factory.trainer()


@pytest.fixture()
def other_client(factory, other) -> Client:  # type: ignore[no-untyped-def]
    return factory.client(other)


@pytest.fixture()
def other_session(factory, other, other_client) -> TrainingSession:  # type: ignore[no-untyped-def]
    return factory.session(other, other_client, utc(2030, 12, 11, 10), title="Their Session")


# === 1. Shapes and messages ==========================================================


def test_create_session_returns_201_message_and_full_object(logged_in, trainer, john):
    body = new_session(
        john.id,
        title="Initial Fitness Assessment",
        description="Comprehensive fitness evaluation",
        session_type="assessment",
        location="Main Gym",
        notes="Bring equipment",
        trainer_notes="Previous knee injury",
    )
    r = logged_in.post(SESSIONS, json=body)
    assert r.status_code == 201
    payload = r.get_json()
    assert set(payload) == {"success", "message", "data"}
    assert payload["success"] is True
    assert payload["message"] == "Session created successfully"
    data = payload["data"]
    assert isinstance(data["id"], int)
    assert LOCAL_TIME.match(data["created_at"])
    created = datetime.fromisoformat(data["created_at"]).replace(tzinfo=UTC)
    assert abs(created - timeutil.now()) < timedelta(minutes=1)
    assert data == {
        "id": data["id"],
        "title": "Initial Fitness Assessment",
        "description": "Comprehensive fitness evaluation",
        "session_type": "assessment",
        "location": "Main Gym",
        "scheduled_start": "2030-12-11T10:00:00",
        "scheduled_end": "2030-12-11T11:00:00",
        "actual_start": None,
        "actual_end": None,
        "status": "scheduled",
        "exercises_performed": None,
        "notes": "Bring equipment",
        "client_feedback": None,
        "trainer_notes": "Previous knee injury",
        "google_event_id": None,
        "outlook_event_id": None,
        "created_at": data["created_at"],
        "updated_at": data["created_at"],
        "trainer_id": trainer.id,
        "client_id": john.id,
        "client": {"id": john.id, "name": "John Doe", "email": "john@example.com", "phone": "+1-555-0123", "status": "active"},
    }


def test_create_session_defaults_session_type_personal_and_status_scheduled(logged_in, john):
    data = create(logged_in, john.id)
    assert data["session_type"] == "personal"
    assert data["status"] == "scheduled"
    for name in ("description", "location", "notes", "trainer_notes", "actual_start", "actual_end"):
        assert data[name] is None


@pytest.mark.parametrize("session_type", SESSION_TYPES)
def test_create_session_accepts_every_session_type(logged_in, john, session_type):
    data = create(logged_in, john.id, session_type=session_type)
    assert data["session_type"] == session_type
    assert get(logged_in, data["id"])["session_type"] == session_type


def test_create_session_is_stored(app, logged_in, trainer, john):
    data = create(logged_in, john.id, title="Stored")
    row = stored(app, data["id"])
    assert row is not None
    assert row["title"] == "Stored"
    assert row["trainer_id"] == trainer.id
    assert row["client_id"] == john.id
    assert row["scheduled_start"] == utc(2030, 12, 11, 10)
    assert row["scheduled_end"] == utc(2030, 12, 11, 11)


@pytest.mark.parametrize(
    "query, extra",
    [
        ({}, set()),
        ({"include_client": "true"}, {"client"}),
        ({"include_trainer": "true"}, {"trainer"}),
        ({"include_client": "true", "include_trainer": "true"}, {"client", "trainer"}),
        ({"include_client": "false", "include_trainer": "false"}, set()),
    ],
)
def test_get_session_fields_and_includes(logged_in, trainer, john, query, extra):
    created = create(logged_in, john.id)
    r = logged_in.get(f"{SESSIONS}/{created['id']}", query_string=query)
    assert r.status_code == 200
    payload = r.get_json()
    assert set(payload) == {"success", "data"}
    assert payload["success"] is True
    data = payload["data"]
    assert set(data) == SESSION_KEYS | extra
    assert {key: data[key] for key in SESSION_KEYS} == {key: created[key] for key in SESSION_KEYS}
    if "client" in extra:
        assert data["client"] == {
            "id": john.id,
            "name": "John Doe",
            "email": "john@example.com",
            "phone": "+1-555-0123",
            "status": "active",
        }
    if "trainer" in extra:
        assert data["trainer"] == {
            "id": trainer.id,
            "username": "mike",
            "email": "mike@example.com",
            "full_name": "Mike Thompson",
        }


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_list_and_get_answer_exactly_the_documented_session_object(app, factory, logged_in, trainer, john, zone):
    """Responses are built by a fast serializer; they must equal what the published
    schema (``SessionOut``, the OpenAPI document's) makes of the stored rows."""
    assert logged_in.patch(ME, json={"timezone": zone}).status_code == 200
    quiet = factory.client(trainer, name="Quiet", email=None, phone=None, status="inactive")
    create(logged_in, john.id, description="Warm-up", location="Gym", notes="n", trainer_notes="t")
    done = create(logged_in, quiet.id, "2030-12-12T10:00:00", "2030-12-12T11:30:00", session_type="assessment")
    assert logged_in.patch(f"{SESSIONS}/{done['id']}", json={
        "status": "completed", "actual_start": "2030-12-12T10:05:00", "actual_end": "2030-12-12T11:35:00",
        "exercises_performed": "Squats", "client_feedback": "Great", "google_event_id": "g1", "outlook_event_id": "o1",
    }).status_code == 200
    page = listed(logged_in, include_client="true", include_trainer="true")["sessions"]
    with app.app_context():
        tz = timeutil.zone(zone)
        expected = []
        for row in db.session.scalars(select(TrainingSession).order_by(TrainingSession.scheduled_start.desc())):
            fields = {name: getattr(row, name) for name in SessionOut.model_fields if name not in ("client", "trainer")}
            model = SessionOut.model_validate(
                fields
                | {
                    "client": ClientBrief.model_validate(db.session.get(Client, row.client_id)),
                    "trainer": TrainerBrief.model_validate(db.session.get(Trainer, row.trainer_id)),
                }
            )
            expected.append(model.model_dump(mode="json", context={"tz": tz}))
    assert page == expected
    assert [get(logged_in, item["id"], include_client="true", include_trainer="true") for item in expected] == expected


def test_get_session_nested_client_shows_inactive_status_and_nulls(factory, logged_in, trainer):
    quiet = factory.client(trainer, name="Quiet", email=None, phone=None, status="inactive")
    created = create(logged_in, quiet.id)
    assert get(logged_in, created["id"], include_client="true")["client"] == {
        "id": quiet.id,
        "name": "Quiet",
        "email": None,
        "phone": None,
        "status": "inactive",
    }


def test_list_sessions_shape(logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.get(SESSIONS)
    assert r.status_code == 200
    payload = r.get_json()
    assert set(payload) == {"success", "data"}
    assert payload["success"] is True
    assert set(payload["data"]) == {"sessions", "pagination"}
    assert payload["data"]["pagination"] == {
        "page": 1,
        "per_page": 20,
        "total_pages": 1,
        "total_items": 1,
        "has_next": False,
        "has_prev": False,
    }
    [item] = payload["data"]["sessions"]
    assert set(item) == SESSION_KEYS
    assert item == {key: created[key] for key in SESSION_KEYS}


@pytest.mark.parametrize(
    "query, extra",
    [
        ({"include_client": "true"}, {"client"}),
        ({"include_trainer": "true"}, {"trainer"}),
        ({"include_client": "true", "include_trainer": "true"}, {"client", "trainer"}),
    ],
)
def test_list_sessions_includes(logged_in, trainer, john, query, extra):
    create(logged_in, john.id)
    create(logged_in, john.id, "2030-12-12T10:00:00", "2030-12-12T11:00:00")
    items = listed(logged_in, **query)["sessions"]
    assert len(items) == 2
    for item in items:
        assert set(item) == SESSION_KEYS | extra
        if "client" in extra:
            assert set(item["client"]) == CLIENT_KEYS
            assert item["client"]["id"] == john.id
            assert item["client"]["name"] == "John Doe"
        if "trainer" in extra:
            assert item["trainer"] == {
                "id": trainer.id,
                "username": "mike",
                "email": "mike@example.com",
                "full_name": "Mike Thompson",
            }


def test_list_sessions_empty(logged_in):
    assert listed(logged_in) == {
        "sessions": [],
        "pagination": {"page": 1, "per_page": 20, "total_pages": 0, "total_items": 0, "has_next": False, "has_prev": False},
    }


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_session_message_and_shape(logged_in, john, method):
    created = create(logged_in, john.id)
    r = logged_in.open(f"{SESSIONS}/{created['id']}", method=method, json={"notes": "Bring water"})
    assert r.status_code == 200
    payload = r.get_json()
    assert set(payload) == {"success", "message", "data"}
    assert payload["success"] is True
    assert payload["message"] == "Session updated successfully"
    data = payload["data"]
    assert set(data) == SESSION_KEYS
    assert data["notes"] == "Bring water"
    unchanged = SESSION_KEYS - {"notes", "updated_at"}
    assert {key: data[key] for key in unchanged} == {key: created[key] for key in unchanged}
    assert LOCAL_TIME.match(data["updated_at"])
    assert data["updated_at"] >= created["updated_at"]
    assert get(logged_in, created["id"])["notes"] == "Bring water"


def test_update_session_is_partial_put_keeps_other_fields(logged_in, john):
    created = create(logged_in, john.id, description="Keep me", location="Studio A")
    r = logged_in.put(f"{SESSIONS}/{created['id']}", json={"title": "Renamed"})
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert data["title"] == "Renamed"
    assert data["description"] == "Keep me"
    assert data["location"] == "Studio A"
    assert data["scheduled_start"] == created["scheduled_start"]


def test_update_session_empty_body_changes_nothing(logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={})
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert {key: data[key] for key in SESSION_KEYS - {"updated_at"}} == {
        key: created[key] for key in SESSION_KEYS - {"updated_at"}
    }


def test_update_session_include_client_and_trainer(logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.patch(
        f"{SESSIONS}/{created['id']}?include_client=true&include_trainer=yes", json={"title": "With people"}
    )
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert set(data) == SESSION_KEYS | {"client", "trainer"}
    assert data["client"]["id"] == john.id
    assert data["trainer"]["username"] == "mike"


def test_update_session_can_set_every_writable_field(logged_in, factory, trainer, john):
    jane = factory.client(trainer, name="Jane")
    created = create(logged_in, john.id)
    changes = {
        "client_id": jane.id,
        "title": "Everything",
        "description": "d",
        "session_type": "online",
        "location": "Zoom",
        "scheduled_start": "2030-12-11T12:00:00",
        "scheduled_end": "2030-12-11T13:30:00",
        "actual_start": "2030-12-11T12:05:00",
        "actual_end": "2030-12-11T13:20:00",
        "status": "completed",
        "exercises_performed": "e",
        "notes": "n",
        "client_feedback": "f",
        "trainer_notes": "t",
        "google_event_id": "g-1",
        "outlook_event_id": "o-1",
    }
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json=changes)
    assert r.status_code == 200, r.get_json()
    data = r.get_json()["data"]
    assert {key: data[key] for key in changes} == changes
    fetched = get(logged_in, created["id"])
    assert {key: fetched[key] for key in changes} == changes


def test_delete_session_soft_cancels_and_keeps_it(app, logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.delete(f"{SESSIONS}/{created['id']}")
    assert r.status_code == 200
    payload = r.get_json()
    assert set(payload) == {"success", "message", "data"}
    assert payload["success"] is True
    assert payload["message"] == "Session cancelled successfully"
    data = payload["data"]
    assert set(data) == SESSION_KEYS
    assert data["id"] == created["id"]
    assert data["status"] == "cancelled"
    assert data["title"] == created["title"]
    assert get(logged_in, created["id"])["status"] == "cancelled"
    assert stored(app, created["id"])["status"] == "cancelled"  # type: ignore[index]
    assert listed_ids(logged_in) == [created["id"]]


def test_delete_session_soft_twice_is_still_200(logged_in, john):
    created = create(logged_in, john.id)
    assert logged_in.delete(f"{SESSIONS}/{created['id']}").status_code == 200
    r = logged_in.delete(f"{SESSIONS}/{created['id']}")
    assert r.status_code == 200
    assert r.get_json()["message"] == "Session cancelled successfully"
    assert r.get_json()["data"]["status"] == "cancelled"


@pytest.mark.parametrize("status", ["completed", "no-show"])
def test_delete_session_soft_cancels_any_status(logged_in, john, status):
    created = create(logged_in, john.id)
    assert logged_in.patch(f"{SESSIONS}/{created['id']}", json={"status": status}).status_code == 200
    r = logged_in.delete(f"{SESSIONS}/{created['id']}")
    assert r.status_code == 200
    assert r.get_json()["data"]["status"] == "cancelled"


def test_delete_session_soft_include_client(logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.delete(f"{SESSIONS}/{created['id']}?include_client=true")
    assert r.status_code == 200
    assert set(r.get_json()["data"]) == SESSION_KEYS | {"client"}


def test_delete_session_permanent_removes_it(app, logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.delete(f"{SESSIONS}/{created['id']}?permanent=true")
    assert r.status_code == 200
    assert r.get_json() == {"success": True, "message": "Session permanently deleted"}
    assert stored(app, created["id"]) is None
    r = logged_in.get(f"{SESSIONS}/{created['id']}")
    assert r.status_code == 404
    assert r.get_json() == NOT_FOUND
    assert listed_ids(logged_in) == []
    r = logged_in.delete(f"{SESSIONS}/{created['id']}?permanent=true")
    assert r.status_code == 404
    assert r.get_json() == NOT_FOUND


def test_delete_session_permanent_of_cancelled_session(logged_in, john):
    created = create(logged_in, john.id)
    assert logged_in.delete(f"{SESSIONS}/{created['id']}").status_code == 200
    r = logged_in.delete(f"{SESSIONS}/{created['id']}?permanent=true")
    assert r.status_code == 200
    assert r.get_json() == {"success": True, "message": "Session permanently deleted"}
    assert logged_in.get(f"{SESSIONS}/{created['id']}").status_code == 404


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", SESSIONS),
        ("POST", SESSIONS),
        ("GET", f"{SESSIONS}/1"),
        ("PUT", f"{SESSIONS}/1"),
        ("PATCH", f"{SESSIONS}/1"),
        ("DELETE", f"{SESSIONS}/1"),
        ("DELETE", f"{SESSIONS}/1?permanent=true"),
    ],
)
def test_sessions_require_authentication(app, client, factory, trainer, john, method, path):
    row = factory.session(trainer, john, utc(2030, 12, 11, 10))
    assert row.id == 1
    r = client.open(path, method=method, json={"title": "x"} if method in ("POST", "PUT", "PATCH") else None)
    assert r.status_code == 401
    assert r.get_json() == AUTH_REQUIRED
    assert stored(app, 1)["title"] == "Personal Training Session"  # type: ignore[index]
    assert stored(app, 1)["status"] == "scheduled"  # type: ignore[index]


@pytest.mark.parametrize("raw", ["", "[]", '"text"', "{bad json", "null", "5", '[{"title": "x"}]'])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_sessions_body_must_be_a_json_object(logged_in, john, raw, method):
    created = create(logged_in, john.id)
    path = SESSIONS if method == "POST" else f"{SESSIONS}/{created['id']}"
    r = logged_in.open(path, method=method, data=raw, content_type="application/json")
    assert r.status_code == 400
    assert r.get_json() == {"success": False, "error": "Request body must be a JSON object"}


# === 2. Validation ===================================================================


def test_create_session_missing_required_fields_all_named(logged_in):
    r = logged_in.post(SESSIONS, json={})
    errors = assert_invalid(r, "client_id", "title", "scheduled_start", "scheduled_end")
    assert errors["scheduled_start"] == "Scheduled start time is required"
    assert errors["scheduled_end"] == "Scheduled end time is required"
    assert errors["title"] == "Title is required"
    assert errors["client_id"].endswith(" is required")


@pytest.mark.parametrize("missing", ["client_id", "title", "scheduled_start", "scheduled_end"])
def test_create_session_each_required_field(app, logged_in, john, missing):
    body = new_session(john.id)
    del body[missing]
    errors = assert_invalid(logged_in.post(SESSIONS, json=body), missing)
    assert errors[missing].endswith(" is required")
    assert listed_ids(logged_in) == []


@pytest.mark.parametrize("field", ["client_id", "title", "scheduled_start", "scheduled_end"])
def test_create_session_required_field_null_refused(logged_in, john, field):
    assert_invalid(logged_in.post(SESSIONS, json=new_session(john.id) | {field: None}), field)


@pytest.mark.parametrize(
    "start, end",
    [
        ("2030-12-11T10:00:00", "2030-12-11T10:00:00"),
        ("2030-12-11T10:00:00", "2030-12-11T09:59:59"),
        ("2030-12-11T10:00:00", "2030-12-10T11:00:00"),
        ("2030-12-11T10:00:00.900000", "2030-12-11T10:00:00.100000"),
        ("2030-12-11T10:00:00Z", "2030-12-11T15:00:00+05:00"),
    ],
)
def test_create_session_end_not_after_start(logged_in, john, start, end):
    r = logged_in.post(SESSIONS, json=new_session(john.id, start, end))
    assert_invalid(r, errors={"scheduled_end": END_AFTER_START})
    assert listed_ids(logged_in) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"scheduled_start": "2030-12-11T11:00:00"},
        {"scheduled_start": "2030-12-11T12:00:00"},
        {"scheduled_end": "2030-12-11T10:00:00"},
        {"scheduled_end": "2030-12-11T09:00:00"},
        {"scheduled_start": "2030-12-11T12:00:00", "scheduled_end": "2030-12-11T11:30:00"},
    ],
)
@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_session_end_not_after_start(app, logged_in, john, changes, method):
    created = create(logged_in, john.id)  # 10:00-11:00
    before = stored(app, created["id"])
    r = logged_in.open(f"{SESSIONS}/{created['id']}", method=method, json=changes)
    assert_invalid(r, errors={"scheduled_end": END_AFTER_START})
    assert stored(app, created["id"]) == before


def test_create_session_actual_end_before_actual_start(logged_in, john):
    r = logged_in.post(
        SESSIONS,
        json=new_session(john.id, actual_start="2030-12-11T10:30:00", actual_end="2030-12-11T10:15:00"),
    )
    errors = assert_invalid(r, "actual_end")
    assert errors["actual_end"] == "Actual end time must be after actual start time"


@pytest.mark.parametrize(
    "setup, changes",
    [
        ({}, {"actual_start": "2030-12-11T10:30:00", "actual_end": "2030-12-11T10:30:00"}),
        ({"actual_start": "2030-12-11T10:05:00"}, {"actual_end": "2030-12-11T10:00:00"}),
        ({"actual_end": "2030-12-11T11:00:00"}, {"actual_start": "2030-12-11T11:30:00"}),
        (
            {"actual_start": "2030-12-11T10:05:00", "actual_end": "2030-12-11T11:00:00"},
            {"actual_start": "2030-12-11T11:05:00"},
        ),
    ],
)
def test_update_session_actual_end_before_actual_start(app, logged_in, john, setup, changes):
    created = create(logged_in, john.id, **setup)
    before = stored(app, created["id"])
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json=changes)
    assert_invalid(r, "actual_end")
    assert stored(app, created["id"]) == before


def test_update_session_actual_times_only_one_set_is_fine(logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={"actual_start": "2030-12-11T10:05:00"})
    assert r.status_code == 200
    assert r.get_json()["data"]["actual_start"] == "2030-12-11T10:05:00"
    assert r.get_json()["data"]["actual_end"] is None


@pytest.mark.parametrize("title", ["", " ", "   \t\n ", "x" * 201, " " + "y" * 201 + " "])
def test_create_session_title_invalid(logged_in, john, title):
    assert_invalid(logged_in.post(SESSIONS, json=new_session(john.id, title=title)), "title")


@pytest.mark.parametrize("title", ["", "  ", "z" * 201])
def test_update_session_title_invalid(app, logged_in, john, title):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={"title": title}), "title")
    assert stored(app, created["id"]) == before


@pytest.mark.parametrize(
    "title, expected",
    [("x", "x"), ("x" * 200, "x" * 200), ("  Yoga  ", "Yoga"), ("  " + "w" * 200 + "  ", "w" * 200)],
)
def test_create_session_title_accepted_and_trimmed(logged_in, john, title, expected):
    assert create(logged_in, john.id, title=title)["title"] == expected


def test_create_session_location_limit(logged_in, john):
    assert create(logged_in, john.id, location="L" * 200)["location"] == "L" * 200
    r = logged_in.post(SESSIONS, json=new_session(john.id, "2030-12-12T10:00", "2030-12-12T11:00", location="L" * 201))
    assert_invalid(r, "location")


@pytest.mark.parametrize("field", OPTIONAL_TEXT)
def test_create_session_text_field_limit(logged_in, john, field):
    assert create(logged_in, john.id, **{field: "t" * 10_000})[field] == "t" * 10_000
    r = logged_in.post(SESSIONS, json=new_session(john.id, "2030-12-12T10:00", "2030-12-12T11:00", **{field: "t" * 10_001}))
    assert_invalid(r, field)


@pytest.mark.parametrize("field", OPTIONAL_TEXT + ("location",))
def test_update_session_text_field_too_long(app, logged_in, john, field):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    limit = 200 if field == "location" else 10_000
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={field: "t" * (limit + 1)})
    assert_invalid(r, field)
    assert stored(app, created["id"]) == before


@pytest.mark.parametrize("field", ("title",) + OPTIONAL_TEXT + ("location", "google_event_id", "outlook_event_id"))
def test_create_session_text_with_nul_character_refused(logged_in, john, field):
    r = logged_in.post(SESSIONS, json=new_session(john.id, **{field: "a\u0000b"}))
    assert_invalid(r, field)
    assert listed_ids(logged_in) == []


@pytest.mark.parametrize("field", ("title",) + OPTIONAL_TEXT + ("location",))
def test_update_session_text_with_nul_character_refused(app, logged_in, john, field):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={field: "\u0000"}), field)
    assert stored(app, created["id"]) == before


@pytest.mark.parametrize(
    "field, value",
    [
        ("session_type", "yoga"),
        ("session_type", "Personal"),
        ("session_type", ""),
        ("session_type", 1),
        ("status", "done"),
        ("status", "no_show"),
        ("status", "Scheduled"),
        ("status", "noshow"),
    ],
)
def test_create_session_bad_enum(logged_in, john, field, value):
    assert_invalid(logged_in.post(SESSIONS, json=new_session(john.id, **{field: value})), field)


@pytest.mark.parametrize(
    "field, value", [("session_type", "yoga"), ("session_type", None), ("status", "finished"), ("status", None)]
)
def test_update_session_bad_enum(app, logged_in, john, field, value):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={field: value}), field)
    assert stored(app, created["id"]) == before


@pytest.mark.parametrize("status", STATUSES)
def test_update_session_every_status_accepted(logged_in, john, status):
    created = create(logged_in, john.id)
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={"status": status})
    assert r.status_code == 200
    assert r.get_json()["data"]["status"] == status
    assert get(logged_in, created["id"])["status"] == status


@pytest.mark.parametrize("kind", ["string", "true", "false", "float", "list", "object"])
def test_create_session_client_id_must_be_json_integer(logged_in, john, kind):
    value = {
        "string": str(john.id),
        "true": True,
        "false": False,
        "float": john.id + 0.5,
        "list": [john.id],
        "object": {"id": john.id},
    }[kind]
    assert_invalid(logged_in.post(SESSIONS, json=new_session(john.id) | {"client_id": value}), "client_id")
    assert listed_ids(logged_in) == []


@pytest.mark.parametrize("kind", ["string", "true", "float", "null"])
def test_update_session_client_id_must_be_json_integer(app, factory, trainer, logged_in, john, kind):
    jane = factory.client(trainer)
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    value = {"string": str(jane.id), "true": True, "float": jane.id + 0.5, "null": None}[kind]
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={"client_id": value}), "client_id")
    assert stored(app, created["id"]) == before


def test_create_session_unknown_field_refused(logged_in, john):
    r = logged_in.post(SESSIONS, json=new_session(john.id, colour="blue"))
    assert_invalid(r, errors={"colour": "Unknown field"})
    assert listed_ids(logged_in) == []


def test_update_session_unknown_field_refused(app, logged_in, john):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={"title": "New", "duration": 60})
    assert_invalid(r, errors={"duration": "Unknown field"})
    assert stored(app, created["id"]) == before


def test_create_session_every_bad_field_named_at_once(logged_in, john):
    body = {
        "client_id": "5",
        "title": " ",
        "scheduled_start": "tomorrow",
        "scheduled_end": "2030-12-11T11:00:00",
        "session_type": "yoga",
        "location": "L" * 201,
        "notes": "n" * 10_001,
        "status": "done",
        "actual_start": "10:00",
        "colour": "blue",
    }
    assert_invalid(
        logged_in.post(SESSIONS, json=body),
        "client_id", "title", "scheduled_start", "session_type", "location", "notes", "status", "actual_start", "colour",
    )


def test_update_session_every_bad_field_named_at_once(app, logged_in, john):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    body = {"title": None, "scheduled_end": "2030-13-01T10:00:00", "session_type": "yoga", "client_id": True, "x": 1}
    assert_invalid(
        logged_in.patch(f"{SESSIONS}/{created['id']}", json=body),
        "title", "scheduled_end", "session_type", "client_id", "x",
    )
    assert stored(app, created["id"]) == before


@pytest.mark.parametrize(
    "extra",
    [
        {"title": ""},
        {"scheduled_end": "2030-12-11T09:00:00"},
        {"session_type": "yoga"},
        {"actual_start": "2030-12-11T10:30:00", "actual_end": "2030-12-11T10:10:00"},
    ],
)
def test_create_session_unknown_client_named_with_other_errors(logged_in, other_client, extra):
    r = logged_in.post(SESSIONS, json=new_session(other_client.id, **extra))
    errors = assert_invalid(r, *({"client_id", *extra} - {"actual_start"}))
    assert errors["client_id"] == "Client not found"


def test_create_session_unknown_client_named_with_too_long(logged_in, other_client):
    r = logged_in.post(SESSIONS, json=new_session(other_client.id, "2030-12-11T10:00:00", "2030-12-12T10:00:01"))
    errors = assert_invalid(r, "client_id", "scheduled_end")
    assert errors["client_id"] == "Client not found"


@pytest.mark.parametrize(
    "changes, fields",
    [
        ({"scheduled_end": "2030-12-12T10:00:01"}, {"client_id", "scheduled_end"}),
        ({"scheduled_start": "2030-12-11T11:30:00"}, {"client_id", "scheduled_end"}),
    ],
)
def test_update_session_unknown_client_named_with_time_errors(app, logged_in, john, other_client, changes, fields):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={"client_id": other_client.id} | changes)
    errors = assert_invalid(r, *fields)
    assert errors["client_id"] == "Client not found"
    assert stored(app, created["id"]) == before


@pytest.mark.parametrize(
    "read_only",
    [
        {"id": 9999},
        {"trainer_id": 9999},
        {"created_at": "2000-01-01T00:00:00"},
        {"updated_at": "2000-01-01T00:00:00"},
        {"client": {"id": 1, "name": "Someone"}},
        {"trainer": {"id": 1, "username": "x"}},
        {"created_at": "not even a date", "updated_at": 5, "id": "x", "client": None, "trainer": []},
    ],
)
def test_create_session_read_only_fields_ignored(logged_in, trainer, john, read_only):
    r = logged_in.post(SESSIONS, json=new_session(john.id) | read_only)
    assert r.status_code == 201, r.get_json()
    data = r.get_json()["data"]
    assert data["id"] != 9999
    assert data["trainer_id"] == trainer.id
    assert data["created_at"] != "2000-01-01T00:00:00"
    assert data["updated_at"] == data["created_at"]
    assert data["client"]["id"] == john.id
    assert data["client"]["name"] == "John Doe"
    assert "trainer" not in data


@pytest.mark.parametrize(
    "read_only",
    [
        {"id": 9999},
        {"trainer_id": 9999},
        {"created_at": "2000-01-01T00:00:00"},
        {"updated_at": "2000-01-01T00:00:00"},
        {"client": {"id": 1}},
        {"trainer": {"id": 1}},
    ],
)
def test_update_session_read_only_fields_ignored(app, logged_in, trainer, john, other, read_only):
    created = create(logged_in, john.id)
    read_only = {key: (other.id if key == "trainer_id" else value) for key, value in read_only.items()}
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json=read_only)
    assert r.status_code == 200, r.get_json()
    data = r.get_json()["data"]
    assert {key: data[key] for key in SESSION_KEYS - {"updated_at"}} == {
        key: created[key] for key in SESSION_KEYS - {"updated_at"}
    }
    assert data["updated_at"] != "2000-01-01T00:00:00"
    row = stored(app, created["id"])
    assert row["id"] == created["id"]  # type: ignore[index]
    assert row["trainer_id"] == trainer.id  # type: ignore[index]
    assert logged_in.get(f"{SESSIONS}/9999").status_code == 404


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize(
    "query",
    [{}, {"include_client": "true"}, {"include_client": "true", "include_trainer": "true"}],
)
def test_update_session_put_back_what_was_got(app, logged_in, john, method, query):
    created = create(
        logged_in,
        john.id,
        description="d",
        session_type="group",
        location="Studio",
        notes="n",
        trainer_notes="t",
        actual_start="2030-12-11T10:05:00",
        actual_end="2030-12-11T10:55:00",
        google_event_id="g",
    )
    got = get(logged_in, created["id"], **query)
    before = stored(app, created["id"])
    r = logged_in.open(f"{SESSIONS}/{created['id']}", method=method, json=got)
    assert r.status_code == 200, r.get_json()
    data = r.get_json()["data"]
    assert {key: data[key] for key in SESSION_KEYS - {"updated_at"}} == {key: got[key] for key in SESSION_KEYS - {"updated_at"}}
    after = stored(app, created["id"])
    assert {k: v for k, v in after.items() if k != "updated_at"} == {k: v for k, v in before.items() if k != "updated_at"}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "field",
    [
        "description",
        "location",
        "notes",
        "trainer_notes",
        "exercises_performed",
        "client_feedback",
        "google_event_id",
        "outlook_event_id",
        "actual_start",
        "actual_end",
    ],
)
def test_update_session_null_clears_optional_field(app, logged_in, john, field):
    created = create(
        logged_in,
        john.id,
        description="d",
        location="l",
        notes="n",
        trainer_notes="t",
        exercises_performed="e",
        client_feedback="f",
        google_event_id="g",
        outlook_event_id="o",
        actual_start="2030-12-11T10:05:00",
        actual_end="2030-12-11T10:55:00",
    )
    assert created[field] is not None
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={field: None})
    assert r.status_code == 200, r.get_json()
    data = r.get_json()["data"]
    assert data[field] is None
    others = SESSION_KEYS - {field, "updated_at"}
    assert {key: data[key] for key in others} == {key: created[key] for key in others}
    assert get(logged_in, created["id"])[field] is None
    assert stored(app, created["id"])[field] is None  # type: ignore[index]


def test_create_session_optional_fields_accept_null(logged_in, john):
    nulls = {name: None for name in ("description", "location", "notes", "trainer_notes", "actual_start", "actual_end")}
    data = create(logged_in, john.id, **nulls)
    assert {name: data[name] for name in nulls} == nulls


@pytest.mark.parametrize("field", ["title", "scheduled_start", "scheduled_end", "client_id", "session_type", "status"])
def test_update_session_null_refused_for_required_fields(app, logged_in, john, field):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={field: None}), field)
    assert stored(app, created["id"]) == before


BAD_DATETIMES = [
    "2030-13-01T10:00:00",
    "2030-02-30T10:00:00",
    "2030-12-11T25:00:00",
    "2030-12-11T24:00:00",
    "2030-12-11T10:60:00",
    "2030-12-11T10:00:60",
    "10:00",
    "2030-12-11 10:00:00",
    "tomorrow",
    "",
    "2030-12-11T10",
    "2030-12-11T10:00:00.1234567",
    "2030-12-11T10:00:00+25:00",
    "2030-12-11T10:00:00+05:60",
    "2030-12-11T10:00:00+0530",
    "2030-12-11T10:00:00 UTC",
    "11/12/2030",
    "20301211T100000",
    "2030-W50-3",
    1924250400,
    True,
    ["2030-12-11T10:00:00"],
]


@pytest.mark.parametrize("value", BAD_DATETIMES)
@pytest.mark.parametrize("field", ["scheduled_start", "scheduled_end", "actual_start", "actual_end"])
def test_create_session_bad_datetime_names_the_field(logged_in, john, field, value):
    r = logged_in.post(SESSIONS, json=new_session(john.id) | {field: value})
    assert_invalid(r, field)
    assert listed_ids(logged_in) == []


@pytest.mark.parametrize("value", ["2030-13-01T10:00:00", "10:00", "2030-12-11 10:00:00", "tomorrow", 5])
@pytest.mark.parametrize("field", ["scheduled_start", "scheduled_end", "actual_start", "actual_end"])
def test_update_session_bad_datetime_names_the_field(app, logged_in, john, field, value):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={field: value}), field)
    assert stored(app, created["id"]) == before


@pytest.mark.parametrize(
    "start, expected",
    [
        ("2030-12-11", "2030-12-11T00:00:00"),
        ("2030-12-11T10:00", "2030-12-11T10:00:00"),
        ("2030-12-11T10:00:00", "2030-12-11T10:00:00"),
        ("2030-12-11T10:00:30", "2030-12-11T10:00:30"),
        ("2030-12-11T10:00:00.123456", "2030-12-11T10:00:00"),
        ("2030-12-11T10:00:59.999999", "2030-12-11T10:00:59"),
        ("2030-12-11T10:00:00.5", "2030-12-11T10:00:00"),
        ("2030-12-11T10:00:00Z", "2030-12-11T10:00:00"),
        ("2030-12-11T10:00Z", "2030-12-11T10:00:00"),
        ("2030-12-11T10:00:00+00:00", "2030-12-11T10:00:00"),
        ("2030-12-11T10:00:00+05:30", "2030-12-11T04:30:00"),
        ("2030-12-11T10:00-05:00", "2030-12-11T15:00:00"),
        ("2030-12-11T10:00:00.250000-02:30", "2030-12-11T12:30:00"),
        ("2030-12-12T01:00:00+05:30", "2030-12-11T19:30:00"),
    ],
)
def test_create_session_accepted_datetime_forms(app, logged_in, john, start, expected):
    data = create(logged_in, john.id, start, "2030-12-11T22:00:00")
    assert data["scheduled_start"] == expected
    assert get(logged_in, data["id"])["scheduled_start"] == expected
    assert stored(app, data["id"])["scheduled_start"] == datetime.fromisoformat(expected).replace(tzinfo=UTC)  # type: ignore[index]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2030-12-11T10:07", "2030-12-11T10:07:00"),
        ("2030-12-11T10:07:08.999", "2030-12-11T10:07:08"),
        ("2030-12-11T12:07:00+02:00", "2030-12-11T10:07:00"),
        ("2030-12-11", "2030-12-11T00:00:00"),
    ],
)
def test_update_session_accepted_datetime_forms(logged_in, john, value, expected):
    created = create(logged_in, john.id)
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={"actual_start": value})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["data"]["actual_start"] == expected


@pytest.mark.parametrize(
    "end, ok",
    [
        ("2030-12-12T10:00:00", True),
        ("2030-12-12T10:00:01", False),
        ("2030-12-12T10:01:00", False),
        ("2030-12-13T10:00:00", False),
        ("2031-12-11T10:00:00", False),
    ],
)
def test_create_session_longer_than_24_hours_refused(logged_in, john, end, ok):
    r = logged_in.post(SESSIONS, json=new_session(john.id, "2030-12-11T10:00:00", end))
    if ok:
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["data"]["scheduled_end"] == end
    else:
        assert_invalid(r, "scheduled_end")
        assert listed_ids(logged_in) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"scheduled_end": "2030-12-12T10:00:01"},
        {"scheduled_start": "2030-12-10T10:59:59"},
        {"scheduled_start": "2030-12-01T10:00:00", "scheduled_end": "2030-12-03T10:00:00"},
    ],
)
def test_update_session_longer_than_24_hours_refused(app, logged_in, john, changes):
    created = create(logged_in, john.id)  # 10:00-11:00
    before = stored(app, created["id"])
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json=changes), "scheduled_end")
    assert stored(app, created["id"]) == before


def test_update_session_to_exactly_24_hours_allowed(logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={"scheduled_end": "2030-12-12T10:00:00"})
    assert r.status_code == 200
    assert r.get_json()["data"]["scheduled_end"] == "2030-12-12T10:00:00"


# --- query parameters ----------------------------------------------------------------


@pytest.mark.parametrize("param", ["page", "per_page"])
@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "", "1e2", "true"])
def test_list_sessions_bad_page_params(logged_in, param, value):
    assert_invalid(logged_in.get(SESSIONS, query_string={param: value}), param)


@pytest.mark.parametrize(
    "param, value",
    [
        ("status", "done"),
        ("status", "Scheduled"),
        ("status", "no_show"),
        ("status", ""),
        ("session_type", "yoga"),
        ("session_type", "PERSONAL"),
        ("sort_by", "id"),
        ("sort_by", "client_id"),
        ("sort_by", "title;drop table"),
        ("sort_by", ""),
        ("sort_order", "up"),
        ("sort_order", "ASC"),
        ("sort_order", ""),
        ("client_id", "abc"),
        ("client_id", "1.5"),
        ("client_id", ""),
        ("start_date", "tomorrow"),
        ("start_date", "2030-13-01"),
        ("start_date", "2030-12-11 10:00:00"),
        ("start_date", "10:00"),
        ("end_date", "yesterday"),
        ("end_date", "2030-02-30"),
        ("end_date", "2030-12-11T25:00"),
        ("include_client", "maybe"),
        ("include_trainer", "maybe"),
    ],
)
def test_list_sessions_bad_query_param_named(logged_in, param, value):
    assert_invalid(logged_in.get(SESSIONS, query_string={param: value}), param)


def test_list_sessions_every_bad_param_named_at_once(logged_in):
    query = {
        "page": "0",
        "per_page": "x",
        "status": "done",
        "session_type": "yoga",
        "sort_by": "id",
        "sort_order": "up",
        "client_id": "abc",
        "start_date": "tomorrow",
        "end_date": "never",
        "include_client": "maybe",
        "include_trainer": "perhaps",
    }
    assert_invalid(logged_in.get(SESSIONS, query_string=query), *query)


def test_list_sessions_unknown_query_param_ignored(logged_in, john):
    created = create(logged_in, john.id)
    assert listed_ids(logged_in, colour="blue", search="x") == [created["id"]]


def test_list_sessions_per_page_above_100_served_as_100(app, logged_in, trainer, john):
    ids = bulk_sessions(app, trainer, john, 101)
    data = listed(logged_in, per_page="500", sort_order="asc")
    assert len(data["sessions"]) == 100
    assert [item["id"] for item in data["sessions"]] == ids[:100]
    assert data["pagination"] == {
        "page": 1,
        "per_page": 100,
        "total_pages": 2,
        "total_items": 101,
        "has_next": True,
        "has_prev": False,
    }
    second = listed(logged_in, per_page="500", page="2", sort_order="asc")
    assert [item["id"] for item in second["sessions"]] == ids[100:]
    assert second["pagination"]["per_page"] == 100
    assert second["pagination"]["has_next"] is False
    assert listed(logged_in, per_page="100")["pagination"]["per_page"] == 100
    assert listed(logged_in, per_page="101")["pagination"]["per_page"] == 100


@pytest.mark.parametrize("page", BEYOND)
def test_list_sessions_page_beyond_integer_range_is_empty(logged_in, john, page):
    create(logged_in, john.id)
    assert listed(logged_in, page=str(page), per_page="100") == {
        "sessions": [],
        "pagination": {
            "page": page,
            "per_page": 100,
            "total_pages": 1,
            "total_items": 1,
            "has_next": False,
            "has_prev": True,
        },
    }


@pytest.mark.parametrize("value", ["true", "TRUE", "True", "tRuE", "1", "yes", "Yes", "YES"])
def test_include_booleans_true_forms(logged_in, john, value):
    created = create(logged_in, john.id)
    single = get(logged_in, created["id"], include_client=value, include_trainer=value)
    assert set(single) == SESSION_KEYS | {"client", "trainer"}
    [item] = listed(logged_in, include_client=value, include_trainer=value)["sessions"]
    assert set(item) == SESSION_KEYS | {"client", "trainer"}


@pytest.mark.parametrize("value", ["false", "FALSE", "False", "0", "no", "No", "NO"])
def test_include_booleans_false_forms(logged_in, john, value):
    created = create(logged_in, john.id)
    assert set(get(logged_in, created["id"], include_client=value, include_trainer=value)) == SESSION_KEYS
    [item] = listed(logged_in, include_client=value, include_trainer=value)["sessions"]
    assert set(item) == SESSION_KEYS


@pytest.mark.parametrize("param", ["include_client", "include_trainer"])
@pytest.mark.parametrize("value", ["maybe", "2", "", "on", "off", "y", "n", "t", "truee", "-1"])
def test_include_booleans_other_values_refused(logged_in, john, param, value):
    created = create(logged_in, john.id)
    assert_invalid(logged_in.get(f"{SESSIONS}/{created['id']}", query_string={param: value}), param)
    assert_invalid(logged_in.get(SESSIONS, query_string={param: value}), param)
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", query_string={param: value}, json={"title": "Changed"})
    assert_invalid(r, param)
    assert get(logged_in, created["id"])["title"] == created["title"]


@pytest.mark.parametrize("value", ["true", "TRUE", "True", "1", "yes", "Yes", "YES"])
def test_delete_permanent_true_forms(app, logged_in, john, value):
    created = create(logged_in, john.id)
    r = logged_in.delete(f"{SESSIONS}/{created['id']}", query_string={"permanent": value})
    assert r.status_code == 200
    assert r.get_json() == {"success": True, "message": "Session permanently deleted"}
    assert stored(app, created["id"]) is None


@pytest.mark.parametrize("value", ["false", "FALSE", "False", "0", "no", "No", "NO"])
def test_delete_permanent_false_forms(app, logged_in, john, value):
    created = create(logged_in, john.id)
    r = logged_in.delete(f"{SESSIONS}/{created['id']}", query_string={"permanent": value})
    assert r.status_code == 200
    assert r.get_json()["message"] == "Session cancelled successfully"
    assert stored(app, created["id"])["status"] == "cancelled"  # type: ignore[index]


@pytest.mark.parametrize("value", ["maybe", "", "2", "on", "permanent"])
def test_delete_permanent_other_values_refused(app, logged_in, john, value):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.delete(f"{SESSIONS}/{created['id']}", query_string={"permanent": value}), "permanent")
    assert stored(app, created["id"]) == before


# === 3. Lists ========================================================================


@pytest.mark.parametrize(
    "count, per_page, page, on_page, total_pages, has_next, has_prev",
    [
        (0, 20, 1, 0, 0, False, False),
        (1, 20, 1, 1, 1, False, False),
        (5, 2, 1, 2, 3, True, False),
        (5, 2, 2, 2, 3, True, True),
        (5, 2, 3, 1, 3, False, True),
        (5, 2, 4, 0, 3, False, True),
        (5, 2, 50, 0, 3, False, True),
        (4, 2, 2, 2, 2, False, True),
        (5, 5, 1, 5, 1, False, False),
        (5, 1, 5, 1, 5, False, True),
        (5, 4, 2, 1, 2, False, True),
        (25, 20, 1, 20, 2, True, False),
        (25, 20, 2, 5, 2, False, True),
    ],
)
def test_list_sessions_pagination_math(app, logged_in, trainer, john, count, per_page, page, on_page, total_pages, has_next, has_prev):
    ids = bulk_sessions(app, trainer, john, count)
    data = listed(logged_in, per_page=str(per_page), page=str(page), sort_order="asc")
    assert data["pagination"] == {
        "page": page,
        "per_page": per_page,
        "total_pages": total_pages,
        "total_items": count,
        "has_next": has_next,
        "has_prev": has_prev,
    }
    assert total_pages == math.ceil(count / per_page)
    expected = ids[(page - 1) * per_page : page * per_page]
    assert [item["id"] for item in data["sessions"]] == expected
    assert len(expected) == on_page


def test_list_sessions_default_page_and_per_page(app, logged_in, trainer, john):
    bulk_sessions(app, trainer, john, 25)
    data = listed(logged_in)
    assert len(data["sessions"]) == 20
    assert data["pagination"] == {
        "page": 1,
        "per_page": 20,
        "total_pages": 2,
        "total_items": 25,
        "has_next": True,
        "has_prev": False,
    }


def test_list_sessions_default_order_is_scheduled_start_desc(logged_in, john):
    middle = create(logged_in, john.id, "2030-12-12T10:00", "2030-12-12T11:00")
    last = create(logged_in, john.id, "2030-12-13T10:00", "2030-12-13T11:00")
    first = create(logged_in, john.id, "2030-12-11T10:00", "2030-12-11T11:00")
    assert listed_ids(logged_in) == [last["id"], middle["id"], first["id"]]


def _walk(web: FlaskClient, **query: Any) -> list[int]:
    seen: list[int] = []
    page = 1
    while True:
        data = listed(web, page=str(page), per_page="2", **query)
        seen += [item["id"] for item in data["sessions"]]
        if not data["pagination"]["has_next"]:
            assert page == data["pagination"]["total_pages"]
            return seen
        page += 1


@pytest.mark.parametrize("sort_order", ["asc", "desc"])
@pytest.mark.parametrize("sort_by", SORT_FIELDS)
def test_list_sessions_ties_broken_by_id_in_same_direction(app, logged_in, trainer, john, sort_by, sort_order):
    # Equal titles, statuses, creation and update times; starts and ends equal too for
    # cancelled sessions, which may share a slot.
    ids = bulk_sessions(app, trainer, john, 7, title="Same")
    if sort_by in ("scheduled_start", "scheduled_end"):
        ids = bulk_sessions(app, trainer, john, 7, title="Same", status="cancelled")
        for session_id in ids:
            set_columns(app, session_id, scheduled_start=utc(2031, 1, 1, 9), scheduled_end=utc(2031, 1, 1, 10))
        query = {"status": "cancelled"}
    else:
        query = {}
    walked = _walk(logged_in, sort_by=sort_by, sort_order=sort_order, **query)
    assert walked == (sorted(ids) if sort_order == "asc" else sorted(ids, reverse=True))


@pytest.mark.parametrize("sort_order", ["asc", "desc"])
def test_list_sessions_walk_pages_no_duplicates_or_misses(app, logged_in, trainer, john, sort_order):
    ids = bulk_sessions(app, trainer, john, 5, title="Same")
    more = bulk_sessions(app, trainer, john, 4, title="Same", status="cancelled")
    walked = _walk(logged_in, sort_by="title", sort_order=sort_order)
    assert len(walked) == len(set(walked)) == 9
    assert set(walked) == set(ids + more)


T0 = utc(2030, 6, 1, 8)
# Four sessions whose order differs for every sort field (ids r1..r4 in creation order).
SORT_ROWS = [
    # title, status, start, minutes, created offset, updated offset
    ("Delta", "scheduled", utc(2030, 12, 11, 9), 60, 3, 0),
    ("Alpha", "cancelled", utc(2030, 12, 11, 8), 240, 1, 3),
    ("Charlie", "completed", utc(2030, 12, 12, 9), 30, 0, 1),
    ("Bravo", "no-show", utc(2030, 12, 10, 9), 60, 2, 2),
]
ASC_ORDER = {
    "scheduled_start": [4, 2, 1, 3],
    "scheduled_end": [4, 1, 2, 3],
    "status": [2, 3, 4, 1],
    "title": [2, 4, 3, 1],
    "created_at": [3, 2, 4, 1],
    "updated_at": [1, 3, 4, 2],
}


@pytest.fixture()
def sort_rows(app, factory, trainer, john) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    for title, status, start, minutes, created, updated in SORT_ROWS:
        row = factory.session(trainer, john, start, minutes, title=title, status=status)
        set_columns(app, row.id, created_at=T0 + timedelta(hours=created), updated_at=T0 + timedelta(hours=updated))
        ids.append(row.id)
    return ids


@pytest.mark.parametrize("sort_order", ["asc", "desc"])
@pytest.mark.parametrize("sort_by", SORT_FIELDS)
def test_list_sessions_sort_by_every_field(logged_in, sort_rows, sort_by, sort_order):
    expected = [sort_rows[n - 1] for n in ASC_ORDER[sort_by]]
    if sort_order == "desc":
        expected.reverse()
    assert listed_ids(logged_in, sort_by=sort_by, sort_order=sort_order) == expected


@pytest.mark.parametrize("sort_by", SORT_FIELDS)
def test_list_sessions_sort_order_defaults_to_desc(logged_in, sort_rows, sort_by):
    expected = [sort_rows[n - 1] for n in reversed(ASC_ORDER[sort_by])]
    assert listed_ids(logged_in, sort_by=sort_by) == expected


def test_list_sessions_sort_by_defaults_to_scheduled_start(logged_in, sort_rows):
    assert listed_ids(logged_in, sort_order="asc") == [sort_rows[n - 1] for n in ASC_ORDER["scheduled_start"]]
    assert listed_ids(logged_in) == [sort_rows[n - 1] for n in reversed(ASC_ORDER["scheduled_start"])]


def test_list_sessions_sorted_output_times(logged_in, sort_rows):
    items = listed(logged_in, sort_by="created_at", sort_order="asc")["sessions"]
    assert [item["created_at"] for item in items] == [
        "2030-06-01T08:00:00",
        "2030-06-01T09:00:00",
        "2030-06-01T10:00:00",
        "2030-06-01T11:00:00",
    ]


def test_list_sessions_filter_client_id(logged_in, factory, trainer, john, other_session, other_client):
    jane = factory.client(trainer, name="Jane")
    a = create(logged_in, john.id, "2030-12-11T10:00", "2030-12-11T11:00")
    b = create(logged_in, jane.id, "2030-12-12T10:00", "2030-12-12T11:00")
    c = create(logged_in, john.id, "2030-12-13T10:00", "2030-12-13T11:00")
    assert listed_ids(logged_in, client_id=str(john.id)) == [c["id"], a["id"]]
    assert listed_ids(logged_in, client_id=str(jane.id)) == [b["id"]]
    assert listed(logged_in, client_id=str(john.id))["pagination"]["total_items"] == 2


@pytest.mark.parametrize("which", ["other_trainers_client", "missing"])
def test_list_sessions_filter_client_id_not_mine_is_empty(logged_in, john, other_session, other_client, which):
    create(logged_in, john.id)
    value = {"other_trainers_client": other_client.id, "missing": 99_999}[which]
    data = listed(logged_in, client_id=str(value))
    assert data == {
        "sessions": [],
        "pagination": {"page": 1, "per_page": 20, "total_pages": 0, "total_items": 0, "has_next": False, "has_prev": False},
    }


@pytest.mark.parametrize("value", [0, -3, *BEYOND])
@pytest.mark.parametrize("param", ["client_id", "trainer_id"])
def test_list_sessions_id_filter_outside_id_range_is_400_naming_it(logged_in, admin_web, john, param, value):
    create(logged_in, john.id)
    for web in (logged_in, admin_web):
        assert_invalid(web.get(SESSIONS, query_string={param: str(value)}), param)


@pytest.mark.parametrize("status", STATUSES)
def test_list_sessions_filter_status(factory, logged_in, trainer, john, status):
    ids = {}
    for day, each in enumerate(STATUSES, start=10):
        ids[each] = factory.session(trainer, john, utc(2030, 12, day, 10), status=each).id
    assert listed_ids(logged_in, status=status) == [ids[status]]


@pytest.mark.parametrize("session_type", SESSION_TYPES)
def test_list_sessions_filter_session_type(factory, logged_in, trainer, john, session_type):
    ids = {}
    for day, each in enumerate(SESSION_TYPES, start=10):
        ids[each] = factory.session(trainer, john, utc(2030, 12, day, 10), session_type=each).id
    assert listed_ids(logged_in, session_type=session_type) == [ids[session_type]]


def test_list_sessions_filters_combine(factory, logged_in, trainer, john):
    jane = factory.client(trainer)
    keep = factory.session(trainer, john, utc(2030, 12, 11, 10), status="completed", session_type="group").id
    factory.session(trainer, john, utc(2030, 12, 11, 12), status="completed", session_type="personal")
    factory.session(trainer, john, utc(2030, 12, 11, 14), status="scheduled", session_type="group")
    factory.session(trainer, jane, utc(2030, 12, 11, 16), status="completed", session_type="group")
    factory.session(trainer, john, utc(2030, 12, 12, 10), status="completed", session_type="group")
    query = {
        "client_id": str(john.id),
        "status": "completed",
        "session_type": "group",
        "start_date": "2030-12-11",
        "end_date": "2030-12-11",
    }
    assert listed_ids(logged_in, **query) == [keep]


@pytest.fixture()
def dated(factory, trainer, john) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Sessions around 2030-12-11 (UTC trainer), 30 minutes each."""
    starts = {
        "dec10_2300": utc(2030, 12, 10, 23),
        "dec11_0000": utc(2030, 12, 11, 0),
        "dec11_1200": utc(2030, 12, 11, 12),
        "dec11_2330": utc(2030, 12, 11, 23, 30),
        "dec12_0000": utc(2030, 12, 12, 0),
    }
    return {name: factory.session(trainer, john, start, 30, title=name).id for name, start in starts.items()}


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"start_date": "2030-12-11"}, ["dec11_0000", "dec11_1200", "dec11_2330", "dec12_0000"]),
        ({"end_date": "2030-12-11"}, ["dec10_2300", "dec11_0000", "dec11_1200", "dec11_2330"]),
        ({"start_date": "2030-12-11", "end_date": "2030-12-11"}, ["dec11_0000", "dec11_1200", "dec11_2330"]),
        ({"start_date": "2030-12-12", "end_date": "2030-12-12"}, ["dec12_0000"]),
        ({"start_date": "2030-12-13"}, []),
        ({"end_date": "2030-12-09"}, []),
        ({"start_date": "2030-12-11T12:00:00", "end_date": "2030-12-11T23:30:00"}, ["dec11_1200", "dec11_2330"]),
        ({"start_date": "2030-12-11T12:00:01", "end_date": "2030-12-11T23:29:59"}, []),
        ({"start_date": "2030-12-11T11:59:59", "end_date": "2030-12-11T12:00:00"}, ["dec11_1200"]),
        ({"start_date": "2030-12-11T12:00", "end_date": "2030-12-11T12:00"}, ["dec11_1200"]),
        ({"end_date": "2030-12-11T00:00:00"}, ["dec10_2300", "dec11_0000"]),
        ({"end_date": "2030-12-11T00:00:00.999999"}, ["dec10_2300", "dec11_0000"]),
        # Selected by scheduled_start: the 23:00 session is still running at 23:15.
        ({"start_date": "2030-12-10T23:15:00", "end_date": "2030-12-11T00:10:00"}, ["dec11_0000"]),
        ({"start_date": "2030-12-11T17:30:00+05:30", "end_date": "2030-12-11T12:00:00Z"}, ["dec11_1200"]),
        ({"start_date": "2030-12-11T07:00:00-05:00"}, ["dec11_1200", "dec11_2330", "dec12_0000"]),
        ({"start_date": "2030-12-12", "end_date": "2030-12-11"}, []),
    ],
)
def test_list_sessions_date_filters(logged_in, dated, query, expected):
    ids = listed_ids(logged_in, sort_order="asc", **query)
    assert ids == [dated[name] for name in expected]


def test_list_sessions_date_filters_in_trainers_zone(app, factory):
    kolkata = factory.trainer(timezone="Asia/Kolkata")
    pupil = factory.client(kolkata)
    web = factory.login_as(kolkata)
    # Local 2030-12-11 00:30 is 2030-12-10 19:00 UTC; local 2030-12-12 00:10 is 2030-12-11 18:40 UTC.
    early = factory.session(kolkata, pupil, utc(2030, 12, 10, 19), 30).id
    late = factory.session(kolkata, pupil, utc(2030, 12, 11, 18, 40), 10).id
    before = factory.session(kolkata, pupil, utc(2030, 12, 10, 18, 0), 20).id  # local 2030-12-10 23:30
    assert listed_ids(web, start_date="2030-12-11", end_date="2030-12-11") == [early]
    assert listed_ids(web, start_date="2030-12-12", end_date="2030-12-12") == [late]
    assert listed_ids(web, end_date="2030-12-10") == [before]
    assert listed_ids(web, start_date="2030-12-11T00:30:00", end_date="2030-12-11T00:30:00") == [early]


# === 4. Ownership ====================================================================


@pytest.mark.parametrize(
    "method, query, action",
    [
        ("GET", "", "view"),
        ("GET", "?include_client=true&include_trainer=true", "view"),
        ("PUT", "", "update"),
        ("PATCH", "", "update"),
        ("DELETE", "", "delete"),
        ("DELETE", "?permanent=true", "delete"),
    ],
)
def test_other_trainers_session_is_forbidden(app, logged_in, other_session, method, query, action):
    before = stored(app, other_session.id)
    body = {"title": "Mine now"} if method in ("PUT", "PATCH") else None
    r = logged_in.open(f"{SESSIONS}/{other_session.id}{query}", method=method, json=body)
    assert r.status_code == 403
    assert r.get_json() == forbidden(action)
    assert stored(app, other_session.id) == before


@pytest.mark.parametrize("changes", [{"status": "cancelled"}, {"scheduled_start": "2030-12-11T10:30:00"}, {}])
def test_update_other_trainers_session_forbidden_before_validation_of_times(app, logged_in, other_session, changes):
    before = stored(app, other_session.id)
    r = logged_in.patch(f"{SESSIONS}/{other_session.id}", json=changes)
    assert r.status_code == 403
    assert r.get_json() == forbidden("update")
    assert stored(app, other_session.id) == before


@pytest.mark.parametrize(
    "method, query",
    [("GET", ""), ("PUT", ""), ("PATCH", ""), ("DELETE", ""), ("DELETE", "?permanent=true")],
)
@pytest.mark.parametrize("session_id", [0, 1, 424242])
def test_missing_session_is_404(logged_in, method, query, session_id):
    body = {"title": "x"} if method in ("PUT", "PATCH") else None
    r = logged_in.open(f"{SESSIONS}/{session_id}{query}", method=method, json=body)
    assert r.status_code == 404
    assert r.get_json() == NOT_FOUND


@pytest.mark.parametrize("session_id", BEYOND)
@pytest.mark.parametrize("method, query", [("GET", ""), ("PUT", ""), ("PATCH", ""), ("DELETE", ""), ("DELETE", "?permanent=true")])
def test_session_id_beyond_integer_range_is_404(logged_in, method, query, session_id):
    body = {"title": "x"} if method in ("PUT", "PATCH") else None
    r = logged_in.open(f"{SESSIONS}/{session_id}{query}", method=method, json=body)
    assert r.status_code == 404
    assert r.get_json() == NOT_FOUND


def test_list_sessions_shows_only_own(logged_in, john, other_session):
    mine = create(logged_in, john.id, "2030-12-12T10:00", "2030-12-12T11:00")
    data = listed(logged_in)
    assert [item["id"] for item in data["sessions"]] == [mine["id"]]
    assert data["pagination"]["total_items"] == 1


def test_list_sessions_trainer_id_filter_ignored_for_non_admin(logged_in, john, other, other_session):
    mine = create(logged_in, john.id)
    assert listed_ids(logged_in, trainer_id=str(other.id)) == [mine["id"]]


@pytest.mark.parametrize("which", ["other_trainers_client", "missing"])
def test_create_session_client_not_mine_is_400(logged_in, other_client, which):
    value = {"other_trainers_client": other_client.id, "missing": 99_999}[which]
    r = logged_in.post(SESSIONS, json=new_session(value))
    assert_invalid(r, errors=CLIENT_NOT_FOUND)
    assert listed_ids(logged_in) == []


@pytest.mark.parametrize("value", [0, -1, *BEYOND])
def test_create_session_client_id_outside_id_range_is_400_naming_it(logged_in, value):
    assert_invalid(logged_in.post(SESSIONS, json=new_session(value)), "client_id")
    assert listed_ids(logged_in) == []


@pytest.mark.parametrize("which", ["other_trainers_client", "missing"])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_session_client_not_mine_is_400(app, logged_in, john, other_client, which, method):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    value = {"other_trainers_client": other_client.id, "missing": 99_999}[which]
    r = logged_in.open(f"{SESSIONS}/{created['id']}", method=method, json={"client_id": value, "title": "Moved"})
    assert_invalid(r, errors=CLIENT_NOT_FOUND)
    assert stored(app, created["id"]) == before


@pytest.mark.parametrize("value", [0, -1, *BEYOND])
def test_update_session_client_id_outside_id_range_is_400_naming_it(app, logged_in, john, value):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={"client_id": value}), "client_id")
    assert stored(app, created["id"]) == before


def test_update_session_to_another_own_client(logged_in, factory, trainer, john):
    jane = factory.client(trainer, name="Jane Roe")
    created = create(logged_in, john.id)
    r = logged_in.patch(f"{SESSIONS}/{created['id']}?include_client=1", json={"client_id": jane.id})
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert data["client_id"] == jane.id
    assert data["client"]["id"] == jane.id
    assert data["client"]["name"] == "Jane Roe"


def test_update_session_same_client_id_is_fine(logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={"client_id": john.id})
    assert r.status_code == 200
    assert r.get_json()["data"]["client_id"] == john.id


def test_create_session_with_inactive_own_client_allowed(logged_in, factory, trainer):
    retired = factory.client(trainer, status="inactive")
    assert create(logged_in, retired.id)["client_id"] == retired.id


def test_non_admin_trainer_id_in_body_is_ignored(logged_in, trainer, john, other, other_client):
    data = create(logged_in, john.id, trainer_id=other.id)
    assert data["trainer_id"] == trainer.id
    r = logged_in.post(SESSIONS, json=new_session(other_client.id, "2030-12-12T10:00", "2030-12-12T11:00", trainer_id=other.id))
    assert_invalid(r, errors=CLIENT_NOT_FOUND)


def test_admin_sees_every_trainers_sessions(admin_web, logged_in, john, other, other_session):
    mine = create(logged_in, john.id, "2030-12-12T10:00", "2030-12-12T11:00")
    data = listed(admin_web, include_trainer="true")
    assert [item["id"] for item in data["sessions"]] == [mine["id"], other_session.id]
    assert data["pagination"]["total_items"] == 2
    assert {item["trainer"]["id"] for item in data["sessions"]} == {mine["trainer_id"], other.id}


def test_admin_filters_list_by_trainer_id(admin_web, logged_in, trainer, john, other, other_session):
    mine = create(logged_in, john.id, "2030-12-12T10:00", "2030-12-12T11:00")
    assert listed_ids(admin_web, trainer_id=str(trainer.id)) == [mine["id"]]
    assert listed_ids(admin_web, trainer_id=str(other.id)) == [other_session.id]
    assert listed_ids(admin_web, trainer_id="999999") == []


def test_admin_can_view_update_and_delete_any_session(app, admin_web, other_session):
    assert get(admin_web, other_session.id)["title"] == "Their Session"
    r = admin_web.patch(f"{SESSIONS}/{other_session.id}", json={"notes": "Checked by admin"})
    assert r.status_code == 200
    assert r.get_json()["data"]["notes"] == "Checked by admin"
    r = admin_web.delete(f"{SESSIONS}/{other_session.id}")
    assert r.status_code == 200
    assert r.get_json()["data"]["status"] == "cancelled"
    r = admin_web.delete(f"{SESSIONS}/{other_session.id}?permanent=true")
    assert r.status_code == 200
    assert stored(app, other_session.id) is None


def test_admin_creates_session_for_trainer(admin_web, logged_in, trainer, john):
    r = admin_web.post(SESSIONS, json=new_session(john.id, trainer_id=trainer.id, title="Booked by admin"))
    assert r.status_code == 201, r.get_json()
    data = r.get_json()["data"]
    assert data["trainer_id"] == trainer.id
    assert data["client_id"] == john.id
    assert data["client"]["name"] == "John Doe"
    assert listed_ids(logged_in) == [data["id"]]
    assert get(logged_in, data["id"])["title"] == "Booked by admin"


def test_admin_create_without_trainer_id_is_for_admin_own_calendar(factory, admin_web, admin, john):
    assert_invalid(admin_web.post(SESSIONS, json=new_session(john.id)), errors=CLIENT_NOT_FOUND)
    own = factory.client(admin)
    data = create(admin_web, own.id)
    assert data["trainer_id"] == admin.id


def test_admin_create_client_must_belong_to_named_trainer(admin_web, trainer, other_client):
    r = admin_web.post(SESSIONS, json=new_session(other_client.id, trainer_id=trainer.id))
    assert_invalid(r, errors=CLIENT_NOT_FOUND)


def test_admin_create_for_missing_trainer(admin_web, john):
    r = admin_web.post(SESSIONS, json=new_session(john.id, trainer_id=987654))
    errors = assert_invalid(r, "trainer_id")
    assert errors["trainer_id"] == "Trainer not found"


@pytest.mark.parametrize("value", [0, *BEYOND])
def test_admin_create_for_trainer_id_outside_id_range_is_400_naming_it(admin_web, logged_in, john, value):
    assert_invalid(admin_web.post(SESSIONS, json=new_session(john.id, trainer_id=value)), "trainer_id")
    assert listed_ids(logged_in) == []


def test_admin_create_for_trainer_checks_that_trainers_calendar(admin_web, factory, trainer, john):
    factory.session(trainer, john, utc(2030, 12, 11, 10), title="Taken")
    r = admin_web.post(SESSIONS, json=new_session(john.id, "2030-12-11T10:30", "2030-12-11T11:30", trainer_id=trainer.id))
    assert r.status_code == 409
    assert r.get_json() == conflict("Taken", "2030-12-11T10:00:00")


# === 5. Conflicts ====================================================================


@pytest.fixture()
def existing(factory, trainer, john) -> TrainingSession:  # type: ignore[no-untyped-def]
    """Mike's session 2030-12-11 10:00-11:00 UTC."""
    return factory.session(trainer, john, utc(2030, 12, 11, 10), title="Existing")


EXISTING_CONFLICT = conflict("Existing", "2030-12-11T10:00:00")


@pytest.mark.parametrize(
    "start, end",
    [
        pytest.param("2030-12-11T09:30:00", "2030-12-11T10:30:00", id="overlap-at-start"),
        pytest.param("2030-12-11T10:30:00", "2030-12-11T11:30:00", id="overlap-at-end"),
        pytest.param("2030-12-11T09:00:00", "2030-12-11T12:00:00", id="containing"),
        pytest.param("2030-12-11T10:15:00", "2030-12-11T10:45:00", id="contained"),
        pytest.param("2030-12-11T10:00:00", "2030-12-11T11:00:00", id="identical"),
        pytest.param("2030-12-11T10:00:00", "2030-12-11T10:01:00", id="same-start"),
        pytest.param("2030-12-11T10:59:00", "2030-12-11T12:00:00", id="last-minute"),
        pytest.param("2030-12-11T09:00:00", "2030-12-11T10:00:01", id="one-second-in"),
        pytest.param("2030-12-10T11:00:00", "2030-12-11T10:30:00", id="day-long-from-before"),
        pytest.param("2030-12-11T05:30:00-05:00", "2030-12-11T06:30:00-05:00", id="with-offset"),
    ],
)
def test_create_session_conflict(app, logged_in, john, existing, start, end):
    r = logged_in.post(SESSIONS, json=new_session(john.id, start, end, title="New"))
    assert r.status_code == 409
    assert r.get_json() == EXISTING_CONFLICT
    assert listed_ids(logged_in) == [existing.id]


@pytest.mark.parametrize(
    "start, end",
    [
        pytest.param("2030-12-11T09:00:00", "2030-12-11T10:00:00", id="ends-when-other-starts"),
        pytest.param("2030-12-11T11:00:00", "2030-12-11T12:00:00", id="starts-when-other-ends"),
        pytest.param("2030-12-11T06:00:00-05:00", "2030-12-11T07:00:00-05:00", id="starts-when-other-ends-offset"),
        pytest.param("2030-12-10T10:00:00", "2030-12-11T10:00:00", id="day-long-before"),
        pytest.param("2030-12-11T11:00:00", "2030-12-12T11:00:00", id="day-long-after"),
    ],
)
def test_create_session_conflict_back_to_back_allowed(logged_in, john, existing, start, end):
    r = logged_in.post(SESSIONS, json=new_session(john.id, start, end))
    assert r.status_code == 201, r.get_json()


def test_create_session_conflict_back_to_back_on_both_sides(logged_in, john, existing):
    create(logged_in, john.id, "2030-12-11T09:00:00", "2030-12-11T10:00:00")
    create(logged_in, john.id, "2030-12-11T11:00:00", "2030-12-11T12:00:00")
    assert len(listed_ids(logged_in)) == 3


def test_create_session_conflict_names_the_earliest(factory, logged_in, trainer, john):
    # Created later (higher id) but earlier in time: it must be the one named.
    factory.session(trainer, john, utc(2030, 12, 11, 12), title="Later")
    factory.session(trainer, john, utc(2030, 12, 11, 11), title="Middle")
    factory.session(trainer, john, utc(2030, 12, 11, 10), 30, title="Earliest")
    r = logged_in.post(SESSIONS, json=new_session(john.id, "2030-12-11T09:00", "2030-12-11T12:30"))
    assert r.status_code == 409
    assert r.get_json() == conflict("Earliest", "2030-12-11T10:00:00")
    r = logged_in.post(SESSIONS, json=new_session(john.id, "2030-12-11T10:45", "2030-12-11T12:30"))
    assert r.status_code == 409
    assert r.get_json() == conflict("Middle", "2030-12-11T11:00:00")


def test_create_session_conflict_names_one_that_began_the_day_before(factory, logged_in, trainer, john):
    factory.session(trainer, john, utc(2030, 12, 10, 20), 20 * 60, title="Overnight")  # until 16:00 on the 11th
    factory.session(trainer, john, utc(2030, 12, 11, 17), title="Evening")
    r = logged_in.post(SESSIONS, json=new_session(john.id, "2030-12-11T15:00", "2030-12-11T18:00"))
    assert r.status_code == 409
    assert r.get_json() == conflict("Overnight", "2030-12-10T20:00:00")


def test_create_session_over_cancelled_session_allowed(logged_in, john, existing):
    assert logged_in.delete(f"{SESSIONS}/{existing.id}").status_code == 200
    data = create(logged_in, john.id, "2030-12-11T10:00:00", "2030-12-11T11:00:00", title="Replacement")
    assert data["status"] == "scheduled"
    assert sorted(listed_ids(logged_in)) == sorted([existing.id, data["id"]])


def test_create_session_conflict_skips_cancelled_to_name_occupying(factory, logged_in, trainer, john):
    factory.session(trainer, john, utc(2030, 12, 11, 9), 120, title="Called off", status="cancelled")
    factory.session(trainer, john, utc(2030, 12, 11, 10, 30), title="Still on")
    r = logged_in.post(SESSIONS, json=new_session(john.id, "2030-12-11T09:00", "2030-12-11T11:00"))
    assert r.status_code == 409
    assert r.get_json() == conflict("Still on", "2030-12-11T10:30:00")


@pytest.mark.parametrize("status", ["completed", "no-show", "scheduled"])
def test_create_session_conflict_with_occupying_status(logged_in, john, existing, status):
    assert logged_in.patch(f"{SESSIONS}/{existing.id}", json={"status": status}).status_code == 200
    r = logged_in.post(SESSIONS, json=new_session(john.id, "2030-12-11T10:30", "2030-12-11T11:30"))
    assert r.status_code == 409
    assert r.get_json() == EXISTING_CONFLICT


def test_create_session_conflict_not_across_trainers(factory, logged_in, john, other, other_client, other_session):
    data = create(logged_in, john.id, "2030-12-11T10:00:00", "2030-12-11T11:00:00")
    assert data["status"] == "scheduled"
    other_web = factory.login_as(other)
    r = other_web.post(SESSIONS, json=new_session(other_client.id, "2030-12-11T10:30", "2030-12-11T11:30"))
    assert r.status_code == 409
    assert r.get_json() == conflict("Their Session", "2030-12-11T10:00:00")


def test_create_session_conflict_same_client_other_trainer_sessions_irrelevant(factory, logged_in, trainer, john, other, other_client):
    factory.session(other, other_client, utc(2030, 12, 11, 10))
    factory.session(other, other_client, utc(2030, 12, 11, 11))
    assert create(logged_in, john.id, "2030-12-11T09:30", "2030-12-11T12:00")["trainer_id"] == trainer.id


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
@pytest.mark.parametrize(
    "changes",
    [
        {"scheduled_start": "2030-12-11T10:30:00", "scheduled_end": "2030-12-11T11:30:00"},
        {"scheduled_start": "2030-12-11T09:00:00", "scheduled_end": "2030-12-11T13:00:00"},
        {"scheduled_start": "2030-12-11T10:59:00"},
    ],
)
def test_update_session_reschedule_into_occupied_slot(app, logged_in, john, existing, method, changes):
    moving = create(logged_in, john.id, "2030-12-11T12:00:00", "2030-12-11T13:00:00", title="Moving")
    before = stored(app, moving["id"])
    r = logged_in.open(f"{SESSIONS}/{moving['id']}", method=method, json=changes)
    assert r.status_code == 409
    assert r.get_json() == EXISTING_CONFLICT
    assert stored(app, moving["id"]) == before
    fetched = get(logged_in, moving["id"])
    assert (fetched["scheduled_start"], fetched["scheduled_end"]) == ("2030-12-11T12:00:00", "2030-12-11T13:00:00")


def test_update_session_lengthen_into_occupied_slot(app, logged_in, john, existing):
    early = create(logged_in, john.id, "2030-12-11T09:00:00", "2030-12-11T10:00:00", title="Early")
    before = stored(app, early["id"])
    r = logged_in.patch(f"{SESSIONS}/{early['id']}", json={"scheduled_end": "2030-12-11T10:15:00", "notes": "longer"})
    assert r.status_code == 409
    assert r.get_json() == EXISTING_CONFLICT
    assert stored(app, early["id"]) == before


def test_update_session_reschedule_conflict_names_earliest(factory, logged_in, trainer, john):
    factory.session(trainer, john, utc(2030, 12, 11, 12), title="Noon")
    factory.session(trainer, john, utc(2030, 12, 11, 10), title="Ten")
    moving = create(logged_in, john.id, "2030-12-11T15:00", "2030-12-11T16:00")
    r = logged_in.patch(
        f"{SESSIONS}/{moving['id']}", json={"scheduled_start": "2030-12-11T09:00", "scheduled_end": "2030-12-11T14:00"}
    )
    assert r.status_code == 409
    assert r.get_json() == conflict("Ten", "2030-12-11T10:00:00")


@pytest.mark.parametrize(
    "changes, start, end",
    [
        ({"scheduled_start": "2030-12-11T10:30:00", "scheduled_end": "2030-12-11T11:30:00"}, "2030-12-11T10:30:00", "2030-12-11T11:30:00"),
        ({"scheduled_start": "2030-12-11T09:30:00", "scheduled_end": "2030-12-11T10:30:00"}, "2030-12-11T09:30:00", "2030-12-11T10:30:00"),
        ({"scheduled_end": "2030-12-11T12:00:00"}, "2030-12-11T10:00:00", "2030-12-11T12:00:00"),
        ({"scheduled_start": "2030-12-11T10:15:00"}, "2030-12-11T10:15:00", "2030-12-11T11:00:00"),
        ({"scheduled_start": "2030-12-11T10:00:00", "scheduled_end": "2030-12-11T11:00:00"}, "2030-12-11T10:00:00", "2030-12-11T11:00:00"),
    ],
)
def test_update_session_reschedule_over_own_old_slot_allowed(logged_in, john, changes, start, end):
    own = create(logged_in, john.id, "2030-12-11T10:00:00", "2030-12-11T11:00:00")
    r = logged_in.patch(f"{SESSIONS}/{own['id']}", json=changes)
    assert r.status_code == 200, r.get_json()
    data = r.get_json()["data"]
    assert (data["scheduled_start"], data["scheduled_end"]) == (start, end)


def test_update_session_reschedule_back_to_back_allowed(logged_in, john, existing):
    moving = create(logged_in, john.id, "2030-12-11T14:00:00", "2030-12-11T15:00:00")
    r = logged_in.patch(
        f"{SESSIONS}/{moving['id']}", json={"scheduled_start": "2030-12-11T11:00:00", "scheduled_end": "2030-12-11T12:00:00"}
    )
    assert r.status_code == 200
    r = logged_in.patch(
        f"{SESSIONS}/{moving['id']}", json={"scheduled_start": "2030-12-11T09:00:00", "scheduled_end": "2030-12-11T10:00:00"}
    )
    assert r.status_code == 200


def test_update_session_reschedule_over_cancelled_allowed(logged_in, john, existing):
    assert logged_in.delete(f"{SESSIONS}/{existing.id}").status_code == 200
    moving = create(logged_in, john.id, "2030-12-11T14:00:00", "2030-12-11T15:00:00")
    r = logged_in.patch(
        f"{SESSIONS}/{moving['id']}", json={"scheduled_start": "2030-12-11T10:00:00", "scheduled_end": "2030-12-11T11:00:00"}
    )
    assert r.status_code == 200


def test_update_cancelled_session_moved_into_occupied_slot_allowed_while_cancelled(logged_in, john, existing):
    moving = create(logged_in, john.id, "2030-12-11T14:00:00", "2030-12-11T15:00:00")
    assert logged_in.delete(f"{SESSIONS}/{moving['id']}").status_code == 200
    r = logged_in.patch(f"{SESSIONS}/{moving['id']}", json={"scheduled_start": "2030-12-11T10:00:00", "scheduled_end": "2030-12-11T11:00:00"})
    assert r.status_code == 200
    assert r.get_json()["data"]["status"] == "cancelled"


@pytest.mark.parametrize("status", ["scheduled", "completed", "no-show"])
def test_update_session_uncancel_into_occupied_slot(app, logged_in, john, status):
    first = create(logged_in, john.id, "2030-12-11T10:00:00", "2030-12-11T11:00:00", title="First")
    assert logged_in.delete(f"{SESSIONS}/{first['id']}").status_code == 200
    create(logged_in, john.id, "2030-12-11T10:30:00", "2030-12-11T11:30:00", title="Replacement")
    before = stored(app, first["id"])
    r = logged_in.patch(f"{SESSIONS}/{first['id']}", json={"status": status})
    assert r.status_code == 409
    assert r.get_json() == conflict("Replacement", "2030-12-11T10:30:00")
    assert stored(app, first["id"]) == before
    assert get(logged_in, first["id"])["status"] == "cancelled"


def test_update_session_uncancel_with_move_checks_new_slot(logged_in, john, existing):
    moving = create(logged_in, john.id, "2030-12-11T14:00", "2030-12-11T15:00")
    assert logged_in.delete(f"{SESSIONS}/{moving['id']}").status_code == 200
    r = logged_in.patch(
        f"{SESSIONS}/{moving['id']}",
        json={"status": "scheduled", "scheduled_start": "2030-12-11T10:30", "scheduled_end": "2030-12-11T11:30"},
    )
    assert r.status_code == 409
    assert r.get_json() == EXISTING_CONFLICT
    r = logged_in.patch(
        f"{SESSIONS}/{moving['id']}",
        json={"status": "scheduled", "scheduled_start": "2030-12-11T11:00", "scheduled_end": "2030-12-11T12:00"},
    )
    assert r.status_code == 200
    assert r.get_json()["data"]["status"] == "scheduled"


def test_update_session_uncancel_into_free_slot(logged_in, john):
    first = create(logged_in, john.id)
    assert logged_in.delete(f"{SESSIONS}/{first['id']}").status_code == 200
    r = logged_in.patch(f"{SESSIONS}/{first['id']}", json={"status": "scheduled"})
    assert r.status_code == 200
    assert r.get_json()["data"]["status"] == "scheduled"


def test_update_session_status_change_without_move_needs_no_free_slot(logged_in, john, existing):
    r = logged_in.patch(f"{SESSIONS}/{existing.id}", json={"status": "completed", "notes": "done"})
    assert r.status_code == 200
    r = logged_in.patch(f"{SESSIONS}/{existing.id}", json={"status": "no-show"})
    assert r.status_code == 200


def test_conflict_message_in_new_york_local_time(app, factory):
    ny = factory.trainer(timezone="America/New_York")
    pupil = factory.client(ny)
    web = factory.login_as(ny)
    create(web, pupil.id, "2030-12-11T14:00:00", "2030-12-11T15:00:00", title="Afternoon")  # 19:00 UTC
    expected = conflict("Afternoon", "2030-12-11T14:00:00")
    for start, end in [
        ("2030-12-11T14:30:00", "2030-12-11T15:30:00"),
        ("2030-12-11T19:30:00Z", "2030-12-11T20:30:00Z"),
        ("2030-12-12T01:00:00+05:30", "2030-12-12T01:30:00+05:30"),
    ]:
        r = web.post(SESSIONS, json=new_session(pupil.id, start, end))
        assert r.status_code == 409
        assert r.get_json() == expected


def test_conflict_message_in_new_york_summer_time(app, factory):
    ny = factory.trainer(timezone="America/New_York")
    pupil = factory.client(ny)
    web = factory.login_as(ny)
    create(web, pupil.id, "2030-07-11T14:00:00", "2030-07-11T15:00:00", title="Summer")  # 18:00 UTC
    r = web.post(SESSIONS, json=new_session(pupil.id, "2030-07-11T18:30:00Z", "2030-07-11T19:30:00Z"))
    assert r.status_code == 409
    assert r.get_json() == conflict("Summer", "2030-07-11T14:00:00")


def test_conflict_time_zone_does_not_change_the_overlap(app, factory):
    ny = factory.trainer(timezone="America/New_York")
    pupil = factory.client(ny)
    web = factory.login_as(ny)
    create(web, pupil.id, "2030-12-11T14:00:00", "2030-12-11T15:00:00")
    # 14:00 UTC is 09:00 in New York: free.
    data = create(web, pupil.id, "2030-12-11T14:00:00Z", "2030-12-11T15:00:00Z")
    assert data["scheduled_start"] == "2030-12-11T09:00:00"


def test_conflict_title_with_quotes_is_verbatim(factory, logged_in, trainer, john):
    factory.session(trainer, john, utc(2030, 12, 11, 10), title='The "Big" One')
    r = logged_in.post(SESSIONS, json=new_session(john.id))
    assert r.status_code == 409
    assert r.get_json() == conflict('The "Big" One', "2030-12-11T10:00:00")


# === 6. Time zones ===================================================================


@pytest.fixture()
def kolkata(factory) -> Trainer:  # type: ignore[no-untyped-def]
    return factory.trainer(timezone="Asia/Kolkata")


@pytest.fixture()
def kolkata_web(app, factory, kolkata) -> FlaskClient:  # type: ignore[no-untyped-def]
    return factory.login_as(kolkata)


@pytest.fixture()
def kolkata_client(factory, kolkata) -> Client:  # type: ignore[no-untyped-def]
    return factory.client(kolkata)


def test_time_zone_naive_times_round_trip(app, kolkata_web, kolkata_client):
    data = create(
        kolkata_web,
        kolkata_client.id,
        "2030-12-11T10:00:00",
        "2030-12-11T11:00:00",
        actual_start="2030-12-11T10:05:00",
        actual_end="2030-12-11T10:55:00",
    )
    expected = {
        "scheduled_start": "2030-12-11T10:00:00",
        "scheduled_end": "2030-12-11T11:00:00",
        "actual_start": "2030-12-11T10:05:00",
        "actual_end": "2030-12-11T10:55:00",
    }
    assert {key: data[key] for key in expected} == expected
    fetched = get(kolkata_web, data["id"])
    assert {key: fetched[key] for key in expected} == expected
    [item] = listed(kolkata_web)["sessions"]
    assert {key: item[key] for key in expected} == expected
    row = stored(app, data["id"])
    assert row["scheduled_start"] == utc(2030, 12, 11, 4, 30)  # type: ignore[index]
    assert row["actual_end"] == utc(2030, 12, 11, 5, 25)  # type: ignore[index]


def test_time_zone_created_at_in_trainers_local_time(kolkata_web, kolkata_client):
    data = create(kolkata_web, kolkata_client.id)
    local_now = timeutil.now().astimezone(timeutil.zone("Asia/Kolkata")).replace(tzinfo=None)
    assert abs(datetime.fromisoformat(data["created_at"]) - local_now) < timedelta(minutes=1)


@pytest.mark.parametrize(
    "start, expected",
    [
        ("2030-12-11T10:00:00Z", "2030-12-11T15:30:00"),
        ("2030-12-11T10:00:00+00:00", "2030-12-11T15:30:00"),
        ("2030-12-11T10:00:00+05:30", "2030-12-11T10:00:00"),
        ("2030-12-11T10:00:00-08:00", "2030-12-11T23:30:00"),
        ("2030-12-11", "2030-12-11T00:00:00"),
    ],
)
def test_time_zone_offsets_converted_to_trainers_zone(kolkata_web, kolkata_client, start, expected):
    data = create(kolkata_web, kolkata_client.id, start, "2030-12-11T23:45:00")
    assert data["scheduled_start"] == expected


def test_time_zone_change_moves_no_session(app, logged_in, john):
    data = create(logged_in, john.id, "2030-12-11T10:00:00Z", "2030-12-11T11:00:00Z")
    before = stored(app, data["id"])
    r = logged_in.patch(ME, json={"timezone": "Asia/Kolkata"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["data"]["timezone"] == "Asia/Kolkata"
    fetched = get(logged_in, data["id"])
    assert (fetched["scheduled_start"], fetched["scheduled_end"]) == ("2030-12-11T15:30:00", "2030-12-11T16:30:00")
    assert stored(app, data["id"]) == before
    # The conflict message and new bookings now speak Kolkata time too.
    r = logged_in.post(SESSIONS, json=new_session(john.id, "2030-12-11T16:00:00", "2030-12-11T17:00:00"))
    assert r.status_code == 409
    assert r.get_json() == conflict("Personal Training Session", "2030-12-11T15:30:00")
    r = logged_in.patch(ME, json={"timezone": "America/New_York"})
    assert r.status_code == 200
    fetched = get(logged_in, data["id"])
    assert (fetched["scheduled_start"], fetched["scheduled_end"]) == ("2030-12-11T05:00:00", "2030-12-11T06:00:00")
    assert stored(app, data["id"]) == before


def test_time_zone_each_caller_sees_own_local_time(app, factory, kolkata_web, kolkata_client, admin):
    data = create(kolkata_web, kolkata_client.id, "2030-12-11T15:30:00", "2030-12-11T16:30:00")
    admin_web = factory.login_as(admin)  # admin in UTC
    assert get(admin_web, data["id"])["scheduled_start"] == "2030-12-11T10:00:00"
