"""Meeting reminders and "did you meet?" follow-ups, planned by the tick from the clock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.meetings import due_follow_ups
from bot.outbox import store
from bot.slack.blocks import meetings as blocks


def plan(session: Session, now: datetime) -> int:
    reminders, follow_ups = due_follow_ups(session, now)
    planned = 0
    for kind, due_list, render in (
        ("meeting-reminder", reminders, blocks.reminder),
        ("did-you-meet", follow_ups, blocks.did_you_meet),
    ):
        for due in due_list:
            people = [p.user_id for p in due.people]
            text, message_blocks = render(due.meeting, people)
            planned += store.enqueue(
                session,
                team_id=due.pairing.team_id,
                key=f"{kind}:{due.meeting.id}",
                message=store.Message(
                    due.pairing.channel_id or ",".join(people), text, message_blocks
                ),
                not_before=now,
                program_id=due.pairing.program_id,
            )
    return planned
