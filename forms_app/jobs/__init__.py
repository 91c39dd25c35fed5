"""Background jobs: the transactional outbox, its relay to RQ, and the in-process runner.

Callers write work to do with `outbox.add(kind, **ids)` inside their own transaction. After the
commit the job starts: relayed to Redis (REDIS_URL set, run by `saferforms worker`) or run by a
thread in the web process (the embedded default). Job functions are plain functions of ids,
named in `registry.JOBS`. See docs/pipeline.md.
"""

from __future__ import annotations

# The pipeline's own tables (inbox, deliveries, case reports and assessments): import them so
# the metadata has them wherever the app does.
import forms_app.intake.models  # noqa: F401
import notifications.models  # noqa: F401

from . import outbox, queues
from .dispatch import init_app
from .errors import JobError, PermanentJobError, RetryableJobError
from .registry import JOBS, JobSpec
from .runner import run_due, run_outbox

__all__ = [
    "JOBS",
    "JobError",
    "JobSpec",
    "PermanentJobError",
    "RetryableJobError",
    "init_app",
    "outbox",
    "queues",
    "run_due",
    "run_outbox",
]
