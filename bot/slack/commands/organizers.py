"""`/mentoring organizers add @user | remove @user | list`."""

from __future__ import annotations

from bot import organizers
from bot.db import unit_of_work
from bot.slack.commands.router import CommandContext, Reply, reply
from bot.slack.interaction import MENTION

USAGE = "/mentoring organizers add @person | remove @person | list"


def run(ctx: CommandContext) -> Reply:
    action, _, rest = ctx.args.partition(" ")
    action = action.lower()
    if action in ("", "list"):
        return _list(ctx)
    if action not in ("add", "remove"):
        return reply(f"I can add, remove or list organizers: `{USAGE}`")
    users = MENTION.findall(rest)
    if not users:
        return reply(f"Tell me who, with an @-mention that Slack turns into a name: `{USAGE}`")
    with unit_of_work(ctx.services.sessions) as session:
        if action == "add":
            lines = [
                f"<@{user}> is now an organizer."
                if organizers.add_organizer(session, ctx.team_id, user, added_by=ctx.user_id)
                else f"<@{user}> was already an organizer."
                for user in users
            ]
        else:
            lines = [
                _removal_line(
                    user,
                    organizers.remove_organizer(
                        session, ctx.team_id, user, ctx.services.settings.organizers
                    ),
                )
                for user in users
            ]
    return reply("\n".join(lines))


def _removal_line(user: str, outcome: organizers.Removal) -> str:
    if outcome is organizers.Removal.REMOVED:
        return f"<@{user}> is no longer an organizer."
    if outcome is organizers.Removal.CONFIGURED:
        return (
            f"<@{user}> is an organizer through the MENTORING_ORGANIZERS setting; "
            "ask the workspace admin who runs the bot to change it."
        )
    return f"<@{user}> was not an organizer."


def _list(ctx: CommandContext) -> Reply:
    with unit_of_work(ctx.services.sessions) as session:
        everyone = organizers.list_organizers(
            session, ctx.team_id, ctx.services.settings.organizers
        )
    if not everyone:
        return reply("There are no organizers yet.")
    lines = [
        f"• <@{user}>" + (" (from the bot's settings)" if configured else "")
        for user, configured in everyone
    ]
    return reply("*Organizers*\n" + "\n".join(lines))
