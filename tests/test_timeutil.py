"""Time rules (contract §4): the accepted ISO 8601 forms, local <-> UTC around DST
changes, day lengths, half-hour offsets and the output format."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from mectofitness import timeutil
from mectofitness.timeutil import TimeInputError

NY = timeutil.zone("America/New_York")
KOLKATA = timeutil.zone("Asia/Kolkata")
LONDON = timeutil.zone("Europe/London")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- parse_iso ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-03-08", date(2026, 3, 8)),
        ("2024-02-29", date(2024, 2, 29)),
        ("2026-03-08T14:30", datetime(2026, 3, 8, 14, 30)),
        ("2026-03-08T14:30:15", datetime(2026, 3, 8, 14, 30, 15)),
        ("2026-03-08T14:30:15.123456", datetime(2026, 3, 8, 14, 30, 15)),
        ("2026-03-08T14:30:15.9", datetime(2026, 3, 8, 14, 30, 15)),
        ("2026-03-08T14:30:59.999999", datetime(2026, 3, 8, 14, 30, 59)),
        ("2026-03-08T00:00", datetime(2026, 3, 8, 0, 0)),
        ("2026-03-08T23:59:59", datetime(2026, 3, 8, 23, 59, 59)),
        ("2026-03-08T14:30Z", datetime(2026, 3, 8, 14, 30, tzinfo=UTC)),
        ("2026-03-08T14:30:15Z", datetime(2026, 3, 8, 14, 30, 15, tzinfo=UTC)),
        ("2026-03-08T14:30:15.5Z", datetime(2026, 3, 8, 14, 30, 15, tzinfo=UTC)),
        ("2026-03-08T14:30+05:30", datetime(2026, 3, 8, 14, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))),
        ("2026-03-08T14:30:15-08:00", datetime(2026, 3, 8, 14, 30, 15, tzinfo=timezone(timedelta(hours=-8)))),
        ("2026-03-08T14:30:15.25+00:00", datetime(2026, 3, 8, 14, 30, 15, tzinfo=UTC)),
        ("2026-03-08T14:30-00:00", datetime(2026, 3, 8, 14, 30, tzinfo=UTC)),
    ],
)
def test_parse_iso_accepted_forms(text, expected):
    parsed = timeutil.parse_iso(text)
    assert parsed == expected
    assert type(parsed) is type(expected)
    if isinstance(parsed, datetime):
        assert parsed.microsecond == 0  # fractions are dropped
        assert (parsed.tzinfo is None) == (expected.tzinfo is None)
        if parsed.tzinfo is not None:
            assert parsed.utcoffset() == expected.utcoffset()


def test_parse_iso_naive_has_no_offset():
    assert timeutil.parse_iso("2026-03-08T14:30").tzinfo is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "now",
        "2026-03-08 14:30",
        "2026/03/08",
        "08-03-2026",
        "2026-3-8",
        "20260308",
        "2026-W10-1",
        "2026-03-08T14",
        "2026-03-08T1430",
        "2026-03-08T14:30:1",
        "2026-03-08T14:30:15.",
        "2026-03-08T14:30:15.1234567",
        "2026-03-08T14:30:15,5",
        "2026-03-08T14:30+0530",
        "2026-03-08T14:30+05",
        "2026-03-08T14:30 +05:30",
        "2026-03-08T14:30z",
        "2026-03-08T14:30UTC",
        "2026-03-08Z",
        "2026-03-08+05:30",
        "2026-02-30",
        "2025-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-03-08T24:00",
        "2026-03-08T14:60",
        "2026-03-08T14:30:60",
        "2026-03-08T14:30+05:60",
        "2026-03-08T14:30+24:00",
        "T14:30",
        "2026-03-08T14:30:15.123456Z extra",
        "2026-03-08t14:30",
        "２０２６-03-08",
        "2026-03-08T１４:30",
        "2026-03-08T14:30+０５:30",
        "2026-03-08T14:30:15.１２",
    ],
)
def test_parse_iso_rejected_forms(text):
    with pytest.raises(TimeInputError):
        timeutil.parse_iso(text)


@pytest.mark.parametrize("value", [None, 20260308, 1.5, True, ["2026-03-08"], {"date": "2026-03-08"}])
def test_parse_iso_rejects_non_strings(value):
    with pytest.raises(TimeInputError):
        timeutil.parse_iso(value)


def test_parse_iso_error_is_value_error():
    """Raised inside pydantic validators, it must become a field error, not a crash."""
    assert issubclass(TimeInputError, ValueError)


# --- zone -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])
def test_zone_known(name):
    assert timeutil.zone(name).key == name


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "America/New York", "+05:30", "../../etc/passwd"])
def test_zone_unknown_refused(name):
    with pytest.raises(TimeInputError):
        timeutil.zone(name)


# --- local_to_utc ---------------------------------------------------------------------------------


@pytest.mark.parametrize("local", [datetime(2026, 3, 8, 2, 0), datetime(2026, 3, 8, 2, 30), datetime(2026, 3, 8, 2, 59)])
def test_local_to_utc_spring_gap_refused_when_strict(local):
    with pytest.raises(TimeInputError, match="does not exist"):
        timeutil.local_to_utc(local, NY)
    with pytest.raises(TimeInputError):
        timeutil.local_to_utc(local, NY, strict=True)


def test_local_to_utc_spring_gap_moves_forward_when_lenient():
    # 02:30 does not exist; moved forward by the hour the clocks skip: 03:30 EDT.
    instant = timeutil.local_to_utc(datetime(2026, 3, 8, 2, 30), NY, strict=False)
    assert instant == utc(2026, 3, 8, 7, 30)
    assert timeutil.format_local(instant, NY) == "2026-03-08T03:30:00"


@pytest.mark.parametrize(
    "local, expected",
    [
        (datetime(2026, 3, 8, 1, 59), utc(2026, 3, 8, 6, 59)),  # EST, just before the gap
        (datetime(2026, 3, 8, 3, 0), utc(2026, 3, 8, 7, 0)),  # EDT, just after it
        (datetime(2026, 11, 1, 0, 59), utc(2026, 11, 1, 4, 59)),  # EDT
        (datetime(2026, 11, 1, 1, 0), utc(2026, 11, 1, 5, 0)),  # repeated hour: first (EDT)
        (datetime(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30)),  # repeated hour: first (EDT)
        (datetime(2026, 11, 1, 1, 59), utc(2026, 11, 1, 5, 59)),  # repeated hour: first (EDT)
        (datetime(2026, 11, 1, 2, 0), utc(2026, 11, 1, 7, 0)),  # EST
        (datetime(2026, 7, 1, 12, 0), utc(2026, 7, 1, 16, 0)),
        (datetime(2026, 1, 15, 12, 0), utc(2026, 1, 15, 17, 0)),
    ],
)
def test_local_to_utc_new_york(local, expected):
    assert timeutil.local_to_utc(local, NY) == expected
    assert timeutil.local_to_utc(local, NY, strict=False) == expected


def test_local_to_utc_autumn_repeat_is_first_occurrence_and_accepted_when_strict():
    instant = timeutil.local_to_utc(datetime(2026, 11, 1, 1, 30), NY, strict=True)
    assert instant == utc(2026, 11, 1, 5, 30)
    assert instant.utcoffset() == timedelta(0)
    # The second 01:30 (EST) is an hour later in real time and reads the same locally.
    assert timeutil.format_local(instant + timedelta(hours=1), NY) == "2026-11-01T01:30:00"


@pytest.mark.parametrize(
    "local, expected",
    [
        (datetime(2026, 1, 15, 10, 0), utc(2026, 1, 15, 4, 30)),
        (datetime(2026, 7, 15, 10, 0), utc(2026, 7, 15, 4, 30)),  # no DST in India
        (datetime(2026, 1, 15, 0, 0), utc(2026, 1, 14, 18, 30)),
        (datetime(2026, 1, 15, 5, 29), utc(2026, 1, 14, 23, 59)),
    ],
)
def test_local_to_utc_kolkata_half_hour_offset(local, expected):
    assert timeutil.local_to_utc(local, KOLKATA) == expected


def test_to_utc_naive_is_local_and_aware_is_converted():
    assert timeutil.to_utc(datetime(2026, 7, 1, 12, 0), NY) == utc(2026, 7, 1, 16, 0)
    aware = timeutil.parse_iso("2026-01-15T10:00+05:30")
    assert isinstance(aware, datetime)
    assert timeutil.to_utc(aware, NY) == utc(2026, 1, 15, 4, 30)
    assert timeutil.to_utc(aware, NY).tzinfo is not None
    with pytest.raises(TimeInputError):
        timeutil.to_utc(datetime(2026, 3, 8, 2, 30), NY)  # a naive input in the gap


def test_to_local_round_trip():
    instant = utc(2026, 1, 15, 4, 30)
    assert timeutil.to_local(instant, KOLKATA) == datetime(2026, 1, 15, 10, 0)
    assert timeutil.to_local(instant, KOLKATA).tzinfo is None


# --- day bounds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tz, day, start, hours",
    [
        (NY, date(2026, 3, 8), utc(2026, 3, 8, 5, 0), 23),  # spring forward
        (NY, date(2026, 11, 1), utc(2026, 11, 1, 4, 0), 25),  # fall back
        (NY, date(2026, 3, 9), utc(2026, 3, 9, 4, 0), 24),
        (NY, date(2026, 1, 15), utc(2026, 1, 15, 5, 0), 24),
        (LONDON, date(2026, 3, 29), utc(2026, 3, 29, 0, 0), 23),
        (LONDON, date(2026, 10, 25), utc(2026, 10, 24, 23, 0), 25),
        (KOLKATA, date(2026, 1, 15), utc(2026, 1, 14, 18, 30), 24),
        (timeutil.zone("UTC"), date(2026, 3, 8), utc(2026, 3, 8, 0, 0), 24),
    ],
)
def test_day_bounds_lengths(tz, day, start, hours):
    begin, end = timeutil.day_bounds(day, tz)
    assert begin == start
    assert end - begin == timedelta(hours=hours)
    assert timeutil.minutes_between(begin, end) == hours * 60
    assert end == timeutil.day_start(day + timedelta(days=1), tz)


def test_day_bounds_when_midnight_is_skipped():
    """Where clocks jump at midnight the day starts at the first instant that exists."""
    havana = timeutil.zone("America/Havana")
    begin, end = timeutil.day_bounds(date(2026, 3, 8), havana)
    assert timeutil.format_local(begin, havana) == "2026-03-08T01:00:00"
    assert end - begin == timedelta(hours=23)


# --- range helpers ----------------------------------------------------------------------------------


def test_range_start_and_end_of_bare_dates_cover_whole_local_days():
    assert timeutil.range_start(date(2026, 11, 1), NY) == utc(2026, 11, 1, 4, 0)
    assert timeutil.range_end_exclusive(date(2026, 11, 1), NY) == utc(2026, 11, 2, 5, 0)


def test_range_end_of_datetime_includes_its_second():
    end = timeutil.range_end_exclusive(datetime(2026, 1, 15, 23, 59, 59), KOLKATA)
    assert end == utc(2026, 1, 15, 18, 30)


def test_local_date_of():
    assert timeutil.local_date_of(date(2026, 1, 15), NY) == date(2026, 1, 15)
    assert timeutil.local_date_of(datetime(2026, 1, 15, 23, 0), NY) == date(2026, 1, 15)
    assert timeutil.local_date_of(utc(2026, 1, 15, 3, 0), NY) == date(2026, 1, 14)
    assert timeutil.local_date_of(utc(2026, 1, 15, 20, 0), KOLKATA) == date(2026, 1, 16)


# --- format_local -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "instant, tz, text",
    [
        (utc(2026, 7, 1, 16, 0), NY, "2026-07-01T12:00:00"),
        (utc(2026, 1, 15, 17, 0), NY, "2026-01-15T12:00:00"),
        (utc(2026, 1, 15, 4, 30), KOLKATA, "2026-01-15T10:00:00"),
        (utc(2026, 1, 14, 18, 30), KOLKATA, "2026-01-15T00:00:00"),
        (utc(2026, 11, 1, 5, 30), NY, "2026-11-01T01:30:00"),
        (utc(2026, 11, 1, 6, 30), NY, "2026-11-01T01:30:00"),
        (utc(2026, 3, 8, 7, 0), NY, "2026-03-08T03:00:00"),
        (datetime(2026, 3, 8, 14, 30, 15, 987654, tzinfo=UTC), timeutil.zone("UTC"), "2026-03-08T14:30:15"),
        (datetime(2026, 3, 8, 20, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))), NY, "2026-03-08T10:30:00"),
    ],
)
def test_format_local_output(instant, tz, text):
    out = timeutil.format_local(instant, tz)
    assert out == text
    assert len(out) == 19  # no offset, no fraction


def test_format_local_none():
    assert timeutil.format_local(None, NY) is None


def test_now_is_aware_utc_without_fraction():
    current = timeutil.now()
    assert current.utcoffset() == timedelta(0)
    assert current.microsecond == 0
