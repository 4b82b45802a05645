"""Authentication over HTTP: login, logout, ``me``, API tokens, throttling and the
cross-site guard (contract §2 and §3)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from mectofitness import create_app, timeutil
from mectofitness.extensions import db
from mectofitness.models import AuthToken, LoginFailure

from .factories import PASSWORD, assert_invalid

LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"
TOKENS = "/api/v1/auth/tokens"
CLIENTS = "/api/v1/clients"

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_HOURS = {day: [{"start": "08:00", "end": "20:00"}] for day in WEEKDAYS}
ME_KEYS = {"id", "username", "email", "full_name", "role", "timezone", "working_hours", "working_hours_overrides", "scheduling"}
LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
AUTH_REQUIRED = {"success": False, "error": "Authentication required"}
BAD_LOGIN = {"success": False, "error": "Invalid username or password"}
FOREIGN = "https://evil.example"


def _login(web: FlaskClient, username: str, password: str, **kwargs):
    return web.post(LOGIN, json={"username": username, "password": password}, **kwargs)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _cookie_copy(app: Flask, web: FlaskClient) -> FlaskClient:
    """A second browser holding the same session cookie value as ``web``."""
    cookie = web.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def _scalar(app: Flask, sql: str, **params):
    with app.app_context():
        return db.session.execute(text(sql), params).scalar_one()


# --- login ---------------------------------------------------------------------------


def test_login_by_username_returns_user_and_sets_cookie(client, trainer):
    r = _login(client, "mike", PASSWORD)
    assert r.status_code == 200
    body = r.get_json()
    assert body["success"] is True
    user = body["data"]["user"]
    assert set(user) == ME_KEYS
    assert user["id"] == trainer.id
    assert user["username"] == "mike"
    assert user["email"] == "mike@example.com"
    assert user["full_name"] == "Mike Thompson"
    assert client.get(ME).status_code == 200


@pytest.mark.parametrize("login_name", ["mike@example.com", "MIKE@Example.COM", "  mike@example.com  "])
def test_login_by_email_works(client, trainer, login_name):
    r = _login(client, login_name, PASSWORD)
    assert r.status_code == 200
    assert r.get_json()["data"]["user"]["username"] == "mike"
    assert client.get(ME).get_json()["data"]["id"] == trainer.id


def test_login_wrong_password_gives_401_same_message_as_unknown_user(client, trainer):
    wrong = _login(client, "mike", "not-the-password")
    unknown = _login(client, "nobody-here", PASSWORD)
    unknown_email = _login(client, "nobody@example.com", PASSWORD)
    for r in (wrong, unknown, unknown_email):
        assert r.status_code == 401
        assert r.get_json() == BAD_LOGIN
    assert client.get_cookie("session") is None
    assert client.get(ME).status_code == 401


def test_login_password_is_case_sensitive(client, trainer):
    r = _login(client, "mike", PASSWORD.upper())
    assert r.status_code == 401
    assert r.get_json() == BAD_LOGIN


@pytest.mark.parametrize(
    "body, field",
    [
        ({"password": PASSWORD}, "username"),
        ({"username": "mike"}, "password"),
        ({"username": "mike", "password": 123}, "password"),
        ({"username": 42, "password": PASSWORD}, "username"),
    ],
)
def test_login_malformed_body_gives_400_naming_field(client, trainer, body, field):
    r = client.post(LOGIN, json=body)
    assert_invalid(r, field, exactly=False)


def test_login_cookie_is_httponly_samesite_lax(client, trainer):
    r = _login(client, "mike", PASSWORD)
    cookies = [c for c in r.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1
    attributes = [part.strip().lower() for part in cookies[0].split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert cookies[0].split(";")[0] != "session="  # it carries a value


def test_login_cookie_expires_with_its_login_and_is_not_resent_on_each_request(app, client, trainer):
    """The cookie's Expires is fixed at login, the day its server-side login row ends;
    later requests do not re-sign or re-send it."""
    r = _login(client, "mike", PASSWORD)
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("session="))
    expires = next(part.split("=", 1)[1] for part in cookie.split("; ") if part.lower().startswith("expires="))
    with app.app_context():
        row = db.session.scalars(select(AuthToken).where(AuthToken.kind == "login")).one()
        assert row.expires_at is not None
        assert abs(parsedate_to_datetime(expires) - row.expires_at) < timedelta(minutes=1)
    for _ in range(2):
        later = client.get("/api/v1/auth/me")
        assert later.status_code == 200
        assert not [c for c in later.headers.getlist("Set-Cookie") if c.startswith("session=")]


def test_login_cookie_is_secure_when_configured(settings, trainer, factory):
    secure_app = create_app(settings, secure_cookies=True)
    secure_app.config["TESTING"] = True
    try:
        r = _login(secure_app.test_client(), "mike", PASSWORD)
        assert r.status_code == 200
        cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("session="))
        assert "secure" in [part.strip().lower() for part in cookie.split(";")]
    finally:
        with secure_app.app_context():
            db.engine.dispose()


def test_login_cookie_is_not_secure_by_default(client, trainer):
    r = _login(client, "mike", PASSWORD)
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "secure" not in [part.strip().lower() for part in cookie.split(";")]


def test_login_deletes_the_trainers_expired_logins(app, factory, trainer):
    other = factory.trainer()
    factory.token(trainer)  # an API token (and a login) for mike
    browsers = [app.test_client() for _ in range(3)]
    for web in browsers:
        factory.login(web, trainer)
    factory.login(app.test_client(), other)
    with app.app_context():
        logins = list(db.session.scalars(select(AuthToken).where(AuthToken.kind == "login").order_by(AuthToken.id)))
        mine = [t.id for t in logins if t.trainer_id == trainer.id]
        theirs = [t.id for t in logins if t.trainer_id == other.id]
        expired = mine[:-1] + theirs  # all but mike's newest login, and the other trainer's
        db.session.execute(
            update(AuthToken).where(AuthToken.id.in_(expired)).values(expires_at=timeutil.now() - timedelta(seconds=1))
        )
        db.session.commit()
    factory.login(app.test_client(), trainer)
    with app.app_context():
        rows = {t.id: (t.trainer_id, t.kind) for t in db.session.scalars(select(AuthToken))}
    assert not set(mine[:-1]) & set(rows)  # mike's expired logins are gone
    assert mine[-1] in rows and set(theirs) <= set(rows)  # his live one stays; others' wait for their login
    assert sorted(rows.values()).count((trainer.id, "login")) == 2
    assert (trainer.id, "api") in rows.values()
    assert browsers[-1].get(ME).status_code == 200


# --- logout ----------------------------------------------------------------------------


def test_logout_ends_session(logged_in):
    r = logged_in.post(LOGOUT)
    assert r.status_code == 200
    assert r.get_json()["success"] is True
    r = logged_in.get(ME)
    assert r.status_code == 401
    assert r.get_json() == AUTH_REQUIRED


def test_logout_copied_cookie_no_longer_works(app, logged_in):
    stolen = _cookie_copy(app, logged_in)
    assert stolen.get(ME).status_code == 200  # the copy works while the login lives
    assert logged_in.post(LOGOUT).status_code == 200
    r = stolen.get(ME)
    assert r.status_code == 401
    assert r.get_json() == AUTH_REQUIRED


def test_logout_ends_only_that_login(app, factory, trainer):
    laptop, phone = app.test_client(), app.test_client()
    factory.login(laptop, trainer)
    factory.login(phone, trainer)
    assert laptop.post(LOGOUT).status_code == 200
    assert laptop.get(ME).status_code == 401
    assert phone.get(ME).status_code == 200


def test_logout_without_credentials_gives_401(client):
    r = client.post(LOGOUT)
    assert r.status_code == 401
    assert r.get_json() == AUTH_REQUIRED


# --- GET /auth/me ------------------------------------------------------------------------


def test_me_shape_and_defaults(logged_in, trainer):
    r = logged_in.get(ME)
    assert r.status_code == 200
    body = r.get_json()
    assert body["success"] is True
    assert body["data"] == {
        "id": trainer.id,
        "username": "mike",
        "email": "mike@example.com",
        "full_name": "Mike Thompson",
        "role": "trainer",
        "timezone": "UTC",
        "working_hours": DEFAULT_HOURS,
        "working_hours_overrides": {},
        "scheduling": {
            "buffer_minutes": 0,
            "min_notice_minutes": 0,
            "horizon_days": None,
            "slot_step_minutes": 15,
            "cancel_notice_minutes": 0,
        },
    }


def test_me_admin_role_reported(app, factory):
    admin = factory.admin(timezone="Europe/Berlin")
    web = factory.login_as(admin)
    data = web.get(ME).get_json()["data"]
    assert data["role"] == "admin"
    assert data["timezone"] == "Europe/Berlin"


def test_me_via_bearer(app, factory, trainer):
    token = factory.token(trainer)
    r = app.test_client().get(ME, headers=_bearer(token))
    assert r.status_code == 200
    assert r.get_json()["data"]["username"] == "mike"


# --- PATCH /auth/me ------------------------------------------------------------------------


def _patch_me(web: FlaskClient, body):
    return web.patch(ME, json=body)


def test_patch_me_full_name(logged_in):
    r = _patch_me(logged_in, {"full_name": "Michael Thompson"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["success"] is True
    assert body["data"]["full_name"] == "Michael Thompson"
    assert logged_in.get(ME).get_json()["data"]["full_name"] == "Michael Thompson"


def test_patch_me_full_name_null_clears(logged_in):
    r = _patch_me(logged_in, {"full_name": None})
    assert r.status_code == 200
    assert logged_in.get(ME).get_json()["data"]["full_name"] is None


def test_patch_me_empty_body_changes_nothing(logged_in, trainer):
    before = logged_in.get(ME).get_json()["data"]
    r = _patch_me(logged_in, {})
    assert r.status_code == 200
    assert logged_in.get(ME).get_json()["data"] == before


def test_patch_me_email(logged_in):
    r = _patch_me(logged_in, {"email": "michael@example.com"})
    assert r.status_code == 200
    assert r.get_json()["data"]["email"] == "michael@example.com"
    assert logged_in.get(ME).get_json()["data"]["email"] == "michael@example.com"


def test_patch_me_new_email_used_for_login(app, logged_in):
    assert _patch_me(logged_in, {"email": "michael@example.com"}).status_code == 200
    web = app.test_client()
    assert _login(web, "michael@example.com", PASSWORD).status_code == 200
    r = _login(web, "mike@example.com", PASSWORD)
    assert r.status_code == 401
    assert r.get_json() == BAD_LOGIN


@pytest.mark.parametrize("email", ["not-an-email", "mike@", "@example.com", "", "a b@example.com", 42])
def test_patch_me_invalid_email_gives_400_naming_email(logged_in, email):
    errors = assert_invalid(_patch_me(logged_in, {"email": email}), "email", exactly=False)
    assert set(errors) == {"email"}
    assert logged_in.get(ME).get_json()["data"]["email"] == "mike@example.com"


@pytest.mark.parametrize("email", ["taken@example.com", "TAKEN@example.com"])
def test_patch_me_duplicate_email_gives_409(logged_in, factory, email):
    factory.trainer(email="taken@example.com")
    r = _patch_me(logged_in, {"email": email})
    assert r.status_code == 409
    body = r.get_json()
    assert body["success"] is False
    assert isinstance(body["error"], str) and body["error"]
    assert logged_in.get(ME).get_json()["data"]["email"] == "mike@example.com"


def test_patch_me_own_email_again_is_fine(logged_in):
    r = _patch_me(logged_in, {"email": "mike@example.com"})
    assert r.status_code == 200


@pytest.mark.parametrize("tz", ["America/New_York", "Asia/Kolkata", "Europe/London", "UTC"])
def test_patch_me_timezone_iana(logged_in, tz):
    r = _patch_me(logged_in, {"timezone": tz})
    assert r.status_code == 200
    assert r.get_json()["data"]["timezone"] == tz
    assert logged_in.get(ME).get_json()["data"]["timezone"] == tz


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "Eastern", "", "+05:00", "America/New York", "../etc/passwd", 5, None])
def test_patch_me_bad_timezone_gives_400_errors_timezone(logged_in, tz):
    errors = assert_invalid(_patch_me(logged_in, {"timezone": tz}), "timezone", exactly=False)
    assert set(errors) == {"timezone"}
    assert logged_in.get(ME).get_json()["data"]["timezone"] == "UTC"


def test_patch_me_split_shift_and_empty_day(logged_in):
    hours = {
        "monday": [{"start": "06:00", "end": "10:00"}, {"start": "16:00", "end": "21:00"}],
        "sunday": [],
    }
    r = _patch_me(logged_in, {"working_hours": hours})
    assert r.status_code == 200
    expected = DEFAULT_HOURS | hours
    assert r.get_json()["data"]["working_hours"] == expected
    assert logged_in.get(ME).get_json()["data"]["working_hours"] == expected


def test_patch_me_working_hours_merge_per_day(logged_in):
    monday = [{"start": "06:00", "end": "10:00"}, {"start": "16:00", "end": "21:00"}]
    assert _patch_me(logged_in, {"working_hours": {"monday": monday}}).status_code == 200
    tuesday = [{"start": "09:00", "end": "17:00"}]
    assert _patch_me(logged_in, {"working_hours": {"tuesday": tuesday}}).status_code == 200
    hours = logged_in.get(ME).get_json()["data"]["working_hours"]
    assert hours == DEFAULT_HOURS | {"monday": monday, "tuesday": tuesday}
    # A day given again is replaced, not appended to.
    assert _patch_me(logged_in, {"working_hours": {"monday": [{"start": "07:00", "end": "08:00"}]}}).status_code == 200
    hours = logged_in.get(ME).get_json()["data"]["working_hours"]
    assert hours["monday"] == [{"start": "07:00", "end": "08:00"}]
    assert hours["tuesday"] == tuesday


@pytest.mark.parametrize(
    "ranges",
    [
        [{"start": "08:00", "end": "12:00"}, {"start": "12:00", "end": "16:00"}],  # back to back
        [{"start": "00:00", "end": "24:00"}],  # the whole day
        [{"start": "18:00", "end": "20:00"}, {"start": "06:00", "end": "07:30"}],  # any order
    ],
)
def test_patch_me_working_hours_valid_edges(logged_in, ranges):
    r = _patch_me(logged_in, {"working_hours": {"friday": ranges}})
    assert r.status_code == 200, r.get_json()
    assert len(logged_in.get(ME).get_json()["data"]["working_hours"]["friday"]) == len(ranges)


@pytest.mark.parametrize(
    "hours",
    [
        {"monday": [{"start": "8:00", "end": "20:00"}]},
        {"monday": [{"start": "08:00", "end": "2000"}]},
        {"monday": [{"start": "08:00:00", "end": "20:00"}]},
        {"monday": [{"start": "25:00", "end": "26:00"}]},
        {"monday": [{"start": "08:60", "end": "20:00"}]},
        {"monday": [{"start": "24:00", "end": "24:00"}]},
        {"monday": [{"start": 8, "end": 20}]},
        {"monday": [{"start": "08:00"}]},
        {"monday": [{"start": "08:00", "end": "20:00", "label": "x"}]},
        {"monday": [{"start": "10:00", "end": "09:00"}]},  # end before start
        {"monday": [{"start": "10:00", "end": "10:00"}]},  # empty range
        {"monday": [{"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "14:00"}]},  # overlap
        {"monday": [{"start": "08:00", "end": "20:00"}, {"start": "09:00", "end": "10:00"}]},  # contained
        {"funday": [{"start": "08:00", "end": "20:00"}]},
        {"Monday": [{"start": "08:00", "end": "20:00"}]},
        {"monday": {"start": "08:00", "end": "20:00"}},
        {"monday": None},
        [{"start": "08:00", "end": "20:00"}],
        "08:00-20:00",
        None,
    ],
)
def test_patch_me_bad_working_hours_gives_400(logged_in, hours):
    errors = assert_invalid(_patch_me(logged_in, {"working_hours": hours}))
    assert errors and all(key.startswith("working_hours") for key in errors), errors
    assert logged_in.get(ME).get_json()["data"]["working_hours"] == DEFAULT_HOURS


def test_patch_me_unknown_field_gives_400(logged_in):
    errors = assert_invalid(_patch_me(logged_in, {"username": "mikey"}), "username", exactly=False)
    assert errors["username"] == "Unknown field"
    assert logged_in.get(ME).get_json()["data"]["username"] == "mike"


@pytest.mark.parametrize("role", ["admin", "trainer"])
def test_patch_me_cannot_change_role(logged_in, role):
    r = _patch_me(logged_in, {"role": role})
    assert r.status_code == 400
    assert logged_in.get(ME).get_json()["data"]["role"] == "trainer"


def test_patch_me_reports_every_bad_field_at_once(logged_in):
    r = _patch_me(
        logged_in,
        {"email": "nope", "timezone": "Nowhere/City", "working_hours": {"caturday": []}, "colour": "red"},
    )
    errors = assert_invalid(r, "email", "timezone", "colour", exactly=False)
    assert any(key.startswith("working_hours") for key in errors)


def test_patch_me_password_change_without_current_gives_400(logged_in):
    errors = assert_invalid(_patch_me(logged_in, {"password": "brand-new-pass-1"}), "current_password", exactly=False)
    assert set(errors) == {"current_password"}


@pytest.mark.parametrize("current", ["wrong-password", PASSWORD.upper(), ""])
def test_patch_me_password_change_wrong_current_gives_400(app, logged_in, current):
    body = {"password": "brand-new-pass-1", "current_password": current}
    errors = assert_invalid(_patch_me(logged_in, body), "current_password", exactly=False)
    assert set(errors) == {"current_password"}
    assert _login(app.test_client(), "mike", PASSWORD).status_code == 200
    assert _login(app.test_client(), "mike", "brand-new-pass-1").status_code == 401


def test_patch_me_wrong_current_password_changes_nothing_else(logged_in):
    r = _patch_me(logged_in, {"full_name": "Changed", "password": "brand-new-pass-1", "current_password": "nope-nope"})
    assert r.status_code == 400
    assert logged_in.get(ME).get_json()["data"]["full_name"] == "Mike Thompson"


@pytest.mark.parametrize("password", ["short", "", 12345678, None])
def test_patch_me_weak_or_malformed_new_password_gives_400(logged_in, password):
    body = {"password": password, "current_password": PASSWORD}
    errors = assert_invalid(_patch_me(logged_in, body), "password", exactly=False)
    assert "password" in errors


def test_patch_me_password_change_old_fails_new_works(app, logged_in):
    r = _patch_me(logged_in, {"password": "brand-new-pass-1", "current_password": PASSWORD})
    assert r.status_code == 200
    assert "password" not in r.get_json()["data"]
    old = _login(app.test_client(), "mike", PASSWORD)
    assert old.status_code == 401
    assert old.get_json() == BAD_LOGIN
    assert _login(app.test_client(), "mike", "brand-new-pass-1").status_code == 200


def test_patch_me_password_change_ends_other_sessions_keeps_this_one(app, factory, trainer, logged_in):
    other_device = app.test_client()
    factory.login(other_device, trainer)
    copy_of_other = _cookie_copy(app, other_device)
    assert other_device.get(ME).status_code == 200
    r = _patch_me(logged_in, {"password": "brand-new-pass-1", "current_password": PASSWORD})
    assert r.status_code == 200
    for web in (other_device, copy_of_other):
        r = web.get(ME)
        assert r.status_code == 401
        assert r.get_json() == AUTH_REQUIRED
    assert logged_in.get(ME).status_code == 200


def test_password_stored_as_scrypt_hash(app, trainer, logged_in):
    stored = _scalar(app, "SELECT password_hash FROM trainers WHERE username = :u", u="mike")
    assert stored.startswith("scrypt:")
    assert PASSWORD not in stored
    assert _patch_me(logged_in, {"password": "brand-new-pass-1", "current_password": PASSWORD}).status_code == 200
    changed = _scalar(app, "SELECT password_hash FROM trainers WHERE username = :u", u="mike")
    assert changed.startswith("scrypt:")
    assert changed != stored
    assert "brand-new-pass-1" not in changed


def test_password_hashes_are_salted(app, factory):
    a = factory.trainer(password="same-password-1")
    b = factory.trainer(password="same-password-1")
    hash_a = _scalar(app, "SELECT password_hash FROM trainers WHERE id = :i", i=a.id)
    hash_b = _scalar(app, "SELECT password_hash FROM trainers WHERE id = :i", i=b.id)
    assert hash_a != hash_b


# --- 401 for every protected endpoint --------------------------------------------------------

PROTECTED = [
    ("POST", LOGOUT),
    ("GET", ME),
    ("PATCH", ME),
    ("GET", TOKENS),
    ("POST", TOKENS),
    ("DELETE", f"{TOKENS}/1"),
    ("GET", CLIENTS),
    ("POST", CLIENTS),
    ("GET", f"{CLIENTS}/1"),
    ("PATCH", f"{CLIENTS}/1"),
    ("PUT", f"{CLIENTS}/1"),
    ("DELETE", f"{CLIENTS}/1"),
]


def _call(web: FlaskClient, method: str, path: str, **kwargs):
    if method in ("POST", "PATCH", "PUT"):
        kwargs.setdefault("json", {"name": "x"})
    return web.open(path, method=method, **kwargs)


def _assert_auth_required(r) -> None:
    assert r.status_code == 401
    assert r.get_json() == AUTH_REQUIRED
    assert r.mimetype == "application/json"
    assert "Location" not in r.headers


@pytest.mark.parametrize("method, path", PROTECTED)
def test_protected_endpoint_without_credentials_gives_401_json(client, trainer, method, path):
    _assert_auth_required(_call(client, method, path))


@pytest.mark.parametrize("method, path", PROTECTED)
@pytest.mark.parametrize("cookie", ["garbage", "", "eyJfdXNlcl9pZCI6Im1mX3gifQ.Zz.bad"])
def test_protected_endpoint_with_bad_cookie_gives_401_json(app, trainer, method, path, cookie):
    web = app.test_client()
    web.set_cookie("session", cookie)
    _assert_auth_required(_call(web, method, path))


@pytest.mark.parametrize("method, path", PROTECTED)
@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Bearer mf_" + "x" * 43, "Bearer " + "y" * 300, "Bearer", "Token abc", "Basic bWlrZTpwdw=="],
)
def test_protected_endpoint_with_bad_bearer_gives_401_json(client, trainer, method, path, authorization):
    _assert_auth_required(_call(client, method, path, headers={"Authorization": authorization}))


# Open by design: logging in, the load balancer's probe, the API description, and the
# calendar feed (its secret in the URL is the credential: tests/test_calendar_feeds.py).
PUBLIC = {
    ("POST", LOGIN), ("GET", "/api/v1/health"), ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/calendar-feeds/<string:secret>.ics"),
}


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param({}, id="none"),
        pytest.param({"Cookie": "session=garbage"}, id="bad-cookie"),
        pytest.param({"Authorization": "Bearer mf_not-a-real-token"}, id="bad-bearer"),
    ],
)
def test_every_api_endpoint_but_public_ones_requires_authentication(app, trainer, credentials):
    """Swept from the URL map, so an endpoint added later is covered too."""
    wrong = []
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "1")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (method, rule.rule) in PUBLIC:
                continue
            checked += 1
            r = _call(app.test_client(), method, path, headers=credentials)
            if r.status_code != 401 or r.get_json() != AUTH_REQUIRED or "Location" in r.headers:
                wrong.append((method, path, r.status_code, r.get_json()))
    assert checked >= len(PROTECTED)
    assert wrong == []


def test_tampered_cookie_gives_401(app, logged_in):
    value = logged_in.get_cookie("session").value
    tampered = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    web = app.test_client()
    web.set_cookie("session", tampered)
    _assert_auth_required(web.get(ME))


def test_signed_cookie_with_unknown_login_secret_gives_401(client, trainer):
    with client.session_transaction() as sess:
        sess["_user_id"] = "mf_forged-login-secret"
        sess["_fresh"] = True
    _assert_auth_required(client.get(ME))


def test_signed_cookie_with_trainer_id_gives_401(client, trainer):
    """The cookie names a login session, not a user: a signed user id alone is no way in."""
    with client.session_transaction() as sess:
        sess["_user_id"] = str(trainer.id)
    _assert_auth_required(client.get(ME))


def test_bad_bearer_is_not_rescued_by_good_cookie(logged_in):
    _assert_auth_required(logged_in.get(ME, headers=_bearer("mf_bogus")))


def test_api_token_is_not_a_login_cookie(app, factory, trainer):
    token = factory.token(trainer)
    web = app.test_client()
    with web.session_transaction() as sess:
        sess["_user_id"] = token
    _assert_auth_required(web.get(ME))


# --- bearer tokens ------------------------------------------------------------------------------


def test_create_token_gives_201_with_secret(logged_in):
    r = logged_in.post(TOKENS, json={"name": "ci"})
    assert r.status_code == 201
    body = r.get_json()
    assert body["success"] is True
    data = body["data"]
    assert set(data) == {"id", "name", "token", "created_at"}
    assert isinstance(data["id"], int)
    assert data["name"] == "ci"
    assert isinstance(data["token"], str) and len(data["token"]) >= 32
    assert LOCAL_TIME.match(data["created_at"])


def test_token_secrets_are_unique(logged_in):
    first = logged_in.post(TOKENS, json={"name": "a"}).get_json()["data"]["token"]
    second = logged_in.post(TOKENS, json={"name": "a"}).get_json()["data"]["token"]
    assert first != second


@pytest.mark.parametrize("body, field", [({}, "name"), ({"name": ""}, "name"), ({"name": "   "}, "name"),
                                         ({"name": 5}, "name"), ({"name": "x" * 101}, "name"),
                                         ({"name": "ok", "scope": "all"}, "scope")])
def test_create_token_bad_body_gives_400(logged_in, body, field):
    assert_invalid(logged_in.post(TOKENS, json=body), field, exactly=False)
    assert logged_in.get(TOKENS).get_json()["data"]["tokens"] == []


def test_token_works_as_bearer(app, logged_in, trainer):
    token = logged_in.post(TOKENS, json={"name": "ci"}).get_json()["data"]["token"]
    web = app.test_client()
    r = web.get(ME, headers=_bearer(token))
    assert r.status_code == 200
    assert r.get_json()["data"]["id"] == trainer.id
    r = web.post(CLIENTS, json={"name": "Via Token"}, headers=_bearer(token))
    assert r.status_code == 201
    assert r.get_json()["data"]["trainer_id"] == trainer.id
    assert web.get_cookie("session") is None  # a bearer request logs nobody in


def test_token_still_works_after_logout(app, logged_in):
    token = logged_in.post(TOKENS, json={"name": "ci"}).get_json()["data"]["token"]
    assert logged_in.post(LOGOUT).status_code == 200
    assert app.test_client().get(ME, headers=_bearer(token)).status_code == 200


def test_list_tokens_without_secrets(logged_in):
    created = [logged_in.post(TOKENS, json={"name": name}).get_json()["data"] for name in ("laptop", "ci")]
    r = logged_in.get(TOKENS)
    assert r.status_code == 200
    body = r.get_json()
    assert body["success"] is True
    assert body["data"] == {
        "tokens": [{"id": item["id"], "name": item["name"], "created_at": item["created_at"]} for item in created],
        "pagination": {"page": 1, "per_page": 20, "total_pages": 1, "total_items": 2,
                       "has_next": False, "has_prev": False},
    }
    raw = r.get_data(as_text=True)
    for item in created:
        assert item["token"] not in raw


def test_list_tokens_paginated_oldest_first(logged_in):
    ids = [logged_in.post(TOKENS, json={"name": f"t{n}"}).get_json()["data"]["id"] for n in range(5)]
    pages = [logged_in.get(TOKENS, query_string={"page": n, "per_page": 2}).get_json()["data"] for n in (1, 2, 3, 4)]
    assert [[t["id"] for t in page["tokens"]] for page in pages] == [ids[0:2], ids[2:4], ids[4:5], []]
    assert [page["pagination"]["has_next"] for page in pages] == [True, True, False, False]
    assert [page["pagination"]["has_prev"] for page in pages] == [False, True, True, True]
    assert {(p["pagination"]["total_items"], p["pagination"]["total_pages"]) for p in pages} == {(5, 3)}
    capped = logged_in.get(TOKENS, query_string={"per_page": 1000}).get_json()["data"]
    assert capped["pagination"]["per_page"] == 100 and len(capped["tokens"]) == 5


@pytest.mark.parametrize("params, fields", [({"page": "0"}, ["page"]), ({"per_page": "x"}, ["per_page"]),
                                            ({"page": "-1", "per_page": "0"}, ["page", "per_page"])])
def test_list_tokens_bad_paging_gives_400(logged_in, params, fields):
    assert_invalid(logged_in.get(TOKENS, query_string=params), *fields, exactly=False)


def test_create_token_past_the_limit_gives_409_until_one_is_revoked(logged_in, factory):
    factory.token(factory.trainer(), name="another trainer's")  # counts for that trainer only
    ids = []
    for n in range(100):
        r = logged_in.post(TOKENS, json={"name": f"t{n}"})
        assert r.status_code == 201, (n, r.get_json())
        ids.append(r.get_json()["data"]["id"])
    r = logged_in.post(TOKENS, json={"name": "one too many"})
    assert r.status_code == 409
    assert r.get_json() == {"success": False, "error": "Token limit reached (100); revoke one first"}
    assert logged_in.get(TOKENS).get_json()["data"]["pagination"]["total_items"] == 100
    assert logged_in.delete(f"{TOKENS}/{ids[0]}").status_code == 200
    assert logged_in.post(TOKENS, json={"name": "in its place"}).status_code == 201
    assert logged_in.post(TOKENS, json={"name": "one too many"}).status_code == 409


def test_list_tokens_shows_only_own_api_tokens(app, logged_in, factory):
    other = factory.trainer()
    factory.token(other, name="theirs")
    logged_in.post(TOKENS, json={"name": "mine"})
    names = [t["name"] for t in logged_in.get(TOKENS).get_json()["data"]["tokens"]]
    assert names == ["mine"]  # neither the other trainer's token nor login sessions


def test_revoke_token_next_request_gives_401(app, logged_in):
    data = logged_in.post(TOKENS, json={"name": "ci"}).get_json()["data"]
    web = app.test_client()
    assert web.get(ME, headers=_bearer(data["token"])).status_code == 200
    r = logged_in.delete(f"{TOKENS}/{data['id']}")
    assert r.status_code == 200
    assert r.get_json()["success"] is True
    _assert_auth_required(web.get(ME, headers=_bearer(data["token"])))
    assert logged_in.get(TOKENS).get_json()["data"]["tokens"] == []


def test_revoke_token_twice_gives_404(logged_in):
    token_id = logged_in.post(TOKENS, json={"name": "ci"}).get_json()["data"]["id"]
    assert logged_in.delete(f"{TOKENS}/{token_id}").status_code == 200
    r = logged_in.delete(f"{TOKENS}/{token_id}")
    assert r.status_code == 404
    assert r.get_json()["success"] is False


def test_revoke_token_by_bearer_itself(app, factory, trainer):
    web = app.test_client()
    factory.login(web, trainer)
    data = web.post(TOKENS, json={"name": "ci"}).get_json()["data"]
    api = app.test_client()
    assert api.delete(f"{TOKENS}/{data['id']}", headers=_bearer(data["token"])).status_code == 200
    _assert_auth_required(api.get(ME, headers=_bearer(data["token"])))


def test_revoke_other_trainers_token_gives_404(app, logged_in, factory):
    other = factory.trainer()
    other_web = app.test_client()
    factory.login(other_web, other)
    theirs = other_web.post(TOKENS, json={"name": "theirs"}).get_json()["data"]
    r = logged_in.delete(f"{TOKENS}/{theirs['id']}")
    assert r.status_code == 404
    assert r.get_json()["success"] is False
    r = app.test_client().get(ME, headers=_bearer(theirs["token"]))
    assert r.status_code == 200
    assert r.get_json()["data"]["id"] == other.id


def test_revoke_login_session_id_as_token_gives_404(app, logged_in, trainer):
    login_id = _scalar(app, "SELECT id FROM auth_tokens WHERE kind = 'login' AND trainer_id = :t", t=trainer.id)
    r = logged_in.delete(f"{TOKENS}/{login_id}")
    assert r.status_code == 404
    assert logged_in.get(ME).status_code == 200


def test_revoke_missing_token_gives_404(logged_in):
    r = logged_in.delete(f"{TOKENS}/999999")
    assert r.status_code == 404
    assert r.get_json()["success"] is False


@pytest.mark.parametrize("token_id", ["2147483648", "9223372036854775808", "99999999999999999999"])
def test_revoke_token_id_beyond_range_gives_404(logged_in, token_id):
    r = logged_in.delete(f"{TOKENS}/{token_id}")
    assert r.status_code == 404
    assert r.get_json()["success"] is False


def test_token_stored_only_as_sha256(app, logged_in):
    secret = logged_in.post(TOKENS, json={"name": "ci"}).get_json()["data"]["token"]
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM auth_tokens")).all()
        hashes = list(db.session.execute(text("SELECT token_hash FROM auth_tokens")).scalars())
    assert rows
    for row in rows:
        for value in row:
            assert secret not in str(value)
    assert hashlib.sha256(secret.encode()).hexdigest() in hashes


# --- throttling ---------------------------------------------------------------------------------


def _assert_throttled(r, max_wait: int = 15 * 60) -> None:
    assert r.status_code == 429, r.get_json()
    assert r.mimetype == "application/json"
    assert r.get_json() == {"success": False, "error": "Too many failed login attempts; try again later"}
    retry_after = int(r.headers["Retry-After"])
    assert 1 <= retry_after <= max_wait


def test_login_throttled_after_ten_failures_even_with_right_password(client, trainer):
    for _ in range(10):
        r = _login(client, "mike", "wrong-password")
        assert r.status_code == 401
        assert r.get_json() == BAD_LOGIN
    _assert_throttled(_login(client, "mike", PASSWORD))
    _assert_throttled(_login(client, "mike", "wrong-password"))
    assert client.get_cookie("session") is None


def test_login_nine_failures_then_right_password_works(client, trainer):
    for _ in range(9):
        assert _login(client, "mike", "wrong-password").status_code == 401
    assert _login(client, "mike", PASSWORD).status_code == 200


def _fail(web: FlaskClient, username: str = "mike", address: str = "10.0.0.1", **headers: str) -> None:
    r = _login(web, username, "wrong-password", environ_base={"REMOTE_ADDR": address}, headers=headers)
    assert r.status_code == 401, r.get_json()
    assert r.get_json() == BAD_LOGIN


def _login_from(web: FlaskClient, address: str, username: str = "mike", password: str = PASSWORD, **headers: str):  # type: ignore[no-untyped-def]
    return _login(web, username, password, environ_base={"REMOTE_ADDR": address}, headers=headers)


def _failures(app: Flask) -> list[LoginFailure]:
    with app.app_context():
        return list(db.session.scalars(select(LoginFailure).order_by(LoginFailure.id)))


def _age_failures(app: Flask, ids: list[int], by: timedelta) -> None:
    """Move those failures ``by`` into the past, as if they had happened that long ago."""
    with app.app_context():
        db.session.execute(
            update(LoginFailure).where(LoginFailure.id.in_(ids)).values(at=timeutil.now() - by)
        )
        db.session.commit()


def test_login_failures_by_username_and_email_count_together(client, trainer):
    for n in range(10):
        _fail(client, "mike" if n % 2 else "Mike@Example.com")
    for name in ("mike", "MIKE", "mike@example.com", "  MIKE@example.COM "):
        _assert_throttled(_login_from(client, "10.0.0.1", name))


def test_login_throttle_is_per_address_owner_elsewhere_still_logs_in(client, trainer):
    for _ in range(10):
        _fail(client, address="192.0.2.10")
    _assert_throttled(_login_from(client, "192.0.2.10"))
    # The owner at his own address: another address's failures do not lock him out.
    assert _login_from(client, "198.51.100.7").status_code == 200
    _assert_throttled(_login_from(client, "192.0.2.10"))  # the good login cleared only its own address


def test_login_failures_for_other_accounts_do_not_throttle_an_account(client, trainer):
    for n in range(10):
        _fail(client, f"guess{n}", address="192.0.2.10")
    assert _login_from(client, "192.0.2.10").status_code == 200


def test_login_account_cap_of_100_from_all_addresses(client, trainer):
    for n in range(99):
        _fail(client, address=f"10.4.{n // 9}.1")  # 9 from each address: under the per-address cap
    # Below the account's cap the owner, at an address of his own, is not locked out ...
    assert _login_from(client, "198.51.100.7").status_code == 200
    _fail(client, address="10.4.99.1")  # ... the 100th failure within the hour ...
    # ... and then nobody gets in for up to an hour, at any address, right password or not.
    for address in ("198.51.100.7", "10.4.99.1", "10.4.0.1"):
        r = _login_from(client, address)
        _assert_throttled(r, max_wait=60 * 60)
        assert int(r.headers["Retry-After"]) > 15 * 60


def test_login_unknown_name_throttled_like_a_known_one(app, client, trainer):
    for _ in range(10):
        _fail(client, "Nobody")
        _fail(client, "mike")
    unknown, known = _login_from(client, "10.0.0.1", " NOBODY "), _login_from(client, "10.0.0.1", "mike")
    _assert_throttled(unknown)
    _assert_throttled(known)
    assert unknown.get_json() == known.get_json()
    assert _login_from(client, "10.0.0.1", "nobody2", "x").status_code == 401  # a count of its own
    # Counted by a hash: what was typed as a login name is not stored.
    assert all("nobody" not in row.account for row in _failures(app))


def test_login_throttle_does_not_touch_other_usernames(app, factory, trainer):
    factory.trainer(username="anna")
    web = app.test_client()
    for _ in range(10):
        _fail(web, "mike", address="10.1.0.1")
    _assert_throttled(_login_from(web, "10.1.0.1"))
    assert _login_from(web, "10.1.0.1", "anna").status_code == 200


def test_login_success_clears_that_address_failures(client, trainer):
    for _ in range(9):
        _fail(client, address="10.3.0.2")
    for _ in range(9):
        _fail(client, address="10.3.0.1")
    assert _login_from(client, "10.3.0.1").status_code == 200
    # Nine more from the same address: without the clearing that would be 18 there.
    for _ in range(9):
        _fail(client, address="10.3.0.1")
    assert _login_from(client, "10.3.0.1").status_code == 200
    # The other address's failures still count.
    _fail(client, address="10.3.0.2")
    _assert_throttled(_login_from(client, "10.3.0.2"))


def test_login_throttle_window_expires(app, trainer):
    """Failures older than 15 minutes no longer count."""
    web = app.test_client()
    for _ in range(10):
        _login(web, "mike", "wrong-password")
    _assert_throttled(_login(web, "mike", PASSWORD))
    with app.app_context():
        db.session.execute(text("UPDATE login_failures SET at = :at"), {"at": "2000-01-01 00:00:00"})
        db.session.commit()
    assert _login(web, "mike", PASSWORD).status_code == 200


def test_login_throttle_window_slides_retry_after_until_a_failure_ages_out(app, client, trainer):
    for _ in range(10):
        _fail(client)
    ids = [row.id for row in _failures(app)]
    _age_failures(app, ids[:4], timedelta(minutes=16))  # out of the window
    _age_failures(app, ids[4:], timedelta(minutes=10))
    for _ in range(4):  # four slots free again, no more
        _fail(client)
    r = _login_from(client, "10.0.0.1")
    _assert_throttled(r)
    # The tenth most recent failure, ten minutes old, stops counting in five.
    assert 5 * 60 - 5 <= int(r.headers["Retry-After"]) <= 5 * 60


def test_login_failures_past_the_longest_window_are_pruned(app, client, trainer):
    for n in range(3):
        _fail(client, "mike" if n else "nobody")
    ids = [row.id for row in _failures(app)]
    _age_failures(app, ids[:2], timedelta(minutes=61))
    _age_failures(app, ids[2:], timedelta(minutes=59))  # still counts towards the hour's cap
    _fail(client, "someone-else")
    remaining = [row.id for row in _failures(app)]
    assert len(remaining) == 2 and remaining[0] == ids[2]


def test_login_throttle_address_from_trusted_proxy(settings, trainer):
    with _app_with(settings, trusted_proxies=1) as app:
        web = app.test_client()
        proxy = "10.0.0.1"  # every request comes through it
        for _ in range(10):
            _fail(web, address=proxy, **{"X-Forwarded-For": "203.0.113.5"})
        _assert_throttled(_login_from(web, proxy, **{"X-Forwarded-For": "203.0.113.5"}))
        assert _login_from(web, proxy, **{"X-Forwarded-For": "198.51.100.7"}).status_code == 200
        assert {row.address for row in _failures(app)} == {"203.0.113.5"}


def test_login_throttle_trusts_only_the_configured_proxy_hops(settings, trainer):
    with _app_with(settings, trusted_proxies=2) as app:
        web = app.test_client()
        # The outer proxy appends the client's address, the inner one the outer's; what the
        # client itself put in front is not believed.
        for n in range(10):
            _fail(web, address="10.0.0.1", **{"X-Forwarded-For": f"192.0.2.{n}, 203.0.113.5, 10.0.0.2"})
        r = _login_from(web, "10.0.0.1", **{"X-Forwarded-For": "192.0.2.99, 203.0.113.5, 10.0.0.2"})
        _assert_throttled(r)
        assert {row.address for row in _failures(app)} == {"203.0.113.5"}


def test_login_throttle_ignores_forwarded_for_without_trusted_proxies(app, client, trainer):
    for n in range(10):
        _fail(client, address="10.0.0.1", **{"X-Forwarded-For": f"203.0.113.{n}"})
    # A client cannot choose its own address: all ten came from 10.0.0.1.
    _assert_throttled(_login_from(client, "10.0.0.1", **{"X-Forwarded-For": "198.51.100.7"}))
    assert {row.address for row in _failures(app)} == {"10.0.0.1"}


@contextmanager
def _app_with(settings, **overrides) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """A second app on the test database, with other settings."""
    app = create_app(settings, **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


# --- cross-site guard ----------------------------------------------------------------------------


@pytest.mark.parametrize("origin", [FOREIGN, "http://localhost:8080", "https://localhost", "null",
                                    "http://localhost.evil.example"])
def test_cookie_post_with_foreign_origin_gives_403(logged_in, origin):
    r = logged_in.post(CLIENTS, json={"name": "Forged"}, headers={"Origin": origin})
    assert r.status_code == 403
    body = r.get_json()
    assert body["success"] is False
    assert isinstance(body["error"], str) and body["error"]
    assert logged_in.get(CLIENTS).get_json()["data"]["clients"] == []


def _unsafe_endpoints(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule
            for argument in rule.arguments:
                path = path.replace(f"<int:{argument}>", "1")
            found += [(m, path) for m in sorted(rule.methods or ()) if m in ("POST", "PUT", "PATCH", "DELETE")]
    return found


def test_every_cookie_write_endpoint_refuses_foreign_origin(app, logged_in):
    """Swept from the URL map, so an endpoint added later is covered too."""
    endpoints = _unsafe_endpoints(app)
    assert len(endpoints) >= 8
    wrong = []
    for method, path in endpoints:
        r = _call(logged_in, method, path, headers={"Origin": FOREIGN})
        if r.status_code != 403 or r.get_json()["success"] is not False:
            wrong.append((method, path, r.status_code))
    assert wrong == []
    assert logged_in.get(ME).status_code == 200  # logout was refused too


def test_every_cookie_body_endpoint_refuses_non_json(app, logged_in):
    wrong = []
    for method, path in _unsafe_endpoints(app):
        if method == "DELETE":
            continue
        r = logged_in.open(path, method=method, data='{"name": "x"}', headers={"Content-Type": "text/plain"})
        if r.status_code != 415:
            wrong.append((method, path, r.status_code))
    assert wrong == []


def test_cookie_patch_with_foreign_origin_gives_403(logged_in):
    r = logged_in.patch(ME, json={"full_name": "Hacked"}, headers={"Origin": FOREIGN})
    assert r.status_code == 403
    assert logged_in.get(ME).get_json()["data"]["full_name"] == "Mike Thompson"


def test_cookie_put_with_foreign_origin_gives_403(logged_in, factory, trainer):
    client = factory.client(trainer, name="Jane")
    r = logged_in.put(f"{CLIENTS}/{client.id}", json={"name": "Hacked"}, headers={"Origin": FOREIGN})
    assert r.status_code == 403
    assert logged_in.get(f"{CLIENTS}/{client.id}").get_json()["data"]["name"] == "Jane"


def test_cookie_delete_with_foreign_origin_gives_403(logged_in, factory, trainer):
    client = factory.client(trainer)
    r = logged_in.delete(f"{CLIENTS}/{client.id}", headers={"Origin": FOREIGN})
    assert r.status_code == 403
    assert logged_in.get(f"{CLIENTS}/{client.id}").status_code == 200


def test_cookie_logout_with_foreign_origin_gives_403(logged_in):
    assert logged_in.post(LOGOUT, headers={"Origin": FOREIGN}).status_code == 403
    assert logged_in.get(ME).status_code == 200


def test_cookie_sec_fetch_site_cross_site_gives_403(logged_in):
    r = logged_in.post(CLIENTS, json={"name": "Forged"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    assert logged_in.get(CLIENTS).get_json()["data"]["clients"] == []


def test_login_with_foreign_origin_gives_403(client, trainer):
    r = _login(client, "mike", PASSWORD, headers={"Origin": FOREIGN})
    assert r.status_code == 403
    assert client.get(ME).status_code == 401


@pytest.mark.parametrize("origin", ["http://localhost", "http://localhost/"])
def test_cookie_post_with_same_origin_ok(logged_in, origin):
    r = logged_in.post(CLIENTS, json={"name": "Jane"}, headers={"Origin": origin})
    assert r.status_code == 201
    r = logged_in.patch(ME, json={"full_name": "Same Site"}, headers={"Origin": origin})
    assert r.status_code == 200


def test_cookie_get_with_foreign_origin_is_allowed(logged_in):
    assert logged_in.get(ME, headers={"Origin": FOREIGN}).status_code == 200


def test_trusted_origin_is_accepted(settings, factory, trainer):
    trusted_app = create_app(settings, trusted_origins=("https://app.example",))
    trusted_app.config["TESTING"] = True
    try:
        web = trusted_app.test_client()
        assert _login(web, "mike", PASSWORD).status_code == 200
        r = web.post(CLIENTS, json={"name": "Jane"}, headers={"Origin": "https://app.example"})
        assert r.status_code == 201
        r = web.post(CLIENTS, json={"name": "Jane"}, headers={"Origin": FOREIGN})
        assert r.status_code == 403
    finally:
        with trusted_app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_cookie_post_with_non_json_content_type_gives_415(logged_in, content_type):
    r = logged_in.post(CLIENTS, data='{"name": "Forged"}', headers={"Content-Type": content_type})
    assert r.status_code == 415
    body = r.get_json()
    assert body["success"] is False
    assert isinstance(body["error"], str) and body["error"]
    assert logged_in.get(CLIENTS).get_json()["data"]["clients"] == []


def test_cookie_post_with_body_and_no_content_type_gives_415(logged_in):
    r = logged_in.post(CLIENTS, data=b'{"name": "Forged"}')
    assert "Content-Type" not in r.request.headers
    assert r.status_code == 415
    assert logged_in.get(CLIENTS).get_json()["data"]["clients"] == []


def test_cookie_patch_with_text_plain_gives_415(logged_in):
    r = logged_in.patch(ME, data='{"full_name": "Hacked"}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert logged_in.get(ME).get_json()["data"]["full_name"] == "Mike Thompson"


def test_login_with_text_plain_gives_415(client, trainer):
    r = client.post(LOGIN, data=f'{{"username": "mike", "password": "{PASSWORD}"}}',
                    headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert client.get(ME).status_code == 401


def test_cookie_post_json_with_charset_ok(logged_in):
    r = logged_in.post(CLIENTS, data='{"name": "Jane"}', headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 201


def test_bearer_exempt_from_origin_and_content_type(app, factory, trainer):
    token = factory.token(trainer)
    web = app.test_client()
    headers = _bearer(token) | {"Origin": FOREIGN, "Content-Type": "text/plain"}
    r = web.post(CLIENTS, data='{"name": "From Script"}', headers=headers)
    assert r.status_code == 201
    client_id = r.get_json()["data"]["id"]
    r = web.patch(f"{CLIENTS}/{client_id}", data='{"status": "inactive"}', headers=headers)
    assert r.status_code == 200
    assert r.get_json()["data"]["status"] == "inactive"
    r = web.delete(f"{CLIENTS}/{client_id}", headers=_bearer(token) | {"Origin": FOREIGN})
    assert r.status_code == 200


def test_login_username_ignores_case(client, trainer):
    response = client.post("/api/v1/auth/login", json={"username": trainer.username.upper(), "password": PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["data"]["user"]["username"] == trainer.username
