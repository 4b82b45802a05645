"""``DELETE /api/v1/sessions/<id>``, section 5 of ``sessions-api.md`` as decided by the
contract: cancelling, permanent deletion, its flag, ownership and missing ids."""

from __future__ import annotations

import pytest

from .expected import NOT_FOUND, SESSION_KEYS
from .factories import SESSIONS, assert_invalid, create, get, listed_ids, stored

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


