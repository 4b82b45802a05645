"""Credentials: password hashing, login, API tokens and cookie login sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import Select, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import timeutil
from ..domain import is_storable_id
from ..errors import Conflict, InvalidInput, NotFound
from ..models import AuthToken, Trainer
from . import throttle

TOKEN_PREFIX = "mf_"
# Live API tokens one trainer may hold, so that their tokens (and the list) stay bounded.
MAX_API_TOKENS = 100


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """Checked when the username is unknown, so that case costs as much as a wrong password."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def hash_password(password: str, *, method: str) -> str:
    return generate_password_hash(password, method=method)


def normalize_login(username: str) -> str:
    return username.strip().lower()


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """A login attempt already counted as failed (``begin_login``), whose password is
    still to be checked (``authenticate``)."""

    account: str
    address: str
    trainer_id: int | None
    password_hash: str


def begin_login(
    db: Session,
    *,
    username: str,
    address: str,
    max_failures: int,
    window_seconds: int,
    account_max_failures: int,
    account_window_seconds: int,
    hash_method: str,
) -> LoginAttempt:
    """Find whose username or e-mail ``username`` is and count this attempt on that
    account as failed, before its password is checked, so that concurrent attempts cannot
    all slip under the limits (see services.throttle). Raises TooManyRequests when the
    account has ``max_failures`` failures from ``address`` within ``window_seconds``, or
    ``account_max_failures`` from anywhere within ``account_window_seconds``.

    The caller commits before calling ``authenticate``: the attempt must count even if
    the request then fails, and no lock may be held during the slow password check."""
    key = normalize_login(username)
    found = db.execute(
        select(Trainer.id, Trainer.password_hash).where(or_(func.lower(Trainer.username) == key, Trainer.email == key))
    ).first()
    trainer_id = found.id if found is not None else None
    account = throttle.account_key(trainer_id=trainer_id, login_name=key)
    throttle.record_attempt(
        db,
        account=account,
        address=address,
        per_address=throttle.Limit(max_failures, window_seconds),
        per_account=throttle.Limit(account_max_failures, account_window_seconds),
    )
    # An unknown name costs a hash check too, so the answer's timing does not tell.
    stored = found.password_hash if found is not None else _dummy_hash(hash_method)
    return LoginAttempt(account=account, address=address, trainer_id=trainer_id, password_hash=stored)


def authenticate(db: Session, *, attempt: LoginAttempt, password: str) -> Trainer | None:
    """The trainer of a committed ``begin_login`` attempt if ``password`` is right; then
    the account's failures from that address are forgotten. Otherwise None: the attempt
    stays counted as a failure."""
    if not check_password_hash(attempt.password_hash, password) or attempt.trainer_id is None:
        return None
    throttle.forget(db, account=attempt.account, address=attempt.address)
    return db.get(Trainer, attempt.trainer_id)


def digest_secret(secret: str) -> str:
    """What is stored of a secret (API token, login, calendar feed): its SHA-256. The
    secrets are long and random, so a fast hash is enough; no salt is needed."""
    return hashlib.sha256(secret.encode()).hexdigest()



def issue_token(
    db: Session, *, trainer: Trainer, kind: str, name: str, lifetime: timedelta | None = None
) -> tuple[AuthToken, str]:
    """A new credential for ``trainer``; returns the row and the secret, which is not stored.

    An API token is refused (Conflict) while the trainer has ``MAX_API_TOKENS`` live ones.
    A login first deletes the trainer's expired logins, so their rows do not pile up."""
    now = timeutil.now()
    if kind == "api":
        # Serializes the trainer's token creations on PostgreSQL (SQLite's write transaction
        # already does), so racing requests cannot all pass the count. NO KEY UPDATE: rows
        # that merely reference the trainer (sessions, clients, logins) are not held up.
        db.execute(select(Trainer.id).where(Trainer.id == trainer.id).with_for_update(key_share=True))
        live = db.scalar(
            select(func.count()).where(
                AuthToken.trainer_id == trainer.id,
                AuthToken.kind == "api",
                or_(AuthToken.expires_at.is_(None), AuthToken.expires_at > now),
            )
        )
        if (live or 0) >= MAX_API_TOKENS:
            raise Conflict(f"Token limit reached ({MAX_API_TOKENS}); revoke one first")
    elif kind == "login":
        db.execute(
            delete(AuthToken).where(
                AuthToken.trainer_id == trainer.id, AuthToken.kind == "login", AuthToken.expires_at <= now
            )
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AuthToken(
        trainer=trainer,
        kind=kind,
        name=name,
        token_hash=digest_secret(secret),
        created_at=now,
        expires_at=now + lifetime if lifetime else None,
    )
    db.add(token)
    db.flush()
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
    params = {"digest": digest_secret(secret), "kind": kind, "now": timeutil.now()}
    return db.scalars(_TRAINER_BY_SECRET, params).first()


def end_login(db: Session, *, secret: str) -> None:
    db.execute(delete(AuthToken).where(AuthToken.token_hash == digest_secret(secret), AuthToken.kind == "login"))


def api_tokens_query(*, trainer_id: int) -> Select[tuple[AuthToken]]:
    """The trainer's API tokens (not their logins), oldest first, for one page at a time."""
    return select(AuthToken).where(AuthToken.trainer_id == trainer_id, AuthToken.kind == "api").order_by(AuthToken.id)


def revoke_api_token(db: Session, *, trainer: Trainer, token_id: int) -> None:
    """Delete one of the trainer's API tokens; the next request bearing it is refused."""
    token = db.get(AuthToken, token_id) if is_storable_id(token_id) else None
    if token is None or token.kind != "api" or token.trainer_id != trainer.id:
        raise NotFound("Token not found")
    db.delete(token)
    db.flush()


def change_password(
    db: Session, *, trainer: Trainer, current: str | None, new: str, method: str, keep_login_secret: str | None
) -> None:
    """Set a new password after checking the current one; ends every other login session."""
    if not current:
        raise InvalidInput({"current_password": "Current password is required to change the password"})
    if not check_password_hash(trainer.password_hash, current):
        raise InvalidInput({"current_password": "Current password is incorrect"})
    trainer.password_hash = hash_password(new, method=method)
    stmt = delete(AuthToken).where(AuthToken.trainer_id == trainer.id, AuthToken.kind == "login")
    if keep_login_secret:
        stmt = stmt.where(AuthToken.token_hash != digest_secret(keep_login_secret))
    db.execute(stmt)
