"""``GET /api/v1/sessions``, section 1 of ``sessions-api.md`` as decided by the contract:
the page's shape, query parameters, pagination, sorting, filters, and whose sessions are
listed."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from mectofitness import timeutil
from mectofitness.extensions import db
from mectofitness.models import Client, Trainer, TrainingSession

from .expected import CLIENT_KEYS, SESSION_KEYS, SESSION_TYPES, STATUSES
from .factories import BEYOND, SESSIONS, assert_invalid, create, get, listed, listed_ids, utc

SORT_FIELDS = ("scheduled_start", "scheduled_end", "created_at", "updated_at", "status", "title")


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


# --- the answer -----------------------------------------------------------------------


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


@pytest.mark.parametrize("query", [{}, {"include_client": "true"}, {"include_trainer": "1"},
                                   {"include_client": "yes", "include_trainer": "true"}])
def test_list_items_are_the_session_objects(factory, query):
    """The list writes its items from table rows (its fast path), ``GET`` from the
    ``SessionOut`` model: they must agree on every key, value and the keys' order, in a
    zone that is not UTC and with every optional field set."""
    trainer = factory.trainer(timezone="America/New_York")
    client = factory.client(trainer, name="Ann", email="ann@example.com")
    web = factory.login_as(trainer)
    full = {"description": "d", "location": "Gym", "notes": "n", "trainer_notes": "t", "client_feedback": "f",
            "exercises_performed": "e", "google_event_id": "g", "outlook_event_id": "o", "status": "completed",
            "actual_start": "2030-03-10T01:05:00", "actual_end": "2030-03-10T03:10:00", "session_type": "group"}
    create(web, client.id, "2030-03-10T01:00:00", "2030-03-10T03:30:00", **full)  # across the spring-forward gap
    create(web, client.id, "2030-11-03T01:30:00", "2030-11-03T01:45:00")  # in the repeated hour
    items = listed(web, **query)["sessions"]
    assert len(items) == 2
    for item in items:
        single = get(web, item["id"], **query)
        assert list(item.items()) == list(single.items())


def test_list_sessions_empty(logged_in):
    assert listed(logged_in) == {
        "sessions": [],
        "pagination": {"page": 1, "per_page": 20, "total_pages": 0, "total_items": 0, "has_next": False, "has_prev": False},
    }


# --- query parameters -----------------------------------------------------------------


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


# --- pagination, sorting and filters --------------------------------------------------


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
def sort_rows(app, factory, trainer, john) -> list[int]:
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
def dated(factory, trainer, john) -> dict[str, int]:
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


# --- ownership ------------------------------------------------------------------------


def test_list_sessions_shows_only_own(logged_in, john, other_session):
    mine = create(logged_in, john.id, "2030-12-12T10:00", "2030-12-12T11:00")
    data = listed(logged_in)
    assert [item["id"] for item in data["sessions"]] == [mine["id"]]
    assert data["pagination"]["total_items"] == 1


def test_list_sessions_trainer_id_filter_ignored_for_non_admin(logged_in, john, other, other_session):
    mine = create(logged_in, john.id)
    assert listed_ids(logged_in, trainer_id=str(other.id)) == [mine["id"]]


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
