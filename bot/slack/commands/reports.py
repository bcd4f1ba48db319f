"""`/mentoring report [program]`: the program report, sent to the organizer's DM."""

from __future__ import annotations

from bot.db import unit_of_work
from bot.models import Program
from bot.slack.blocks.common import escape
from bot.slack.blocks.reports import pick_program
from bot.slack.commands.router import (
    COMMAND,
    CommandContext,
    Reply,
    Subcommand,
    named_programs,
    reply,
)
from bot.slack.interaction import Actor
from bot.slack.listeners.reports import run_report


def _pick(ctx: CommandContext, name: str) -> Program | Reply:
    """The program named, or the only one, or buttons to choose (ended ones too: a finished
    program is the one most worth a report)."""
    with unit_of_work(ctx.services.sessions) as session:
        candidates = named_programs(session, ctx.team_id, name, include_ended=True)
    if not isinstance(candidates, list):
        return candidates
    if len(candidates) == 1:
        return candidates[0]
    return pick_program(list(reversed(candidates)))  # the newest first


def report(ctx: CommandContext) -> Reply:
    picked = _pick(ctx, ctx.args.strip())
    if not isinstance(picked, Program):
        return picked
    who = Actor(ctx.team_id, ctx.user_id)
    ctx.services.later(lambda: run_report(ctx.services, ctx.client, who, picked.id))
    return reply(
        f"Putting the report together for *{escape(picked.name)}*… I'll send it to you in a "
        "direct message, with a chart and a CSV file."
    )


SUBCOMMANDS = [
    Subcommand(
        "report",
        f"{COMMAND} report [program]",
        "figures, a chart and a CSV of a program, and Run again for the next cohort",
        report,
        True,
    ),
]
