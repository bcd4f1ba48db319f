"""What participants tell us: check-ins (temperature checks), surveys and wins."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, SurveyKind, TeamScoped, Timestamped, WinSharing, enum_column


class Checkin(TeamScoped, Timestamped, Base):
    """One participant's answer for one check-in period."""

    __tablename__ = "checkins"
    __table_args__ = (
        sa.UniqueConstraint("participant_id", "period_start"),
        sa.Index(None, "pairing_id", "period_start"),
        sa.CheckConstraint("mood IS NULL OR mood BETWEEN 1 AND 5", name="mood_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE")
    )
    pairing_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pairings.id", ondelete="SET NULL")
    )
    period_start: Mapped[date]
    met: Mapped[bool | None]
    minutes: Mapped[int | None]
    mood: Mapped[int | None]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    # Private by default: only organizers may read the comment, never the partner.
    comment_private: Mapped[bool] = mapped_column(default=True)
    answered_at: Mapped[datetime | None]


class SurveyResponse(TeamScoped, Timestamped, Base):
    __tablename__ = "survey_responses"
    __table_args__ = (
        sa.UniqueConstraint("participant_id", "kind"),
        sa.Index(None, "program_id", "kind"),
        sa.CheckConstraint(
            "recommend_score IS NULL OR recommend_score BETWEEN 0 AND 10", name="recommend_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE")
    )
    kind: Mapped[SurveyKind] = mapped_column(enum_column(SurveyKind))
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    recommend_score: Mapped[int | None]
    submitted_at: Mapped[datetime | None]


class Win(TeamScoped, Timestamped, Base):
    __tablename__ = "wins"
    __table_args__ = (sa.Index(None, "program_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="SET NULL")
    )
    pairing_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pairings.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(sa.Text)
    sharing: Mapped[WinSharing] = mapped_column(
        enum_column(WinSharing), default=WinSharing.ORGANIZERS
    )
    published_channel: Mapped[str | None] = mapped_column(sa.String(32))
    published_ts: Mapped[str | None] = mapped_column(sa.String(32))
    published_by: Mapped[str | None] = mapped_column(sa.String(32))
