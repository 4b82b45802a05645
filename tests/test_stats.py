"""Session statistics over HTTP (document §6, contract §3, §4 and §6): shape, counts per
status and type, date / client / trainer filters, upcoming sessions, derived rates,
validation, and one aggregate query whatever the number of sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from mectofitness import timeutil

from .factories import assert_invalid
from .test_queries import _selects_on_sessions, captured_sql

STATS = "/api/v1/sessions/stats"
STATUSES = ("scheduled", "completed", "cancelled", "no-show")
TYPES = ("personal", "group", "online", "assessment", "consultation")
ISO_MESSAGE = "Must be an ISO 8601 date or datetime (YYYY-MM-DDTHH:MM:SS)"
OUT_OF_RANGE = "Not a valid date or time (out of range)"
PAST = datetime(2020, 3, 2, 9, 0, tzinfo=UTC)
FUTURE = datetime(2030, 6, 3, 9, 0, tzinfo=UTC)


def _zeros(keys: tuple[str, ...], **counts: int) -> dict[str, int]:
    return {key: 0 for key in keys} | {key.replace("_", "-"): n for key, n in counts.items()}


def _empty_stats() -> dict:
    return {
        "total_sessions": 0,
        "by_status": _zeros(STATUSES),
        "by_type": _zeros(TYPES),
        "upcoming_sessions": 0,
        "completion_rate": 0.0,
        "no_show_rate": 0.0,
        "cancellation_rate": 0.0,
        "completed_hours": 0.0,
    }


def _stats(web: FlaskClient, **params: object) -> dict:
    r = web.get(STATS, query_string={k: v for k, v in params.items() if v is not None})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["success"] is True
    return body["data"]


# --- shape ---------------------------------------------------------------------------------


def test_stats_with_no_sessions_has_every_status_and_type_at_zero(logged_in):
    r = logged_in.get(STATS)
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"success", "data"}
    assert body["success"] is True
    assert body["data"] == _empty_stats()
    assert list(body["data"]["by_status"]) == list(STATUSES)
    assert list(body["data"]["by_type"]) == list(TYPES)


def test_stats_requires_authentication(client):
    r = client.get(STATS)
    assert r.status_code == 401
    assert r.get_json() == {"success": False, "error": "Authentication required"}


@pytest.mark.parametrize("status", STATUSES)
def test_stats_counts_one_session_under_its_status_only(logged_in, factory, trainer, status):
    factory.session(trainer, factory.client(trainer), PAST, status=status)
    data = _stats(logged_in)
    assert data["total_sessions"] == 1
    assert data["by_status"] == {s: int(s == status) for s in STATUSES}
    assert data["by_type"] == _zeros(TYPES, personal=1)


@pytest.mark.parametrize("session_type", TYPES)
def test_stats_counts_one_session_under_its_type_only(logged_in, factory, trainer, session_type):
    factory.session(trainer, factory.client(trainer), PAST, session_type=session_type)
    data = _stats(logged_in)
    assert data["total_sessions"] == 1
    assert data["by_type"] == {t: int(t == session_type) for t in TYPES}
    assert data["by_status"] == _zeros(STATUSES, scheduled=1)


# (status, type, minutes, past?) for a calendar mixing every status and type.
MIXED = [
    ("completed", "personal", 60, True),
    ("completed", "personal", 60, True),
    ("completed", "personal", 60, True),
    ("completed", "group", 90, True),
    ("no-show", "personal", 60, True),
    ("cancelled", "online", 60, True),
    ("scheduled", "assessment", 60, True),  # in the past: not upcoming
    ("scheduled", "personal", 60, False),
    ("scheduled", "personal", 45, False),
    ("scheduled", "consultation", 30, False),
    ("cancelled", "personal", 60, False),  # in the future but cancelled: not upcoming
]


def _seed_mixed(factory, trainer, client) -> None:
    for i, (status, kind, minutes, past) in enumerate(MIXED):
        start = (PAST if past else FUTURE) + timedelta(hours=2 * i)
        factory.session(trainer, client, start, minutes, status=status, session_type=kind)


def test_stats_counts_a_mixed_calendar_exactly(logged_in, factory, trainer):
    _seed_mixed(factory, trainer, factory.client(trainer))
    assert _stats(logged_in) == {
        "total_sessions": 11,
        "by_status": {"scheduled": 4, "completed": 4, "cancelled": 2, "no-show": 1},
        "by_type": {"personal": 7, "group": 1, "online": 1, "assessment": 1, "consultation": 1},
        "upcoming_sessions": 3,
        "completion_rate": 36.4,  # 4 / 11
        "no_show_rate": 9.1,  # 1 / 11
        "cancellation_rate": 18.2,  # 2 / 11
        "completed_hours": 4.5,  # 3 x 60 + 90 minutes
    }


@pytest.mark.parametrize(
    ("completed", "no_show", "cancelled", "scheduled", "rates"),
    [
        (1, 0, 0, 0, (100.0, 0.0, 0.0)),
        (0, 0, 0, 3, (0.0, 0.0, 0.0)),
        (1, 1, 1, 0, (33.3, 33.3, 33.3)),
        (2, 0, 1, 0, (66.7, 0.0, 33.3)),
        (1, 2, 0, 0, (33.3, 66.7, 0.0)),
        (3, 1, 2, 1, (42.9, 14.3, 28.6)),
        (1, 0, 0, 7, (12.5, 0.0, 0.0)),
    ],
)
def test_stats_rates_are_percent_of_total_to_one_decimal(
    logged_in, factory, trainer, completed, no_show, cancelled, scheduled, rates
):
    client = factory.client(trainer)
    statuses = (
        ["completed"] * completed
        + ["no-show"] * no_show
        + ["cancelled"] * cancelled
        + ["scheduled"] * scheduled
    )
    for i, status in enumerate(statuses):
        factory.session(trainer, client, PAST + timedelta(hours=i), status=status)
    data = _stats(logged_in)
    assert data["total_sessions"] == len(statuses)
    assert (data["completion_rate"], data["no_show_rate"], data["cancellation_rate"]) == rates


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [
        ([60], 1.0),
        ([45], 0.75),
        ([90, 30], 2.0),
        ([20, 20, 20], 1.0),
        ([50], 0.83),
        ([24 * 60], 24.0),
    ],
)
def test_stats_completed_hours_sum_scheduled_length_of_completed_sessions(
    logged_in, factory, trainer, minutes, hours
):
    client = factory.client(trainer)
    for i, length in enumerate(minutes):
        factory.session(trainer, client, PAST + timedelta(days=2 * i), length, status="completed")
    # Other statuses never count towards completed hours.
    factory.session(trainer, client, PAST - timedelta(days=1), 120, status="no-show")
    factory.session(trainer, client, PAST - timedelta(days=2), 120, status="scheduled")
    assert _stats(logged_in)["completed_hours"] == hours


# --- date filters ----------------------------------------------------------------------------

# One session of each type, so by_type shows exactly which were counted.
DATED = {
    "personal": datetime(2030, 6, 1, 9, 0, tzinfo=UTC),
    "group": datetime(2030, 6, 10, 0, 0, tzinfo=UTC),
    "online": datetime(2030, 6, 10, 23, 30, tzinfo=UTC),
    "assessment": datetime(2030, 6, 11, 0, 0, tzinfo=UTC),
    "consultation": datetime(2030, 6, 20, 12, 0, tzinfo=UTC),
}


@pytest.mark.parametrize(
    ("start_date", "end_date", "counted"),
    [
        (None, None, set(DATED)),
        ("2030-06-10", "2030-06-10", {"group", "online"}),  # a bare end date includes its whole day
        (None, "2030-06-10", {"personal", "group", "online"}),
        ("2030-06-11", None, {"assessment", "consultation"}),
        ("2030-06-10T00:00:01", None, {"online", "assessment", "consultation"}),
        (
            "2030-06-10T00:00:00",
            "2030-06-11T00:00:00",
            {"group", "online", "assessment"},
        ),  # both ends inclusive
        ("2030-06-10T23:30:00", "2030-06-10T23:30:00", {"online"}),
        ("2030-06-10T23:30", "2030-06-10T23:30", {"online"}),
        (None, "2030-06-10T23:29:59", {"personal", "group"}),
        ("2030-06-10T23:30:01", "2030-06-11T00:00:00", {"assessment"}),
        ("2030-06-10T00:00:00.999999", "2030-06-10T00:00:00.5", {"group"}),  # fractions dropped
        ("2030-06-10T05:30:00+05:30", "2030-06-10T05:30:00+05:30", {"group"}),
        ("2030-06-10T19:30:00-04:00", "2030-06-11T00:00:00Z", {"online", "assessment"}),
        ("2030-06-21", None, set()),
        ("2030-06-11", "2030-06-10", set()),
    ],
)
def test_stats_start_and_end_date_filter_on_scheduled_start(
    logged_in, factory, trainer, start_date, end_date, counted
):
    client = factory.client(trainer)
    for kind, start in DATED.items():
        factory.session(trainer, client, start, 30, session_type=kind)
    data = _stats(logged_in, start_date=start_date, end_date=end_date)
    assert data["by_type"] == {kind: int(kind in counted) for kind in TYPES}
    assert data["total_sessions"] == len(counted)
    assert data["by_status"] == _zeros(STATUSES, scheduled=len(counted))
    assert data["upcoming_sessions"] == len(counted)


def test_stats_document_current_month_example(logged_in, factory, trainer):
    client = factory.client(trainer)
    factory.session(trainer, client, datetime(2030, 11, 30, 23, 0, tzinfo=UTC), status="completed")
    factory.session(trainer, client, datetime(2030, 12, 1, 0, 0, tzinfo=UTC), status="completed")
    factory.session(trainer, client, datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC), 1)
    factory.session(trainer, client, datetime(2031, 1, 1, 0, 1, tzinfo=UTC))
    data = _stats(logged_in, start_date="2030-12-01T00:00:00", end_date="2030-12-31T23:59:59")
    assert data["total_sessions"] == 2
    assert data["by_status"] == _zeros(STATUSES, scheduled=1, completed=1)


def test_stats_document_last_30_days_python_example(logged_in, factory, trainer):
    """The document's client: naive ``datetime.now()`` bounds with microseconds, as
    ``requests`` sends them (the trainer's zone is UTC, like this machine's clock)."""
    client = factory.client(trainer)
    real_now = datetime.now(UTC).replace(microsecond=0)
    factory.session(trainer, client, real_now - timedelta(days=10), status="completed")
    factory.session(trainer, client, real_now - timedelta(days=20), status="no-show")
    factory.session(trainer, client, real_now - timedelta(days=29, hours=23), status="completed")
    factory.session(
        trainer, client, real_now - timedelta(days=31), status="completed"
    )  # before the window
    factory.session(trainer, client, real_now + timedelta(days=3))  # after it

    end_date = datetime.now(UTC).replace(tzinfo=None)
    start_date = end_date - timedelta(days=30)
    params = {"start_date": start_date.isoformat(), "end_date": end_date.isoformat()}
    assert "." in params["end_date"] or end_date.microsecond == 0
    stats = _stats(logged_in, **params)
    assert stats["total_sessions"] == 3
    assert stats["by_status"] == _zeros(STATUSES, completed=2, no_show=1)
    assert f"{stats['by_status']['completed'] / stats['total_sessions'] * 100:.1f}%" == "66.7%"
    assert stats["completion_rate"] == 66.7
    assert stats["upcoming_sessions"] == 0


# --- client and trainer filters ------------------------------------------------------------------


def test_stats_client_id_filters_to_that_client(logged_in, factory, trainer):
    jane, john = factory.client(trainer), factory.client(trainer)
    factory.session(trainer, jane, PAST, status="completed")
    factory.session(trainer, jane, FUTURE)
    factory.session(
        trainer, john, PAST + timedelta(hours=2), status="no-show", session_type="group"
    )
    jane_stats = _stats(logged_in, client_id=jane.id)
    assert jane_stats["total_sessions"] == 2
    assert jane_stats["by_status"] == _zeros(STATUSES, completed=1, scheduled=1)
    assert jane_stats["upcoming_sessions"] == 1
    john_stats = _stats(logged_in, client_id=str(john.id))
    assert john_stats["by_status"] == _zeros(STATUSES, no_show=1)
    assert john_stats["by_type"] == _zeros(TYPES, group=1)
    assert john_stats["no_show_rate"] == 100.0


def test_stats_client_id_of_another_trainers_client_is_all_zeros(logged_in, factory, trainer):
    factory.session(trainer, factory.client(trainer), PAST)
    other = factory.trainer()
    theirs = factory.client(other)
    factory.session(other, theirs, PAST, status="completed")
    factory.session(other, theirs, FUTURE)
    assert _stats(logged_in, client_id=theirs.id) == _empty_stats()


def test_stats_client_id_that_does_not_exist_is_all_zeros(logged_in, factory, trainer):
    factory.session(trainer, factory.client(trainer), PAST)
    assert _stats(logged_in, client_id=999999) == _empty_stats()


def test_stats_client_without_sessions_is_all_zeros(logged_in, factory, trainer):
    factory.session(trainer, factory.client(trainer), PAST)
    assert _stats(logged_in, client_id=factory.client(trainer).id) == _empty_stats()


def test_stats_trainer_sees_only_own_sessions(logged_in, factory, trainer):
    factory.session(trainer, factory.client(trainer), PAST, status="completed")
    other = factory.trainer()
    for i in range(3):
        factory.session(
            other, factory.client(other), PAST + timedelta(hours=2 * i), status="no-show"
        )
    data = _stats(logged_in)
    assert data["total_sessions"] == 1
    assert data["by_status"] == _zeros(STATUSES, completed=1)


@pytest.fixture()
def two_calendars(factory, trainer):
    """mike: 1 completed and 1 upcoming; other: 3 no-shows and 1 upcoming group class."""
    mikes = factory.client(trainer)
    factory.session(trainer, mikes, PAST, status="completed")
    factory.session(trainer, mikes, FUTURE)
    other = factory.trainer()
    theirs = factory.client(other)
    for i in range(3):
        factory.session(other, theirs, PAST + timedelta(hours=2 * i), status="no-show")
    factory.session(other, theirs, FUTURE, session_type="group")
    return trainer, other, theirs


def test_stats_admin_sees_every_trainer(app, factory, two_calendars):
    admin = factory.admin()
    data = _stats(factory.login_as(admin))
    assert data["total_sessions"] == 6
    assert data["by_status"] == _zeros(STATUSES, completed=1, scheduled=2, no_show=3)
    assert data["by_type"] == _zeros(TYPES, personal=5, group=1)
    assert data["upcoming_sessions"] == 2
    assert data["no_show_rate"] == 50.0


def test_stats_admin_filters_by_trainer_id(app, factory, two_calendars):
    mike, other, theirs = two_calendars
    web = factory.login_as(factory.admin())
    mikes = _stats(web, trainer_id=mike.id)
    assert mikes["by_status"] == _zeros(STATUSES, completed=1, scheduled=1)
    assert mikes["upcoming_sessions"] == 1
    others = _stats(web, trainer_id=other.id)
    assert others["by_status"] == _zeros(STATUSES, no_show=3, scheduled=1)
    assert others["by_type"] == _zeros(TYPES, personal=3, group=1)
    assert _stats(web, trainer_id=other.id, client_id=theirs.id)["total_sessions"] == 4
    assert _stats(web, trainer_id=mike.id, client_id=theirs.id) == _empty_stats()
    assert _stats(web, trainer_id=999999) == _empty_stats()


def test_stats_non_admin_trainer_id_is_ignored(logged_in, two_calendars):
    _, other, theirs = two_calendars
    data = _stats(logged_in, trainer_id=other.id)
    assert data["total_sessions"] == 2
    assert data["by_status"] == _zeros(STATUSES, completed=1, scheduled=1)
    assert _stats(logged_in, trainer_id=other.id, client_id=theirs.id) == _empty_stats()


# --- upcoming ------------------------------------------------------------------------------------

CLOCK = datetime(2030, 6, 15, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "status", "upcoming"),
    [
        (timedelta(days=-1), "scheduled", 0),
        (timedelta(minutes=-30), "scheduled", 0),  # under way, not upcoming
        (timedelta(0), "scheduled", 0),  # starting this very second is not the future
        (timedelta(seconds=1), "scheduled", 1),
        (timedelta(days=400), "scheduled", 1),
        (timedelta(days=1), "cancelled", 0),
        (timedelta(days=1), "completed", 0),
        (timedelta(days=1), "no-show", 0),
    ],
)
def test_stats_upcoming_counts_scheduled_sessions_starting_after_now(
    app, factory, trainer, monkeypatch, offset, status, upcoming
):
    monkeypatch.setattr(
        timeutil, "now", lambda: CLOCK
    )  # before logging in: logins expire by this clock
    factory.session(trainer, factory.client(trainer), CLOCK + offset, status=status)
    data = _stats(factory.login_as(trainer))
    assert data["total_sessions"] == 1
    assert data["upcoming_sessions"] == upcoming


def test_stats_upcoming_with_the_real_clock(logged_in, factory, trainer):
    client = factory.client(trainer)
    real_now = datetime.now(UTC).replace(microsecond=0)
    factory.session(trainer, client, real_now - timedelta(hours=3))
    factory.session(trainer, client, real_now - timedelta(minutes=30))
    factory.session(trainer, client, real_now + timedelta(hours=1))
    factory.session(trainer, client, real_now + timedelta(days=2))
    factory.session(trainer, client, real_now + timedelta(days=3), status="cancelled")
    data = _stats(logged_in)
    assert data["by_status"] == _zeros(STATUSES, scheduled=4, cancelled=1)
    assert data["upcoming_sessions"] == 2


def test_stats_upcoming_respects_date_and_client_filters(logged_in, factory, trainer):
    jane, john = factory.client(trainer), factory.client(trainer)
    factory.session(trainer, jane, datetime(2030, 6, 5, 9, tzinfo=UTC))
    factory.session(trainer, jane, datetime(2030, 7, 5, 9, tzinfo=UTC))
    factory.session(trainer, john, datetime(2030, 6, 6, 9, tzinfo=UTC))
    factory.session(trainer, john, datetime(2030, 6, 7, 9, tzinfo=UTC), status="cancelled")
    factory.session(trainer, john, PAST)
    assert _stats(logged_in)["upcoming_sessions"] == 3
    assert _stats(logged_in, end_date="2030-06-30")["upcoming_sessions"] == 2
    assert _stats(logged_in, start_date="2030-07-01")["upcoming_sessions"] == 1
    assert _stats(logged_in, client_id=jane.id)["upcoming_sessions"] == 2
    assert _stats(logged_in, client_id=john.id)["upcoming_sessions"] == 1
    assert _stats(logged_in, client_id=john.id, start_date="2030-06-07")["upcoming_sessions"] == 0


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"start_date": "abc"}, {"start_date": ISO_MESSAGE}),
        ({"start_date": ""}, {"start_date": ISO_MESSAGE}),
        ({"start_date": "2030-06-10 10:00"}, {"start_date": ISO_MESSAGE}),
        ({"start_date": "10/06/2030"}, {"start_date": ISO_MESSAGE}),
        ({"start_date": "2030-06-10T10:00:00+5"}, {"start_date": ISO_MESSAGE}),
        ({"end_date": "2030-13-01"}, {"end_date": OUT_OF_RANGE}),
        ({"end_date": "2030-02-30"}, {"end_date": OUT_OF_RANGE}),
        ({"end_date": "2030-06-10T25:00:00"}, {"end_date": OUT_OF_RANGE}),
        ({"end_date": "2030-06-10T10:00:00+05:60"}, {"end_date": OUT_OF_RANGE}),
        ({"client_id": "abc"}, {"client_id": "Must be an integer"}),
        ({"client_id": "1.5"}, {"client_id": "Must be an integer"}),
        ({"client_id": "0"}, {"client_id": "Must be at least 1"}),
        ({"client_id": "-5"}, {"client_id": "Must be at least 1"}),
        ({"client_id": str(2**31)}, {"client_id": "Must be at most 2147483647"}),
        ({"end_date": "9999-12-31"}, {"end_date": "Year must be between 1900 and 2999"}),
        ({"start_date": "0001-01-01T00:00:00+05:00"}, {"start_date": "Year must be between 1900 and 2999"}),
        ({"client_id": ""}, {"client_id": "Must be an integer"}),
        (
            {"start_date": "yesterday", "end_date": "2030-02-30", "client_id": "five"},
            {
                "start_date": ISO_MESSAGE,
                "end_date": OUT_OF_RANGE,
                "client_id": "Must be an integer",
            },
        ),
    ],
)
def test_stats_invalid_params_are_400_naming_each(logged_in, params, errors):
    r = logged_in.get(STATS, query_string=params)
    assert_invalid(r, errors=errors)


# --- one query -----------------------------------------------------------------------------------


@pytest.mark.parametrize("sessions", [0, 1, 30])
@pytest.mark.parametrize("filtered", [False, True])
def test_stats_is_one_aggregate_query_whatever_the_number_of_sessions(
    app, logged_in, factory, trainer, sessions, filtered
):
    client = factory.client(trainer)
    for i in range(sessions):
        status = STATUSES[i % len(STATUSES)]
        factory.session(
            trainer,
            client,
            PAST + timedelta(hours=2 * i),
            status=status,
            session_type=TYPES[i % len(TYPES)],
        )
    query = f"?client_id={client.id}&start_date=2020-01-01&end_date=2031-01-01" if filtered else ""
    with captured_sql(app) as statements:
        r = logged_in.get(STATS + query)
    assert r.status_code == 200
    assert r.get_json()["data"]["total_sessions"] == sessions
    selects = _selects_on_sessions(statements)
    assert len(selects) == 1, [sql for sql, _ in selects]
    assert "COUNT(*) FILTER" in selects[0][0].upper()  # counted by the database, not row by row here
