"""What intake records beside the case: each report's links (the history index) and each
risk assessment made of a case. Ids, dates and levels in the clear; an assessment's reasons are
encrypted, since a professional-judgement reason is free text."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from forms_app.crypto import Encrypted
from forms_app.models.base import Base, IdMixin, TimestampMixin, UTCDateTime


class CaseReport(IdMixin, TimestampMixin, Base):
    """A report (submission) on a case: the one that opened it, or a related report.

    It keeps who and where the report was about as record ids, so later reports find their
    history with indexed lookups instead of opening sealed submissions.
    """

    __tablename__ = "case_report"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id"), nullable=False, unique=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # "original" or "related"
    victim_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    reporter_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    home_address_id: Mapped[str | None] = mapped_column(ForeignKey("address.id"), index=True)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("address.id"), index=True)
    # The answer that names the problem (an option value such as "personal"), for related reports.
    problem: Mapped[str | None] = mapped_column(String(120))
    hate: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    incident_date: Mapped[date | None] = mapped_column(Date)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class CaseAssessment(IdMixin, TimestampMixin, Base):
    """One risk assessment of a case: when it opened, and each re-assessment after."""

    __tablename__ = "case_assessment"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    # The report whose arrival caused this assessment.
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"), nullable=False)
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    level: Mapped[str] = mapped_column(String(20), nullable=False)
    reasons_enc: Mapped[bytes] = mapped_column("reasons", LargeBinary, nullable=False)
    reasons = Encrypted[list[str]]("json")
    flags: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    instrument: Mapped[str] = mapped_column(String(120), nullable=False)
    version: Mapped[str] = mapped_column(String(40), nullable=False)
    history_size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)


__all__ = ["CaseAssessment", "CaseReport"]
