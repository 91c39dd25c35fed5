"""Organisations, teams, staff users, their memberships and sessions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forms_app.crypto import Encrypted

from .base import ID, Base, IdMixin, TimestampMixin, UTCDateTime


class Role(enum.StrEnum):
    OFFICER = "officer"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"
    FORM_AUTHOR = "form_author"


class Organisation(IdMixin, TimestampMixin, Base):
    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)

    teams: Mapped[list[Team]] = relationship(back_populates="organisation")


class Team(IdMixin, TimestampMixin, Base):
    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("organisation_id", "slug"),)

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    slug: Mapped[str] = mapped_column(String(80), nullable=False)
    # A shared team mailbox for notifications (never a person's address).
    notify_email: Mapped[str | None] = mapped_column(String(320))

    organisation: Mapped[Organisation] = relationship(back_populates="teams")
    memberships: Mapped[list[Membership]] = relationship(back_populates="team")


class User(IdMixin, TimestampMixin, Base):
    """A member of partnership staff. Work e-mail addresses identify accounts."""

    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    totp_secret_enc: Mapped[bytes | None] = mapped_column("totp_secret", LargeBinary)
    totp_secret = Encrypted[str]()
    # The last TOTP time step used, so a code cannot be replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    @property
    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}


class Membership(IdMixin, TimestampMixin, Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "team_id"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), nullable=False)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    )

    user: Mapped[User] = relationship(back_populates="memberships")
    team: Mapped[Team] = relationship(back_populates="memberships")


class StaffSession(TimestampMixin, Base):
    """A server-side staff session; the cookie carries a random token whose hash is the key."""

    __tablename__ = "staff_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # Set once the password is checked but before the second factor, if one is required.
    second_factor_done: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


__all__ = ["ID", "Membership", "Organisation", "Role", "StaffSession", "Team", "User"]
