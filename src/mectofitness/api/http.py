"""The only code that reads request bodies and query strings, paginates and builds
responses. ``endpoint`` declares what a view takes and returns; the same declaration
validates the request and describes the operation in the OpenAPI document."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Response, current_app, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, func, select
from werkzeug.exceptions import RequestEntityTooLarge

from .. import timeutil, transactions
from ..config import Settings
from ..errors import BadRequest, InvalidInput
from ..extensions import db
from ..schemas.common import PageQuery, Pagination
from ..security import guard

M = TypeVar("M", bound=BaseModel)
View = Callable[..., Response]


@dataclass(frozen=True)
class Operation:
    """What an endpoint takes and answers; read by the OpenAPI generator."""

    summary: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    errors: tuple[int, ...] = ()
    public: bool = False
    # True where success may carry only a message (e.g. a permanent delete).
    data_optional: bool = False


def endpoint(
    *,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    public: bool = False,
    data_optional: bool = False,
    partial: type[BaseModel] | None = None,
    checks: Callable[..., dict[str, str]] | None = None,
) -> Callable[[View], View]:
    """Guard, parse and validate the request, call the view with ``query=`` / ``body=``,
    and commit once if it succeeds (a failed request leaves no trace).

    ``checks`` is the service's check of a body's fields that needs the database (e.g. "is
    this client yours?"). The service runs it on a valid body; when the schema refused
    the body, it runs here on the fields that were valid (read with ``partial``, a model
    of the same fields all optional), so that one 400 names every offending field."""

    def decorate(view: View) -> View:
        summary = (view.__doc__ or view.__name__).strip().splitlines()[0]
        operation = Operation(summary, query, body, response, status, errors, public, data_optional)

        @functools.wraps(view)
        def wrapper(**path_args: Any) -> Response:
            guard(public)
            kwargs: dict[str, Any] = dict(path_args)
            problems: dict[str, str] = {}
            if query is not None:
                kwargs["query"] = _validated(query, request.args.to_dict(), problems)
            if body is not None:
                raw = read_json_object(body)
                kwargs["body"] = _validated(body, raw, problems)
                if problems and checks is not None and partial is not None:
                    for name, message in checks(_valid_part(partial, raw, problems), raw, **path_args).items():
                        problems.setdefault(name, message)
            if problems:
                raise InvalidInput(problems)
            result = view(**kwargs)
            if request.method != "GET":
                transactions.commit()
            return result

        wrapper.operation = operation  # type: ignore[attr-defined]
        return wrapper

    return decorate


def read_json_object(model: type[BaseModel] | None = None) -> dict[str, Any]:
    """The request body as a JSON object (413 past the size limit), with a model's
    read-only fields dropped so a client may send back what it read."""
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    # A chunked body has no Content-Length to refuse up front, and werkzeug stops reading
    # one at the limit without a word (LimitedStream.readall): a body that fills the limit
    # is over it if the server has a byte more. (Without wsgi.input_terminated werkzeug
    # reads no chunked body at all, so this never reads a stream that may not end.)
    if limit is not None and request.content_length is None and len(raw) >= limit and request.input_stream.read(1):
        raise RequestEntityTooLarge()
    try:
        value = json.loads(raw) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        value = None
    except RecursionError:
        # The parser recurses once per level of nesting, so a few KB of "[" exhaust the
        # interpreter's stack: that is the body's fault, not a 500 with a traceback.
        raise BadRequest("Request body is nested too deeply") from None
    if not isinstance(value, dict):
        raise BadRequest("Request body must be a JSON object")
    ignored: frozenset[str] = getattr(model, "ignored_fields", frozenset())
    return {key: item for key, item in value.items() if key not in ignored}


def _validated(model: type[M], data: dict[str, Any], problems: dict[str, str]) -> M | None:
    try:
        parsed = model.model_validate(data, context={"tz": caller_zone()})
    except ValidationError as exc:
        problems.update(field_errors(model, exc))
        return None
    field_problems = getattr(parsed, "field_problems", None)
    if field_problems is not None:
        problems.update(field_problems())
    return parsed


def _valid_part(partial: type[BaseModel], raw: dict[str, Any], problems: dict[str, str]) -> dict[str, Any]:
    """The fields of a refused body that were valid on their own, parsed."""
    bad = {name.split(".")[0] for name in problems}
    fields = {key: value for key, value in raw.items() if key not in bad and key in partial.model_fields}
    parsed = _validated(partial, fields, {})
    return parsed.model_dump(exclude_unset=True) if parsed is not None else {}


def caller_zone() -> ZoneInfo:
    """The time zone requests are read and answered in: the authenticated trainer's."""
    if current_user.is_authenticated:
        return timeutil.zone(current_user.timezone)
    return timeutil.zone("UTC")


def field_errors(model: type[BaseModel], exc: ValidationError) -> dict[str, str]:
    """pydantic's errors as ``{"field": "Sentence."}``, every field at once."""
    out: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        loc = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
        name = ".".join(loc) or "body"
        out.setdefault(name, _sentence(model, loc, error))
    return out


def _sentence(model: type[BaseModel], loc: list[str], error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    top = model.model_fields.get(loc[0]) if loc else None
    label = (top.title if top is not None and top.title else (loc[0] if loc else "value").replace("_", " ").capitalize())
    if kind == "missing":
        return f"{label} is required"
    if kind == "extra_forbidden":
        return "Unknown field"
    if error.get("input", ...) is None and kind.endswith("_type"):
        return f"{label} cannot be null"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "Must be an integer"
    if kind in ("string_type",):
        return "Must be a string"
    if kind in ("bool_type", "bool_parsing"):
        return "Must be true or false"
    if kind in ("dict_type", "model_type"):
        return "Must be a JSON object"
    if kind == "list_type":
        return "Must be a list"
    if kind == "string_too_short":
        return f"{label} must not be empty" if ctx.get("min_length") == 1 else f"Must be at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"Must be at most {ctx.get('max_length')} characters"
    if kind in ("enum", "literal_error"):
        return f"Must be one of: {ctx.get('expected', '').replace(chr(39), '')}"
    if kind == "greater_than_equal":
        return f"Must be at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"Must be at most {ctx.get('le')}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "string_pattern_mismatch":
        return "Has characters that are not allowed"
    return str(error["msg"])


def ok(data: Any = None, *, message: str | None = None, status: int = 200) -> Response:
    payload: dict[str, Any] = {"success": True}
    if message is not None:
        payload["message"] = message
    if data is not None:
        payload["data"] = data
    response = jsonify(payload)
    response.status_code = status
    return response


def dump(model: BaseModel, *, tz: ZoneInfo | None = None, **options: Any) -> Any:
    """A response model as JSON-ready data, times in ``tz`` (default: the caller's zone;
    a view dumping many models passes it, looked up once)."""
    return model.model_dump(mode="json", context={"tz": tz or caller_zone()}, **options)


def paginate(stmt: Select[Any], query: PageQuery) -> tuple[list[Any], dict[str, Any]]:
    """One page of ``stmt`` (already ordered: ORM objects) and the contract's pagination
    block."""
    per_page = query.capped_per_page
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    offset = (query.page - 1) * per_page
    # A page past the end is empty; not asking spares the database an offset it cannot hold.
    page = stmt.limit(per_page).offset(offset)
    items: list[Any] = []
    if offset < total:
        items = list(db.session.scalars(page))
    total_pages = math.ceil(total / per_page) if total else 0
    pagination = Pagination(
        page=query.page,
        per_page=per_page,
        total_pages=total_pages,
        total_items=total,
        has_next=query.page < total_pages,
        has_prev=query.page > 1,
    )
    return items, pagination.model_dump()


def operation_of(view: Callable[..., Any]) -> Operation | None:
    return getattr(view, "operation", None)


def settings() -> Settings:
    return current_app.config["MECTO_SETTINGS"]
