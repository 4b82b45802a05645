"""Who is calling: Flask-Login loaders for the session cookie and bearer tokens (each one
query, answering the caller's Trainer), the authentication guard for the API, and the
cross-site check for cookie writes."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Request, current_app, request, session
from flask_login import current_user

from .errors import Forbidden, Unauthorized, UnsupportedMediaType
from .extensions import db, login_manager
from .models import Trainer
from .services import auth as auth_service

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = None  # the server-side login row is the protection

    @login_manager.user_loader
    def _from_cookie(secret: str) -> Trainer | None:
        if request.authorization is not None:
            return None  # a request bearing a token is judged by that token alone
        trainer = auth_service.trainer_for_secret(db.session(), secret=secret, kind="login")
        if trainer is not None:
            trainer.login_secret = secret
        return trainer

    @login_manager.request_loader
    def _from_bearer(req: Request) -> Trainer | None:
        credentials = req.authorization
        if credentials is None or credentials.type != "bearer" or not credentials.token:
            return None
        return auth_service.trainer_for_secret(db.session(), secret=credentials.token, kind="api")


def current_trainer() -> Trainer:
    """The authenticated caller (``guard`` has made sure there is one)."""
    trainer = current_user._get_current_object()
    if not isinstance(trainer, Trainer):
        raise Unauthorized()
    return trainer


def guard(public: bool) -> None:
    """Run before every API view: authentication, then the cross-site rules. A public
    endpoint does not load the caller (no database work for a cookie it does not need);
    its writes are checked unless they carry a bearer token, which no browser sends
    cross-site on its own."""
    if not public and not current_user.is_authenticated:
        raise Unauthorized()
    # An authenticated request with an Authorization header was let in by its token alone
    # (the cookie loader steps aside for it).
    if request.method in UNSAFE_METHODS and request.authorization is None:
        _refuse_cross_site()


def _refuse_cross_site() -> None:
    """Cookie-authenticated (and anonymous) writes: a browser on another site can neither
    send JSON without a CORS preflight nor hide its Origin."""
    origin = request.headers.get("Origin")
    if origin is not None and not _same_origin(origin):
        raise Forbidden("Cross-site request refused")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise Forbidden("Cross-site request refused")
    has_body = request.method in BODY_METHODS and request.content_length != 0 and request.get_data(cache=True)
    if has_body and not request.is_json:
        raise UnsupportedMediaType()


def _same_origin(origin: str) -> bool:
    own = urlsplit(request.host_url)
    theirs = urlsplit(origin)
    if (theirs.scheme, theirs.netloc) == (own.scheme, own.netloc):
        return True
    return origin.rstrip("/") in current_app.config["MECTO_SETTINGS"].trusted_origins


def login_secret_of_request() -> str | None:
    """The cookie login's secret, when this request came with one."""
    return session.get("_user_id")

