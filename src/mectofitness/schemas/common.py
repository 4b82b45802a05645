"""Shared request/response pieces: pagination, envelope, query booleans and time fields.

Pure: no database, no request. Time fields read the caller's zone from the validation
context (``{"tz": ZoneInfo}``) and come out as aware UTC datetimes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializationInfo,
    StrictInt,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from .. import timeutil
from ..domain import MAX_ID

MAX_PER_PAGE = 100

# The documented form (timeutil.parse_iso is the judge; this only guides clients).
ISO_INPUT_PATTERN = (
    r"^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?)?$"
)
LOCAL_OUTPUT_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"

_ISO_INPUT_SCHEMA = {
    "type": "string",
    "pattern": ISO_INPUT_PATTERN,
    "description": "ISO 8601; without an offset it is the trainer's local time",
    "examples": ["2025-12-11T10:00:00"],
}


def zone_of(info: ValidationInfo | SerializationInfo) -> ZoneInfo:
    """The zone of the validation or serialization context (``{"tz": ZoneInfo}``), UTC without one."""
    context = info.context or {}
    return context.get("tz") or timeutil.zone("UTC")


def _parse(value: Any) -> date | datetime:
    if isinstance(value, (date, datetime)):
        return value
    return timeutil.parse_iso(value)


def _wall_clock(value: Any, info: ValidationInfo) -> datetime:
    parsed = _parse(value)
    if not isinstance(parsed, datetime):  # a bare date on a datetime field: local midnight
        return timeutil.day_start(parsed, zone_of(info))
    if parsed.tzinfo is None:
        timeutil.local_to_utc(parsed, zone_of(info))  # refuses a time a DST gap skips
        return parsed
    return parsed.astimezone(timeutil.UTC)


def _range_start(value: Any, info: ValidationInfo) -> datetime:
    return timeutil.range_start(_parse(value), zone_of(info))


def _range_end(value: Any, info: ValidationInfo) -> datetime:
    return timeutil.range_end_exclusive(_parse(value), zone_of(info))


def _local_date(value: Any, info: ValidationInfo) -> date:
    return timeutil.local_date_of(_parse(value), zone_of(info))


def _format_local(value: datetime | None, info: SerializationInfo) -> str | None:
    return timeutil.format_local(value, zone_of(info))


# An input time: aware UTC when it had an offset, else the naive wall-clock time it names
# in the caller's zone (which exists there); ``timeutil.from_wall_clock`` makes it an instant.
WallClockDateTime = Annotated[datetime, BeforeValidator(_wall_clock), WithJsonSchema(_ISO_INPUT_SCHEMA)]
# Inclusive lower bound of a date filter (a bare date: the start of that local day).
RangeStart = Annotated[datetime, BeforeValidator(_range_start), WithJsonSchema(_ISO_INPUT_SCHEMA)]
# Exclusive upper bound for an inclusive end filter (a bare date: that whole local day).
RangeEndExclusive = Annotated[
    datetime, BeforeValidator(_range_end), WithJsonSchema(_ISO_INPUT_SCHEMA)
]
# A local calendar date, from a date or from a datetime's local date.
LocalDate = Annotated[date, BeforeValidator(_local_date), WithJsonSchema(_ISO_INPUT_SCHEMA)]
# An output instant: the trainer's wall-clock time, no offset, no fraction.
LocalDateTime = Annotated[
    datetime,
    PlainSerializer(_format_local, return_type=str),
    WithJsonSchema({"type": "string", "pattern": LOCAL_OUTPUT_PATTERN, "examples": ["2025-12-10T14:00:00"]}),
]



def _format_utc(value: datetime) -> str:
    return timeutil.format_utc(value)


# An output instant in UTC, ``YYYY-MM-DDTHH:MM:SSZ``: the one text no DST change makes ambiguous.
UtcInstant = Annotated[
    datetime,
    PlainSerializer(_format_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2025-12-10T14:00:00Z"]}),
]

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _query_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("Must be one of true, false, 1, 0, yes, no")


QueryBool = Annotated[
    bool,
    BeforeValidator(_query_bool),
    WithJsonSchema({"type": "string", "enum": ["true", "false", "1", "0", "yes", "no"]}),
]


# Row ids are 32-bit integers on every database (db.MAX_ID); a larger number names nothing.
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
StrictDbId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


def _cap_per_page(value: int) -> int:
    return min(value, MAX_PER_PAGE)


NUL_MESSAGE = "Must not contain NUL characters"


class _RequestModel(BaseModel):
    """What every body and query model refuses, whatever its fields' types."""

    def field_problems(self) -> dict[str, str]:
        """Rules between fields of a valid model, as field errors (none by default). Kept
        apart from pydantic's model validators, whose errors name no field."""
        return {}

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL (psycopg raises, a 500) and SQLite would store
        # it: refused in every field on both databases alike, before its own checks so
        # the message says why. Nested values are walked with a list, not recursion.
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError(NUL_MESSAGE)
            return value
        pending = [value]
        while pending:
            item = pending.pop()
            if isinstance(item, str):
                if "\x00" in item:
                    raise ValueError(NUL_MESSAGE)
            elif isinstance(item, dict):
                pending.extend(item)
                pending.extend(item.values())
            elif isinstance(item, (list, tuple)):
                pending.extend(item)
        return value


class QueryModel(_RequestModel):
    """Query strings: lax types (everything arrives as text), unknown parameters ignored."""

    model_config = ConfigDict(extra="ignore")


class BodyModel(_RequestModel):
    """JSON bodies: unknown fields refused (read-only ones are dropped first, see
    ``ignored_fields``). Strings never coerce; integer fields use StrictInt so that
    "5" or true is refused rather than read as a number."""

    model_config = ConfigDict(extra="forbid")
    ignored_fields: ClassVar[frozenset[str]] = frozenset()


class PageQuery(QueryModel):
    # No upper bound: any page past the end is an empty page (paginate never asks for it).
    page: int = Field(1, ge=1, description="Page number for pagination")
    per_page: Annotated[int, Field(ge=1, description="Items per page (max: 100)")] = 20

    @property
    def capped_per_page(self) -> int:
        return _cap_per_page(self.per_page)


class Pagination(BaseModel):
    page: int
    per_page: int
    total_pages: int
    total_items: int
    has_next: bool
    has_prev: bool


class ErrorEnvelope(BaseModel):
    success: Literal[False] = False
    error: str
    errors: dict[str, str] | None = None
