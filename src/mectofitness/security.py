"""Who is calling: Flask-Login loaders for the session cookie and bearer tokens, the
authentication guard for the API, and the cross-site check for cookie writes."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from flask import Request, current_app, request, session
from flask_login import UserMixin, current_user

from .errors import Forbidden, Unauthorized, UnsupportedMediaType
from .extensions import db, login_manager
from .models import Trainer
from .services import auth as auth_service
from .services.auth import Caller

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Principal(UserMixin):
    """The authenticated caller: who they are, and how they proved it."""

    def __init__(self, caller: Caller, via: Literal["cookie", "bearer"], login_secret: str | None = None):
        self.caller = caller
        self.via = via
        self.login_secret = login_secret

    @property
    def trainer(self) -> Trainer:
        """The caller's whole Trainer row, loaded on first use (the session's identity map
        keeps it for the rest of the request)."""
        trainer = db.session.get(Trainer, self.caller.id)
        if trainer is None:  # deleted by an operator since the credential was checked
            raise Unauthorized()
        return trainer

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the signed cookie: the login session's secret, not the
        # user id, so logging out (deleting the row) ends the cookie on every device.
        return self.login_secret


def init_app() -> None:
    login_manager.session_protection = None  # the server-side login row is the protection

    @login_manager.user_loader
    def _from_cookie(secret: str) -> Principal | None:
        if request.authorization is not None:
            return None  # a request bearing a token is judged by that token alone
        caller = auth_service.caller_for_secret(db.session(), secret=secret, kind="login")
        return Principal(caller, "cookie", secret) if caller else None

    @login_manager.request_loader
    def _from_bearer(req: Request) -> Principal | None:
        credentials = req.authorization
        if credentials is None or credentials.type != "bearer" or not credentials.token:
            return None
        caller = auth_service.caller_for_secret(db.session(), secret=credentials.token, kind="api")
        return Principal(caller, "bearer") if caller else None


def current_principal() -> Principal:
    principal = current_user._get_current_object()  # type: ignore[attr-defined]
    if not isinstance(principal, Principal):
        raise Unauthorized()
    return principal


def guard(public: bool) -> None:
    """Run before every API view: authentication, then the cross-site rules. A public
    endpoint does not load the caller (no database work for a cookie it does not need);
    its writes are checked unless they carry a bearer token, which no browser sends
    cross-site on its own."""
    if public:
        via = "bearer" if request.authorization is not None else None
    else:
        if not current_user.is_authenticated:
            raise Unauthorized()
        via = current_user.via
    if request.method in UNSAFE_METHODS and via != "bearer":
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
