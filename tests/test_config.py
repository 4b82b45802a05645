"""Settings read from the environment (contract §7 and §10): values, and the refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from mectofitness.config import ConfigError, Settings


def _from_env(tmp_path: Path, **env: str) -> Settings:
    base = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k" * 40}
    return Settings.from_env(tmp_path, base | env)


@pytest.mark.parametrize("value, hops", [(None, 0), ("", 0), ("0", 0), ("1", 1), (" 2 ", 2)])
def test_trusted_proxies_read_from_env(tmp_path, value, hops):
    env = {} if value is None else {"MECTO_TRUSTED_PROXIES": value}
    assert _from_env(tmp_path, **env).trusted_proxies == hops


@pytest.mark.parametrize("value", ["-1", "1.5", "one", "yes", "1,2", "²"])
def test_trusted_proxies_bad_value_is_a_config_error(tmp_path, value):
    with pytest.raises(ConfigError, match="MECTO_TRUSTED_PROXIES must be the number of proxies"):
        _from_env(tmp_path, MECTO_TRUSTED_PROXIES=value)


@pytest.mark.parametrize(
    "value, limit",
    [(None, "default"), ("600/minute", "600/minute"), (" 5 / Second ", "5/second"), ("1/hour", "1/hour"),
     ("100000/day", "100000/day"), ("off", None), ("OFF", None)],
)
def test_rate_limits_read_from_env(tmp_path, value, limit):
    for variable, field, default in (("MECTO_RATE_LIMIT_READS", "rate_limit_reads", "600/minute"),
                                     ("MECTO_RATE_LIMIT_WRITES", "rate_limit_writes", "120/minute")):
        env = {} if value is None else {variable: value}
        assert getattr(_from_env(tmp_path, **env), field) == (default if limit == "default" else limit)


@pytest.mark.parametrize("value", ["", "lots", "0/minute", "-1/minute", "10", "10/minutes", "10/week", "10 per minute",
                                   "1.5/second", "10/minute;5/second", "１０/minute"])
@pytest.mark.parametrize("variable", ["MECTO_RATE_LIMIT_READS", "MECTO_RATE_LIMIT_WRITES"])
def test_rate_limit_bad_value_is_a_config_error(tmp_path, variable, value):
    with pytest.raises(ConfigError, match=f"{variable} must be N/second, N/minute, N/hour or N/day"):
        _from_env(tmp_path, **{variable: value})


def test_rate_limit_bad_value_stops_create_app(tmp_path, monkeypatch):
    from mectofitness import create_app

    monkeypatch.setenv("MECTO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("MECTO_RATE_LIMIT_WRITES", "lots")
    with pytest.raises(ConfigError, match="MECTO_RATE_LIMIT_WRITES must be"):
        create_app()


def test_redis_url_read_from_env_and_checked(tmp_path):
    assert _from_env(tmp_path).redis_url is None
    assert _from_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0").redis_url == "redis://127.0.0.1:6379/0"
    with pytest.raises(ConfigError, match="REDIS_URL must be redis://"):
        _from_env(tmp_path, REDIS_URL="127.0.0.1:6379")
