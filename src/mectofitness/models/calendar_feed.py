"""A trainer's calendar feed (contract §12): a secret URL a calendar app subscribes to.

Only a SHA-256 of the secret is stored, as for API tokens; revoking deletes the row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class CalendarFeed(Base):
    __tablename__ = "calendar_feeds"
    __table_args__ = (Index("ix_calendar_feeds_trainer_id", "trainer_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
