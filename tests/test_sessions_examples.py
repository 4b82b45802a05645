"""Every curl and Python example of sections 1-5 of ``sessions-api.md``, run as written:
the same method, path, query string, headers and JSON body, with only ids and dates
substituted (real ids; 2025 dates moved to 2030 so they stay in the future). The responses
are compared with the document's example responses."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mectofitness.models import Client, Trainer

from .expected import SESSION_KEYS

BASE = "https://your-domain.com"
SESSIONS = "/api/v1/sessions"
LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")

# The create example's body, character for character (client_id and year substituted).
CREATE_CURL_BODY = """{
    "client_id": 5,
    "title": "Initial Fitness Assessment",
    "description": "Comprehensive fitness evaluation and goal setting",
    "session_type": "assessment",
    "location": "Main Gym - Assessment Area",
    "scheduled_start": "2025-12-11T10:00:00",
    "scheduled_end": "2025-12-11T11:30:00",
    "notes": "Bring body composition analysis equipment",
    "trainer_notes": "Client mentioned previous knee injury"
  }"""

COMPLETE_CURL_BODY = """{
    "status": "completed",
    "actual_start": "2025-12-11T10:05:00",
    "actual_end": "2025-12-11T11:35:00",
    "exercises_performed": "Body composition scan, flexibility tests, strength assessments, cardiovascular evaluation",
    "trainer_notes": "Client showed good baseline fitness. Needs work on core strength and flexibility.",
    "client_feedback": "Really helpful assessment. Excited to start training!"
  }"""

RESCHEDULE_CURL_BODY = """{
    "scheduled_start": "2025-12-12T14:00:00",
    "scheduled_end": "2025-12-12T15:00:00"
  }"""


def in_2030(text: str) -> str:
    return text.replace("2025-", "2030-")


def with_client(text: str, client_id: int) -> str:
    assert '"client_id": 5,' in text
    return text.replace('"client_id": 5,', f'"client_id": {client_id},')


# --- the people in the document's examples ---------------------------------------------


@pytest.fixture()
def mike(factory) -> Trainer:
    return factory.trainer(username="trainer_mike", email="mike@mectofitness.com", full_name="Mike Thompson")


@pytest.fixture()
def john(factory, mike) -> Client:
    return factory.client(mike, name="John Doe", email="john@example.com", phone="+1-555-0123", status="active")


@pytest.fixture()
def sarah(factory, mike) -> Client:
    return factory.client(mike, name="Sarah Johnson", email="sarah@example.com", phone="+1-555-0456", status="active")


@pytest.fixture()
def your_session_cookie(app: Flask, factory, mike) -> str:
    """The value of the ``session`` cookie a login hands out (the examples' placeholder)."""
    browser = app.test_client()
    factory.login(browser, mike)
    cookie = browser.get_cookie("session")
    assert cookie is not None
    return cookie.value


@pytest.fixture()
def curl(app: Flask, your_session_cookie: str):
    """``curl -X METHOD URL -H "Cookie: session=..." [-H "Content-Type: application/json" -d BODY]``:
    a client with no cookie jar, sending the Cookie header by hand."""

    def run(method: str, url: str, body: str | None = None):
        headers = {"Cookie": f"session={your_session_cookie}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return app.test_client(use_cookies=False).open(url, method=method, headers=headers, data=body)

    return run


@pytest.fixture()
def requests_like(app: Flask, your_session_cookie: str) -> FlaskClient:
    """What ``requests`` with ``cookies={"session": ...}`` sends: a fresh client holding
    exactly that cookie."""
    web = app.test_client()
    web.set_cookie("session", your_session_cookie)
    return web


@pytest.fixture()
def web(app: Flask, factory, mike) -> FlaskClient:
    """A logged-in client to set the scene through the API."""
    browser = app.test_client()
    factory.login(browser, mike)
    return browser


def booked(web: FlaskClient, **body: Any) -> dict[str, Any]:
    r = web.post(SESSIONS, json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["data"]


def server_set(data: dict[str, Any]) -> dict[str, Any]:
    """The fields the server fills in (ids, timestamps, and v1.1's zone, UTC instants and
    series, null for these one-offs): taken from the response itself, after checking their
    form and agreement."""
    assert isinstance(data["id"], int)
    assert data["series_id"] is None
    assert LOCAL_TIME.match(data["created_at"])
    assert LOCAL_TIME.match(data["updated_at"])
    assert data["updated_at"] >= data["created_at"]
    tz = ZoneInfo(data["timezone"])
    for name in ("scheduled_start", "scheduled_end"):
        instant = datetime.fromisoformat(data[name]).replace(tzinfo=tz).astimezone(UTC)
        assert data[f"{name}_utc"] == instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {key: data[key] for key in SERVER_SET}


SERVER_SET = ("id", "created_at", "updated_at", "timezone", "scheduled_start_utc", "scheduled_end_utc", "series_id")


# === 1. List Sessions ==================================================================


def test_list_example_upcoming_sessions_this_week(curl, web, factory, mike, john):
    doc_session = booked(
        web,
        client_id=john.id,
        title="Personal Training Session",
        description="Full body workout focusing on strength",
        session_type="personal",
        location="Main Gym - Studio A",
        scheduled_start="2030-12-10T14:00:00",
        scheduled_end="2030-12-10T15:00:00",
        notes="Client wants to focus on upper body",
        trainer_notes="Remember client has shoulder sensitivity",
    )
    last_second = booked(
        web, client_id=john.id, title="Late", scheduled_start="2030-12-15T23:59:59", scheduled_end="2030-12-16T00:30:00"
    )
    cancelled = booked(web, client_id=john.id, title="Off", scheduled_start="2030-12-11T08:00", scheduled_end="2030-12-11T09:00")
    assert web.delete(f"{SESSIONS}/{cancelled['id']}").status_code == 200
    booked(web, client_id=john.id, title="Before", scheduled_start="2030-12-08T23:00", scheduled_end="2030-12-09T00:00")
    booked(web, client_id=john.id, title="After", scheduled_start="2030-12-16T00:30", scheduled_end="2030-12-16T01:00")
    other = factory.trainer()
    factory.session(other, factory.client(other), datetime.fromisoformat("2030-12-10T14:00:00+00:00"))

    r = curl(
        "GET",
        f"{BASE}/api/v1/sessions?start_date=2030-12-09T00:00:00&end_date=2030-12-15T23:59:59&status=scheduled&include_client=true",
    )

    assert r.status_code == 200
    body = r.get_json()
    assert body["success"] is True
    assert set(body) == {"success", "data"}
    assert body["data"]["pagination"] == {
        "page": 1,
        "per_page": 20,
        "total_pages": 1,
        "total_items": 2,
        "has_next": False,
        "has_prev": False,
    }
    first, second = body["data"]["sessions"]
    assert first["id"] == last_second["id"]
    assert set(first) == SESSION_KEYS | {"client"}
    assert second == {
        **server_set(second),
        "title": "Personal Training Session",
        "description": "Full body workout focusing on strength",
        "session_type": "personal",
        "location": "Main Gym - Studio A",
        "scheduled_start": "2030-12-10T14:00:00",
        "scheduled_end": "2030-12-10T15:00:00",
        "actual_start": None,
        "actual_end": None,
        "status": "scheduled",
        "exercises_performed": None,
        "notes": "Client wants to focus on upper body",
        "client_feedback": None,
        "trainer_notes": "Remember client has shoulder sensitivity",
        "google_event_id": None,
        "outlook_event_id": None,
        "trainer_id": mike.id,
        "client_id": john.id,
        "client": {"id": john.id, "name": "John Doe", "email": "john@example.com", "phone": "+1-555-0123", "status": "active"},
    }
    assert second["id"] == doc_session["id"]


def test_list_example_all_sessions_for_a_client(curl, web, john, sarah):
    ids = [
        booked(web, client_id=john.id, title=f"S{day}", scheduled_start=f"2030-12-{day}T10:00", scheduled_end=f"2030-12-{day}T11:00")["id"]
        for day in (12, 10, 11)
    ]
    booked(web, client_id=sarah.id, title="Sarah's", scheduled_start="2030-12-13T10:00", scheduled_end="2030-12-13T11:00")

    r = curl("GET", f"{BASE}/api/v1/sessions?client_id={john.id}&per_page=50&sort_by=scheduled_start&sort_order=desc")

    assert r.status_code == 200
    data = r.get_json()["data"]
    assert [item["id"] for item in data["sessions"]] == [ids[0], ids[2], ids[1]]
    assert [item["scheduled_start"] for item in data["sessions"]] == [
        "2030-12-12T10:00:00",
        "2030-12-11T10:00:00",
        "2030-12-10T10:00:00",
    ]
    assert all(set(item) == SESSION_KEYS and item["client_id"] == john.id for item in data["sessions"])
    assert data["pagination"] == {
        "page": 1,
        "per_page": 50,
        "total_pages": 1,
        "total_items": 3,
        "has_next": False,
        "has_prev": False,
    }


# === 2. Get Single Session =============================================================


def test_get_example_with_client_and_trainer(curl, web, mike, sarah):
    created = booked(
        web,
        client_id=sarah.id,
        title="HIIT Training",
        description="High intensity interval training session",
        session_type="personal",
        location="Outdoor Track",
        scheduled_start="2030-12-10T09:00:00",
        scheduled_end="2030-12-10T10:00:00",
        notes="Great energy today",
    )
    r = web.patch(
        f"{SESSIONS}/{created['id']}",
        json={
            "status": "completed",
            "actual_start": "2030-12-10T09:05:00",
            "actual_end": "2030-12-10T10:02:00",
            "exercises_performed": "Sprints, burpees, mountain climbers, box jumps",
            "client_feedback": "Tough but felt amazing after!",
            "trainer_notes": "Client showed significant improvement in stamina",
            "google_event_id": "abc123xyz",
        },
    )
    assert r.status_code == 200

    r = curl("GET", f"{BASE}/api/v1/sessions/{created['id']}?include_client=true&include_trainer=true")

    assert r.status_code == 200
    body = r.get_json()
    data = body["data"]
    assert body == {
        "success": True,
        "data": {
            **server_set(data),
            "title": "HIIT Training",
            "description": "High intensity interval training session",
            "session_type": "personal",
            "location": "Outdoor Track",
            "scheduled_start": "2030-12-10T09:00:00",
            "scheduled_end": "2030-12-10T10:00:00",
            "actual_start": "2030-12-10T09:05:00",
            "actual_end": "2030-12-10T10:02:00",
            "status": "completed",
            "exercises_performed": "Sprints, burpees, mountain climbers, box jumps",
            "notes": "Great energy today",
            "client_feedback": "Tough but felt amazing after!",
            "trainer_notes": "Client showed significant improvement in stamina",
            "google_event_id": "abc123xyz",
            "outlook_event_id": None,
            "trainer_id": mike.id,
            "client_id": sarah.id,
            "client": {
                "id": sarah.id,
                "name": "Sarah Johnson",
                "email": "sarah@example.com",
                "phone": "+1-555-0456",
                "status": "active",
            },
            "trainer": {
                "id": mike.id,
                "username": "trainer_mike",
                "email": "mike@mectofitness.com",
                "full_name": "Mike Thompson",
            },
        },
    }
    assert data["id"] == created["id"]
    assert data["created_at"] == created["created_at"]


# === 3. Create Session =================================================================


def test_create_example_curl(curl, mike, john):
    r = curl("POST", f"{BASE}/api/v1/sessions", in_2030(with_client(CREATE_CURL_BODY, john.id)))

    assert r.status_code == 201
    body = r.get_json()
    data = body["data"]
    assert body == {
        "success": True,
        "message": "Session created successfully",
        "data": {
            **server_set(data),
            "title": "Initial Fitness Assessment",
            "description": "Comprehensive fitness evaluation and goal setting",
            "session_type": "assessment",
            "location": "Main Gym - Assessment Area",
            "scheduled_start": "2030-12-11T10:00:00",
            "scheduled_end": "2030-12-11T11:30:00",
            "actual_start": None,
            "actual_end": None,
            "status": "scheduled",
            "exercises_performed": None,
            "notes": "Bring body composition analysis equipment",
            "client_feedback": None,
            "trainer_notes": "Client mentioned previous knee injury",
            "google_event_id": None,
            "outlook_event_id": None,
            "trainer_id": mike.id,
            "client_id": john.id,
            "client": {"id": john.id, "name": "John Doe", "email": "john@example.com", "phone": "+1-555-0123", "status": "active"},
        },
    }
    assert data["created_at"] == data["updated_at"]
    fetched = curl("GET", f"{BASE}/api/v1/sessions/{data['id']}").get_json()["data"]
    assert fetched == {key: data[key] for key in SESSION_KEYS}


def test_create_example_curl_conflict(curl, web, john):
    booked(web, client_id=john.id, title="Personal Training Session", scheduled_start="2030-12-11T10:30:00", scheduled_end="2030-12-11T11:30:00")

    r = curl("POST", f"{BASE}/api/v1/sessions", in_2030(with_client(CREATE_CURL_BODY, john.id)))

    assert r.status_code == 409
    assert r.get_json() == {
        "success": False,
        "error": 'Scheduling conflict detected with session "Personal Training Session" at 2030-12-11T10:30:00',
    }


def test_create_example_curl_validation_error(curl, john):
    body = in_2030(with_client(CREATE_CURL_BODY, john.id)).replace('"scheduled_start": "2030-12-11T10:00:00",\n', "")
    assert "scheduled_start" not in body

    r = curl("POST", f"{BASE}/api/v1/sessions", body)

    assert r.status_code == 400
    assert r.get_json() == {
        "success": False,
        "error": "Validation failed",
        "errors": {"scheduled_start": "Scheduled start time is required"},
    }


def test_create_example_python(requests_like, mike, john):
    # Calculate session time
    start_time = datetime.now() + timedelta(days=2)
    end_time = start_time + timedelta(hours=1)

    session_data = {
        "client_id": john.id,
        "title": "Strength Training - Lower Body",
        "description": "Focus on squats, deadlifts, and leg press",
        "session_type": "personal",
        "location": "Main Gym - Weight Room",
        "scheduled_start": start_time.isoformat(),
        "scheduled_end": end_time.isoformat(),
        "notes": "Client prefers morning sessions",
        "trainer_notes": "Progressive overload - increase weight by 5lbs",
    }

    response = requests_like.post("/api/v1/sessions", json=session_data)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["success"] is True
    assert body["message"] == "Session created successfully"
    data = body["data"]
    assert data == {
        **server_set(data),
        "title": "Strength Training - Lower Body",
        "description": "Focus on squats, deadlifts, and leg press",
        "session_type": "personal",
        "location": "Main Gym - Weight Room",
        # isoformat() carries microseconds; the service drops them.
        "scheduled_start": start_time.replace(microsecond=0).isoformat(),
        "scheduled_end": end_time.replace(microsecond=0).isoformat(),
        "actual_start": None,
        "actual_end": None,
        "status": "scheduled",
        "exercises_performed": None,
        "notes": "Client prefers morning sessions",
        "client_feedback": None,
        "trainer_notes": "Progressive overload - increase weight by 5lbs",
        "google_event_id": None,
        "outlook_event_id": None,
        "trainer_id": mike.id,
        "client_id": john.id,
        "client": {"id": john.id, "name": "John Doe", "email": "john@example.com", "phone": "+1-555-0123", "status": "active"},
    }


# === 4. Update Session =================================================================


def test_update_example_curl_mark_completed(curl, mike, john):
    created = curl("POST", f"{BASE}/api/v1/sessions", in_2030(with_client(CREATE_CURL_BODY, john.id))).get_json()["data"]

    r = curl("PATCH", f"{BASE}/api/v1/sessions/{created['id']}", in_2030(COMPLETE_CURL_BODY))

    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"success", "message", "data"}
    assert body["success"] is True
    assert body["message"] == "Session updated successfully"
    data = body["data"]
    assert set(data) == SESSION_KEYS
    # The document's example response shows these fields:
    assert {key: data[key] for key in ("id", "title", "status", "actual_start", "actual_end", "exercises_performed", "trainer_notes", "client_feedback")} == {
        "id": created["id"],
        "title": "Initial Fitness Assessment",
        "status": "completed",
        "actual_start": "2030-12-11T10:05:00",
        "actual_end": "2030-12-11T11:35:00",
        "exercises_performed": "Body composition scan, flexibility tests, strength assessments, cardiovascular evaluation",
        "trainer_notes": "Client showed good baseline fitness. Needs work on core strength and flexibility.",
        "client_feedback": "Really helpful assessment. Excited to start training!",
    }
    assert LOCAL_TIME.match(data["updated_at"])
    assert data["updated_at"] >= created["updated_at"]
    # and everything else is as it was.
    for key in ("description", "session_type", "location", "scheduled_start", "scheduled_end", "notes", "created_at", "client_id", "trainer_id"):
        assert data[key] == created[key]
    assert curl("GET", f"{BASE}/api/v1/sessions/{created['id']}").get_json()["data"] == data


def test_update_example_curl_reschedule(curl, web, john):
    created = booked(web, client_id=john.id, title="HIIT Training", scheduled_start="2030-12-10T09:00:00", scheduled_end="2030-12-10T10:00:00")

    r = curl("PATCH", f"{BASE}/api/v1/sessions/{created['id']}", in_2030(RESCHEDULE_CURL_BODY))

    assert r.status_code == 200
    body = r.get_json()
    assert body["success"] is True
    assert body["message"] == "Session updated successfully"
    data = body["data"]
    assert set(data) == SESSION_KEYS
    assert (data["scheduled_start"], data["scheduled_end"]) == ("2030-12-12T14:00:00", "2030-12-12T15:00:00")
    assert (data["scheduled_start_utc"], data["scheduled_end_utc"]) == ("2030-12-12T14:00:00Z", "2030-12-12T15:00:00Z")
    moved = {"scheduled_start", "scheduled_end", "scheduled_start_utc", "scheduled_end_utc", "updated_at"}
    assert {key: data[key] for key in SESSION_KEYS - moved} == {key: created[key] for key in SESSION_KEYS - moved}


def test_update_example_curl_reschedule_into_conflict(curl, web, john):
    booked(web, client_id=john.id, title="Personal Training Session", scheduled_start="2030-12-12T14:30:00", scheduled_end="2030-12-12T15:30:00")
    created = booked(web, client_id=john.id, title="HIIT Training", scheduled_start="2030-12-10T09:00:00", scheduled_end="2030-12-10T10:00:00")

    r = curl("PATCH", f"{BASE}/api/v1/sessions/{created['id']}", in_2030(RESCHEDULE_CURL_BODY))

    assert r.status_code == 409
    assert r.get_json() == {
        "success": False,
        "error": 'Scheduling conflict detected with session "Personal Training Session" at 2030-12-12T14:30:00',
    }
    fetched = curl("GET", f"{BASE}/api/v1/sessions/{created['id']}").get_json()["data"]
    assert (fetched["scheduled_start"], fetched["scheduled_end"]) == ("2030-12-10T09:00:00", "2030-12-10T10:00:00")


def test_update_example_python(requests_like, web, john):
    created = booked(web, client_id=john.id, title="Strength", scheduled_start="2030-12-10T09:00:00", scheduled_end="2030-12-10T10:00:00")

    # Mark session as completed with details
    update_data = {
        "status": "completed",
        "actual_start": "2030-12-10T09:05:00",
        "actual_end": "2030-12-10T10:02:00",
        "exercises_performed": "Bench press 3x10, Squats 4x8, Deadlifts 3x6",
        "trainer_notes": "Client hit new PR on deadlift!",
        "client_feedback": "Best workout yet!",
    }

    response = requests_like.patch(f"/api/v1/sessions/{created['id']}", json=update_data)

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["success"] is True
    assert body["message"] == "Session updated successfully"
    data = body["data"]
    assert set(data) == SESSION_KEYS
    assert {key: data[key] for key in update_data} == update_data
    assert data["title"] == "Strength"
    assert (data["scheduled_start"], data["scheduled_end"]) == ("2030-12-10T09:00:00", "2030-12-10T10:00:00")


# === 5. Delete Session =================================================================


def test_delete_example_soft_then_permanent(curl, web, john):
    created = booked(
        web, client_id=john.id, title="Personal Training Session", scheduled_start="2030-12-12T09:00", scheduled_end="2030-12-12T10:00"
    )

    # Soft delete (cancel session)
    r = curl("DELETE", f"{BASE}/api/v1/sessions/{created['id']}")

    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"success", "message", "data"}
    assert body["success"] is True
    assert body["message"] == "Session cancelled successfully"
    data = body["data"]
    assert set(data) == SESSION_KEYS
    assert {key: data[key] for key in ("id", "title", "status")} == {
        "id": created["id"],
        "title": "Personal Training Session",
        "status": "cancelled",
    }
    assert LOCAL_TIME.match(data["updated_at"])
    assert curl("GET", f"{BASE}/api/v1/sessions/{created['id']}").get_json()["data"]["status"] == "cancelled"

    # Permanently delete
    r = curl("DELETE", f"{BASE}/api/v1/sessions/{created['id']}?permanent=true")

    assert r.status_code == 200
    assert r.get_json() == {"success": True, "message": "Session permanently deleted"}
    r = curl("GET", f"{BASE}/api/v1/sessions/{created['id']}")
    assert r.status_code == 404
    assert r.get_json() == {"success": False, "error": "Session not found"}


def test_delete_example_permanent_without_cancelling_first(curl, web, john):
    created = booked(web, client_id=john.id, title="Gone", scheduled_start="2030-12-12T09:00", scheduled_end="2030-12-12T10:00")

    r = curl("DELETE", f"{BASE}/api/v1/sessions/{created['id']}?permanent=true")

    assert r.status_code == 200
    assert r.get_json() == {"success": True, "message": "Session permanently deleted"}
    assert curl("GET", f"{BASE}/api/v1/sessions?per_page=100").get_json()["data"]["sessions"] == []


def test_examples_cookie_is_what_authenticates(app, john):
    """The placeholder matters: the same requests without the cookie are refused."""
    anonymous = app.test_client(use_cookies=False)
    r = anonymous.get(f"{BASE}/api/v1/sessions?client_id={john.id}&per_page=50&sort_by=scheduled_start&sort_order=desc")
    assert r.status_code == 401
    assert r.get_json() == {"success": False, "error": "Authentication required"}
    r = anonymous.post(
        f"{BASE}/api/v1/sessions",
        data=in_2030(with_client(CREATE_CURL_BODY, john.id)),
        headers={"Content-Type": "application/json", "Cookie": "session=your_session_cookie"},
    )
    assert r.status_code == 401
    assert r.get_json() == {"success": False, "error": "Authentication required"}
