"""Typed settings, read once from the environment. Nobody else reads os.environ."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment asks for something unsafe or malformed; refuse to start."""


def normalize_database_url(url: str) -> str:
    """Map the contract's plain ``postgresql://`` URLs onto the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith(("postgresql+psycopg://", "sqlite:///")):
        return url
    raise ConfigError(
        "DATABASE_URL must be sqlite:///<path> or postgresql://user@host:port/db"
    )


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str
    secure_cookies: bool = False
    trusted_origins: tuple[str, ...] = ()
    log_level: str = "INFO"
    # scrypt parameters as werkzeug spells them; tests may lower the cost.
    password_hash_method: str = "scrypt"
    # Failed logins (contract §15): per account from one address, and per account from all.
    login_max_failures: int = 10
    login_failure_window_seconds: int = 15 * 60
    login_account_max_failures: int = 100
    login_account_window_seconds: int = 60 * 60
    # Proxy hops whose X-Forwarded-For is believed (contract §10); 0: the peer's own address.
    trusted_proxies: int = 0
    login_session_days: int = 14
    # Rate limits (contract §10): "N/second|minute|hour|day", or None for off.
    rate_limit_reads: str | None = "600/minute"
    rate_limit_writes: str | None = "120/minute"
    # Where the counts live: one Redis for every process, or (None) each process's memory.
    redis_url: str | None = None
    # Prefix of the counters' keys in Redis: deployments (or test runs) sharing one apart.
    rate_limit_key_prefix: str = "mecto"

    def __post_init__(self) -> None:
        # Settings made in code (tests, create_app overrides) are held to the same rules.
        for name, variable in (("rate_limit_reads", "MECTO_RATE_LIMIT_READS"),
                               ("rate_limit_writes", "MECTO_RATE_LIMIT_WRITES")):
            value = getattr(self, name)
            object.__setattr__(self, name, None if value is None else rate_limit(variable, value))
        if self.redis_url is not None and not self.redis_url.startswith(REDIS_SCHEMES):
            raise ConfigError(f"REDIS_URL must be redis://host:port[/db] (or rediss://, redis+unix://), "
                              f"not {self.redis_url!r}")

    @classmethod
    def from_env(cls, instance_path: Path, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        instance_path = Path(env.get("MECTO_INSTANCE_PATH") or instance_path)
        production = env.get("MECTO_ENV", "").lower() == "production"
        raw_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'mectofitness.db'}"
        secret = env.get("SECRET_KEY", "")
        if production and (len(secret) < 32 or secret in {"changeme", "secret", "dev"}):
            raise ConfigError("MECTO_ENV=production needs a SECRET_KEY of at least 32 random characters")
        if not secret:
            secret = _kept_secret(instance_path)
        origins = tuple(
            o.strip().rstrip("/") for o in env.get("MECTO_TRUSTED_ORIGINS", "").split(",") if o.strip()
        )
        return cls(
            instance_path=instance_path,
            database_url=normalize_database_url(raw_url),
            secret_key=secret,
            secure_cookies=_flag(env.get("MECTO_SECURE_COOKIES", "1" if production else "0")),
            trusted_origins=origins,
            log_level=env.get("MECTO_LOG_LEVEL", "INFO").upper(),
            trusted_proxies=_proxy_hops(env.get("MECTO_TRUSTED_PROXIES", "")),
            rate_limit_reads=rate_limit("MECTO_RATE_LIMIT_READS", env.get("MECTO_RATE_LIMIT_READS", "600/minute")),
            rate_limit_writes=rate_limit("MECTO_RATE_LIMIT_WRITES", env.get("MECTO_RATE_LIMIT_WRITES", "120/minute")),
            redis_url=env.get("REDIS_URL", "").strip() or None,
            rate_limit_key_prefix=env.get("MECTO_RATE_LIMIT_KEY_PREFIX", "").strip() or "mecto",
        )


REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
_RATE = re.compile(r"(\d+)\s*/\s*(second|minute|hour|day)", re.ASCII)


def rate_limit(variable: str, value: str) -> str | None:
    """A rate limit as the contract spells it, ``N/second|minute|hour|day`` (N at least 1),
    normalized; None for ``off``. Anything else stops the server with a message."""
    text = value.strip().lower()
    if text == "off":
        return None
    match = _RATE.fullmatch(text)
    if not match or int(match.group(1)) < 1:
        raise ConfigError(
            f"{variable} must be N/second, N/minute, N/hour or N/day with N at least 1 "
            f"(e.g. 600/minute), or off; not {value!r}"
        )
    return f"{int(match.group(1))}/{match.group(2)}"


def _proxy_hops(value: str) -> int:
    text = value.strip() or "0"
    if not (text.isascii() and text.isdigit()):
        raise ConfigError(
            f"MECTO_TRUSTED_PROXIES must be the number of proxies in front of the service "
            f"(0 or more, e.g. 1), not {value!r}"
        )
    return int(text)


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _kept_secret(instance_path: Path) -> str:
    """The embedded default: generate a secret once and keep it beside the database."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    if not path.exists():
        tmp = instance_path / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:  # link is atomic: concurrent first starts agree on one secret
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
