"""`/mentoring` subcommands for reports (being built)."""

from __future__ import annotations

from bot.slack.commands.router import Subcommand

SUBCOMMANDS: list[Subcommand] = []
