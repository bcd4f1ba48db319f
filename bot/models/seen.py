"""Slack requests already handled, so a retried delivery has one effect."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, TeamScoped


class SeenRequest(TeamScoped, Base):
    """Keyed on Slack's own id for the request (an event id, or a trigger id)."""

    __tablename__ = "seen_requests"
    __table_args__ = (sa.UniqueConstraint("team_id", "key"), sa.Index(None, "seen_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200))
    seen_at: Mapped[datetime]
