"""Alembic environment: runs on the engine that ``mectofitness.schema`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from mectofitness import models  # noqa: F401  (registers every table on the metadata)
from mectofitness.db import Base

# Serializes migrations when several servers start against one PostgreSQL at once.
_PG_MIGRATION_LOCK = 72_616_001


def _include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # The PostgreSQL exclusion constraint lives in the migration only (no portable model form).
    return not (type_ == "table" and name == "alembic_version")


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        is_pg = connection.dialect.name == "postgresql"
        if is_pg:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_object=_include_object,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if is_pg:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                connection.commit()


run_migrations_online()
