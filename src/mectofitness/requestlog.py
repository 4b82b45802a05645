"""Request ids: one per request, on the response and on every log line of that request."""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(level: str) -> None:
    """Log lines to stderr carrying the request id; idempotent across app factories."""
    root = logging.getLogger()
    if not any(getattr(h, "_mecto", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._mecto = True  # type: ignore[attr-defined]
        handler.addFilter(RequestIdFilter())
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
        root.addHandler(handler)
    root.setLevel(level)


def init_app(app: Flask) -> None:
    @app.before_request
    def _assign_request_id() -> None:
        incoming = request.headers.get(HEADER, "")
        # Keep a caller's id when it is safe to echo, so logs join up across services.
        g.request_id = incoming if _ACCEPTABLE.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        response.headers[HEADER] = g.get("request_id") or uuid.uuid4().hex
        return response
