"""`/mentoring kickoff [program]`: plan (or move) a program's kickoff meet-and-greet in a form
that also shows the replies so far. Organizers only."""

from __future__ import annotations

from bot import kickoff
from bot.db import unit_of_work
from bot.models import ProgramStatus
from bot.slack.blocks.common import escape
from bot.slack.blocks.kickoff import kickoff_modal
from bot.slack.commands.router import (
    COMMAND,
    CommandContext,
    Reply,
    Subcommand,
    named_programs,
    reply,
)
from bot.slack.interaction import open_modal, user_timezone

USAGE = f"{COMMAND} kickoff [program]"


def run(ctx: CommandContext) -> Reply:
    name = ctx.args.strip()
    with unit_of_work(ctx.services.sessions) as session:
        candidates = named_programs(session, ctx.team_id, name)
        if not isinstance(candidates, list):
            return candidates
        if len(candidates) > 1:
            names = ", ".join(f"“{escape(p.name)}”" for p in candidates[:10])
            return reply(f"Which program? Add its name: `{USAGE}` (programs: {names})")
        program = candidates[0]
        if program.status is ProgramStatus.ENDED:
            return reply(f"*{escape(program.name)}* has ended, so it has no kickoff to plan.")
        timezone = user_timezone(ctx.client, ctx.user_id) or kickoff.timezone_of(program)
        view = kickoff_modal(program, timezone, kickoff.replies(session, program))
    if not open_modal(ctx.client, ctx.trigger_id, view):
        return reply("Slack didn't let me open the form in time; please run the command again.")
    return None


SUBCOMMANDS = [
    Subcommand(
        "kickoff",
        USAGE,
        "plan the kickoff meet-and-greet and see who is coming",
        run,
        organizers_only=True,
    ),
]
