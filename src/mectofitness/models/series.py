"""A recurring series of sessions (contract §9): the rule its occurrences were booked by.
The occurrences themselves are ordinary sessions carrying its id (``series_id``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class Series(Base):
    __tablename__ = "series"
    __table_args__ = (Index("ix_series_trainer_id", "trainer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"))
    # The RRULE as given (normalized to upper case), and the zone it was expanded in.
    rrule: Mapped[str] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Moves whenever the series or one of its occurrences changes: its ETag (contract §10).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
