"""Session statistics, counted by the database in one grouped query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ..db import seconds_between
from ..models import SessionStatus, SessionType, Trainer, TrainingSession
from .sessions import filter_sessions


def session_stats(
    session: Session,
    *,
    actor: Trainer,
    now: datetime,
    trainer_id: int | None = None,
    client_id: int | None = None,
    start: datetime | None = None,
    end_exclusive: datetime | None = None,
) -> dict[str, Any]:
    """Counts by status and by type (every value present, zeros included), upcoming
    scheduled sessions, and derived rates, over the sessions ``actor`` may see whose
    ``scheduled_start`` lies in ``[start, end_exclusive)``."""
    completed = TrainingSession.status == SessionStatus.COMPLETED.value
    stmt = (
        select(
            TrainingSession.status,
            TrainingSession.session_type,
            func.count(),
            func.sum(
                case(
                    (and_(TrainingSession.status == SessionStatus.SCHEDULED.value, TrainingSession.scheduled_start > now), 1),
                    else_=0,
                )
            ),
            func.sum(
                case((completed, seconds_between(TrainingSession.scheduled_start, TrainingSession.scheduled_end)), else_=0)
            ),
        )
        .group_by(TrainingSession.status, TrainingSession.session_type)
    )
    stmt = filter_sessions(
        stmt, actor=actor, trainer_id=trainer_id, client_id=client_id, start=start, end_exclusive=end_exclusive
    )

    by_status = {status.value: 0 for status in SessionStatus}
    by_type = {kind.value: 0 for kind in SessionType}
    upcoming = 0
    completed_seconds = 0.0
    for status, kind, count, upcoming_here, seconds in session.execute(stmt):
        by_status[status] += count
        by_type[kind] += count
        upcoming += int(upcoming_here or 0)
        completed_seconds += float(seconds or 0)
    total = sum(by_status.values())
    return {
        "total_sessions": total,
        "by_status": by_status,
        "by_type": by_type,
        "upcoming_sessions": upcoming,
        "completion_rate": _percent(by_status[SessionStatus.COMPLETED], total),
        "no_show_rate": _percent(by_status[SessionStatus.NO_SHOW], total),
        "cancellation_rate": _percent(by_status[SessionStatus.CANCELLED], total),
        "completed_hours": round(completed_seconds / 3600, 2),
    }


def _percent(part: int, whole: int) -> float:
    return round(part / whole * 100, 1) if whole else 0.0
