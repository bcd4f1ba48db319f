"""Events API listeners."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.enrolment import mark_deactivated
from bot.slack.listeners.home import publish_home


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(services, client, body["team_id"], event["user"])

    @app.event("user_change")
    def user_changed(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user") or {}
        if not user.get("deleted") or not user.get("id"):
            return
        with unit_of_work(services.sessions) as session:
            mark_deactivated(session, body["team_id"], user["id"], services.clock.now())
