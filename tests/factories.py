"""Test data through the services (or plain rows where a test needs a specific past)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from mectofitness import timeutil
from mectofitness.extensions import db
from mectofitness.models import Client, Trainer, TrainingSession
from mectofitness.services import trainers

PASSWORD = "correct-horse-9"
_seq = itertools.count(1)


class Factory:
    def __init__(self, app: Flask):
        self.app = app

    def trainer(self, **fields: Any) -> Trainer:
        n = next(_seq)
        values = {
            "username": f"trainer{n}",
            "email": f"trainer{n}@example.com",
            "password": PASSWORD,
            "full_name": f"Trainer {n}",
            "timezone": "UTC",
            "role": "trainer",
        } | fields
        with self.app.app_context():
            trainer = trainers.create_trainer(
                db.session, **values, hash_method=self.app.config["MECTO_SETTINGS"].password_hash_method
            )
            db.session.commit()
            return trainer

    def client(self, trainer: Trainer, **fields: Any) -> Client:
        n = next(_seq)
        now = timeutil.now()
        values = {"name": f"Client {n}", "email": f"client{n}@example.com", "phone": "+1-555-0100", "status": "active"}
        values |= fields
        with self.app.app_context():
            client = Client(trainer_id=trainer.id, created_at=now, updated_at=now, **values)
            db.session.add(client)
            db.session.commit()
            return client

    def session(
        self, trainer: Trainer, client: Client, start: datetime, minutes: int = 60, **fields: Any
    ) -> TrainingSession:
        """A session row as stored (``start`` aware UTC), bypassing the API's rules on purpose."""
        now = timeutil.now()
        values = {"title": "Personal Training Session", "session_type": "personal", "status": "scheduled"} | fields
        with self.app.app_context():
            row = TrainingSession(
                trainer_id=trainer.id,
                client_id=client.id,
                scheduled_start=start,
                scheduled_end=start + timedelta(minutes=minutes),
                created_at=now,
                updated_at=now,
                **values,
            )
            db.session.add(row)
            db.session.commit()
            return row

    def login(self, web: FlaskClient, trainer: Trainer, password: str = PASSWORD) -> None:
        response = web.post("/api/v1/auth/login", json={"username": trainer.username, "password": password})
        assert response.status_code == 200, response.get_json()

    def token(self, trainer: Trainer, name: str = "test") -> str:
        web = self.app.test_client()
        self.login(web, trainer)
        response = web.post("/api/v1/auth/tokens", json={"name": name})
        assert response.status_code == 201
        return response.get_json()["data"]["token"]
