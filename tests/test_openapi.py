"""The OpenAPI document describes every route from the same models that run them, the
docs page needs nothing from the internet, and the checked-in reference is current."""

from __future__ import annotations

import re
from pathlib import Path

from mectofitness.api_reference import reference_files

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_openapi_is_public_3_1_with_both_security_schemes(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    schemes = spec["components"]["securitySchemes"]
    assert schemes["cookieAuth"] == {"type": "apiKey", "in": "cookie", "name": "session",
                                     "description": "Set by POST /api/v1/auth/login"}
    assert schemes["bearerAuth"]["scheme"] == "bearer"


def test_every_api_route_is_described_with_its_methods(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    described = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    expected = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "docs.openapi":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            expected |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == expected


def test_operations_document_their_errors_and_envelope(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    create = spec["paths"]["/api/v1/sessions"]["post"]
    assert set(create["responses"]) == {"201", "400", "401", "409", "415", "422", "429", "500"}
    assert create["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorEnvelope"
    }
    listing = spec["paths"]["/api/v1/sessions"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert params["per_page"]["schema"]["minimum"] == 1
    assert params["status"]["schema"] == {"$ref": "#/components/schemas/SessionStatus"}
    assert spec["components"]["schemas"]["SessionStatus"]["enum"] == ["scheduled", "completed", "cancelled", "no-show"]
    assert params["sort_order"]["schema"]["enum"] == ["asc", "desc"]
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    assert login["security"] == [] and "Retry-After" in login["responses"]["429"]["headers"]
    availability = {p["name"]: p for p in spec["paths"]["/api/v1/sessions/availability"]["get"]["parameters"]}
    assert availability["duration"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1440, "default": 60}


def test_openapi_documents_retries_etags_and_rate_limits(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    create = paths["/api/v1/clients"]["post"]
    key = {p["name"]: p for p in create["parameters"]}["Idempotency-Key"]
    assert key["in"] == "header" and key["schema"]["maxLength"] == 255
    assert "in progress" in create["responses"]["409"]["description"]
    assert "Idempotent-Replayed" in create["responses"]["201"]["headers"]
    assert "Idempotency-Key" not in str(paths["/api/v1/auth/login"]["post"].get("parameters", []))
    for path in ("/api/v1/sessions/{session_id}", "/api/v1/clients/{client_id}", "/api/v1/auth/me"):
        get = paths[path]["get"]
        assert {p["name"] for p in get["parameters"] if p["in"] == "header"} == {"If-None-Match"}
        assert "ETag" in get["responses"]["200"]["headers"] and "content" not in get["responses"]["304"]
        for method in {"put", "patch", "delete"} & set(paths[path]):
            write = paths[path][method]
            assert {p["name"] for p in write["parameters"] if p["in"] == "header"} == {"If-Match"}
            assert "ETag" in write["responses"]["412"]["headers"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if path == "/api/v1/health":
                assert "429" not in operation["responses"]
                continue
            limited = operation["responses"]["429"]["headers"]
            assert {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(limited)


def test_request_and_response_schemas_come_from_the_models(client):
    from mectofitness.schemas.session import SessionCreate, SessionOut

    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert set(schemas["SessionCreate"]["required"]) == {"client_id", "title", "scheduled_start", "scheduled_end"}
    assert set(schemas["SessionCreate"]["properties"]) == set(SessionCreate.model_fields)
    assert set(schemas["SessionOut"]["properties"]) == set(SessionOut.model_fields)
    assert schemas["SessionCreate"]["additionalProperties"] is False


def test_docs_page_loads_only_local_assets(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/api/docs/static/") for src in sources)
    for src in sources:
        with client.get(src) as asset:
            assert asset.status_code == 200 and len(asset.data) > 100
    assert client.get("/api/docs/static/../../secret").status_code == 404


def test_checked_in_reference_files_are_current():
    """Fails when a route or model changed without `mectofitness export-docs`."""
    for relative, content in reference_files().items():
        on_disk = (DOCS / relative).read_text()
        assert on_disk == content, f"docs/{relative} is stale: run `mectofitness export-docs`"


def test_postman_collection_follows_the_document(client):
    import json

    collection = json.loads((DOCS / "postman/mectofitness.postman_collection.json").read_text())
    assert collection["info"]["schema"].endswith("/v2.1.0/collection.json")
    folders = {folder["name"]: [item["name"] for item in folder["item"]] for folder in collection["item"]}
    assert folders["Authentication"][0] == "Login"
    for name in ("List Sessions", "Get Session", "Create Session", "Update Session", "Delete Session",
                 "Session Stats", "Check Availability"):
        assert name in folders["Sessions"]
    assert {"Clients", "Tokens"} <= set(folders)
    script = collection["event"][0]["script"]["exec"]
    assert "value: 'session=' + pm.environment.get('SESSION_COOKIE')" in "\n".join(script)
    environment = json.loads((DOCS / "postman/mectofitness.postman_environment.json").read_text())
    assert {"BASE_URL", "SESSION_COOKIE"} <= {v["key"] for v in environment["values"]}
