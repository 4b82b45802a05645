"""Double booking is impossible under real concurrency: many threads, each with its own
connection, race against a multi-process gunicorn server on the same database."""

from __future__ import annotations

import fcntl
import os
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import create_engine, func, select

from mectofitness import create_app, schema
from mectofitness.config import Settings, normalize_database_url
from mectofitness.db import configure_sqlite
from mectofitness.extensions import db
from mectofitness.models import TrainingSession
from mectofitness.services.scheduling import OCCUPYING_STATUSES

from .conftest import TEST_HASH_METHOD
from .factories import PASSWORD, Factory
from .live import live_server, login_cookie

RACERS = 24
pytestmark = pytest.mark.slow


def race(requests_to_send: list[tuple[str, str, dict]], cookie: str) -> Counter[int]:
    """Send every request at once (a barrier releases them), each on its own connection."""
    barrier = threading.Barrier(len(requests_to_send))
    statuses: list[int] = []
    lock = threading.Lock()

    def fire(method: str, url: str, body: dict) -> None:
        with requests.Session() as http:
            http.cookies.set("session", cookie)
            barrier.wait()
            status = http.request(method, url, json=body, timeout=60).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=fire, args=args) for args in requests_to_send]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(statuses)


def occupying_count(db_url: str, trainer_id: int) -> int:
    engine = create_engine(normalize_database_url(db_url))
    with engine.connect() as conn:
        count = conn.scalar(
            select(func.count()).where(
                TrainingSession.trainer_id == trainer_id, TrainingSession.status.in_(OCCUPYING_STATUSES)
            )
        )
    engine.dispose()
    return int(count or 0)


def test_concurrent_creates_for_one_slot_exactly_one_wins(db_url, tmp_path, factory, trainer):
    client = factory.client(trainer)
    with live_server(db_url, tmp_path / "instance", workers=4, threads=4) as server:
        base = server.base
        cookie = login_cookie(base, trainer.username, PASSWORD)
        # Every racer asks for a different but pairwise-overlapping hour: at most one fits.
        bodies = [
            {
                "client_id": client.id,
                "title": f"Racer {i}",
                "scheduled_start": f"2031-03-10T10:{i:02d}:00",
                "scheduled_end": f"2031-03-10T11:{i:02d}:00",
            }
            for i in range(RACERS)
        ]
        statuses = race([("POST", base + "/api/v1/sessions", body) for body in bodies], cookie)
    assert statuses == Counter({201: 1, 409: RACERS - 1})
    assert occupying_count(db_url, trainer.id) == 1


def test_concurrent_reschedules_into_one_slot_exactly_one_wins(db_url, tmp_path, factory, trainer):
    client = factory.client(trainer)
    base_day = datetime(2031, 4, 1, 6, 0, tzinfo=UTC)
    rows = [factory.session(trainer, client, base_day + timedelta(days=i)) for i in range(RACERS)]
    with live_server(db_url, tmp_path / "instance", workers=4, threads=4) as server:
        base = server.base
        cookie = login_cookie(base, trainer.username, PASSWORD)
        body = {"scheduled_start": "2031-05-01T09:00:00", "scheduled_end": "2031-05-01T10:00:00"}
        statuses = race([("PATCH", f"{base}/api/v1/sessions/{row.id}", body) for row in rows], cookie)
        listed = requests.get(
            base + "/api/v1/sessions",
            params={"start_date": "2031-05-01", "end_date": "2031-05-01"},
            cookies={"session": cookie},
            timeout=10,
        ).json()["data"]["sessions"]
    assert statuses == Counter({200: 1, 409: RACERS - 1})
    assert len(listed) == 1


def test_sqlite_writers_queue_on_the_lock_beside_the_database_and_readers_do_not(tmp_path):
    """SQLite only (PostgreSQL has row locks and the exclusion constraint): a write request
    waits in the writers' queue, not in SQLite's sleeping retry loop, while another writer
    holds it; it goes on the moment the lock is released; reads never wait for it."""
    path = tmp_path / "queue.db"
    engine = create_engine(f"sqlite:///{path}")
    configure_sqlite(engine)
    schema.upgrade(engine)
    engine.dispose()
    settings = Settings(instance_path=tmp_path / "instance", database_url=f"sqlite:///{path}",
                        secret_key="queue-test", password_hash_method=TEST_HASH_METHOD)
    app = create_app(settings)
    factory = Factory(app)
    trainer = factory.trainer(username="queue", email="queue@example.com")
    client = factory.client(trainer, name="Client")
    reader = app.test_client()
    factory.login(reader, trainer)
    cookie = reader.get_cookie("session").value
    body = {"client_id": client.id, "title": "Queued", "scheduled_start": "2031-01-01T10:00:00Z",
            "scheduled_end": "2031-01-01T11:00:00Z"}
    done: list[int] = []

    def write() -> None:
        web = app.test_client(use_cookies=False)
        done.append(web.post("/api/v1/sessions", json=body, headers={"Cookie": f"session={cookie}"}).status_code)

    holder = os.open(f"{path}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another process's writer, mid-transaction
    writer = threading.Thread(target=write)
    try:
        writer.start()
        writer.join(timeout=0.5)
        assert writer.is_alive() and done == []  # queued behind the holder
        assert reader.get("/api/v1/sessions").status_code == 200  # reads pass by
    finally:
        fcntl.flock(holder, fcntl.LOCK_UN)
        os.close(holder)
    writer.join(timeout=10)
    assert done == [201]
    with app.app_context():
        db.engine.dispose()
