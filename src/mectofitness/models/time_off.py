"""A trainer's time off: a holiday, a course, an afternoon at the dentist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class TimeOff(Base):
    """``[start, end)`` in UTC during which the trainer takes no sessions (contract §8)."""

    __tablename__ = "time_off"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="order"),
        # The list, availability and the conflict check: one trainer's slice by start.
        Index("ix_time_off_trainer_start", "trainer_id", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"))
    # "end" is an SQL keyword: the columns are named for what they hold, the attributes
    # for the API's fields.
    start: Mapped[datetime] = mapped_column("starts_at", UTCDateTime())
    end: Mapped[datetime] = mapped_column("ends_at", UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
