"""Form versions and the submissions made with them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forms_app.crypto import Encrypted

from .base import ID, Base, IdMixin, TimestampMixin, UTCDateTime, utcnow


class FormVersion(IdMixin, TimestampMixin, Base):
    """One distinct content of a form definition, recorded once."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("slug", "content_hash"),)

    slug: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    source_yaml: Mapped[str] = mapped_column(Text, nullable=False)


class Channel(enum.StrEnum):
    PUBLIC = "public"
    REFERRAL = "referral"
    PORTAL = "portal"
    API = "api"
    IMPORT = "import"


class SubmissionStatus(enum.StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"


def _enum(cls: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class Submission(IdMixin, Base):
    """A submission, sealed to the intake public key on arrival."""

    __tablename__ = "submission"

    reference: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    form_version_id: Mapped[str] = mapped_column(ForeignKey("form_version.id"), nullable=False)
    channel: Mapped[Channel] = mapped_column(_enum(Channel), nullable=False)
    sealed_answers: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    status: Mapped[SubmissionStatus] = mapped_column(
        _enum(SubmissionStatus), default=SubmissionStatus.RECEIVED, nullable=False, index=True
    )
    risk_score: Mapped[int | None] = mapped_column(Integer)
    risk_level: Mapped[str | None] = mapped_column(String(20))
    # Encrypted: a practitioner's professional-judgement reason is free text and may name people.
    risk_reasons_enc: Mapped[bytes | None] = mapped_column("risk_reasons", LargeBinary)
    risk_reasons = Encrypted[list[str]]("json")
    risk_flags: Mapped[list[str] | None] = mapped_column(JSON)
    risk_instrument: Mapped[str | None] = mapped_column(String(120))
    risk_instrument_version: Mapped[str | None] = mapped_column(String(40))
    # When the report was made: kept as given on import, so retention counts from it.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # An error class and message for administrators; never a value from the answers.
    last_error: Mapped[str | None] = mapped_column(Text)
    processing_meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    form_version: Mapped[FormVersion] = relationship()


__all__ = ["ID", "Channel", "FormVersion", "Submission", "SubmissionStatus"]
