"""Mapped classes, one module per aggregate. Importing this package registers them all."""

from .client import Client, ClientStatus
from .login_failure import LoginFailure
from .token import AuthToken
from .trainer import Trainer
from .training_session import SessionStatus, SessionType, TrainingSession

__all__ = [
    "AuthToken",
    "Client",
    "ClientStatus",
    "LoginFailure",
    "SessionStatus",
    "SessionType",
    "Trainer",
    "TrainingSession",
]
