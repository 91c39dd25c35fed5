"""The append-only audit trail, chained by hashes so that a changed row is detected."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    actor_type: Mapped[str] = mapped_column(String(20), nullable=False)  # user, system, public
    actor_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # Field names touched, never their values.
    fields: Mapped[list[str] | None] = mapped_column(JSON)
    # A keyed hash of the client address: enough to link events, not to reveal the address.
    origin: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)

    def canonical(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "occurred_at": self.occurred_at.isoformat(),
            "actor_type": self.actor_type,
            "actor_id": self.actor_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "fields": self.fields,
            "origin": self.origin,
            "prev_hash": self.prev_hash,
        }


class AuditHead(Base):
    """One row holding the chain's latest hash; locking it serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # HMAC of (last_id, last_hash) under a key the database does not hold: whoever can write to
    # the database could rehash every row after one they changed, but cannot make this match.
    tag: Mapped[str | None] = mapped_column(String(64))


__all__ = ["AuditEvent", "AuditHead"]
