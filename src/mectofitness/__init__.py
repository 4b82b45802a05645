"""MectoFitness Sessions: the scheduling back end of a CRM for personal trainers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import errors, extensions, ratelimit, requestlog, security, transactions
from .config import Settings

MAX_BODY_BYTES = 1024 * 1024


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build the WSGI app. ``settings`` defaults to the environment's; tests pass their own."""
    app = Flask(__name__)
    if settings is None:
        settings = Settings.from_env(Path(app.instance_path))
    if overrides:
        settings = Settings(**{**settings.__dict__, **overrides})
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(
        MECTO_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=transactions.engine_options(settings.database_url),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        SESSION_COOKIE_NAME="session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(days=settings.login_session_days),
        # The cookie expires with its server-side login row (fixed at login); re-signing and
        # re-sending it on every request would only move the browser's date past the row's.
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if settings.trusted_proxies:
        # request.remote_addr becomes the address the trusted proxies report (X-Forwarded-For,
        # that many hops from the right); only the address: scheme and host stay the peer's.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=0, x_host=0, x_port=0, x_prefix=0
        )
    requestlog.configure_logging(settings.log_level)

    extensions.db.init_app(app)
    transactions.init_app(app)
    security.init_app(app)
    requestlog.init_app(app)
    ratelimit.init_app(app, settings)  # after transactions and security: it may check the credential
    errors.register_error_handlers(app)

    from .api import create_blueprint, docs

    app.register_blueprint(create_blueprint())
    app.register_blueprint(docs.bp)
    return app

