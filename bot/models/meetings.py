"""Meetings a pairing proposes, confirms and holds (or logs afterwards)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, MeetingStatus, TeamScoped, Timestamped, enum_column


class Meeting(TeamScoped, Timestamped, Base):
    __tablename__ = "meetings"
    __table_args__ = (
        # Covers a pair's meetings by status and time, and the minutes summed for status views.
        sa.Index(None, "pairing_id", "status", "starts_at", "minutes_held"),
        sa.Index(None, "status", "starts_at"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("minutes_held IS NULL OR minutes_held >= 0", name="minutes_held"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(sa.ForeignKey("pairings.id", ondelete="CASCADE"))
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus), default=MeetingStatus.PROPOSED
    )
    proposed_by: Mapped[str] = mapped_column(sa.String(32))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=60)
    format: Mapped[str] = mapped_column(sa.String(32), default="coffee")
    location: Mapped[str] = mapped_column(sa.String(500), default="")
    topic: Mapped[str] = mapped_column(sa.String(500), default="")
    # A counter-proposal points at the proposal it answers.
    replaces_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="SET NULL")
    )
    minutes_held: Mapped[int | None]
    held_confirmed_by: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    logged_without_booking: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    message_channel: Mapped[str | None] = mapped_column(sa.String(32))
    message_ts: Mapped[str | None] = mapped_column(sa.String(32))
    updated_at: Mapped[datetime | None]
