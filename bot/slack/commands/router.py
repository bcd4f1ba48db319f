"""How `/mentoring <subcommand> [args]` is parsed and routed; no Bolt here, so it is easy to test.

The help text is made from the same list of subcommands, so it always says exactly what the bot
can do for the caller's role.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot import programs
from bot.bootstrap import Services
from bot.models import Program
from bot.slack.blocks.common import escape, truncate
from bot.slack.blocks.help import CommandHelp, help_blocks, help_text

COMMAND = "/mentoring"

# What to acknowledge with ({"text": ..., "blocks": [...]}); None when a modal was opened.
Reply = dict[str, Any] | None


@dataclass(frozen=True)
class CommandContext:
    team_id: str
    user_id: str
    channel_id: str
    trigger_id: str
    args: str  # the text after the subcommand's name
    is_organizer: bool
    services: Services
    client: WebClient
    respond: Respond


Handler = Callable[[CommandContext], Reply]


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    run: Handler
    organizers_only: bool = False
    # Database-heavy (a program's status, a form filled in from the database): acknowledged at
    # once and run by the work app (bot.slack.deferral), which answers through response_url.
    answers_later: bool = False

    @property
    def help(self) -> CommandHelp:
        return CommandHelp(self.usage, self.summary, self.organizers_only)


def reply(text: str) -> dict[str, Any]:
    return {"text": text}


NO_PROGRAMS = f"There are no programs yet. Create one with `{COMMAND} program new`."


def unknown_program(name: str) -> dict[str, Any]:
    return reply(f"I can't find a program called “{escape(truncate(name, 80))}”.")


def named_programs(
    session: Session, team_id: str, name: str, *, include_ended: bool = False
) -> list[Program] | dict[str, Any]:
    """The program an organizer named, or every program when they named none; the reply to
    give instead when the name matches nothing or there is no program at all."""
    if name:
        program = programs.find_by_name(session, team_id, name)
        return [program] if program is not None else unknown_program(name)
    return programs.list_programs(session, team_id, include_ended=include_ended) or reply(
        NO_PROGRAMS
    )


def help_reply(
    subcommands: Mapping[str, Subcommand], is_organizer: bool, preface: str | None = None
) -> dict[str, Any]:
    commands = [sub.help for sub in subcommands.values()]
    text = help_text(commands, is_organizer=is_organizer)
    return {
        "text": f"{preface}\n{text}" if preface else text,
        "blocks": help_blocks(commands, is_organizer=is_organizer, preface=preface),
    }


def answers_later(text: str, subcommands: Mapping[str, Subcommand]) -> bool:
    subcommand = subcommands.get(text.strip().partition(" ")[0].lower())
    return subcommand is not None and subcommand.answers_later


def dispatch(ctx: CommandContext, subcommands: Mapping[str, Subcommand]) -> Reply:
    name, _, rest = ctx.args.strip().partition(" ")
    if not name:
        return help_reply(subcommands, ctx.is_organizer, "Hi! Here is what I can do for you.")
    subcommand = subcommands.get(name.lower())
    if subcommand is None:
        shown = escape(truncate(name, 40))
        return help_reply(
            subcommands,
            ctx.is_organizer,
            f"I don't know the command `{shown}`. Here is what I can do for you.",
        )
    if subcommand.organizers_only and not ctx.is_organizer:
        return reply(
            f"Only program organizers can use `{subcommand.usage}`. "
            "If you think you should be one, ask an organizer to add you."
        )
    return subcommand.run(replace(ctx, args=rest.strip()))
