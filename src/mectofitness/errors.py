"""Domain exceptions, and the handlers that turn them and HTTP errors into the envelope.

Services and views raise these; nothing else builds an error response.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 400
    default_message = "Bad request"

    def __init__(self, message: str | None = None, errors: dict[str, str] | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.errors = errors or None


class InvalidInput(DomainError):
    """400 "Validation failed" with every offending field named in ``errors``."""

    default_message = "Validation failed"

    def __init__(self, errors: dict[str, str], message: str | None = None):
        super().__init__(message, errors)


class BadRequest(DomainError):
    default_message = "Bad request"


class Unauthorized(DomainError):
    status = 401
    default_message = "Authentication required"


class Forbidden(DomainError):
    status = 403
    default_message = "Forbidden"


class NotFound(DomainError):
    status = 404
    default_message = "Resource not found"


class Conflict(DomainError):
    status = 409
    default_message = "Conflict"


class PreconditionFailed(DomainError):
    """412: an If-Match names a version the resource no longer has; the answer carries the
    current one (``etag``) so the client can fetch it again."""

    status = 412
    default_message = "The resource has changed since it was read"

    def __init__(self, etag: str, message: str | None = None):
        super().__init__(message)
        self.etag = etag


class Unprocessable(DomainError):
    status = 422
    default_message = "Unprocessable request"


class UnsupportedMediaType(DomainError):
    status = 415
    default_message = "Content-Type must be application/json"


class TooManyRequests(DomainError):
    status = 429
    default_message = "Too many failed login attempts; try again later"

    def __init__(self, retry_after: int, message: str | None = None):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


# The contract's sentences for errors raised by the framework itself.
HTTP_MESSAGES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Resource not found",
    405: "Method not allowed",
    413: "Request body too large (the limit is 1 MiB)",
    415: "Content-Type must be application/json",
    429: "Too many requests",
    500: "Internal server error",
}


def error_response(status: int, message: str, errors: dict[str, str] | None = None) -> Response:
    payload: dict = {"success": False, "error": message}
    if errors:
        payload["errors"] = errors
    response = jsonify(payload)
    response.status_code = status
    return response


def domain_error_response(exc: DomainError) -> Response:
    """The envelope for a domain error, with the headers its kind carries."""
    response = error_response(exc.status, exc.message, exc.errors)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, PreconditionFailed):
        response.set_etag(exc.etag)
    return response


def _is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Response:
        return domain_error_response(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response | HTTPException:
        if not _is_api_request():
            return exc
        status = exc.code or 500
        response = error_response(status, HTTP_MESSAGES.get(status, exc.name))
        if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(IntegrityError)
    def _integrity(exc: IntegrityError) -> Response:
        # A constraint refused a write that raced another request (a duplicate, a row
        # deleted meanwhile): the request conflicts with the data as it now is.
        log.warning("integrity error on %s %s: %s", request.method, request.path, exc.orig)
        return error_response(409, "The request conflicts with the current state of the data; retry it")

    @app.errorhandler(Exception)
    def _unhandled(exc: Exception) -> Response:
        # Logged with the request id (see requestlog); the client sees no internals.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, HTTP_MESSAGES[500])
