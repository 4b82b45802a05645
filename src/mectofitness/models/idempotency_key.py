"""Idempotency keys (contract §10): a caller's claim on a key and, once its request has
finished, the answer that a retry with the same key gets again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime

KEY_LENGTH = 255


class IdempotencyKey(Base):
    """One key of one caller. ``status`` is null while the request that claimed it runs;
    the request's own commit fills in ``status``, ``body`` and ``headers``."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        # The claim: one row per caller and key, whichever process inserts it first.
        UniqueConstraint("trainer_id", "key"),
        Index("ix_idempotency_keys_created_at", "created_at"),  # pruning expired keys
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    # SHA-256 of method, path, query and body: a reuse with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The claiming request's random token: only it may complete or release the claim.
    claim: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
