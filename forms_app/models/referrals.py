"""Referral links e-mailed to professionals: capabilities stored as hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from forms_app.crypto import Encrypted

from .base import ID, Base, IdMixin, TimestampMixin, UTCDateTime


class ReferralLink(IdMixin, TimestampMixin, Base):
    __tablename__ = "referral_link"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    form_slug: Mapped[str] = mapped_column(String(80), nullable=False)
    issuer_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    recipient_email_enc: Mapped[bytes | None] = mapped_column("recipient_email", LargeBinary)
    recipient_email = Encrypted[str]()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


__all__ = ["ID", "ReferralLink"]
