"""Cases, their parties and updates, and the access grants that lock records down."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forms_app.crypto import Encrypted

from .base import ID, Base, IdMixin, TimestampMixin, UTCDateTime


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PartyRole(enum.StrEnum):
    VICTIM = "victim"
    REPORTER = "reporter"
    PERPETRATOR = "perpetrator"
    WITNESS = "witness"
    SUBJECT = "subject"


class Case(IdMixin, TimestampMixin, Base):
    __tablename__ = "cases"

    reference: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    case_type: Mapped[str] = mapped_column(String(60), nullable=False)
    status: Mapped[CaseStatus] = mapped_column(
        _enum(CaseStatus), default=CaseStatus.OPEN, nullable=False
    )
    risk_level: Mapped[str | None] = mapped_column(String(20))
    owning_team_id: Mapped[str | None] = mapped_column(ForeignKey("team.id"), index=True)
    submission_id: Mapped[str | None] = mapped_column(ForeignKey("submission.id"), unique=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    parties: Mapped[list[CaseParty]] = relationship(back_populates="case")
    updates: Mapped[list[CaseUpdate]] = relationship(back_populates="case")


class CaseParty(IdMixin, TimestampMixin, Base):
    __tablename__ = "case_party"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    role: Mapped[PartyRole] = mapped_column(_enum(PartyRole), nullable=False)

    case: Mapped[Case] = relationship(back_populates="parties")


class CaseUpdate(IdMixin, TimestampMixin, Base):
    __tablename__ = "case_update"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    body_enc: Mapped[bytes] = mapped_column("body", LargeBinary, nullable=False)
    body = Encrypted[str]()
    shared_with_reporter: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    case: Mapped[Case] = relationship(back_populates="updates")


class AccessGrant(IdMixin, TimestampMixin, Base):
    """Who (a team or a user) may see what (a case or a person). No grant, no access."""

    __tablename__ = "access_grant"
    __table_args__ = (
        CheckConstraint("(team_id IS NOT NULL) <> (user_id IS NOT NULL)", name="one_grantee"),
        CheckConstraint("(case_id IS NOT NULL) <> (person_id IS NOT NULL)", name="one_object"),
    )

    team_id: Mapped[str | None] = mapped_column(ForeignKey("team.id"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    granted_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


__all__ = ["ID", "AccessGrant", "Case", "CaseParty", "CaseStatus", "CaseUpdate", "PartyRole"]
