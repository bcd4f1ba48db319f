"""`/mentoring invite [program]`: open the invite modal (organizers only)."""

from __future__ import annotations

from typing import Any

from bot import invitations, programs
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.slack.blocks.common import escape, truncate
from bot.slack.blocks.invitations import invite_modal
from bot.slack.commands.router import CommandContext, Reply, Subcommand, reply

USAGE = "/mentoring invite [program]"
QUOTES = "\"' \u201c\u201d\u2018\u2019"  # people quote names, sometimes with curly quotes
NOTHING_OPEN = (
    "No program is open for enrolment right now. Create one with `/mentoring program new`, "
    "or open enrolment on one first, then invite people."
)


def run(ctx: CommandContext) -> Reply:
    view, problem = invite_view(ctx.services, ctx.team_id, name=ctx.args.strip(QUOTES))
    if view is None:
        return reply(problem or NOTHING_OPEN)
    ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
    return None


def invite_view(
    services: Services,
    team_id: str,
    *,
    name: str | None = None,
    program_id: int | None = None,
) -> tuple[dict[str, Any] | None, str | None]:
    """The invite modal, preselecting a program given by name or id, or why it cannot open.

    Only programs open for enrolment are offered; the reason is mrkdwn, ready to show.
    """
    with unit_of_work(services.sessions) as session:
        chosen = None
        if name:
            chosen = programs.find_by_name(session, team_id, name)
            if chosen is None:
                shown = escape(truncate(name, 80))
                return None, f"I can't find a program called “{shown}”. {NOTHING_OPEN}"
        elif program_id is not None:
            chosen = programs.get(session, team_id, program_id)
            if chosen is None:
                return None, "I can't find that program any more."
        if chosen is not None and (reason := invitations.refusal(chosen)):
            return None, escape(reason)
        choices = [(p.id, p.name) for p in programs.open_for_enrolment(session, team_id)]
    if not choices:
        return None, None
    if chosen is None and len(choices) == 1:
        chosen_id: int | None = choices[0][0]
    else:
        chosen_id = chosen.id if chosen is not None else None
    return invite_modal(choices, chosen_id), None


SUBCOMMANDS: list[Subcommand] = [
    Subcommand("invite", USAGE, "invite people to a program", run, organizers_only=True),
]
