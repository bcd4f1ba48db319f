"""Buttons and modal submissions for reports (being built)."""

from __future__ import annotations

from slack_bolt import App

from bot.bootstrap import Services


def register(app: App, services: Services) -> None:
    """Register this feature's action and view listeners."""
