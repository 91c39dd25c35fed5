"""Tables that belong to duplicate checking: trained models and import decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forms_app.models.base import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow


class DedupeModel(IdMixin, TimestampMixin, Base):
    """Parameters trained by `saferforms dedupe train`; the newest row is the one in use.

    Holds probabilities and counts only, never personal data.
    """

    __tablename__ = "dedupe_model"

    parameters: Mapped[str] = mapped_column(Text, nullable=False)
    persons: Mapped[int] = mapped_column(Integer, nullable=False)
    candidate_pairs: Mapped[int] = mapped_column(Integer, nullable=False)


class ImportDecision(Base):
    """What the import decided for a person record it created, so a re-import reports the same."""

    __tablename__ = "import_decision"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), primary_key=True)
    decision: Mapped[str] = mapped_column(String(10), nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


__all__ = ["DedupeModel", "ImportDecision"]
