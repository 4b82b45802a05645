"""Login, logout, the caller's profile, and API tokens."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, request, session
from flask_login import login_user, logout_user

from .. import transactions
from ..errors import Unauthorized
from ..extensions import db
from ..models import Trainer
from ..schemas.auth import (
    LoginIn,
    LoginOut,
    MeOut,
    MeUpdate,
    TokenCreate,
    TokenCreatedOut,
    TokenOut,
    TokenPage,
)
from ..schemas.common import PageQuery
from ..security import current_trainer, login_secret_of_request
from ..services import auth as auth_service
from ..services import trainers
from .http import Versioned, caller_zone, dump, endpoint, ok, paginate, settings

bp = Blueprint("auth", __name__, url_prefix="/auth")
# The caller's own profile has an ETag too (contract §10): PATCH /me with If-Match.
ME = Versioned(Trainer, ident=lambda: current_trainer().id)


def me_out(trainer: Trainer) -> MeOut:
    return MeOut.model_validate(trainer)


@bp.post("/login")
@endpoint(body=LoginIn, response=LoginOut, errors=(400, 401, 415, 429), public=True)
def login(body: LoginIn) -> Response:
    """Log in with username (or e-mail) and password; sets the session cookie."""
    config = settings()
    attempt = auth_service.begin_login(
        db.session(),
        username=body.username,
        address=request.remote_addr or "unknown",
        max_failures=config.login_max_failures,
        window_seconds=config.login_failure_window_seconds,
        account_max_failures=config.login_account_max_failures,
        account_window_seconds=config.login_account_window_seconds,
        hash_method=config.password_hash_method,
    )
    # The attempt counts as failed from here on, although this request may fail, and the
    # account's lock is let go before the slow password check.
    transactions.commit()
    trainer = auth_service.authenticate(db.session(), attempt=attempt, password=body.password)
    if trainer is None:
        raise Unauthorized("Invalid username or password")
    lifetime = timedelta(days=config.login_session_days)
    _, secret = auth_service.issue_token(
        db.session(), trainer=trainer, kind="login", name=request.user_agent.string[:100] or "browser", lifetime=lifetime
    )
    session.clear()
    session.permanent = True
    trainer.login_secret = secret
    login_user(trainer)
    return ok({"user": dump(me_out(trainer))})


@bp.post("/logout")
@endpoint(errors=(401,))
def logout() -> Response:
    """End this login session (the cookie stops working everywhere)."""
    secret = login_secret_of_request()
    if secret:
        auth_service.end_login(db.session(), secret=secret)
    logout_user()
    session.clear()
    return ok(message="Logged out")


@bp.get("/me")
@endpoint(response=MeOut, errors=(401,), versioned=ME)
def get_me() -> Response:
    """The caller: profile, role, time zone, working hours, date overrides and scheduling settings."""
    return ok(dump(me_out(current_trainer())))


@bp.patch("/me")
@endpoint(body=MeUpdate, response=MeOut, errors=(400, 401, 409, 415), versioned=ME)
def update_me(body: MeUpdate) -> Response:
    """Change full name, e-mail, time zone, working hours, date overrides, scheduling settings or password."""
    trainer = current_trainer()
    changes = body.model_dump(exclude_unset=True, mode="json")
    trainers.update_profile(
        db.session(),
        trainer=trainer,
        changes=changes,
        hash_method=settings().password_hash_method,
        login_secret=login_secret_of_request(),
    )
    return ok(dump(me_out(trainer)), message="Profile updated successfully")


@bp.post("/tokens")
@endpoint(body=TokenCreate, response=TokenCreatedOut, status=201, errors=(400, 401, 409, 415))
def create_token(body: TokenCreate) -> Response:
    """Create an API token; its secret is shown in this response only."""
    token, secret = auth_service.issue_token(
        db.session(), trainer=current_trainer(), kind="api", name=body.name
    )
    out = TokenCreatedOut(id=token.id, name=token.name, created_at=token.created_at, token=secret)
    return ok(dump(out), message="Token created successfully", status=201)


@bp.get("/tokens")
@endpoint(query=PageQuery, response=TokenPage, errors=(400, 401))
def list_tokens(query: PageQuery) -> Response:
    """The caller's API tokens, without their secrets, paginated, oldest first."""
    stmt = auth_service.api_tokens_query(trainer_id=current_trainer().id)
    tokens, pagination = paginate(stmt, query)
    tz = caller_zone()
    return ok({"tokens": [dump(TokenOut.model_validate(t), tz=tz) for t in tokens], "pagination": pagination})


@bp.delete("/tokens/<int:token_id>")
@endpoint(errors=(401, 404))
def revoke_token(token_id: int) -> Response:
    """Revoke an API token; the next request bearing it is refused."""
    auth_service.revoke_api_token(db.session(), trainer=current_trainer(), token_id=token_id)
    return ok(message="Token revoked")
