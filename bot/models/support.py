"""Kickoff replies and requests to talk to an organizer (leadership and support)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, TeamScoped, Timestamped, enum_column


class KickoffAnswer(enum.StrEnum):
    GOING = "going"
    NOT_GOING = "not_going"


class TalkTopic(enum.StrEnum):
    CAREER_GOALS = "career_goals"
    MY_PAIRING = "my_pairing"
    SOMETHING_ELSE = "something_else"


class KickoffReply(TeamScoped, Timestamped, Base):
    """One answer per person and program; a second click changes it."""

    __tablename__ = "kickoff_replies"
    __table_args__ = (sa.UniqueConstraint("program_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(sa.String(32))
    answer: Mapped[KickoffAnswer] = mapped_column(enum_column(KickoffAnswer))
    answered_at: Mapped[datetime]


class TalkRequest(TeamScoped, Timestamped, Base):
    """A participant asked for time with an organizer; open until one organizer takes it."""

    __tablename__ = "talk_requests"
    __table_args__ = (sa.Index(None, "program_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(sa.String(32))
    topic: Mapped[TalkTopic] = mapped_column(enum_column(TalkTopic))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    requested_at: Mapped[datetime]
    taken_by: Mapped[str | None] = mapped_column(sa.String(32))
    taken_at: Mapped[datetime | None]
