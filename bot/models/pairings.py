"""Pairings (or small groups) and who is in them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base, PairingStatus, TeamScoped, Timestamped, enum_column

if TYPE_CHECKING:
    from bot.models.participants import Participant
    from bot.models.programs import Program


class Pairing(TeamScoped, Timestamped, Base):
    __tablename__ = "pairings"
    __table_args__ = (sa.Index(None, "program_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    status: Mapped[PairingStatus] = mapped_column(
        enum_column(PairingStatus), default=PairingStatus.PROPOSED
    )
    score: Mapped[float | None]
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # why they were matched, in words
    channel_id: Mapped[str | None] = mapped_column(sa.String(32))  # the group DM
    introduced_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(sa.Text, default="")

    program: Mapped[Program] = relationship(back_populates="pairings")
    members: Mapped[list[PairingMember]] = relationship(
        back_populates="pairing", cascade="all, delete-orphan"
    )


class PairingMember(TeamScoped, Base):
    __tablename__ = "pairing_members"
    __table_args__ = (
        sa.UniqueConstraint("pairing_id", "participant_id"),
        sa.Index(None, "participant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(sa.ForeignKey("pairings.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE")
    )

    pairing: Mapped[Pairing] = relationship(back_populates="members")
    participant: Mapped[Participant] = relationship()
