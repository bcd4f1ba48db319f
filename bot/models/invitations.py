"""Invitations: who an organizer asked to join a program (one per person and program)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, TeamScoped, Timestamped


class Invitation(TeamScoped, Timestamped, Base):
    __tablename__ = "invitations"
    __table_args__ = (sa.UniqueConstraint("program_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(sa.String(32))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    role_hint: Mapped[str | None] = mapped_column(sa.String(32))  # from an HR export
    department_hint: Mapped[str | None] = mapped_column(sa.String(120))
    invited_by: Mapped[str] = mapped_column(sa.String(32))
