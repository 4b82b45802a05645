"""Clients over HTTP: CRUD with the envelope, validation, pagination, ownership and
admin rights (contract §1, §3 and §6)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from .factories import assert_invalid

CLIENTS = "/api/v1/clients"
CLIENT_KEYS = {"id", "trainer_id", "name", "email", "phone", "status", "notes", "created_at", "updated_at"}
PAGINATION_KEYS = {"page", "per_page", "total_pages", "total_items", "has_next", "has_prev"}
LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
START = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)


def _url(client_id: int) -> str:
    return f"{CLIENTS}/{client_id}"


def _listed(web: FlaskClient, query: str = "") -> dict:
    r = web.get(f"{CLIENTS}{query}")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["success"] is True
    return body["data"]


# --- create --------------------------------------------------------------------------------


def test_create_client_gives_201_with_client(logged_in, trainer):
    body = {"name": "Jane Doe", "email": "jane@example.com", "phone": "+1-555-0199", "notes": "Knee injury"}
    r = logged_in.post(CLIENTS, json=body)
    assert r.status_code == 201
    payload = r.get_json()
    assert payload["success"] is True
    assert payload["message"] == "Client created successfully"
    data = payload["data"]
    assert set(data) == CLIENT_KEYS
    assert isinstance(data["id"], int)
    assert data["trainer_id"] == trainer.id
    assert data["name"] == "Jane Doe"
    assert data["email"] == "jane@example.com"
    assert data["phone"] == "+1-555-0199"
    assert data["notes"] == "Knee injury"
    assert data["status"] == "active"
    assert LOCAL_TIME.match(data["created_at"]) and LOCAL_TIME.match(data["updated_at"])
    fetched = logged_in.get(_url(data["id"]))
    assert fetched.status_code == 200
    assert fetched.get_json() == {"success": True, "data": data}


def test_create_client_name_only_defaults(logged_in):
    r = logged_in.post(CLIENTS, json={"name": "Solo"})
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert data["status"] == "active"
    assert data["email"] is None and data["phone"] is None and data["notes"] is None


def test_create_client_name_trimmed(logged_in):
    r = logged_in.post(CLIENTS, json={"name": "  Jane  "})
    assert r.status_code == 201
    assert r.get_json()["data"]["name"] == "Jane"


@pytest.mark.parametrize("status", ["active", "inactive"])
def test_create_client_with_status(logged_in, status):
    r = logged_in.post(CLIENTS, json={"name": "Jane", "status": status})
    assert r.status_code == 201
    assert r.get_json()["data"]["status"] == status


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "\t\n"}, "name"),
        ({"name": None}, "name"),
        ({"name": 42}, "name"),
        ({"name": ["Jane"]}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Jane", "email": "not-an-email"}, "email"),
        ({"name": "Jane", "email": "jane@"}, "email"),
        ({"name": "Jane", "email": "jane example.com"}, "email"),
        ({"name": "Jane", "email": 7}, "email"),
        ({"name": "Jane", "status": "archived"}, "status"),
        ({"name": "Jane", "status": "Active"}, "status"),
        ({"name": "Jane", "status": None}, "status"),
        ({"name": "Jane", "phone": 5550100}, "phone"),
        ({"name": "Jane", "notes": "x" * 10_001}, "notes"),
    ],
)
def test_create_client_invalid_field_gives_400_naming_it(logged_in, body, field):
    errors = assert_invalid(logged_in.post(CLIENTS, json=body))
    assert set(errors) == {field}
    assert isinstance(errors[field], str) and errors[field]
    assert _listed(logged_in)["clients"] == []


def test_create_client_missing_name_message(logged_in):
    errors = assert_invalid(logged_in.post(CLIENTS, json={"email": "jane@example.com"}))
    assert errors == {"name": "Name is required"}


@pytest.mark.parametrize("field", ["nickname", "age", "client", "Name"])
def test_create_client_unknown_field_gives_400_naming_it(logged_in, field):
    errors = assert_invalid(logged_in.post(CLIENTS, json={"name": "Jane", field: "x"}))
    assert errors == {field: "Unknown field"}


def test_create_client_every_bad_field_named_at_once(logged_in):
    body = {"name": "  ", "email": "nope", "status": "retired", "nickname": "JJ", "phone": 1}
    errors = assert_invalid(logged_in.post(CLIENTS, json=body))
    assert set(errors) == {"name", "email", "status", "nickname", "phone"}
    assert errors["nickname"] == "Unknown field"


def test_create_client_read_only_fields_ignored(logged_in, trainer):
    body = {
        "id": 4242,
        "name": "Jane",
        "created_at": "2001-01-01T00:00:00",
        "updated_at": "2001-01-01T00:00:00",
    }
    r = logged_in.post(CLIENTS, json=body)
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert data["id"] != 4242
    assert not data["created_at"].startswith("2001")
    assert not data["updated_at"].startswith("2001")


def test_create_client_trainer_id_ignored_for_non_admin(logged_in, factory, trainer):
    other = factory.trainer()
    r = logged_in.post(CLIENTS, json={"name": "Jane", "trainer_id": other.id})
    assert r.status_code == 201
    assert r.get_json()["data"]["trainer_id"] == trainer.id


# --- get -------------------------------------------------------------------------------------


def test_get_missing_client_gives_404(logged_in):
    r = logged_in.get(_url(999999))
    assert r.status_code == 404
    assert r.get_json() == {"success": False, "error": "Client not found"}


@pytest.mark.parametrize(
    "method, action",
    [("GET", "view"), ("PATCH", "update"), ("PUT", "update"), ("DELETE", "delete")],
)
def test_other_trainers_client_gives_403(app, logged_in, factory, method, action):
    other = factory.trainer()
    theirs = factory.client(other, name="Not Yours")
    kwargs = {"json": {"name": "Hijacked"}} if method in ("PATCH", "PUT") else {}
    r = logged_in.open(_url(theirs.id), method=method, **kwargs)
    assert r.status_code == 403
    assert r.get_json() == {"success": False, "error": f"You do not have permission to {action} this client"}
    still = factory.login_as(other).get(_url(theirs.id))
    assert still.status_code == 200
    assert still.get_json()["data"]["name"] == "Not Yours"


@pytest.mark.parametrize("method", ["GET", "PATCH", "PUT", "DELETE"])
def test_missing_client_gives_404_for_every_method(logged_in, method):
    kwargs = {"json": {"name": "Ghost"}} if method in ("PATCH", "PUT") else {}
    r = logged_in.open(_url(999999), method=method, **kwargs)
    assert r.status_code == 404
    assert r.get_json() == {"success": False, "error": "Client not found"}


# --- update ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_client_partial(logged_in, factory, trainer, method):
    client = factory.client(trainer, name="Jane", email="jane@example.com", phone="+1-555-0100", notes="n")
    r = logged_in.open(_url(client.id), method=method, json={"phone": "+44 20 7946 0000"})
    assert r.status_code == 200
    payload = r.get_json()
    assert payload["success"] is True
    assert payload["message"] == "Client updated successfully"
    data = payload["data"]
    assert data["phone"] == "+44 20 7946 0000"
    assert data["name"] == "Jane"
    assert data["email"] == "jane@example.com"
    assert data["notes"] == "n"
    assert data["status"] == "active"
    assert logged_in.get(_url(client.id)).get_json()["data"] == data


def test_update_client_status_inactive(logged_in, factory, trainer):
    client = factory.client(trainer)
    r = logged_in.patch(_url(client.id), json={"status": "inactive"})
    assert r.status_code == 200
    assert r.get_json()["data"]["status"] == "inactive"


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_client_null_clears_optional_fields(logged_in, factory, trainer, method):
    client = factory.client(trainer, email="jane@example.com", phone="+1-555-0100", notes="notes")
    r = logged_in.open(_url(client.id), method=method, json={"email": None, "phone": None, "notes": None})
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert (data["email"], data["phone"], data["notes"]) == (None, None, None)
    again = logged_in.get(_url(client.id)).get_json()["data"]
    assert (again["email"], again["phone"], again["notes"]) == (None, None, None)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"name": "    "}, "name"),
        ({"status": None}, "status"),
        ({"status": "gone"}, "status"),
        ({"email": "bad@"}, "email"),
        ({"nickname": "JJ"}, "nickname"),
    ],
)
def test_update_client_invalid_gives_400_and_changes_nothing(logged_in, factory, trainer, body, field):
    client = factory.client(trainer, name="Jane", email="jane@example.com")
    before = logged_in.get(_url(client.id)).get_json()["data"]
    errors = assert_invalid(logged_in.patch(_url(client.id), json=body))
    assert set(errors) == {field}
    assert logged_in.get(_url(client.id)).get_json()["data"] == before


def test_update_client_every_bad_field_named_at_once(logged_in, factory, trainer):
    client = factory.client(trainer)
    errors = assert_invalid(logged_in.put(_url(client.id), json={"name": "", "email": "x", "status": "y", "age": 3}))
    assert set(errors) == {"name", "email", "status", "age"}


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_client_read_only_fields_ignored(logged_in, factory, trainer, method):
    other = factory.trainer()
    client = factory.client(trainer, name="Jane")
    before = logged_in.get(_url(client.id)).get_json()["data"]
    body = {
        "id": client.id + 1000,
        "trainer_id": other.id,
        "created_at": "2001-01-01T00:00:00",
        "updated_at": "2001-01-01T00:00:00",
        "name": "Jane Renamed",
    }
    r = logged_in.open(_url(client.id), method=method, json=body)
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert data["id"] == client.id
    assert data["trainer_id"] == trainer.id
    assert data["created_at"] == before["created_at"]
    assert not data["updated_at"].startswith("2001")
    assert data["name"] == "Jane Renamed"
    assert logged_in.get(_url(client.id)).get_json()["data"]["trainer_id"] == trainer.id


def test_update_client_put_back_what_was_got(logged_in, factory, trainer):
    client = factory.client(trainer, name="Jane", notes="Likes mornings")
    got = logged_in.get(_url(client.id)).get_json()["data"]
    got["status"] = "inactive"
    r = logged_in.put(_url(client.id), json=got)
    assert r.status_code == 200, r.get_json()
    data = r.get_json()["data"]
    assert data["status"] == "inactive"
    assert data["notes"] == "Likes mornings"


def test_update_client_empty_body_is_fine(logged_in, factory, trainer):
    client = factory.client(trainer, name="Jane")
    r = logged_in.patch(_url(client.id), json={})
    assert r.status_code == 200
    assert r.get_json()["data"]["name"] == "Jane"


# --- delete ------------------------------------------------------------------------------------


def test_delete_client_without_sessions(logged_in, factory, trainer):
    client = factory.client(trainer)
    r = logged_in.delete(_url(client.id))
    assert r.status_code == 200
    assert r.get_json() == {"success": True, "message": "Client deleted successfully"}
    r = logged_in.get(_url(client.id))
    assert r.status_code == 404
    assert r.get_json() == {"success": False, "error": "Client not found"}


@pytest.mark.parametrize("status", ["scheduled", "completed", "cancelled", "no-show"])
def test_delete_client_with_sessions_gives_409_and_keeps_client(logged_in, factory, trainer, status):
    client = factory.client(trainer, name="Has History")
    factory.session(trainer, client, START, status=status)
    r = logged_in.delete(_url(client.id))
    assert r.status_code == 409
    body = r.get_json()
    assert body["success"] is False
    assert "session" in body["error"].lower()
    still = logged_in.get(_url(client.id))
    assert still.status_code == 200
    assert still.get_json()["data"]["name"] == "Has History"


def test_delete_client_with_sessions_can_be_retired_instead(logged_in, factory, trainer):
    client = factory.client(trainer)
    factory.session(trainer, client, START)
    assert logged_in.delete(_url(client.id)).status_code == 409
    r = logged_in.patch(_url(client.id), json={"status": "inactive"})
    assert r.status_code == 200
    assert r.get_json()["data"]["status"] == "inactive"


def test_delete_client_twice_gives_404(logged_in, factory, trainer):
    client = factory.client(trainer)
    assert logged_in.delete(_url(client.id)).status_code == 200
    assert logged_in.delete(_url(client.id)).status_code == 404


# --- list and pagination --------------------------------------------------------------------------


def test_list_clients_envelope_and_only_own(logged_in, factory, trainer):
    mine = factory.client(trainer, name="Alice")
    factory.client(factory.trainer(), name="Bob Elsewhere")
    data = _listed(logged_in)
    assert set(data) == {"clients", "pagination"}
    assert [c["id"] for c in data["clients"]] == [mine.id]
    assert set(data["clients"][0]) == CLIENT_KEYS
    assert data["pagination"] == {
        "page": 1,
        "per_page": 20,
        "total_pages": 1,
        "total_items": 1,
        "has_next": False,
        "has_prev": False,
    }


def test_list_clients_empty(logged_in):
    data = _listed(logged_in)
    assert data["clients"] == []
    assert data["pagination"] == {
        "page": 1,
        "per_page": 20,
        "total_pages": 0,
        "total_items": 0,
        "has_next": False,
        "has_prev": False,
    }


def test_list_clients_ordered_by_name(logged_in, factory, trainer):
    for name in ("Charlie", "Alice", "Bob", "Dana"):
        factory.client(trainer, name=name)
    names = [c["name"] for c in _listed(logged_in)["clients"]]
    assert names == ["Alice", "Bob", "Charlie", "Dana"]


@pytest.mark.parametrize(
    "total, per_page, page, count, total_pages, has_next, has_prev",
    [
        (25, 10, 1, 10, 3, True, False),
        (25, 10, 2, 10, 3, True, True),
        (25, 10, 3, 5, 3, False, True),
        (25, 10, 4, 0, 3, False, True),
        (25, 10, 99, 0, 3, False, True),
        (25, 5, 5, 5, 5, False, True),
        (25, 25, 1, 25, 1, False, False),
        (25, 26, 1, 25, 1, False, False),
        (25, 24, 1, 24, 2, True, False),
        (25, 1, 25, 1, 25, False, True),
        (0, 10, 1, 0, 0, False, False),
        (0, 10, 2, 0, 0, False, True),
    ],
)
def test_list_clients_pagination_math(
    logged_in, factory, trainer, total, per_page, page, count, total_pages, has_next, has_prev
):
    for n in range(total):
        factory.client(trainer, name=f"Client {n:02d}")
    data = _listed(logged_in, f"?per_page={per_page}&page={page}")
    assert len(data["clients"]) == count
    assert data["pagination"] == {
        "page": page,
        "per_page": per_page,
        "total_pages": total_pages,
        "total_items": total,
        "has_next": has_next,
        "has_prev": has_prev,
    }


def test_list_clients_default_per_page_is_20(logged_in, factory, trainer):
    for n in range(21):
        factory.client(trainer, name=f"C{n:02d}")
    data = _listed(logged_in)
    assert len(data["clients"]) == 20
    assert data["pagination"]["per_page"] == 20
    assert data["pagination"]["total_pages"] == 2
    assert data["pagination"]["has_next"] is True


@pytest.mark.parametrize("per_page", ["101", "500", "100000"])
def test_list_clients_per_page_over_100_served_as_100(logged_in, factory, trainer, per_page):
    for n in range(102):
        factory.client(trainer, name=f"C{n:03d}")
    data = _listed(logged_in, f"?per_page={per_page}")
    assert len(data["clients"]) == 100
    assert data["pagination"]["per_page"] == 100
    assert data["pagination"]["total_pages"] == 2
    assert data["pagination"]["total_items"] == 102
    assert data["pagination"]["has_next"] is True


@pytest.mark.parametrize(
    "query, params",
    [
        ("?page=0", {"page"}),
        ("?page=-1", {"page"}),
        ("?page=abc", {"page"}),
        ("?page=1.5", {"page"}),
        ("?page=", {"page"}),
        ("?per_page=0", {"per_page"}),
        ("?per_page=-5", {"per_page"}),
        ("?per_page=ten", {"per_page"}),
        ("?page=0&per_page=0", {"page", "per_page"}),
        ("?page=x&per_page=y&status=gone", {"page", "per_page", "status"}),
        ("?status=archived", {"status"}),
        ("?status=ACTIVE", {"status"}),
    ],
)
def test_list_clients_bad_query_gives_400_naming_param(logged_in, query, params):
    errors = assert_invalid(logged_in.get(f"{CLIENTS}{query}"))
    assert set(errors) == params


def test_list_clients_stable_order_across_pages(logged_in, factory, trainer):
    """Same name everywhere: only the id tie-break orders them, the same way on every page."""
    ids = [factory.client(trainer, name="Same Name").id for _ in range(7)]
    seen = []
    for page in (1, 2, 3):
        seen += [c["id"] for c in _listed(logged_in, f"?per_page=3&page={page}")["clients"]]
    assert seen == sorted(ids)
    assert len(set(seen)) == 7


def test_list_clients_filter_by_status(logged_in, factory, trainer):
    active = factory.client(trainer, status="active")
    inactive = factory.client(trainer, status="inactive")
    assert [c["id"] for c in _listed(logged_in, "?status=active")["clients"]] == [active.id]
    data = _listed(logged_in, "?status=inactive")
    assert [c["id"] for c in data["clients"]] == [inactive.id]
    assert data["pagination"]["total_items"] == 1


def test_list_clients_search(logged_in, factory, trainer):
    jane = factory.client(trainer, name="Jane Doe", email="jd@example.com")
    factory.client(trainer, name="Bob", email="bob@example.com")
    assert [c["id"] for c in _listed(logged_in, "?search=jane")["clients"]] == [jane.id]
    assert [c["id"] for c in _listed(logged_in, "?search=JD@EX")["clients"]] == [jane.id]


def test_list_clients_trainer_id_does_not_widen_for_non_admin(logged_in, factory, trainer):
    other = factory.trainer()
    factory.client(other, name="Theirs")
    mine = factory.client(trainer, name="Mine")
    ids = [c["id"] for c in _listed(logged_in, f"?trainer_id={other.id}")["clients"]]
    assert ids in ([], [mine.id])


# --- admin ------------------------------------------------------------------------------------------


@pytest.fixture()
def admin_web(app, factory):
    admin = factory.admin()
    return admin, factory.login_as(admin)


def test_admin_sees_every_trainers_clients(admin_web, factory, trainer):
    admin, web = admin_web
    other = factory.trainer()
    a = factory.client(trainer, name="A")
    b = factory.client(other, name="B")
    c = factory.client(admin, name="C")
    data = _listed(web)
    assert {x["id"] for x in data["clients"]} == {a.id, b.id, c.id}
    assert data["pagination"]["total_items"] == 3


def test_admin_filters_by_trainer_id(admin_web, factory, trainer):
    _, web = admin_web
    other = factory.trainer()
    factory.client(trainer, name="A")
    b1 = factory.client(other, name="B1")
    b2 = factory.client(other, name="B2")
    data = _listed(web, f"?trainer_id={other.id}")
    assert [x["id"] for x in data["clients"]] == [b1.id, b2.id]
    assert all(x["trainer_id"] == other.id for x in data["clients"])


@pytest.mark.parametrize("value", ["abc", "0", "-3"])
def test_admin_bad_trainer_id_filter_gives_400(admin_web, value):
    _, web = admin_web
    errors = assert_invalid(web.get(f"{CLIENTS}?trainer_id={value}"))
    assert set(errors) == {"trainer_id"}


def test_admin_views_updates_and_deletes_other_trainers_client(admin_web, factory, trainer):
    _, web = admin_web
    client = factory.client(trainer, name="Jane")
    assert web.get(_url(client.id)).status_code == 200
    r = web.patch(_url(client.id), json={"name": "Jane Admin-Edited"})
    assert r.status_code == 200
    assert r.get_json()["data"]["trainer_id"] == trainer.id
    assert web.delete(_url(client.id)).status_code == 200
    assert web.get(_url(client.id)).status_code == 404


def test_admin_creates_client_for_trainer(app, admin_web, factory, trainer):
    _, web = admin_web
    r = web.post(CLIENTS, json={"name": "Assigned", "trainer_id": trainer.id})
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert data["trainer_id"] == trainer.id
    mike = factory.login_as(trainer)
    assert [c["id"] for c in _listed(mike)["clients"]] == [data["id"]]


def test_admin_creates_client_for_self_by_default(admin_web):
    admin, web = admin_web
    r = web.post(CLIENTS, json={"name": "Own"})
    assert r.status_code == 201
    assert r.get_json()["data"]["trainer_id"] == admin.id


@pytest.mark.parametrize("trainer_id, status", [(999999, 400), ("1", 400), (True, 400)])
def test_admin_creates_client_for_bad_trainer_gives_400(admin_web, trainer_id, status):
    _, web = admin_web
    r = web.post(CLIENTS, json={"name": "Nobody's", "trainer_id": trainer_id})
    errors = assert_invalid(r)
    assert set(errors) == {"trainer_id"}
    assert _listed(web)["clients"] == []


def test_admin_delete_client_with_sessions_gives_409(admin_web, factory, trainer):
    _, web = admin_web
    client = factory.client(trainer)
    factory.session(trainer, client, START + timedelta(days=1))
    assert web.delete(_url(client.id)).status_code == 409
    assert web.get(_url(client.id)).status_code == 200


# --- numbers beyond what an id or offset can hold ---------------------------------------------------

BEYOND = ["2147483648", "9223372036854775808", "99999999999999999999"]


@pytest.mark.parametrize("page", BEYOND)
def test_list_clients_huge_page_is_empty_not_an_error(logged_in, factory, trainer, page):
    factory.client(trainer)
    data = _listed(logged_in, f"?page={page}&per_page=100")
    assert data["clients"] == []
    assert data["pagination"] == {
        "page": int(page),
        "per_page": 100,
        "total_pages": 1,
        "total_items": 1,
        "has_next": False,
        "has_prev": True,
    }


@pytest.mark.parametrize("client_id", BEYOND)
@pytest.mark.parametrize("method", ["GET", "PATCH", "PUT", "DELETE"])
def test_client_id_beyond_range_gives_404(logged_in, method, client_id):
    kwargs = {"json": {"name": "Ghost"}} if method in ("PATCH", "PUT") else {}
    r = logged_in.open(f"{CLIENTS}/{client_id}", method=method, **kwargs)
    assert r.status_code == 404
    assert r.get_json() == {"success": False, "error": "Client not found"}


@pytest.mark.parametrize("trainer_id", BEYOND)
def test_admin_trainer_id_filter_beyond_range_gives_400_naming_it(admin_web, factory, trainer, trainer_id):
    _, web = admin_web
    factory.client(trainer)
    errors = assert_invalid(web.get(f"{CLIENTS}?trainer_id={trainer_id}"))
    assert set(errors) == {"trainer_id"}


@pytest.mark.parametrize("trainer_id", [int(n) for n in BEYOND])
def test_admin_create_for_trainer_beyond_range_gives_400(admin_web, trainer_id):
    _, web = admin_web
    errors = assert_invalid(web.post(CLIENTS, json={"name": "Nobody's", "trainer_id": trainer_id}))
    assert set(errors) == {"trainer_id"}
    assert _listed(web)["clients"] == []


# --- Contract §15: an inactive client cannot be booked; their past sessions stay.
def test_inactive_client_cannot_be_booked(logged_in, factory, trainer):
    retired = factory.client(trainer, status="inactive")
    body = {"client_id": retired.id, "title": "Comeback", "scheduled_start": "2030-01-07T10:00:00",
            "scheduled_end": "2030-01-07T11:00:00"}
    r = logged_in.post("/api/v1/sessions", json=body)
    assert r.status_code == 400
    assert r.get_json() == {"success": False, "error": "Validation failed", "errors": {"client_id": "Client is inactive"}}
    assert logged_in.get("/api/v1/sessions").get_json()["data"]["pagination"]["total_items"] == 0


def test_inactive_client_named_with_every_other_bad_field(logged_in, factory, trainer):
    retired = factory.client(trainer, status="inactive")
    r = logged_in.post("/api/v1/sessions", json={"client_id": retired.id, "title": "", "scheduled_start": "2030-01-07T10:00:00",
                                                 "scheduled_end": "2030-01-07T09:00:00"})
    assert r.status_code == 400
    assert r.get_json()["errors"] == {
        "client_id": "Client is inactive",
        "title": "Title must not be empty",
        "scheduled_end": "Scheduled end time must be after start time",
    }


def test_session_cannot_be_moved_to_an_inactive_client(logged_in, factory, trainer):
    active, retired = factory.client(trainer), factory.client(trainer, status="inactive")
    row = factory.session(trainer, active, START)
    r = logged_in.patch(f"/api/v1/sessions/{row.id}", json={"client_id": retired.id})
    assert r.status_code == 400
    assert r.get_json()["errors"] == {"client_id": "Client is inactive"}


def test_retired_clients_past_sessions_stay_and_can_still_be_completed(logged_in, factory, trainer):
    client = factory.client(trainer)
    row = factory.session(trainer, client, START)
    assert logged_in.patch(_url(client.id), json={"status": "inactive"}).status_code == 200

    r = logged_in.patch(f"/api/v1/sessions/{row.id}", json={"status": "completed", "notes": "Last one"})

    assert r.status_code == 200, r.get_json()
    assert r.get_json()["data"]["status"] == "completed"
    listed = logged_in.get(f"/api/v1/sessions?client_id={client.id}").get_json()["data"]["sessions"]
    assert [item["id"] for item in listed] == [row.id]
