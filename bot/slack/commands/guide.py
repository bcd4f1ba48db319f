"""`/mentoring guide [mentor|mentee] [program]` (the guide for your role) and, for organizers,
`/mentoring guide edit [program]` (replace a program's guide texts)."""

from __future__ import annotations

from bot import guides
from bot.db import unit_of_work
from bot.slack.blocks import guides as blocks
from bot.slack.blocks.common import escape, truncate
from bot.slack.commands.router import (
    COMMAND,
    CommandContext,
    Reply,
    Subcommand,
    named_programs,
    reply,
)
from bot.slack.interaction import ORGANIZERS_ONLY, open_modal
from bot.slack.listeners.guides import COULD_NOT_OPEN, editor_for, not_taking_part

USAGE = f"{COMMAND} guide [mentor|mentee] [program]"
EDIT_USAGE = f"{COMMAND} guide edit [program]"
NOT_TAKING_PART = (
    "Guides come with a program, and you're not taking part in one yet. "
    f"Join one with `{COMMAND} join` when it opens for enrolment."
)


def unknown_program(name: str) -> str:
    return f"I can't find a program called “{escape(truncate(name, 80))}”."


def run(ctx: CommandContext) -> Reply:
    first, _, rest = ctx.args.partition(" ")
    if first.lower() == "edit":
        return edit(ctx, rest.strip())
    role, name = guides.split_role(ctx.args)
    try:
        with unit_of_work(ctx.services.sessions) as session:
            answer = guides.find_guide(
                session,
                ctx.team_id,
                ctx.user_id,
                is_organizer=ctx.is_organizer,
                role=role,
                program_name=name,
            )
    except guides.NotInAProgram:
        return reply(NOT_TAKING_PART)
    except guides.UnknownProgram as unknown:
        return reply(unknown_program(unknown.name))
    except guides.NotInThatProgram as refused:
        return reply(not_taking_part(refused.program_name))
    except guides.RoleNeeded as needed:
        return reply(blocks.which_role(needed.program_name))
    return blocks.guide_reply(answer, reader_is_organizer=ctx.is_organizer)


def edit(ctx: CommandContext, name: str) -> Reply:
    """Open the editor for one program (organizers only)."""
    if not ctx.is_organizer:
        return reply(ORGANIZERS_ONLY)
    with unit_of_work(ctx.services.sessions) as session:
        chosen = named_programs(session, ctx.team_id, name)
        if not isinstance(chosen, list):
            return chosen
        if len(chosen) > 1:
            return blocks.choose_program(chosen)
        view = editor_for(chosen[0])
    if not open_modal(ctx.client, ctx.trigger_id, view):
        return reply(COULD_NOT_OPEN)
    return None


SUBCOMMANDS = [
    Subcommand(
        "guide",
        USAGE,
        "a short guide for your role: first meeting, goals, candid feedback, what to teach",
        run,
    ),
    # Listed in the organizers' help; `/mentoring guide edit` is routed by `run` above.
    Subcommand(
        "guide edit",
        EDIT_USAGE,
        "replace a program's guide texts with your own",
        lambda ctx: edit(ctx, ctx.args),
        organizers_only=True,
    ),
]
