"""Liveness: a tiny answer with no authentication and no database (also the benchmark's
floor: what the framework and server cost with nothing else in the way)."""

from __future__ import annotations

from flask import Blueprint, Response

from .http import endpoint, ok

bp = Blueprint("health", __name__, url_prefix="/health")


@bp.get("")
@endpoint(public=True)
def health() -> Response:
    """The service is up and answering."""
    return ok({"status": "ok"})
