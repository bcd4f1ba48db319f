"""The outbox: every proactive message is a row first, then sent exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import (
    Base,
    DeliveryStatus,
    TeamScoped,
    Timestamped,
    byte_ordered,
    enum_column,
)


class Delivery(TeamScoped, Timestamped, Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "key"),
        # The sender's claim query: due rows by status and time.
        sa.Index(None, "status", "not_before"),
        sa.Index(None, "program_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. weekly-prompt:<pairing>:<ISO week>; looked up by prefix too (bot.db.starts_with)
    key: Mapped[str] = mapped_column(byte_ordered(200))
    program_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(sa.String(64))  # a user id (DM) or a conversation id
    text: Mapped[str] = mapped_column(sa.Text)  # the notification fallback
    blocks: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    # A file to upload instead of a message (a calendar invitation): filename, title, content;
    # `text` is then the comment posted with it.
    file: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    not_before: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    sent_at: Mapped[datetime | None]
    message_channel: Mapped[str | None] = mapped_column(sa.String(32))
    message_ts: Mapped[str | None] = mapped_column(sa.String(32))
