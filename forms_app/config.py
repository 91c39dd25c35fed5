"""Configuration classes, chosen by SAFERFORMS_ENV (development, test, production).

Each class reads the environment when it is instantiated (so tests can set variables first)
and holds no secrets of its own.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from notifications import DEFAULT_SMTP_PORT, DEFAULT_TIMEOUT_SECONDS

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class ConfigError(RuntimeError, click.ClickException):
    """The configuration cannot start the service; the message says what is wrong.

    It is a ClickException so that `saferforms` prints the message alone, not a traceback.
    """

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)
        click.ClickException.__init__(self, message)


def _unset(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _invalid(name: str, value: object, expected: str) -> ConfigError:
    return ConfigError(f"Safer Forms cannot start: {name}={value!r} is not valid: {expected}.")


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    # A typo must not quietly switch a security setting off.
    raise _invalid(name, value, "use true or false")


def read_int(
    name: str, value: object, default: int, *, unit: str, at_least: int, at_most: int | None = None
) -> int:
    """`value` as a whole number of `unit` (none if empty), `at_least` or more and, if given,
    `at_most` or fewer; unset gives `default`.

    The error names `name`, the variable the operator sets.
    """
    if _unset(value):
        return default
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if number is None or number < at_least or (at_most is not None and number > at_most):
        wanted = f"a whole number of {unit}" if unit else "a whole number"
        wanted += f", {at_least} or more" if at_most is None else f" from {at_least} to {at_most}"
        raise _invalid(name, value, f"it must be {wanted}")
    return number


def read_float(
    name: str, value: object, default: float, *, unit: str, above_zero: bool = False
) -> float:
    """`value` as a number of `unit`, 0 or more (above 0 with `above_zero`)."""
    if _unset(value):
        return default
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or number < 0 or (above_zero and number == 0):
        bound = "above 0" if above_zero else "0 or more"
        raise _invalid(name, value, f"it must be a number of {unit}, {bound}")
    return number


def _int(
    env: Mapping[str, str],
    name: str,
    default: int,
    unit: str,
    *,
    at_least: int,
    at_most: int | None = None,
) -> int:
    return read_int(name, env.get(name), default, unit=unit, at_least=at_least, at_most=at_most)


def _float(
    env: Mapping[str, str], name: str, default: float, unit: str, *, above_zero: bool = False
) -> float:
    return read_float(name, env.get(name), default, unit=unit, above_zero=above_zero)


class Config:
    ENV_NAME = "base"
    TESTING = False
    DEFAULT_KEY_PROVIDER = "local"
    DEFAULT_REQUIRE_TOTP = False
    DEFAULT_SECURE_COOKIES = True

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.INSTANCE_DIR = Path(env.get("SAFERFORMS_INSTANCE", "instance")).resolve()
        self.SECRET_KEY = env.get("SECRET_KEY")
        self.SQLALCHEMY_DATABASE_URI = env.get("DATABASE_URL") or self.default_database_url()
        # Connections are checked before use only after sitting idle (forms_app.pooling).
        self.SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
        self.REDIS_URL = env.get("REDIS_URL") or None
        self.FORMS_DIR = Path(env.get("SAFERFORMS_FORMS_DIR", "form_definitions")).resolve()
        # Where keys come from: "local" (generated once into the instance folder) or "env".
        self.KEY_PROVIDER = env.get("SAFERFORMS_KEY_PROVIDER", self.DEFAULT_KEY_PROVIDER)
        self.PARTNERSHIP_NAME = env.get("SAFERFORMS_PARTNERSHIP_NAME", "Safer Forms")
        self.BASE_URL = env.get("SAFERFORMS_BASE_URL", "http://127.0.0.1:5000").rstrip("/")

        # Staff sessions live server-side; the cookie holds only a random id.
        self.SESSION_COOKIE_NAME = "sf_session"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool(
            env, "SESSION_COOKIE_SECURE", self.DEFAULT_SECURE_COOKIES
        )
        self.STAFF_IDLE_TIMEOUT = timedelta(
            minutes=_int(env, "STAFF_IDLE_MINUTES", 30, "minutes", at_least=1)
        )
        self.STAFF_ABSOLUTE_TIMEOUT = timedelta(
            hours=_int(env, "STAFF_ABSOLUTE_HOURS", 10, "hours", at_least=1)
        )
        self.REQUIRE_TOTP = _bool(env, "SAFERFORMS_REQUIRE_TOTP", self.DEFAULT_REQUIRE_TOTP)

        # Pages that ask for files accept what their questions allow (forms_app/public/limits.py).
        self.MAX_CONTENT_LENGTH = _int(
            env, "SAFERFORMS_MAX_REQUEST_BYTES", 4 * 1024 * 1024, "bytes", at_least=1
        )
        self.RATELIMIT_STORAGE_URI = (
            env.get("RATELIMIT_STORAGE_URI") or self.REDIS_URL or "memory://"
        )
        self.RATELIMIT_STRATEGY = "sliding-window-counter"
        self.RATELIMIT_HEADERS_ENABLED = True
        # A Redis outage must never turn public pages into errors: fall back to memory.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        # Nor may a failure of the limiter's own storage. The in-memory storage (the fallback, and
        # the default without Redis) can fail to start its expiry timer when two threads race to
        # start it (limits issue 26): the request is then served without counting it, and the
        # error is logged, rather than answered with a 500. Sign-in still has its lock-out counter.
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
        self.LOGIN_LIMIT_PER_ADDRESS = env.get(
            "SAFERFORMS_LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes"
        )
        self.LOGIN_LIMIT_PER_ACCOUNT = env.get(
            "SAFERFORMS_LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"
        )

        # Public forms: how long a draft is kept after the user's last change (a sliding window),
        # and the rate limits on page posts and submissions per client address.
        self.DRAFT_RESUME_HOURS = _float(
            env, "SAFERFORMS_DRAFT_RESUME_HOURS", 24.0, "hours", above_zero=True
        )
        self.FORM_PAGE_LIMIT = env.get("SAFERFORMS_FORM_PAGE_LIMIT", "120 per minute")
        self.FORM_SUBMIT_LIMIT = env.get("SAFERFORMS_FORM_SUBMIT_LIMIT", "30 per hour")

        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        # Flask-WTF's strict mode needs a Referer on HTTPS posts, which Referrer-Policy:
        # no-referrer never sends; the token and SameSite cookies are the protection.
        self.WTF_CSRF_SSL_STRICT = False
        self.LOGIN_LOCKOUT_ATTEMPTS = _int(
            env, "SAFERFORMS_LOGIN_LOCKOUT_ATTEMPTS", 10, "failed sign-ins", at_least=1
        )
        self.LOGIN_LOCKOUT_DURATION = timedelta(
            minutes=_int(env, "SAFERFORMS_LOGIN_LOCKOUT_MINUTES", 15, "minutes", at_least=1)
        )
        # How long a password-only session may wait for its second factor.
        self.STAFF_PENDING_TIMEOUT = timedelta(minutes=5)
        self.STAFF_SESSION_COOKIE_NAME = "sf_staff"
        # How many proxies in front of the service set X-Forwarded-For (0: none, trust nothing).
        self.PROXY_HOPS = _int(env, "SAFERFORMS_PROXY_HOPS", 0, "proxies", at_least=0)
        self.HSTS_SECONDS = 31536000
        # The other MAIL_*, NOTIFY_* and SAFERFORMS_JOBS_* settings: docs/pipeline.md.
        self.MAIL_TRANSPORT = env.get("MAIL_TRANSPORT") or env.get(
            "SAFERFORMS_MAIL_TRANSPORT", "file"
        )
        # Checked here, not at the first send, where a bad value would only fail job after job.
        self.MAIL_SMTP_PORT = _int(
            env, "MAIL_SMTP_PORT", DEFAULT_SMTP_PORT, "", at_least=1, at_most=65535
        )
        self.MAIL_SMTP_TIMEOUT = _float(
            env, "MAIL_SMTP_TIMEOUT", DEFAULT_TIMEOUT_SECONDS, "seconds", above_zero=True
        )
        self.NOTIFY_TIMEOUT = _float(
            env, "NOTIFY_TIMEOUT", DEFAULT_TIMEOUT_SECONDS, "seconds", above_zero=True
        )
        self._env = env

    def default_database_url(self) -> str | None:
        return None

    def validate(self) -> None:
        """Refuse to start when something essential is missing."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEFAULT_SECURE_COOKIES = False

    def default_database_url(self) -> str:
        return f"sqlite:///{self.INSTANCE_DIR / 'saferforms.db'}"


class TestConfig(DevelopmentConfig):
    ENV_NAME = "test"
    TESTING = True


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEFAULT_KEY_PROVIDER = "env"
    DEFAULT_REQUIRE_TOTP = True

    def validate(self) -> None:
        from forms_app.crypto.providers import EnvKeyProvider

        missing = [name for name in ("DATABASE_URL", "SECRET_KEY") if not self._env.get(name)]
        missing += EnvKeyProvider.missing_variables(self._env)
        problems = ["set " + ", ".join(missing)] if missing else []
        if self.KEY_PROVIDER != "env":
            # Local keys sit beside the web process in the instance folder, intake private key
            # included, which would undo keeping that key on the workers only.
            problems.append(
                f"SAFERFORMS_KEY_PROVIDER={self.KEY_PROVIDER!r} is not allowed: production keys "
                "come from the environment, so set it to 'env' or leave it unset"
            )
        if not self.REQUIRE_TOTP:
            problems.append(
                "SAFERFORMS_REQUIRE_TOTP is off: staff must use a second factor in production, "
                "so set it to true or leave it unset"
            )
        if not self.SESSION_COOKIE_SECURE:
            problems.append(
                "SESSION_COOKIE_SECURE is off: production is served over HTTPS only and its "
                "cookies must say so, so set it to true or leave it unset"
            )
        if problems:
            raise ConfigError(
                "Safer Forms cannot start in production: "
                + "; ".join(problems)
                + " (see README.md, Configuration)."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None, env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    name = (name or env.get("SAFERFORMS_ENV") or "development").lower()
    try:
        cls = CONFIGS[name]
    except KeyError:
        raise ConfigError(
            f"Safer Forms cannot start: SAFERFORMS_ENV={name!r} is not one of"
            f" {', '.join(sorted(CONFIGS))}."
        ) from None
    return cls(env)
