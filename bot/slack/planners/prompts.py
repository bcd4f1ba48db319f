"""The weekly meeting prompt: progress so far, a topic that goes both ways, a coffee button."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.orm import Session

from bot.matching.scoring import overlap
from bot.models import ParticipantRole
from bot.outbox import store
from bot.prompts import DuePrompt, due_prompts
from bot.slack import ids
from bot.slack.blocks.common import Block, button, context, escape, plural, section
from bot.topics import weekly_topic

BAR_CELLS = 10


def plan(session: Session, now: datetime) -> int:
    due = due_prompts(session, now)
    planned = 0
    by_team: dict[tuple[str, int], list[DuePrompt]] = defaultdict(list)
    for prompt in due:
        by_team[(prompt.pairing.team_id, prompt.program.id)].append(prompt)
    for (team_id, program_id), prompts in by_team.items():
        done = store.planned_keys(session, team_id, [p.key for p in prompts])
        fresh = [p for p in prompts if p.key not in done]
        planned += store.enqueue_many(
            session,
            team_id=team_id,
            planned=[(p.key, message(p)) for p in fresh],
            not_before=now,
            program_id=program_id,
        )
    return planned


def progress_bar(done: int, target: int) -> str:
    if target <= 0:
        return ""
    share = min(done / target, 1.0)
    filled = round(share * BAR_CELLS)
    return f"{'▓' * filled}{'░' * (BAR_CELLS - filled)} {round(share * 100)}%"


def message(prompt: DuePrompt) -> store.Message:
    people = [p.user_id for p in prompt.people]
    mentors = [p for p in prompt.people if p.role is ParticipantRole.MENTOR]
    mentees = [p for p in prompt.people if p.role is ParticipantRole.MENTEE]
    taught = overlap(
        [s for m in mentors for s in m.skills_offered],
        [s for m in mentees for s in m.skills_wanted],
    ) or tuple(s for m in mentors for s in m.skills_offered)
    taught_back = overlap(
        [s for m in mentees for s in m.skills_offered],
        [s for m in mentors for s in m.skills_wanted],
    ) or tuple(s for m in mentees for s in m.skills_offered)
    topic = weekly_topic(
        prompt.program.business_need, taught, taught_back, prompt.program_week, prompt.pairing.id
    )
    everyone = " and ".join(f"<@{p}>" for p in people)
    target = prompt.target_so_far
    held = f"{plural(prompt.meetings_held, 'meeting')}, {prompt.minutes_held} minutes"
    if target:
        bar = progress_bar(prompt.minutes_held, target)
        progress = f"So far: {held} of the {target} minutes planned. {bar}"
    else:
        weekly = prompt.program.meeting_target_minutes
        progress = f"This week is about getting started: aim for {weekly} minutes together."
    name = escape(prompt.program.name)
    text = f"Week {prompt.program_week} of {name}: time for a coffee, {everyone}?"
    blocks: list[Block] = [
        section(f"*Week {prompt.program_week} of {escape(prompt.program.name)}*, {everyone}"),
        section(progress),
        section(f"*A topic for this week:* {escape(topic)}"),
        {
            "type": "actions",
            "block_id": f"prompt_{prompt.pairing.id}",
            "elements": [
                button(
                    "Schedule a coffee", ids.SCHEDULE_COFFEE, str(prompt.pairing.id), primary=True
                ),
                button("Share a win", ids.SHARE_WIN, str(prompt.pairing.id)),
            ],
        },
        context("Met without booking? `/mentoring log 30` counts it too."),
    ]
    channel = prompt.pairing.channel_id or ",".join(people)
    return store.Message(channel, text, blocks)
