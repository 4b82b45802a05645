"""Efficiency: a list page is a fixed number of queries whatever its size (no N+1), and
the SQL that list, get and the conflict check really send is served by an index."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, text

from mectofitness.extensions import db
from mectofitness.models import Client, Trainer, TrainingSession


@contextmanager
def _listening(app, name: str, listener) -> Iterator[None]:
    """``listener`` on the app's engine event ``name`` for the block's duration."""
    with app.app_context():
        engine = db.engine
    event.listen(engine, name, listener)
    try:
        yield
    finally:
        event.remove(engine, name, listener)


@contextmanager
def captured_sql(app) -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append((statement, parameters))

    with _listening(app, "before_cursor_execute", record):
        yield statements


def _selects_on_sessions(statements: list[tuple[str, object]]) -> list[tuple[str, object]]:
    return [
        (sql, params)
        for sql, params in statements
        if sql.lstrip().upper().startswith("SELECT") and "FROM training_sessions" in sql
    ]


def _seed(factory, trainer, sessions: int):
    clients = [factory.client(trainer) for _ in range(3)]
    start = datetime(2031, 1, 1, 8, tzinfo=UTC)
    for i in range(sessions):
        factory.session(trainer, clients[i % 3], start + timedelta(hours=2 * i))
    return clients


@pytest.mark.parametrize("include", ["", "&include_client=true", "&include_client=true&include_trainer=true"])
def test_list_query_count_does_not_grow_with_page_size(app, logged_in, factory, trainer, include):
    _seed(factory, trainer, 40)
    counts = []
    for per_page in (2, 40):
        with captured_sql(app) as statements:
            response = logged_in.get(f"/api/v1/sessions?per_page={per_page}{include}")
        assert response.status_code == 200
        assert len(response.get_json()["data"]["sessions"]) == per_page
        counts.append(len(statements))
    assert counts[0] == counts[1]
    # auth lookup + count + page, and one query per nested kind asked for
    assert counts[1] <= 3 + include.count("include_")


def _bulk_other_trainers(app, trainers: int = 20, each: int = 100) -> None:
    """Other trainers' calendars, so the planner has a realistic table to choose on."""
    with app.app_context():
        now = datetime.now(UTC)
        rows = []
        for t in range(trainers):
            owner = Trainer(username=f"bulk{t}", email=f"bulk{t}@example.com", password_hash="x",
                            role="trainer", timezone="UTC", created_at=now, updated_at=now)
            db.session.add(owner)
            db.session.flush()
            client = Client(trainer_id=owner.id, name="C", status="active", created_at=now, updated_at=now)
            db.session.add(client)
            db.session.flush()
            start = datetime(2030, 1, 1, 8, tzinfo=UTC)
            rows += [
                {"trainer_id": owner.id, "client_id": client.id, "title": "T", "session_type": "personal",
                 "status": "completed", "scheduled_start": start + timedelta(hours=5 * i),
                 "scheduled_end": start + timedelta(hours=5 * i + 1), "created_at": now, "updated_at": now}
                for i in range(each)
            ]
        db.session.execute(insert(TrainingSession), rows)
        db.session.commit()
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def _plan(app, sql: str, params: object) -> str:
    with app.app_context(), db.engine.connect() as conn:
        prefix = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
        rows = conn.exec_driver_sql(prefix + sql, params).fetchall()
        return "\n".join(str(row[-1]) for row in rows)


def _assert_indexed(plan: str) -> None:
    assert "training_sessions" in plan, plan
    assert "SCAN training_sessions" not in plan and "Seq Scan on training_sessions" not in plan, plan
    assert any(name in plan for name in ("ix_training_sessions", "pk_training_sessions", "PRIMARY KEY")), plan


@pytest.mark.parametrize(
    "request_line",
    [
        ("GET", "/api/v1/sessions", None),
        ("GET", "/api/v1/sessions?start_date=2031-01-02&end_date=2031-01-08&status=scheduled", None),
        ("GET", "/api/v1/sessions?client_id={client}&per_page=50&sort_by=scheduled_start&sort_order=desc", None),
        ("GET", "/api/v1/sessions/{session}", None),
        ("POST", "/api/v1/sessions", {"title": "New", "scheduled_start": "2031-01-01T09:00:00",
                                      "scheduled_end": "2031-01-01T10:00:00"}),
    ],
    ids=["list", "list-week", "list-client", "get", "create-conflict-check"],
)
def test_session_queries_use_indexes(app, logged_in, factory, trainer, request_line):
    clients = _seed(factory, trainer, 30)
    _bulk_other_trainers(app)
    method, url, body = request_line
    url = url.format(client=clients[0].id, session=1)
    if body is not None:
        body = {**body, "client_id": clients[0].id}
    with captured_sql(app) as statements:
        response = logged_in.open(url, method=method, json=body)
    assert response.status_code in (200, 201, 409), response.get_json()
    selects = _selects_on_sessions(statements)
    assert selects, "the endpoint sent no SELECT on training_sessions"
    for sql, params in selects:
        _assert_indexed(_plan(app, sql, params))


def _in_transaction(dbapi_connection) -> bool:
    info = getattr(dbapi_connection, "info", None)  # psycopg's; sqlite3 has in_transaction
    return info.transaction_status.name != "IDLE" if info is not None else dbapi_connection.in_transaction


def _transaction_states(app, method: str, url: str, client, body=None):
    """Whether a transaction was open after each statement that a request sent."""
    states: list[bool] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        states.append(_in_transaction(conn.connection.dbapi_connection))

    with _listening(app, "after_cursor_execute", record):
        response = client.open(url, method=method, json=body)
    return response, states


def test_reads_run_outside_a_transaction_on_postgresql_and_writes_inside_one(app, logged_in, factory, trainer, db_url):
    # PostgreSQL: no BEGIN for a read, so no ROLLBACK either (two round trips, and psycopg's
    # prepared statements survive). SQLite: a deferred BEGIN, which takes no lock.
    read_in_transaction = not db_url.startswith("postgresql")
    clients = _seed(factory, trainer, 3)
    for url in ("/api/v1/sessions?include_client=true", "/api/v1/sessions/stats", "/api/v1/auth/me"):
        response, states = _transaction_states(app, "GET", url, logged_in)
        assert response.status_code == 200
        assert states and set(states) == {read_in_transaction}, (url, states)
    body = {"client_id": clients[0].id, "title": "New", "scheduled_start": "2031-02-01T09:00:00",
            "scheduled_end": "2031-02-01T10:00:00"}
    response, states = _transaction_states(app, "POST", "/api/v1/sessions", logged_in, body)
    assert response.status_code == 201
    assert states and set(states) == {True}, states  # the conflict check and the insert: one transaction


def test_a_write_in_a_read_only_request_is_refused_and_leaves_nothing(app, client):
    @app.get("/probe/write")
    def _write():
        now = datetime.now(UTC)
        db.session.add(Trainer(username="sneaky", email="sneaky@example.com", password_hash="x",
                               role="trainer", timezone="UTC", created_at=now, updated_at=now))
        db.session.commit()
        return {"written": True}

    response = client.get("/probe/write")
    assert response.status_code == 500
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM trainers WHERE username = 'sneaky'")) == 0
