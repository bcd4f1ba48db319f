"""Publishing the Home tab (on `app_home_opened` and after changes a person makes)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.home import home_summary
from bot.organizers import is_organizer
from bot.slack.blocks.home import home_view


def publish_home(services: Services, client: WebClient, team_id: str, user_id: str) -> None:
    with unit_of_work(services.sessions) as session:
        organizer = is_organizer(session, team_id, user_id, services.settings.organizers)
        summary = home_summary(
            session, team_id, user_id, organizer=organizer, now=services.clock.now()
        )
        view = home_view(summary, is_organizer=organizer)
    client.views_publish(user_id=user_id, view=view)
