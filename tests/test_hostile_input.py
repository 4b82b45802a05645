"""Hostile bodies and query strings (contract §15): nesting deeper than the parser allows,
NUL characters in any text, chunked bodies over 1 MiB. Each gets a 4xx that names the
body, field or parameter, never a 500, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

CLIENTS = "/api/v1/clients"
SESSIONS = "/api/v1/sessions"
ME = "/api/v1/auth/me"
LOGIN = "/api/v1/auth/login"
TOKENS = "/api/v1/auth/tokens"
JSON_TYPE = {"Content-Type": "application/json"}

TOO_DEEP = {"success": False, "error": "Request body is nested too deeply"}
# Far past any interpreter's recursion limit, far below the body size limit.
DEPTH = 100_000


@pytest.fixture()
def ids(factory, trainer) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A client and a session of the logged-in trainer, for the paths that name one."""
    client = factory.client(trainer, name="John Doe")
    session = factory.session(trainer, client, datetime(2030, 6, 3, 10, tzinfo=UTC))
    return {"client": client.id, "session": session.id}


@pytest.fixture()
def bearer(factory, trainer) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {factory.token(trainer)}"}


def _no_error_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


# --- nesting deeper than the parser allows --------------------------------------------------

DEEP_BODIES = [
    pytest.param(b"[" * DEPTH, id="open-arrays"),
    pytest.param(b"[" * DEPTH + b"]" * DEPTH, id="closed-arrays"),
    pytest.param(b'{"a":' * DEPTH, id="open-objects"),
    pytest.param(b'{"a":' * DEPTH + b"1" + b"}" * DEPTH, id="closed-objects"),
    pytest.param(b'{"name": ' + b"[" * DEPTH + b"]" * DEPTH + b"}", id="inside-a-field"),
]

BODY_ENDPOINTS = [
    ("POST", CLIENTS),
    ("PUT", CLIENTS + "/{client}"),
    ("PATCH", CLIENTS + "/{client}"),
    ("POST", SESSIONS),
    ("PUT", SESSIONS + "/{session}"),
    ("PATCH", SESSIONS + "/{session}"),
    ("PATCH", ME),
    ("POST", TOKENS),
]


@pytest.mark.parametrize("raw", DEEP_BODIES)
@pytest.mark.parametrize("method, path", BODY_ENDPOINTS)
def test_body_nested_too_deeply_gives_400(logged_in, ids, caplog, method, path, raw):
    before = logged_in.get(CLIENTS).get_json()["data"]
    r = logged_in.open(path.format(**ids), method=method, data=raw, headers=JSON_TYPE)
    assert r.status_code == 400
    assert r.get_json() == TOO_DEEP
    _no_error_logged(caplog)
    assert logged_in.get(CLIENTS).get_json()["data"] == before


@pytest.mark.parametrize("raw", DEEP_BODIES)
def test_login_body_nested_too_deeply_gives_400(client, trainer, caplog, raw):
    r = client.post(LOGIN, data=raw, headers=JSON_TYPE)
    assert r.status_code == 400
    assert r.get_json() == TOO_DEEP
    _no_error_logged(caplog)


@pytest.mark.parametrize("raw", DEEP_BODIES)
def test_bearer_body_nested_too_deeply_gives_400(client, bearer, caplog, raw):
    r = client.post(CLIENTS, data=raw, headers=bearer | JSON_TYPE)
    assert r.status_code == 400
    assert r.get_json() == TOO_DEEP
    _no_error_logged(caplog)


def test_body_nested_deeply_but_readable_names_the_field(logged_in, caplog):
    raw = b'{"name": ' + b"[" * 200 + b"]" * 200 + b', "notes": "fine"}'
    r = logged_in.post(CLIENTS, data=raw, headers=JSON_TYPE)
    assert r.status_code == 400
    assert r.get_json() == {"success": False, "error": "Validation failed", "errors": {"name": "Must be a string"}}
    _no_error_logged(caplog)
