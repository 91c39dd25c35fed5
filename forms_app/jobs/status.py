"""What administrators see of the pipeline: the backlog, failed jobs, and retrying one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from forms_app.models import Outbox, OutboxState, Submission, SubmissionStatus, utcnow

from .outbox import mark_added


@dataclass(frozen=True)
class PipelineStatus:
    outbox_backlog: int
    outbox_failed: int
    oldest_unprocessed_submission_seconds: float | None
    submissions_failed: int


def pipeline_status(session: Session) -> PipelineStatus:
    counts = dict(session.execute(select(Outbox.state, func.count()).group_by(Outbox.state)).all())
    oldest = session.scalar(
        select(func.min(Submission.received_at)).where(
            Submission.status == SubmissionStatus.RECEIVED
        )
    )
    failed_submissions = session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.status == SubmissionStatus.FAILED)
    )
    age = None
    if oldest is not None:
        if isinstance(oldest, str):  # SQLite returns min() of a datetime column as text
            oldest = datetime.fromisoformat(oldest)
        if oldest.tzinfo is None:
            from datetime import UTC

            oldest = oldest.replace(tzinfo=UTC)
        age = round(max(0.0, (utcnow() - oldest).total_seconds()), 1)
    return PipelineStatus(
        outbox_backlog=counts.get(OutboxState.PENDING, 0) + counts.get(OutboxState.ENQUEUED, 0),
        outbox_failed=counts.get(OutboxState.FAILED, 0),
        oldest_unprocessed_submission_seconds=age,
        submissions_failed=failed_submissions or 0,
    )


def failed_rows(session: Session) -> list[Outbox]:
    return list(
        session.scalars(
            select(Outbox).where(Outbox.state == OutboxState.FAILED).order_by(Outbox.created_at)
        )
    )


def retry(session: Session, outbox_id: str) -> bool:
    """Put a failed row back to pending with fresh attempts; the caller commits."""
    changed = session.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id, Outbox.state == OutboxState.FAILED)
        .values(state=OutboxState.PENDING, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if changed:
        mark_added(outbox_id)
    return bool(changed)
