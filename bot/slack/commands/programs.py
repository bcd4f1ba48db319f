"""`/mentoring program new | edit [name]` and `/mentoring announce #channel` (being built)."""

from __future__ import annotations

from bot.slack.commands.router import Subcommand

SUBCOMMANDS: list[Subcommand] = []
