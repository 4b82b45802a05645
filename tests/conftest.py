"""Fixtures: one migrated database per backend per run, a clean copy for every test.

SQLite always; PostgreSQL too when MECTO_TEST_POSTGRES_URL is set (CI sets it, and a
run that cannot reach it fails instead of skipping).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mectofitness import create_app, migrate
from mectofitness.config import Settings, normalize_database_url
from mectofitness.db import Base
from mectofitness.models import Client, Trainer, TrainingSession

from .factories import Factory, utc

PG_URL = os.environ.get("MECTO_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
# Real scrypt, at a cost low enough that a suite creating hundreds of trainers stays fast.
TEST_HASH_METHOD = "scrypt:1024:8:1"

if os.environ.get("CI") and not PG_URL:
    raise RuntimeError("CI must set MECTO_TEST_POSTGRES_URL: PostgreSQL tests may not be skipped")

# Every table the models define (importing mectofitness.models maps them all), emptied
# between tests on PostgreSQL.
TRUNCATE = "TRUNCATE {} RESTART IDENTITY CASCADE".format(", ".join(t.name for t in Base.metadata.sorted_tables))


class Database:
    """A migrated database for one backend, reset to empty for each test."""

    def __init__(self, backend: str, tmp: Path):
        self.backend = backend
        self.tmp = tmp
        if backend == "sqlite":
            self.template = tmp / "template.db"
            self._migrate(f"sqlite:///{self.template}")
        else:
            assert PG_URL
            self.admin_url = normalize_database_url(PG_URL)
            self.name = f"mecto_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
            admin.dispose()
            self.url = make_url(self.admin_url).set(database=self.name).render_as_string(hide_password=False)
            self._migrate(self.url)
            self.engine = create_engine(self.url)

    def _migrate(self, url: str) -> None:
        engine = create_engine(normalize_database_url(url))
        if engine.dialect.name == "sqlite":
            from mectofitness.transactions import configure_sqlite

            configure_sqlite(engine)
        migrate.upgrade(engine)
        engine.dispose()

    def fresh_url(self) -> str:
        """A URL to an empty, fully migrated database."""
        if self.backend == "sqlite":
            path = self.tmp / f"test-{uuid.uuid4().hex[:10]}.db"
            shutil.copyfile(self.template, path)
            return f"sqlite:///{path}"
        with self.engine.begin() as conn:
            conn.execute(text(TRUNCATE))
        return self.url

    def close(self) -> None:
        if self.backend == "postgresql":
            self.engine.dispose()
            admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            admin.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A ``postgresql_only`` test is not collected for SQLite at all: nothing is skipped."""
    dropped = [
        item for item in items
        if item.get_closest_marker("postgresql_only")
        and getattr(getattr(item, "callspec", None), "params", {}).get("database") != "postgresql"
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = Database(request.param, tmp_path_factory.mktemp(request.param))
    yield db
    db.close()


@pytest.fixture()
def db_url(database: Database) -> str:
    return database.fresh_url()


@pytest.fixture()
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        instance_path=tmp_path / "instance",
        database_url=normalize_database_url(db_url),
        secret_key="test-secret-key-" + uuid.uuid4().hex,
        password_hash_method=TEST_HASH_METHOD,
        # Off unless a test turns them on (tests/test_rate_limits.py): hundreds of requests
        # per test module must not be counted against each other.
        rate_limit_reads=None,
        rate_limit_writes=None,
    )


@pytest.fixture()
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    with app.app_context():
        from mectofitness.extensions import db

        db.engine.dispose()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def factory(app: Flask) -> Factory:
    return Factory(app)


@pytest.fixture()
def trainer(factory: Factory):
    return factory.trainer(username="mike", email="mike@example.com", full_name="Mike Thompson")


@pytest.fixture()
def logged_in(factory: Factory, trainer) -> FlaskClient:
    """A test client holding the ``mike`` trainer's session cookie."""
    return factory.login_as(trainer)


@pytest.fixture()
def admin(factory: Factory) -> Trainer:
    """An admin, in UTC."""
    return factory.admin()


@pytest.fixture()
def admin_web(factory: Factory, admin: Trainer) -> FlaskClient:
    """A test client logged in as ``admin``."""
    return factory.login_as(admin)


# --- the Sessions API's cast (tests/test_sessions_*.py) -------------------------------


@pytest.fixture()
def john(factory: Factory, trainer: Trainer) -> Client:
    return factory.client(trainer, name="John Doe", email="john@example.com", phone="+1-555-0123")


@pytest.fixture()
def other(factory: Factory) -> Trainer:
    return factory.trainer()


@pytest.fixture()
def other_client(factory: Factory, other: Trainer) -> Client:
    return factory.client(other)


@pytest.fixture()
def other_session(factory: Factory, other: Trainer, other_client: Client) -> TrainingSession:
    return factory.session(other, other_client, utc(2030, 12, 11, 10), title="Their Session")


@pytest.fixture()
def existing(factory: Factory, trainer: Trainer, john: Client) -> TrainingSession:
    """Mike's session 2030-12-11 10:00-11:00 UTC."""
    return factory.session(trainer, john, utc(2030, 12, 11, 10), title="Existing")


@pytest.fixture()
def kolkata(factory: Factory) -> Trainer:
    return factory.trainer(timezone="Asia/Kolkata")


@pytest.fixture()
def kolkata_web(factory: Factory, kolkata: Trainer) -> FlaskClient:
    return factory.login_as(kolkata)


@pytest.fixture()
def kolkata_client(factory: Factory, kolkata: Trainer) -> Client:
    return factory.client(kolkata)
