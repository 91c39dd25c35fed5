"""Drafts of public forms and the files uploaded into them.

Neither table holds anything readable: a draft's answers are encrypted under a key that lives
only in the user's cookie, and an upload's content under a per-upload key kept inside the draft
(and, once submitted, inside the sealed submission).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from forms_app.models.base import ID, Base, IdMixin, TimestampMixin, UTCDateTime, utcnow


class Draft(IdMixin, TimestampMixin, Base):
    """A journey through a public form, kept between pages."""

    __tablename__ = "draft"

    form_version_id: Mapped[str] = mapped_column(ForeignKey("form_version.id"), nullable=False)
    # nonce | AES-256-GCM ciphertext of the draft's JSON state, under the cookie's key.
    blob: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)


class Upload(IdMixin, TimestampMixin, Base):
    """One uploaded file, encrypted with a key of its own that this table never sees."""

    __tablename__ = "upload"

    # The draft it was uploaded into (no foreign key: the draft is deleted on submit).
    draft_id: Mapped[str | None] = mapped_column(ID, index=True)
    submission_id: Mapped[str | None] = mapped_column(
        ForeignKey("submission.id"), index=True, nullable=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    # nonce | AES-256-GCM ciphertext. An unsubmitted upload is deleted once its draft is gone.
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


__all__ = ["Draft", "Upload"]
