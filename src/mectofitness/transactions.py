"""The unit of work: what a request (or a command) may write, how each database makes
its writes safe, and the one commit at the end.

- A request declares its write intent from its method. SQLite then takes the write lock
  up front (``BEGIN IMMEDIATE``, its writers queued on an OS lock beside the file), so
  "check for a conflict, then write" is one serialized step across every process; reads
  begin deferred and never wait. On PostgreSQL reads run in autocommit (no transaction,
  no round trips for BEGIN and ROLLBACK) and writes keep their transaction.
- A write inside a read-only unit of work is refused at flush: it would not be atomic.
- Views never commit: ``api.http.endpoint`` calls ``commit`` once when the view succeeds,
  so a failed request leaves no trace; commands use ``unit_of_work``.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from .extensions import db

# Whether the current unit of work may write (see the module docstring). Work outside a
# request (commands, tests) may.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    """Set up the app's engine for these rules and declare each request's intent."""
    with app.app_context():
        configure_engine(db.engine)

    @app.before_request
    def _declare_write_intent() -> None:
        write_intent.set(request.method not in READ_METHODS)

    @app.teardown_request
    def _end_write_intent(_error: BaseException | None) -> None:
        write_intent.set(True)  # work after the request in this thread (CLI, tests) may write


def commit() -> None:
    """Commit the request's work: the one place a request's changes become permanent."""
    db.session.commit()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A command's work: committed when the block ends normally, rolled back otherwise."""
    session = db.session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def engine_options(url: str) -> dict[str, Any]:
    """``create_engine`` options for the service's database."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    # pre_ping: a pooled connection that a database restart closed is replaced, not failed.
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}


def configure_engine(engine: Engine) -> None:
    """The database's own settings for these rules."""
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        configure_postgresql(engine)


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
    parsed and planned anew every time. Writes keep their transaction."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Before the first statement, while psycopg has no transaction open: it only sets a flag.
        connection.connection.dbapi_connection.autocommit = not write_intent.get()  # type: ignore[union-attr]


@event.listens_for(Session, "before_flush")
def _refuse_writes_in_read_only_work(session: Session, _context: Any, _instances: Any) -> None:
    # A read-only unit of work has no transaction on PostgreSQL: a write there would not be
    # atomic, so one is a bug to surface, not to run.
    if not write_intent.get() and (session.new or session.deleted or any(map(session.is_modified, session.dirty))):
        raise RuntimeError("write in a read-only unit of work (write_intent is off)")
