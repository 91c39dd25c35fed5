"""The pipeline's settings, read from the app's config with the environment as a fallback."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms_app.config import ConfigError, read_float, read_int

MODES = ("rq", "thread", "manual")


@dataclass(frozen=True)
class JobSettings:
    """How jobs run.

    mode: "rq" (REDIS_URL set: a relay enqueues rows and `saferforms worker` runs them),
    "thread" (no Redis: a thread in the web process runs them) or "manual" (tests drive the
    pipeline themselves).
    """

    mode: str
    redis_url: str | None
    max_attempts: int
    backoff_seconds: float
    backoff_max_seconds: float
    job_timeout: int
    queue_lease_seconds: float
    poll_seconds: float
    relay_batch: int

    @property
    def run_lease_seconds(self) -> float:
        # RQ stops a job at its timeout, so past this lease a claimed row has no live runner.
        return self.job_timeout + max(2.0, self.job_timeout * 0.2)


def _value(config: Mapping[str, Any], name: str) -> tuple[str, Any]:
    """The setting and the name to blame if it is wrong: the app's config, else the environment."""
    if name in config and config[name] is not None:
        return name, config[name]
    variable = f"SAFERFORMS_{name}"
    return variable, os.environ.get(variable)


def _int(config: Mapping[str, Any], name: str, default: int, unit: str) -> int:
    return read_int(*_value(config, name), default, unit=unit, at_least=1)


def _float(
    config: Mapping[str, Any], name: str, default: float, unit: str, *, above_zero: bool = False
) -> float:
    return read_float(*_value(config, name), default, unit=unit, above_zero=above_zero)


def job_settings(config: Mapping[str, Any]) -> JobSettings:
    redis_url = config.get("REDIS_URL") or None
    default_mode = "rq" if redis_url else ("manual" if config.get("TESTING") else "thread")
    variable, value = _value(config, "JOBS_MODE")
    mode = str(value or default_mode)
    if mode not in MODES:
        raise ConfigError(
            f"Safer Forms cannot start: {variable}={mode!r} is not one of {', '.join(MODES)}."
        )
    if mode == "rq" and not redis_url:
        raise ConfigError(f"Safer Forms cannot start: {variable}='rq' needs REDIS_URL.")
    return JobSettings(
        mode=mode,
        redis_url=redis_url,
        max_attempts=_int(config, "JOBS_MAX_ATTEMPTS", 8, "attempts"),
        backoff_seconds=_float(config, "JOBS_BACKOFF_SECONDS", 15, "seconds"),
        backoff_max_seconds=_float(config, "JOBS_BACKOFF_MAX_SECONDS", 3600, "seconds"),
        job_timeout=_int(config, "JOBS_TIMEOUT", 180, "seconds"),
        queue_lease_seconds=_float(
            config, "JOBS_QUEUE_LEASE_SECONDS", 120, "seconds", above_zero=True
        ),
        poll_seconds=_float(config, "JOBS_POLL_SECONDS", 2, "seconds", above_zero=True),
        relay_batch=_int(config, "JOBS_RELAY_BATCH", 500, "rows"),
    )
