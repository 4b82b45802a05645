"""The ``/api/v1`` blueprint and its resources."""

from __future__ import annotations

from flask import Blueprint

from . import auth, availability, calendar_feeds, clients, health, series, sessions, stats, time_off


def create_blueprint() -> Blueprint:
    api = Blueprint("api_v1", __name__, url_prefix="/api/v1")
    for module in (auth, clients, sessions, series, stats, availability, time_off, calendar_feeds, health):
        api.register_blueprint(module.bp)
    return api
