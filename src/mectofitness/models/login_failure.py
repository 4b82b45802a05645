"""Failed login attempts, kept in the database so every server process throttles alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime

ADDRESS_LENGTH = 64


class LoginFailure(Base):
    """One attempt counted as failed: written before its password is checked, deleted
    again (with the others of its account and address) when the password was right."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_account_address_at", "account", "address", "at"),
        Index("ix_login_failures_account_at", "account", "at"),
        Index("ix_login_failures_at", "at"),  # pruning stale rows
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # "trainer:<id>" for a known account (username and e-mail alike), else "name:" and a
    # SHA-256 of the normalized login name: what people type there is not kept in clear.
    account: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
