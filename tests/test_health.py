"""GET /api/v1/health: public, tiny, and free of database work (the benchmark's floor)."""

from __future__ import annotations

from sqlalchemy import event

from mectofitness.extensions import db


def test_health_answers_ok_without_authentication(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"success": True, "data": {"status": "ok"}}
    assert response.headers["X-Request-ID"]


def test_health_sends_no_sql(app, client):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get("/api/v1/health")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert statements == []


def test_health_refuses_other_methods(client):
    response = client.post("/api/v1/health", json={})
    assert response.status_code == 405
    assert response.get_json()["success"] is False


def test_health_with_a_login_cookie_still_sends_no_sql(app, logged_in):
    from .test_queries import captured_sql

    with captured_sql(app) as statements:
        response = logged_in.get("/api/v1/health")
    assert response.status_code == 200
    assert statements == []
