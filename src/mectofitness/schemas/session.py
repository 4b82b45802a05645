"""Training sessions: create, update, list and delete queries, and the Session object."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import attrgetter, itemgetter
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from .. import timeutil
from ..domain import SessionFilter, SessionStatus, SessionType
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
    UtcInstant,
    WallClockDateTime,
    zone_of,
)

# Fields of the session object a client may send back as it read them: ignored in a body.
READ_ONLY = frozenset({
    "id", "trainer_id", "created_at", "updated_at", "client", "trainer",
    "timezone", "scheduled_start_utc", "scheduled_end_utc", "series_id",
})

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Location = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=10_000)]
EventId = Annotated[str, StringConstraints(max_length=255)]


class _SessionFields(BodyModel):
    """Writable session fields in the document's order. Times arrive as wall-clock times
    (see ``WallClockDateTime``); the rules between them are ``domain.time_order_problems``,
    which the service applies once the stored values are known."""

    ignored_fields: ClassVar[frozenset[str]] = READ_ONLY
    client_id: Annotated[StrictDbId, Field(title="Client")]
    title: Annotated[Title, Field(title="Title")]
    scheduled_start: Annotated[WallClockDateTime, Field(title="Scheduled start time")]
    scheduled_end: Annotated[WallClockDateTime, Field(title="Scheduled end time")]
    description: LongText | None = None
    session_type: SessionType = SessionType.PERSONAL
    location: Location | None = None
    notes: LongText | None = None
    trainer_notes: LongText | None = None
    status: SessionStatus = SessionStatus.SCHEDULED
    actual_start: WallClockDateTime | None = None
    actual_end: WallClockDateTime | None = None
    exercises_performed: LongText | None = None
    client_feedback: LongText | None = None
    google_event_id: EventId | None = None
    outlook_event_id: EventId | None = None


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
    scheduled_start: Annotated[WallClockDateTime, Field(title="Scheduled start time")] = None  # type: ignore[assignment]
    scheduled_end: Annotated[WallClockDateTime, Field(title="Scheduled end time")] = None  # type: ignore[assignment]
    session_type: SessionType = None  # type: ignore[assignment]
    status: SessionStatus = None  # type: ignore[assignment]


class IncludeQuery(QueryModel):
    include_client: QueryBool = Field(False, description="Include full client details")
    include_trainer: QueryBool = Field(False, description="Include full trainer details")

    @property
    def include(self) -> tuple[str, ...]:
        """The nested objects asked for, as ``SessionOut``'s context names them."""
        return tuple(name for name, wanted in (("client", self.include_client), ("trainer", self.include_trainer)) if wanted)


Scope = Literal["this", "following", "all"]
_SCOPE = (
    "For an occurrence of a series: this one, this and every later one, or every one "
    "(completed, cancelled and no-show occurrences are never changed by a scope)"
)


class UpdateQuery(IncludeQuery):
    scope: Scope = Field("this", description=_SCOPE)


class DeleteQuery(UpdateQuery):
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
    series_id: DbId | None = Field(None, description="The occurrences of one recurring series")

    def filter(self) -> SessionFilter:
        return SessionFilter(
            trainer_id=self.trainer_id,
            client_id=self.client_id,
            status=self.status,
            session_type=self.session_type,
            start=self.start_date,
            end_exclusive=self.end_date,
            series_id=self.series_id,
        )


class SessionOut(BaseModel):
    """The session object. Validated from a stored session with the context ``{"tz":
    zone, "include": ("client", "trainer")}``: times are shown in that zone, and the
    nested client and trainer only when named in ``include``."""

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
    series_id: int | None = Field(description="The recurring series this is an occurrence of; null for a one-off")
    timezone: str = Field(description="The IANA zone this object's local times are shown in")
    scheduled_start_utc: UtcInstant
    scheduled_end_utc: UtcInstant
    client: ClientBrief | None = Field(None, description="With include_client=true")
    trainer: TrainerBrief | None = Field(None, description="With include_trainer=true")

    @model_validator(mode="before")
    @classmethod
    def _from_stored(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, dict):
            return value
        data = dict(zip(_STORED_FIELDS, _read_stored(value), strict=True))
        for name in (info.context or {}).get("include", ()):
            data[name] = getattr(value, name)
        data["timezone"] = zone_of(info).key
        data["scheduled_start_utc"] = value.scheduled_start
        data["scheduled_end_utc"] = value.scheduled_end
        return data


_DERIVED_FIELDS = frozenset({"timezone", "scheduled_start_utc", "scheduled_end_utc", "client", "trainer"})
_STORED_FIELDS = tuple(name for name in SessionOut.model_fields if name not in _DERIVED_FIELDS)
_read_stored = attrgetter(*_STORED_FIELDS)
_LOCAL_TIME_FIELDS = ("scheduled_start", "scheduled_end", "actual_start", "actual_end", "created_at", "updated_at")


def session_items(
    rows: Sequence[Any], tz: ZoneInfo, *, clients: Mapping[int, Any], trainers: Mapping[int, Any]
) -> list[dict[str, Any]]:
    """The list's fast path (see ``services.sessions.sessions_query`` for the figures):
    ``SessionOut``'s JSON written straight from rows of the sessions table, with the
    nested client and trainer of ``clients`` and ``trainers`` (by id) where given.
    tests/test_sessions_list.py holds every item equal to ``GET`` of that session."""
    briefs: dict[tuple[str, int], dict[str, Any]] = {}

    def brief(kind: str, model: type[BaseModel], source: Mapping[int, Any], key: int) -> dict[str, Any]:
        if (kind, key) not in briefs:
            briefs[kind, key] = model.model_validate(source[key]).model_dump(mode="json")
        return briefs[kind, key]

    items: list[dict[str, Any]] = []
    if not rows:
        return items
    # By position, in SessionOut's order: a Row's attribute lookup costs several times this.
    fields = rows[0]._fields
    pick = itemgetter(*(fields.index(name) for name in _STORED_FIELDS))
    at = {name: fields.index(name) for name in ("scheduled_start", "scheduled_end", "client_id", "trainer_id")}
    for row in rows:
        item = dict(zip(_STORED_FIELDS, pick(row), strict=True))
        for name in _LOCAL_TIME_FIELDS:
            item[name] = timeutil.format_local(item[name], tz)
        item["timezone"] = tz.key
        item["scheduled_start_utc"] = timeutil.format_utc(row[at["scheduled_start"]])
        item["scheduled_end_utc"] = timeutil.format_utc(row[at["scheduled_end"]])
        if clients:
            item["client"] = brief("client", ClientBrief, clients, row[at["client_id"]])
        if trainers:
            item["trainer"] = brief("trainer", TrainerBrief, trainers, row[at["trainer_id"]])
        items.append(item)
    return items


class SessionPage(BaseModel):
    sessions: list[SessionOut]
    pagination: Pagination
