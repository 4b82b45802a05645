"""Availability: the query and the two answers (one day, the document's; a range, §8)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..domain import MAX_AVAILABILITY_DAYS
from .common import DbId, LocalDate, QueryModel

BOTH_FORMS = "Give either date or start_date and end_date, not both"


class AvailabilityQuery(QueryModel):
    date: LocalDate | None = Field(None, description="Date to check (ISO format); default today")
    start_date: LocalDate | None = Field(
        None, description=f"First day of a range (with end_date; at most {MAX_AVAILABILITY_DAYS} days)"
    )
    end_date: LocalDate | None = Field(None, description="Last day of a range, included (with start_date)")
    duration: int = Field(60, ge=1, le=1440, description="Desired session duration in minutes")
    trainer_id: DbId | None = Field(None, description="Admins only: another trainer's day")

    @property
    def is_range(self) -> bool:
        return self.start_date is not None or self.end_date is not None

    def field_problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if self.is_range and self.date is not None:
            problems["date"] = BOTH_FORMS
        if self.start_date is None and self.end_date is not None:
            problems["start_date"] = "Start date is required with end_date"
        elif self.end_date is None and self.start_date is not None:
            problems["end_date"] = "End date is required with start_date"
        elif self.start_date is not None and self.end_date is not None:
            if self.end_date < self.start_date:
                problems["end_date"] = "Must not be before start_date"
            elif (self.end_date - self.start_date).days >= MAX_AVAILABILITY_DAYS:
                problems["end_date"] = f"The range may cover at most {MAX_AVAILABILITY_DAYS} days"
        return problems


class Slot(BaseModel):
    start: str
    end: str
    duration_minutes: int


class BookedSession(BaseModel):
    start: str
    end: str
    title: str


class TimeOffOnDay(BaseModel):
    id: int
    start: str
    end: str
    reason: str | None


class AvailabilityOut(BaseModel):
    date: str
    requested_duration: int
    available_slots: list[Slot]
    booked_sessions: list[BookedSession]


class AvailabilityDay(BaseModel):
    date: str
    available_slots: list[Slot]
    booked_sessions: list[BookedSession]
    time_off: list[TimeOffOnDay]


class AvailabilityRangeOut(BaseModel):
    """``GET /sessions/availability?start_date=&end_date=`` (contract §8)."""

    start_date: str
    end_date: str
    requested_duration: int
    days: list[AvailabilityDay]
    start_times: list[str] = Field(description="Every bookable start of a session of the requested duration, in order")

