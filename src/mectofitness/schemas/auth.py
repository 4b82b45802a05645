"""Login, the caller (``me``), working hours and API tokens."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictInt,
    StringConstraints,
    model_validator,
)

from .. import timeutil
from ..domain import SCHEDULING_LIMITS, WEEKDAYS, Role, effective_working_hours, parse_hhmm
from .common import BodyModel, LocalDateTime, Pagination

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
assert set(Weekday.__args__) == set(WEEKDAYS)  # type: ignore[attr-defined]  # one list of days


def _hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError("Must be a time of day as HH:MM (00:00 to 24:00)")
    return value


def _iana(value: str) -> str:
    try:
        timeutil.zone(value)
    except timeutil.TimeInputError as exc:
        raise ValueError(str(exc)) from exc
    return value


HHMM = Annotated[str, AfterValidator(_hhmm), Field(examples=["08:00"])]
TimeZoneName = Annotated[str, AfterValidator(_iana), Field(examples=["America/New_York"])]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]


class WorkingRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: HHMM
    end: HHMM

    @model_validator(mode="after")
    def _ordered(self) -> WorkingRange:
        if parse_hhmm(self.end) <= parse_hhmm(self.start):
            raise ValueError("end must be after start")
        return self


def _no_overlaps(hours: dict[str, list[WorkingRange]]) -> dict[str, list[WorkingRange]]:
    for day, ranges in hours.items():
        ordered = sorted(ranges, key=lambda r: parse_hhmm(r.start))
        for before, after in pairwise(ordered):
            if parse_hhmm(after.start) < parse_hhmm(before.end):
                raise ValueError(f"{day}: ranges {before.start}-{before.end} and {after.start}-{after.end} overlap")
    return hours


WorkingHours = Annotated[dict[Weekday, list[WorkingRange]], AfterValidator(_no_overlaps)]


def _calendar_date(value: str) -> str:
    try:
        parsed = timeutil.parse_iso(value)
    except timeutil.TimeInputError as exc:
        raise ValueError(str(exc)) from exc
    if not _DATE.match(value) or not isinstance(parsed, date):
        raise ValueError("Must be a date as YYYY-MM-DD")
    return value


def _no_override_overlaps(
    overrides: dict[str, list[WorkingRange] | None],
) -> dict[str, list[WorkingRange] | None]:
    _no_overlaps({day: ranges for day, ranges in overrides.items() if ranges is not None})
    return overrides


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
CalendarDate = Annotated[str, AfterValidator(_calendar_date), Field(examples=["2030-12-24"])]
# A date's hours replacing its weekday's ([] = a day off); in a PATCH, null removes it.
OverridesUpdate = Annotated[
    dict[CalendarDate, list[WorkingRange] | None], AfterValidator(_no_override_overlaps), Field(max_length=400)
]


def _limited(name: str) -> Any:
    low, high = SCHEDULING_LIMITS[name]
    return Annotated[StrictInt, Field(ge=low, le=high)]


class SchedulingSettings(BaseModel):
    """A trainer's scheduling settings (contract §8)."""

    buffer_minutes: int = Field(description="Least gap between two occupying sessions, in minutes")
    min_notice_minutes: int = Field(description="Bookable starts are at least this far from now")
    horizon_days: int | None = Field(description="Bookable starts are at most this many days ahead (null: no limit)")
    slot_step_minutes: int = Field(description="Grid of bookable starts, from the start of each working range")
    cancel_notice_minutes: int = Field(description="How late a client may still cancel or move a self-booked session")


class SchedulingUpdate(BodyModel):
    """The settings to change; those not named keep their values."""

    buffer_minutes: _limited("buffer_minutes") = None  # type: ignore[valid-type]
    min_notice_minutes: _limited("min_notice_minutes") = None  # type: ignore[valid-type]
    horizon_days: _limited("horizon_days") | None = None  # type: ignore[valid-type]
    slot_step_minutes: _limited("slot_step_minutes") = None  # type: ignore[valid-type]
    cancel_notice_minutes: _limited("cancel_notice_minutes") = None  # type: ignore[valid-type]


class LoginIn(BodyModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{'username': 'trainer_mike', 'password': 'your-password'}]})
    username: Annotated[str, Field(min_length=1, max_length=254, description="Username or e-mail")]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class TrainerBrief(BaseModel):
    """The nested form (``include_trainer=true``)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    email: str
    full_name: str | None


class MeOut(TrainerBrief):
    role: Role
    timezone: str
    working_hours: Annotated[dict[Weekday, list[WorkingRange]], BeforeValidator(effective_working_hours)] = Field(
        description="Every day's hours: the stored ones, the default for the rest"
    )
    working_hours_overrides: Annotated[
        dict[str, list[WorkingRange]], BeforeValidator(lambda value: value or {})
    ] = Field(description="Dates whose hours replace their weekday's ([]: a day off)")
    scheduling: SchedulingSettings


class LoginOut(BaseModel):
    user: MeOut


class MeUpdate(BodyModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{'timezone': 'America/New_York', 'working_hours': {'monday': [{'start': '06:00', 'end': '10:00'}, {'start': '16:00', 'end': '21:00'}], 'sunday': []}}]})
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    email: EmailStr = None  # type: ignore[assignment]
    timezone: TimeZoneName = None  # type: ignore[assignment]
    working_hours: WorkingHours = None  # type: ignore[assignment]
    working_hours_overrides: OverridesUpdate = None  # type: ignore[assignment]
    scheduling: SchedulingUpdate = None  # type: ignore[assignment]
    password: Password = None  # type: ignore[assignment]
    current_password: str = None  # type: ignore[assignment]


class TrainerCreate(BaseModel):
    """What ``mectofitness create-trainer`` accepts."""

    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")]
    email: EmailStr
    password: Password
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    timezone: TimeZoneName = "UTC"
    role: Role = Role.TRAINER


class TokenCreate(BodyModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{'name': 'Front desk tablet'}]})
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    created_at: LocalDateTime


class TokenPage(BaseModel):
    tokens: list[TokenOut]
    pagination: Pagination


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret; shown only in this response")
