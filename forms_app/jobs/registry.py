"""The job registry: which plain function runs each kind of outbox row, on which queue.

Functions are named by import path and loaded when first run, so the registry can name jobs of
packages that are imported only by workers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import queues


@dataclass(frozen=True)
class JobSpec:
    kind: str
    target: str  # "package.module:function", called with the row's payload as keyword ids
    queue: str
    # Called with the payload ids and `error=` in the transaction that marks the row failed.
    on_failure: str | None = None

    def function(self) -> Callable[..., Any]:
        return _resolve(self.target)

    def failure_hook(self) -> Callable[..., Any] | None:
        return _resolve(self.on_failure) if self.on_failure else None


JOBS: dict[str, JobSpec] = {
    spec.kind: spec
    for spec in (
        JobSpec(
            "process_submission",
            "forms_app.intake.processor:process_submission",
            queues.INTAKE,
            on_failure="forms_app.intake.processor:mark_submission_failed",
        ),
        JobSpec(
            "notify_team_new_case", "notifications.jobs:notify_team_new_case", queues.NOTIFICATIONS
        ),
        JobSpec(
            "notify_team_risk_raised",
            "notifications.jobs:notify_team_risk_raised",
            queues.NOTIFICATIONS,
        ),
        JobSpec(
            "acknowledge_reporter", "notifications.jobs:acknowledge_reporter", queues.NOTIFICATIONS
        ),
    )
}


class UnknownJobKind(LookupError):
    pass


def spec_for(kind: str) -> JobSpec:
    try:
        return JOBS[kind]
    except KeyError:
        raise UnknownJobKind(f"no job is registered for the kind {kind!r}") from None


def register(spec: JobSpec) -> None:
    """Add a kind (for extensions); registering the same kind twice is a mistake."""
    if spec.kind in JOBS and JOBS[spec.kind] != spec:
        raise ValueError(f"the job kind {spec.kind!r} is already registered")
    if spec.queue not in queues.ALL_QUEUES:
        raise ValueError(f"{spec.queue!r} is not a queue the worker listens to")
    JOBS[spec.kind] = spec


def _resolve(target: str) -> Callable[..., Any]:
    module_name, _, attribute = target.partition(":")
    function = getattr(importlib.import_module(module_name), attribute)
    if not callable(function):
        raise TypeError(f"{target} is not callable")
    return function  # type: ignore[no-any-return]
