"""``PUT``/``PATCH /api/v1/sessions/<id>``, section 4 of ``sessions-api.md`` as decided by
the contract: partial updates, validation, ownership and rescheduling conflicts."""

from __future__ import annotations

import pytest

from .expected import (
    CLIENT_NOT_FOUND,
    END_AFTER_START,
    LOCAL_TIME,
    OPTIONAL_TEXT,
    SESSION_KEYS,
    STATUSES,
)
from .factories import (
    BEYOND,
    EXISTING_CONFLICT,
    SESSIONS,
    assert_invalid,
    conflict,
    create,
    forbidden,
    get,
    stored,
    utc,
)

# --- the answer -----------------------------------------------------------------------


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


# --- validation -----------------------------------------------------------------------


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


@pytest.mark.parametrize("title", ["", "  ", "z" * 201])
def test_update_session_title_invalid(app, logged_in, john, title):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={"title": title}), "title")
    assert stored(app, created["id"]) == before


@pytest.mark.parametrize("field", OPTIONAL_TEXT + ("location",))
def test_update_session_text_field_too_long(app, logged_in, john, field):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    limit = 200 if field == "location" else 10_000
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={field: "t" * (limit + 1)})
    assert_invalid(r, field)
    assert stored(app, created["id"]) == before


@pytest.mark.parametrize("field", ("title",) + OPTIONAL_TEXT + ("location",))
def test_update_session_text_with_nul_character_refused(app, logged_in, john, field):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={field: "\u0000"}), field)
    assert stored(app, created["id"]) == before


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


@pytest.mark.parametrize("kind", ["string", "true", "float", "null"])
def test_update_session_client_id_must_be_json_integer(app, factory, trainer, logged_in, john, kind):
    jane = factory.client(trainer)
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    value = {"string": str(jane.id), "true": True, "float": jane.id + 0.5, "null": None}[kind]
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={"client_id": value}), "client_id")
    assert stored(app, created["id"]) == before


def test_update_session_unknown_field_refused(app, logged_in, john):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    r = logged_in.patch(f"{SESSIONS}/{created['id']}", json={"title": "New", "duration": 60})
    assert_invalid(r, errors={"duration": "Unknown field"})
    assert stored(app, created["id"]) == before


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
    assert row["id"] == created["id"]
    assert row["trainer_id"] == trainer.id
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
    assert {k: v for k, v in after.items() if k != "updated_at"} == {k: v for k, v in before.items() if k != "updated_at"}


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
    assert stored(app, created["id"])[field] is None


@pytest.mark.parametrize("field", ["title", "scheduled_start", "scheduled_end", "client_id", "session_type", "status"])
def test_update_session_null_refused_for_required_fields(app, logged_in, john, field):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={field: None}), field)
    assert stored(app, created["id"]) == before


@pytest.mark.parametrize("value", ["2030-13-01T10:00:00", "10:00", "2030-12-11 10:00:00", "tomorrow", 5])
@pytest.mark.parametrize("field", ["scheduled_start", "scheduled_end", "actual_start", "actual_end"])
def test_update_session_bad_datetime_names_the_field(app, logged_in, john, field, value):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.patch(f"{SESSIONS}/{created['id']}", json={field: value}), field)
    assert stored(app, created["id"]) == before


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


# --- ownership ------------------------------------------------------------------------


@pytest.mark.parametrize("changes", [{"status": "cancelled"}, {"scheduled_start": "2030-12-11T10:30:00"}, {}])
def test_update_other_trainers_session_forbidden_before_validation_of_times(app, logged_in, other_session, changes):
    before = stored(app, other_session.id)
    r = logged_in.patch(f"{SESSIONS}/{other_session.id}", json=changes)
    assert r.status_code == 403
    assert r.get_json() == forbidden("update")
    assert stored(app, other_session.id) == before


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


# --- conflicts ------------------------------------------------------------------------


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
