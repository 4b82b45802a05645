"""The only code that reads request bodies and query strings, paginates and builds
responses. ``endpoint`` declares what a view takes and returns; the same declaration
validates the request and describes the operation in the OpenAPI document."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
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
from ..domain import is_storable_id
from ..errors import BadRequest, DomainError, InvalidInput, PreconditionFailed, domain_error_response
from ..extensions import db
from ..schemas.common import PageQuery, Pagination
from ..security import current_trainer, guard
from ..services import idempotency

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
    # The single resource this operation reads or writes, when it has an ETag.
    versioned: Versioned | None = None
    # The success body's media type when it is not the JSON envelope (the calendar feed).
    media_type: str | None = None

    @property
    def idempotent_post(self) -> bool:
        """Whether this operation honours Idempotency-Key (contract §10)."""
        return not self.public


@dataclass(frozen=True)
class Versioned:
    """A single resource with an ETag (contract §10): a mapped class whose rows have ``id``
    and a ``version`` column that every change moves forward (``timeutil.revised``),
    identified by the path argument ``path_arg`` (or by ``ident()``, e.g. the caller).

    Declared on an endpoint (``endpoint(versioned=...)``) it gives GET an ETag and
    If-None-Match (304), and PUT/PATCH/DELETE If-Match (412) and the new ETag."""

    model: Any
    path_arg: str | None = None
    version: str = "updated_at"
    ident: Callable[[], int] | None = None

    def id_in(self, path_args: dict[str, Any]) -> Any:
        return self.ident() if self.ident is not None else path_args[self.path_arg or "id"]

    def etag(self, obj_id: int, stamp: Any) -> str:
        """A strong ETag (unquoted): opaque, and new whenever the version column moves."""
        text = f"{self.model.__tablename__}:{obj_id}:{stamp.isoformat(timespec='microseconds')}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def current_etag(self, path_args: dict[str, Any]) -> str | None:
        """The ETag of the row as this request's session holds it (no query when the view
        loaded it); None when there is no such row."""
        obj_id = self.id_in(path_args)
        row = db.session.get(self.model, obj_id) if is_storable_id(obj_id) else None
        return self.etag(row.id, getattr(row, self.version)) if row is not None else None

    def locked_etag(self, path_args: dict[str, Any]) -> str | None:
        """The ETag of the row as committed, locked until this transaction ends (FOR UPDATE
        on PostgreSQL; a SQLite write request holds the database's write lock already).
        Read with Core, so the view still loads the row with its own options."""
        obj_id = self.id_in(path_args)
        if not is_storable_id(obj_id):
            return None
        columns = self.model.__table__.c
        stmt = select(columns.id, columns[self.version]).where(columns.id == obj_id).with_for_update()
        found = db.session.execute(stmt).first()
        return self.etag(found[0], found[1]) if found is not None else None


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
    versioned: Versioned | None = None,
    media_type: str | None = None,
) -> Callable[[View], View]:
    """Guard, parse and validate the request, call the view with ``query=`` / ``body=``,
    and commit once if it succeeds (a failed request leaves no trace).

    ``checks`` is the service's check of a body's fields that needs the database (e.g. "is
    this client yours?"). The service runs it on a valid body; when the schema refused
    the body, it runs here on the fields that were valid (read with ``partial``, a model
    of the same fields all optional), so that one 400 names every offending field.

    An authenticated POST honours Idempotency-Key (``_idempotent``); ``versioned`` gives a
    single resource's GET, PUT, PATCH and DELETE their ETag rules (``_conditional``)."""

    def decorate(view: View) -> View:
        summary = (view.__doc__ or view.__name__).strip().splitlines()[0]
        operation = Operation(
            summary, query, body, response, status, errors, public, data_optional, versioned, media_type
        )

        def run(path_args: dict[str, Any]) -> Response:
            """Parse, validate and call the view; no commit."""
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
            if versioned is not None:
                return _conditional(versioned, path_args, lambda: view(**kwargs))
            return view(**kwargs)

        @functools.wraps(view)
        def wrapper(**path_args: Any) -> Response:
            guard(public)
            if request.method == "POST" and operation.idempotent_post:
                key = idempotency_key()
                if key is not None:
                    return _idempotent(key, lambda: run(path_args))
            result = run(path_args)
            if request.method != "GET":
                transactions.commit()
            return result

        wrapper.operation = operation  # type: ignore[attr-defined]
        return wrapper

    return decorate


IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
# Headers of an answer that a replay gives again (besides status and body).
_REPLAYED_HEADERS = ("ETag", "Retry-After")


def idempotency_key() -> str | None:
    """The request's Idempotency-Key: 1-255 visible ASCII characters, else 400."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidInput({IDEMPOTENCY_HEADER: "Must be 1 to 255 visible ASCII characters"})
    return key


def _idempotent(key: str, run: Callable[[], Response]) -> Response:
    """Run a POST once per caller and key (contract §10): claim the key in a transaction of
    its own, run, and store the answer with the request's own commit; a retry gets that
    answer again. A failure that is not an answer (5xx, a crash) stores nothing."""
    work = db.session()
    outcome = idempotency.claim(
        work,
        trainer_id=current_trainer().id,
        key=key,
        fingerprint=idempotency.fingerprint(
            method=request.method, path=request.path, query=request.query_string, body=request.get_data(cache=True)
        ),
    )
    transactions.commit()  # the claim is visible to every process before the request runs
    if isinstance(outcome, idempotency.Answer):
        replay = Response(outcome.body, status=outcome.status, mimetype="application/json")
        replay.headers.update(outcome.headers)
        replay.headers[REPLAYED_HEADER] = "true"
        return replay
    try:
        try:
            response = run()
        except DomainError as exc:
            # An answer (4xx): nothing of the request stays, the answer does.
            db.session.rollback()
            response = domain_error_response(exc)
        kept = {name: response.headers[name] for name in _REPLAYED_HEADERS if name in response.headers}
        idempotency.complete(db.session(), outcome, status=response.status_code, body=response.get_data(), headers=kept)
        transactions.commit()
        return response
    except BaseException:
        db.session.rollback()
        idempotency.release(db.session(), outcome)
        transactions.commit()
        raise


def _conditional(versioned: Versioned, path_args: dict[str, Any], view: Callable[[], Response]) -> Response:
    """ETag, If-None-Match and If-Match for one resource (contract §10).

    If-Match is checked against the version the row had when this request locked it, and
    only once the view has run: the check and the write are one step however requests race,
    and another trainer's resource still answers 403 (404 when missing), its ETag unsaid.
    On a mismatch the view's work is rolled back (it was never committed)."""
    expected = request.if_match if "If-Match" in request.headers else None
    before: str | None = None
    if expected is not None and request.method != "GET":
        before = versioned.locked_etag(path_args)
    stale = before is not None and expected is not None and not expected.contains(before)
    try:
        response = view()
    except DomainError as exc:
        if stale and exc.status not in (401, 403, 404):
            assert before is not None
            raise PreconditionFailed(before) from exc
        raise
    if stale:
        assert before is not None
        raise PreconditionFailed(before)
    tag = versioned.current_etag(path_args) if response.status_code < 300 else None
    if tag is not None:
        response.set_etag(tag)
        if request.method == "GET" and request.if_none_match.contains_weak(tag):
            not_modified = Response(status=304)
            not_modified.set_etag(tag)
            return not_modified
    return response


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
    """One page of ``stmt`` (already ordered) and the contract's pagination block. A
    statement of one entity gives its objects; one of columns (the session list's fast
    path) gives rows."""
    per_page = query.capped_per_page
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    offset = (query.page - 1) * per_page
    # A page past the end is empty; not asking spares the database an offset it cannot hold.
    page = stmt.limit(per_page).offset(offset)
    items: list[Any] = []
    if offset < total:
        result = db.session.execute(page)
        items = list(result.scalars() if len(result.keys()) == 1 else result)
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
