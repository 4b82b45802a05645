"""A Postman collection (v2.1) and environment, generated from the OpenAPI document and
organised as the published document's "Testing with Postman" section describes.

The collection is also a test run (newman, `scripts/newman.sh`): its requests go in the
order of ``STEPS``, from logging in to logging out, each checking its status code and the
envelope's ``success``; the ones that create something keep its id in a collection
variable, so the later ones act on it and the run leaves the data as it found it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
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
# Ids and times that one request keeps for the later ones (collection variables).
VARIABLES = (
    "full_name",
    "token_id",
    "idempotency_key",
    "client_id",
    "session_date",
    "session_start",
    "session_end",
    "reschedule_start",
    "reschedule_end",
    "session_id",
    "session_etag",
    "range_end",
    "time_off_start",
    "time_off_end",
    "time_off_id",
    "series_start",
    "series_end",
    "series_id",
    "feed_id",
    "secret",
)
# Variables that stand for a JSON number in a request body: written there unquoted.
NUMBER_VARIABLES = ("client_id",)


def _keep(name: str, expression: str) -> str:
    return f"pm.collectionVariables.set('{name}', {expression});"


@dataclass(frozen=True)
class Step:
    """One request of the run: which operation, where it sits, what it must answer."""

    operation_id: str
    folder: str
    name: str
    status: int
    query: dict[str, str] = field(default_factory=dict)  # enabled query parameters
    body: dict[str, Any] | None = None  # keys that replace the schema example's (or the whole body)
    whole_body: bool = False  # ``body`` is the whole body, not changes to the example
    prerequest: tuple[str, ...] = ()
    test: tuple[str, ...] = ()  # run after the status and success checks, on a right status
    headers: dict[str, str] = field(default_factory=dict)  # request headers besides Content-Type
    calendar: bool = False  # a success answers an iCalendar file, not the JSON envelope


# The run, in order. Logging in comes first and logging out last; what is created on the way
# (a token, a client, a session) is deleted again before that.
STEPS: tuple[Step, ...] = (
    Step("auth_login", "Authentication", "Login", 200,
         body={"username": "{{USERNAME}}", "password": "{{PASSWORD}}"}, whole_body=True, test=tuple(LOGIN_TEST_SCRIPT)),
    Step("auth_get_me", "Authentication", "Get Me", 200,
         test=(_keep("full_name", "body.data.full_name || body.data.username"),)),
    # Sends back the caller's own name: running the collection changes no profile.
    Step("auth_update_me", "Authentication", "Update Me", 200, body={"full_name": "{{full_name}}"}, whole_body=True),
    Step("auth_create_token", "Tokens", "Create Token", 201, test=(_keep("token_id", "body.data.id"),)),
    Step("auth_list_tokens", "Tokens", "List Tokens", 200, test=(
        "pm.test('The new token is listed', function () {",
        "    pm.expect(body.data.tokens.map(t => t.id)).to.include(Number(pm.collectionVariables.get('token_id')));",
        "});",
    )),
    # A create made safe to retry (contract §10): an Idempotency-Key, then the same request
    # again as a client would after a lost answer; it replays the first and adds no client.
    Step("clients_create_client", "Clients", "Create Client", 201,
         headers={"Idempotency-Key": "{{idempotency_key}}"},
         prerequest=(
             "// A new key for each run of the collection.",
             _keep("idempotency_key", "'postman-' + Date.now() + '-' + Math.random().toString(36).slice(2)"),
         ),
         test=(_keep("client_id", "body.data.id"),)),
    Step("clients_create_client", "Clients", "Create Client Again (Retry, Replayed)", 201,
         headers={"Idempotency-Key": "{{idempotency_key}}"},
         test=(
             "pm.test('The first answer is replayed', function () {",
             "    pm.expect(pm.response.headers.get('Idempotent-Replayed')).to.eql('true');",
             "    pm.expect(body.data.id).to.eql(Number(pm.collectionVariables.get('client_id')));",
             "});",
         )),
    Step("clients_list_clients", "Clients", "List Clients", 200, query={"per_page": "100"}),
    Step("clients_get_client", "Clients", "Get Client", 200),
    Step("clients_update_client", "Clients", "Update Client", 200),
    # The client stays active: an inactive one cannot be booked (contract §15), and the
    # sessions below book this client.
    Step("clients_update_client_put", "Clients", "Replace Client (PUT)", 200, body={"status": "active"}),
    # A free slot four weeks ahead: in the future on any clock, past the demo's booked weeks,
    # and free whatever else is booked that day.
    Step("session_availability_check_availability", "Sessions", "Check Availability", 200,
         query={"date": "{{session_date}}", "duration": "120"},
         prerequest=(
             "// Four weeks from today (UTC): in the future for every time zone.",
             "const day = new Date(Date.now() + 28 * 24 * 3600 * 1000).toISOString().slice(0, 10);",
             _keep("session_date", "day"),
         ),
         test=(
             "const slots = body.data.available_slots;",
             "pm.test('A free slot of two hours', function () {",
             "    pm.expect(slots).to.not.be.empty;",
             "});",
             "// Local wall-clock times, plus minutes (the service reads them in the trainer's zone).",
             "const later = (text, minutes) =>",
             "    new Date(Date.parse(text + 'Z') + minutes * 60000).toISOString().slice(0, 19);",
             "if (slots.length) {",
             "    " + _keep("session_start", "slots[0].start"),
             "    " + _keep("session_end", "later(slots[0].start, 60)"),
             "    " + _keep("reschedule_start", "later(slots[0].start, 60)"),
             "    " + _keep("reschedule_end", "later(slots[0].start, 120)"),
             "}",
         )),
    Step("sessions_create_session", "Sessions", "Create Session", 201,
         body={"client_id": "{{client_id}}", "scheduled_start": "{{session_start}}", "scheduled_end": "{{session_end}}"},
         test=(_keep("session_id", "body.data.id"),)),
    Step("sessions_create_session", "Sessions", "Create Session Again (Conflict)", 409,
         body={"client_id": "{{client_id}}", "scheduled_start": "{{session_start}}", "scheduled_end": "{{session_end}}"},
         test=(
             "pm.test('The conflict names the session', function () {",
             "    pm.expect(body.error).to.include('Scheduling conflict');",
             "});",
         )),
    Step("sessions_list_sessions", "Sessions", "List Sessions", 200,
         query={"client_id": "{{client_id}}", "include_client": "true"},
         test=(
             "pm.test('The new session is listed', function () {",
             "    pm.expect(body.data.sessions.map(s => s.id)).to.include(Number(pm.collectionVariables.get('session_id')));",
             "});",
         )),
    Step("sessions_get_session", "Sessions", "Get Session", 200,
         query={"include_client": "true", "include_trainer": "true"},
         test=(_keep("session_etag", "pm.response.headers.get('ETag')"),)),
    # If-Match with the ETag just read: applied only if nobody changed the session meanwhile.
    Step("sessions_update_session", "Sessions", "Update Session", 200,
         body={"scheduled_start": "{{reschedule_start}}", "scheduled_end": "{{reschedule_end}}",
               "notes": "Moved an hour later"},
         whole_body=True, headers={"If-Match": "{{session_etag}}"},
         test=(
             "pm.test('The update answers the new ETag', function () {",
             "    pm.expect(pm.response.headers.get('ETag')).to.not.eql(pm.collectionVariables.get('session_etag'));",
             "});",
         )),
    Step("sessions_update_session_put", "Sessions", "Replace Session (PUT)", 200,
         body={"actual_start": "{{reschedule_start}}", "actual_end": "{{reschedule_end}}"}),
    Step("session_stats_session_stats", "Sessions", "Session Stats", 200, query={"client_id": "{{client_id}}"}),
    # Contract §8: a week of availability from the session's day, every bookable start.
    Step("session_availability_check_availability", "Sessions", "Check Availability (Range)", 200,
         query={"start_date": "{{session_date}}", "end_date": "{{range_end}}", "duration": "60"},
         prerequest=(
             "const last = new Date(Date.parse(pm.collectionVariables.get('session_date')) + 6 * 24 * 3600 * 1000);",
             _keep("range_end", "last.toISOString().slice(0, 10)"),
         ),
         test=(
             "pm.test('Seven days, and bookable starts', function () {",
             "    pm.expect(body.data.days).to.have.lengthOf(7);",
             "    pm.expect(body.data.start_times).to.be.an('array');",
             "});",
         )),
    # Time off on the session's day: the session is kept and listed.
    Step("time_off_create_time_off", "Sessions", "Create Time Off", 201,
         body={"start": "{{time_off_start}}", "end": "{{time_off_end}}", "reason": "Postman check"}, whole_body=True,
         prerequest=(
             _keep("time_off_start", "pm.collectionVariables.get('session_date') + 'T00:00:00'"),
             _keep("time_off_end", "pm.collectionVariables.get('range_end') + 'T00:00:00'"),
         ),
         test=(
             _keep("time_off_id", "body.data.id"),
             "pm.test('The session it covers is listed', function () {",
             "    pm.expect(body.data.overlapping_sessions.map(s => s.id)).to.include(Number(pm.collectionVariables.get('session_id')));",
             "});",
         )),
    Step("time_off_list_time_off", "Sessions", "List Time Off", 200,
         query={"start_date": "{{session_date}}", "end_date": "{{range_end}}"},
         test=(
             "pm.test('The new time off is listed', function () {",
             "    pm.expect(body.data.time_off.map(t => t.id)).to.include(Number(pm.collectionVariables.get('time_off_id')));",
             "});",
         )),
    Step("time_off_get_time_off", "Sessions", "Get Time Off", 200),
    Step("calendar_feeds_create_calendar_feed", "Calendar Feeds", "Create Calendar Feed", 201, test=(
        _keep("feed_id", "body.data.id"),
        # The secret is the URL's last segment, without ".ics".
        _keep("secret", "body.data.url.split('/').pop().replace(/\\.ics$/, '')"),
    )),
    Step("calendar_feeds_list_calendar_feeds", "Calendar Feeds", "List Calendar Feeds", 200, test=(
        "pm.test('The new feed is listed, without its URL', function () {",
        "    const feed = body.data.calendar_feeds.find(f => f.id === Number(pm.collectionVariables.get('feed_id')));",
        "    pm.expect(feed).to.be.an('object');",
        "    pm.expect(feed).to.not.have.property('url');",
        "});",
    )),
    Step("calendar_feeds_read_calendar_feed", "Calendar Feeds", "Read Calendar Feed", 200, calendar=True),
    Step("calendar_feeds_revoke_calendar_feed", "Calendar Feeds", "Revoke Calendar Feed", 200),
    Step("calendar_feeds_read_calendar_feed", "Calendar Feeds", "Read Revoked Calendar Feed", 404),
    Step("time_off_delete_time_off", "Sessions", "Delete Time Off", 200),
    Step("sessions_delete_session", "Sessions", "Delete Session", 200, test=(
        "pm.test('The session is cancelled', function () {",
        "    pm.expect(body.data.status).to.eql('cancelled');",
        "});",
    )),
    Step("sessions_delete_session", "Sessions", "Delete Session Permanently", 200, query={"permanent": "true"}),
    # Contract §9: four weekly occurrences from the session's day at an early hour (any that
    # is not free is skipped), then a change to all from the first on, then their removal.
    Step("series_create_series", "Series", "Create Series", 201,
         body={"client_id": "{{client_id}}", "scheduled_start": "{{series_start}}", "scheduled_end": "{{series_end}}",
               "rrule": "FREQ=WEEKLY;COUNT=4", "on_conflict": "skip"},
         prerequest=(
             _keep("series_start", "pm.collectionVariables.get('session_date') + 'T05:10:00'"),
             _keep("series_end", "pm.collectionVariables.get('session_date') + 'T05:40:00'"),
         ),
         test=(
             _keep("series_id", "body.data.id"),
             "// The scoped steps below act on the series' first session.",
             _keep("session_id", "body.data.sessions[0].id"),
             "pm.test('Every session is an occurrence of the series', function () {",
             "    pm.expect(body.data.occurrences + body.data.skipped.length).to.eql(4);",
             "    body.data.sessions.forEach(s => pm.expect(s.series_id).to.eql(body.data.id));",
             "});",
         )),
    Step("series_get_series", "Series", "Get Series", 200, test=(
        "pm.test('The series has its sessions', function () {",
        "    pm.expect(body.data.sessions.length).to.eql(body.data.occurrences);",
        "});",
    )),
    Step("sessions_update_session", "Series", "Update This and Following Occurrences", 200,
         query={"scope": "following"}, body={"title": "Weekly strength (moved by scope)"}, whole_body=True,
         test=(
             "pm.test('The occurrence is changed', function () {",
             "    pm.expect(body.data.title).to.eql('Weekly strength (moved by scope)');",
             "});",
         )),
    Step("sessions_delete_session", "Series", "Delete All Occurrences Permanently", 200,
         query={"scope": "all", "permanent": "true"}),
    Step("health_health", "Service", "Health", 200),
    Step("clients_delete_client", "Clean Up", "Delete Client", 200),
    Step("auth_revoke_token", "Clean Up", "Revoke Token", 200),
    Step("auth_logout", "Clean Up", "Logout", 200, test=("pm.environment.set('SESSION_COOKIE', '');",)),
)
# Where an operation that no step names goes (a new route): before the clean-up, checked
# on its first success status; the run shows whether it needs a step of its own.
OTHER_FOLDER = "Service"


def collection(spec: dict[str, Any]) -> dict[str, Any]:
    """The collection for ``spec``: every operation at least once, in the order of ``STEPS``."""
    operations = {
        operation["operationId"]: (path, method, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    }
    folders: dict[str, list[dict[str, Any]]] = {}
    for step in STEPS:
        if step.operation_id in operations:
            path, method, operation = operations[step.operation_id]
            folders.setdefault(step.folder, []).append(_request(spec, path, method, operation, step))
    named = {step.operation_id for step in STEPS}
    for operation_id, (path, method, operation) in sorted(operations.items()):
        if operation_id not in named:
            status = min((int(code) for code in operation["responses"] if code.startswith("2")), default=200)
            step = Step(operation_id, OTHER_FOLDER, operation["summary"], status)
            folders.setdefault(OTHER_FOLDER, []).append(_request(spec, path, method, operation, step))
    order = list(dict.fromkeys(step.folder for step in STEPS))
    return {
        "info": {
            "name": spec["info"]["title"],
            "description": spec["info"].get("description", ""),
            "schema": COLLECTION_SCHEMA,
        },
        "item": [{"name": name, "item": folders[name]} for name in order if name in folders],
        "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": COOKIE_SCRIPT}}],
        "variable": [{"key": name, "value": ""} for name in VARIABLES],
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


def _request(spec: dict[str, Any], path: str, method: str, operation: dict[str, Any], step: Step) -> dict[str, Any]:
    # A whole-segment parameter is a Postman path variable; one inside a segment (the
    # feed's "{secret}.ics") is the collection variable of its name.
    segments = [re.sub(r"^\{(\w+)\}$", r":\1", part) for part in path.strip("/").split("/")]
    segments = [re.sub(r"\{(\w+)\}", r"{{\1}}", part) for part in segments]
    url: dict[str, Any] = {
        "raw": "{{BASE_URL}}/" + "/".join(segments),
        "host": ["{{BASE_URL}}"],
        "path": segments,
    }
    query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
    if query:
        url["query"] = [
            {"key": p["name"], "value": step.query.get(p["name"], _example_value(p["schema"])),
             "description": p.get("description", ""), "disabled": p["name"] not in step.query}
            for p in query
        ]
        url["raw"] += "?" + "&".join(f"{q['key']}={q['value']}" for q in url["query"] if not q["disabled"])
        url["raw"] = url["raw"].rstrip("?")
    variables = [p for p in operation.get("parameters", []) if p["in"] == "path" and f":{p['name']}" in segments]
    if variables:
        # Path ids are the collection variables of the same name, kept by the creating request.
        url["variable"] = [{"key": p["name"], "value": "{{" + p["name"] + "}}"} for p in variables]
    request: dict[str, Any] = {"method": method.upper(), "url": url, "description": operation.get("summary", ""),
                               "header": [{"key": key, "value": value} for key, value in step.headers.items()]}
    body = operation.get("requestBody")
    if body is not None:
        schema = _resolve(spec, body["content"]["application/json"]["schema"])
        example = {} if step.whole_body else dict((schema.get("examples") or [{}])[0])
        example.update(step.body or {})
        request["header"].append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {"mode": "raw", "raw": _raw_json(example), "options": {"raw": {"language": "json"}}}
    events = [{"listen": "test", "script": {"type": "text/javascript", "exec": _test_script(step)}}]
    if step.prerequest:
        events.insert(0, {"listen": "prerequest", "script": {"type": "text/javascript", "exec": list(step.prerequest)}})
    return {"name": step.name, "event": events, "request": request}


def _test_script(step: Step) -> list[str]:
    """The status and ``success`` checks every request has, then the step's own lines,
    which see the parsed response as ``body`` and run only when the status was right."""
    success = "true" if 200 <= step.status < 300 else "false"
    if step.calendar and success == "true":
        # Not the JSON envelope: success is an iCalendar body.
        return [
            f"pm.test('Status code is {step.status}', function () {{",
            f"    pm.response.to.have.status({step.status});",
            "});",
            "pm.test('success: the body is a calendar', function () {",
            "    pm.expect(pm.response.headers.get('Content-Type')).to.include('text/calendar');",
            "    pm.expect(pm.response.text()).to.match(/^BEGIN:VCALENDAR/);",
            "});",
        ]
    lines = [
        f"pm.test('Status code is {step.status}', function () {{",
        f"    pm.response.to.have.status({step.status});",
        "});",
        f"pm.test('success is {success}', function () {{",
        f"    pm.expect(pm.response.json().success).to.eql({success});",
        "});",
    ]
    if step.test:
        lines += [f"if (pm.response.code === {step.status}) {{", "    const body = pm.response.json();"]
        lines += ["    " + line for line in step.test]
        lines.append("}")
    return lines


def _raw_json(value: dict[str, Any]) -> str:
    raw = json.dumps(value, indent=2)
    for name in NUMBER_VARIABLES:
        raw = raw.replace(f'"{{{{{name}}}}}"', f"{{{{{name}}}}}")
    return raw


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
