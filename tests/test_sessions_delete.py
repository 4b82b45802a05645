"""``DELETE /api/v1/sessions/<id>``, section 5 of ``sessions-api.md`` as decided by the
contract: cancelling, permanent deletion, its flag, ownership and missing ids."""

from __future__ import annotations

import pytest

from .expected import AUTH_REQUIRED, NOT_FOUND, SESSION_KEYS
from .factories import BEYOND, SESSIONS, assert_invalid, create, forbidden, get, listed_ids, stored, utc

# --- the answer -----------------------------------------------------------------------


def test_delete_session_soft_cancels_and_keeps_it(app, logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.delete(f"{SESSIONS}/{created['id']}")
    assert r.status_code == 200
    payload = r.get_json()
    assert set(payload) == {"success", "message", "data"}
    assert payload["success"] is True
    assert payload["message"] == "Session cancelled successfully"
    data = payload["data"]
    assert set(data) == SESSION_KEYS
    assert data["id"] == created["id"]
    assert data["status"] == "cancelled"
    assert data["title"] == created["title"]
    assert get(logged_in, created["id"])["status"] == "cancelled"
    assert stored(app, created["id"])["status"] == "cancelled"
    assert listed_ids(logged_in) == [created["id"]]


def test_delete_session_soft_twice_is_still_200(logged_in, john):
    created = create(logged_in, john.id)
    assert logged_in.delete(f"{SESSIONS}/{created['id']}").status_code == 200
    r = logged_in.delete(f"{SESSIONS}/{created['id']}")
    assert r.status_code == 200
    assert r.get_json()["message"] == "Session cancelled successfully"
    assert r.get_json()["data"]["status"] == "cancelled"


@pytest.mark.parametrize("status", ["completed", "no-show"])
def test_delete_session_soft_cancels_any_status(logged_in, john, status):
    created = create(logged_in, john.id)
    assert logged_in.patch(f"{SESSIONS}/{created['id']}", json={"status": status}).status_code == 200
    r = logged_in.delete(f"{SESSIONS}/{created['id']}")
    assert r.status_code == 200
    assert r.get_json()["data"]["status"] == "cancelled"


def test_delete_session_soft_include_client(logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.delete(f"{SESSIONS}/{created['id']}?include_client=true")
    assert r.status_code == 200
    assert set(r.get_json()["data"]) == SESSION_KEYS | {"client"}


def test_delete_session_permanent_removes_it(app, logged_in, john):
    created = create(logged_in, john.id)
    r = logged_in.delete(f"{SESSIONS}/{created['id']}?permanent=true")
    assert r.status_code == 200
    assert r.get_json() == {"success": True, "message": "Session permanently deleted"}
    assert stored(app, created["id"]) is None
    r = logged_in.get(f"{SESSIONS}/{created['id']}")
    assert r.status_code == 404
    assert r.get_json() == NOT_FOUND
    assert listed_ids(logged_in) == []
    r = logged_in.delete(f"{SESSIONS}/{created['id']}?permanent=true")
    assert r.status_code == 404
    assert r.get_json() == NOT_FOUND


def test_delete_session_permanent_of_cancelled_session(logged_in, john):
    created = create(logged_in, john.id)
    assert logged_in.delete(f"{SESSIONS}/{created['id']}").status_code == 200
    r = logged_in.delete(f"{SESSIONS}/{created['id']}?permanent=true")
    assert r.status_code == 200
    assert r.get_json() == {"success": True, "message": "Session permanently deleted"}
    assert logged_in.get(f"{SESSIONS}/{created['id']}").status_code == 404


@pytest.mark.parametrize(
    "method, path",
    [
        ("DELETE", f"{SESSIONS}/1"),
        ("DELETE", f"{SESSIONS}/1?permanent=true"),
    ],
)
def test_sessions_require_authentication(app, client, factory, trainer, john, method, path):
    row = factory.session(trainer, john, utc(2030, 12, 11, 10))
    assert row.id == 1
    r = client.open(path, method=method, json={"title": "x"} if method in ("POST", "PUT", "PATCH") else None)
    assert r.status_code == 401
    assert r.get_json() == AUTH_REQUIRED
    assert stored(app, 1)["title"] == "Personal Training Session"
    assert stored(app, 1)["status"] == "scheduled"


# --- query parameters -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["true", "TRUE", "True", "1", "yes", "Yes", "YES"])
def test_delete_permanent_true_forms(app, logged_in, john, value):
    created = create(logged_in, john.id)
    r = logged_in.delete(f"{SESSIONS}/{created['id']}", query_string={"permanent": value})
    assert r.status_code == 200
    assert r.get_json() == {"success": True, "message": "Session permanently deleted"}
    assert stored(app, created["id"]) is None


@pytest.mark.parametrize("value", ["false", "FALSE", "False", "0", "no", "No", "NO"])
def test_delete_permanent_false_forms(app, logged_in, john, value):
    created = create(logged_in, john.id)
    r = logged_in.delete(f"{SESSIONS}/{created['id']}", query_string={"permanent": value})
    assert r.status_code == 200
    assert r.get_json()["message"] == "Session cancelled successfully"
    assert stored(app, created["id"])["status"] == "cancelled"


@pytest.mark.parametrize("value", ["maybe", "", "2", "on", "permanent"])
def test_delete_permanent_other_values_refused(app, logged_in, john, value):
    created = create(logged_in, john.id)
    before = stored(app, created["id"])
    assert_invalid(logged_in.delete(f"{SESSIONS}/{created['id']}", query_string={"permanent": value}), "permanent")
    assert stored(app, created["id"]) == before


# --- ownership ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, query, action",
    [
        ("DELETE", "", "delete"),
        ("DELETE", "?permanent=true", "delete"),
    ],
)
def test_other_trainers_session_is_forbidden(app, logged_in, other_session, method, query, action):
    before = stored(app, other_session.id)
    body = {"title": "Mine now"} if method in ("PUT", "PATCH") else None
    r = logged_in.open(f"{SESSIONS}/{other_session.id}{query}", method=method, json=body)
    assert r.status_code == 403
    assert r.get_json() == forbidden(action)
    assert stored(app, other_session.id) == before


@pytest.mark.parametrize(
    "method, query",
    [("DELETE", ""), ("DELETE", "?permanent=true")],
)
@pytest.mark.parametrize("session_id", [0, 1, 424242])
def test_missing_session_is_404(logged_in, method, query, session_id):
    body = {"title": "x"} if method in ("PUT", "PATCH") else None
    r = logged_in.open(f"{SESSIONS}/{session_id}{query}", method=method, json=body)
    assert r.status_code == 404
    assert r.get_json() == NOT_FOUND


@pytest.mark.parametrize("session_id", BEYOND)
@pytest.mark.parametrize("method, query", [("DELETE", ""), ("DELETE", "?permanent=true")])
def test_session_id_beyond_integer_range_is_404(logged_in, method, query, session_id):
    body = {"title": "x"} if method in ("PUT", "PATCH") else None
    r = logged_in.open(f"{SESSIONS}/{session_id}{query}", method=method, json=body)
    assert r.status_code == 404
    assert r.get_json() == NOT_FOUND
