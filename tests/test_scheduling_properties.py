"""Property tests of the §8 rule: for random calendars, settings, date overrides, time off
and zones (DST change days included), the starts availability offers are exactly the ones
the *bookable* rule accepts (``scheduling.Calendar.is_bookable``, written as the contract
states it), and every offered start books with 201 through the HTTP API.

Derandomized (the same examples every run, as CI needs); modest example counts keep the
file to a few seconds per database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mectofitness import domain, timeutil
from mectofitness.services import scheduling

from .test_scheduling import hhmm, local_ranges

PURE = settings(max_examples=150, deadline=None, derandomize=True)
HTTP = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
MINUTE = timedelta(minutes=1)
ZONE_DAYS = [
    ("UTC", date(2030, 6, 5)),
    ("Asia/Kolkata", date(2030, 6, 5)),
    ("America/New_York", date(2030, 3, 10)),  # 23 hours
    ("America/New_York", date(2030, 11, 3)),  # 25 hours
    ("Australia/Lord_Howe", date(2030, 4, 7)),  # 24.5 hours
    ("Europe/London", date(2030, 3, 31)),
]


@st.composite
def calendars(draw: st.DrawFn) -> tuple[scheduling.Calendar, date, int, list[tuple[int, int, str]], list[tuple[int, int]]]:
    """A trainer's calendar over two local days (the second one after a DST change day's
    eve or itself): hours for both weekdays, maybe an override, sessions (some cancelled,
    never two occupying ones overlapping), time off, settings and a clock. Returns the
    calendar, the first day, the duration, and the sessions and time off as minutes from
    the first day's start (for the HTTP test to write)."""
    zone, change_day = draw(st.sampled_from(ZONE_DAYS), label="zone, day")
    first = change_day - timedelta(days=draw(st.integers(0, 1), label="day before?"))
    tz = ZoneInfo(zone)
    origin = timeutil.day_start(first, tz)
    hours = {
        domain.WEEKDAYS[(first + timedelta(days=n)).weekday()]: [
            {"start": hhmm(s), "end": hhmm(e)} for s, e in draw(local_ranges(min_ranges=1, max_ranges=2), label="hours")
        ]
        for n in (0, 1)
    }
    overrides = {}
    if draw(st.booleans(), label="override?"):
        which = first + timedelta(days=draw(st.integers(0, 1)))
        overrides[which.isoformat()] = [
            {"start": hhmm(s), "end": hhmm(e)} for s, e in draw(local_ranges(max_ranges=2), label="override")
        ]
    sessions: list[tuple[int, int, str]] = []
    occupied: list[tuple[int, int]] = []
    for offset, minutes, status in draw(st.lists(st.tuples(
        st.integers(-300, 3000), st.integers(5, 240), st.sampled_from(["scheduled", "completed", "cancelled"])
    ), max_size=5), label="sessions"):
        if status != "cancelled":
            if any(offset < e and s < offset + minutes for s, e in occupied):
                continue
            occupied.append((offset, offset + minutes))
        sessions.append((offset, minutes, status))
    time_off = draw(st.lists(st.tuples(st.integers(-300, 3000), st.integers(5, 600)), max_size=2), label="time off")
    rules = scheduling.Rules(
        buffer_minutes=draw(st.sampled_from([0, 0, 10, 15, 45]), label="buffer"),
        min_notice_minutes=draw(st.sampled_from([0, 0, 30, 600]), label="notice"),
        horizon_days=draw(st.sampled_from([None, None, 1, 2]), label="horizon"),
        slot_step_minutes=draw(st.sampled_from([5, 15, 20, 30, 60]), label="step"),
    )
    now = origin + draw(st.integers(-48 * 60, 20 * 60), label="now (minutes from the first day)") * MINUTE
    calendar = scheduling.Calendar(
        tz=tz,
        rules=rules,
        now=now,
        hours=domain.effective_working_hours(hours),
        overrides=overrides,
        sessions=[(origin + s * MINUTE, origin + e * MINUTE) for s, e in occupied],
        time_off=[(origin + s * MINUTE, origin + (s + n) * MINUTE) for s, n in time_off],
    )
    duration = draw(st.sampled_from([15, 30, 45, 60, 90]), label="duration")
    return calendar, first, duration, sessions, time_off


def bookable_by_the_rule(calendar: scheduling.Calendar, first: date, duration: int) -> list[datetime]:
    """Every whole-minute start over the two days that the rule accepts (and whose local
    text names it: see services.availability)."""
    start = timeutil.day_start(first, calendar.tz)
    end = timeutil.day_start(first + timedelta(days=2), calendar.tz)
    need = duration * MINUTE
    found, at = [], start
    while at < end:
        if calendar.is_bookable(at, at + need) and timeutil.reads_back(at, calendar.tz):
            found.append(at)
        at += MINUTE
    return found


def offered(calendar: scheduling.Calendar, first: date, duration: int) -> list[datetime]:
    days = (first, first + timedelta(days=1))
    return [at for day in days for at in calendar.start_times(day, duration) if timeutil.reads_back(at, calendar.tz)]


@PURE
@given(case=calendars())
def test_offered_starts_are_exactly_the_bookable_ones(case):
    calendar, first, duration, _, _ = case
    starts = offered(calendar, first, duration)
    assert starts == sorted(set(starts))
    assert starts == bookable_by_the_rule(calendar, first, duration)
    # And each one lies inside a maximal bookable interval of its day, as available_slots say.
    for at in starts:
        day = timeutil.to_local(at, calendar.tz).date()
        assert any(s <= at and at + duration * MINUTE <= e for s, e in calendar.bookable_intervals(day))


@HTTP
@given(case=calendars(), data=st.data())
def test_http_offered_starts_are_the_bookable_ones_and_each_books(app, factory, monkeypatch, case, data):
    calendar, first, duration, sessions, time_off = case
    tz, origin = calendar.tz, timeutil.day_start(first, calendar.tz)
    monkeypatch.setattr(timeutil, "now", lambda: calendar.now)  # before logging in: logins expire by it
    trainer = factory.trainer(timezone=tz.key)
    client = factory.client(trainer)
    web = factory.login_as(trainer)
    for offset, minutes, status in sessions:
        factory.session(trainer, client, origin + offset * MINUTE, minutes, status=status)
    for offset, minutes in time_off:
        start = origin + offset * MINUTE
        body = {"start": timeutil.format_utc(start), "end": timeutil.format_utc(start + minutes * MINUTE)}
        assert web.post("/api/v1/time-off", json=body).status_code == 201
    rules = calendar.rules
    r = web.patch("/api/v1/auth/me", json={
        "working_hours": {day: calendar.hours[day] for day in domain.WEEKDAYS},
        "working_hours_overrides": dict(calendar.overrides),
        "scheduling": {
            "buffer_minutes": rules.buffer_minutes,
            "min_notice_minutes": rules.min_notice_minutes,
            "horizon_days": rules.horizon_days,
            "slot_step_minutes": rules.slot_step_minutes,
        },
    })
    assert r.status_code == 200, r.get_json()
    r = web.get("/api/v1/sessions/availability", query_string={
        "start_date": first.isoformat(), "end_date": (first + timedelta(days=1)).isoformat(), "duration": duration,
    })
    assert r.status_code == 200, r.get_json()
    texts = r.get_json()["data"]["start_times"]
    starts = [timeutil.local_to_utc(datetime.fromisoformat(text), tz) for text in texts]
    assert starts == bookable_by_the_rule(calendar, first, duration), (calendar, first, duration, r.get_json(), sessions, time_off)
    event("starts offered" if texts else "no start offered")
    if not texts:
        return
    # Every offered start books; one is booked here, a client's way: the local text.
    text = data.draw(st.sampled_from(texts), label="start booked")
    start = timeutil.local_to_utc(datetime.fromisoformat(text), tz)
    body = {
        "client_id": client.id,
        "title": "Booked from availability",
        "scheduled_start": text,
        "scheduled_end": timeutil.format_utc(start + duration * MINUTE),
    }
    r = web.post("/api/v1/sessions", json=body)
    assert r.status_code == 201, (text, r.get_json())

