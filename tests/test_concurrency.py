"""Double booking is impossible, and login throttling cannot be outrun, under real
concurrency: many threads, each with its own connection, race against multi-process
gunicorn servers on the same database."""

from __future__ import annotations

import fcntl
import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select

from mectofitness import create_app, migrate
from mectofitness.config import Settings, normalize_database_url
from mectofitness.domain import OCCUPYING_STATUSES
from mectofitness.extensions import db
from mectofitness.models import AuthToken, LoginFailure, Trainer, TrainingSession
from mectofitness.services import auth as auth_service
from mectofitness.transactions import configure_sqlite

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


def test_concurrent_creates_into_buffered_adjacent_slots_exactly_one_wins(db_url, tmp_path, factory, trainer):
    # 24 one-minute sessions, back to back: none overlaps another, but with a 30-minute
    # buffer every two conflict. The buffer alone must let exactly one in (contract §8),
    # on PostgreSQL by the exclusion constraint over the buffered range.
    client = factory.client(trainer)
    with live_server(db_url, tmp_path / "instance", workers=4, threads=4) as server:
        base = server.base
        cookie = login_cookie(base, trainer.username, PASSWORD)
        r = requests.patch(base + "/api/v1/auth/me", json={"scheduling": {"buffer_minutes": 30}},
                           cookies={"session": cookie}, timeout=10)
        assert r.status_code == 200, r.text
        bodies = [
            {
                "client_id": client.id,
                "title": f"Racer {i}",
                "scheduled_start": f"2031-03-10T10:{i:02d}:00",
                "scheduled_end": f"2031-03-10T10:{i + 1:02d}:00",
            }
            for i in range(RACERS)
        ]
        statuses = race([("POST", base + "/api/v1/sessions", body) for body in bodies], cookie)
    assert statuses == Counter({201: 1, 409: RACERS - 1})
    assert occupying_count(db_url, trainer.id) == 1


def test_bookings_racing_a_time_off_never_land_unseen_under_it(db_url, tmp_path, factory, trainer):
    # Bookings in disjoint slots race one time off that covers them all: each booking is
    # either refused (409: it saw the time off) or listed in the time off's
    # overlapping_sessions (the time off saw it); none lands unseen.
    client = factory.client(trainer)
    with live_server(db_url, tmp_path / "instance", workers=4, threads=4) as server:
        base = server.base
        cookie = login_cookie(base, trainer.username, PASSWORD)
        requests_to_send = [
            ("POST", base + "/api/v1/sessions", {
                "client_id": client.id,
                "title": f"Racer {i}",
                "scheduled_start": f"2031-03-10T{8 + i // 2:02d}:{30 * (i % 2):02d}:00",
                "scheduled_end": f"2031-03-10T{8 + i // 2:02d}:{30 * (i % 2) + 29:02d}:00",
            })
            for i in range(RACERS - 1)
        ]
        requests_to_send.insert(RACERS // 2, ("POST", base + "/api/v1/time-off",
                                              {"start": "2031-03-10T00:00:00", "end": "2031-03-11T00:00:00"}))
        answers = race_answers(requests_to_send, cookie)
    [time_off] = [body["data"] for status, body in answers if status == 201 and "overlapping_sessions" in body["data"]]
    booked = {body["data"]["id"] for status, body in answers if status == 201 and "client_id" in body["data"]}
    assert {s["id"] for s in time_off["overlapping_sessions"]} == booked
    assert Counter(status for status, _ in answers) == Counter({201: 1 + len(booked), 409: RACERS - 1 - len(booked)})


def race_answers(requests_to_send: list[tuple[str, str, dict]], cookie: str) -> list[tuple[int, dict]]:
    """Like ``race``, keeping each answer's status and body."""
    barrier = threading.Barrier(len(requests_to_send))
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def fire(method: str, url: str, body: dict) -> None:
        with requests.Session() as http:
            http.cookies.set("session", cookie)
            barrier.wait()
            response = http.request(method, url, json=body, timeout=60)
        with lock:
            answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=fire, args=args) for args in requests_to_send]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def race_logins(bases: list[str], attempts: list[tuple[str, str, dict[str, str]]]) -> Counter[int]:
    """Send every login at once (a barrier releases them), each on its own connection, to
    the servers in turn."""
    barrier = threading.Barrier(len(attempts))
    statuses: list[int] = []
    lock = threading.Lock()

    def fire(base: str, username: str, password: str, headers: dict[str, str]) -> None:
        with requests.Session() as http:
            barrier.wait()
            status = http.post(
                base + "/api/v1/auth/login", json={"username": username, "password": password},
                headers=headers, timeout=60,
            ).status_code
        with lock:
            statuses.append(status)

    threads = [
        threading.Thread(target=fire, args=(bases[i % len(bases)], *attempt)) for i, attempt in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(statuses)


def stored_failures(db_url: str) -> Counter[tuple[str, str]]:
    """How many failures are stored, per (account, address)."""
    engine = create_engine(normalize_database_url(db_url))
    with engine.connect() as conn:
        rows = conn.execute(select(LoginFailure.account, LoginFailure.address)).all()
    engine.dispose()
    return Counter((account, address) for account, address in rows)


@contextmanager
def two_servers(db_url: str, tmp_path: Path, **env: str) -> Iterator[list[str]]:
    """Two server processes (two workers each) on one database, as on two machines."""
    with (
        live_server(db_url, tmp_path / "instance-a", workers=2, extra_env=env) as a,
        live_server(db_url, tmp_path / "instance-b", workers=2, extra_env=env) as b,
    ):
        yield [a.base, b.base]


def test_concurrent_wrong_passwords_by_username_and_email_at_most_ten_checked(db_url, tmp_path, trainer):
    attempts = [("mike" if i % 2 else "Mike@Example.com", "wrong-password", {}) for i in range(40)]
    with two_servers(db_url, tmp_path) as bases:
        statuses = race_logins(bases, attempts)
        # The limit holds for the right password too, on either server.
        for base in bases:
            right = {"username": "mike", "password": PASSWORD}
            assert requests.post(base + "/api/v1/auth/login", json=right, timeout=10).status_code == 429
    assert statuses == Counter({401: 10, 429: 30})
    assert stored_failures(db_url) == Counter({(f"trainer:{trainer.id}", "127.0.0.1"): 10})


def test_concurrent_wrong_passwords_from_many_addresses_at_most_a_hundred_checked(db_url, tmp_path, trainer):
    # Twelve addresses, as a trusted proxy reports them: 10 each would be 120, over the
    # account's cap of 100 however the races fall.
    addresses = [f"203.0.113.{n}" for n in range(12)]
    attempts = [("mike", "wrong-password", {"X-Forwarded-For": addresses[i % 12]}) for i in range(144)]
    with two_servers(db_url, tmp_path, MECTO_TRUSTED_PROXIES="1") as bases:
        statuses = race_logins(bases, attempts)
    assert statuses == Counter({401: 100, 429: 44})
    stored = stored_failures(db_url)
    assert sum(stored.values()) == 100
    assert {account for account, _ in stored} == {f"trainer:{trainer.id}"}
    assert {address for _, address in stored} <= set(addresses)
    assert max(stored.values()) <= 10


def test_concurrent_token_creations_stop_at_the_limit(app, db_url, tmp_path, trainer):
    with app.app_context():
        owner = db.session.get(Trainer, trainer.id)
        for n in range(auth_service.MAX_API_TOKENS - 5):
            auth_service.issue_token(db.session, trainer=owner, kind="api", name=f"t{n}")
        db.session.commit()
    with live_server(db_url, tmp_path / "instance") as server:
        base = server.base
        cookie = login_cookie(base, trainer.username, PASSWORD)
        statuses = race([("POST", base + "/api/v1/auth/tokens", {"name": f"racer {i}"}) for i in range(RACERS)], cookie)
    assert statuses == Counter({201: 5, 409: RACERS - 5})
    engine = create_engine(normalize_database_url(db_url))
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).where(AuthToken.trainer_id == trainer.id, AuthToken.kind == "api"))
    engine.dispose()
    assert count == auth_service.MAX_API_TOKENS


def test_sqlite_writers_queue_on_the_lock_beside_the_database_and_readers_do_not(tmp_path):
    """SQLite only (PostgreSQL has row locks and the exclusion constraint): a write request
    waits in the writers' queue, not in SQLite's sleeping retry loop, while another writer
    holds it; it goes on the moment the lock is released; reads never wait for it."""
    path = tmp_path / "queue.db"
    engine = create_engine(f"sqlite:///{path}")
    configure_sqlite(engine)
    migrate.upgrade(engine)
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
