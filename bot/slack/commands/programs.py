"""`/mentoring program new | edit [name]`."""

from __future__ import annotations

from bot import programs
from bot.db import unit_of_work
from bot.slack import ids
from bot.slack.blocks.common import escape, section
from bot.slack.blocks.programs import program_modal
from bot.slack.commands.router import COMMAND, CommandContext, Reply, Subcommand, reply

USAGE = f"{COMMAND} program new | edit [name]"


def run(ctx: CommandContext) -> Reply:
    action, _, name = ctx.args.partition(" ")
    action = action.lower()
    if action == "new":
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=program_modal())
        return None
    if action == "edit":
        return _edit(ctx, name.strip())
    return reply(f"Create or edit a program with `{USAGE}`.")


def _edit(ctx: CommandContext, name: str) -> Reply:
    with unit_of_work(ctx.services.sessions) as session:
        if name:
            program = programs.find_by_name(session, ctx.team_id, name)
            if program is None:
                return reply(
                    f"I can't find a program called “{escape(name[:80])}”. "
                    f"`{COMMAND} program edit` without a name lists them."
                )
            candidates = [program]
        else:
            candidates = programs.list_programs(session, ctx.team_id)
    if not candidates:
        return reply(f"There are no programs yet. Create one with `{COMMAND} program new`.")
    if len(candidates) == 1:
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=program_modal(candidates[0]))
        return None
    return choose_program_reply(candidates)


def choose_program_reply(candidates: list) -> dict:
    """Several programs: one Edit button each (at most 25 buttons fit one actions block)."""
    buttons = [
        {
            "type": "button",
            "action_id": f"{ids.PROGRAM_EDIT}:{program.id}",
            "text": {"type": "plain_text", "text": program.name[:75]},
            "value": str(program.id),
        }
        for program in candidates[:25]
    ]
    more = len(candidates) - len(buttons)
    text = "Which program do you want to edit?"
    if more > 0:
        text += f" ({more} more: use `{COMMAND} program edit NAME`)"
    return {"text": text, "blocks": [section(text), {"type": "actions", "elements": buttons}]}


SUBCOMMANDS = [
    Subcommand("program", USAGE, "create a program or change its settings", run, True),
]
