"""Flags: a pairing (or a delivery) needs an organizer, and what the organizer did."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import (
    Base,
    FlagReason,
    FlagSeverity,
    FlagStatus,
    TeamScoped,
    Timestamped,
    enum_column,
)


class Flag(TeamScoped, Timestamped, Base):
    __tablename__ = "flags"
    __table_args__ = (
        sa.Index(None, "program_id", "status"),
        sa.Index(None, "pairing_id", "reason", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    pairing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pairings.id", ondelete="CASCADE"))
    delivery_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("deliveries.id", ondelete="SET NULL")
    )
    reason: Mapped[FlagReason] = mapped_column(enum_column(FlagReason))
    severity: Mapped[FlagSeverity] = mapped_column(
        enum_column(FlagSeverity), default=FlagSeverity.AT_RISK
    )
    status: Mapped[FlagStatus] = mapped_column(enum_column(FlagStatus), default=FlagStatus.NUDGED)
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    started_at: Mapped[datetime]  # when the condition began, not when we noticed
    raised_at: Mapped[datetime | None]  # when organizers were told
    closed_at: Mapped[datetime | None]
    action: Mapped[str | None] = mapped_column(sa.String(32))
    action_by: Mapped[str | None] = mapped_column(sa.String(32))
    action_note: Mapped[str] = mapped_column(sa.Text, default="")
