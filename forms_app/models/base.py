"""Shared column types and helpers for the models."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String, Table, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

from forms_app.extensions import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A time-ordered UUID (version 7 layout), so new rows land at the end of indexes."""
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80
    value |= int.from_bytes(os.urandom(10), "big") & ((1 << 80) - 1)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC and always returned timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def table_of(model: type) -> Table:
    """The table a model is mapped to, for Core statements that skip the ORM's bookkeeping."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


ID = String(36)


class IdMixin:
    """A string UUID primary key assigned in Python (encrypted fields bind it as associated data)."""

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)

    def __init__(self, **kwargs: Any) -> None:
        # Assign the id before any encrypted attribute, whatever order the caller used.
        self.id = kwargs.pop("id", None) or new_id()
        for key, value in kwargs.items():
            if not hasattr(type(self), key):
                raise TypeError(f"{key!r} is not an attribute of {type(self).__name__}")
            setattr(self, key, value)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


__all__ = ["Base", "ID", "IdMixin", "TimestampMixin", "UTCDateTime", "new_id", "table_of", "utcnow"]
