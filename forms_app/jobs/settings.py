"""The pipeline's settings, read from the app's config with the environment as a fallback."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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


def _value(config: Mapping[str, Any], name: str, default: Any) -> Any:
    if name in config and config[name] is not None:
        return config[name]
    return os.environ.get(f"SAFERFORMS_{name}", default)


def job_settings(config: Mapping[str, Any]) -> JobSettings:
    redis_url = config.get("REDIS_URL") or None
    default_mode = "rq" if redis_url else ("manual" if config.get("TESTING") else "thread")
    mode = str(_value(config, "JOBS_MODE", default_mode))
    if mode not in MODES:
        raise ValueError(f"JOBS_MODE={mode!r} is not one of {', '.join(MODES)}")
    if mode == "rq" and not redis_url:
        raise ValueError("JOBS_MODE='rq' needs REDIS_URL")
    return JobSettings(
        mode=mode,
        redis_url=redis_url,
        max_attempts=int(_value(config, "JOBS_MAX_ATTEMPTS", 8)),
        backoff_seconds=float(_value(config, "JOBS_BACKOFF_SECONDS", 15)),
        backoff_max_seconds=float(_value(config, "JOBS_BACKOFF_MAX_SECONDS", 3600)),
        job_timeout=int(_value(config, "JOBS_TIMEOUT", 180)),
        queue_lease_seconds=float(_value(config, "JOBS_QUEUE_LEASE_SECONDS", 120)),
        poll_seconds=float(_value(config, "JOBS_POLL_SECONDS", 2)),
        relay_batch=int(_value(config, "JOBS_RELAY_BATCH", 500)),
    )
