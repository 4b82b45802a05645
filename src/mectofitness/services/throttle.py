"""Failed-login throttling, per username and per client address, kept in the database
so that every server process (and every machine) counts the same attempts."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .. import timeutil
from ..errors import TooManyRequests
from ..models import LoginFailure


def check_allowed(session: Session, *, username: str, address: str, limit: int, window_seconds: int) -> None:
    """Raise TooManyRequests (with the seconds until a slot frees up) when either the
    username or the address has ``limit`` failures within the last ``window_seconds``."""
    now = timeutil.now()
    since = now - timedelta(seconds=window_seconds)
    for column, value in ((LoginFailure.username, username), (LoginFailure.address, address)):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(column == value, LoginFailure.at > since)
        ).one()
        if count >= limit:
            # The oldest failure stops counting at oldest + window: wait until then, no longer.
            retry = (oldest + timedelta(seconds=window_seconds) - now).total_seconds()
            raise TooManyRequests(retry_after=math.ceil(retry))


def record_failure(session: Session, *, username: str, address: str) -> None:
    session.add(LoginFailure(username=username, address=address, at=timeutil.now()))
    session.flush()


def forget(session: Session, *, username: str, window_seconds: int) -> None:
    """After a good login: that username's failures stop counting; also prune stale rows."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    stale = timeutil.now() - timedelta(seconds=window_seconds)
    session.execute(delete(LoginFailure).where(LoginFailure.at <= stale))
