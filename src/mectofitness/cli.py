"""The ``mectofitness`` command: serve, db, create-trainer, seed-demo. Commands commit
their own work."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import Flask
from pydantic import ValidationError

from . import create_app, migrate
from .config import ConfigError
from .errors import DomainError
from .extensions import db
from .transactions import unit_of_work


@contextmanager
def _app() -> Iterator[Flask]:
    """The app the environment describes, inside its app context; its database
    connections are closed on the way out, so a command leaves none open."""
    try:
        app = create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


@click.group()
def main() -> None:
    """MectoFitness Sessions: scheduling for personal trainers."""


@main.group("db")
def db_group() -> None:
    """Database schema (Alembic migrations)."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    with _app():
        migrate.upgrade(db.engine)
    click.echo("Database is up to date.")


@db_group.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    with _app():
        migrate.check(db.engine)
    click.echo("Models and migrations agree.")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (for developers)."""
    with _app():
        migrate.revision(db.engine, message)


@main.command("create-trainer")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--full-name", default=None)
@click.option("--timezone", default="UTC", show_default=True)
@click.option("--role", type=click.Choice(["trainer", "admin"]), default="trainer", show_default=True)
def create_trainer_command(**options: Any) -> None:
    """Create a trainer who can log in."""
    from .schemas.auth import TrainerCreate
    from .services import trainers

    try:
        data = TrainerCreate(**options)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            field = ".".join(str(p) for p in error["loc"]) or "input"
            message = str((error.get("ctx") or {}).get("error", error["msg"]))
            click.echo(f"Error: --{field.replace('_', '-')}: {message}", err=True)
        sys.exit(2)
    with _app() as app:
        migrate.upgrade(db.engine)
        try:
            with unit_of_work() as work:
                trainer = trainers.create_trainer(
                    work, **data.model_dump(), hash_method=app.config["MECTO_SETTINGS"].password_hash_method
                )
        except DomainError as exc:
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(1)
        click.echo(f"Created {trainer.role} {trainer.username!r} (id {trainer.id}).")


@main.command("seed-demo")
@click.option("--password", default="demo-trainer-1", show_default=True, help="The demo trainer's password")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="Where the service will listen")
def seed_demo(password: str, url: str) -> None:
    """Create the demo trainer with clients and a few weeks of sessions (once)."""
    from .demo import seed

    with _app() as app:
        migrate.upgrade(db.engine)
        with unit_of_work() as work:
            created = seed(work, password=password, hash_method=app.config["MECTO_SETTINGS"].password_hash_method)
    click.echo(("Seeded" if created else "Already seeded:") + " demo trainer.")
    click.echo(f"Log in as username 'demo', password '{password}':")
    click.echo(
        "  curl -c cookies.txt -H 'Content-Type: application/json' "
        f"-d '{{\"username\": \"demo\", \"password\": \"{password}\"}}' {url.rstrip('/')}/api/v1/auth/login"
    )


@main.command("export-docs")
@click.option("--out", default="docs", show_default=True, type=click.Path(file_okay=False),
              help="Folder for openapi.json and postman/")
def export_docs(out: str) -> None:
    """Write the OpenAPI document and the Postman collection and environment made from it."""
    from pathlib import Path

    from .api_reference import write_reference

    for path in write_reference(Path(out)):
        click.echo(f"Wrote {path}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=lambda: int(os.environ.get("MECTO_WORKERS", "0")) or None, type=click.IntRange(1, 64),
              help="Worker processes (default: one per CPU core)")
@click.option("--threads", default=lambda: int(os.environ.get("MECTO_THREADS", "0")) or None, type=click.IntRange(1, 64),
              show_default="1: sync workers", help="Threads per worker (more than 1: gthread workers)")
def serve(host: str, port: int, workers: int | None, threads: int | None) -> None:
    """Run the service with gunicorn, after bringing the schema up to date.

    Besides DATABASE_URL, SECRET_KEY and the others of the README, the environment sets
    the rate limits, per API token or login session and, for anonymous requests, per
    address (a bad value stops the server at start):

    \b
      MECTO_RATE_LIMIT_READS   GET, HEAD and OPTIONS: N/second|minute|hour|day, or off
                               (default 600/minute)
      MECTO_RATE_LIMIT_WRITES  POST, PUT, PATCH and DELETE, likewise (default 120/minute)
      REDIS_URL                redis://host:port/db: every process and machine shares one
                               count there; unset, each process counts alone. If Redis is
                               unreachable, requests are served and the fault is logged.
    """
    from .server import DEFAULT_THREADS, default_workers, run

    with _app():  # closes its connections: workers open their own after the fork
        migrate.upgrade(db.engine)
    run(host=host, port=port, workers=workers or default_workers(), threads=threads or DEFAULT_THREADS)
