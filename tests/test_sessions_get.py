"""``GET /api/v1/sessions/<id>``, section 2 of ``sessions-api.md`` as decided by the
contract: the session object and its includes, ownership, missing ids, and each caller's
local time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mectofitness.extensions import db
from mectofitness.models import Client, Trainer, TrainingSession

from .expected import SESSION_KEYS
from .factories import (
    SESSIONS,
    assert_invalid,
    conflict,
    create,
    get,
    listed,
    new_session,
    stored,
)

ME = "/api/v1/auth/me"


# --- the answer -----------------------------------------------------------------------


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
    """Every field of the session object, written out here from the stored rows (not by the
    response model under test): local times in the caller's zone, v1.1's zone and UTC
    instants, and the nested client and trainer."""
    assert logged_in.patch(ME, json={"timezone": zone}).status_code == 200
    quiet = factory.client(trainer, name="Quiet", email=None, phone=None)
    create(logged_in, john.id, description="Warm-up", location="Gym", notes="n", trainer_notes="t")
    done = create(logged_in, quiet.id, "2030-12-12T10:00:00", "2030-12-12T11:30:00", session_type="assessment")
    assert logged_in.patch(f"{SESSIONS}/{done['id']}", json={
        "status": "completed", "actual_start": "2030-12-12T10:05:00", "actual_end": "2030-12-12T11:35:00",
        "exercises_performed": "Squats", "client_feedback": "Great", "google_event_id": "g1", "outlook_event_id": "o1",
    }).status_code == 200
    assert logged_in.patch(f"/api/v1/clients/{quiet.id}", json={"status": "inactive"}).status_code == 200
    page = listed(logged_in, include_client="true", include_trainer="true")["sessions"]
    tz = ZoneInfo(zone)

    def local(value: datetime | None) -> str | None:
        return value.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S") if value is not None else None

    with app.app_context():
        expected = []
        for row in db.session.scalars(select(TrainingSession).order_by(TrainingSession.scheduled_start.desc())):
            client, owner = db.session.get(Client, row.client_id), db.session.get(Trainer, row.trainer_id)
            expected.append({
                **{name: getattr(row, name) for name in STORED_AS_IS},
                **{name: local(getattr(row, name)) for name in LOCAL_TIMES},
                "timezone": zone,
                "scheduled_start_utc": row.scheduled_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "scheduled_end_utc": row.scheduled_end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "client": {name: getattr(client, name) for name in ("id", "name", "email", "phone", "status")},
                "trainer": {name: getattr(owner, name) for name in ("id", "username", "email", "full_name")},
            })
    assert [item["client"]["status"] for item in expected] == ["inactive", "active"]
    assert page == expected
    assert [get(logged_in, item["id"], include_client="true", include_trainer="true") for item in expected] == expected


STORED_AS_IS = (
    "id", "title", "description", "session_type", "location", "status", "exercises_performed", "notes",
    "client_feedback", "trainer_notes", "google_event_id", "outlook_event_id", "trainer_id", "client_id",
    "series_id",
)
LOCAL_TIMES = ("scheduled_start", "scheduled_end", "actual_start", "actual_end", "created_at", "updated_at")


def test_get_session_nested_client_shows_inactive_status_and_nulls(factory, logged_in, trainer):
    quiet = factory.client(trainer, name="Quiet", email=None, phone=None)
    created = create(logged_in, quiet.id)
    assert logged_in.patch(f"/api/v1/clients/{quiet.id}", json={"status": "inactive"}).status_code == 200
    assert get(logged_in, created["id"], include_client="true")["client"] == {
        "id": quiet.id,
        "name": "Quiet",
        "email": None,
        "phone": None,
        "status": "inactive",
    }


# --- query parameters -----------------------------------------------------------------


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


# --- ownership ------------------------------------------------------------------------


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


# --- time zones -----------------------------------------------------------------------


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
