"""A training session on a trainer's calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, in_values
from ..domain import SessionStatus, SessionType
from .client import Client
from .trainer import Trainer


def _unbuffered_end(context: Any) -> datetime:
    # Rows written without a buffered end (data fixtures, the demo) have no buffer.
    return context.get_current_parameters()["scheduled_end"]


class TrainingSession(Base):
    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint(in_values("status", SessionStatus), name="status"),
        CheckConstraint(in_values("session_type", SessionType), name="session_type"),
        CheckConstraint("scheduled_end > scheduled_start", name="scheduled_order"),
        CheckConstraint(
            "actual_start IS NULL OR actual_end IS NULL OR actual_end > actual_start",
            name="actual_order",
        ),
        # The calendar, the list's default order and the conflict check.
        Index("ix_training_sessions_trainer_start", "trainer_id", "scheduled_start", "id"),
        # Statistics read only these columns: an index-only scan of one trainer's slice,
        # whose cost does not grow with the table (migration 0003). Availability and the
        # conflict check filter on status and end in it before touching a row.
        Index(
            "ix_training_sessions_trainer_calendar",
            "trainer_id", "scheduled_start", "status", "session_type", "scheduled_end",
        ),
        Index("ix_training_sessions_trainer_client_start", "trainer_id", "client_id", "scheduled_start"),
        Index("ix_training_sessions_client_id", "client_id"),
        # A series' occurrences in order (GET /series/{id}, scoped changes).
        Index("ix_training_sessions_series_start", "series_id", "scheduled_start"),
        # On PostgreSQL the migration adds an exclusion constraint over
        # (trainer_id, tstzrange(scheduled_start, GREATEST(buffered_end, scheduled_end)))
        # for non-cancelled rows (migration 0005; before it, over scheduled_end).
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainers.id", ondelete="RESTRICT"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    # The recurring series this session is an occurrence of (contract §9); None for a one-off.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    session_type: Mapped[str] = mapped_column(String(16), default=SessionType.PERSONAL.value)
    location: Mapped[str | None] = mapped_column(String(200))
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime())
    scheduled_end: Mapped[datetime] = mapped_column(UTCDateTime())
    # scheduled_end plus the trainer's buffer at the time the slot was last checked (booked,
    # moved or un-cancelled): the range PostgreSQL's exclusion constraint keeps apart, so
    # buffers are race-proof like overlaps. Never more than the trainer's current buffer
    # (a smaller buffer re-stamps the rows: services.trainers). See docs/decisions.md.
    buffered_end: Mapped[datetime] = mapped_column(UTCDateTime(), default=_unbuffered_end)
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    actual_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.SCHEDULED.value)
    exercises_performed: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    client_feedback: Mapped[str | None] = mapped_column(Text)
    trainer_notes: Mapped[str | None] = mapped_column(Text)
    google_event_id: Mapped[str | None] = mapped_column(String(255))
    outlook_event_id: Mapped[str | None] = mapped_column(String(255))
    # RFC 5545 SEQUENCE of the session's calendar event (contract §12): raised by every
    # change of its time or status (services.sessions), so calendar apps take the change.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Loaded only when asked for (joined eagerly, services.sessions.related), so a page is
    # a fixed number of queries; reading one that was not asked for is a bug, and raises.
    client: Mapped[Client] = relationship(lazy="raise")
    trainer: Mapped[Trainer] = relationship(lazy="raise")
