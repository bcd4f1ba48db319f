"""The `/mentoring help` reply: the commands the caller may use, by role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.slack.blocks.common import Block, context, section


@dataclass(frozen=True)
class CommandHelp:
    usage: str  # e.g. "/mentoring join [program]"
    summary: str
    organizers_only: bool = False


def help_text(commands: Sequence[CommandHelp], *, is_organizer: bool) -> str:
    lines = [f"`{c.usage}`: {c.summary}" for c in commands if not c.organizers_only]
    text = "*What you can do*\n" + "\n".join(lines)
    if is_organizer:
        organizer_lines = [f"`{c.usage}`: {c.summary}" for c in commands if c.organizers_only]
        if organizer_lines:
            text += "\n\n*As an organizer*\n" + "\n".join(organizer_lines)
    return text


def help_blocks(
    commands: Sequence[CommandHelp], *, is_organizer: bool, preface: str | None = None
) -> list[Block]:
    blocks: list[Block] = []
    if preface:
        blocks.append(section(preface))
    blocks.append(section(help_text(commands, is_organizer=is_organizer)))
    blocks.append(
        context(
            "Reverse mentoring: early-career colleagues share new tools and trends, senior "
            "colleagues share how the business works. Both sides teach, both sides learn."
        )
    )
    return blocks
