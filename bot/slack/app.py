"""Builds the Bolt app around our services."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltResponse, Respond
from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.slack import unavailable
from bot.slack.guard import install_guard
from bot.slack.listeners import register_listeners
from bot.slack.sanitize import install_sanitizer

log = logging.getLogger(__name__)


def build_app(services: Services, *, verify_token: bool = True) -> App:
    """The bot's Bolt app. With `verify_token`, Slack is asked (auth.test) whether the token
    works before anything is served."""
    app = App(
        client=services.client,
        signing_secret=services.settings.slack_signing_secret or "",
        token_verification_enabled=verify_token,
        # Listeners ack first; slow work then runs on Bolt's worker threads.
        process_before_response=False,
        raise_error_for_unhandled_request=False,
    )

    @app.error
    def on_error(
        error: Exception,
        body: dict[str, Any],
        response: BoltResponse | None,
        respond: Respond | None,
        client: WebClient | None,
        ack: Ack | None,
    ) -> BoltResponse | None:
        """A friendly reply where the person acted; `response` is None once acknowledged."""
        if response is None:
            unavailable.keep_acknowledgement(ack)
        return unavailable.answer(
            error,
            body if isinstance(body, dict) else {},
            acknowledged=response is None,
            respond=respond,
            client=client,
        )

    install_guard(app, services)
    install_sanitizer(app)
    register_listeners(app, services)
    return app
