"""Time off (contract §8): create, list query, and the object."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .common import (
    BodyModel,
    DbId,
    LocalDateTime,
    PageQuery,
    Pagination,
    RangeEndExclusive,
    RangeStart,
    StrictDbId,
    WallClockDateTime,
)

READ_ONLY = frozenset({"id", "created_at", "overlapping_sessions"})


class TimeOffCreate(BodyModel):
    """``start`` and ``end`` (``end`` after ``start``, at most 366 days later); an admin
    may name the ``trainer_id`` whose time off it is."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"start": "2030-12-25T00:00:00", "end": "2030-12-27T00:00:00", "reason": "Christmas"}
    ]})
    ignored_fields: ClassVar[frozenset[str]] = READ_ONLY
    start: Annotated[WallClockDateTime, Field(title="Start")]
    end: Annotated[WallClockDateTime, Field(title="End")]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    trainer_id: StrictDbId | None = Field(None, description="Admins only: the trainer whose time off it is")


class TimeOffListQuery(PageQuery):
    start_date: RangeStart | None = Field(None, description="Time off that ends after this (ISO format)")
    end_date: RangeEndExclusive | None = Field(None, description="Time off that starts up to this (ISO format)")
    trainer_id: DbId | None = Field(None, description="Admins only: one trainer's time off")


class TimeOffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    trainer_id: int
    start: LocalDateTime
    end: LocalDateTime
    reason: str | None
    created_at: LocalDateTime


class OverlappingSession(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    scheduled_start: LocalDateTime


class TimeOffCreatedOut(TimeOffOut):
    overlapping_sessions: list[OverlappingSession] = Field(
        description="Occupying sessions the time off covers: kept, listed so they can be moved"
    )


class TimeOffPage(BaseModel):
    time_off: list[TimeOffOut]
    pagination: Pagination
