"""Mapped classes, one module per aggregate. Importing this package registers them all.
The enumerations their columns hold live in ``domain`` and are re-exported here."""

from ..domain import ClientStatus, SessionStatus, SessionType
from .calendar_feed import CalendarFeed
from .client import Client
from .idempotency_key import IdempotencyKey
from .login_failure import LoginFailure
from .series import Series
from .time_off import TimeOff
from .token import AuthToken
from .trainer import Trainer
from .training_session import TrainingSession

__all__ = [
    "AuthToken",
    "CalendarFeed",
    "Client",
    "ClientStatus",
    "IdempotencyKey",
    "LoginFailure",
    "Series",
    "SessionStatus",
    "SessionType",
    "TimeOff",
    "Trainer",
    "TrainingSession",
]
