"""Contract §8 over HTTP: scheduling settings and date overrides on /auth/me, time off as a
resource, and the one rule (free for create, reschedule and un-cancel; bookable for
availability): buffers, time off, overrides, notice, horizon and the step grid, on one day
and over a range, across DST days and midnight."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from mectofitness import timeutil

from .factories import assert_invalid, create, utc

ME = "/api/v1/auth/me"
SESSIONS = "/api/v1/sessions"
AVAILABILITY = "/api/v1/sessions/availability"
TIME_OFF = "/api/v1/time-off"
DAY = "2030-06-05"  # a Wednesday
DEFAULTS = {
    "buffer_minutes": 0,
    "min_notice_minutes": 0,
    "horizon_days": None,
    "slot_step_minutes": 15,
    "cancel_notice_minutes": 0,
}


def _patch_me(web: FlaskClient, body: dict) -> dict:
    r = web.patch(ME, json=body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["data"]


def _set_scheduling(web: FlaskClient, **settings: object) -> dict:
    return _patch_me(web, {"scheduling": settings})["scheduling"]


def _day(web: FlaskClient, day: str = DAY, **params: object) -> dict:
    r = web.get(AVAILABILITY, query_string={"date": day, **params})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["data"]


def _range(web: FlaskClient, first: str, last: str, **params: object) -> dict:
    r = web.get(AVAILABILITY, query_string={"start_date": first, "end_date": last, **params})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["data"]


def _slots(data: dict) -> list[tuple[str, str, int]]:
    return [(s["start"][11:16], s["end"][11:16], s["duration_minutes"]) for s in data["available_slots"]]


def _time_off(web: FlaskClient, start: str, end: str, **fields: object) -> dict:
    r = web.post(TIME_OFF, json={"start": start, "end": end, **fields})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["data"]


def _post_session(web: FlaskClient, client_id: int, start: str, end: str, **fields: object):
    body = {"client_id": client_id, "title": "Booked", "scheduled_start": start, "scheduled_end": end}
    return web.post(SESSIONS, json=body | fields)


@pytest.fixture()
def clock(monkeypatch):
    """Freeze the clock at 2030-06-05 06:00 UTC (before anyone logs in: logins expire by it)."""
    monkeypatch.setattr(timeutil, "now", lambda: datetime(2030, 6, 5, 6, tzinfo=UTC))


# --- settings -------------------------------------------------------------------------------


def test_scheduling_defaults_on_me(logged_in):
    data = logged_in.get(ME).get_json()["data"]
    assert data["scheduling"] == DEFAULTS
    assert data["working_hours_overrides"] == {}


def test_patch_scheduling_changes_only_named_keys(logged_in):
    assert _set_scheduling(logged_in, buffer_minutes=15, horizon_days=30) == DEFAULTS | {
        "buffer_minutes": 15, "horizon_days": 30,
    }
    assert _set_scheduling(logged_in, slot_step_minutes=30) == DEFAULTS | {
        "buffer_minutes": 15, "horizon_days": 30, "slot_step_minutes": 30,
    }
    assert _set_scheduling(logged_in, horizon_days=None)["horizon_days"] is None
    assert logged_in.get(ME).get_json()["data"]["scheduling"]["buffer_minutes"] == 15


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("buffer_minutes", 0, 240),
        ("min_notice_minutes", 0, 525600),
        ("horizon_days", 1, 3650),
        ("slot_step_minutes", 5, 240),
        ("cancel_notice_minutes", 0, 10080),
    ],
)
def test_scheduling_ranges(logged_in, name, low, high):
    assert _set_scheduling(logged_in, **{name: low})[name] == low
    assert _set_scheduling(logged_in, **{name: high})[name] == high
    for bad, message in ((low - 1, f"Must be at least {low}"), (high + 1, f"Must be at most {high}"),
                         ("5", "Must be an integer"), (True, "Must be an integer")):
        errors = assert_invalid(logged_in.patch(ME, json={"scheduling": {name: bad}}), f"scheduling.{name}")
        assert errors[f"scheduling.{name}"] == message


def test_scheduling_null_only_for_horizon_and_unknown_keys_refused(logged_in):
    assert_invalid(logged_in.patch(ME, json={"scheduling": {"buffer_minutes": None}}), "scheduling.buffer_minutes")
    assert_invalid(logged_in.patch(ME, json={"scheduling": {"buffer": 5}}), "scheduling.buffer")
    assert_invalid(logged_in.patch(ME, json={"scheduling": []}), "scheduling")


# --- date overrides -------------------------------------------------------------------------


def test_overrides_set_and_removed_one_date_at_a_time(logged_in):
    eve = [{"start": "08:00", "end": "12:00"}]
    data = _patch_me(logged_in, {"working_hours_overrides": {"2030-12-24": eve, "2030-12-25": []}})
    assert data["working_hours_overrides"] == {"2030-12-24": eve, "2030-12-25": []}
    data = _patch_me(logged_in, {"working_hours_overrides": {"2030-12-25": None, "2030-12-31": []}})
    assert data["working_hours_overrides"] == {"2030-12-24": eve, "2030-12-31": []}
    data = _patch_me(logged_in, {"full_name": "Mike T"})
    assert set(data["working_hours_overrides"]) == {"2030-12-24", "2030-12-31"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"2030-13-01": []}, "working_hours_overrides.2030-13-01.[key]"),
        ({"monday": []}, "working_hours_overrides.monday.[key]"),
        ({"2030-12-24": [{"start": "12:00", "end": "08:00"}]}, "working_hours_overrides.2030-12-24.0"),
        ({"2030-12-24": [{"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]},
         "working_hours_overrides"),
    ],
)
def test_bad_overrides_are_400_naming_the_field(logged_in, overrides, field):
    errors = assert_invalid(logged_in.patch(ME, json={"working_hours_overrides": overrides}), exactly=False)
    assert any(name.startswith(field.split(".[")[0]) for name in errors), errors


def test_override_replaces_the_weekday_hours_in_availability(logged_in):
    _patch_me(logged_in, {"working_hours_overrides": {
        DAY: [{"start": "09:00", "end": "12:00"}], "2030-06-06": [],
    }})
    assert _slots(_day(logged_in)) == [("09:00", "12:00", 180)]
    assert _slots(_day(logged_in, "2030-06-06")) == []
    assert _slots(_day(logged_in, "2030-06-07")) == [("08:00", "20:00", 720)]
    _patch_me(logged_in, {"working_hours_overrides": {DAY: None}})
    assert _slots(_day(logged_in)) == [("08:00", "20:00", 720)]


# --- time off as a resource ------------------------------------------------------------------


def test_time_off_create_lists_overlapping_sessions_and_keeps_them(logged_in, john):
    inside = create(logged_in, john.id, f"{DAY}T10:00:00", f"{DAY}T11:00:00", title="Inside")
    create(logged_in, john.id, f"{DAY}T14:00:00", f"{DAY}T15:00:00", title="After")
    cancelled = create(logged_in, john.id, f"{DAY}T09:00:00", f"{DAY}T10:00:00", title="Cancelled")
    logged_in.delete(f"{SESSIONS}/{cancelled['id']}")
    r = logged_in.post(TIME_OFF, json={"start": f"{DAY}T09:00:00", "end": f"{DAY}T12:00:00", "reason": "Dentist"})
    assert r.status_code == 201
    body = r.get_json()
    assert body["success"] is True
    data = body["data"]
    assert set(data) == {"id", "trainer_id", "start", "end", "reason", "created_at", "overlapping_sessions"}
    assert (data["start"], data["end"], data["reason"]) == (f"{DAY}T09:00:00", f"{DAY}T12:00:00", "Dentist")
    assert data["overlapping_sessions"] == [{"id": inside["id"], "title": "Inside", "scheduled_start": f"{DAY}T10:00:00"}]
    assert logged_in.get(f"{SESSIONS}/{inside['id']}").status_code == 200


def test_time_off_get_list_delete(logged_in):
    first = _time_off(logged_in, "2030-07-01", "2030-07-03", reason="Holiday")
    second = _time_off(logged_in, "2030-06-10T12:00", "2030-06-10T18:00")
    assert second["reason"] is None and first["start"] == "2030-07-01T00:00:00"
    r = logged_in.get(f"{TIME_OFF}/{first['id']}")
    assert r.status_code == 200
    assert r.get_json()["data"] == {k: v for k, v in first.items() if k != "overlapping_sessions"}
    listed = logged_in.get(TIME_OFF).get_json()["data"]
    assert [t["id"] for t in listed["time_off"]] == [second["id"], first["id"]]
    assert listed["pagination"] == {"page": 1, "per_page": 20, "total_pages": 1, "total_items": 2,
                                    "has_next": False, "has_prev": False}
    page = logged_in.get(TIME_OFF, query_string={"per_page": 1, "page": 2}).get_json()["data"]
    assert [t["id"] for t in page["time_off"]] == [first["id"]] and page["pagination"]["has_prev"] is True
    # Date filters select the time off overlapping them: a holiday in progress included.
    ids = lambda **q: [t["id"] for t in logged_in.get(TIME_OFF, query_string=q).get_json()["data"]["time_off"]]
    assert ids(start_date="2030-07-02") == [first["id"]]
    assert ids(end_date="2030-06-30") == [second["id"]]
    assert ids(start_date="2030-06-11", end_date="2030-06-30") == []
    r = logged_in.delete(f"{TIME_OFF}/{first['id']}")
    assert r.status_code == 200 and r.get_json()["success"] is True
    r = logged_in.get(f"{TIME_OFF}/{first['id']}")
    assert (r.status_code, r.get_json()) == (404, {"success": False, "error": "Time off not found"})
    assert logged_in.delete(f"{TIME_OFF}/{first['id']}").status_code == 404


def test_time_off_of_another_trainer_is_403_and_not_listed(factory, logged_in, other):
    theirs = _time_off(factory.login_as(other), "2030-07-01", "2030-07-02")
    for method, action in (("get", "view"), ("delete", "delete")):
        r = getattr(logged_in, method)(f"{TIME_OFF}/{theirs['id']}")
        assert (r.status_code, r.get_json()["error"]) == (403, f"You do not have permission to {action} this time off")
    assert logged_in.get(TIME_OFF).get_json()["data"]["time_off"] == []
    assert logged_in.get(f"{TIME_OFF}/{2**31}").status_code == 404


def test_time_off_admin_trainer_id(factory, admin_web, trainer, other):
    r = admin_web.post(TIME_OFF, json={"start": "2030-07-01", "end": "2030-07-02", "trainer_id": trainer.id})
    assert r.status_code == 201 and r.get_json()["data"]["trainer_id"] == trainer.id
    _time_off(factory.login_as(other), "2030-07-05", "2030-07-06")
    listed = admin_web.get(TIME_OFF, query_string={"trainer_id": trainer.id}).get_json()["data"]["time_off"]
    assert [t["trainer_id"] for t in listed] == [trainer.id]
    assert len(admin_web.get(TIME_OFF).get_json()["data"]["time_off"]) == 2
    assert admin_web.get(f"{TIME_OFF}/{listed[0]['id']}").status_code == 200
    assert_invalid(admin_web.post(TIME_OFF, json={"start": "2030-07-01", "end": "2030-07-02", "trainer_id": 999999}),
                   "trainer_id")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"start", "end"}),
        ({"start": "2030-07-02", "end": "2030-07-01"}, {"end"}),
        ({"start": "2030-07-01", "end": "2030-07-01"}, {"end"}),
        ({"start": "2030-01-01", "end": "2031-01-03"}, {"end"}),
        ({"start": "soon", "end": "2030-07-01", "reason": "x" * 201}, {"start", "reason"}),
        ({"start": "2030-07-01", "end": "2030-07-02", "color": "red"}, {"color"}),
    ],
)
def test_time_off_bad_bodies_are_400_naming_fields(logged_in, body, fields):
    assert_invalid(logged_in.post(TIME_OFF, json=body), *fields)


def test_time_off_at_most_366_days(logged_in):
    _time_off(logged_in, "2030-01-01", "2031-01-02")  # 366 days


def test_time_off_list_bad_filters_are_400(logged_in):
    assert_invalid(logged_in.get(TIME_OFF, query_string={"start_date": "nope", "page": 0}), "start_date", "page")


# --- the free rule: conflicts -----------------------------------------------------------------


def test_buffer_refuses_a_booking_too_close_and_names_the_session(logged_in, john):
    create(logged_in, john.id, f"{DAY}T10:00:00", f"{DAY}T11:00:00", title="Existing")
    _set_scheduling(logged_in, buffer_minutes=15)
    message = f'Scheduling conflict detected with session "Existing" at {DAY}T10:00:00'
    for start, end in (("11:14", "12:00"), ("09:00", "09:46"), ("10:30", "10:45")):
        r = _post_session(logged_in, john.id, f"{DAY}T{start}", f"{DAY}T{end}")
        assert (r.status_code, r.get_json()) == (409, {"success": False, "error": message})
    assert _post_session(logged_in, john.id, f"{DAY}T11:15", f"{DAY}T12:00").status_code == 201
    assert _post_session(logged_in, john.id, f"{DAY}T09:00", f"{DAY}T09:45").status_code == 201


def test_without_buffer_back_to_back_is_still_fine(logged_in, john):
    create(logged_in, john.id, f"{DAY}T10:00:00", f"{DAY}T11:00:00")
    assert _post_session(logged_in, john.id, f"{DAY}T11:00", f"{DAY}T12:00").status_code == 201


def test_time_off_refuses_create_reschedule_and_uncancel(logged_in, john):
    moved = create(logged_in, john.id, f"{DAY}T15:00:00", f"{DAY}T16:00:00")
    cancelled = create(logged_in, john.id, f"{DAY}T10:00:00", f"{DAY}T11:00:00")
    logged_in.delete(f"{SESSIONS}/{cancelled['id']}")
    _time_off(logged_in, f"{DAY}T09:30", f"{DAY}T12:00", reason="Dentist")
    _time_off(logged_in, "2030-06-06T09:00", "2030-06-06T10:00")
    dentist = {"success": False, "error": f'Scheduling conflict detected with time off "Dentist" at {DAY}T09:30:00'}
    r = _post_session(logged_in, john.id, f"{DAY}T11:30", f"{DAY}T12:30")
    assert (r.status_code, r.get_json()) == (409, dentist)
    r = logged_in.patch(f"{SESSIONS}/{moved['id']}", json={"scheduled_start": f"{DAY}T09:00", "scheduled_end": f"{DAY}T10:00"})
    assert (r.status_code, r.get_json()) == (409, dentist)
    r = logged_in.patch(f"{SESSIONS}/{cancelled['id']}", json={"status": "scheduled"})
    assert (r.status_code, r.get_json()) == (409, dentist)
    r = _post_session(logged_in, john.id, "2030-06-06T09:30", "2030-06-06T10:30")
    assert r.get_json()["error"] == 'Scheduling conflict detected with time off "Time off" at 2030-06-06T09:00:00'
    assert _post_session(logged_in, john.id, f"{DAY}T12:00", f"{DAY}T13:00").status_code == 201


def test_conflict_names_whichever_starts_first(logged_in, john):
    _time_off(logged_in, f"{DAY}T09:00", f"{DAY}T10:30", reason="Course")
    create(logged_in, john.id, f"{DAY}T10:30:00", f"{DAY}T11:00:00", title="Later")
    r = _post_session(logged_in, john.id, f"{DAY}T10:00", f"{DAY}T11:00")
    assert r.get_json()["error"] == f'Scheduling conflict detected with time off "Course" at {DAY}T09:00:00'


def test_time_off_conflict_message_in_the_trainers_zone(factory, kolkata_web, kolkata_client):
    _time_off(kolkata_web, "2030-06-05T04:30:00Z", "2030-06-05T06:00:00Z", reason="Puja")
    r = _post_session(kolkata_web, kolkata_client.id, f"{DAY}T10:30", f"{DAY}T11:30")
    assert r.get_json()["error"] == f'Scheduling conflict detected with time off "Puja" at {DAY}T10:00:00'


def test_rules_hold_for_admins_booking_for_a_trainer(admin_web, logged_in, trainer, john):
    _set_scheduling(logged_in, buffer_minutes=30, min_notice_minutes=60)
    create(logged_in, john.id, "2030-12-11T10:00:00", "2030-12-11T11:00:00", title="Existing")
    body = {"trainer_id": trainer.id}
    r = _post_session(admin_web, john.id, "2030-12-11T11:20", "2030-12-11T12:00", **body)
    assert r.status_code == 409
    # Trainers and admins may book outside working hours, notice and horizon: only "free" binds.
    assert _post_session(admin_web, john.id, "2030-12-11T23:00", "2030-12-11T23:30", **body).status_code == 201


def test_trainer_may_book_outside_hours_notice_and_horizon(clock, factory, john, trainer):
    web = factory.login_as(trainer)
    _set_scheduling(web, min_notice_minutes=600, horizon_days=2, slot_step_minutes=60)
    _patch_me(web, {"working_hours_overrides": {DAY: []}})
    assert _post_session(web, john.id, f"{DAY}T07:07", f"{DAY}T07:30").status_code == 201
    assert _post_session(web, john.id, "2031-06-05T07:07", "2031-06-05T07:30").status_code == 201


def test_smaller_buffer_restamps_sessions_so_the_rule_binds_not_the_old_stamp(logged_in, john):
    _set_scheduling(logged_in, buffer_minutes=60)
    create(logged_in, john.id, f"{DAY}T10:00:00", f"{DAY}T11:00:00")
    assert _post_session(logged_in, john.id, f"{DAY}T11:30", f"{DAY}T12:00").status_code == 409
    _set_scheduling(logged_in, buffer_minutes=10)
    assert _post_session(logged_in, john.id, f"{DAY}T11:10", f"{DAY}T12:00").status_code == 201


def test_larger_buffer_keeps_existing_sessions_editable(logged_in, john):
    first = create(logged_in, john.id, f"{DAY}T10:00:00", f"{DAY}T11:00:00")
    create(logged_in, john.id, f"{DAY}T11:00:00", f"{DAY}T12:00:00")
    _set_scheduling(logged_in, buffer_minutes=30)
    r = logged_in.patch(f"{SESSIONS}/{first['id']}", json={"notes": "still editable"})
    assert r.status_code == 200, r.get_json()
    r = logged_in.patch(f"{SESSIONS}/{first['id']}", json={"scheduled_end": f"{DAY}T10:50"})
    assert r.status_code == 409  # a move is checked against the buffer in force


# --- availability: the bookable rule --------------------------------------------------------


def test_buffer_widens_sessions_in_availability(logged_in, john):
    create(logged_in, john.id, f"{DAY}T10:00:00", f"{DAY}T11:00:00")
    _set_scheduling(logged_in, buffer_minutes=15)
    assert _slots(_day(logged_in)) == [("08:00", "09:45", 105), ("11:15", "20:00", 525)]


def test_time_off_removed_from_availability_and_listed_per_day(logged_in):
    off = _time_off(logged_in, f"{DAY}T12:00", "2030-06-06T09:00", reason="Trip")
    assert _slots(_day(logged_in)) == [("08:00", "12:00", 240)]
    data = _range(logged_in, DAY, "2030-06-07")
    assert [_slots({"available_slots": d["available_slots"]}) for d in data["days"]] == [
        [("08:00", "12:00", 240)], [("09:00", "20:00", 660)], [("08:00", "20:00", 720)],
    ]
    entry = {"id": off["id"], "start": f"{DAY}T12:00:00", "end": "2030-06-06T09:00:00", "reason": "Trip"}
    assert [d["time_off"] for d in data["days"]] == [[entry], [entry], []]


def test_notice_and_horizon(clock, factory, trainer):
    web = factory.login_as(trainer)
    _set_scheduling(web, min_notice_minutes=150, horizon_days=2)  # now 06:00 UTC: earliest 08:30
    assert _slots(_day(web)) == [("08:30", "20:00", 690)]
    data = _range(web, DAY, "2030-06-08", duration=60)
    assert [len(d["available_slots"]) for d in data["days"]] == [1, 1, 1, 0]
    assert data["start_times"][0] == f"{DAY}T08:30:00" and data["start_times"][-1] == "2030-06-07T19:00:00"


def test_default_settings_keep_v1_availability(logged_in, john):
    create(logged_in, john.id, f"{DAY}T10:00:00", f"{DAY}T11:00:00")
    assert _slots(_day(logged_in, duration=1)) == [("08:00", "10:00", 120), ("11:00", "20:00", 540)]
    assert set(_day(logged_in)) == {"date", "requested_duration", "available_slots", "booked_sessions"}


def test_start_times_keep_to_the_grid_of_each_working_range(logged_in, john):
    _patch_me(logged_in, {"working_hours": {"wednesday": [{"start": "08:10", "end": "10:00"}, {"start": "13:05", "end": "14:00"}]}})
    _set_scheduling(logged_in, slot_step_minutes=20)
    create(logged_in, john.id, f"{DAY}T08:45:00", f"{DAY}T09:00:00")
    data = _range(logged_in, DAY, DAY, duration=30)
    assert [t[11:16] for t in data["start_times"]] == ["08:10", "09:10", "09:30", "13:05", "13:25"]
    assert data["requested_duration"] == 30 and data["start_date"] == data["end_date"] == DAY


def test_range_shape_and_days(logged_in, john):
    create(logged_in, john.id, "2030-06-04T23:30:00", f"{DAY}T00:30:00", title="Midnight")
    data = _range(logged_in, "2030-06-04", DAY, duration=60)
    assert set(data) == {"start_date", "end_date", "requested_duration", "days", "start_times"}
    assert [d["date"] for d in data["days"]] == ["2030-06-04", DAY]
    assert all(set(d) == {"date", "available_slots", "booked_sessions", "time_off"} for d in data["days"])
    # A session across midnight is booked on both days.
    assert [len(d["booked_sessions"]) for d in data["days"]] == [1, 1]
    assert data["start_times"] == sorted(data["start_times"])
    assert len(data["start_times"]) == 2 * ((12 * 60 - 60) // 15 + 1)


def test_midnight_crossing_buffer_and_all_day_hours(logged_in, john):
    _patch_me(logged_in, {"working_hours": {d: [{"start": "00:00", "end": "24:00"}] for d in ("tuesday", "wednesday")}})
    _set_scheduling(logged_in, buffer_minutes=30)
    create(logged_in, john.id, "2030-06-04T23:00:00", f"{DAY}T00:15:00", title="Late")
    data = _range(logged_in, "2030-06-04", DAY, duration=30)
    assert _slots(data["days"][0]) == [("00:00", "22:30", 1350)]
    assert _slots(data["days"][1]) == [("00:45", "00:00", 1395)]
    assert data["days"][1]["available_slots"][0]["end"] == "2030-06-06T00:00:00"


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"start_date": "2030-06-01"}, {"end_date"}),
        ({"end_date": "2030-06-01"}, {"start_date"}),
        ({"start_date": "2030-06-02", "end_date": "2030-06-01"}, {"end_date"}),
        ({"start_date": "2030-06-01", "end_date": "2030-08-02"}, {"end_date"}),  # 63 days
        ({"date": DAY, "start_date": DAY, "end_date": DAY}, {"date"}),
        ({"start_date": "x", "end_date": DAY, "duration": 0}, {"start_date", "duration"}),
    ],
)
def test_range_bad_queries_are_400_naming_the_field(logged_in, query, fields):
    assert_invalid(logged_in.get(AVAILABILITY, query_string=query), *fields)


def test_range_of_62_days_is_accepted(logged_in):
    assert len(_range(logged_in, "2030-06-01", "2030-08-01")["days"]) == 62


def test_range_admin_trainer_id_uses_that_trainers_calendar(admin_web, factory, trainer):
    _time_off(factory.login_as(trainer), f"{DAY}T08:00", f"{DAY}T20:00")
    data = _range(admin_web, DAY, DAY, trainer_id=trainer.id)
    assert data["days"][0]["available_slots"] == [] and data["start_times"] == []
    assert len(data["days"][0]["time_off"]) == 1


# --- DST --------------------------------------------------------------------------------------


@pytest.fixture()
def new_york(factory):
    trainer = factory.trainer(timezone="America/New_York")
    web = factory.login_as(trainer)
    _patch_me(web, {"working_hours": {d: [{"start": "00:00", "end": "06:00"}] for d in ("sunday", "monday")}})
    return web, factory.client(trainer)


def test_spring_forward_day_has_23_hours_and_the_gap_is_never_offered(new_york):
    web, _ = new_york
    _set_scheduling(web, slot_step_minutes=60)
    data = _range(web, "2030-03-10", "2030-03-10", duration=60)  # a Sunday, clocks skip 02:00-03:00
    assert data["days"][0]["available_slots"] == [
        {"start": "2030-03-10T00:00:00", "end": "2030-03-10T06:00:00", "duration_minutes": 300}
    ]
    assert [t[11:16] for t in data["start_times"]] == ["00:00", "01:00", "03:00", "04:00", "05:00"]


def test_fall_back_day_reports_the_repeated_hour_once_each_slot_with_true_duration(new_york):
    web, client = new_york
    _set_scheduling(web, slot_step_minutes=60)
    # 2030-11-03 (a Sunday): 01:00-02:00 happens twice. Book the first pass 00:30-01:30 EDT.
    create(web, client.id, "2030-11-03T04:30:00Z", "2030-11-03T05:30:00Z", title="First pass")
    data = _range(web, "2030-11-03", "2030-11-03", duration=60)
    assert data["days"][0]["available_slots"] == [
        {"start": "2030-11-03T01:30:00", "end": "2030-11-03T06:00:00", "duration_minutes": 330},
    ]
    assert _day(web, "2030-11-03")["available_slots"] == data["days"][0]["available_slots"]
    # The grid runs in real time from 00:00 EDT: 01:00 EST (06:00Z) is on it but its text would
    # name the first pass, which is booked: left out of start_times, every listed start books.
    assert [t[11:16] for t in data["start_times"]] == ["02:00", "03:00", "04:00", "05:00"]
    for start in data["start_times"]:
        r = _post_session(web, client.id, start, start[:11] + f"{int(start[11:13]) + 1:02d}:00:00")
        assert r.status_code == 201, (start, r.get_json())


def test_override_on_a_dst_change_day(new_york):
    web, _ = new_york
    _patch_me(web, {"working_hours_overrides": {"2030-03-10": [{"start": "01:00", "end": "04:00"}],
                                                "2030-11-03": [{"start": "00:30", "end": "02:30"}]}})
    spring = _day(web, "2030-03-10", duration=30)
    assert spring["available_slots"] == [
        {"start": "2030-03-10T01:00:00", "end": "2030-03-10T04:00:00", "duration_minutes": 120}
    ]
    fall = _day(web, "2030-11-03", duration=30)
    assert fall["available_slots"] == [
        {"start": "2030-11-03T00:30:00", "end": "2030-11-03T02:30:00", "duration_minutes": 180}
    ]


# --- constant queries -------------------------------------------------------------------------


def test_range_availability_query_count_does_not_grow_with_the_range(app, logged_in, factory, trainer, john):
    from .test_queries import captured_sql

    for day in range(1, 29):
        factory.session(trainer, john, utc(2030, 7, day, 10))
    _time_off(logged_in, "2030-07-03", "2030-07-05")
    counts = []
    for last in ("2030-07-01", "2030-07-07", "2030-07-31", "2030-08-31"):
        with captured_sql(app) as statements:
            r = logged_in.get(AVAILABILITY, query_string={"start_date": "2030-07-01", "end_date": last})
        assert r.status_code == 200
        counts.append(len(statements))
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 3  # the credential, sessions, time off
