"""People enrolled in a program, with what they offer, want and how they like to meet."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import (
    Base,
    CareerStage,
    ParticipantRole,
    ParticipantStatus,
    TeamScoped,
    Timestamped,
    enum_column,
)

if TYPE_CHECKING:
    from bot.models.programs import Program


class Participant(TeamScoped, Timestamped, Base):
    __tablename__ = "participants"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "user_id"),
        sa.Index(None, "team_id", "user_id"),
        sa.Index(None, "program_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(sa.String(32))
    display_name: Mapped[str] = mapped_column(sa.String(120), default="")
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole))
    career_stage: Mapped[CareerStage | None] = mapped_column(enum_column(CareerStage))
    department: Mapped[str] = mapped_column(sa.String(120), default="")
    manager_user_id: Mapped[str | None] = mapped_column(sa.String(32))
    skills_offered: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    skills_wanted: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    goals: Mapped[str] = mapped_column(sa.Text, default="")
    meeting_formats: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    not_with: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # Slack user ids
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    consent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ParticipantStatus] = mapped_column(
        enum_column(ParticipantStatus), default=ParticipantStatus.ACTIVE
    )
    left_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship(back_populates="participants")
