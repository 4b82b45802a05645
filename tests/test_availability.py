"""Availability over HTTP (document §7, contract §3, §4 and §6): free slots inside working
hours that no occupying session overlaps, booked sessions of the local day, defaults,
validation, working hours from the profile, today's past, and admins' trainer_id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from mectofitness import timeutil

from .factories import assert_invalid

AVAILABILITY = "/api/v1/sessions/availability"
SESSIONS = "/api/v1/sessions"
ME = "/api/v1/auth/me"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY = "2030-06-05"  # a Wednesday
ISO_MESSAGE = "Must be an ISO 8601 date or datetime (YYYY-MM-DDTHH:MM:SS)"
OUT_OF_RANGE = "Not a valid date or time (out of range)"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def slot(start: str, end: str, minutes: int) -> dict:
    return {"start": start, "end": end, "duration_minutes": minutes}


def booked(start: str, end: str, title: str = "Personal Training Session") -> dict:
    return {"start": start, "end": end, "title": title}


def _availability(web: FlaskClient, **params: object) -> dict:
    r = web.get(AVAILABILITY, query_string=params)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["success"] is True
    assert set(body["data"]) == {"date", "requested_duration", "available_slots", "booked_sessions"}
    return body["data"]


def _slots(web: FlaskClient, **params: object) -> list[dict]:
    return _availability(web, **params)["available_slots"]


def _set_hours(web: FlaskClient, hours: dict) -> None:
    r = web.patch(ME, json={"working_hours": hours})
    assert r.status_code == 200, r.get_json()


def _every_day(*ranges: tuple[str, str]) -> dict:
    return {day: [{"start": s, "end": e} for s, e in ranges] for day in WEEKDAYS}


def _book(web: FlaskClient, client_id: int, start: str, end: str, **fields: object) -> dict:
    body = {
        "client_id": client_id,
        "title": "Personal Training Session",
        "scheduled_start": start,
        "scheduled_end": end,
    }
    r = web.post(SESSIONS, json=body | fields)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["data"]


# --- the document's example ----------------------------------------------------------------


def test_availability_document_example_exactly(logged_in, factory, trainer):
    client = factory.client(trainer)
    _book(
        logged_in,
        client.id,
        "2030-12-10T10:00:00",
        "2030-12-10T11:00:00",
        title="Personal Training - John Doe",
    )
    _book(
        logged_in,
        client.id,
        "2030-12-10T14:00:00",
        "2030-12-10T15:30:00",
        title="Group Class - HIIT",
        session_type="group",
    )
    r = logged_in.get(f"{AVAILABILITY}?date=2030-12-10&duration=90")
    assert r.status_code == 200
    assert r.get_json() == {
        "success": True,
        "data": {
            "date": "2030-12-10",
            "requested_duration": 90,
            "available_slots": [
                {
                    "start": "2030-12-10T08:00:00",
                    "end": "2030-12-10T10:00:00",
                    "duration_minutes": 120,
                },
                {
                    "start": "2030-12-10T11:00:00",
                    "end": "2030-12-10T14:00:00",
                    "duration_minutes": 180,
                },
                {
                    "start": "2030-12-10T15:30:00",
                    "end": "2030-12-10T20:00:00",
                    "duration_minutes": 270,
                },
            ],
            "booked_sessions": [
                {
                    "start": "2030-12-10T10:00:00",
                    "end": "2030-12-10T11:00:00",
                    "title": "Personal Training - John Doe",
                },
                {
                    "start": "2030-12-10T14:00:00",
                    "end": "2030-12-10T15:30:00",
                    "title": "Group Class - HIIT",
                },
            ],
        },
    }


def test_availability_empty_day_is_default_working_hours(logged_in):
    assert _availability(logged_in, date=DAY) == {
        "date": DAY,
        "requested_duration": 60,
        "available_slots": [slot(f"{DAY}T08:00:00", f"{DAY}T20:00:00", 720)],
        "booked_sessions": [],
    }


def test_availability_requires_authentication(client):
    r = client.get(f"{AVAILABILITY}?date={DAY}")
    assert r.status_code == 401
    assert r.get_json() == {"success": False, "error": "Authentication required"}


def test_availability_only_counts_own_sessions(logged_in, factory):
    other = factory.trainer()
    factory.session(other, factory.client(other), utc(f"{DAY}T10:00"), 60)
    data = _availability(logged_in, date=DAY)
    assert data["available_slots"] == [slot(f"{DAY}T08:00:00", f"{DAY}T20:00:00", 720)]
    assert data["booked_sessions"] == []


# --- defaults --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "clock", "day", "slots"),
    [
        (
            "UTC",
            "2030-06-05T06:00:00",
            "2030-06-05",
            [slot("2030-06-05T08:00:00", "2030-06-05T20:00:00", 720)],
        ),
        # 22:30 UTC is already 04:00 tomorrow in Kolkata and still 18:30 today in New York.
        (
            "Asia/Kolkata",
            "2030-06-05T22:30:00",
            "2030-06-06",
            [slot("2030-06-06T08:00:00", "2030-06-06T20:00:00", 720)],
        ),
        (
            "America/New_York",
            "2030-06-05T22:30:00",
            "2030-06-05",
            [slot("2030-06-05T18:30:00", "2030-06-05T20:00:00", 90)],
        ),
    ],
)
def test_availability_defaults_to_today_in_trainers_zone_and_60_minutes(
    app, factory, monkeypatch, zone, clock, day, slots
):
    monkeypatch.setattr(timeutil, "now", lambda: utc(clock))
    web = factory.login_as(factory.trainer(timezone=zone))
    data = _availability(web)
    assert data == {
        "date": day,
        "requested_duration": 60,
        "available_slots": slots,
        "booked_sessions": [],
    }


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_availability_default_date_with_the_real_clock(app, factory, zone):
    web = factory.login_as(factory.trainer(timezone=zone))
    before = datetime.now(ZoneInfo(zone)).date().isoformat()
    data = _availability(web)
    after = datetime.now(ZoneInfo(zone)).date().isoformat()
    assert data["date"] in {before, after}
    assert data["requested_duration"] == 60


def test_availability_default_duration_omits_slots_under_an_hour(logged_in, factory, trainer):
    client = factory.client(trainer)
    factory.session(trainer, client, utc(f"{DAY}T08:59"), 60)  # leaves 08:00-08:59
    factory.session(trainer, client, utc(f"{DAY}T11:00"), 60)  # leaves 09:59-11:00
    assert _slots(logged_in, date=DAY) == [
        slot(f"{DAY}T09:59:00", f"{DAY}T11:00:00", 61),
        slot(f"{DAY}T12:00:00", f"{DAY}T20:00:00", 480),
    ]


# --- the date parameter ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "value", "day"),
    [
        ("UTC", "2030-06-05", "2030-06-05"),
        ("UTC", "2030-06-05T23:30:00", "2030-06-05"),
        ("UTC", "2030-06-05T00:00", "2030-06-05"),
        ("UTC", "2030-06-05T10:00:00.123456", "2030-06-05"),
        ("UTC", "2030-06-05T23:30:00-05:00", "2030-06-06"),  # 04:30 UTC the next day
        ("UTC", "2030-06-05T02:00:00+05:30", "2030-06-04"),  # 20:30 UTC the day before
        ("UTC", "2030-06-05T23:59:59Z", "2030-06-05"),
        ("Asia/Kolkata", "2030-06-05T20:00:00Z", "2030-06-06"),  # 01:30 local
        ("Asia/Kolkata", "2030-06-05T18:29:59Z", "2030-06-05"),  # 23:59:59 local
        ("Asia/Kolkata", "2030-06-05T23:30:00", "2030-06-05"),  # naive: already local
        ("America/New_York", "2030-06-06T03:00:00Z", "2030-06-05"),  # 23:00 local
        ("America/New_York", "2030-06-06T03:00:00+00:00", "2030-06-05"),
        ("America/New_York", "2030-06-06T00:00:00+01:00", "2030-06-05"),
    ],
)
def test_availability_date_as_datetime_uses_its_local_date(app, factory, zone, value, day):
    web = factory.login_as(factory.trainer(timezone=zone))
    data = _availability(web, date=value)
    assert data["date"] == day
    assert data["available_slots"] == [slot(f"{day}T08:00:00", f"{day}T20:00:00", 720)]


@pytest.mark.parametrize("days_ahead", range(7))
def test_availability_document_python_example_next_7_days(logged_in, days_ahead):
    """The document's loop: ``(datetime.now() + timedelta(days=i)).isoformat()``, with
    microseconds and no offset; the trainer's zone is UTC, like this machine's clock."""
    check_date = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=days_ahead)
    data = _availability(logged_in, date=check_date.isoformat(), duration=60)
    assert data["date"] == check_date.date().isoformat()
    assert data["requested_duration"] == 60
    assert data["booked_sessions"] == []
    if days_ahead > 0:
        day = data["date"]
        assert data["available_slots"] == [slot(f"{day}T08:00:00", f"{day}T20:00:00", 720)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", ISO_MESSAGE),
        ("", ISO_MESSAGE),
        ("06/05/2030", ISO_MESSAGE),
        ("2030-06-05 10:00", ISO_MESSAGE),
        ("2030-6-5", ISO_MESSAGE),
        ("2030-06-05T10:00:00+5", ISO_MESSAGE),
        ("2030-02-30", OUT_OF_RANGE),
        ("2030-13-01", OUT_OF_RANGE),
        ("2030-06-05T24:00", OUT_OF_RANGE),
        ("9999-12-31", "Year must be between 1900 and 2999"),
        ("0001-01-01", "Year must be between 1900 and 2999"),
    ],
)
def test_availability_bad_date_is_400_naming_date(logged_in, value, message):
    r = logged_in.get(AVAILABILITY, query_string={"date": value})
    assert_invalid(r, errors={"date": message})


# --- the duration parameter ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Must be at least 1"),
        ("-30", "Must be at least 1"),
        ("1441", "Must be at most 1440"),
        ("abc", "Must be an integer"),
        ("1.5", "Must be an integer"),
        ("", "Must be an integer"),
    ],
)
def test_availability_bad_duration_is_400_naming_duration(logged_in, value, message):
    r = logged_in.get(AVAILABILITY, query_string={"date": DAY, "duration": value})
    assert_invalid(r, errors={"duration": message})


def test_availability_bad_date_and_duration_are_named_together(logged_in):
    r = logged_in.get(AVAILABILITY, query_string={"date": "tomorrow", "duration": "1441"})
    assert_invalid(r, errors={"date": ISO_MESSAGE, "duration": "Must be at most 1440"})


@pytest.mark.parametrize(
    ("duration", "slots"),
    [
        ("1", [slot(f"{DAY}T08:00:00", f"{DAY}T20:00:00", 720)]),
        ("720", [slot(f"{DAY}T08:00:00", f"{DAY}T20:00:00", 720)]),
        ("721", []),
        ("1440", []),
    ],
)
def test_availability_duration_bounds_are_accepted(logged_in, duration, slots):
    data = _availability(logged_in, date=DAY, duration=duration)
    assert data["requested_duration"] == int(duration)
    assert data["available_slots"] == slots


# --- slots -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "slots"),
    [
        (
            60,
            [
                slot(f"{DAY}T08:00:00", f"{DAY}T10:00:00", 120),
                slot(f"{DAY}T11:00:00", f"{DAY}T12:30:00", 90),
                slot(f"{DAY}T13:30:00", f"{DAY}T20:00:00", 390),
            ],
        ),
        (
            90,
            [
                slot(f"{DAY}T08:00:00", f"{DAY}T10:00:00", 120),
                slot(f"{DAY}T11:00:00", f"{DAY}T12:30:00", 90),  # exactly as long as asked: kept
                slot(f"{DAY}T13:30:00", f"{DAY}T20:00:00", 390),
            ],
        ),
        (
            91,
            [
                slot(f"{DAY}T08:00:00", f"{DAY}T10:00:00", 120),
                slot(f"{DAY}T13:30:00", f"{DAY}T20:00:00", 390),
            ],
        ),
        (
            120,
            [
                slot(f"{DAY}T08:00:00", f"{DAY}T10:00:00", 120),
                slot(f"{DAY}T13:30:00", f"{DAY}T20:00:00", 390),
            ],
        ),
        (121, [slot(f"{DAY}T13:30:00", f"{DAY}T20:00:00", 390)]),
        (390, [slot(f"{DAY}T13:30:00", f"{DAY}T20:00:00", 390)]),
        (391, []),
    ],
)
def test_availability_omits_slots_shorter_than_duration(
    logged_in, factory, trainer, duration, slots
):
    client = factory.client(trainer)
    factory.session(trainer, client, utc(f"{DAY}T10:00"), 60)
    factory.session(trainer, client, utc(f"{DAY}T12:30"), 60)
    data = _availability(logged_in, date=DAY, duration=duration)
    assert data["requested_duration"] == duration
    assert data["available_slots"] == slots
    # Booked sessions are listed whatever the duration.
    assert data["booked_sessions"] == [
        booked(f"{DAY}T10:00:00", f"{DAY}T11:00:00"),
        booked(f"{DAY}T12:30:00", f"{DAY}T13:30:00"),
    ]


def test_availability_back_to_back_sessions_leave_no_gap_slot(logged_in, factory, trainer):
    client = factory.client(trainer)
    _book(logged_in, client.id, f"{DAY}T10:00", f"{DAY}T11:00", title="A")
    _book(logged_in, client.id, f"{DAY}T11:00", f"{DAY}T12:00", title="B")
    _book(logged_in, client.id, f"{DAY}T12:00", f"{DAY}T12:45", title="C")
    data = _availability(logged_in, date=DAY, duration=1)
    assert data["available_slots"] == [
        slot(f"{DAY}T08:00:00", f"{DAY}T10:00:00", 120),
        slot(f"{DAY}T12:45:00", f"{DAY}T20:00:00", 435),
    ]
    assert [b["title"] for b in data["booked_sessions"]] == ["A", "B", "C"]


def test_availability_sessions_covering_all_working_hours_leave_no_slots(
    logged_in, factory, trainer
):
    factory.session(trainer, factory.client(trainer), utc(f"{DAY}T07:00"), 14 * 60)
    data = _availability(logged_in, date=DAY, duration=1)
    assert data["available_slots"] == []
    assert data["booked_sessions"] == [booked(f"{DAY}T07:00:00", f"{DAY}T21:00:00")]


def test_availability_sessions_outside_working_hours_are_booked_but_block_nothing(
    logged_in, factory, trainer
):
    client = factory.client(trainer)
    factory.session(trainer, client, utc(f"{DAY}T06:00"), 120, title="Early")  # ends as work starts
    factory.session(trainer, client, utc(f"{DAY}T20:00"), 90, title="Late")  # starts as work ends
    data = _availability(logged_in, date=DAY)
    assert data["available_slots"] == [slot(f"{DAY}T08:00:00", f"{DAY}T20:00:00", 720)]
    assert data["booked_sessions"] == [
        booked(f"{DAY}T06:00:00", f"{DAY}T08:00:00", "Early"),
        booked(f"{DAY}T20:00:00", f"{DAY}T21:30:00", "Late"),
    ]


@pytest.mark.parametrize(
    ("status", "blocks"),
    [("scheduled", True), ("completed", True), ("no-show", True), ("cancelled", False)],
)
def test_availability_every_status_but_cancelled_occupies(
    logged_in, factory, trainer, status, blocks
):
    factory.session(
        trainer, factory.client(trainer), utc(f"{DAY}T12:00"), 60, status=status, title="Lunch run"
    )
    data = _availability(logged_in, date=DAY)
    if blocks:
        assert data["available_slots"] == [
            slot(f"{DAY}T08:00:00", f"{DAY}T12:00:00", 240),
            slot(f"{DAY}T13:00:00", f"{DAY}T20:00:00", 420),
        ]
        assert data["booked_sessions"] == [
            booked(f"{DAY}T12:00:00", f"{DAY}T13:00:00", "Lunch run")
        ]
    else:
        assert data["available_slots"] == [slot(f"{DAY}T08:00:00", f"{DAY}T20:00:00", 720)]
        assert data["booked_sessions"] == []


def test_availability_cancelled_via_api_frees_the_slot(logged_in, factory, trainer):
    client = factory.client(trainer)
    session = _book(logged_in, client.id, f"{DAY}T12:00", f"{DAY}T13:00")
    assert len(_slots(logged_in, date=DAY)) == 2
    assert logged_in.delete(f"{SESSIONS}/{session['id']}").status_code == 200
    assert _slots(logged_in, date=DAY) == [slot(f"{DAY}T08:00:00", f"{DAY}T20:00:00", 720)]


def test_availability_includes_session_from_the_day_before_and_trims_the_morning(
    logged_in, factory, trainer
):
    client = factory.client(trainer)
    factory.session(trainer, client, utc("2030-06-04T23:00"), 630, title="Overnight")  # until 09:30
    factory.session(trainer, client, utc("2030-06-04T21:00"), 120, title="Evening")
    factory.session(trainer, client, utc("2030-06-05T21:00"), 240, title="Late")  # into tomorrow
    data = _availability(logged_in, date=DAY)
    assert data["booked_sessions"] == [
        booked("2030-06-04T23:00:00", f"{DAY}T09:30:00", "Overnight"),
        booked(f"{DAY}T21:00:00", "2030-06-06T01:00:00", "Late"),
    ]
    assert data["available_slots"] == [slot(f"{DAY}T09:30:00", f"{DAY}T20:00:00", 630)]


def test_availability_sessions_touching_the_day_from_outside_are_not_booked(
    logged_in, factory, trainer
):
    client = factory.client(trainer)
    factory.session(trainer, client, utc("2030-06-04T20:00"), 240, title="Ends at midnight")
    factory.session(
        trainer, client, utc("2030-06-06T00:00"), 60, title="Starts at the next midnight"
    )
    data = _availability(logged_in, date=DAY)
    assert data["booked_sessions"] == []
    assert data["available_slots"] == [slot(f"{DAY}T08:00:00", f"{DAY}T20:00:00", 720)]


def test_availability_lists_booked_sessions_earliest_first(logged_in, factory, trainer):
    client = factory.client(trainer)
    for hour, title in [(15, "Third"), (9, "First"), (12, "Second"), (22, "Fourth")]:
        factory.session(trainer, client, utc(f"{DAY}T{hour:02d}:00"), 30, title=title)
    titles = [b["title"] for b in _availability(logged_in, date=DAY)["booked_sessions"]]
    assert titles == ["First", "Second", "Third", "Fourth"]


# --- working hours ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "sessions", "slots"),
    [
        (  # a split shift
            _every_day(("06:00", "10:00"), ("16:00", "21:00")),
            [("09:00", 60)],
            [
                slot(f"{DAY}T06:00:00", f"{DAY}T09:00:00", 180),
                slot(f"{DAY}T16:00:00", f"{DAY}T21:00:00", 300),
            ],
        ),
        (  # a session straddling the break trims both shifts
            _every_day(("06:00", "10:00"), ("16:00", "21:00")),
            [("09:30", 420)],
            [
                slot(f"{DAY}T06:00:00", f"{DAY}T09:30:00", 210),
                slot(f"{DAY}T16:30:00", f"{DAY}T21:00:00", 270),
            ],
        ),
        (  # ranges that touch are one stretch of free time
            _every_day(("06:00", "10:00"), ("10:00", "12:00")),
            [],
            [slot(f"{DAY}T06:00:00", f"{DAY}T12:00:00", 360)],
        ),
        (  # 24:00 ends the day at the next midnight
            _every_day(("18:00", "24:00")),
            [],
            [slot(f"{DAY}T18:00:00", "2030-06-06T00:00:00", 360)],
        ),
        (
            _every_day(("00:00", "24:00")),
            [("12:00", 60)],
            [
                slot(f"{DAY}T00:00:00", f"{DAY}T12:00:00", 720),
                slot(f"{DAY}T13:00:00", "2030-06-06T00:00:00", 660),
            ],
        ),
        (  # only the day asked about matters (2030-06-05 is a Wednesday)
            {"wednesday": [{"start": "09:15", "end": "17:45"}], "thursday": []},
            [],
            [slot(f"{DAY}T09:15:00", f"{DAY}T17:45:00", 510)],
        ),
        (  # a day off: no slots at all
            {"wednesday": []},
            [("12:00", 60)],
            [],
        ),
        (
            {
                "tuesday": [],
                "thursday": [{"start": "01:00", "end": "02:00"}],
            },  # Wednesday keeps the default
            [],
            [slot(f"{DAY}T08:00:00", f"{DAY}T20:00:00", 720)],
        ),
    ],
)
def test_availability_uses_working_hours_from_profile(
    logged_in, factory, trainer, hours, sessions, slots
):
    _set_hours(logged_in, hours)
    client = factory.client(trainer)
    for start, minutes in sessions:
        factory.session(trainer, client, utc(f"{DAY}T{start}"), minutes)
    data = _availability(logged_in, date=DAY, duration=60)
    assert data["available_slots"] == slots
    assert len(data["booked_sessions"]) == len(sessions)


def test_availability_day_off_still_lists_booked_sessions(logged_in, factory, trainer):
    _set_hours(logged_in, {"wednesday": []})
    factory.session(trainer, factory.client(trainer), utc(f"{DAY}T12:00"), 60, title="Extra")
    data = _availability(logged_in, date=DAY, duration=1)
    assert data["available_slots"] == []
    assert data["booked_sessions"] == [booked(f"{DAY}T12:00:00", f"{DAY}T13:00:00", "Extra")]
    # The next day keeps the default hours.
    assert _slots(logged_in, date="2030-06-06") == [
        slot("2030-06-06T08:00:00", "2030-06-06T20:00:00", 720)
    ]


def test_availability_working_hours_are_in_the_trainers_zone(app, factory):
    trainer = factory.trainer(timezone="Asia/Kolkata")
    web = factory.login_as(trainer)
    _set_hours(web, _every_day(("09:00", "17:00")))
    factory.session(trainer, factory.client(trainer), utc(f"{DAY}T06:30"), 60)  # 12:00-13:00 local
    data = _availability(web, date=DAY)
    assert data["available_slots"] == [
        slot(f"{DAY}T09:00:00", f"{DAY}T12:00:00", 180),
        slot(f"{DAY}T13:00:00", f"{DAY}T17:00:00", 240),
    ]
    assert data["booked_sessions"] == [booked(f"{DAY}T12:00:00", f"{DAY}T13:00:00")]


# --- today -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "slots"),
    [
        (
            "2030-06-05T06:00:00",
            [
                slot(f"{DAY}T08:00:00", f"{DAY}T12:00:00", 240),
                slot(f"{DAY}T13:00:00", f"{DAY}T20:00:00", 420),
            ],
        ),
        (
            "2030-06-05T10:17:00",
            [
                slot(f"{DAY}T10:17:00", f"{DAY}T12:00:00", 103),
                slot(f"{DAY}T13:00:00", f"{DAY}T20:00:00", 420),
            ],
        ),
        (
            "2030-06-05T11:30:00",
            [slot(f"{DAY}T13:00:00", f"{DAY}T20:00:00", 420)],
        ),  # 30 minutes left: too short
        (
            "2030-06-05T12:30:00",
            [slot(f"{DAY}T13:00:00", f"{DAY}T20:00:00", 420)],
        ),  # during the session
        (  # mid-minute: free time starts at the next whole minute
            "2030-06-05T10:16:30",
            [
                slot(f"{DAY}T10:17:00", f"{DAY}T12:00:00", 103),
                slot(f"{DAY}T13:00:00", f"{DAY}T20:00:00", 420),
            ],
        ),
        ("2030-06-05T18:59:00", [slot(f"{DAY}T18:59:00", f"{DAY}T20:00:00", 61)]),
        ("2030-06-05T19:01:00", []),
        ("2030-06-05T21:00:00", []),
        ("2030-06-06T00:00:00", []),  # the day is over
    ],
)
def test_availability_today_excludes_time_already_past(app, factory, monkeypatch, clock, slots):
    monkeypatch.setattr(
        timeutil, "now", lambda: utc(clock)
    )  # before logging in: logins expire by this clock
    trainer = factory.trainer()
    factory.session(trainer, factory.client(trainer), utc(f"{DAY}T12:00"), 60)
    data = _availability(factory.login_as(trainer), date=DAY)
    assert data["available_slots"] == slots
    assert len(data["booked_sessions"]) == 1


def test_availability_today_with_the_real_clock_starts_no_earlier_than_now(app, factory):
    # A fixed-offset zone in which it is now between 12:00 and 13:00, well inside the
    # default 08:00-20:00, whatever the hour in UTC.
    offset = 12 - datetime.now(UTC).hour
    zone = "Etc/GMT" + (f"{-offset:+d}" if offset else "")  # POSIX signs: Etc/GMT-5 is UTC+5
    web = factory.login_as(factory.trainer(timezone=zone))
    before = datetime.now(ZoneInfo(zone)).replace(second=0, microsecond=0, tzinfo=None)
    data = _availability(web)
    after = datetime.now(ZoneInfo(zone)).replace(tzinfo=None)
    assert data["date"] == before.date().isoformat()
    [first] = data["available_slots"]
    start = datetime.fromisoformat(first["start"])
    assert start.second == 0 and before <= start <= after + timedelta(minutes=1)
    assert first["end"] == f"{data['date']}T20:00:00"
    assert first["duration_minutes"] == (datetime.fromisoformat(first["end"]) - start) // timedelta(
        minutes=1
    )


def test_availability_today_with_the_real_clock_and_all_day_hours(logged_in, factory, trainer):
    _set_hours(logged_in, _every_day(("00:00", "24:00")))
    before = datetime.now(UTC).replace(second=0, microsecond=0, tzinfo=None)
    data = _availability(logged_in, duration=1)
    after = datetime.now(UTC).replace(tzinfo=None)
    if data["available_slots"]:  # empty only in the last minute of the day
        start = datetime.fromisoformat(data["available_slots"][0]["start"])
        assert start.second == 0 and before <= start <= after + timedelta(minutes=1)
        assert (
            data["available_slots"][-1]["end"]
            == (before.date() + timedelta(days=1)).isoformat() + "T00:00:00"
        )


@pytest.mark.parametrize("day", ["2030-06-04", "2026-01-01"])
def test_availability_on_a_past_day_has_no_slots(app, factory, monkeypatch, day):
    monkeypatch.setattr(timeutil, "now", lambda: utc("2030-06-05T06:00:00"))
    data = _availability(factory.login_as(factory.trainer()), date=day)
    assert data["available_slots"] == []


# --- trainer_id ------------------------------------------------------------------------------------


@pytest.fixture()
def kolkata_trainer(factory):
    other = factory.trainer(timezone="Asia/Kolkata")
    # 04:30-05:30 UTC is 10:00-11:00 in Kolkata; 19:00 UTC is 00:30 the next local day.
    factory.session(other, factory.client(other), utc(f"{DAY}T04:30"), 60, title="Kolkata morning")
    factory.session(other, factory.client(other), utc(f"{DAY}T19:00"), 60, title="Kolkata night")
    return other


def test_availability_admin_trainer_id_gives_that_trainers_day_in_their_zone(
    app, factory, kolkata_trainer
):
    admin = factory.admin(timezone="America/New_York")
    data = _availability(factory.login_as(admin), date=DAY, trainer_id=kolkata_trainer.id)
    assert data == {
        "date": DAY,
        "requested_duration": 60,
        "available_slots": [
            slot(f"{DAY}T08:00:00", f"{DAY}T10:00:00", 120),
            slot(f"{DAY}T11:00:00", f"{DAY}T20:00:00", 540),
        ],
        "booked_sessions": [booked(f"{DAY}T10:00:00", f"{DAY}T11:00:00", "Kolkata morning")],
    }


def test_availability_admin_trainer_id_defaults_to_today_in_that_trainers_zone(
    app, factory, monkeypatch, kolkata_trainer
):
    monkeypatch.setattr(
        timeutil, "now", lambda: utc("2030-06-05T19:00:00")
    )  # 00:30 on the 6th in Kolkata
    admin = factory.admin()  # UTC, where it is still the 5th
    data = _availability(factory.login_as(admin), trainer_id=kolkata_trainer.id)
    assert data["date"] == "2030-06-06"
    assert data["booked_sessions"] == [
        booked("2030-06-06T00:30:00", "2030-06-06T01:30:00", "Kolkata night")
    ]
    assert data["available_slots"] == [slot("2030-06-06T08:00:00", "2030-06-06T20:00:00", 720)]


def test_availability_admin_without_trainer_id_gives_own_day(app, factory, kolkata_trainer):
    admin = factory.admin()
    data = _availability(factory.login_as(admin), date=DAY)
    assert data["booked_sessions"] == []
    assert data["available_slots"] == [slot(f"{DAY}T08:00:00", f"{DAY}T20:00:00", 720)]


def test_availability_admin_unknown_trainer_id_is_400(app, factory):
    admin = factory.admin()
    r = factory.login_as(admin).get(AVAILABILITY, query_string={"date": DAY, "trainer_id": 999999})
    assert_invalid(r, errors={"trainer_id": "Trainer not found"})


def test_availability_non_admin_trainer_id_is_ignored(logged_in, factory, trainer, kolkata_trainer):
    factory.session(trainer, factory.client(trainer), utc(f"{DAY}T15:00"), 60, title="Mine")
    data = _availability(logged_in, date=DAY, trainer_id=kolkata_trainer.id)
    assert data["booked_sessions"] == [booked(f"{DAY}T15:00:00", f"{DAY}T16:00:00", "Mine")]
    assert data["available_slots"] == [
        slot(f"{DAY}T08:00:00", f"{DAY}T15:00:00", 420),
        slot(f"{DAY}T16:00:00", f"{DAY}T20:00:00", 240),
    ]
