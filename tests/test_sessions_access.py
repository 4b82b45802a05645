"""The rules every session endpoint shares (contract §1-§3): authentication, the body
being a JSON object, ownership (403 with the action's message, nothing changed), and 404
for a missing or out-of-range id. One test per rule, every endpoint a case of it."""

from __future__ import annotations

import pytest

from .expected import AUTH_REQUIRED, NOT_FOUND
from .factories import BEYOND, SESSIONS, create, forbidden, stored, utc

ONE = f"{SESSIONS}/1"
# Every method and path that names one session, with the action its 403 names.
ON_ONE_SESSION = [
    ("GET", "", "view"),
    ("GET", "?include_client=true&include_trainer=true", "view"),
    ("PUT", "", "update"),
    ("PATCH", "", "update"),
    ("DELETE", "", "delete"),
    ("DELETE", "?permanent=true", "delete"),
]


@pytest.mark.parametrize(
    "method, path",
    [("GET", SESSIONS), ("POST", SESSIONS), ("GET", ONE), ("PUT", ONE), ("PATCH", ONE), ("DELETE", ONE),
     ("DELETE", f"{ONE}?permanent=true")],
)
def test_sessions_require_authentication(app, client, factory, trainer, john, method, path):
    row = factory.session(trainer, john, utc(2030, 12, 11, 10))
    assert row.id == 1
    r = client.open(path, method=method, json={"title": "x"} if method in ("POST", "PUT", "PATCH") else None)
    assert r.status_code == 401
    assert r.get_json() == AUTH_REQUIRED
    assert stored(app, 1)["title"] == "Personal Training Session"
    assert stored(app, 1)["status"] == "scheduled"


@pytest.mark.parametrize("raw", ["", "[]", '"text"', "{bad json", "null", "5", '[{"title": "x"}]'])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_sessions_body_must_be_a_json_object(logged_in, john, raw, method):
    created = create(logged_in, john.id)
    path = SESSIONS if method == "POST" else f"{SESSIONS}/{created['id']}"
    r = logged_in.open(path, method=method, data=raw, content_type="application/json")
    assert r.status_code == 400
    assert r.get_json() == {"success": False, "error": "Request body must be a JSON object"}


@pytest.mark.parametrize("method, query, action", ON_ONE_SESSION)
def test_other_trainers_session_is_forbidden(app, logged_in, other_session, method, query, action):
    before = stored(app, other_session.id)
    body = {"title": "Mine now"} if method in ("PUT", "PATCH") else None
    r = logged_in.open(f"{SESSIONS}/{other_session.id}{query}", method=method, json=body)
    assert r.status_code == 403
    assert r.get_json() == forbidden(action)
    assert stored(app, other_session.id) == before


@pytest.mark.parametrize("session_id", [0, 1, 424242, *BEYOND])
@pytest.mark.parametrize("method, query", sorted({(method, query) for method, query, _ in ON_ONE_SESSION}))
def test_missing_or_out_of_range_session_is_404(logged_in, method, query, session_id):
    body = {"title": "x"} if method in ("PUT", "PATCH") else None
    r = logged_in.open(f"{SESSIONS}/{session_id}{query}", method=method, json=body)
    assert r.status_code == 404
    assert r.get_json() == NOT_FOUND
