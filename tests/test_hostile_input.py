"""Hostile bodies and query strings (contract §15): nesting deeper than the parser allows,
NUL characters in any text, chunked bodies over 1 MiB. Each gets a 4xx that names the
body, field or parameter, never a 500, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from .factories import PASSWORD

CLIENTS = "/api/v1/clients"
SESSIONS = "/api/v1/sessions"
ME = "/api/v1/auth/me"
LOGIN = "/api/v1/auth/login"
TOKENS = "/api/v1/auth/tokens"
JSON_TYPE = {"Content-Type": "application/json"}
MIB = 1024 * 1024

TOO_DEEP = {"success": False, "error": "Request body is nested too deeply"}
TOO_LARGE = {"success": False, "error": "Request body too large (the limit is 1 MiB)"}
NUL_MESSAGE = "Must not contain NUL characters"
NUL = "a\u0000b"
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


def _session_body(client_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "title": "Strength",
        "scheduled_start": "2030-06-04T10:00:00",
        "scheduled_end": "2030-06-04T11:00:00",
    } | fields


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


# --- NUL characters ---------------------------------------------------------------------------

# (method, path, the body's other fields, the field given a NUL, the path that shows the effect)
NUL_BODY_CASES = [
    *[("POST", CLIENTS, {"name": "Jane"}, field, CLIENTS) for field in ("name", "email", "phone", "notes")],
    *[(m, CLIENTS + "/{client}", {}, field, CLIENTS + "/{client}")
      for m in ("PATCH", "PUT") for field in ("name", "email", "phone", "notes")],
    ("POST", TOKENS, {}, "name", TOKENS),
    *[("PATCH", ME, {}, field, ME) for field in ("full_name", "email", "timezone")],
    ("PATCH", ME, {"current_password": PASSWORD}, "password", ME),
    ("PATCH", ME, {"password": "a-new-password-7"}, "current_password", ME),
    *[("POST", SESSIONS, None, field, SESSIONS) for field in ("title", "location", "notes", "google_event_id")],
    *[("PATCH", SESSIONS + "/{session}", {}, field, SESSIONS + "/{session}") for field in ("title", "description")],
]


@pytest.mark.parametrize(
    "method, path, others, field, shown",
    [pytest.param(*case, id=f"{case[0]}-{case[1]}-{case[3]}") for case in NUL_BODY_CASES],
)
def test_body_text_with_nul_gives_400_naming_the_field(logged_in, ids, method, path, others, field, shown):
    body = (_session_body(ids["client"]) if others is None else dict(others)) | {field: NUL}
    before = logged_in.get(shown.format(**ids)).get_json()
    r = logged_in.open(path.format(**ids), method=method, json=body)
    assert r.status_code == 400, r.get_json()
    assert r.get_json() == {"success": False, "error": "Validation failed", "errors": {field: NUL_MESSAGE}}
    assert logged_in.get(shown.format(**ids)).get_json() == before


@pytest.mark.parametrize("field", ["username", "password"])
@pytest.mark.parametrize("value", [NUL, "\u0000"])
def test_login_with_nul_gives_400_naming_the_field(client, trainer, field, value):
    body = {"username": trainer.username, "password": PASSWORD} | {field: value}
    r = client.post(LOGIN, json=body)
    assert r.status_code == 400, r.get_json()
    assert r.get_json() == {"success": False, "error": "Validation failed", "errors": {field: NUL_MESSAGE}}
    # Refused before it could count as a failed login.
    assert client.get(ME).status_code == 401
    client.post(LOGIN, json={"username": trainer.username, "password": PASSWORD})
    assert client.get(ME).status_code == 200


def test_nul_in_nested_text_names_the_top_field(logged_in):
    before = logged_in.get(ME).get_json()
    hours = {"monday": [{"start": "08:00\u0000", "end": "20:00"}]}
    r = logged_in.patch(ME, json={"working_hours": hours})
    assert r.get_json() == {"success": False, "error": "Validation failed", "errors": {"working_hours": NUL_MESSAGE}}
    assert logged_in.get(ME).get_json() == before


def test_nul_in_a_dict_key_is_refused(logged_in):
    r = logged_in.patch(ME, json={"working_hours": {"mon\u0000day": []}})
    assert r.status_code == 400
    assert r.get_json()["errors"] == {"working_hours": NUL_MESSAGE}


def test_nul_deep_inside_a_field_is_found_without_recursion(logged_in, caplog):
    raw = b'{"working_hours": {"monday": ' + b"[" * 200 + b'"\\u0000"' + b"]" * 200 + b"}}"
    r = logged_in.patch(ME, data=raw, headers=JSON_TYPE)
    assert r.get_json() == {"success": False, "error": "Validation failed", "errors": {"working_hours": NUL_MESSAGE}}
    _no_error_logged(caplog)


def test_nul_and_other_problems_are_named_together(logged_in):
    body = {"name": NUL, "phone": "\u0000", "email": "not-an-address", "status": "retired", "surprise": 1}
    r = logged_in.post(CLIENTS, json=body)
    errors = r.get_json()["errors"]
    assert r.status_code == 400
    assert set(errors) == {"name", "phone", "email", "status", "surprise"}
    assert errors["name"] == errors["phone"] == NUL_MESSAGE
    assert errors["surprise"] == "Unknown field"
    assert logged_in.get(CLIENTS).get_json()["data"]["clients"] == []


def test_session_body_with_nul_and_a_foreign_client_names_both(logged_in, factory):
    other = factory.client(factory.trainer())
    r = logged_in.post(SESSIONS, json=_session_body(other.id, title=NUL))
    assert r.get_json()["errors"] == {"title": NUL_MESSAGE, "client_id": "Client not found"}


# (path, parameter) for every query parameter an endpoint reads
NUL_QUERY_CASES = [
    *[(CLIENTS, p) for p in ("search", "status", "page", "per_page", "trainer_id")],
    *[(SESSIONS, p) for p in ("client_id", "status", "session_type", "start_date", "end_date", "sort_by",
                              "sort_order", "include_client", "include_trainer", "page", "per_page", "trainer_id")],
    *[(SESSIONS + "/stats", p) for p in ("start_date", "end_date", "client_id", "trainer_id")],
    *[(SESSIONS + "/availability", p) for p in ("date", "duration", "trainer_id")],
    (SESSIONS + "/{session}", "include_client"),
]


@pytest.mark.parametrize("path, param", [pytest.param(*case, id=f"{case[0]}-{case[1]}") for case in NUL_QUERY_CASES])
@pytest.mark.parametrize("value", [NUL, "\u0000", "1\u0000"])
def test_query_parameter_with_nul_gives_400_naming_it(logged_in, ids, path, param, value):
    r = logged_in.get(path.format(**ids), query_string={param: value})
    assert r.status_code == 400, r.get_json()
    assert r.get_json() == {"success": False, "error": "Validation failed", "errors": {param: NUL_MESSAGE}}


def test_query_parameter_with_nul_on_a_write_changes_nothing(logged_in, ids):
    path = f"{SESSIONS}/{ids['session']}"
    r = logged_in.delete(path, query_string={"permanent": "true\u0000"})
    assert r.get_json() == {"success": False, "error": "Validation failed", "errors": {"permanent": NUL_MESSAGE}}
    assert logged_in.get(path).get_json()["data"]["status"] == "scheduled"


def test_nul_query_parameters_are_named_together(logged_in):
    r = logged_in.get(CLIENTS, query_string={"search": NUL, "status": "\u0000", "page": "0"})
    errors = r.get_json()["errors"]
    assert errors["search"] == errors["status"] == NUL_MESSAGE
    assert set(errors) == {"search", "status", "page"}


def test_unknown_query_parameter_with_nul_is_ignored_like_any_unknown_one(logged_in, ids):
    r = logged_in.get(CLIENTS, query_string={"nonsense": NUL, "search": "John"})
    assert r.status_code == 200
    assert [c["id"] for c in r.get_json()["data"]["clients"]] == [ids["client"]]


# --- chunked bodies ----------------------------------------------------------------------------


class _Chunks(io.RawIOBase):
    """A body handed over piece by piece, as a server passes on a chunked request."""

    def __init__(self, data: bytes, piece: int = 64 * 1024):
        self._pieces: Iterator[bytes] = (data[i : i + piece] for i in range(0, len(data), piece))
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._left:
            self._left = next(self._pieces, b"")
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def _post_chunked(web: FlaskClient, path: str, data: bytes, headers: dict[str, str] | None = None) -> Any:
    # What gunicorn (and werkzeug's server) hand the app for a chunked request: no
    # Content-Length, the decoded chunks as a stream that ends by itself, and
    # wsgi.input_terminated to say so. (The test client's input_stream would be measured
    # for a Content-Length, which is not what a server does.)
    return web.post(
        path,
        headers=JSON_TYPE | {"Transfer-Encoding": "chunked"} | (headers or {}),
        environ_overrides={"wsgi.input": _Chunks(data), "wsgi.input_terminated": True},
    )


def _client_body(size: int) -> bytes:
    prefix, suffix = b'{"name": "Jane", "notes": "', b'"}'
    return prefix + b"a" * (size - len(prefix) - len(suffix)) + suffix


@pytest.mark.parametrize("size", [MIB + 1, MIB + 64 * 1024, 5 * MIB])
def test_chunked_body_over_1mib_gives_413(logged_in, size):
    r = _post_chunked(logged_in, CLIENTS, _client_body(size))
    assert r.status_code == 413
    assert r.get_json() == TOO_LARGE
    assert logged_in.get(CLIENTS).get_json()["data"]["clients"] == []


def test_bearer_chunked_body_over_1mib_gives_413(client, bearer):
    r = _post_chunked(client, CLIENTS, _client_body(2 * MIB), bearer)
    assert r.status_code == 413
    assert r.get_json() == TOO_LARGE


def test_login_chunked_body_over_1mib_gives_413(client, trainer):
    body = b'{"username": "' + trainer.username.encode() + b'", "password": "' + b"p" * (2 * MIB) + b'"}'
    r = _post_chunked(client, LOGIN, body)
    assert r.status_code == 413
    assert r.get_json() == TOO_LARGE


def test_chunked_body_of_exactly_1mib_is_read(logged_in):
    r = _post_chunked(logged_in, CLIENTS, _client_body(MIB))
    # Read and validated (the notes are over 10,000 characters), not refused for size.
    assert r.status_code == 400
    assert set(r.get_json()["errors"]) == {"notes"}


def test_small_chunked_body_is_accepted(logged_in):
    r = _post_chunked(logged_in, CLIENTS, b'{"name": "Jane Doe"}')
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["data"]["name"] == "Jane Doe"
