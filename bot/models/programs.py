"""Programs (a cohort; a pilot is a small program) and the organizers who run them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import (
    Base,
    ProgramFormat,
    ProgramStatus,
    TeamScoped,
    Timestamped,
    enum_column,
)

if TYPE_CHECKING:
    from bot.models.pairings import Pairing
    from bot.models.participants import Participant


class Program(TeamScoped, Timestamped, Base):
    __tablename__ = "programs"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "name"),
        sa.Index(None, "team_id", "status"),
        sa.CheckConstraint("length_weeks > 0", name="length_positive"),
        sa.CheckConstraint("group_size >= 2", name="group_size_at_least_two"),
        sa.CheckConstraint("checkin_cadence_weeks IN (1, 2)", name="checkin_cadence"),
        sa.CheckConstraint("meeting_target_minutes >= 0", name="meeting_target_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    business_need: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    format: Mapped[ProgramFormat] = mapped_column(
        enum_column(ProgramFormat), default=ProgramFormat.ONE_TO_ONE
    )
    group_size: Mapped[int] = mapped_column(default=2)
    status: Mapped[ProgramStatus] = mapped_column(
        enum_column(ProgramStatus), default=ProgramStatus.DRAFT
    )
    is_pilot: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date | None]
    length_weeks: Mapped[int] = mapped_column(default=12)
    meeting_target_minutes: Mapped[int] = mapped_column(default=60)  # per week
    checkin_cadence_weeks: Mapped[int] = mapped_column(default=1)
    skills_catalogue: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    enrolment_open: Mapped[bool] = mapped_column(default=False)
    # Matching weights, health thresholds and other knobs later issues add, by name.
    settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_by: Mapped[str] = mapped_column(sa.String(32), default="")
    ended_at: Mapped[datetime | None]
    # Leadership and support (issue 9): a named executive sponsor, the kickoff meet-and-greet,
    # and per-role guide texts that replace the project's defaults.
    sponsor_user_id: Mapped[str | None] = mapped_column(sa.String(32))
    sponsor_message: Mapped[str] = mapped_column(sa.Text, default="")
    kickoff_at: Mapped[datetime | None]
    kickoff_place: Mapped[str] = mapped_column(sa.String(500), default="")
    kickoff_agenda: Mapped[str] = mapped_column(sa.Text, default="")
    kickoff_followup: Mapped[str] = mapped_column(sa.Text, default="")  # recording or notes
    guide_overrides: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)  # role -> text

    participants: Mapped[list[Participant]] = relationship(back_populates="program")
    pairings: Mapped[list[Pairing]] = relationship(back_populates="program")


class Organizer(TeamScoped, Timestamped, Base):
    """Organizers added in Slack; those in MENTORING_ORGANIZERS need no row."""

    __tablename__ = "organizers"
    __table_args__ = (sa.UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(32))
    added_by: Mapped[str] = mapped_column(sa.String(32), default="")
