"""Tables that belong to duplicate checking: trained models, import decisions, profiles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forms_app.crypto import Encrypted
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
    # A keyed hash (blind-index key, 128 bits) of the row's values as imported, so that a row
    # imported again with other values is noticed; None for rows imported before 0011.
    row_digest: Mapped[bytes | None] = mapped_column(LargeBinary, index=True)


class MatchProfile(IdMixin, Base):
    """A person record normalised for matching (with one of its addresses), encrypted.

    Derived from the record's own fields by dedupe, so that a lookup decrypts one value per
    candidate and skips normalising it again. ``version`` is dedupe's PROFILE_VERSION: a
    profile of another version is ignored and the fields are read instead.
    """

    __tablename__ = "match_profile"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    address_id: Mapped[str | None] = mapped_column(ForeignKey("address.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    profile_enc: Mapped[bytes] = mapped_column("profile", LargeBinary, nullable=False)
    profile = Encrypted[str]()


__all__ = ["DedupeModel", "ImportDecision", "MatchProfile"]
