"""Rate limits (contract §10), counted by Flask-Limiter: per credential (an API token, or
a login session) and, for anonymous requests, per address; reads (GET, HEAD, OPTIONS) and
writes in two counts of their own. With ``REDIS_URL`` every process counts in one Redis;
without it each process counts alone. When Redis cannot be reached requests are served,
counted in the process's memory meanwhile, and the fault is logged (Flask-Limiter's
in-memory fallback, which tries Redis again as time passes).

Every limited response carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and
``RateLimit-Reset`` (seconds until the window ends, as the IETF RateLimit header fields
draft has it); a refused one is 429 "Too many requests" with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable

from flask import Flask, Response, request
from flask_limiter import ApplicationLimit, Limiter
from flask_login import current_user
from redis.exceptions import RedisError

from .config import Settings
from .security import login_secret_of_request
from .transactions import READ_METHODS

log = logging.getLogger(__name__)
WRITE_METHODS = ("DELETE", "PATCH", "POST", "PUT")
# Not counted: load balancers' and the test harness's liveness probe.
UNLIMITED_ENDPOINTS = frozenset({"api_v1.health.health"})
# A Redis that does not answer must not hold requests up for long.
REDIS_TIMEOUTS: dict[str, str | int] = {"socket_connect_timeout": 1, "socket_timeout": 1}


def init_app(app: Flask, settings: Settings) -> None:
    """Count ``app``'s API requests against the settings' limits (nothing when both are off).

    Run after ``transactions`` and ``security``: the key of a request that carries a
    credential is that credential, checked (a query the view would make anyway) in the
    request's own unit of work."""
    limits: list[str | Callable[[], str] | ApplicationLimit] = []
    if settings.rate_limit_reads:
        limits.append(ApplicationLimit(settings.rate_limit_reads, scope="reads", methods=sorted(READ_METHODS)))
    if settings.rate_limit_writes:
        limits.append(ApplicationLimit(settings.rate_limit_writes, scope="writes", methods=WRITE_METHODS))
    if not limits:
        return
    limiter = Limiter(
        caller_key,
        application_limits=limits,
        storage_uri=settings.redis_url or "memory://",
        storage_options=REDIS_TIMEOUTS if settings.redis_url else {},
        strategy="fixed-window",
        key_prefix=settings.rate_limit_key_prefix,
        headers_enabled=False,  # ours below: the draft's names and a reset in seconds
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter.request_filter(_unlimited)
    limiter.init_app(app)

    @app.after_request
    def _rate_limit_headers(response: Response) -> Response:
        current = limiter.current_limit
        if current is None:
            return response
        try:
            window = current.window  # one read of the count, beside the hit itself
            remaining, reset = window.remaining, max(0, math.ceil(window.reset_time - time.time()))
        except RedisError:  # Redis went away after counting this request: serve it without the headers
            log.warning("rate limit store unreachable while reading the count", exc_info=True)
            return response
        response.headers["RateLimit-Limit"] = str(current.limit.amount)
        response.headers["RateLimit-Remaining"] = str(remaining)
        response.headers["RateLimit-Reset"] = str(reset)
        if current.breached:
            response.headers["Retry-After"] = str(max(1, reset))
        return response


def caller_key() -> str:
    """Whose count a request is: its credential's when it has a valid one (a token and a
    login session count apart, as the contract says), else its address, which is the one
    the trusted proxies report (``MECTO_TRUSTED_PROXIES``: werkzeug's ProxyFix in
    create_app). A bad credential counts against its address, so inventing tokens does
    not buy fresh counts."""
    if (request.authorization is not None or request.cookies) and current_user.is_authenticated:
        credentials = request.authorization
        secret = credentials.token if credentials is not None and credentials.token else login_secret_of_request()
        if secret:
            return "credential:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "address:" + (request.remote_addr or "unknown")


def _unlimited() -> bool:
    return not request.path.startswith("/api/") or request.endpoint in UNLIMITED_ENDPOINTS
