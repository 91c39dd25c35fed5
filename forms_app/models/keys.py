"""Progress of a key rotation, so an interrupted `keys rotate` resumes where it stopped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class KeyRotationProgress(Base):
    __tablename__ = "key_rotation_progress"

    target_key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_row_id: Mapped[str] = mapped_column(String(36), nullable=False, default="")
    rewritten: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


__all__ = ["KeyRotationProgress"]
