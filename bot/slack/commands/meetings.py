"""`/mentoring meet` (book a coffee) and `/mentoring log [minutes] [note]`."""

from __future__ import annotations

import sqlalchemy as sa

from bot import meetings
from bot.db import unit_of_work
from bot.meetings import MeetingError
from bot.models import Program
from bot.slack import ids
from bot.slack.blocks.common import button, escape, section
from bot.slack.commands.router import COMMAND, CommandContext, Reply, Subcommand, reply
from bot.slack.interaction import Actor
from bot.slack.listeners.meetings import open_schedule_modal

NOT_PAIRED = (
    "You don't have a partner yet. Once the organizers introduce you, you can book coffees here."
)


def meet(ctx: CommandContext) -> Reply:
    with unit_of_work(ctx.services.sessions) as session:
        pairings = meetings.live_pairings_of(session, ctx.team_id, ctx.user_id)
        names = dict(
            session.execute(
                sa.select(Program.id, Program.name).where(
                    Program.id.in_({p.program_id for p in pairings})
                )
            ).all()
        )
    if not pairings:
        return reply(NOT_PAIRED)
    if len(pairings) > 1:
        buttons = [
            button(names[p.program_id][:75], ids.SCHEDULE_COFFEE, str(p.id)) for p in pairings[:5]
        ]
        text = "Which pairing is the coffee for?"
        return {"text": text, "blocks": [section(text), {"type": "actions", "elements": buttons}]}
    try:
        open_schedule_modal(
            ctx.services,
            ctx.client,
            Actor(ctx.team_id, ctx.user_id),
            ctx.trigger_id,
            pairings[0].id,
        )
    except MeetingError as error:
        return reply(str(error))
    return None


def log(ctx: CommandContext) -> Reply:
    first, _, note = ctx.args.partition(" ")
    try:
        minutes = int(first)
    except ValueError:
        return reply(
            f"Tell me how long you met, in minutes: `{COMMAND} log 30 coffee by the lifts`"
        )
    now = ctx.services.clock.now()
    with unit_of_work(ctx.services.sessions) as session:
        pairings = meetings.live_pairings_of(session, ctx.team_id, ctx.user_id)
        if not pairings:
            return reply(NOT_PAIRED)
        pairing = pairings[0]
        try:
            meetings.log_meeting(session, pairing, ctx.user_id, minutes, note, now)
        except MeetingError as error:
            return reply(str(error))
        total = meetings.minutes_held(session, pairing.id)
        program = session.get(Program, pairing.program_id)
        assert program is not None
        target = program.meeting_target_minutes * program.length_weeks
        partners = [
            p.user_id for p in meetings.members(session, pairing.id) if p.user_id != ctx.user_id
        ]
    with_whom = " and ".join(f"<@{p}>" for p in partners) or "your partner"
    progress = f" That makes {total} of {target} minutes for the program." if target else ""
    noted = f" Note: _{escape(note.strip()[:200])}_" if note.strip() else ""
    return reply(f"Logged {minutes} minutes with {with_whom}.{progress}{noted}")


SUBCOMMANDS = [
    Subcommand("meet", f"{COMMAND} meet", "book a coffee with your partner", meet),
    Subcommand(
        "log",
        f"{COMMAND} log [minutes] [note]",
        "log a meeting you held without booking it",
        log,
    ),
]
