"""Rate limits (contract §10): per credential and per anonymous address, reads and writes
apart, RateLimit-* headers on every limited response, 429 with Retry-After; one count in
Redis across processes; Redis unreachable → requests are served and the fault logged.

Windows are per day in these tests, so that a count never starts afresh mid-test."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest
import requests
from flask import Flask

from mectofitness import create_app
from mectofitness.extensions import db

from .factories import PASSWORD, Factory
from .live import live_server, login_cookie

CLIENTS = "/api/v1/clients"
ME = "/api/v1/auth/me"
REDIS = "redis://127.0.0.1:6379"
HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


@pytest.fixture()
def limited(settings) -> Iterator[Flask]:
    """The app with 3 reads and 2 writes per day per caller."""
    yield from _app(settings, rate_limit_reads="3/day", rate_limit_writes="2/day")


def _app(settings, **overrides) -> Iterator[Flask]:
    app = create_app(settings, **overrides)
    app.config["TESTING"] = True
    yield app
    with app.app_context():
        db.engine.dispose()


def bearer(factory: Factory, trainer) -> dict[str, str]:
    """A new API token of ``trainer``, made without a request (which would be counted)."""
    from mectofitness.models import Trainer
    from mectofitness.services import auth as auth_service

    with factory.app.app_context():
        _, secret = auth_service.issue_token(
            db.session, trainer=db.session.get(Trainer, trainer.id), kind="api", name="limits"
        )
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_rate_limit_reads_over_the_limit_are_429_with_retry_after(limited, trainer):
    factory = Factory(limited)
    auth = bearer(factory, trainer)
    web = limited.test_client()
    for remaining in (2, 1, 0):
        r = web.get(ME, headers=auth)
        assert r.status_code == 200
        assert (r.headers["RateLimit-Limit"], r.headers["RateLimit-Remaining"]) == ("3", str(remaining))
        assert 0 < int(r.headers["RateLimit-Reset"]) <= 86400
        assert "Retry-After" not in r.headers
    r = web.get(ME, headers=auth)
    assert r.status_code == 429
    assert r.get_json() == {"success": False, "error": "Too many requests"}
    assert r.headers["RateLimit-Remaining"] == "0"
    assert 0 < int(r.headers["Retry-After"]) <= 86400
    assert int(r.headers["Retry-After"]) == max(1, int(r.headers["RateLimit-Reset"]))


def test_rate_limit_writes_counted_apart_from_reads(limited, trainer):
    factory = Factory(limited)
    auth = bearer(factory, trainer)
    web = limited.test_client()
    for _ in range(3):
        assert web.get(ME, headers=auth).status_code == 200
    assert web.get(ME, headers=auth).status_code == 429
    for remaining in (1, 0):
        r = web.post(CLIENTS, json={"name": "Dana"}, headers=auth)
        assert r.status_code == 201 and r.headers["RateLimit-Limit"] == "2"
        assert r.headers["RateLimit-Remaining"] == str(remaining)
    assert web.patch(ME, json={"full_name": "X"}, headers=auth).status_code == 429


def test_rate_limit_each_credential_counts_alone(limited, trainer, other):
    factory = Factory(limited)
    first, second, theirs = bearer(factory, trainer), bearer(factory, trainer), bearer(factory, other)
    cookie = factory.login_as(trainer)  # a login session is a credential of its own too
    web = limited.test_client()
    for _ in range(3):
        assert web.get(ME, headers=first).status_code == 200
    assert web.get(ME, headers=first).status_code == 429
    assert web.get(ME, headers=second).status_code == 200
    assert web.get(ME, headers=theirs).status_code == 200
    assert cookie.get(ME).status_code == 200


def test_rate_limit_anonymous_counted_per_address_and_bad_tokens_too(limited):
    web = limited.test_client()
    for n in range(3):  # anonymous, and with invented tokens: one address, one count
        headers = {"Authorization": f"Bearer invented-{n}"} if n else {}
        r = web.get(ME, headers=headers)
        assert r.status_code == 401 and r.headers["RateLimit-Remaining"] == str(2 - n)
    assert web.get(ME, headers={"Authorization": "Bearer invented-9"}).status_code == 429
    elsewhere = limited.test_client()
    assert elsewhere.get(ME, environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 401


@pytest.mark.parametrize("hops, counted_apart", [(0, False), (1, True)])
def test_rate_limit_address_is_what_trusted_proxies_report(settings, hops, counted_apart):
    for app in _app(settings, rate_limit_reads="1/day", rate_limit_writes="off", trusted_proxies=hops):
        web = app.test_client()
        assert web.get(ME, headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 401
        second = web.get(ME, headers={"X-Forwarded-For": "203.0.113.2"})
        assert second.status_code == (401 if counted_apart else 429)


def test_rate_limit_login_counts_as_an_anonymous_write(limited, trainer):
    web = limited.test_client()
    body = {"username": "mike", "password": "wrong"}
    assert [web.post("/api/v1/auth/login", json=body).status_code for _ in range(3)] == [401, 401, 429]


def test_rate_limit_health_is_not_limited(limited):
    web = limited.test_client()
    for _ in range(5):
        r = web.get("/api/v1/health")
        assert r.status_code == 200 and "RateLimit-Limit" not in r.headers


def test_rate_limit_off_means_no_limit_and_no_headers(settings, trainer):
    for app in _app(settings, rate_limit_reads="off", rate_limit_writes="1/day"):
        web = Factory(app).login_as(trainer)  # the login: the address's one write
        for _ in range(5):
            r = web.get(ME)
            assert r.status_code == 200 and not set(HEADERS) & set(r.headers)
        # The login session's own writes: one.
        assert [web.post(CLIENTS, json={"name": "Dana"}).status_code for _ in range(2)] == [201, 429]


def test_rate_limit_redis_unreachable_serves_requests_and_logs(settings, trainer, caplog):
    for app in _app(settings, rate_limit_reads="2/day", rate_limit_writes="off", redis_url="redis://127.0.0.1:1"):
        web = app.test_client()
        auth = bearer(Factory(app), trainer)
        with caplog.at_level(logging.WARNING):
            first = web.get(ME, headers=auth)
        assert first.status_code == 200
        assert any("unreachable" in record.getMessage() for record in caplog.records)
        # Counted in the process meanwhile: still limited, still served until then.
        assert web.get(ME, headers=auth).status_code == 200
        assert web.get(ME, headers=auth).status_code == 429


@pytest.mark.slow
def test_rate_limit_redis_shares_one_count_across_two_servers(db_url, tmp_path, trainer):
    env = {"REDIS_URL": REDIS, "MECTO_RATE_LIMIT_KEY_PREFIX": f"mecto-test-{uuid.uuid4().hex}",
           "MECTO_RATE_LIMIT_READS": "6/day", "MECTO_RATE_LIMIT_WRITES": "100/day"}
    secret = "two-servers-one-secret-" + "x" * 32
    with (
        live_server(db_url, tmp_path / "instance-a", workers=2, secret_key=secret, extra_env=env) as a,
        live_server(db_url, tmp_path / "instance-b", workers=2, secret_key=secret, extra_env=env) as b,
        requests.Session() as http,
    ):
        http.cookies.set("session", login_cookie(a.base, trainer.username, PASSWORD))
        statuses = [http.get(base + ME, timeout=30).status_code for base in [a.base, b.base] * 4]
        remaining = http.get(b.base + ME, timeout=30).headers["RateLimit-Remaining"]
    assert statuses == [200] * 6 + [429] * 2
    assert remaining == "0"


@pytest.mark.slow
def test_rate_limit_without_redis_each_server_counts_alone(db_url, tmp_path, trainer):
    env = {"MECTO_RATE_LIMIT_READS": "2/day"}
    secret = "two-servers-one-secret-" + "x" * 32
    with (
        live_server(db_url, tmp_path / "instance-a", workers=1, secret_key=secret, extra_env=env) as a,
        live_server(db_url, tmp_path / "instance-b", workers=1, secret_key=secret, extra_env=env) as b,
        requests.Session() as http,
    ):
        http.cookies.set("session", login_cookie(a.base, trainer.username, PASSWORD))
        statuses = [http.get(base + ME, timeout=30).status_code for base in (a.base, a.base, b.base, b.base, a.base)]
    assert statuses == [200, 200, 200, 200, 429]
