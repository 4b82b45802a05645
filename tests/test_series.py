"""Recurring sessions (contract §9): a series booked all or nothing on the wall clock,
read back, and changed or cancelled this / following / all, through HTTP."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from .factories import SESSIONS, assert_invalid, create, get, listed, utc

SERIES = "/api/v1/series"


def new_series(client_id: int, rrule: str, start: str = "2030-10-01T07:00:00", end: str = "2030-10-01T08:00:00",
               **fields: Any) -> dict[str, Any]:
    return {"client_id": client_id, "title": "Strength", "scheduled_start": start, "scheduled_end": end,
            "rrule": rrule} | fields


def book(web, client_id: int, rrule: str, **kwargs: Any) -> dict[str, Any]:
    r = web.post(SERIES, json=new_series(client_id, rrule, **kwargs))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["success"] is True
    return body["data"]


@pytest.fixture()
def new_york(factory):
    trainer = factory.trainer(timezone="America/New_York")
    return factory.login_as(trainer), factory.client(trainer), trainer


# --- booking ----------------------------------------------------------------------------------


def test_new_york_tue_thu_07_00_for_six_months_across_november_then_moved_and_cancelled(new_york):
    web, client, _ = new_york
    data = book(web, client.id, "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20310331")
    sessions = data["sessions"]
    assert list(data) == ["id", "rrule", "timezone", "occurrences", "sessions", "skipped"]  # contract §9's keys
    assert data["timezone"] == "America/New_York" and data["skipped"] == []
    assert data["occurrences"] == len(sessions) == 52
    assert all(s["scheduled_start"][11:] == "07:00:00" and s["scheduled_end"][11:] == "08:00:00" for s in sessions)
    assert all(s["series_id"] == data["id"] for s in sessions)
    # The wall clock holds; the instant moves by the hour of the November change (and March's).
    by_day = {s["scheduled_start"][:10]: s for s in sessions}
    assert by_day["2030-10-31"]["scheduled_start_utc"] == "2030-10-31T11:00:00Z"
    assert by_day["2030-11-05"]["scheduled_start_utc"] == "2030-11-05T12:00:00Z"
    assert by_day["2031-03-13"]["scheduled_start_utc"] == "2031-03-13T11:00:00Z"
    assert {s["scheduled_start"][:10] for s in sessions} >= {"2030-10-01", "2030-10-03", "2031-03-27"}

    # "This and following" from a December date: to 07:30-08:30, every later one too.
    december = by_day["2030-12-10"]
    r = web.patch(f"{SESSIONS}/{december['id']}", query_string={"scope": "following"},
                  json={"scheduled_start": "2030-12-10T07:30:00", "scheduled_end": "2030-12-10T08:30:00"})
    assert r.status_code == 200, r.get_json()
    # One occurrence cancelled (scope this, the default).
    january = by_day["2031-01-07"]
    r = web.delete(f"{SESSIONS}/{january['id']}")
    assert r.status_code == 200 and r.get_json()["data"]["status"] == "cancelled"

    # The calendar read back: the series, the list filter and one GET agree.
    r = web.get(f"{SERIES}/{data['id']}")
    assert r.status_code == 200 and r.headers.get("ETag")
    assert list(r.get_json()["data"]) == ["id", "rrule", "timezone", "occurrences", "sessions"]
    back = r.get_json()["data"]["sessions"]
    assert [s["id"] for s in back] == [s["id"] for s in sessions]
    for s in back:
        day = s["scheduled_start"][:10]
        expected = "07:30:00" if day >= "2030-12-10" else "07:00:00"
        assert s["scheduled_start"][11:] == expected, s
        assert s["scheduled_end"][11:] == ("08:30:00" if day >= "2030-12-10" else "08:00:00")
        assert s["status"] == ("cancelled" if day == "2031-01-07" else "scheduled")
    assert {s["scheduled_start"]: s["scheduled_start_utc"] for s in back}["2031-03-13T07:30:00"] == "2031-03-13T11:30:00Z"
    page = listed(web, series_id=data["id"], per_page=100, sort_order="asc")
    assert page["pagination"]["total_items"] == 52
    assert page["sessions"] == [get(web, s["id"]) for s in page["sessions"]]
    assert [s["id"] for s in page["sessions"]] == [s["id"] for s in back]


def test_spring_forward_gap_occurrence_is_skipped_and_not_counted(new_york):
    web, client, _ = new_york
    data = book(web, client.id, "FREQ=DAILY;COUNT=3", start="2030-03-09T02:30:00", end="2030-03-09T03:00:00")
    assert [s["scheduled_start"] for s in data["sessions"]] == [
        "2030-03-09T02:30:00", "2030-03-11T02:30:00", "2030-03-12T02:30:00"]
    assert data["occurrences"] == 3
    assert data["skipped"] == [{"scheduled_start": "2030-03-10T02:30:00",
                                "reason": "Does not exist in America/New_York: the clocks skip it for daylight saving"}]


def test_monthly_by_month_day_and_interval(logged_in, john):
    data = book(logged_in, john.id, "RRULE:FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15;COUNT=3",
                start="2030-01-15T09:00:00", end="2030-01-15T10:00:00")
    assert [s["scheduled_start"][:10] for s in data["sessions"]] == ["2030-01-15", "2030-03-15", "2030-05-15"]
    assert data["rrule"] == "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15;COUNT=3"


@pytest.mark.parametrize("rrule", [
    "FREQ=YEARLY;COUNT=2",            # not in the subset
    "FREQ=DAILY",                     # neither COUNT nor UNTIL
    "FREQ=DAILY;COUNT=2;UNTIL=20301231",
    "FREQ=DAILY;COUNT=201",           # over 200
    "FREQ=DAILY;COUNT=2;BYHOUR=7",    # unknown part
    "FREQ=WEEKLY;BYDAY=XX;COUNT=2",
    "FREQ=DAILY;UNTIL=2030-12-31",
    "FREQ=DAILY;UNTIL=20330101",      # over 2 years
    "FREQ=MONTHLY;COUNT=30",          # COUNT reaching past 2 years
    "FREQ=DAILY;UNTIL=20330101T000000Z",
    "FREQ=DAILY;UNTIL=00010101T000000Z",  # out of the calendar: 400, not an overflow
    "FREQ=DAILY;UNTIL=20300101",      # before the first occurrence
    "FREQ=DAILY;COUNT=2\x00",
    "FREQ=WEEKLY;BYDAY=WE;COUNT=2",   # 2030-10-01 is a Tuesday: not its first occurrence
    "FREQ=WEEKLY;INTERVAL=0;COUNT=2",
    "garbage",
    "",
])
def test_bad_rules_are_400_naming_rrule(logged_in, john, rrule):
    r = logged_in.post(SERIES, json=new_series(john.id, rrule))
    assert_invalid(r, "rrule")
    assert listed(logged_in)["pagination"]["total_items"] == 0


def test_bad_fields_are_named_together_with_the_rule(logged_in, john):
    r = logged_in.post(SERIES, json=new_series(john.id, "FREQ=DAILY", title="", on_conflict="maybe",
                                               actual_start="2030-10-01T07:00:00"))
    assert_invalid(r, "rrule", "title", "on_conflict", "actual_start")
    r = logged_in.post(SERIES, json={"rrule": 5})
    assert_invalid(r, "rrule", "client_id", "title", "scheduled_start", "scheduled_end")


def test_another_trainers_client_is_named_with_the_other_bad_fields(logged_in, factory, other):
    theirs = factory.client(other, name="Not yours")
    r = logged_in.post(SERIES, json=new_series(theirs.id, "FREQ=DAILY;COUNT=2", title=""))
    assert_invalid(r, "client_id", "title")  # one answer names both, as a single create's does
    r = logged_in.post(SERIES, json=new_series(theirs.id, "FREQ=DAILY;COUNT=2"))
    assert_invalid(r, "client_id")


def test_exactly_200_daily_occurrences_are_booked(logged_in, john):
    data = book(logged_in, john.id, "FREQ=DAILY;COUNT=200")
    assert data["occurrences"] == 200


# --- conflicts --------------------------------------------------------------------------------


def test_on_conflict_fail_books_nothing_and_lists_every_conflict(logged_in, factory, trainer, john):
    factory.session(trainer, john, utc(2030, 10, 8, 7, 30), title="Blocker A")
    factory.session(trainer, john, utc(2030, 10, 22, 6, 30), title="Blocker B")
    r = logged_in.post(
        "/api/v1/time-off", json={"start": "2030-10-29T00:00:00", "end": "2030-10-30T00:00:00", "reason": "Course"})
    assert r.status_code == 201
    r = logged_in.post(SERIES, json=new_series(john.id, "FREQ=WEEKLY;COUNT=6"))
    body = r.get_json()
    assert r.status_code == 409, body
    assert body["error"] == 'Scheduling conflict detected with session "Blocker A" at 2030-10-08T07:30:00'
    assert body["errors"] == {
        "2030-10-08T07:00:00": 'Scheduling conflict detected with session "Blocker A" at 2030-10-08T07:30:00',
        "2030-10-22T07:00:00": 'Scheduling conflict detected with session "Blocker B" at 2030-10-22T06:30:00',
        "2030-10-29T07:00:00": 'Scheduling conflict detected with time off "Course" at 2030-10-29T00:00:00',
    }
    assert listed(logged_in)["pagination"]["total_items"] == 2  # only the blockers


def test_on_conflict_skip_books_the_rest_and_lists_the_skipped(logged_in, factory, trainer, john):
    factory.session(trainer, john, utc(2030, 10, 8, 7, 30), title="Blocker")
    data = book(logged_in, john.id, "FREQ=WEEKLY;COUNT=4", on_conflict="skip")
    assert [s["scheduled_start"][:10] for s in data["sessions"]] == ["2030-10-01", "2030-10-15", "2030-10-22"]
    assert data["occurrences"] == 3
    assert data["skipped"] == [{"scheduled_start": "2030-10-08T07:00:00",
                                "reason": 'Scheduling conflict detected with session "Blocker" at 2030-10-08T07:30:00'}]


def test_series_respects_the_buffer_between_its_own_occurrences_and_others(logged_in, factory, trainer, john):
    r = logged_in.patch("/api/v1/auth/me", json={"scheduling": {"buffer_minutes": 30}})
    assert r.status_code == 200
    factory.session(trainer, john, utc(2030, 10, 2, 8, 10), title="Near")  # 10 minutes after the 2nd ends
    r = logged_in.post(SERIES, json=new_series(john.id, "FREQ=DAILY;COUNT=3"))
    assert r.status_code == 409
    assert list(r.get_json()["errors"]) == ["2030-10-02T07:00:00"]


def test_series_query_count_does_not_grow_with_its_occurrences(app, logged_in, factory, trainer, john):
    from .test_queries import captured_sql

    factory.session(trainer, john, utc(2030, 10, 1, 12))
    counts = []
    for count, start in ((2, "2030-10-01T07:00:00"), (52, "2031-10-07T07:00:00")):
        with captured_sql(app) as statements:
            r = logged_in.post(SERIES, json=new_series(john.id, f"FREQ=WEEKLY;COUNT={count}", start=start,
                                                       end=start[:11] + "08:00:00"))
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["data"]["occurrences"] == count
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- series_id, GET /series -------------------------------------------------------------------


def test_one_off_sessions_have_series_id_null_and_it_is_read_only(logged_in, john):
    one = create(logged_in, john.id)
    assert one["series_id"] is None
    data = book(logged_in, john.id, "FREQ=WEEKLY;COUNT=2")
    first = data["sessions"][0]
    # PUT back what was read, series_id with the other read-only fields: nothing changes.
    r = logged_in.put(f"{SESSIONS}/{first['id']}", json=first | {"series_id": 999})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["data"]["series_id"] == data["id"]
    r = logged_in.patch(f"{SESSIONS}/{one['id']}", json={"series_id": data["id"]})
    assert r.status_code == 200 and r.get_json()["data"]["series_id"] is None
    assert listed(logged_in, series_id=data["id"])["pagination"]["total_items"] == 2
    assert listed(logged_in, series_id=999_999)["pagination"]["total_items"] == 0
    assert_invalid(logged_in.get(SESSIONS, query_string={"series_id": "x"}), "series_id")
    r = logged_in.get("/api/v1/sessions/stats", query_string={"series_id": data["id"]})
    assert r.status_code == 200 and r.get_json()["data"]["total_sessions"] == 2


def test_get_series_404_403_and_etag(logged_in, john, factory, other, other_client):
    assert logged_in.get(f"{SERIES}/999").get_json() == {"success": False, "error": "Series not found"}
    theirs = book(factory.login_as(other), other_client.id, "FREQ=DAILY;COUNT=2")
    r = logged_in.get(f"{SERIES}/{theirs['id']}")
    assert r.status_code == 403
    assert r.get_json()["error"] == "You do not have permission to view this series"
    data = book(logged_in, john.id, "FREQ=DAILY;COUNT=3")
    url = f"{SERIES}/{data['id']}"
    first = logged_in.get(url)
    tag = first.headers["ETag"]
    assert logged_in.get(url, headers={"If-None-Match": tag}).status_code == 304
    # A change to one occurrence is a change to the series.
    r = logged_in.patch(f"{SESSIONS}/{data['sessions'][1]['id']}", json={"title": "Moved"})
    assert r.status_code == 200
    second = logged_in.get(url, headers={"If-None-Match": tag})
    assert second.status_code == 200 and second.headers["ETag"] != tag
    assert [s["title"] for s in second.get_json()["data"]["sessions"]] == ["Strength", "Moved", "Strength"]


# --- scopes -----------------------------------------------------------------------------------


def test_scope_all_leaves_completed_cancelled_and_no_show_alone(logged_in, john):
    data = book(logged_in, john.id, "FREQ=DAILY;COUNT=5")
    ids = [s["id"] for s in data["sessions"]]
    for session_id, status in zip(ids[:3], ("completed", "cancelled", "no-show"), strict=True):
        assert logged_in.patch(f"{SESSIONS}/{session_id}", json={"status": status}).status_code == 200
    before = {i: get(logged_in, i) for i in ids}
    r = logged_in.patch(f"{SESSIONS}/{ids[4]}", query_string={"scope": "all"},
                        json={"title": "Renamed", "scheduled_start": "2030-10-05T09:00:00",
                              "scheduled_end": "2030-10-05T10:00:00"})
    assert r.status_code == 200, r.get_json()
    after = {i: get(logged_in, i) for i in ids}
    for i in ids[:3]:
        assert after[i] == before[i]
    assert [after[i]["scheduled_start"] for i in ids[3:]] == ["2030-10-04T09:00:00", "2030-10-05T09:00:00"]
    assert all(after[i]["title"] == "Renamed" and after[i]["updated_at"] >= before[i]["updated_at"] for i in ids[3:])


def test_scoped_move_into_a_busy_slot_moves_nothing_and_lists_it(logged_in, factory, trainer, john):
    data = book(logged_in, john.id, "FREQ=WEEKLY;COUNT=4")
    factory.session(trainer, john, utc(2030, 10, 22, 8, 30), title="Busy")
    before = [get(logged_in, s["id"]) for s in data["sessions"]]
    r = logged_in.patch(f"{SESSIONS}/{data['sessions'][1]['id']}", query_string={"scope": "following"},
                        json={"scheduled_start": "2030-10-08T08:00:00", "scheduled_end": "2030-10-08T09:00:00"})
    assert r.status_code == 409
    assert r.get_json()["errors"] == {
        "2030-10-22T08:00:00": 'Scheduling conflict detected with session "Busy" at 2030-10-22T08:30:00'}
    assert [get(logged_in, s["id"]) for s in data["sessions"]] == before


def test_scope_this_changes_one_and_keeps_it_in_the_series(logged_in, john):
    data = book(logged_in, john.id, "FREQ=DAILY;COUNT=3")
    middle = data["sessions"][1]
    r = logged_in.patch(f"{SESSIONS}/{middle['id']}",
                        json={"scheduled_start": "2030-10-02T12:00:00", "scheduled_end": "2030-10-02T13:00:00"})
    assert r.status_code == 200 and r.get_json()["data"]["series_id"] == data["id"]
    starts = [s["scheduled_start"][11:16] for s in logged_in.get(f"{SERIES}/{data['id']}").get_json()["data"]["sessions"]]
    assert starts == ["07:00", "12:00", "07:00"]


def test_scoped_delete_cancels_or_deletes_the_same_set(logged_in, john):
    data = book(logged_in, john.id, "FREQ=DAILY;COUNT=4")
    ids = [s["id"] for s in data["sessions"]]
    r = logged_in.delete(f"{SESSIONS}/{ids[2]}", query_string={"scope": "following"})
    assert r.status_code == 200 and r.get_json()["data"]["status"] == "cancelled"
    assert [get(logged_in, i)["status"] for i in ids] == ["scheduled", "scheduled", "cancelled", "cancelled"]
    r = logged_in.delete(f"{SESSIONS}/{ids[0]}", query_string={"scope": "all", "permanent": "true"})
    assert r.status_code == 200
    # The scheduled ones are gone; the cancelled ones are history and stay.
    assert [logged_in.get(f"{SESSIONS}/{i}").status_code for i in ids] == [404, 404, 200, 200]
    assert_invalid(logged_in.delete(f"{SESSIONS}/{ids[2]}", query_string={"scope": "some"}), "scope")


def test_scope_on_a_one_off_session_is_that_session(logged_in, john):
    one = create(logged_in, john.id)
    r = logged_in.patch(f"{SESSIONS}/{one['id']}", query_string={"scope": "all"}, json={"title": "Solo"})
    assert r.status_code == 200 and r.get_json()["data"]["title"] == "Solo"


# --- races (real server processes) ------------------------------------------------------------


@pytest.mark.slow
def test_series_races_single_bookings_and_another_series_never_partial_never_overlapping(
    db_url, tmp_path, factory, trainer, john
):
    from datetime import timedelta

    from sqlalchemy import create_engine, select

    from mectofitness.config import normalize_database_url
    from mectofitness.domain import OCCUPYING_STATUSES
    from mectofitness.models import TrainingSession

    from .factories import PASSWORD
    from .live import live_server, login_cookie
    from .test_concurrency import race

    weekly = "FREQ=WEEKLY;COUNT=52"
    requests_to_send = [
        # Two series over the same Mondays (07:00 and 07:30), 52 weeks each...
        ("POST", SERIES, new_series(john.id, weekly, start="2031-01-06T07:00:00", end="2031-01-06T08:00:00")),
        ("POST", SERIES, new_series(john.id, weekly, start="2031-01-06T07:30:00", end="2031-01-06T08:30:00")),
    ] + [
        # ...and single bookings into their slots, spread over the year.
        ("POST", SESSIONS, {"client_id": john.id, "title": f"Single {week}",
                            "scheduled_start": f"{(utc(2031, 1, 6) + timedelta(weeks=week)).date()}T07:15:00",
                            "scheduled_end": f"{(utc(2031, 1, 6) + timedelta(weeks=week)).date()}T07:45:00"})
        for week in range(0, 52, 3)
    ]
    with live_server(db_url, tmp_path / "instance", workers=3, threads=4) as server:
        cookie = login_cookie(server.base, trainer.username, PASSWORD)
        statuses = race([(method, server.base + path, body) for method, path, body in requests_to_send], cookie)
    assert set(statuses) <= {201, 409}, statuses
    engine = create_engine(normalize_database_url(db_url))
    with engine.connect() as conn:
        rows = conn.execute(
            select(TrainingSession.series_id, TrainingSession.scheduled_start, TrainingSession.scheduled_end)
            .where(TrainingSession.trainer_id == trainer.id, TrainingSession.status.in_(OCCUPYING_STATUSES))
            .order_by(TrainingSession.scheduled_start)
        ).all()
    engine.dispose()
    per_series: dict[int, int] = {}
    for row in rows:
        if row.series_id is not None:
            per_series[row.series_id] = per_series.get(row.series_id, 0) + 1
    assert all(count == 52 for count in per_series.values()), per_series  # never a partial series
    assert all(a.scheduled_end <= b.scheduled_start for a, b in itertools.pairwise(rows)), "overlap"  # never an overlap
    assert len(rows) == statuses[201] + 51 * len(per_series)  # every 201 is on the calendar


@pytest.mark.postgresql_only
@pytest.mark.parametrize("on_conflict", ["fail", "skip"])
def test_postgres_constraint_refusing_an_occurrence_rolls_back_the_series(
    logged_in, factory, trainer, john, database, monkeypatch, on_conflict
):
    # A booking that lands between the series' check and its write (as a racer's would):
    # the check is made to miss it once, and the exclusion constraint must refuse the write.
    # PostgreSQL only: its exclusion constraint is what refuses; SQLite serializes the check and the write.
    from mectofitness.services import scheduling

    factory.session(trainer, john, utc(2030, 10, 15, 7, 30), title="Racer")
    real, calls = scheduling.conflicts, []

    def misses_once(*args: Any, **kwargs: Any) -> dict[int, str]:
        calls.append(1)
        return {} if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(scheduling, "conflicts", misses_once)
    r = logged_in.post(SERIES, json=new_series(john.id, "FREQ=WEEKLY;COUNT=4", on_conflict=on_conflict))
    if on_conflict == "fail":
        assert r.status_code == 409, r.get_json()
        assert r.get_json()["errors"] == {
            "2030-10-15T07:00:00": 'Scheduling conflict detected with session "Racer" at 2030-10-15T07:30:00'}
        assert listed(logged_in)["pagination"]["total_items"] == 1
    else:  # checked again, the taken slot skipped, the rest booked
        assert r.status_code == 201, r.get_json()
        data = r.get_json()["data"]
        assert [s["scheduled_start"][:10] for s in data["sessions"]] == ["2030-10-01", "2030-10-08", "2030-10-22"]
        assert [s["scheduled_start"] for s in data["skipped"]] == ["2030-10-15T07:00:00"]
        assert listed(logged_in)["pagination"]["total_items"] == 4
