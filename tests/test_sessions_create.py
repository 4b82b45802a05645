"""``POST /api/v1/sessions``, section 3 of ``sessions-api.md`` as decided by the contract:
the answer, validation, whose clients and calendars, conflicts and time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mectofitness import timeutil

from .expected import CLIENT_NOT_FOUND, END_AFTER_START, LOCAL_TIME, OPTIONAL_TEXT, SESSION_TYPES
from .factories import (
    BEYOND,
    EXISTING_CONFLICT,
    SESSIONS,
    assert_invalid,
    conflict,
    create,
    get,
    listed,
    listed_ids,
    new_session,
    stored,
    utc,
)

# --- the answer -----------------------------------------------------------------------


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
        "series_id": None,
        "timezone": "UTC",
        "scheduled_start_utc": "2030-12-11T10:00:00Z",
        "scheduled_end_utc": "2030-12-11T11:00:00Z",
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


# --- validation -----------------------------------------------------------------------


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


def test_create_session_actual_end_before_actual_start(logged_in, john):
    r = logged_in.post(
        SESSIONS,
        json=new_session(john.id, actual_start="2030-12-11T10:30:00", actual_end="2030-12-11T10:15:00"),
    )
    errors = assert_invalid(r, "actual_end")
    assert errors["actual_end"] == "Actual end time must be after actual start time"


@pytest.mark.parametrize("title", ["", " ", "   \t\n ", "x" * 201, " " + "y" * 201 + " "])
def test_create_session_title_invalid(logged_in, john, title):
    assert_invalid(logged_in.post(SESSIONS, json=new_session(john.id, title=title)), "title")


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


@pytest.mark.parametrize("field", ("title",) + OPTIONAL_TEXT + ("location", "google_event_id", "outlook_event_id"))
def test_create_session_text_with_nul_character_refused(logged_in, john, field):
    r = logged_in.post(SESSIONS, json=new_session(john.id, **{field: "a\u0000b"}))
    assert_invalid(r, field)
    assert listed_ids(logged_in) == []


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


def test_create_session_unknown_field_refused(logged_in, john):
    r = logged_in.post(SESSIONS, json=new_session(john.id, colour="blue"))
    assert_invalid(r, errors={"colour": "Unknown field"})
    assert listed_ids(logged_in) == []


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


def test_create_session_optional_fields_accept_null(logged_in, john):
    nulls = {name: None for name in ("description", "location", "notes", "trainer_notes", "actual_start", "actual_end")}
    data = create(logged_in, john.id, **nulls)
    assert {name: data[name] for name in nulls} == nulls


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
    assert stored(app, data["id"])["scheduled_start"] == datetime.fromisoformat(expected).replace(tzinfo=UTC)


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


# --- ownership ------------------------------------------------------------------------


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


def test_create_session_with_inactive_own_client_refused(logged_in, factory, trainer):
    retired = factory.client(trainer, status="inactive")  # contract §15: not bookable
    assert_invalid(logged_in.post(SESSIONS, json=new_session(retired.id)), errors={"client_id": "Client is inactive"})


def test_non_admin_trainer_id_in_body_is_ignored(logged_in, trainer, john, other, other_client):
    data = create(logged_in, john.id, trainer_id=other.id)
    assert data["trainer_id"] == trainer.id
    r = logged_in.post(SESSIONS, json=new_session(other_client.id, "2030-12-12T10:00", "2030-12-12T11:00", trainer_id=other.id))
    assert_invalid(r, errors=CLIENT_NOT_FOUND)


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


# --- conflicts ------------------------------------------------------------------------


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


# --- time zones -----------------------------------------------------------------------


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
    assert row["scheduled_start"] == utc(2030, 12, 11, 4, 30)
    assert row["actual_end"] == utc(2030, 12, 11, 5, 25)


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
