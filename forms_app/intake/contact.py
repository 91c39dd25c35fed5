"""The reporter's e-mail address, read from the sealed submission when a message is sent.

The address never travels through Redis or an outbox payload: the job that sends the
acknowledgement opens the submission by id, takes the address, and forgets it.
"""

from __future__ import annotations

from typing import Any, Protocol

from forms_app.public.submissions import read_sealed

from .forms import definition_for


class SealedSubmission(Protocol):
    """What is read of a submission to find the address: a Submission, or a row of its columns."""

    @property
    def id(self) -> str: ...
    @property
    def sealed_answers(self) -> bytes: ...
    @property
    def form_version_id(self) -> str: ...


def reporter_email(submission: SealedSubmission) -> str | None:
    """The address to acknowledge the report to, or None (anonymous, or no address given)."""
    payload = read_sealed(submission.id, submission.sealed_answers)
    answers: dict[str, Any] = payload.get("answers") or {}
    if answers.get("report_anonymously") == "yes":
        return None
    form = definition_for(submission.form_version_id)
    for field in form.fields():
        if field.type != "email" or field.name is None:
            continue
        if form.page_of(field.name).repeat is not None:
            continue  # an address given for someone else (a witness, a person responsible)
        value = answers.get(field.name)
        if isinstance(value, str) and "@" in value:
            return value.strip()
    return None
