"""The `/mentoring` slash command: acknowledge with the subcommand's ephemeral reply.

Slack shows an error unless the command is acknowledged within 3 seconds. A subcommand that
`answers_later` (status) is acknowledged at once, silently, and its reply follows through the
command's response_url. Any other that is not done within `ACK_BUDGET_SECONDS` (on a database
in trouble, say) is acknowledged with a short "working on it"; its reply follows the same way.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.organizers import is_organizer
from bot.slack.commands import SUBCOMMANDS
from bot.slack.commands.router import COMMAND, CommandContext, answers_later, dispatch
from bot.slack.interaction import SOMETHING_WRONG, TRY_AGAIN

log = logging.getLogger(__name__)

ACK_BUDGET_SECONDS = 2.0  # Slack allows 3 s, network and queueing included
WORKING = "Working on it… I'll post the answer here in a moment."
RESPONSE_FIELDS = ("text", "blocks", "attachments", "unfurl_links", "unfurl_media")


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    def mentoring(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        answer = _Answer(ack, respond)
        if answers_later(command.get("text", ""), SUBCOMMANDS):
            answer.acknowledge_for_now(quietly=True)
        deadline = threading.Timer(ACK_BUDGET_SECONDS, answer.acknowledge_for_now)
        deadline.daemon = True
        deadline.start()
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
        finally:
            deadline.cancel()
        answer.reply(reply)


class _Answer:
    """One command's answer: in the acknowledgement when it is ready in time, else after it."""

    def __init__(self, ack: Ack, respond: Respond) -> None:
        self._ack, self._respond = ack, respond
        self._lock = threading.Lock()
        self._acknowledged = False

    def acknowledge_for_now(self, *, quietly: bool = False) -> None:
        """Acknowledge before the answer is ready, so Slack does not time out; `quietly` when
        the answer is expected within moments, so there is no "working on it" to read first."""
        with self._lock:
            if self._acknowledged:
                return
            self._acknowledged = True
            if quietly:
                self._ack()
            else:
                self._ack(response_type="ephemeral", text=WORKING)

    def reply(self, reply: dict[str, Any] | None) -> None:
        """None: the subcommand opened a modal, so there is nothing to say."""
        with self._lock:
            late = self._acknowledged
            self._acknowledged = True
            if not late:
                if reply is None:
                    self._ack()
                else:
                    self._ack(response_type="ephemeral", **reply)
        if late and reply is not None:
            message = {k: v for k, v in reply.items() if k in RESPONSE_FIELDS}
            try:
                sent = self._respond(response_type="ephemeral", replace_original=False, **message)
            except Exception:  # Slack out of reach: nothing more can be done for this command
                log.warning("could not send a late %s reply", COMMAND, exc_info=True)
                return
            if sent.status_code != 200:
                log.warning("Slack refused a late %s reply: %s", COMMAND, sent.body[:200])
