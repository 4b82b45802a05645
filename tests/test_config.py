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
