"""The OpenAPI 3.1 document, generated from the routes' ``endpoint`` declarations and
the pydantic models that validate requests and shape responses, so it cannot drift."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from .api.http import IDEMPOTENCY_HEADER, REPLAYED_HEADER, Operation, operation_of
from .errors import HTTP_MESSAGES
from .schemas.common import MAX_ID, ErrorEnvelope

REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_ERROR_TEXT = {
    400: "Validation failed or a malformed request; `errors` names every offending field",
    401: "Authentication required",
    403: "Forbidden: another trainer's resource, or a cross-site request",
    404: "Not found",
    409: "Conflict (a scheduling conflict, a client who has sessions, or the API token limit)",
    412: "The resource has changed since it was read: If-Match names an old ETag; the response's ETag is the current one",
    413: "Request body too large (over 1 MiB)",
    415: "A cookie-authenticated body must be Content-Type: application/json",
    422: "Idempotency-Key was already used with a different request",
    429: "Too many requests (the rate limit; on login also too many failed logins); see Retry-After",
    500: HTTP_MESSAGES[500],
}
_IN_PROGRESS = "; or a request with this Idempotency-Key is in progress"
# Operations the rate limits do not count (ratelimit.UNLIMITED_ENDPOINTS).
_UNLIMITED = {"health_health"}
_RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {"schema": {"type": "integer"}, "description": "Requests allowed in the current window"},
    "RateLimit-Remaining": {"schema": {"type": "integer"}, "description": "Requests left in the current window"},
    "RateLimit-Reset": {"schema": {"type": "integer"}, "description": "Seconds until the window ends"},
}
_ETAG = {"ETag": {"schema": {"type": "string"}, "description": "The resource's current version (strong)"}}


def build_spec(app: Flask) -> dict[str, Any]:
    """The whole document for ``app``'s API routes, in a stable order."""
    operations: list[tuple[str, str, str, Operation]] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        operation = operation_of(app.view_functions[rule.endpoint])
        if operation is None:
            continue
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        for method in methods:
            # One view may serve PUT and PATCH; operationIds must still be unique.
            name = rule.endpoint if len(methods) == 1 or method == "PATCH" else f"{rule.endpoint}.{method.lower()}"
            operations.append((rule.rule, method.lower(), name, operation))

    schemas = _Components()
    paths: dict[str, dict[str, Any]] = {}
    for rule_text, method, endpoint_name, operation in operations:
        path = _PATH_PARAM.sub(r"{\2}", rule_text)
        paths.setdefault(path, {})[method] = _operation(rule_text, method, endpoint_name, operation, schemas)
    _add_links(paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "MectoFitness Sessions API",
            "version": "1.0",
            "description": (
                "Scheduling for personal trainers. Times without an offset are the trainer's "
                "local time; responses give local `YYYY-MM-DDTHH:MM:SS`."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas.finish(),
            "securitySchemes": {
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session",
                               "description": "Set by POST /api/v1/auth/login"},
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A token from POST /api/v1/auth/tokens"},
            },
        },
        "security": [{"cookieAuth": []}, {"bearerAuth": []}],
    }


class _Components:
    """Collects the pydantic models used, then renders them as components at once."""

    def __init__(self) -> None:
        self.models: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {}

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, str]:
        self.models[(model, mode)] = None
        return {"$ref": REF.format(model=self._name(model, mode))}

    @staticmethod
    def _name(model: type[BaseModel], mode: JsonSchemaMode) -> str:
        return model.__name__

    def finish(self) -> dict[str, Any]:
        _, top = models_json_schema(list(self.models), ref_template=REF)
        return dict(sorted(top.get("$defs", {}).items()))


def _operation(rule: str, method: str, name: str, op: Operation, schemas: _Components) -> dict[str, Any]:
    operation_id = name.replace("api_v1.", "").replace(".", "_")
    out: dict[str, Any] = {
        "operationId": operation_id,
        "summary": op.summary,
        "tags": [name.split(".")[1]],
        "parameters": _path_parameters(rule) + (_query_parameters(op.query) if op.query else [])
        + _header_parameters(method, op),
        "responses": _responses(method, op, schemas, limited=operation_id not in _UNLIMITED),
    }
    if op.public:
        out["security"] = []
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schemas.ref(op.body, "validation")}},
        }
    if not out["parameters"]:
        del out["parameters"]
    return out


def _add_links(paths: dict[str, dict[str, Any]]) -> None:
    """OpenAPI links from each create (POST on a collection, 201) to the operations on the
    created item, so clients and stateful fuzzers can follow ``data.id``."""
    for collection, operations in paths.items():
        created = operations.get("post", {}).get("responses", {}).get("201")
        if created is None:
            continue
        for item_path, item_operations in paths.items():
            match = re.fullmatch(re.escape(collection) + r"/\{(\w+)\}", item_path)
            if not match:
                continue
            for operation in item_operations.values():
                created.setdefault("links", {})[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": {match.group(1): "$response.body#/data/id"},
                }


def _path_parameters(rule: str) -> list[dict[str, Any]]:
    params = []
    for converter, name in _PATH_PARAM.findall(rule):
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID} if converter == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(mode="validation", ref_template=REF)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        description = prop.pop("description", None)
        prop.pop("title", None)
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                 "schema": _without_null(prop)}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query string cannot carry null: ``anyOf [X, null]`` is just X there."""
    options = schema.get("anyOf")
    if options:
        kept = [option for option in options if option.get("type") != "null"]
        if len(kept) == 1:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            merged = {**kept[0], **rest}
            if merged.get("default") is None:
                merged.pop("default", None)
            return merged
    return schema


def _idempotent(method: str, op: Operation) -> bool:
    return method == "post" and op.idempotent_post


def _header_parameters(method: str, op: Operation) -> list[dict[str, Any]]:
    """The request headers of contract §10 that this operation reads."""
    params: list[dict[str, Any]] = []
    if _idempotent(method, op):
        params.append({
            "name": IDEMPOTENCY_HEADER, "in": "header", "required": False,
            "description": "Makes a retry safe: the same key and body within 24 hours replays the first answer "
                           f"(with `{REPLAYED_HEADER}: true`) instead of running again",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]+$"},
        })
    if (op.versioned is not None or op.media_type is not None) and method == "get":
        params.append({"name": "If-None-Match", "in": "header", "required": False,
                       "description": "An ETag from an earlier GET: 304 with no body while it is current",
                       "schema": {"type": "string"}})
    if op.versioned is not None and method in ("put", "patch", "delete"):
        params.append({"name": "If-Match", "in": "header", "required": False,
                       "description": "An ETag from an earlier GET: 412, changing nothing, unless it is current",
                       "schema": {"type": "string"}})
    return params


def _responses(method: str, op: Operation, schemas: _Components, *, limited: bool) -> dict[str, Any]:
    success: dict[str, Any] = {"description": op.summary, "content": _json(_success(op, schemas))}
    if op.media_type is not None:
        success["content"] = {op.media_type: {"schema": {"type": "string"}}}
    headers: dict[str, Any] = dict(_RATE_LIMIT_HEADERS) if limited else {}
    if op.versioned is not None or op.media_type is not None:
        headers |= _ETAG
    if _idempotent(method, op):
        headers[REPLAYED_HEADER] = {"schema": {"const": "true"}, "description": "This answer is a replay"}
    if headers:
        success["headers"] = headers
    responses: dict[str, Any] = {str(op.status): success}
    if (op.versioned is not None or op.media_type is not None) and method == "get":
        responses["304"] = {"description": "Not modified: the If-None-Match ETag is current (no body)",
                            "headers": dict(_ETAG)}
    codes = set(op.errors) | {500} | (set() if op.public else {401})
    if _idempotent(method, op):
        codes |= {400, 409, 422}
    if op.versioned is not None and method in ("put", "patch", "delete"):
        codes.add(412)
    if limited:
        codes.add(429)
    for code in sorted(codes):
        description = _ERROR_TEXT.get(code, HTTP_MESSAGES.get(code, "Error"))
        if code == 409 and _idempotent(method, op):
            description += _IN_PROGRESS
        responses[str(code)] = {
            "description": description,
            "content": _json(schemas.ref(ErrorEnvelope, "serialization")),
        }
        if code == 412:
            responses[str(code)]["headers"] = dict(_ETAG)
        if code == 429:
            responses[str(code)]["headers"] = {
                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}
            } | (_RATE_LIMIT_HEADERS if limited else {})
    return responses


def _success(op: Operation, schemas: _Components) -> dict[str, Any]:
    properties: dict[str, Any] = {"success": {"const": True}, "message": {"type": "string"}}
    required = ["success"]
    if op.response is not None:
        data = _data_schema(op.response, schemas)
        properties["data"] = data
        if not op.data_optional:
            required.append("data")
    return {"type": "object", "properties": properties, "required": required}


def _data_schema(response: Any, schemas: _Components) -> dict[str, Any]:
    if isinstance(response, type) and issubclass(response, BaseModel):
        return schemas.ref(response, "serialization")
    # A container of models (e.g. list[TokenOut]): its own schema, models as components.
    schema = TypeAdapter(response).json_schema(mode="serialization", ref_template=REF)
    for model in _referenced_models(response):
        schemas.ref(model, "serialization")
    schema.pop("$defs", None)
    return schema


def _referenced_models(annotation: Any) -> list[type[BaseModel]]:
    found = []
    for arg in getattr(annotation, "__args__", ()):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            found.append(arg)
        found += _referenced_models(arg)
    return found


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}
