"""Scale data for the benchmark, fast and reproducible.

    DATABASE_URL=sqlite:///bench.db python -m bench.seed --size 1000000

Fills an empty database (migrated first with ``mectofitness db upgrade``) with ``--size``
sessions over two years among 2,000 trainers and their clients; the measured trainer
(``bench``) owns 10,000 of them at every size. The same ``--seed`` gives the same rows.

Sessions cannot overlap by construction: each trainer's calendar is a grid of one-hour
slots (06:00-22:00 local) and a session lasts at most an hour inside its slot. After
writing, the result is checked: counts, no overlap within a trainer (one SQL pass over
every row), every client its session's trainer's, and a sample of rows through the
service's own conflict check and request schema.

Rows go in booking order (every trainer's interleaved, as a live service stores them)
with SQLAlchemy Core executemany in large batches (SQLite) or COPY (PostgreSQL); one
password hash is computed and shared by every trainer.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from sqlalchemy import Connection, create_engine, delete, func, insert, select, text
from sqlalchemy.engine import Engine

from mectofitness import timeutil
from mectofitness.config import normalize_database_url
from mectofitness.db import Base
from mectofitness.models import (
    Client,
    ClientStatus,
    SessionStatus,
    SessionType,
    Trainer,
    TrainingSession,
)
from mectofitness.services.auth import hash_password
from mectofitness.services.scheduling import OCCUPYING_STATUSES
from mectofitness.transactions import configure_sqlite

from . import (
    ANCHOR,
    DAYS_AFTER,
    DAYS_BEFORE,
    DEFAULT_SEED,
    MEASURED_PASSWORD,
    MEASURED_SESSIONS,
    MEASURED_TIMEZONE,
    MEASURED_USERNAME,
    ROOT,
    TRAINERS,
)

SLOT_HOURS = tuple(range(6, 22))  # local start hours: 16 one-hour slots a day
MEASURED_CLIENTS = 40
CLIENTS_PER_TRAINER = (10, 30)
ZONES = ("UTC", "Europe/London", "America/New_York", "America/Los_Angeles", "Europe/Berlin", "Australia/Sydney")
BATCH = 20_000

# (type, weight, title, minutes choices, locations)
KINDS: tuple[tuple[SessionType, int, str, tuple[int, ...], tuple[str, ...]], ...] = (
    (SessionType.PERSONAL, 55, "Personal Training Session", (45, 60), ("Main Gym - Weight Room", "Main Gym - Studio A")),
    (SessionType.GROUP, 15, "Group Class - HIIT", (45, 60), ("Outdoor Track", "Studio B")),
    (SessionType.ONLINE, 15, "Online Check-in", (30, 45), ("Video call",)),
    (SessionType.ASSESSMENT, 8, "Fitness Assessment", (60,), ("Main Gym - Assessment Room",)),
    (SessionType.CONSULTATION, 7, "Consultation", (30,), ("Front Office", "Video call")),
)
# Sessions that ended before the anchor: mostly completed, some cancelled or missed, a few
# never updated. After it: booked, a few already cancelled.
PAST_STATUSES = ((SessionStatus.COMPLETED, 78), (SessionStatus.CANCELLED, 12), (SessionStatus.NO_SHOW, 8), (SessionStatus.SCHEDULED, 2))
FUTURE_STATUSES = ((SessionStatus.SCHEDULED, 90), (SessionStatus.CANCELLED, 10))
NOTES = ("Focus on form", "Knee niggle: no jumping", "Increase squat load next time", "Bring heart-rate strap")
EXERCISES = ("Squat 5x5, bench 5x5, rows 3x8", "Intervals 10x400m", "Mobility circuit, core work", "Deadlift 3x5, pull-ups")
FEEDBACK = ("Great session!", "Tough but good", "Felt tired today")

# Seeded sessions are one-offs: no series_id (NULL).
SESSION_COLUMNS = tuple(c.name for c in TrainingSession.__table__.columns if c.name not in ("id", "series_id"))


@dataclass(frozen=True)
class Plan:
    """How many sessions each trainer gets; trainer 0 is the measured one."""

    size: int
    seed: int
    anchor: date

    @property
    def measured_sessions(self) -> int:
        return min(MEASURED_SESSIONS, self.size)

    def session_counts(self) -> list[int]:
        rest = self.size - self.measured_sessions
        rng = random.Random(f"{self.seed}-counts")
        weights = [rng.uniform(0.5, 1.5) for _ in range(TRAINERS - 1)]
        total = sum(weights)
        counts = [int(rest * w / total) for w in weights]
        for i in range(rest - sum(counts)):
            counts[i % len(counts)] += 1
        return [self.measured_sessions, *counts]

    @property
    def first_day(self) -> date:
        return self.anchor - timedelta(days=DAYS_BEFORE)

    @property
    def days(self) -> int:
        return DAYS_BEFORE + DAYS_AFTER

    @property
    def anchor_instant(self) -> datetime:
        return datetime.combine(self.anchor, clock(), tzinfo=timeutil.UTC)


def _weighted(rng: random.Random, table: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def trainer_rows(plan: Plan, password_hash: str) -> list[dict[str, Any]]:
    now = plan.anchor_instant - timedelta(days=DAYS_BEFORE + 30)
    rng = random.Random(f"{plan.seed}-trainers")
    rows = []
    for index in range(TRAINERS):
        username = MEASURED_USERNAME if index == 0 else f"trainer{index:04d}"
        rows.append(
            {
                "id": index + 1,
                "username": username,
                "email": f"{username}@bench.example",
                "full_name": "Benchmark Trainer" if index == 0 else f"Trainer {index:04d}",
                "password_hash": password_hash,
                "role": "trainer",
                "timezone": MEASURED_TIMEZONE if index == 0 else rng.choice(ZONES),
                "working_hours": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def client_rows(plan: Plan) -> list[dict[str, Any]]:
    now = plan.anchor_instant - timedelta(days=DAYS_BEFORE + 30)
    rng = random.Random(f"{plan.seed}-clients")
    rows = []
    for index in range(TRAINERS):
        count = MEASURED_CLIENTS if index == 0 else rng.randint(*CLIENTS_PER_TRAINER)
        for n in range(count):
            rows.append(
                {
                    "id": len(rows) + 1,
                    "trainer_id": index + 1,
                    "name": f"Client {index:04d}-{n:02d}",
                    "email": f"client{index:04d}.{n:02d}@bench.example",
                    "phone": f"+1-555-{rng.randint(0, 9999):04d}",
                    "status": ClientStatus.INACTIVE.value if rng.random() < 0.1 else ClientStatus.ACTIVE.value,
                    "notes": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return rows


def _slot_starts(plan: Plan, zone_name: str) -> list[datetime]:
    """Every slot of the two years in one zone, as UTC instants, in order. Whole local
    hours between 06:00 and 22:00 never fall in a DST gap, so they are all real times."""
    tz = timeutil.zone(zone_name)
    starts = []
    for offset in range(plan.days):
        midnight = datetime.combine(plan.first_day + timedelta(days=offset), clock())
        for hour in SLOT_HOURS:
            starts.append(timeutil.local_to_utc(midnight + timedelta(hours=hour), tz))
    return starts


def session_tuples(plan: Plan, trainers: list[dict[str, Any]], clients: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    """Every session, trainer by trainer and in time order within one, as tuples in
    SESSION_COLUMNS order. The measured trainer's rows depend only on the seed, not the size."""
    slots_by_zone: dict[str, list[datetime]] = {}
    clients_by_trainer: dict[int, list[int]] = {}
    for row in clients:
        clients_by_trainer.setdefault(row["trainer_id"], []).append(row["id"])
    anchor = plan.anchor_instant
    kind_weights = [k[1] for k in KINDS]
    for index, count in enumerate(plan.session_counts()):
        if count == 0:
            continue
        trainer = trainers[index]
        zone_name = trainer["timezone"]
        slots = slots_by_zone.get(zone_name) or slots_by_zone.setdefault(zone_name, _slot_starts(plan, zone_name))
        rng = random.Random(f"{plan.seed}-sessions-{index}")
        client_ids = clients_by_trainer[trainer["id"]]
        for slot in sorted(rng.sample(range(len(slots)), count)):
            start = slots[slot]
            kind, _, title, lengths, locations = rng.choices(KINDS, weights=kind_weights)[0]
            end = start + timedelta(minutes=rng.choice(lengths))
            client_id = rng.choice(client_ids)
            past = end <= anchor
            status = _weighted(rng, PAST_STATUSES if past else FUTURE_STATUSES)
            completed = status is SessionStatus.COMPLETED
            created = min(start - timedelta(days=rng.randint(1, 30)), anchor)
            yield (
                trainer["id"],
                client_id,
                f"{title} - Client {client_id}" if kind is SessionType.PERSONAL else title,
                "Weekly programme block" if rng.random() < 0.2 else None,
                kind.value,
                rng.choice(locations),
                start,
                end,
                end,  # buffered_end: the seeded trainers have no buffer
                start if completed else None,
                end if completed else None,
                status.value,
                rng.choice(EXERCISES) if completed and rng.random() < 0.5 else None,
                rng.choice(NOTES) if rng.random() < 0.3 else None,
                rng.choice(FEEDBACK) if completed and rng.random() < 0.2 else None,
                None,
                None,
                None,
                0,  # sequence: never changed
                created,
                end if past else created,
            )


def in_booking_order(rows: Iterator[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows in the order a live service would have stored them, by when each was booked
    (``created_at``), every trainer's interleaved: so one trainer's sessions are spread
    across the whole table, as in production, not packed together."""
    created_at = SESSION_COLUMNS.index("created_at")
    return sorted(rows, key=lambda row: row[created_at])


def _batches(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def absolute_url(url: str) -> str:
    """SQLite paths made absolute (Flask-SQLAlchemy would read a relative one as relative
    to the app's instance folder, the seed as relative to the working directory)."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url[len(prefix):].startswith("/"):
        return prefix + os.path.abspath(url[len(prefix):])
    return url


def migrate(url: str) -> None:
    """The project's own migration command, as an operator runs it."""
    env = {**os.environ, "DATABASE_URL": url, "MECTO_LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "mectofitness", "db", "upgrade"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def engine_for(url: str) -> Engine:
    engine = create_engine(normalize_database_url(url))
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    return engine


def clear(conn: Connection) -> None:
    """Empty every table the models define (after --reset), so that a new table that
    refers to the seeded ones (e.g. idempotency_keys -> trainers) cannot block it."""
    tables = Base.metadata.sorted_tables
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY"))
        return
    for table in reversed(tables):  # children before the rows they refer to
        conn.execute(delete(table))


def _insert_sessions(conn: Connection, rows: Iterator[tuple[Any, ...]]) -> None:
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY training_sessions ({', '.join(SESSION_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.close()
        return
    statement = insert(TrainingSession.__table__)
    for batch in _batches(rows, BATCH):
        conn.execute(statement, [dict(zip(SESSION_COLUMNS, row)) for row in batch])


def seed(url: str, *, size: int, seed: int = DEFAULT_SEED, anchor: date = ANCHOR, reset: bool = False,
         log: Any = print) -> dict[str, Any]:
    """Migrate, fill and verify the database at ``url``; returns a summary."""
    plan = Plan(size=size, seed=seed, anchor=anchor)
    url = absolute_url(url)
    started = time.perf_counter()
    migrate(url)
    engine = engine_for(url)
    try:
        with engine.begin() as conn:
            if reset:
                clear(conn)
            elif conn.scalar(select(func.count()).select_from(Trainer)):
                raise SystemExit("The database already has trainers; pass --reset to empty it first")
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MiB while loading
            password_hash = hash_password(MEASURED_PASSWORD, method="scrypt")  # once, shared by all
            trainers = trainer_rows(plan, password_hash)
            clients = client_rows(plan)
            conn.execute(insert(Trainer.__table__), trainers)
            conn.execute(insert(Client.__table__), clients)
            _insert_sessions(conn, iter(in_booking_order(session_tuples(plan, trainers, clients))))
            if conn.dialect.name == "postgresql":
                for table in ("trainers", "clients"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        written = time.perf_counter() - started
        log(f"wrote {size:,} sessions, {len(trainers):,} trainers, {len(clients):,} clients in {written:.1f}s")
        _analyze(engine)
        summary = verify(engine, plan, url)
        summary.update(size=size, seed=seed, anchor=anchor.isoformat(), write_seconds=round(written, 1),
                       total_seconds=round(time.perf_counter() - started, 1))
        log(f"verified in {summary['total_seconds'] - written:.1f}s: {summary}")
        return summary
    finally:
        engine.dispose()


def _analyze(engine: Engine) -> None:
    """PostgreSQL: planner statistics and the visibility map, as autovacuum would make them
    soon after a bulk load. SQLite: nothing; the service never gathers statistics there,
    so the benchmark runs on what a live SQLite database has."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def verify(engine: Engine, plan: Plan, url: str) -> dict[str, Any]:
    """Fail unless the data obeys the service's rules; returns the counts."""
    ts = TrainingSession
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(ts))
        measured_id = conn.scalar(select(Trainer.id).where(Trainer.username == MEASURED_USERNAME))
        measured = conn.scalar(select(func.count()).where(ts.trainer_id == measured_id))
        trainers = conn.scalar(select(func.count()).select_from(Trainer))
        clients = conn.scalar(select(func.count()).select_from(Client))
        foreign = conn.scalar(
            select(func.count()).select_from(ts).join(Client, Client.id == ts.client_id).where(Client.trainer_id != ts.trainer_id)
        )
        # Each occupying session must start at or after the latest end of the trainer's
        # earlier occupying sessions (half-open intervals: touching is allowed).
        latest_end = func.max(ts.scheduled_end).over(
            partition_by=ts.trainer_id, order_by=(ts.scheduled_start, ts.id), rows=(None, -1)
        )
        ordered = select(ts.scheduled_start.label("start"), latest_end.label("latest_end")).where(
            ts.status.in_(sorted(OCCUPYING_STATUSES))
        ).subquery()
        overlaps = conn.scalar(select(func.count()).select_from(ordered).where(ordered.c.latest_end > ordered.c.start))
    problems = []
    if total != plan.size:
        problems.append(f"{total} sessions, expected {plan.size}")
    if measured != plan.measured_sessions:
        problems.append(f"measured trainer has {measured} sessions, expected {plan.measured_sessions}")
    if foreign:
        problems.append(f"{foreign} sessions whose client belongs to another trainer")
    if overlaps:
        problems.append(f"{overlaps} sessions overlap an earlier one of the same trainer")
    problems += _service_check(url, plan)
    if problems:
        raise SystemExit("Seeded data breaks the rules: " + "; ".join(problems))
    return {"sessions": total, "measured_sessions": measured, "trainers": trainers, "clients": clients}


def _service_check(url: str, plan: Plan, sample: int = 300) -> list[str]:
    """A random sample of rows through the service itself: its conflict check finds no
    other session in each occupying row's time, and the row's fields pass the create
    request's schema."""
    from mectofitness import create_app
    from mectofitness.errors import Conflict
    from mectofitness.extensions import db
    from mectofitness.schemas.session import SessionCreate
    from mectofitness.services.sessions import Slot, ensure_free

    app = create_app(database_url=normalize_database_url(url), log_level="WARNING")
    problems: list[str] = []
    rng = random.Random(f"{plan.seed}-verify")
    with app.app_context():
        try:
            top = db.session.scalar(select(func.max(TrainingSession.id))) or 0
            ids = rng.sample(range(1, top + 1), min(sample, top))
            rows = db.session.scalars(select(TrainingSession).where(TrainingSession.id.in_(ids))).all()
            for row in rows:
                fields = {name: getattr(row, name) for name in SessionCreate.model_fields if name != "trainer_id"}
                SessionCreate.model_validate(fields, context={"tz": timeutil.UTC})
                if row.status in OCCUPYING_STATUSES:
                    try:
                        owner = db.session.get(Trainer, row.trainer_id)
                        assert owner is not None
                        slot = Slot(owner, row.scheduled_start, row.scheduled_end, exclude_id=row.id)
                        ensure_free(db.session, slot, tz=timeutil.UTC)
                    except Conflict as exc:
                        problems.append(f"session {row.id}: {exc.message}")
        finally:
            db.session.remove()
            db.engine.dispose()
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="total sessions (10000 and 1000000 are standard)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--anchor", type=date.fromisoformat, default=ANCHOR,
                        help="the day 18 months into the two years of data")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="default: $DATABASE_URL")
    parser.add_argument("--reset", action="store_true", help="empty the database's tables first")
    parser.add_argument("--verify", action="store_true", help="only check an already seeded database")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    if args.size < 1:
        parser.error("--size must be positive")
    if args.verify:
        url = absolute_url(args.database_url)
        engine = engine_for(url)
        try:
            print(verify(engine, Plan(size=args.size, seed=args.seed, anchor=args.anchor), url))
        finally:
            engine.dispose()
        return
    seed(args.database_url, size=args.size, seed=args.seed, anchor=args.anchor, reset=args.reset)


if __name__ == "__main__":
    main()
