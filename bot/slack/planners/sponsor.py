"""The sponsor's monthly summary (see `bot.sponsor` for exactly when "monthly" is): one DM per
program and month under `sponsor-summary:<program>:<YYYY-MM>`, rendered only when not planned
yet, so every later tick of the month costs one cheap query per sponsored program.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import sponsor
from bot.outbox import store
from bot.slack.blocks.sponsor import summary_message


def plan(session: Session, now: datetime) -> int:
    planned = 0
    for program, month in sponsor.due(session, now):
        key = sponsor.summary_key(program.id, month)
        if store.planned_keys(session, program.team_id, [key]):
            continue
        summary = sponsor.summary_for(session, program, now)
        if summary is None:
            continue
        text, blocks = summary_message(summary)
        planned += store.enqueue(
            session,
            team_id=program.team_id,
            key=key,
            message=store.Message(summary.sponsor_user_id, text, blocks),
            not_before=now,
            program_id=program.id,
        )
    return planned
