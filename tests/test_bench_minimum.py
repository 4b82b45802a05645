"""bench.minimum is a fair yardstick: for every request the benchmark sends it, it answers
what the service answers (same status, same JSON), so its throughput is the cost of the
same work without the service's layers (docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench import MEASURED_PASSWORD, MEASURED_USERNAME
from bench.minimum import create_app as create_minimum
from bench.seed import seed
from flask.testing import FlaskClient

from mectofitness import create_app

SECRET = "bench-minimum-test-secret-0123456789abcdefghijklmnop"
READS = [
    "/api/v1/health",
    "/api/v1/sessions",
    "/api/v1/sessions?start_date=2026-11-30&end_date=2026-12-06&status=scheduled",
    "/api/v1/sessions?include_client=true&include_trainer=true",
    "/api/v1/sessions/stats",
    "/api/v1/sessions/stats?start_date=2026-10-01&end_date=2026-10-31",
    "/api/v1/sessions/availability?date=2026-12-08&duration=60",
    "/api/v1/sessions/availability?date=2026-12-09&duration=30",
]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[FlaskClient, FlaskClient]:
    folder = tmp_path_factory.mktemp("minimum")
    url = f"sqlite:///{folder / 'bench.db'}"
    seed(url, size=1_000, log=lambda _line: None)
    service = create_app(database_url=url, secret_key=SECRET, instance_path=Path(folder / "instance"),
                         log_level="WARNING").test_client()
    login = service.post("/api/v1/auth/login", json={"username": MEASURED_USERNAME, "password": MEASURED_PASSWORD})
    assert login.status_code == 200
    minimum = create_minimum(url, SECRET).test_client()
    cookie = service.get_cookie("session")
    assert cookie is not None
    minimum.set_cookie("session", cookie.value)
    return service, minimum


def test_minimum_answers_every_read_as_the_service_does(pair: tuple[FlaskClient, FlaskClient]) -> None:
    service, minimum = pair
    first = service.get("/api/v1/sessions?per_page=1").get_json()["data"]["sessions"][0]["id"]
    for path in [*READS, f"/api/v1/sessions/{first}"]:
        theirs, ours = minimum.get(path), service.get(path)
        assert (theirs.status_code, theirs.get_json()) == (ours.status_code, ours.get_json()), path
        assert ours.status_code == 200, path
    # The benchmark's day has bookings and free time to compare, not two empty lists.
    day = service.get(READS[6]).get_json()["data"]
    assert day["booked_sessions"] and day["available_slots"]


def test_minimum_books_and_reschedules_as_the_service_does(pair: tuple[FlaskClient, FlaskClient]) -> None:
    service, minimum = pair
    client_id = service.get("/api/v1/clients?per_page=1").get_json()["data"]["clients"][0]["id"]
    booked = {}
    for name, web, day in (("service", service, "01"), ("minimum", minimum, "02")):
        body = {"client_id": client_id, "title": "Benchmark booking", "session_type": "personal",
                "location": "Main Gym - Studio A",
                "scheduled_start": f"2071-01-{day}T10:00:00Z", "scheduled_end": f"2071-01-{day}T10:45:00Z"}
        created = web.post("/api/v1/sessions", json=body)
        assert created.status_code == 201, name
        assert web.post("/api/v1/sessions", json=body).status_code == 409, name  # the same hour again
        data = created.get_json()["data"]
        booked[name] = data
        update = {"notes": f"moved by {name}", "scheduled_start": f"2071-01-{day}T11:00:00Z",
                  "scheduled_end": f"2071-01-{day}T11:45:00Z"}
        updated = web.patch(f"/api/v1/sessions/{data['id']}", json=update)
        assert updated.status_code == 200, name
        assert updated.get_json()["data"]["notes"] == f"moved by {name}"
        assert updated.get_json()["data"]["scheduled_start"] == service.get(
            f"/api/v1/sessions/{data['id']}").get_json()["data"]["scheduled_start"]
    assert booked["service"].keys() == booked["minimum"].keys()
    assert booked["service"]["client"] == booked["minimum"]["client"]
