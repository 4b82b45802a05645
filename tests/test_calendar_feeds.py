"""Calendar feeds (contract §12): the feed resource, and the feed read by two independent
readers, the ``icalendar`` parser and ``recurring-ical-events`` (which expands a calendar
the way calendar apps do)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
import pytest
import recurring_ical_events

from mectofitness import timeutil
from mectofitness.services.calendar_feeds import MAX_CALENDAR_FEEDS

from .factories import SESSIONS, utc

FEEDS = "/api/v1/calendar-feeds"
# Long (folded), with characters TEXT escapes and multi-byte ones.
NOTES = "Bring shoes; water, towel\\ — é€😀\nline two " * 6


def make_feed(web, name="Phone") -> dict:
    r = web.post(FEEDS, json={"name": name})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["data"]


def path_of(feed: dict) -> str:
    return urlsplit(feed["url"]).path


def fetch(app, feed: dict, **headers):
    """The feed, fetched with no credentials at all (a fresh client: no cookie)."""
    return app.test_client().get(path_of(feed), headers=headers)


def parsed(app, feed: dict) -> icalendar.Calendar:
    r = fetch(app, feed)
    assert r.status_code == 200, r.data
    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(r.data)


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    found = [e for e in cal.walk("VEVENT")]
    uids = [str(e["UID"]) for e in found]
    assert len(uids) == len(set(uids))
    return {str(e["UID"]): e for e in found}


def instants(body: bytes, start: date, end: date) -> dict[str, tuple[datetime, datetime]]:
    """What a calendar app shows between two dates: UID -> (start, end) in UTC, each once."""
    cal = icalendar.Calendar.from_ical(body)
    out: dict[str, tuple[datetime, datetime]] = {}
    for e in recurring_ical_events.of(cal).between(start, end):
        uid = str(e["UID"])
        assert uid not in out
        out[uid] = (e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
    return out


@pytest.fixture()
def far_web(factory, trainer):
    """Mike, logged in, with a 10-year horizon so that 2030 is inside the feed."""
    web = factory.login_as(trainer)
    r = web.patch("/api/v1/auth/me", json={"scheduling": {"horizon_days": 3650}})
    assert r.status_code == 200, r.get_json()
    return web


# --- the resource -------------------------------------------------------------------


def test_create_feed_url_is_absolute_and_listed_without_it(app, logged_in, trainer):
    feed = make_feed(logged_in, "  Phone  ")
    assert list(feed) == ["id", "name", "url", "created_at"]  # contract §12's keys, in its order
    assert feed["name"] == "Phone"
    assert feed["url"].startswith("http://localhost/api/v1/calendar-feeds/cf_") and feed["url"].endswith(".ics")
    listed = logged_in.get(FEEDS).get_json()["data"]
    assert [f["id"] for f in listed["calendar_feeds"]] == [feed["id"]]
    assert listed["calendar_feeds"][0] == {key: feed[key] for key in ("id", "name", "created_at")}
    assert listed["pagination"]["total_items"] == 1
    secret = path_of(feed).rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        from mectofitness.extensions import db
        from mectofitness.models import CalendarFeed
        stored = db.session.get(CalendarFeed, feed["id"])
        assert stored is not None and stored.trainer_id == trainer.id
        assert secret not in {f.token_hash for f in db.session.query(CalendarFeed)}


def test_create_feed_validation_and_limit(logged_in):
    r = logged_in.post(FEEDS, json={"name": " "})
    assert r.status_code == 400 and "name" in r.get_json()["errors"]
    for n in range(MAX_CALENDAR_FEEDS):
        make_feed(logged_in, f"f{n}")
    r = logged_in.post(FEEDS, json={"name": "one more"})
    assert r.status_code == 409


def test_revoke_feed_then_url_is_404_and_ownership(app, logged_in, factory, other, admin_web):
    feed = make_feed(logged_in)
    theirs = make_feed(factory.login_as(other))
    assert logged_in.delete(f"{FEEDS}/{theirs['id']}").status_code == 403
    assert logged_in.delete(f"{FEEDS}/999999").get_json()["error"] == "Calendar feed not found"
    assert fetch(app, feed).status_code == 200
    assert logged_in.delete(f"{FEEDS}/{feed['id']}").status_code == 200
    r = fetch(app, feed)
    assert r.status_code == 404 and r.get_json()["error"] == "Calendar feed not found"
    assert app.test_client().get(f"{FEEDS}/cf_unknown.ics").status_code == 404
    assert admin_web.delete(f"{FEEDS}/{theirs['id']}").status_code == 200  # admins as elsewhere


# --- the feed -----------------------------------------------------------------------


def test_feed_events_fields_and_privacy(app, factory, trainer, john, far_web):
    s = factory.session(
        trainer, john, utc(2030, 12, 11, 10), title="Leg day", location="Gym 2",
        notes=NOTES, trainer_notes="SECRET knee issue",
    )
    cancelled = factory.session(trainer, john, utc(2030, 12, 12, 10), status="cancelled", title="Gone")
    far_web.post("/api/v1/time-off", json={"start": "2030-12-24T00:00:00", "end": "2030-12-26T00:00:00",
                                           "reason": "Family"})
    feed = make_feed(far_web)
    r = fetch(app, feed)
    assert b"SECRET" not in r.data and b"Family" not in r.data
    cal = icalendar.Calendar.from_ical(r.data)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    found = events(cal)
    e = found[f"session-{s.id}@sessions.mectofitness"]
    assert str(e["SUMMARY"]) == "Leg day — John Doe"
    assert str(e["LOCATION"]) == "Gym 2" and str(e["DESCRIPTION"]) == NOTES
    assert str(e["STATUS"]) == "CONFIRMED" and int(e["SEQUENCE"]) == 0
    assert e["DTSTAMP"] and e["LAST-MODIFIED"]
    assert str(found[f"session-{cancelled.id}@sessions.mectofitness"]["STATUS"]) == "CANCELLED"
    off = [v for k, v in found.items() if k.startswith("time-off-")]
    assert len(off) == 1 and str(off[0]["SUMMARY"]) == "Time off" and str(off[0]["TRANSP"]) == "OPAQUE"


def test_feed_new_york_dst_days_read_by_two_readers(app, factory, far_web, trainer, john):
    far_web.patch("/api/v1/auth/me", json={"timezone": "America/New_York"})
    starts = [
        utc(2030, 3, 10, 6, 30),   # 01:30 EST, before the spring-forward gap
        utc(2030, 3, 10, 7, 30),   # 03:30 EDT, after it
        utc(2030, 11, 3, 5, 30),   # 01:30 EDT, the fall-back hour's first pass
        utc(2030, 11, 3, 6, 30),   # 01:30 EST, its second pass
        utc(2030, 11, 3, 15, 0),   # 10:00 EST
    ]
    ids = [factory.session(trainer, john, at, minutes=45).id for at in starts]
    feed = make_feed(far_web)
    r = fetch(app, feed)
    cal = icalendar.Calendar.from_ical(r.data)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    found = events(cal)
    for sid, at in zip(ids, starts, strict=True):
        e = found[f"session-{sid}@sessions.mectofitness"]
        assert e["DTSTART"].dt.astimezone(UTC) == at
        assert e["DTEND"].dt.astimezone(UTC) == at + timedelta(minutes=45)
    assert found[f"session-{ids[0]}@sessions.mectofitness"]["DTSTART"].params["TZID"] == "America/New_York"
    expanded = instants(r.data, date(2030, 3, 1), date(2030, 12, 1))
    assert expanded == {
        f"session-{sid}@sessions.mectofitness": (at, at + timedelta(minutes=45))
        for sid, at in zip(ids, starts, strict=True)
    }


def test_sequence_rises_on_reschedule_and_cancel_not_on_notes(app, far_web, john):
    r = far_web.post(SESSIONS, json={"client_id": john.id, "title": "T", "scheduled_start": "2030-12-11T10:00:00",
                                     "scheduled_end": "2030-12-11T11:00:00"})
    sid = r.get_json()["data"]["id"]
    feed = make_feed(far_web)
    uid = f"session-{sid}@sessions.mectofitness"

    def sequence() -> int:
        return int(events(parsed(app, feed))[uid]["SEQUENCE"])

    assert sequence() == 0
    assert far_web.patch(f"{SESSIONS}/{sid}", json={"notes": "x", "trainer_notes": "y"}).status_code == 200
    assert sequence() == 0
    assert far_web.patch(f"{SESSIONS}/{sid}", json={"scheduled_start": "2030-12-11T10:00:00"}).status_code == 200
    assert sequence() == 0  # the same time again is no change
    assert far_web.patch(f"{SESSIONS}/{sid}", json={"scheduled_start": "2030-12-11T09:30:00"}).status_code == 200
    assert sequence() == 1
    assert far_web.patch(f"{SESSIONS}/{sid}", json={"status": "completed"}).status_code == 200
    assert sequence() == 2
    assert far_web.delete(f"{SESSIONS}/{sid}").status_code == 200
    assert sequence() == 3
    assert str(events(parsed(app, feed))[uid]["STATUS"]) == "CANCELLED"


def test_feed_window_bounds(app, factory, logged_in, trainer, john):
    now = timeutil.now()
    today = datetime.combine(now.date(), datetime.min.time(), UTC)
    inside = [today - timedelta(days=90), today + timedelta(days=365, hours=23)]
    outside = [today - timedelta(days=90, minutes=60), today + timedelta(days=366)]
    ids = {factory.session(trainer, john, at, minutes=30).id: at for at in inside + outside}
    found = events(parsed(app, make_feed(logged_in)))
    shown = {sid for sid in ids if f"session-{sid}@sessions.mectofitness" in found}
    assert shown == {sid for sid, at in ids.items() if at in inside}


def test_feed_etag_304_and_changes(app, far_web, factory, trainer, john, database):
    feed = make_feed(far_web)
    first = fetch(app, feed)
    tag = first.headers["ETag"]
    again = fetch(app, feed, **{"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    factory.session(trainer, john, utc(2030, 12, 11, 10))
    changed = fetch(app, feed, **{"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


def test_feed_304_is_one_query(app, far_web, trainer, john, factory):
    from sqlalchemy import event

    from mectofitness.extensions import db
    factory.session(trainer, john, utc(2030, 12, 11, 10))
    feed = make_feed(far_web)
    tag = fetch(app, feed).headers["ETag"]
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert fetch(app, feed, **{"If-None-Match": tag}).status_code == 304
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1, statements


def test_sequence_rises_for_each_occurrence_a_series_scope_moves_or_cancels(app, far_web, john):
    r = far_web.post("/api/v1/series", json={
        "client_id": john.id, "title": "Weekly", "scheduled_start": "2030-12-02T10:00:00",
        "scheduled_end": "2030-12-02T11:00:00", "rrule": "FREQ=WEEKLY;COUNT=3"})
    assert r.status_code == 201, r.get_json()
    first, second, third = (s["id"] for s in r.get_json()["data"]["sessions"])
    feed = make_feed(far_web)

    def sequences() -> list[int]:
        found = events(parsed(app, feed))
        return [int(found[f"session-{sid}@sessions.mectofitness"]["SEQUENCE"]) for sid in (first, second, third)]

    moved = far_web.patch(f"{SESSIONS}/{second}", query_string={"scope": "following"},
                          json={"scheduled_start": "2030-12-09T10:30:00", "scheduled_end": "2030-12-09T11:30:00"})
    assert moved.status_code == 200, moved.get_json()
    assert sequences() == [0, 1, 1]
    assert far_web.patch(f"{SESSIONS}/{first}", query_string={"scope": "all"}, json={"notes": "n"}).status_code == 200
    assert sequences() == [0, 1, 1]  # notes are not a new version of the event
    assert far_web.delete(f"{SESSIONS}/{first}", query_string={"scope": "all"}).status_code == 200
    assert sequences() == [1, 2, 2]
