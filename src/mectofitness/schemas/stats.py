"""Session statistics: the query and the answer."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..domain import SessionFilter, SessionStatus, SessionType
from .common import DbId, QueryModel, RangeEndExclusive, RangeStart


class StatsQuery(QueryModel):
    start_date: RangeStart | None = Field(None, description="Start date for stats (ISO format)")
    end_date: RangeEndExclusive | None = Field(None, description="End date for stats (ISO format)")
    client_id: DbId | None = Field(None, description="Filter stats by specific client")
    trainer_id: DbId | None = Field(None, description="Admins only: one trainer's stats")
    series_id: DbId | None = Field(None, description="The occurrences of one recurring series")

    def filter(self) -> SessionFilter:
        return SessionFilter(
            trainer_id=self.trainer_id, client_id=self.client_id, start=self.start_date, end_exclusive=self.end_date,
            series_id=self.series_id,
        )


class StatsOut(BaseModel):
    total_sessions: int
    by_status: dict[SessionStatus, int] = Field(description="Every status, zeros included")
    by_type: dict[SessionType, int] = Field(description="Every type, zeros included")
    upcoming_sessions: int = Field(description="Scheduled sessions still in the future")
    completion_rate: float = Field(description="Completed sessions, percent of total")
    no_show_rate: float = Field(description="No-show sessions, percent of total")
    cancellation_rate: float = Field(description="Cancelled sessions, percent of total")
    completed_hours: float = Field(description="Scheduled length of completed sessions, in hours")
