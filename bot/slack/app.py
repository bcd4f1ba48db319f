"""Builds the Bolt app around our services."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse

from bot.bootstrap import Services
from bot.slack.guard import install_guard
from bot.slack.listeners import register_listeners

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
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        log.error(
            "unhandled error for a %s request",
            body.get("type") or body.get("command") or "Slack",
            exc_info=error,
        )
        return BoltResponse(status=200, body="")

    install_guard(app, services)
    register_listeners(app, services)
    return app
