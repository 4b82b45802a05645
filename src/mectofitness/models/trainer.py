"""A trainer: the user who logs in and owns clients and sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, in_values


class Role(StrEnum):
    TRAINER = "trainer"
    ADMIN = "admin"


class Trainer(Base):
    __tablename__ = "trainers"
    __table_args__ = (CheckConstraint(in_values("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    # Stored lower-cased, so uniqueness ignores case on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.TRAINER.value)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # {"monday": [{"start": "08:00", "end": "20:00"}], ...}; NULL means the default hours.
    working_hours: Mapped[dict[str, Any] | None] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN
