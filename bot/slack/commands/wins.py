"""`/mentoring win [what happened]` (share a win) and `/mentoring wins [program]` (organizers:
the shareable wins, ready to paste into a newsletter or an intranet post)."""

from __future__ import annotations

import html
import re

from bot import programs, wins
from bot.db import unit_of_work
from bot.slack.blocks.common import escape
from bot.slack.blocks.wins import MAX_SHOWN, wins_list
from bot.slack.commands.router import COMMAND, CommandContext, Reply, Subcommand, reply
from bot.slack.listeners.wins import open_share_modal

NOT_TAKING_PART = (
    "Only people taking part in a program can share a win. "
    f"Join one with `{COMMAND} join` when it opens for enrolment."
)
# Slack escapes command text (should_escape): <@U1|ana>, <#C1|news>, <https://x|x>, &amp;
ESCAPED = re.compile(r"<([@#!]?)([^>|]*)(?:\|([^>]*))?>")


def plain(text: str) -> str:
    """Command text as the person typed it, to pre-fill the modal they then review."""

    def readable(found: re.Match[str]) -> str:
        sigil, target, label = found.groups()
        if sigil in ("@", "#"):
            return sigil + (label or target)
        if sigil == "!":
            return label or f"@{target}"
        return target

    return html.unescape(ESCAPED.sub(readable, text))


def win(ctx: CommandContext) -> Reply:
    with unit_of_work(ctx.services.sessions) as session:
        places = wins.places_for(session, ctx.team_id, ctx.user_id)
    if not places:
        return reply(NOT_TAKING_PART)
    open_share_modal(ctx.client, ctx.trigger_id, places, plain(ctx.args))
    return None


def list_wins(ctx: CommandContext) -> Reply:
    name = ctx.args.strip()
    with unit_of_work(ctx.services.sessions) as session:
        program = programs.find_by_name(session, ctx.team_id, plain(name)) if name else None
        if name and program is None:
            return reply(
                f"I can't find a program called “{escape(plain(name)[:80])}”. "
                f"`{COMMAND} wins` without a name lists the wins of every program."
            )
        found, total = wins.shareable(
            session, ctx.team_id, program.id if program else None, limit=MAX_SHOWN
        )
    return wins_list(found, total, program.name if program else None)


SUBCOMMANDS = [
    Subcommand(
        "win",
        f"{COMMAND} win [what happened]",
        "share a win: something you learned, taught or changed; you choose who may read it",
        win,
    ),
    Subcommand(
        "wins",
        f"{COMMAND} wins [program]",
        "the wins people agreed to share, ready to paste into a newsletter",
        list_wins,
        organizers_only=True,
    ),
]
