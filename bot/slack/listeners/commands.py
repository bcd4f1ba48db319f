"""The `/mentoring` slash command: acknowledge with the subcommand's ephemeral reply."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.organizers import is_organizer
from bot.slack.commands import SUBCOMMANDS
from bot.slack.commands.router import COMMAND, CommandContext, dispatch
from bot.slack.interaction import SOMETHING_WRONG, TRY_AGAIN

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    def mentoring(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        try:
            with unit_of_work(services.sessions) as session:
                organizer = is_organizer(
                    session, command["team_id"], command["user_id"], services.settings.organizers
                )
            ctx = CommandContext(
                team_id=command["team_id"],
                user_id=command["user_id"],
                channel_id=command.get("channel_id", ""),
                trigger_id=command.get("trigger_id", ""),
                args=command.get("text", ""),
                is_organizer=organizer,
                services=services,
                client=client,
                respond=respond,
            )
            reply = dispatch(ctx, SUBCOMMANDS)
        except SQLAlchemyError:
            log.exception("database error in %s", COMMAND)
            reply = {"text": TRY_AGAIN}
        except Exception:
            log.exception("error in %s", COMMAND)
            reply = {"text": SOMETHING_WRONG}
        if reply is None:  # the subcommand opened a modal: nothing to say
            ack()
        else:
            ack(response_type="ephemeral", **reply)
