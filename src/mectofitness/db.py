"""Declarative base, constraint naming convention and column types (the UTC DateTime),
and the one SQL function the two databases spell differently."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Float, Integer, MetaData, literal
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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


class shifted(FunctionElement[datetime]):
    """A timestamp column plus a whole number of minutes, in SQL, on either database."""

    type = UTCDateTime()
    inherit_cache = True

    def __init__(self, column: Any, minutes: int):
        super().__init__(column, literal(int(minutes), Integer()))


@compiles(shifted)
def _shifted_pg(element: shifted, compiler: Any, **kw: Any) -> str:
    column, minutes = list(element.clauses)
    return f"({compiler.process(column, **kw)} + make_interval(mins => {compiler.process(minutes, **kw)}))"


@compiles(shifted, "sqlite")
def _shifted_sqlite(element: shifted, compiler: Any, **kw: Any) -> str:
    # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's format): shift the first 19
    # characters and keep the fraction, so the text still sorts and reads back the same.
    column, minutes = list(element.clauses)
    text = compiler.process(column, **kw)
    return (
        f"(strftime('%Y-%m-%d %H:%M:%S', {text}, '+' || {compiler.process(minutes, **kw)} || ' minutes')"
        f" || substr({text}, 20))"
    )
