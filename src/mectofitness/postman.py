"""A Postman collection (v2.1) and environment, generated from the OpenAPI document and
organised as the published document's "Testing with Postman" section describes."""

from __future__ import annotations

import json
import re
from typing import Any

COLLECTION_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
# The document's pre-request script, word for word.
COOKIE_SCRIPT = [
    "pm.request.headers.add({",
    "    key: 'Cookie',",
    "    value: 'session=' + pm.environment.get('SESSION_COOKIE')",
    "});",
]
# After logging in, keep the cookie for every later request.
LOGIN_TEST_SCRIPT = [
    "const cookie = pm.cookies.get('session');",
    "if (cookie) { pm.environment.set('SESSION_COOKIE', cookie); }",
]
# operationId -> (folder, request name); folders in this order, requests in table order.
LAYOUT: dict[str, tuple[str, str]] = {
    "auth_login": ("Authentication", "Login"),
    "auth_get_me": ("Authentication", "Get Me"),
    "auth_update_me": ("Authentication", "Update Me"),
    "auth_logout": ("Authentication", "Logout"),
    "sessions_list_sessions": ("Sessions", "List Sessions"),
    "sessions_get_session": ("Sessions", "Get Session"),
    "sessions_create_session": ("Sessions", "Create Session"),
    "sessions_update_session": ("Sessions", "Update Session"),
    "sessions_update_session_put": ("Sessions", "Replace Session (PUT)"),
    "sessions_delete_session": ("Sessions", "Delete Session"),
    "session_stats_session_stats": ("Sessions", "Session Stats"),
    "session_availability_check_availability": ("Sessions", "Check Availability"),
    "clients_list_clients": ("Clients", "List Clients"),
    "clients_get_client": ("Clients", "Get Client"),
    "clients_create_client": ("Clients", "Create Client"),
    "clients_update_client": ("Clients", "Update Client"),
    "clients_update_client_put": ("Clients", "Replace Client (PUT)"),
    "clients_delete_client": ("Clients", "Delete Client"),
    "auth_create_token": ("Tokens", "Create Token"),
    "auth_list_tokens": ("Tokens", "List Tokens"),
    "auth_revoke_token": ("Tokens", "Revoke Token"),
    "health_health": ("Service", "Health"),
}
FOLDERS = ("Authentication", "Sessions", "Clients", "Tokens", "Service")


def collection(spec: dict[str, Any]) -> dict[str, Any]:
    """The collection for ``spec``: one request per operation, examples as bodies."""
    folders: dict[str, list[tuple[int, dict[str, Any]]]] = {name: [] for name in FOLDERS}
    order = list(LAYOUT)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            folder, name = LAYOUT.get(operation["operationId"], ("Service", operation["summary"]))
            rank = order.index(operation["operationId"]) if operation["operationId"] in LAYOUT else len(order)
            folders.setdefault(folder, []).append((rank, _request(spec, path, method, operation, name)))
    return {
        "info": {
            "name": spec["info"]["title"],
            "description": spec["info"].get("description", ""),
            "schema": COLLECTION_SCHEMA,
        },
        "item": [
            {"name": folder, "item": [item for _, item in sorted(items, key=lambda pair: (pair[0], pair[1]["name"]))]}
            for folder, items in folders.items()
            if items
        ],
        "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": COOKIE_SCRIPT}}],
    }


def environment() -> dict[str, Any]:
    """The document's environment variables, plus the demo login the Login request sends."""
    values = [
        ("BASE_URL", "http://127.0.0.1:5000"),
        ("SESSION_COOKIE", ""),
        ("USERNAME", "demo"),
        ("PASSWORD", "demo-trainer-1"),
    ]
    return {
        "name": "MectoFitness Sessions (local)",
        "values": [{"key": key, "value": value, "type": "default", "enabled": True} for key, value in values],
        "_postman_variable_scope": "environment",
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _request(spec: dict[str, Any], path: str, method: str, operation: dict[str, Any], name: str) -> dict[str, Any]:
    segments = [re.sub(r"^\{(\w+)\}$", r":\1", part) for part in path.strip("/").split("/")]
    url: dict[str, Any] = {
        "raw": "{{BASE_URL}}/" + "/".join(segments),
        "host": ["{{BASE_URL}}"],
        "path": segments,
    }
    query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
    if query:
        url["query"] = [
            {"key": p["name"], "value": _example_value(p["schema"]), "description": p.get("description", ""),
             "disabled": True}
            for p in query
        ]
        url["raw"] += "?" + "&".join(f"{q['key']}={q['value']}" for q in url["query"] if not q["disabled"])
        url["raw"] = url["raw"].rstrip("?")
    variables = [p for p in operation.get("parameters", []) if p["in"] == "path"]
    if variables:
        url["variable"] = [{"key": p["name"], "value": "1"} for p in variables]
    request: dict[str, Any] = {"method": method.upper(), "header": [], "url": url,
                               "description": operation.get("summary", "")}
    body = operation.get("requestBody")
    if body is not None:
        schema = _resolve(spec, body["content"]["application/json"]["schema"])
        example = (schema.get("examples") or [{}])[0]
        request["header"].append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {"mode": "raw", "raw": json.dumps(example, indent=2), "options": {"raw": {"language": "json"}}}
    item: dict[str, Any] = {"name": name, "request": request}
    if operation["operationId"] == "auth_login":
        request["body"]["raw"] = json.dumps({"username": "{{USERNAME}}", "password": "{{PASSWORD}}"}, indent=2)
        item["event"] = [{"listen": "test", "script": {"type": "text/javascript", "exec": LOGIN_TEST_SCRIPT}}]
    return item


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def _example_value(schema: dict[str, Any]) -> str:
    if "examples" in schema:
        return str(schema["examples"][0])
    if "default" in schema and schema["default"] is not None:
        value = schema["default"]
        return str(value).lower() if isinstance(value, bool) else str(value)
    if "enum" in schema:
        return str(schema["enum"][0])
    return ""
