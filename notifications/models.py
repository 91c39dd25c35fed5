"""A team's in-app inbox, and the record of each message sent. Neither holds personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from forms_app.models.base import Base, IdMixin, TimestampMixin, UTCDateTime


class InboxItem(IdMixin, TimestampMixin, Base):
    """Something a team should look at: a new case, or a case whose risk rose."""

    __tablename__ = "inbox_item"
    __table_args__ = (Index("ix_inbox_item_team_id_read_at", "team_id", "read_at"),)

    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    submission_id: Mapped[str | None] = mapped_column(ForeignKey("submission.id"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # The outbox row that made it: one item per row, however often its job runs.
    outbox_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Delivery(IdMixin, TimestampMixin, Base):
    """A message handed to a transport: which outbox row, how, and the provider's reference."""

    __tablename__ = "notification_delivery"

    outbox_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    template: Mapped[str] = mapped_column(String(40), nullable=False)
    transport: Mapped[str] = mapped_column(String(20), nullable=False)
    provider_reference: Mapped[str | None] = mapped_column(String(200))


__all__ = ["Delivery", "InboxItem"]
