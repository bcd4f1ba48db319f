"""Builds the Bolt app around our services."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App, BoltResponse, Respond
from slack_sdk import WebClient

from bot.bootstrap import Services, build_services
from bot.config import Settings
from bot.slack import unavailable
from bot.slack.deferral import Deferral, ThreadDeferral, Work, install_front
from bot.slack.guard import install_guard
from bot.slack.listeners import register_listeners
from bot.slack.sanitize import install_sanitizer

log = logging.getLogger(__name__)

FRONT_THREADS = 16  # as many as the HTTP server has (bot.slack.http)


def build_app(
    services: Services, *, verify_token: bool = True, deferral: Deferral | None = None
) -> App:
    """The bot's front app: it answers Slack, and hands what can wait to `deferral` (by default
    a work app on threads of this process). With `verify_token`, Slack is asked (auth.test)
    whether the token works before anything is served."""
    app = _bolt_app(
        services,
        token_verification_enabled=verify_token,
        # A listener acknowledges, then finishes its work; a thread for each request in hand.
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(FRONT_THREADS, thread_name_prefix="listener"),
    )
    deferral = deferral or ThreadDeferral(build_work(services))
    services.hand_over = deferral.follow_up
    install_guard(app, services)
    install_sanitizer(app)
    install_front(app, services, deferral)
    register_listeners(app, services)
    return app


def build_work_app(services: Services) -> App:
    """The same listeners for requests the front has acknowledged and checked already (its
    signature, its workspace, a redelivery): each runs to its end on the calling thread."""
    app = _bolt_app(
        services,
        token_verification_enabled=False,
        process_before_response=True,
        request_verification_enabled=False,  # a request may wait here longer than 5 minutes
        acknowledged=True,
    )
    install_sanitizer(app)
    register_listeners(app, services)
    return app


def build_work(services: Services) -> Work:
    return Work(build_work_app(services), services)


def work_for(settings: Settings) -> Work:
    """The work process's side (bot.slack.deferral), from the front's settings."""
    return build_work(build_services(settings))


def _bolt_app(services: Services, *, acknowledged: bool = False, **options: Any) -> App:
    """`acknowledged`: every request was acknowledged before it came here."""
    app = App(
        client=services.client,
        signing_secret=services.settings.slack_signing_secret or "",
        raise_error_for_unhandled_request=False,
        **options,
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
        """A friendly reply where the person acted; in the front, `response` is None once the
        listener acknowledged."""
        if response is None:
            unavailable.keep_acknowledgement(ack)
        return unavailable.answer(
            error,
            body if isinstance(body, dict) else {},
            acknowledged=acknowledged or response is None,
            respond=respond,
            client=client,
        )

    return app
