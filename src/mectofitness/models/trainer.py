"""A trainer: the user who logs in and owns clients and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, in_values
from ..domain import SCHEDULING_DEFAULTS, Role


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
    # Dates whose hours differ from their weekday's: {"2030-12-24": [{"start": "08:00",
    # "end": "12:00"}], "2030-12-25": []}; NULL means none.
    working_hours_overrides: Mapped[dict[str, Any] | None] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql")
    )
    # The scheduling settings (contract §8; ranges and defaults in domain.SCHEDULING_*).
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    min_notice_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    horizon_days: Mapped[int | None] = mapped_column(Integer)  # NULL: no horizon
    slot_step_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    cancel_notice_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Flask-Login's user protocol, spelled out so that models import no Flask. What
    # Flask-Login keeps in the cookie (``get_id``) is the login's secret, not the trainer's
    # id, so that logging out (deleting the login row) ends that cookie on every device.
    # ``login_secret`` is not stored: the credential check sets it for the request.
    if TYPE_CHECKING:
        login_secret: str | None
    else:
        login_secret = None
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str | None:
        return self.login_secret

    @property
    def scheduling(self) -> dict[str, int | None]:
        """The scheduling settings as ``/auth/me`` shows them."""
        return {name: getattr(self, name) for name in SCHEDULING_DEFAULTS}

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN
