"""Surveys (start, middle, end) and the end of each program, planned by the tick.

At the end each pair gets a closing message with its totals in its conversation (or each
member by direct message, when the pair has none), and each member the final survey; the
pairings and then the program are ended in the same transaction, so nothing more is planned.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import surveys
from bot.models import SurveyKind
from bot.outbox.store import Message
from bot.slack.blocks import surveys as blocks
from bot.slack.planners.checkins import Planned, enqueue_all


def plan(session: Session, now: datetime) -> int:
    """Plan the surveys due at `now` and end the programs whose end has come."""
    planned = []
    for due in surveys.due_surveys(session, now):
        text, message_blocks = blocks.survey_message(due.participant_id, due.kind, due.program_name)
        key = surveys.survey_key(due.participant_id, due.kind)
        planned.append(
            Planned(due.team_id, due.program_id, key, Message(due.user_id, text, message_blocks))
        )
    for ending in surveys.end_programs(session, now):
        planned.extend(_closing(ending))
    return enqueue_all(session, planned, now)


def _closing(ending: surveys.Ending) -> list[Planned]:
    """The pair's closing message (before the surveys: the outbox sends in order)."""
    active = [member for member in ending.members if member.active]
    text, message_blocks = blocks.closing_message(
        ending.program_name,
        [member.user_id for member in active],
        ending.meetings,
        ending.minutes,
        ending.target_minutes,
        survey_sent=bool(active),
    )
    key = f"program-end:{ending.pairing_id}"
    if ending.channel_id:
        targets = [(key, ending.channel_id)]
    else:  # no pair conversation on record: tell each member directly
        targets = [(f"{key}:{member.participant_id}", member.user_id) for member in active]
    planned = [
        Planned(ending.team_id, ending.program_id, row_key, Message(channel, text, message_blocks))
        for row_key, channel in targets
    ]
    for member in active:
        survey_text, survey_blocks = blocks.survey_message(
            member.participant_id, SurveyKind.END, ending.program_name
        )
        key = surveys.survey_key(member.participant_id, SurveyKind.END)
        message = Message(member.user_id, survey_text, survey_blocks)
        planned.append(Planned(ending.team_id, ending.program_id, key, message))
    return planned
