"""A match proposal: the computed pairs an organizer reviews, edits and approves.

Nothing is created or announced until approval; the proposal remembers the pool it was
computed from, so approving it after someone joined or left is refused as stale.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, TeamScoped, Timestamped, enum_column


class ProposalStatus(enum.StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REPLACED = "replaced"  # re-run, or a newer proposal was made


class MatchProposal(TeamScoped, Timestamped, Base):
    __tablename__ = "match_proposals"
    __table_args__ = (sa.Index(None, "program_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus), default=ProposalStatus.OPEN
    )
    created_by: Mapped[str] = mapped_column(sa.String(32))
    pool_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    # [{"members": [participant ids, mentor first], "score": float, "reason": str}]
    pairs: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # [{"participant": id, "reason": str, "choice": "waitlist" | None}]
    unmatched: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    message_channel: Mapped[str | None] = mapped_column(sa.String(32))
    message_ts: Mapped[str | None] = mapped_column(sa.String(32))
    approved_by: Mapped[str | None] = mapped_column(sa.String(32))
    approved_at: Mapped[datetime | None]
