"""Property tests of the scheduling rules (``services/scheduling``): the overlap rule, working
hours on ordinary and DST change days, and free-interval arithmetic, checked against an
independent sweep-line oracle; then one HTTP property: a slot that /availability offers
can really be booked (201, never 409)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from mectofitness import domain, timeutil
from mectofitness.services import scheduling
from mectofitness.services.scheduling import Interval

# Deterministic in CI; modest counts keep the file well under a minute per database.
PURE = settings(max_examples=200, deadline=None, derandomize=True)
HTTP = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

MINUTE = timedelta(minutes=1)
BASE = datetime(2030, 6, 5, tzinfo=UTC)
ZONES = (
    "UTC",
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "America/Santiago",
    "Australia/Lord_Howe",
)


def _days_of_change(zone: str, year: int = 2030) -> list[date]:
    tz = ZoneInfo(zone)
    day, found = date(year, 1, 1), []
    while day.year == year:
        start, end = timeutil.day_bounds(day, tz)
        if end - start != timedelta(days=1):
            found.append(day)
        day += timedelta(days=1)
    return found


# Every zone on an ordinary day and on each of its 2030 DST change days.
ZONE_DAYS = sorted(
    {(zone, date(2030, 6, 5)) for zone in ZONES}
    | {(z, d) for z in ZONES for d in _days_of_change(z)}
)


def test_zone_days_include_23_and_25_hour_days():
    lengths = set()
    for zone, day in ZONE_DAYS:
        start, end = timeutil.day_bounds(day, ZoneInfo(zone))
        lengths.add(end - start)
    # Lord Howe changes by half an hour.
    assert lengths == {timedelta(hours=h) for h in (23, 23.5, 24, 24.5, 25)}
    assert ("America/New_York", date(2030, 3, 10)) in ZONE_DAYS
    assert ("America/New_York", date(2030, 11, 3)) in ZONE_DAYS


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- strategies ---------------------------------------------------------------------------------


@st.composite
def local_ranges(
    draw: st.DrawFn, min_ranges: int = 0, max_ranges: int = 4
) -> list[tuple[int, int]]:
    """Working ranges as the profile validates them: ordered, non-overlapping minutes of the
    day in [0, 1440] (24:00 included), some touching."""
    n = draw(st.integers(min_ranges, max_ranges))
    points = sorted(
        draw(st.lists(st.integers(0, 1440), min_size=2 * n, max_size=2 * n, unique=True))
    )
    ranges = [(points[2 * i], points[2 * i + 1]) for i in range(n)]
    touch = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return [(ranges[i - 1][1] if i and touch[i] else s, e) for i, (s, e) in enumerate(ranges)]


def minute_intervals(
    low: int, high: int, max_size: int = 8
) -> st.SearchStrategy[list[tuple[int, int]]]:
    """Intervals as (start, length) in minutes."""
    return st.lists(st.tuples(st.integers(low, high), st.integers(1, 600)), max_size=max_size)


@st.composite
def day_scenarios(draw: st.DrawFn):
    zone, day = draw(st.sampled_from(ZONE_DAYS))
    tz = ZoneInfo(zone)
    day_start, _ = timeutil.day_bounds(day, tz)
    ranges = draw(local_ranges())
    hours = {
        domain.WEEKDAYS[day.weekday()]: [{"start": hhmm(s), "end": hhmm(e)} for s, e in ranges]
    }
    windows = scheduling.working_intervals(day, tz, domain.effective_working_hours(hours))
    busy = [
        (day_start + s * MINUTE, day_start + (s + n) * MINUTE)
        for s, n in draw(minute_intervals(-600, 1500 + 600))
    ]
    not_before = draw(
        st.none()
        | st.builds(
            lambda m, s: day_start + m * MINUTE + timedelta(seconds=s),
            st.integers(-120, 1560),
            st.sampled_from([0, 0, 0, 1, 30, 59]),
        )
    )
    return windows, busy, not_before


# --- an independent oracle ---------------------------------------------------------------------------


def _covered(point: datetime, intervals: list[Interval]) -> bool:
    return any(start <= point < end for start, end in intervals)


def oracle_free(
    windows: list[Interval], busy: list[Interval], not_before: datetime | None
) -> list[Interval]:
    """Maximal free intervals by a sweep over every boundary: between two consecutive
    boundaries, "free" (in a window, in no busy interval, not before not_before) is constant."""
    points = sorted(
        {p for iv in windows + busy for p in iv} | ({not_before} if not_before else set())
    )
    free: list[Interval] = []
    for left, right in pairwise(points):
        ok = (
            _covered(left, windows)
            and not _covered(left, busy)
            and (not_before is None or left >= not_before)
        )
        if not ok:
            continue
        if free and free[-1][1] == left:
            free[-1] = (free[-1][0], right)
        else:
            free.append((left, right))
    return free


def _inside(interval: Interval, union: list[Interval]) -> bool:
    return any(start <= interval[0] and interval[1] <= end for start, end in union)


# --- overlaps ----------------------------------------------------------------------------------------


@PURE
@given(
    a=st.tuples(st.integers(0, 200), st.integers(1, 100)),
    b=st.tuples(st.integers(0, 200), st.integers(1, 100)),
)
@example(a=(10, 5), b=(15, 5))  # back to back
@example(a=(10, 5), b=(14, 5))  # one minute shared
@example(a=(10, 20), b=(15, 1))  # contained
def test_overlaps_is_symmetric_and_half_open(a, b):
    ia = (BASE + a[0] * MINUTE, BASE + (a[0] + a[1]) * MINUTE)
    ib = (BASE + b[0] * MINUTE, BASE + (b[0] + b[1]) * MINUTE)
    shared_minutes = set(range(a[0], a[0] + a[1])) & set(range(b[0], b[0] + b[1]))
    assert scheduling.overlaps(ia, ib) == scheduling.overlaps(ib, ia) == bool(shared_minutes)


@PURE
@given(
    start=st.integers(0, 1000),
    first=st.integers(1, 300),
    second=st.integers(1, 300),
    gap=st.integers(0, 5),
)
def test_overlaps_back_to_back_or_apart_is_false(start, first, second, gap):
    a = (BASE + start * MINUTE, BASE + (start + first) * MINUTE)
    b = (a[1] + gap * MINUTE, a[1] + (gap + second) * MINUTE)
    assert not scheduling.overlaps(a, b)
    assert not scheduling.overlaps(b, a)
    assert scheduling.overlaps(a, (a[1] - MINUTE, b[1]))  # one minute earlier: they share it


# --- working hours -------------------------------------------------------------------------------------


def _first_instant_at_or_after(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """Oracle for a working-hours boundary: the first instant whose wall-clock time on ``day``
    is ``minutes`` past midnight or later (a repeated time: its first occurrence; a skipped
    one: the moment the clocks jump past it), found by walking minute by minute."""
    wall = datetime.combine(day, datetime.min.time()) + minutes * MINUTE
    # Two hours before either reading of ``wall`` the clock showed an earlier time; walk from there.
    candidate = min(wall.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)) - timedelta(
        hours=2
    )
    while timeutil.to_local(candidate, tz) < wall:
        candidate += MINUTE
    return candidate


@PURE
@given(scenario=st.sampled_from(ZONE_DAYS), ranges=local_ranges())
def test_working_intervals_map_each_boundary_to_its_first_instant(scenario, ranges):
    zone, day = scenario
    tz = ZoneInfo(zone)
    hours = {
        domain.WEEKDAYS[day.weekday()]: [{"start": hhmm(s), "end": hhmm(e)} for s, e in ranges]
    }
    windows = scheduling.working_intervals(day, tz, hours)
    expected = [
        (_first_instant_at_or_after(day, s, tz), _first_instant_at_or_after(day, e, tz))
        for s, e in ranges
    ]
    assert windows == sorted(iv for iv in expected if iv[1] > iv[0])
    day_start, day_end = timeutil.day_bounds(day, tz)
    for start, end in windows:
        assert day_start <= start < end <= day_end


@PURE
@given(scenario=st.sampled_from(ZONE_DAYS), ranges=local_ranges())
def test_working_intervals_in_utc_are_the_local_ranges(scenario, ranges):
    _, day = scenario
    hours = {
        domain.WEEKDAYS[day.weekday()]: [{"start": hhmm(s), "end": hhmm(e)} for s, e in ranges]
    }
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    assert scheduling.working_intervals(day, ZoneInfo("UTC"), hours) == [
        (midnight + s * MINUTE, midnight + e * MINUTE) for s, e in ranges
    ]


@PURE
@given(
    stored=st.dictionaries(
        st.sampled_from(domain.WEEKDAYS),
        local_ranges().map(lambda rs: [{"start": hhmm(s), "end": hhmm(e)} for s, e in rs]),
    )
)
def test_effective_working_hours_fill_unstored_days_with_the_default(stored):
    hours = domain.effective_working_hours(stored)
    assert list(hours) == list(domain.WEEKDAYS)
    for day in domain.WEEKDAYS:
        assert hours[day] == stored.get(day, [{"start": "08:00", "end": "20:00"}])


def test_effective_working_hours_of_nothing_stored_is_eight_to_eight_every_day():
    assert domain.effective_working_hours(None) == {
        day: [{"start": "08:00", "end": "20:00"}] for day in domain.WEEKDAYS
    }


# --- free intervals ------------------------------------------------------------------------------------


@PURE
@given(scenario=day_scenarios())
def test_free_intervals_are_the_maximal_free_time(scenario):
    windows, busy, not_before = scenario
    free = scheduling.free_intervals(windows, busy, not_before=not_before)

    assert free == oracle_free(windows, busy, not_before)
    working = oracle_free(windows, [], None)  # the union of the working windows
    for i, (start, end) in enumerate(free):
        assert start < end
        if i:
            assert free[i - 1][1] < start  # sorted, apart: touching pieces would be one slot
        assert not any(scheduling.overlaps((start, end), b) for b in busy)
        assert _inside((start, end), working)
        assert not_before is None or start >= not_before
        # Maximal: one more minute on either side is busy, outside working hours, or past.
        earlier = (start - MINUTE, start)
        assert (
            any(scheduling.overlaps(earlier, b) for b in busy)
            or not _inside(earlier, working)
            or (not_before is not None and earlier[0] < not_before)
        )
        later = (end, end + MINUTE)
        assert any(scheduling.overlaps(later, b) for b in busy) or not _inside(later, working)


@PURE
@given(scenario=day_scenarios(), duration=st.integers(1, 1440))
def test_long_enough_keeps_exactly_the_slots_of_at_least_duration(scenario, duration):
    windows, busy, not_before = scenario
    free = scheduling.free_intervals(windows, busy, not_before=not_before)
    kept = scheduling.long_enough(free, duration)
    assert all(end - start >= duration * MINUTE for start, end in kept)
    assert [iv for iv in free if iv not in kept] == [
        iv for iv in free if iv[1] - iv[0] < duration * MINUTE
    ]
    assert kept == [iv for iv in free if iv in kept]  # order kept


@PURE
@given(busy=minute_intervals(0, 1400), length=st.integers(1, 120))
def test_free_intervals_back_to_back_busy_leave_no_gap(busy, length):
    window = [(BASE, BASE + 1440 * MINUTE)]
    chain = [
        (BASE + (100 + i * length) * MINUTE, BASE + (100 + (i + 1) * length) * MINUTE)
        for i in range(3)
    ]
    extra = [(BASE + s * MINUTE, BASE + (s + n) * MINUTE) for s, n in busy]
    for start, end in scheduling.free_intervals(window, chain + extra):
        assert not (chain[0][0] < end and start < chain[-1][1])


def test_free_intervals_examples():
    at = lambda h, m=0: BASE + timedelta(hours=h, minutes=m)
    windows = [(at(8), at(20))]
    busy = [(at(10), at(11)), (at(14), at(15, 30))]
    assert scheduling.free_intervals(windows, busy) == [
        (at(8), at(10)),
        (at(11), at(14)),
        (at(15, 30), at(20)),
    ]
    assert scheduling.free_intervals(windows, busy, not_before=at(10, 30)) == [
        (at(11), at(14)),
        (at(15, 30), at(20)),
    ]
    assert scheduling.free_intervals([(at(6), at(10)), (at(10), at(12))], []) == [(at(6), at(12))]
    assert scheduling.free_intervals([], busy) == []
    assert scheduling.long_enough([(at(8), at(9, 30))], 90) == [(at(8), at(9, 30))]
    assert scheduling.long_enough([(at(8), at(9, 30))], 91) == []


# --- over HTTP: an offered slot can be booked --------------------------------------------------------

HTTP_ZONE_DAYS = [
    ("UTC", date(2030, 6, 5)),
    ("Asia/Kolkata", date(2030, 6, 5)),
    ("America/New_York", date(2030, 6, 5)),
    ("America/New_York", date(2030, 3, 10)),  # 23 hours
]


@HTTP
@given(data=st.data())
def test_http_a_slot_offered_by_availability_can_be_booked(app, factory, data):
    zone, day = data.draw(st.sampled_from(HTTP_ZONE_DAYS), label="zone, day")
    tz = ZoneInfo(zone)
    trainer = factory.trainer(timezone=zone)
    client = factory.client(trainer)
    web = app.test_client()
    factory.login(web, trainer)

    ranges = data.draw(local_ranges(min_ranges=1, max_ranges=2), label="working ranges")
    hours = {
        domain.WEEKDAYS[day.weekday()]: [{"start": hhmm(s), "end": hhmm(e)} for s, e in ranges]
    }
    assert web.patch("/api/v1/auth/me", json={"working_hours": hours}).status_code == 200

    day_start, _ = timeutil.day_bounds(day, tz)
    occupied: list[Interval] = []
    for offset, minutes, status in data.draw(
        st.lists(
            st.tuples(
                st.integers(-300, 1500),
                st.integers(5, 300),
                st.sampled_from(["scheduled", "completed", "no-show", "cancelled"]),
            ),
            max_size=5,
        ),
        label="sessions",
    ):
        start = day_start + offset * MINUTE
        interval = (start, start + minutes * MINUTE)
        if status != "cancelled":
            if any(scheduling.overlaps(interval, other) for other in occupied):
                continue  # the calendar never holds two occupying sessions at once
            occupied.append(interval)
        factory.session(trainer, client, start, minutes, status=status)

    duration = data.draw(st.integers(1, 120), label="duration")
    r = web.get(
        "/api/v1/sessions/availability",
        query_string={"date": day.isoformat(), "duration": duration},
    )
    assert r.status_code == 200, r.get_json()
    slots = r.get_json()["data"]["available_slots"]
    assert all(s["duration_minutes"] >= duration for s in slots)
    event("slots offered" if slots else "no slot offered")
    if not slots:
        return
    chosen = data.draw(st.sampled_from(slots), label="slot")
    slot_start = timeutil.local_to_utc(datetime.fromisoformat(chosen["start"]), tz)
    slot_end = timeutil.local_to_utc(datetime.fromisoformat(chosen["end"]), tz)
    assert timeutil.minutes_between(slot_start, slot_end) == chosen["duration_minutes"]
    shift = data.draw(
        st.integers(0, chosen["duration_minutes"] - duration), label="minutes into the slot"
    )
    start = slot_start + shift * MINUTE
    body = {
        "client_id": client.id,
        "title": "Booked from availability",
        "scheduled_start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scheduled_end": (start + duration * MINUTE).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    r = web.post("/api/v1/sessions", json=body)
    assert r.status_code == 201, (chosen, body, r.get_json())
