"""`/mentoring program new | edit [name]`."""

from __future__ import annotations

import re

from slack_sdk.errors import SlackApiError

from bot import programs
from bot.db import unit_of_work
from bot.slack import ids
from bot.slack.blocks.common import escape, section
from bot.slack.blocks.programs import announcement, program_modal
from bot.slack.commands.router import COMMAND, CommandContext, Reply, Subcommand, reply
from bot.slack.interaction import user_timezone

USAGE = f"{COMMAND} program new | edit [name]"


def run(ctx: CommandContext) -> Reply:
    action, _, name = ctx.args.partition(" ")
    action = action.lower()
    if action == "new":
        zone = user_timezone(ctx.client, ctx.user_id)
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=program_modal(timezone=zone))
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
        zone = user_timezone(ctx.client, ctx.user_id)
        view = program_modal(candidates[0], timezone=zone)
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
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


ANNOUNCE_USAGE = f"{COMMAND} announce #channel [program]"
CHANNEL = re.compile(r"<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>")
NOT_POSTABLE = {
    "not_in_channel": "I'm not in <#{channel}> yet: add me there (type `/invite @Reverse "
    "Mentoring` in the channel), then announce again.",
    "channel_not_found": "I can't see that channel. If it is private, add me to it first.",
    "is_archived": "<#{channel}> is archived; pick another channel.",
}


def announce(ctx: CommandContext) -> Reply:
    found = CHANNEL.search(ctx.args)
    if not found:
        return reply(f"Tell me where to post it: `{ANNOUNCE_USAGE}`")
    channel = found.group(1)
    name = CHANNEL.sub("", ctx.args).strip()
    with unit_of_work(ctx.services.sessions) as session:
        if name:
            program = programs.find_by_name(session, ctx.team_id, name)
            if program is None:
                return reply(f"I can't find a program called “{escape(name[:80])}”.")
            candidates = [program]
        else:
            candidates = programs.open_for_enrolment(session, ctx.team_id)
    if not candidates:
        return reply("No program is open for enrolment. Open one first (edit it, tick “Open”).")
    if len(candidates) > 1:
        names = ", ".join(f"“{escape(p.name)}”" for p in candidates[:10])
        return reply(f"Which program? Add its name: `{ANNOUNCE_USAGE}` (open: {names})")
    program = candidates[0]
    if not program.enrolment_open:
        return reply(f"Enrolment for *{escape(program.name)}* is closed; open it first.")
    try:
        ctx.client.chat_postMessage(
            channel=channel,
            text=f"Join {escape(program.name)}, a reverse mentoring program",
            blocks=announcement(program),
            unfurl_links=False,
        )
    except SlackApiError as error:
        code = error.response.get("error", "")
        return reply(
            NOT_POSTABLE.get(code, "Slack refused the post ({code}).").format(
                channel=channel, code=code
            )
        )
    return reply(f"Posted *{escape(program.name)}* in <#{channel}> with a Join button.")


SUBCOMMANDS = [
    Subcommand("program", USAGE, "create a program or change its settings", run, True),
    Subcommand("announce", ANNOUNCE_USAGE, "post a program with a Join button", announce, True),
]
