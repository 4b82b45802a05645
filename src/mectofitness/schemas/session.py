"""Training sessions: create, update, list and delete queries, and the Session object."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from sqlalchemy import Row

from ..models import SessionStatus, SessionType
from ..timeutil import format_local
from .auth import TrainerBrief
from .client import ClientBrief
from .common import (
    BodyModel,
    DbId,
    LocalDateTime,
    PageQuery,
    Pagination,
    QueryBool,
    QueryModel,
    RangeEndExclusive,
    RangeStart,
    StrictDbId,
    UtcDateTime,
)

READ_ONLY = frozenset({"id", "trainer_id", "created_at", "updated_at", "client", "trainer"})
SORT_FIELDS = ("scheduled_start", "scheduled_end", "created_at", "updated_at", "status", "title")

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Location = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=10_000)]
EventId = Annotated[str, StringConstraints(max_length=255)]
END_AFTER_START = "Scheduled end time must be after start time"
ACTUAL_END_AFTER_START = "Actual end time must be after actual start time"


def _after(field: str, message: str):  # type: ignore[no-untyped-def]
    """A validator: this end field must be later than ``field`` when both were given."""

    def check(value: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get(field)
        if value is not None and start is not None and value <= start:
            raise ValueError(message)
        return value

    return check


class _SessionFields(BodyModel):
    """Writable session fields in the document's order; start fields precede end fields
    so an end can be checked against its start in the same pass."""

    ignored_fields: ClassVar[frozenset[str]] = READ_ONLY
    client_id: Annotated[StrictDbId, Field(title="Client")]
    title: Annotated[Title, Field(title="Title")]
    scheduled_start: Annotated[UtcDateTime, Field(title="Scheduled start time")]
    scheduled_end: Annotated[UtcDateTime, Field(title="Scheduled end time")]
    description: LongText | None = None
    session_type: SessionType = SessionType.PERSONAL
    location: Location | None = None
    notes: LongText | None = None
    trainer_notes: LongText | None = None
    status: SessionStatus = SessionStatus.SCHEDULED
    actual_start: UtcDateTime | None = None
    actual_end: UtcDateTime | None = None
    exercises_performed: LongText | None = None
    client_feedback: LongText | None = None
    google_event_id: EventId | None = None
    outlook_event_id: EventId | None = None

    _end_after_start = field_validator("scheduled_end")(_after("scheduled_start", END_AFTER_START))
    _actual_end_after_start = field_validator("actual_end")(_after("actual_start", ACTUAL_END_AFTER_START))


class SessionCreate(_SessionFields):
    """``client_id``, ``title``, ``scheduled_start`` and ``scheduled_end`` are required;
    an admin may name the ``trainer_id`` whose calendar it goes on."""
    model_config = ConfigDict(json_schema_extra={"examples": [{'client_id': 5, 'title': 'Initial Fitness Assessment', 'description': 'Comprehensive fitness evaluation and goal setting', 'session_type': 'assessment', 'location': 'Main Gym - Assessment Area', 'scheduled_start': '2025-12-11T10:00:00', 'scheduled_end': '2025-12-11T11:30:00', 'notes': 'Bring body composition analysis equipment', 'trainer_notes': 'Client mentioned previous knee injury'}]})

    ignored_fields: ClassVar[frozenset[str]] = READ_ONLY - {"trainer_id"}
    trainer_id: StrictDbId | None = Field(None, description="Admins only: the trainer the session is for")


class SessionUpdate(_SessionFields):
    """Partial update (PUT and PATCH alike): only the fields given change; ``null`` clears
    an optional field. Required fields may be left out but not set to null."""
    model_config = ConfigDict(json_schema_extra={"examples": [{'status': 'completed', 'actual_start': '2025-12-11T10:05:00', 'actual_end': '2025-12-11T11:35:00', 'exercises_performed': 'Body composition scan, flexibility tests, strength assessments, cardiovascular evaluation', 'trainer_notes': 'Client showed good baseline fitness. Needs work on core strength and flexibility.', 'client_feedback': 'Really helpful assessment. Excited to start training!'}]})

    client_id: Annotated[StrictDbId, Field(title="Client")] = None  # type: ignore[assignment]
    title: Annotated[Title, Field(title="Title")] = None  # type: ignore[assignment]
    scheduled_start: Annotated[UtcDateTime, Field(title="Scheduled start time")] = None  # type: ignore[assignment]
    scheduled_end: Annotated[UtcDateTime, Field(title="Scheduled end time")] = None  # type: ignore[assignment]
    session_type: SessionType = None  # type: ignore[assignment]
    status: SessionStatus = None  # type: ignore[assignment]


class IncludeQuery(QueryModel):
    include_client: QueryBool = Field(False, description="Include full client details")
    include_trainer: QueryBool = Field(False, description="Include full trainer details")


class DeleteQuery(IncludeQuery):
    permanent: QueryBool = Field(False, description="If true, permanently delete. Otherwise just cancel (soft delete)")


class SessionListQuery(PageQuery, IncludeQuery):
    client_id: DbId | None = Field(None, description="Filter by client ID")
    status: SessionStatus | None = Field(None, description="Filter by status")
    session_type: SessionType | None = Field(None, description="Filter by type")
    start_date: RangeStart | None = Field(None, description="Sessions starting at or after this (ISO format)")
    end_date: RangeEndExclusive | None = Field(None, description="Sessions starting up to this (ISO format)")
    sort_by: Literal["scheduled_start", "scheduled_end", "created_at", "updated_at", "status", "title"] = "scheduled_start"
    sort_order: Literal["asc", "desc"] = "desc"
    trainer_id: DbId | None = Field(None, description="Admins only: one trainer's sessions")


class SessionOut(BaseModel):
    id: int
    title: str
    description: str | None
    session_type: SessionType
    location: str | None
    scheduled_start: LocalDateTime
    scheduled_end: LocalDateTime
    actual_start: LocalDateTime | None
    actual_end: LocalDateTime | None
    status: SessionStatus
    exercises_performed: str | None
    notes: str | None
    client_feedback: str | None
    trainer_notes: str | None
    google_event_id: str | None
    outlook_event_id: str | None
    created_at: LocalDateTime
    updated_at: LocalDateTime
    trainer_id: int
    client_id: int
    client: ClientBrief | None = Field(None, description="With include_client=true")
    trainer: TrainerBrief | None = Field(None, description="With include_trainer=true")


# The Session object's times (its LocalDateTime fields), in output order with the rest.
_TIMES = frozenset({"scheduled_start", "scheduled_end", "actual_start", "actual_end", "created_at", "updated_at"})
_FIELDS = tuple((name, name in _TIMES) for name in SessionOut.model_fields if name not in ("client", "trainer"))
_CLIENT_FIELDS = tuple(ClientBrief.model_fields)
_TRAINER_FIELDS = tuple(TrainerBrief.model_fields)


def session_json(row: Any, tz: ZoneInfo, *, client: Any = None, trainer: Any = None) -> dict[str, Any]:
    """The Session object for a stored row (an ORM object or a Core row of the table) as
    JSON-ready data, times in ``tz``, with the nested client and trainer if given.

    Every list item goes through here, so it builds the dict directly rather than
    constructing and dumping a ``SessionOut`` (three times the cost). ``SessionOut`` still
    describes the shape in the OpenAPI document; a test holds the two equal."""
    # A Core row is read by key (several times faster than by attribute).
    values = row._mapping if isinstance(row, Row) else {name: getattr(row, name) for name, _ in _FIELDS}
    out = {name: (format_local(values[name], tz) if is_time else values[name]) for name, is_time in _FIELDS}
    if client is not None:
        out["client"] = {name: getattr(client, name) for name in _CLIENT_FIELDS}
    if trainer is not None:
        out["trainer"] = {name: getattr(trainer, name) for name in _TRAINER_FIELDS}
    return out


class SessionPage(BaseModel):
    sessions: list[SessionOut]
    pagination: Pagination
