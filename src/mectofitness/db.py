"""Declarative base, constraint naming convention and the UTC DateTime column type."""

from __future__ import annotations

import fcntl
import os
import threading
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Float, MetaData, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest id an INTEGER primary key holds on every supported database (PostgreSQL's is
# 32-bit). A larger number in a path, filter or body names no row; binding it in SQL would
# fail (out of range) instead of finding nothing.
MAX_ID = 2**31 - 1


def is_storable_id(value: int) -> bool:
    """Whether ``value`` can be the id of a row (ids start at 1)."""
    return 1 <= value <= MAX_ID


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; SQLite drops the zone, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def in_values(column: str, values: type[StrEnum]) -> str:
    """A CHECK expression limiting ``column`` to an enum's values (the one list of them)."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


# Whether the current unit of work may write. SQLite then takes the write lock up front
# (BEGIN IMMEDIATE), so "check for a conflict, then insert" is one serialized step across
# every process sharing the file; read-only requests begin deferred and never wait.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


class WriteQueue:
    """Writers to one SQLite file, queued on an OS lock beside it.

    SQLite lets one writer in at a time and has the others poll, sleeping up to 100 ms
    between tries, so under load a waiting write request sleeps long after the lock is
    free and is overtaken by luckier ones (p99 of a second). Taking this lock before
    ``BEGIN IMMEDIATE`` makes them wait in the kernel instead, waking as soon as the
    previous writer's connection goes back to the pool. Each thread has its own file
    descriptor (flock locks belong to it); a process that dies drops its lock."""

    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()

    def acquire(self) -> None:
        local = self._local
        if getattr(local, "held", False):
            return
        if getattr(local, "fd", None) is None:
            local.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(local.fd, fcntl.LOCK_EX)
        local.held = True

    def release(self) -> None:
        local = self._local
        if getattr(local, "held", False):
            fcntl.flock(local.fd, fcntl.LOCK_UN)
            local.held = False


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, explicit transaction starts for pysqlite, and
    (for a database file) the queue its writers wait in."""
    database = engine.url.database
    queue = WriteQueue(database + "-writers.lock") if database and database != ":memory:" else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if write_intent.get():
            if queue is not None:
                queue.acquire()
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    if queue is not None:
        # A request's connection goes back to the pool when its transaction ends (commit,
        # rollback or error alike), in the thread that took the lock.
        event.listen(engine.pool, "checkin", lambda *_: queue.release())


def configure_postgresql(engine: Engine) -> None:
    """Read-only units of work run in autocommit: no ``BEGIN`` and no closing ``ROLLBACK``.

    Under READ COMMITTED every statement of a transaction takes its own snapshot, so a read
    sees exactly what it would inside one; the transaction only cost two round trips, and
    its ``ROLLBACK`` made psycopg drop its prepared statements, so a read's statements were
    parsed and planned anew every time. Writes (``write_intent``) keep their transaction."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Before the first statement, while psycopg has no transaction open: it only sets a flag.
        connection.connection.dbapi_connection.autocommit = not write_intent.get()  # type: ignore[union-attr]


def configure_engine(engine: Engine) -> None:
    """The database's own settings for the service's rules (see the two functions above)."""
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        configure_postgresql(engine)


def engine_options(url: str) -> dict[str, Any]:
    """``create_engine`` options for the service's database."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    # pre_ping: a pooled connection that a database restart closed is replaced, not failed.
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}


@event.listens_for(Session, "before_flush")
def _refuse_writes_in_read_only_work(session: Session, _context: Any, _instances: Any) -> None:
    # A read-only unit of work has no transaction on PostgreSQL: a write there would not be
    # atomic, so one is a bug to surface, not to run.
    if not write_intent.get() and (session.new or session.deleted or any(map(session.is_modified, session.dirty))):
        raise RuntimeError("write in a read-only unit of work (write_intent is off)")


class seconds_between(FunctionElement[float]):
    """Seconds from the first timestamp to the second, in SQL, on either database."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_between_pg(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 86400.0)"
