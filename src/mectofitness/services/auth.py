"""Credentials: password hashing, login, API tokens and cookie login sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import bindparam, delete, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import timeutil
from ..domain import is_storable_id
from ..errors import InvalidInput, NotFound
from ..models import AuthToken, Trainer
from . import throttle

TOKEN_PREFIX = "mf_"


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """Checked when the username is unknown, so that case costs as much as a wrong password."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def hash_password(password: str, *, method: str) -> str:
    return generate_password_hash(password, method=method)


def normalize_login(username: str) -> str:
    return username.strip().lower()


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    address: str,
    max_failures: int,
    window_seconds: int,
    hash_method: str,
) -> Trainer | None:
    """The trainer whose username or e-mail and password match, or None after recording
    the failure. Raises TooManyRequests while the username or address is throttled."""
    key = normalize_login(username)
    throttle.check_allowed(session, username=key, address=address, limit=max_failures, window_seconds=window_seconds)
    trainer = session.scalars(
        select(Trainer).where(or_(func.lower(Trainer.username) == key, Trainer.email == key))
    ).first()
    stored = trainer.password_hash if trainer is not None else _dummy_hash(hash_method)
    if not check_password_hash(stored, password) or trainer is None:
        throttle.record_failure(session, username=key, address=address)
        return None
    throttle.forget(session, username=key, window_seconds=window_seconds)
    return trainer


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    session: Session, *, trainer: Trainer, kind: str, name: str, lifetime: timedelta | None = None
) -> tuple[AuthToken, str]:
    """A new credential for ``trainer``; returns the row and the secret, which is not stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timeutil.now()
    token = AuthToken(
        trainer=trainer,
        kind=kind,
        name=name,
        token_hash=_digest(secret),
        created_at=now,
        expires_at=now + lifetime if lifetime else None,
    )
    session.add(token)
    session.flush()
    return token, secret


# Built once: every authenticated request runs it, and a reused statement skips
# SQLAlchemy's per-call construction and cache-key work.
_TRAINER_BY_SECRET = (
    select(Trainer)
    .join(AuthToken, AuthToken.trainer_id == Trainer.id)
    .where(
        AuthToken.token_hash == bindparam("digest"),
        AuthToken.kind == bindparam("kind"),
        or_(AuthToken.expires_at.is_(None), AuthToken.expires_at > bindparam("now")),
    )
)


def trainer_for_secret(db: Session, *, secret: str, kind: str) -> Trainer | None:
    """The trainer a live secret of ``kind`` stands for (one indexed lookup), else None."""
    if not secret or len(secret) > 200:
        return None
    params = {"digest": _digest(secret), "kind": kind, "now": timeutil.now()}
    return db.scalars(_TRAINER_BY_SECRET, params).first()


def end_login(session: Session, *, secret: str) -> None:
    session.execute(delete(AuthToken).where(AuthToken.token_hash == _digest(secret), AuthToken.kind == "login"))


def list_api_tokens(session: Session, *, trainer: Trainer) -> list[AuthToken]:
    return list(
        session.scalars(
            select(AuthToken)
            .where(AuthToken.trainer_id == trainer.id, AuthToken.kind == "api")
            .order_by(AuthToken.id)
        )
    )


def revoke_api_token(session: Session, *, trainer: Trainer, token_id: int) -> None:
    """Delete one of the trainer's API tokens; the next request bearing it is refused."""
    token = session.get(AuthToken, token_id) if is_storable_id(token_id) else None
    if token is None or token.kind != "api" or token.trainer_id != trainer.id:
        raise NotFound("Token not found")
    session.delete(token)
    session.flush()


def change_password(
    session: Session, *, trainer: Trainer, current: str | None, new: str, method: str, keep_login_secret: str | None
) -> None:
    """Set a new password after checking the current one; ends every other login session."""
    if not current:
        raise InvalidInput({"current_password": "Current password is required to change the password"})
    if not check_password_hash(trainer.password_hash, current):
        raise InvalidInput({"current_password": "Current password is incorrect"})
    trainer.password_hash = hash_password(new, method=method)
    stmt = delete(AuthToken).where(AuthToken.trainer_id == trainer.id, AuthToken.kind == "login")
    if keep_login_secret:
        stmt = stmt.where(AuthToken.token_hash != _digest(keep_login_secret))
    session.execute(stmt)
