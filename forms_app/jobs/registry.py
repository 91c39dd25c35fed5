"""The job registry: which plain function runs each kind of outbox row, on which queue.

Functions are named by import path, so the registry can name jobs of packages that only
workers import. A worker loads them all as it starts (`load_all`), so a job that cannot be
loaded stops it there, and its first report does not wait while the code is imported.
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


class JobNotLoadable(RuntimeError):
    pass


def load_all() -> None:
    """Import every registered job function and failure hook; raise JobNotLoadable if one fails."""
    for spec in list(JOBS.values()):
        for target in (spec.target, spec.on_failure):
            if target is None:
                continue
            try:
                _resolve(target)
            except (ImportError, AttributeError, TypeError, ValueError) as error:
                raise JobNotLoadable(
                    f"the job {spec.kind!r} names {target}, which cannot be loaded: {error}"
                ) from error


def _resolve(target: str) -> Callable[..., Any]:
    module_name, _, attribute = target.partition(":")
    function = getattr(importlib.import_module(module_name), attribute)
    if not callable(function):
        raise TypeError(f"{target} is not callable")
    return function  # type: ignore[no-any-return]
