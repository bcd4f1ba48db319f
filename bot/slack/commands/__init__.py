"""The `/mentoring` subcommands, in the order help lists them."""

from __future__ import annotations

from bot.slack.commands import (
    enrolment,
    guide,
    invitations,
    kickoff,
    matching,
    meetings,
    organizers,
    programs,
    reports,
    status,
    wins,
)
from bot.slack.commands.router import COMMAND, CommandContext, Reply, Subcommand, help_reply


def _help(ctx: CommandContext) -> Reply:
    return help_reply(SUBCOMMANDS, ctx.is_organizer)


SUBCOMMANDS: dict[str, Subcommand] = {
    sub.name: sub
    for sub in [
        Subcommand("help", f"{COMMAND} help", "show this list", _help),
        *enrolment.SUBCOMMANDS,
        *meetings.SUBCOMMANDS,
        *status.SUBCOMMANDS,
        *programs.SUBCOMMANDS,
        *kickoff.SUBCOMMANDS,
        *wins.SUBCOMMANDS,
        *guide.SUBCOMMANDS,
        *reports.SUBCOMMANDS,
        *invitations.SUBCOMMANDS,
        *matching.SUBCOMMANDS,
        Subcommand(
            "organizers",
            organizers.USAGE,
            "choose who can run programs",
            organizers.run,
            organizers_only=True,
        ),
    ]
}
