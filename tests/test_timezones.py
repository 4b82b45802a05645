"""Time zones end to end over HTTP (contract §4 and §6): trainers in New York and Kolkata
type naive local times, Z or offsets and read local times back; DST change days are 23 or
25 hours long for availability, list and stats; a skipped wall time is refused; a session
crossing midnight belongs to both days; changing the zone moves no session in time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from flask.testing import FlaskClient

from .factories import assert_invalid

SESSIONS = "/api/v1/sessions"
STATS = "/api/v1/sessions/stats"
AVAILABILITY = "/api/v1/sessions/availability"
ME = "/api/v1/auth/me"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ALL_DAY = {day: [{"start": "00:00", "end": "24:00"}] for day in WEEKDAYS}
NEW_YORK, KOLKATA = "America/New_York", "Asia/Kolkata"
SPRING, AUTUMN = "2030-03-10", "2030-11-03"  # New York's DST change days in 2030
GAP_MESSAGE = (
    "2030-03-10T02:30:00 does not exist in America/New_York (clocks skip it for daylight saving)"
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture()
def zoned(app, factory):
    """A logged-in trainer in a given zone, with a client: ``zoned(tz) -> (web, trainer, client)``."""

    def make(tz: str):
        trainer = factory.trainer(timezone=tz)
        return factory.login_as(trainer), trainer, factory.client(trainer)

    return make


def _create(web: FlaskClient, client_id: int, start: str, end: str, title: str = "Session") -> dict:
    r = web.post(
        SESSIONS,
        json={
            "client_id": client_id,
            "title": title,
            "scheduled_start": start,
            "scheduled_end": end,
        },
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()["data"]


def _get(web: FlaskClient, session_id: int) -> dict:
    r = web.get(f"{SESSIONS}/{session_id}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["data"]


def _times(row: dict) -> tuple[str, str]:
    return row["scheduled_start"], row["scheduled_end"]


def _set_hours(web: FlaskClient, hours: dict) -> None:
    r = web.patch(ME, json={"working_hours": hours})
    assert r.status_code == 200, r.get_json()


def _data(web: FlaskClient, url: str, **params: object) -> dict:
    r = web.get(url, query_string=params)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["data"]


# --- input forms, local output ---------------------------------------------------------------

# (zone, start as typed, end as typed, local start shown, local end shown, UTC start stored)
INPUTS = [
    (
        NEW_YORK,
        "2030-06-05T10:00:00",
        "2030-06-05T11:00:00",
        "2030-06-05T10:00:00",
        "2030-06-05T11:00:00",
        "2030-06-05T14:00:00",
    ),
    (
        NEW_YORK,
        "2030-06-05T10:00",
        "2030-06-05T11:00",
        "2030-06-05T10:00:00",
        "2030-06-05T11:00:00",
        "2030-06-05T14:00:00",
    ),
    (
        NEW_YORK,
        "2030-06-05T14:00:00Z",
        "2030-06-05T15:00:00Z",
        "2030-06-05T10:00:00",
        "2030-06-05T11:00:00",
        "2030-06-05T14:00:00",
    ),
    (
        NEW_YORK,
        "2030-06-05T19:30:00+05:30",
        "2030-06-05T20:30:00+05:30",
        "2030-06-05T10:00:00",
        "2030-06-05T11:00:00",
        "2030-06-05T14:00:00",
    ),
    (
        NEW_YORK,
        "2030-06-05T10:00:00-04:00",
        "2030-06-05T11:00:00-04:00",
        "2030-06-05T10:00:00",
        "2030-06-05T11:00:00",
        "2030-06-05T14:00:00",
    ),
    (
        NEW_YORK,
        "2030-06-05T14:00:00.999Z",
        "2030-06-05T15:00:00.5Z",
        "2030-06-05T10:00:00",
        "2030-06-05T11:00:00",
        "2030-06-05T14:00:00",
    ),
    (
        NEW_YORK,
        "2030-01-15T15:00:00Z",
        "2030-01-15T16:00:00Z",
        "2030-01-15T10:00:00",
        "2030-01-15T11:00:00",
        "2030-01-15T15:00:00",
    ),  # EST
    (
        NEW_YORK,
        "2030-01-15T10:00:00",
        "2030-01-15T11:00:00",
        "2030-01-15T10:00:00",
        "2030-01-15T11:00:00",
        "2030-01-15T15:00:00",
    ),
    (
        NEW_YORK,
        "2030-06-06T01:00:00+00:00",
        "2030-06-06T02:00:00+00:00",
        "2030-06-05T21:00:00",
        "2030-06-05T22:00:00",
        "2030-06-06T01:00:00",
    ),
    (
        KOLKATA,
        "2030-06-05T15:30:00",
        "2030-06-05T16:30:00",
        "2030-06-05T15:30:00",
        "2030-06-05T16:30:00",
        "2030-06-05T10:00:00",
    ),
    (
        KOLKATA,
        "2030-06-05T10:00:00Z",
        "2030-06-05T11:00:00Z",
        "2030-06-05T15:30:00",
        "2030-06-05T16:30:00",
        "2030-06-05T10:00:00",
    ),
    (
        KOLKATA,
        "2030-06-05T06:00:00-04:00",
        "2030-06-05T07:00:00-04:00",
        "2030-06-05T15:30:00",
        "2030-06-05T16:30:00",
        "2030-06-05T10:00:00",
    ),
    (
        KOLKATA,
        "2030-06-05T15:30:00+05:30",
        "2030-06-05T16:30:00+05:30",
        "2030-06-05T15:30:00",
        "2030-06-05T16:30:00",
        "2030-06-05T10:00:00",
    ),
    (
        KOLKATA,
        "2030-06-05T23:00:00-05:00",
        "2030-06-06T00:00:00-05:00",
        "2030-06-06T09:30:00",
        "2030-06-06T10:30:00",
        "2030-06-06T04:00:00",
    ),
    (
        KOLKATA,
        "2030-06-05T18:45Z",
        "2030-06-05T19:15Z",
        "2030-06-06T00:15:00",
        "2030-06-06T00:45:00",
        "2030-06-05T18:45:00",
    ),
]


@pytest.mark.parametrize(
    ("zone", "start", "end", "local_start", "local_end", "stored_start"), INPUTS
)
def test_times_typed_in_any_form_are_returned_in_trainers_local_time(
    zoned, admin_web, zone, start, end, local_start, local_end, stored_start
):
    web, _, client = zoned(zone)
    created = _create(web, client.id, start, end)
    assert _times(created) == (local_start, local_end)
    assert _times(_get(web, created["id"])) == (local_start, local_end)
    [listed] = _data(web, SESSIONS)["sessions"]
    assert _times(listed) == (local_start, local_end)
    # Stored as the instant meant: a UTC admin reads it in UTC.
    assert _get(admin_web, created["id"])["scheduled_start"] == stored_start


def test_update_with_offset_is_returned_in_local_time(zoned, admin_web):
    web, _, client = zoned(KOLKATA)
    created = _create(web, client.id, "2030-06-05T09:00:00", "2030-06-05T10:00:00")
    r = web.patch(
        f"{SESSIONS}/{created['id']}",
        json={
            "scheduled_start": "2030-06-05T04:00:00Z",
            "scheduled_end": "2030-06-05T05:00:00-00:00",
        },
    )
    assert r.status_code == 200, r.get_json()
    assert _times(r.get_json()["data"]) == ("2030-06-05T09:30:00", "2030-06-05T10:30:00")
    assert _get(admin_web, created["id"])["scheduled_start"] == "2030-06-05T04:00:00"


def test_conflict_message_names_the_other_session_in_local_time(zoned):
    web, _, client = zoned(KOLKATA)
    _create(web, client.id, "2030-06-05T15:30:00", "2030-06-05T16:30:00", title="Yoga")
    r = web.post(
        SESSIONS,
        json={
            "client_id": client.id,
            "title": "Clash",
            "scheduled_start": "2030-06-05T10:30:00Z",
            "scheduled_end": "2030-06-05T11:30:00Z",
        },
    )
    assert r.status_code == 409
    assert (
        r.get_json()["error"]
        == 'Scheduling conflict detected with session "Yoga" at 2030-06-05T15:30:00'
    )


# --- DST change days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "next_day", "minutes"),
    [
        (SPRING, "2030-03-11", 23 * 60),
        (AUTUMN, "2030-11-04", 25 * 60),
        ("2030-06-05", "2030-06-06", 24 * 60),
    ],
)
def test_availability_on_dst_change_day_is_computed_in_real_time(zoned, day, next_day, minutes):
    web, _, _ = zoned(NEW_YORK)
    _set_hours(web, ALL_DAY)
    data = _data(web, AVAILABILITY, date=day, duration=60)
    assert data["available_slots"] == [
        {"start": f"{day}T00:00:00", "end": f"{next_day}T00:00:00", "duration_minutes": minutes}
    ]
    assert data["booked_sessions"] == []


@pytest.mark.parametrize(
    ("day", "fits", "too_long"),
    [(SPRING, [1, 1380], [1381, 1440]), (AUTUMN, [1, 1380, 1440], []), ("2030-06-05", [1440], [])],
)
def test_availability_dst_day_durations_fit_the_real_length(zoned, day, fits, too_long):
    web, _, _ = zoned(NEW_YORK)
    _set_hours(web, ALL_DAY)
    for duration in fits:
        assert len(_data(web, AVAILABILITY, date=day, duration=duration)["available_slots"]) == 1, (
            duration
        )
    for duration in too_long:
        assert _data(web, AVAILABILITY, date=day, duration=duration)["available_slots"] == [], (
            duration
        )


def test_availability_spring_day_session_across_the_gap(zoned):
    web, _, client = zoned(NEW_YORK)
    _set_hours(web, ALL_DAY)
    created = _create(
        web, client.id, f"{SPRING}T01:00:00", f"{SPRING}T04:00:00", title="Across the gap"
    )
    assert _times(created) == (f"{SPRING}T01:00:00", f"{SPRING}T04:00:00")
    data = _data(web, AVAILABILITY, date=SPRING, duration=60)
    assert data["booked_sessions"] == [
        {"start": f"{SPRING}T01:00:00", "end": f"{SPRING}T04:00:00", "title": "Across the gap"}
    ]
    assert data["available_slots"] == [
        {"start": f"{SPRING}T00:00:00", "end": f"{SPRING}T01:00:00", "duration_minutes": 60},
        {"start": f"{SPRING}T04:00:00", "end": "2030-03-11T00:00:00", "duration_minutes": 20 * 60},
    ]


def test_availability_autumn_day_default_hours_are_twelve_real_hours(zoned):
    web, _, _ = zoned(NEW_YORK)
    data = _data(web, AVAILABILITY, date=AUTUMN)
    assert data["available_slots"] == [
        {"start": f"{AUTUMN}T08:00:00", "end": f"{AUTUMN}T20:00:00", "duration_minutes": 720}
    ]


@pytest.mark.parametrize(
    ("day", "start", "end", "slot"),
    [
        # A boundary the spring gap skips is the moment the clocks jump (03:00 EDT): a range
        # never reaches past its end on the wall clock, nor starts later than it must.
        (SPRING, "00:00", "02:30", (f"{SPRING}T00:00:00", f"{SPRING}T03:00:00", 120)),
        (SPRING, "02:30", "06:00", (f"{SPRING}T03:00:00", f"{SPRING}T06:00:00", 180)),
        (SPRING, "01:00", "04:00", (f"{SPRING}T01:00:00", f"{SPRING}T04:00:00", 120)),
        # A repeated boundary is its first occurrence.
        (AUTUMN, "00:00", "01:30", (f"{AUTUMN}T00:00:00", f"{AUTUMN}T01:30:00", 90)),
        (AUTUMN, "01:30", "03:00", (f"{AUTUMN}T01:30:00", f"{AUTUMN}T03:00:00", 150)),
        (AUTUMN, "00:30", "02:30", (f"{AUTUMN}T00:30:00", f"{AUTUMN}T02:30:00", 180)),
    ],
)
def test_availability_working_hours_boundaries_on_dst_change_days(zoned, day, start, end, slot):
    web, _, _ = zoned(NEW_YORK)
    _set_hours(web, {d: [{"start": start, "end": end}] for d in WEEKDAYS})
    data = _data(web, AVAILABILITY, date=day, duration=1)
    assert data["available_slots"] == [
        {"start": slot[0], "end": slot[1], "duration_minutes": slot[2]}
    ]


def _seed_around(factory, trainer, client, day: str, offsets: tuple[int, int]) -> None:
    """Sessions at 23:30 the evening before, 00:30 and 23:30 on ``day``, and 00:30 the
    morning after, local time; ``offsets`` are the UTC offsets before and after the change."""
    before, after = offsets
    on = date.fromisoformat(day)
    rows = [
        ("Evening before", datetime.combine(on - timedelta(days=1), time(23, 30)), before),
        ("Early on the day", datetime.combine(on, time(0, 30)), before),
        ("Late on the day", datetime.combine(on, time(23, 30)), after),
        ("Morning after", datetime.combine(on + timedelta(days=1), time(0, 30)), after),
    ]
    for title, local, offset in rows:
        start = local.replace(tzinfo=timezone(timedelta(hours=offset))).astimezone(UTC)
        factory.session(trainer, client, start, 30, title=title)


@pytest.mark.parametrize(
    ("day", "next_day", "offsets"),
    [(SPRING, "2030-03-11", (-5, -4)), (AUTUMN, "2030-11-04", (-4, -5))],
)
def test_list_date_filters_on_dst_change_day(zoned, factory, day, next_day, offsets):
    web, trainer, client = zoned(NEW_YORK)
    _seed_around(factory, trainer, client, day, offsets)
    data = _data(web, SESSIONS, start_date=day, end_date=day, sort_order="asc")
    assert [(s["title"], s["scheduled_start"]) for s in data["sessions"]] == [
        ("Early on the day", f"{day}T00:30:00"),
        ("Late on the day", f"{day}T23:30:00"),
    ]
    only_end = _data(web, SESSIONS, end_date=day, sort_order="asc")["sessions"]
    assert [s["title"] for s in only_end] == [
        "Evening before",
        "Early on the day",
        "Late on the day",
    ]
    only_start = _data(web, SESSIONS, start_date=next_day, sort_order="asc")["sessions"]
    assert [s["title"] for s in only_start] == ["Morning after"]


@pytest.mark.parametrize(
    ("day", "next_day", "offsets"),
    [(SPRING, "2030-03-11", (-5, -4)), (AUTUMN, "2030-11-04", (-4, -5))],
)
def test_stats_date_filters_on_dst_change_day(zoned, factory, day, next_day, offsets):
    web, trainer, client = zoned(NEW_YORK)
    _seed_around(factory, trainer, client, day, offsets)
    assert _data(web, STATS, start_date=day, end_date=day)["total_sessions"] == 2
    assert _data(web, STATS, end_date=day)["total_sessions"] == 3
    assert _data(web, STATS, start_date=next_day)["total_sessions"] == 1
    assert (
        _data(web, STATS, start_date=f"{day}T23:30:00", end_date=f"{day}T23:30:00")[
            "total_sessions"
        ]
        == 1
    )


@pytest.mark.parametrize(
    ("zone", "start", "expected_titles"),
    [
        # 00:00 on the 11th in Kolkata is 18:30 UTC on the 10th.
        (KOLKATA, "2030-06-11", ["Kolkata midnight", "Later"]),
        (KOLKATA, "2030-06-10T18:30:00Z", ["Kolkata midnight", "Later"]),
        (KOLKATA, "2030-06-10T18:30:01Z", ["Later"]),
        ("UTC", "2030-06-11", ["Later"]),
    ],
)
def test_date_filters_use_the_trainers_day_boundaries(app, factory, zone, start, expected_titles):
    trainer = factory.trainer(timezone=zone)
    client = factory.client(trainer)
    factory.session(trainer, client, utc("2030-06-10T18:30"), 30, title="Kolkata midnight")
    factory.session(trainer, client, utc("2030-06-11T12:00"), 30, title="Later")
    web = factory.login_as(trainer)
    rows = _data(web, SESSIONS, start_date=start, sort_order="asc")["sessions"]
    assert [s["title"] for s in rows] == expected_titles
    assert _data(web, STATS, start_date=start)["total_sessions"] == len(expected_titles)


# --- wall times that do not exist or happen twice -------------------------------------------------


@pytest.mark.parametrize(
    ("field", "body"),
    [
        (
            "scheduled_start",
            {"scheduled_start": f"{SPRING}T02:30:00", "scheduled_end": f"{SPRING}T04:00:00"},
        ),
        (
            "scheduled_end",
            {"scheduled_start": f"{SPRING}T01:00:00", "scheduled_end": f"{SPRING}T02:30:00"},
        ),
    ],
)
def test_create_with_naive_time_in_spring_gap_is_400_naming_the_field(zoned, field, body):
    web, _, client = zoned(NEW_YORK)
    r = web.post(SESSIONS, json={"client_id": client.id, "title": "Gap"} | body)
    assert_invalid(r, errors={field: GAP_MESSAGE})
    assert _data(web, SESSIONS)["sessions"] == []


def test_update_into_spring_gap_is_400_naming_the_field(zoned):
    web, _, client = zoned(NEW_YORK)
    created = _create(web, client.id, f"{SPRING}T05:00:00", f"{SPRING}T06:00:00")
    r = web.patch(f"{SESSIONS}/{created['id']}", json={"scheduled_start": f"{SPRING}T02:30:00"})
    assert_invalid(r, errors={"scheduled_start": GAP_MESSAGE})


@pytest.mark.parametrize(
    ("url", "param"),
    [(SESSIONS, "start_date"), (SESSIONS, "end_date"), (STATS, "start_date"), (STATS, "end_date")],
)
def test_filter_with_naive_time_in_spring_gap_is_400_naming_the_param(zoned, url, param):
    web, _, _ = zoned(NEW_YORK)
    r = web.get(url, query_string={param: f"{SPRING}T02:30:00"})
    assert_invalid(r, errors={param: GAP_MESSAGE})


def test_spring_gap_time_with_an_offset_is_a_real_instant(zoned, admin_web):
    web, _, client = zoned(NEW_YORK)
    created = _create(web, client.id, f"{SPRING}T02:30:00-05:00", f"{SPRING}T03:30:00-05:00")
    assert _times(created) == (f"{SPRING}T03:30:00", f"{SPRING}T04:30:00")
    assert _get(admin_web, created["id"])["scheduled_start"] == f"{SPRING}T07:30:00"


def test_autumn_repeated_wall_time_means_its_first_occurrence(zoned, admin_web):
    web, _, client = zoned(NEW_YORK)
    created = _create(web, client.id, f"{AUTUMN}T01:30:00", f"{AUTUMN}T01:45:00")
    assert _times(created) == (f"{AUTUMN}T01:30:00", f"{AUTUMN}T01:45:00")
    assert _get(admin_web, created["id"])["scheduled_start"] == f"{AUTUMN}T05:30:00"  # EDT, -04:00
    # The second 01:30 (EST) is reachable with an offset and does not clash with the first.
    second = _create(web, client.id, f"{AUTUMN}T01:30:00-05:00", f"{AUTUMN}T01:45:00-05:00")
    assert _get(admin_web, second["id"])["scheduled_start"] == f"{AUTUMN}T06:30:00"


# --- crossing midnight ---------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", [NEW_YORK, KOLKATA])
def test_session_crossing_midnight_is_booked_on_both_days(zoned, zone):
    web, _, client = zoned(zone)
    _create(web, client.id, "2030-06-05T22:00:00", "2030-06-06T09:00:00", title="Night shift")
    entry = {"start": "2030-06-05T22:00:00", "end": "2030-06-06T09:00:00", "title": "Night shift"}
    first = _data(web, AVAILABILITY, date="2030-06-05")
    assert first["booked_sessions"] == [entry]
    assert first["available_slots"] == [
        {"start": "2030-06-05T08:00:00", "end": "2030-06-05T20:00:00", "duration_minutes": 720}
    ]
    second = _data(web, AVAILABILITY, date="2030-06-06")
    assert second["booked_sessions"] == [entry]
    assert second["available_slots"] == [
        {"start": "2030-06-06T09:00:00", "end": "2030-06-06T20:00:00", "duration_minutes": 660}
    ]
    third = _data(web, AVAILABILITY, date="2030-06-07")
    assert third["booked_sessions"] == []


def test_session_crossing_midnight_blocks_early_morning_with_all_day_hours(zoned):
    web, _, client = zoned(NEW_YORK)
    _set_hours(web, ALL_DAY)
    _create(web, client.id, f"{AUTUMN}T23:00:00", "2030-11-04T02:00:00", title="Late")
    data = _data(web, AVAILABILITY, date="2030-11-04", duration=1)
    assert data["available_slots"] == [
        {"start": "2030-11-04T02:00:00", "end": "2030-11-05T00:00:00", "duration_minutes": 1320}
    ]
    autumn = _data(web, AVAILABILITY, date=AUTUMN, duration=1)
    assert autumn["available_slots"] == [
        {"start": f"{AUTUMN}T00:00:00", "end": f"{AUTUMN}T23:00:00", "duration_minutes": 24 * 60}
    ]


# --- changing the zone ---------------------------------------------------------------------------------


def test_patch_timezone_moves_no_session_in_time(app, factory, admin_web):
    trainer = factory.trainer()  # UTC
    web = factory.login_as(trainer)
    client = factory.client(trainer)
    created = _create(web, client.id, "2030-06-05T10:00:00", "2030-06-05T11:00:00", title="Fixed")
    for zone, local in [
        (KOLKATA, ("2030-06-05T15:30:00", "2030-06-05T16:30:00")),
        (NEW_YORK, ("2030-06-05T06:00:00", "2030-06-05T07:00:00")),
    ]:
        r = web.patch(ME, json={"timezone": zone})
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["data"]["timezone"] == zone
        assert _times(_get(web, created["id"])) == local
        assert _data(web, AVAILABILITY, date="2030-06-05")["booked_sessions"] == [
            {"start": local[0], "end": local[1], "title": "Fixed"}
        ]
        assert _get(admin_web, created["id"])["scheduled_start"] == "2030-06-05T10:00:00"
    # Naive input now means New York time.
    later = _create(
        web, client.id, "2030-06-05T10:00:00", "2030-06-05T11:00:00", title="New York ten"
    )
    assert _get(admin_web, later["id"])["scheduled_start"] == "2030-06-05T14:00:00"


# --- Contract §15: a session read and written back is unchanged, even on a fall-back night.
FALL_BACK_2027 = "2027-11-07"  # New York repeats 01:00-02:00 (EDT, then EST)


@pytest.mark.parametrize(
    ("start_utc", "minutes", "shown"),
    [
        # 01:30 EST (the second 01:30) for 30 minutes: shown 01:30-02:00.
        ("2027-11-07T06:30:00", 30, ("2027-11-07T01:30:00", "2027-11-07T02:00:00")),
        # 01:30 EDT to 01:30 EST, an hour: shown 01:30-01:30.
        ("2027-11-07T05:30:00", 60, ("2027-11-07T01:30:00", "2027-11-07T01:30:00")),
        # 01:45 EDT to 01:15 EST, half an hour: shown 01:45-01:15.
        ("2027-11-07T05:45:00", 30, ("2027-11-07T01:45:00", "2027-11-07T01:15:00")),
    ],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_get_then_put_on_a_fall_back_night_changes_nothing(zoned, factory, start_utc, minutes, shown, method):
    web, trainer, client = zoned(NEW_YORK)
    row = factory.session(trainer, client, utc(start_utc), minutes)
    before = _get(web, row.id)
    assert _times(before) == shown
    assert before["timezone"] == NEW_YORK
    assert before["scheduled_start_utc"] == start_utc + "Z"

    r = getattr(web, method)(f"{SESSIONS}/{row.id}", json=before)

    assert r.status_code == 200, r.get_json()
    after = _get(web, row.id)
    unchanged = ("scheduled_start", "scheduled_end", "scheduled_start_utc", "scheduled_end_utc", "title", "status")
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}
    end = utc(start_utc) + timedelta(minutes=minutes)
    assert after["scheduled_end_utc"] == end.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_new_repeated_wall_time_still_means_its_first_occurrence(zoned, factory):
    web, trainer, client = zoned(NEW_YORK)
    row = factory.session(trainer, client, utc("2027-11-07T06:30:00"), 30)  # 01:30 EST

    # The end moves; the start is written back as read and keeps its instant.
    r = web.patch(f"{SESSIONS}/{row.id}", json={"scheduled_start": "2027-11-07T01:30:00",
                                                  "scheduled_end": "2027-11-07T01:40:00"})
    assert r.status_code == 400  # 01:40 means its first occurrence (EDT), before the start
    assert r.get_json()["errors"] == {"scheduled_end": "Scheduled end time must be after start time"}

    r = web.patch(f"{SESSIONS}/{row.id}", json={"scheduled_start": "2027-11-07T01:15:00",
                                                  "scheduled_end": "2027-11-07T01:45:00"})
    assert r.status_code == 200, r.get_json()
    data = r.get_json()["data"]
    assert (data["scheduled_start_utc"], data["scheduled_end_utc"]) == ("2027-11-07T05:15:00Z", "2027-11-07T05:45:00Z")


def test_session_object_utc_instants_and_zone_for_each_caller(zoned, factory, admin_web):
    web, trainer, client = zoned(KOLKATA)
    row = factory.session(trainer, client, utc("2030-06-01T04:30:00"), 60)
    mine = _get(web, row.id)
    assert (mine["timezone"], mine["scheduled_start"], mine["scheduled_start_utc"]) == (
        KOLKATA, "2030-06-01T10:00:00", "2030-06-01T04:30:00Z")
    seen_by_admin = _get(admin_web, row.id)
    assert (seen_by_admin["timezone"], seen_by_admin["scheduled_start"], seen_by_admin["scheduled_end_utc"]) == (
        "UTC", "2030-06-01T04:30:00", "2030-06-01T05:30:00Z")
