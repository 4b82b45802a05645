"""Availability: the query and the answer."""

from __future__ import annotations

from pydantic import BaseModel, Field

from .common import DbId, LocalDate, QueryModel


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
