"""Recurring series (contract §9): the create body and the series object."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from .. import recurrence
from .session import READ_ONLY, SessionCreate, SessionOut

RRULE_DESCRIPTION = (
    "RFC 5545 RRULE: FREQ=DAILY|WEEKLY|MONTHLY, optional INTERVAL, BYDAY, BYMONTHDAY, and COUNT or UNTIL "
    "(one of them; at most 200 occurrences within 2 years of the first)"
)


class SeriesCreate(SessionCreate):
    """The session fields of a create, for the first occurrence, plus ``rrule`` and
    ``on_conflict``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "client_id": 5, "title": "Strength block", "scheduled_start": "2030-10-01T07:00:00",
        "scheduled_end": "2030-10-01T08:00:00", "rrule": "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=52",
        "on_conflict": "fail",
    }]})

    ignored_fields: ClassVar[frozenset[str]] = READ_ONLY - {"trainer_id"}
    rrule: Annotated[str, StringConstraints(min_length=1, max_length=500), Field(title="Rrule",
                                                                                 description=RRULE_DESCRIPTION)]
    on_conflict: Literal["fail", "skip"] = Field(
        "fail", description="fail: book nothing when an occurrence is not free; skip: book the free ones"
    )

    @field_validator("rrule")
    @classmethod
    def _rule(cls, value: str) -> str:
        recurrence.parse(value)  # ValueError names what is wrong; the limits need the first start
        return value

    @field_validator("actual_start", "actual_end")
    @classmethod
    def _no_actual_times(cls, value: Any) -> Any:
        if value is not None:
            raise ValueError("Not allowed on a series; set it on the occurrence")
        return value


class SkippedOccurrence(BaseModel):
    scheduled_start: str = Field(description="Local wall-clock start, in the series' timezone")
    reason: str


class SeriesOut(BaseModel):
    """The series object: its rule, the zone it was expanded in and its sessions (the keys
    contract §9 names, no others)."""

    id: int
    rrule: str
    timezone: str = Field(description="The IANA zone the rule was expanded in (the trainer's)")
    occurrences: int = Field(description="The number of sessions in the series")
    sessions: list[SessionOut]


class SeriesCreated(SeriesOut):
    skipped: list[SkippedOccurrence] = Field(
        description="Occurrences not booked: in a DST gap, or (on_conflict=skip) not free"
    )


def series_fields(series: Any, sessions: list[Any], skipped: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The input of ``SeriesOut`` / ``SeriesCreated`` from a stored series and its sessions."""
    data = {
        "id": series.id, "rrule": series.rrule, "timezone": series.timezone,
        "occurrences": len(sessions), "sessions": sessions,
    }
    if skipped is not None:
        data["skipped"] = skipped
    return data
