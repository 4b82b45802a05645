"""Idempotency-Key on authenticated POSTs (contract §10): a retry replays the first answer
byte for byte and does nothing else; another body with the key is 422; a key still held
by a running request is 409; 5xx answers are not kept; keys expire after 24 hours."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from mectofitness import timeutil
from mectofitness.extensions import db
from mectofitness.models import Client, IdempotencyKey, TrainingSession
from mectofitness.services import idempotency

from .factories import SESSIONS, assert_invalid, new_session

CLIENTS = "/api/v1/clients"


def post(web, url, body, key="key-1", **headers):
    return web.post(url, json=body, headers={"Idempotency-Key": key, **headers})


def count(app, model) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_idempotency_retry_replays_first_answer_byte_for_byte_and_books_once(app, logged_in, john):
    first = post(logged_in, SESSIONS, new_session(john.id))
    again = post(logged_in, SESSIONS, new_session(john.id))
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.content_type == "application/json"
    assert count(app, TrainingSession) == 1


def test_idempotency_without_key_posts_run_every_time(app, logged_in):
    for _ in range(2):
        assert logged_in.post(CLIENTS, json={"name": "Dana"}).status_code == 201
    assert count(app, Client) == 2


def test_idempotency_different_body_with_same_key_is_422_and_does_nothing(app, logged_in):
    assert post(logged_in, CLIENTS, {"name": "Dana"}).status_code == 201
    r = post(logged_in, CLIENTS, {"name": "Other"})
    assert r.status_code == 422
    assert r.get_json() == {"success": False, "error": "Idempotency-Key was already used with a different request"}
    assert count(app, Client) == 1


def test_idempotency_same_key_on_another_endpoint_is_422(logged_in):
    assert post(logged_in, CLIENTS, {"name": "Dana"}).status_code == 201
    assert post(logged_in, "/api/v1/auth/tokens", {"name": "Dana"}).status_code == 422


def test_idempotency_keys_are_per_caller(app, factory, logged_in, other):
    theirs = factory.login_as(other)
    assert post(logged_in, CLIENTS, {"name": "Dana"}).status_code == 201
    r = post(theirs, CLIENTS, {"name": "Dana"})
    assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    assert count(app, Client) == 2


def test_idempotency_token_and_cookie_of_one_trainer_are_one_caller(app, factory, trainer, logged_in):
    token = factory.token(trainer)
    first = post(logged_in, CLIENTS, {"name": "Dana"})
    again = post(app.test_client(), CLIENTS, {"name": "Dana"}, Authorization=f"Bearer {token}")
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_data() == first.get_data()


def test_idempotency_client_error_answer_is_replayed(app, logged_in, john, existing):
    first = post(logged_in, SESSIONS, new_session(john.id))  # over ``existing``: 409
    assert first.status_code == 409
    # The slot frees up, but the key's answer stays the first one.
    logged_in.delete(f"{SESSIONS}/{existing.id}")
    again = post(logged_in, SESSIONS, new_session(john.id))
    assert again.status_code == 409 and again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(app, TrainingSession) == 1


def test_idempotency_validation_error_is_replayed(logged_in):
    first = post(logged_in, CLIENTS, {"name": ""})
    assert_invalid(first, "name")
    again = post(logged_in, CLIENTS, {"name": ""})
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_data() == first.get_data()


@pytest.mark.parametrize("key", ["", "a" * 256, "has space", "tab\there", "naïve", "line\u00a0break"])
def test_idempotency_bad_key_is_400_naming_the_header(app, logged_in, key):
    r = logged_in.post(CLIENTS, json={"name": "Dana"}, headers={"Idempotency-Key": key})
    assert_invalid(r, errors={"Idempotency-Key": "Must be 1 to 255 visible ASCII characters"})
    assert count(app, Client) == 0


@pytest.mark.parametrize("key", ["a", "a" * 255, "0b5f1c7e-5f0a-4d8c-9c39-4f2b8e9d1a23", "!~#$%&'*+-.^_`|"])
def test_idempotency_good_keys_are_accepted(logged_in, key):
    assert post(logged_in, CLIENTS, {"name": "Dana"}, key=key).status_code == 201
    assert post(logged_in, CLIENTS, {"name": "Dana"}, key=key).headers["Idempotent-Replayed"] == "true"


def test_idempotency_login_ignores_the_key(app, trainer):
    web = app.test_client()
    body = {"username": "mike", "password": "wrong"}
    assert post(web, "/api/v1/auth/login", body, key="bad key with spaces").status_code == 401
    assert post(web, "/api/v1/auth/login", body, key="k").headers.get("Idempotent-Replayed") is None
    assert count(app, IdempotencyKey) == 0


def test_idempotency_key_held_by_a_running_request_is_409(app, logged_in, trainer):
    fingerprint = idempotency.fingerprint(method="POST", path=CLIENTS, query=b"", body=b'{"name": "Dana"}')
    with app.app_context():  # another request has claimed the key and is still running
        held = idempotency.claim(db.session(), trainer_id=trainer.id, key="key-1", fingerprint=fingerprint)
        db.session.commit()
    r = logged_in.post(CLIENTS, data='{"name": "Dana"}', content_type="application/json",
                       headers={"Idempotency-Key": "key-1"})
    assert r.status_code == 409
    assert r.get_json() == {"success": False, "error": "A request with this Idempotency-Key is in progress"}
    assert count(app, Client) == 0
    # The running request cannot finish once a retry took over its stale claim...
    with app.app_context():
        db.session.execute(update(IdempotencyKey).values(claimed_at=timeutil.now() - idempotency.STALE_CLAIM))
        db.session.commit()
    retry = logged_in.post(CLIENTS, data='{"name": "Dana"}', content_type="application/json",
                           headers={"Idempotency-Key": "key-1"})
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    with app.app_context(), pytest.raises(Exception, match="in progress"):
        assert isinstance(held, idempotency.Claim)
        idempotency.complete(db.session(), held, status=201, body=b"{}", headers={})
    assert count(app, Client) == 1


def test_idempotency_server_error_is_not_stored_and_retry_runs(app, logged_in, monkeypatch):
    from mectofitness.services import clients

    real = clients.create_client

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(clients, "create_client", broken)
    assert post(logged_in, CLIENTS, {"name": "Dana"}).status_code == 500
    assert count(app, IdempotencyKey) == 0
    monkeypatch.setattr(clients, "create_client", real)
    r = post(logged_in, CLIENTS, {"name": "Dana"})
    assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    assert count(app, Client) == 1


def test_idempotency_key_expires_after_24_hours(app, logged_in):
    assert post(logged_in, CLIENTS, {"name": "Dana"}).status_code == 201
    with app.app_context():
        db.session.execute(update(IdempotencyKey).values(created_at=timeutil.now() - timedelta(hours=24)))
        db.session.commit()
    r = post(logged_in, CLIENTS, {"name": "Other"})  # a new use of the key, not a reuse
    assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    assert count(app, Client) == 2


def test_idempotency_expired_keys_are_pruned_by_new_claims(app, logged_in, trainer):
    old = timeutil.now() - timedelta(hours=25)
    with app.app_context():
        for n in range(idempotency.PRUNE_BATCH + 5):
            db.session.add(IdempotencyKey(trainer_id=trainer.id, key=f"old-{n}", fingerprint="x", claim="c",
                                          claimed_at=old, created_at=old, status=201, body=b"{}"))
        db.session.commit()
    assert post(logged_in, CLIENTS, {"name": "Dana"}, key="new-1").status_code == 201
    assert count(app, IdempotencyKey) == 5 + 1  # one batch pruned, bounded
    assert post(logged_in, CLIENTS, {"name": "Dana"}, key="new-2").status_code == 201
    assert count(app, IdempotencyKey) == 2


@pytest.mark.slow
def test_idempotency_identical_requests_racing_on_two_servers_execute_once(app, db_url, tmp_path, trainer):
    import json
    import threading

    import requests

    from .factories import PASSWORD
    from .live import live_server, login_cookie

    # A client: no rule but the key's stops a second one (a session's slot would).
    body = json.dumps({"name": "Dana Lee"})
    answers: list[tuple[int, bytes, str | None]] = []
    secret = "two-servers-one-secret-" + "x" * 32  # a cookie from one server works on the other
    with (
        live_server(db_url, tmp_path / "instance-a", workers=2, secret_key=secret) as a,
        live_server(db_url, tmp_path / "instance-b", workers=2, secret_key=secret) as b,
    ):
        cookie = login_cookie(a.base, trainer.username, PASSWORD)
        bases = [a.base, b.base] * 4
        barrier = threading.Barrier(len(bases))

        def fire(base: str) -> None:
            with requests.Session() as http:
                http.cookies.set("session", cookie)
                barrier.wait()
                r = http.post(base + CLIENTS, data=body, timeout=60,
                              headers={"Content-Type": "application/json", "Idempotency-Key": "race-1"})
            answers.append((r.status_code, r.content, r.headers.get("Idempotent-Replayed")))

        threads = [threading.Thread(target=fire, args=(base,)) for base in bases]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # Once the first has finished, every retry on either server gets its answer.
        with requests.Session() as http:
            http.cookies.set("session", cookie)
            replays = [http.post(base + CLIENTS, data=body, timeout=30,
                                 headers={"Content-Type": "application/json", "Idempotency-Key": "race-1"})
                       for base in (a.base, b.base)]
    created = [content for status, content, replayed in answers if status == 201 and replayed is None]
    assert len(created) == 1, answers
    assert all(status == 201 or (status == 409 and b"in progress" in content) for status, content, _ in answers)
    assert all(content == created[0] for status, content, _ in answers if status == 201)
    assert all(r.status_code == 201 and r.content == created[0] and r.headers["Idempotent-Replayed"] == "true"
               for r in replays)
    assert count(app, Client) == 1
