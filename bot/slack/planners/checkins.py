"""Check-ins and their one reminder, planned by the tick from the clock.

The domain creates the `Checkin` rows that are due (so buttons carry their ids); this module
renders them and plans the messages in bulk under unique keys, so a second tick at the same
instant, or another replica, plans nothing again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot import checkins
from bot.models import Delivery, DeliveryStatus
from bot.outbox.store import KEY_LENGTH, Message
from bot.slack.blocks import checkins as blocks


@dataclass(frozen=True)
class Planned:
    """One outbox row to plan (what `bot.outbox.store.enqueue` takes, for many at once)."""

    team_id: str
    key: str
    message: Message
    not_before: datetime
    program_id: int | None = None


def enqueue_many(session: Session, planned: Sequence[Planned], now: datetime) -> int:
    """Plan many messages in a few statements; keys planned before are skipped. Returns how
    many rows are new. (Belongs next to `enqueue` in `bot.outbox.store`.)"""
    for row in planned:
        if not 0 < len(row.key) <= KEY_LENGTH:
            raise ValueError(f"a delivery key must have 1 to {KEY_LENGTH} characters: {row.key!r}")
    values = [
        {
            "team_id": row.team_id,
            "key": row.key,
            "program_id": row.program_id,
            "channel": row.message.channel,
            "text": row.message.text,
            "blocks": row.message.blocks,
            "not_before": row.not_before,
            "status": DeliveryStatus.PENDING,
            "created_at": now,
        }
        for row in {row.key: row for row in planned}.values()  # one row per key
    ]
    return len(checkins.insert_ignoring(session, Delivery, values, conflict=["team_id", "key"]))


def plan(session: Session, now: datetime) -> int:
    """Plan the check-ins due at `now`, and the reminders; return how many rows are new."""
    planned = []
    for due in checkins.create_due(session, now):
        text, message_blocks = blocks.checkin_message(due.checkin_id, due.program_name, due.period)
        planned.append(
            Planned(
                due.team_id,
                checkins.checkin_key(due.participant_id, due.period.start),
                Message(due.user_id, text, message_blocks),
                due.at,
                due.program_id,
            )
        )
    for due in checkins.due_reminders(session, now):
        text, message_blocks = blocks.checkin_message(
            due.checkin_id,
            due.program_name,
            due.period,
            mood=due.mood,
            met=due.met,
            reminder=True,
        )
        planned.append(
            Planned(
                due.team_id,
                checkins.reminder_key(due.participant_id, due.period.start),
                Message(due.user_id, text, message_blocks),
                due.at,
                due.program_id,
            )
        )
    return enqueue_many(session, planned, now)
