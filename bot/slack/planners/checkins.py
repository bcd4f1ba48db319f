"""Check-ins and their one reminder, planned by the tick from the clock.

The domain creates the `Checkin` rows that are due (so buttons carry their ids); this module
renders them and plans the messages in bulk under unique keys, so a second tick at the same
instant, or another replica, plans nothing again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from bot import checkins
from bot.outbox import store
from bot.outbox.store import Message
from bot.slack.blocks import checkins as blocks


class Planned(NamedTuple):
    team_id: str
    program_id: int
    key: str
    message: Message


def enqueue_all(session: Session, planned: Iterable[Planned], now: datetime) -> int:
    """Plan messages in bulk, one statement per workspace and program (and 500 rows); keys
    planned before are skipped. Returns how many rows are new."""
    groups: dict[tuple[str, int], dict[str, Message]] = defaultdict(dict)
    for row in planned:
        groups[(row.team_id, row.program_id)][row.key] = row.message
    return sum(
        store.enqueue_many(
            session,
            team_id=team_id,
            planned=list(messages.items()),
            not_before=now,
            program_id=program_id,
        )
        for (team_id, program_id), messages in groups.items()
    )


def plan(session: Session, now: datetime) -> int:
    """Plan the check-ins due at `now`, and the reminders; return how many rows are new."""
    planned = []
    for due in checkins.create_due(session, now):
        text, message_blocks = blocks.checkin_message(due.checkin_id, due.program_name, due.period)
        key = checkins.checkin_key(due.participant_id, due.period.start)
        message = Message(due.user_id, text, message_blocks)
        planned.append(Planned(due.team_id, due.program_id, key, message))
    for due in checkins.due_reminders(session, now):
        text, message_blocks = blocks.checkin_message(
            due.checkin_id,
            due.program_name,
            due.period,
            mood=due.mood,
            met=due.met,
            reminder=True,
        )
        key = checkins.reminder_key(due.participant_id, due.period.start)
        message = Message(due.user_id, text, message_blocks)
        planned.append(Planned(due.team_id, due.program_id, key, message))
    return enqueue_all(session, planned, now)
