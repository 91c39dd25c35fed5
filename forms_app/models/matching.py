"""Possible duplicates awaiting a person's decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import ID, Base, IdMixin, TimestampMixin, UTCDateTime


class MatchReview(IdMixin, TimestampMixin, Base):
    __tablename__ = "match_review"
    __table_args__ = (UniqueConstraint("person_id", "candidate_id"),)

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    candidate_id: Mapped[str] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    # Which fields agreed or disagreed, with weights: field names and numbers, never values.
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="pending", nullable=False, index=True)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


__all__ = ["ID", "MatchReview"]
