"""Events API listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.organizers import is_organizer
from bot.slack.blocks.home import welcome_home

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]
        with unit_of_work(services.sessions) as session:
            organizer = is_organizer(
                session, body["team_id"], user_id, services.settings.organizers
            )
        client.views_publish(user_id=user_id, view=welcome_home(is_organizer=organizer))
