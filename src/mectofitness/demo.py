"""Demo data for a first look: one trainer, a few clients, a few weeks of sessions."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import timeutil
from .models import Client, SessionStatus, SessionType, Trainer, TrainingSession
from .services import trainers

DEMO_CLIENTS = [
    ("John Doe", "john@example.com", "+1-555-0123"),
    ("Sarah Johnson", "sarah@example.com", "+1-555-0456"),
    ("Priya Patel", "priya@example.com", "+1-555-0789"),
    ("Marco Rossi", "marco@example.com", "+1-555-0147"),
    ("Aiko Tanaka", "aiko@example.com", "+1-555-0258"),
]
# (local start, minutes, title, type, location)
DAILY_SLOTS = [
    (time(7, 0), 60, "Strength Training", SessionType.PERSONAL, "Main Gym - Weight Room"),
    (time(10, 0), 60, "Personal Training Session", SessionType.PERSONAL, "Main Gym - Studio A"),
    (time(12, 30), 45, "Online Check-in", SessionType.ONLINE, "Video call"),
    (time(17, 0), 90, "Group Class - HIIT", SessionType.GROUP, "Outdoor Track"),
]


def seed(db: Session, *, password: str, hash_method: str, weeks_back: int = 3, weeks_ahead: int = 2) -> bool:
    """Create the demo trainer and data unless a trainer called ``demo`` exists. Returns
    whether anything was created. Deterministic apart from today's date."""
    if db.scalars(select(Trainer).where(Trainer.username == "demo")).first() is not None:
        return False
    trainer = trainers.create_trainer(
        db,
        username="demo",
        email="demo@mectofitness.example",
        password=password,
        full_name="Demo Trainer",
        timezone="UTC",
        role="trainer",
        hash_method=hash_method,
    )
    now = timeutil.now()
    clients = [
        Client(trainer_id=trainer.id, name=name, email=email, phone=phone, status="active", created_at=now, updated_at=now)
        for name, email, phone in DEMO_CLIENTS
    ]
    db.add_all(clients)
    db.flush()
    rng = random.Random(2025)
    tz = timeutil.zone(trainer.timezone)
    today = timeutil.today(tz)
    for offset in range(-7 * weeks_back, 7 * weeks_ahead + 1):
        day = today + timedelta(days=offset)
        if day.weekday() == 6:
            continue  # Sundays off
        for local_start, minutes, title, kind, location in DAILY_SLOTS:
            if rng.random() < 0.35:
                continue
            client = rng.choice(clients)
            start = timeutil.local_to_utc(datetime.combine(day, local_start), tz, strict=False)
            end = start + timedelta(minutes=minutes)
            past = end <= now
            status = SessionStatus.SCHEDULED
            if past:
                status = SessionStatus.NO_SHOW if rng.random() < 0.1 else SessionStatus.COMPLETED
            db.add(
                TrainingSession(
                    trainer_id=trainer.id,
                    client_id=client.id,
                    title=f"{title} - {client.name}" if kind is SessionType.PERSONAL else title,
                    session_type=kind.value,
                    location=location,
                    scheduled_start=start,
                    scheduled_end=end,
                    actual_start=start if status is SessionStatus.COMPLETED else None,
                    actual_end=end if status is SessionStatus.COMPLETED else None,
                    status=status.value,
                    notes="Focus on form" if rng.random() < 0.3 else None,
                    created_at=now,
                    updated_at=now,
                )
            )
    db.flush()
    return True
