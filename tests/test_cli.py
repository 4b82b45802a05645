"""The ``mectofitness`` command (contract §3 and §7): create-trainer, db upgrade/check,
seed-demo. Each command builds its app from the environment, as in production."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import text

from mectofitness.cli import main
from mectofitness.extensions import db

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"
CLIENTS = "/api/v1/clients"
GOOD = ["--username", "alice", "--email", "alice@example.com", "--password", "alice-password-1"]


@pytest.fixture()
def cli(db_url: str, tmp_path: Path):
    """Run the command against the test database, as an operator would."""
    env = {
        "DATABASE_URL": db_url,
        "MECTO_INSTANCE_PATH": str(tmp_path / "cli-instance"),
        "SECRET_KEY": None,
        "MECTO_ENV": None,
        "MECTO_LOG_LEVEL": None,
    }

    def run(*args: str, extra_env: dict[str, str] | None = None, catch: bool = False) -> Result:
        return CliRunner().invoke(main, list(args), env=env | (extra_env or {}), catch_exceptions=catch)

    return run


def _count(app: Flask, sql: str, **params) -> int:
    with app.app_context():
        return int(db.session.execute(text(sql), params).scalar_one())


def _login(app: Flask, username: str, password: str):
    web = app.test_client()
    r = web.post(LOGIN, json={"username": username, "password": password})
    return web, r


# --- create-trainer ----------------------------------------------------------------------------


def test_create_trainer_then_login_over_http(cli, app):
    result = cli("create-trainer", *GOOD)
    assert result.exit_code == 0, result.output
    assert "alice" in result.output
    web, r = _login(app, "alice", "alice-password-1")
    assert r.status_code == 200
    me = web.get(ME).get_json()["data"]
    assert me["username"] == "alice"
    assert me["email"] == "alice@example.com"
    assert me["role"] == "trainer"
    assert me["timezone"] == "UTC"
    assert me["full_name"] is None
    _, by_email = _login(app, "alice@example.com", "alice-password-1")
    assert by_email.status_code == 200


def test_create_trainer_with_every_option(cli, app):
    result = cli(
        "create-trainer", *GOOD, "--full-name", "Alice Admin", "--timezone", "America/New_York", "--role", "admin"
    )
    assert result.exit_code == 0, result.output
    web, r = _login(app, "alice", "alice-password-1")
    assert r.status_code == 200
    me = web.get(ME).get_json()["data"]
    assert me["full_name"] == "Alice Admin"
    assert me["timezone"] == "America/New_York"
    assert me["role"] == "admin"


def test_create_trainer_password_stored_hashed(cli, app):
    assert cli("create-trainer", *GOOD).exit_code == 0
    with app.app_context():
        stored = db.session.execute(text("SELECT password_hash FROM trainers WHERE username = 'alice'")).scalar_one()
    assert stored.startswith("scrypt:")
    assert "alice-password-1" not in stored


def test_create_trainer_wrong_password_cannot_log_in(cli, app):
    assert cli("create-trainer", *GOOD).exit_code == 0
    _, r = _login(app, "alice", "not-alices-password")
    assert r.status_code == 401


@pytest.mark.parametrize(
    "args, message",
    [
        (["--username", "alice", "--email", "other@example.com"], "username"),
        (["--username", "ALICE", "--email", "other@example.com"], "username"),
        (["--username", "alice2", "--email", "alice@example.com"], "email"),
        (["--username", "alice2", "--email", "Alice@Example.com"], "email"),
    ],
)
def test_create_trainer_duplicate_refused(cli, app, args, message):
    assert cli("create-trainer", *GOOD).exit_code == 0
    result = cli("create-trainer", *args, "--password", "another-password-1")
    assert result.exit_code != 0
    assert f"A trainer with that {message} already exists" in result.output
    assert _count(app, "SELECT count(*) FROM trainers") == 1


@pytest.mark.parametrize(
    "override, option",
    [
        ({"--email": "not-an-email"}, "--email"),
        ({"--email": "alice@"}, "--email"),
        ({"--password": "short"}, "--password"),
        ({"--password": "1234567"}, "--password"),
        ({"--timezone": "Mars/Olympus_Mons"}, "--timezone"),
        ({"--timezone": "EST+5"}, "--timezone"),
        ({"--role": "superuser"}, "--role"),
        ({"--role": "Admin"}, "--role"),
        ({"--username": "has spaces"}, "--username"),
        ({"--username": ""}, "--username"),
    ],
)
def test_create_trainer_bad_input_refused(cli, app, override, option):
    options = dict(zip(GOOD[::2], GOOD[1::2])) | override
    args = [part for pair in options.items() for part in pair]
    result = cli("create-trainer", *args)
    assert result.exit_code != 0
    assert option in result.output
    assert _count(app, "SELECT count(*) FROM trainers") == 0


@pytest.mark.parametrize("missing", ["--username", "--email", "--password"])
def test_create_trainer_required_options(cli, app, missing):
    options = dict(zip(GOOD[::2], GOOD[1::2]))
    del options[missing]
    result = cli("create-trainer", *[part for pair in options.items() for part in pair])
    assert result.exit_code != 0
    assert missing in result.output
    assert _count(app, "SELECT count(*) FROM trainers") == 0


def test_create_trainer_brings_fresh_database_up_to_date(tmp_path, cli):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = cli("create-trainer", *GOOD, extra_env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert cli("db", "check", extra_env={"DATABASE_URL": url}).exit_code == 0


# --- db upgrade / check ---------------------------------------------------------------------------


def test_db_upgrade_is_idempotent(cli, app):
    for _ in range(2):
        result = cli("db", "upgrade")
        assert result.exit_code == 0, result.output
    check = cli("db", "check")
    assert check.exit_code == 0, check.output
    assert _count(app, "SELECT count(*) FROM trainers") == 0


def test_db_upgrade_keeps_data(cli, app, factory):
    factory.trainer(username="keeper")
    assert cli("db", "upgrade").exit_code == 0
    assert _count(app, "SELECT count(*) FROM trainers WHERE username = 'keeper'") == 1


def test_db_upgrade_on_empty_sqlite_file_then_check(tmp_path, cli):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    for _ in range(2):
        result = cli("db", "upgrade", extra_env={"DATABASE_URL": url})
        assert result.exit_code == 0, result.output
    result = cli("db", "check", extra_env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output


def test_db_check_passes(cli):
    result = cli("db", "check")
    assert result.exit_code == 0, result.output


def test_cli_keeps_generated_secret_key(cli, tmp_path):
    assert cli("db", "upgrade").exit_code == 0
    secret_file = tmp_path / "cli-instance" / "secret_key"
    first = secret_file.read_text()
    assert len(first.strip()) >= 32
    assert cli("db", "upgrade").exit_code == 0
    assert secret_file.read_text() == first


def test_bad_database_url_refused(cli):
    result = cli("db", "upgrade", extra_env={"DATABASE_URL": "mysql://root@localhost/x"}, catch=True)
    assert result.exit_code != 0
    assert "DATABASE_URL" in result.output + str(result.exception)


# --- seed-demo ------------------------------------------------------------------------------------


def _demo_counts(app: Flask) -> tuple[int, int, int]:
    return (
        _count(app, "SELECT count(*) FROM trainers WHERE username = 'demo'"),
        _count(app, "SELECT count(*) FROM clients c JOIN trainers t ON t.id = c.trainer_id WHERE t.username = 'demo'"),
        _count(
            app,
            "SELECT count(*) FROM training_sessions s JOIN trainers t ON t.id = s.trainer_id WHERE t.username = 'demo'",
        ),
    )


def test_seed_demo_creates_trainer_clients_sessions(cli, app):
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output
    assert "demo" in result.output
    trainers, clients, sessions = _demo_counts(app)
    assert trainers == 1
    assert clients >= 1
    assert sessions >= 1
    web, r = _login(app, "demo", "demo-trainer-1")
    assert r.status_code == 200
    listed = web.get(CLIENTS).get_json()["data"]
    assert listed["pagination"]["total_items"] == clients


def test_seed_demo_is_idempotent(cli, app):
    assert cli("seed-demo").exit_code == 0
    first = _demo_counts(app)
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output
    assert _demo_counts(app) == first
    assert _count(app, "SELECT count(*) FROM trainers") == 1


def test_seed_demo_sessions_do_not_overlap(cli, app):
    """Demo data must itself obey the calendar rule (no two occupying sessions overlap)."""
    assert cli("seed-demo").exit_code == 0
    overlapping = _count(
        app,
        "SELECT count(*) FROM training_sessions a JOIN training_sessions b "
        "ON a.trainer_id = b.trainer_id AND a.id < b.id "
        "AND a.status <> 'cancelled' AND b.status <> 'cancelled' "
        "AND a.scheduled_start < b.scheduled_end AND b.scheduled_start < a.scheduled_end",
    )
    assert overlapping == 0


def test_seed_demo_custom_password(cli, app):
    assert cli("seed-demo", "--password", "my-demo-pass-1").exit_code == 0
    assert _login(app, "demo", "my-demo-pass-1")[1].status_code == 200
    assert _login(app, "demo", "demo-trainer-1")[1].status_code == 401


# --- the installed command ------------------------------------------------------------------------


def test_console_script_installed():
    script = Path(sys.executable).parent / "mectofitness"
    assert script.exists()
    done = subprocess.run([str(script), "--help"], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for command in ("create-trainer", "db", "seed-demo", "serve"):
        assert command in done.stdout


def test_bad_database_url_is_a_clear_error_not_a_traceback(tmp_path):
    from click.testing import CliRunner

    from mectofitness.cli import main

    result = CliRunner().invoke(
        main, ["db", "upgrade"], env={"DATABASE_URL": "mysql://nobody@nowhere/db", "MECTO_INSTANCE_PATH": str(tmp_path)}
    )
    assert result.exit_code == 1
    assert "DATABASE_URL must be sqlite:///<path> or postgresql://" in result.output
    assert "Traceback" not in result.output


def test_bad_trusted_proxies_is_a_clear_error_not_a_traceback(tmp_path, cli):
    result = cli("db", "upgrade", extra_env={"MECTO_TRUSTED_PROXIES": "two"}, catch=True)
    assert result.exit_code == 1
    assert "MECTO_TRUSTED_PROXIES must be the number of proxies in front of the service" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("variable", ["MECTO_RATE_LIMIT_READS", "MECTO_RATE_LIMIT_WRITES"])
def test_serve_with_bad_rate_limit_stops_with_a_clear_error(cli, variable):
    result = cli("serve", "--port", "1", extra_env={variable: "100/fortnight"}, catch=True)
    assert result.exit_code == 1
    assert f"{variable} must be N/second, N/minute, N/hour or N/day" in result.output
    assert "'100/fortnight'" in result.output
    assert "Traceback" not in result.output


def test_serve_help_documents_redis_and_rate_limits(cli):
    result = cli("serve", "--help")
    for name in ("REDIS_URL", "MECTO_RATE_LIMIT_READS", "MECTO_RATE_LIMIT_WRITES", "600/minute", "120/minute"):
        assert name in result.output
