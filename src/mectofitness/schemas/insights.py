"""Statistics and availability: queries and answers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..models import SessionStatus, SessionType
from .common import DbId, LocalDate, QueryModel, RangeEndExclusive, RangeStart


class StatsQuery(QueryModel):
    start_date: RangeStart | None = Field(None, description="Start date for stats (ISO format)")
    end_date: RangeEndExclusive | None = Field(None, description="End date for stats (ISO format)")
    client_id: DbId | None = Field(None, description="Filter stats by specific client")
    trainer_id: DbId | None = Field(None, description="Admins only: one trainer's stats")


class StatsOut(BaseModel):
    total_sessions: int
    by_status: dict[SessionStatus, int] = Field(description="Every status, zeros included")
    by_type: dict[SessionType, int] = Field(description="Every type, zeros included")
    upcoming_sessions: int = Field(description="Scheduled sessions still in the future")
    completion_rate: float = Field(description="Completed sessions, percent of total")
    no_show_rate: float = Field(description="No-show sessions, percent of total")
    cancellation_rate: float = Field(description="Cancelled sessions, percent of total")
    completed_hours: float = Field(description="Scheduled length of completed sessions, in hours")


class AvailabilityQuery(QueryModel):
    date: LocalDate | None = Field(None, description="Date to check (ISO format); default today")
    duration: int = Field(60, ge=1, le=1440, description="Desired session duration in minutes")
    trainer_id: DbId | None = Field(None, description="Admins only: another trainer's day")


class Slot(BaseModel):
    start: str
    end: str
    duration_minutes: int


class BookedSession(BaseModel):
    start: str
    end: str
    title: str


class AvailabilityOut(BaseModel):
    date: str
    requested_duration: int
    available_slots: list[Slot]
    booked_sessions: list[BookedSession]
