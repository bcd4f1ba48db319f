"""Listeners grouped by Slack surface; `register_listeners` is the one place they are wired."""

from __future__ import annotations

from slack_bolt import App

from bot.bootstrap import Services
from bot.slack.listeners import commands, events


def register_listeners(app: App, services: Services) -> None:
    commands.register(app, services)
    events.register(app, services)
