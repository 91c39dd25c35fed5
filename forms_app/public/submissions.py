"""Sealing and storing a submission: one transaction, nothing slower than a few inserts.

The sealed payload is JSON, encrypted to the intake public key with the submission id bound as
associated data (forms_app.crypto). The web process cannot open it; the processor opens it with
`read_sealed`. Its shape:

    {"format": "saferforms-submission-v1",
     "form": "asb-report", "form_version_id": "…", "language": "en",
     "submitted_at": "2026-03-05T21:41:07+00:00",
     "answers": {field_name: value, …},          # as docs/form-definitions.md, "Answers", describes
     "uploads": {upload_id: {"key": base64 AES-256 key, "content_type": …, "sha256": …}}}

A file answer lists {id, name, kind, size} records; the matching "uploads" entry holds the key
that decrypts the Upload row's content (see forms_app.public.uploads.read_upload).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from forms_app.crypto import crypto
from forms_app.definitions import FormDefinition
from forms_app.extensions import db
from forms_app.jobs import outbox
from forms_app.models import Channel, Submission, new_id, utcnow

from .drafts import OpenDraft, delete_draft
from .models import Upload
from .references import new_reference

log = logging.getLogger(__name__)

FORMAT = "saferforms-submission-v1"
OUTBOX_KIND = "process_submission"
REFERENCE_ATTEMPTS = 8


# Built once: the send is the public side's busiest write. A Core insert, because the ORM's unit
# of work for this one row cost more of the web's CPU than the statement itself.
_INSERT = insert(Submission.__table__)


class AlreadySent(Exception):
    """The draft was sent by another request first (a second click, another tab).

    Nothing more is stored: the report went in once, with the other request's reference.
    """


@dataclass(frozen=True)
class Stored:
    submission_id: str
    reference: str


def file_ids(answers: Mapping[str, Any]) -> list[str]:
    """Return the ids of every uploaded file the answers refer to (repeating pages included)."""
    found: list[str] = []

    def visit(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and set(item) >= {"id", "kind", "size"}:
                    found.append(str(item["id"]))
                else:
                    visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    visit(dict(answers))
    return found


def sealed_payload(
    form: FormDefinition,
    version_id: str,
    draft: OpenDraft,
    answers: Mapping[str, Any],
) -> bytes:
    uploads = {
        upload_id: draft.uploads[upload_id]
        for upload_id in file_ids(answers)
        if upload_id in draft.uploads
    }
    payload = {
        "format": FORMAT,
        "form": form.slug,
        "form_version_id": version_id,
        "language": draft.lang,
        "submitted_at": utcnow().isoformat(),
        "answers": answers,
        "uploads": uploads,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def store_submission(
    form: FormDefinition, version_id: str, draft: OpenDraft, answers: Mapping[str, Any]
) -> Stored:
    """Seal and store the submission, its outbox row and its files, and delete the draft.

    Everything happens in one transaction; a clash of references (rare: 40 random bits) rolls it
    back and tries again with a new one. Raise AlreadySent (having stored nothing) when another
    request sent the same draft first: deleting the draft is what claims it.
    """
    submission_id = new_id()
    sealed = crypto().seal_submission(
        submission_id, sealed_payload(form, version_id, draft, answers)
    )
    submitted_files = file_ids(answers)
    for _attempt in range(REFERENCE_ATTEMPTS):
        try:
            reference = _write(form, version_id, draft, submission_id, sealed, submitted_files)
        except AlreadySent:
            db.session.rollback()
            raise
        except IntegrityError:
            db.session.rollback()
            log.warning("submission reference clashed; trying another")
            continue
        return Stored(submission_id, reference)
    raise RuntimeError("could not find a free submission reference")


def _write(
    form: FormDefinition,
    version_id: str,
    draft: OpenDraft,
    submission_id: str,
    sealed: bytes,
    submitted_files: list[str],
) -> str:
    reference = new_reference(form.reference_prefix)
    # Table-level statements first: they need no flush of the objects added below.
    if not draft.is_new and not delete_draft(draft):
        raise AlreadySent
    if draft.uploads:
        uploads = Upload.__table__
        unsent = [upload_id for upload_id in draft.uploads if upload_id not in submitted_files]
        if unsent:
            db.session.execute(
                delete(uploads).where(uploads.c.id.in_(unsent), uploads.c.draft_id == draft.id)
            )
    db.session.execute(
        _INSERT,
        {
            "id": submission_id,
            "reference": reference,
            "form_version_id": version_id,
            "channel": Channel.PUBLIC,
            "sealed_answers": sealed,
        },
    )
    outbox.add(OUTBOX_KIND, submission_id=submission_id)
    if submitted_files:
        # The submission's files are kept with it (it exists now, for the foreign key).
        uploads = Upload.__table__
        db.session.execute(
            update(uploads)
            .where(uploads.c.id.in_(submitted_files), uploads.c.draft_id == draft.id)
            .values(submission_id=submission_id, draft_id=None)
        )
    db.session.commit()
    return reference


def discard_draft(draft: OpenDraft) -> None:
    """Delete a draft and its unsubmitted files (starting again, or a bot's submission)."""
    db.session.execute(
        delete(Upload).where(Upload.draft_id == draft.id, Upload.submission_id.is_(None)),
        execution_options={"synchronize_session": False},
    )
    if not draft.is_new:
        delete_draft(draft)
    db.session.commit()


def read_sealed(submission_id: str, sealed: bytes) -> dict[str, Any]:
    """Open a sealed submission (only where the intake private key is held: the processor)."""
    payload: dict[str, Any] = json.loads(crypto().unseal_submission(submission_id, sealed))
    if payload.get("format") != FORMAT:
        raise ValueError("not a sealed submission of a known format")
    return payload
