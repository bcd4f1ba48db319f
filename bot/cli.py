"""`python app.py [migrate | tick]` (also the `mentoring-bot` console script).

Every failure an admin can fix ends in one line on stderr and a non-zero exit, no traceback.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from slack_bolt.error import BoltError

from bot.bootstrap import Services, build_services
from bot.clock import FixedClock, SystemClock, parse_instant
from bot.config import ConfigError, Settings, load_settings
from bot.db import DatabaseUnavailable, check_connection, safe_url
from bot.migrate import head_revision, upgrade
from bot.scheduler import run_tick, start_scheduler

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 1


class Stop(Exception):
    """A problem the admin can fix; the message is the one line to show."""

    def __init__(self, message: str, code: int = EXIT_UNAVAILABLE) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python app.py",
        description="Reverse mentoring bot for Slack. With no command: migrate the database, "
        "start the scheduler and serve Slack (Socket Mode if SLACK_APP_TOKEN is set, else HTTP "
        "on PORT at /slack/events). Settings come from the environment and .env.",
    )
    commands = parser.add_subparsers(dest="command", metavar="{migrate,tick}")
    commands.add_parser(
        "migrate",
        help="bring the database schema to the newest revision",
        description="Bring the database at DATABASE_URL to the newest schema revision. "
        "Safe to run again, and from several replicas at once.",
    )
    tick = commands.add_parser(
        "tick",
        help="run one scheduler pass and exit",
        description="Run one scheduler pass (plan what is due, apply the health rules, send "
        "the outbox) at an instant, then exit.",
    )
    tick.add_argument(
        "--now",
        metavar="ISO-8601",
        help="the instant to run at, e.g. 2026-12-07T09:30:00+01:00 (no offset means UTC; "
        "default: the current time)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_settings()
        if args.command == "migrate":
            return migrate_command(settings)
        if args.command == "tick":
            return tick_command(settings, args.now)
        return serve_command(settings)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except Stop as error:
        print(f"error: {error}", file=sys.stderr)
        return error.code


def _ready_database(settings: Settings, services: Services | None = None) -> Services:
    services = services or build_services(settings)
    try:
        check_connection(services.engine)
    except DatabaseUnavailable as error:
        raise Stop(str(error)) from None
    upgrade(services.engine)
    return services


def migrate_command(settings: Settings) -> int:
    _ready_database(settings)
    print(f"database {safe_url(settings.database_url)} is at revision {head_revision()} (newest)")
    return 0


def tick_command(settings: Settings, now_text: str | None) -> int:
    if not settings.slack_bot_token:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: the tick sends messages, so it needs the bot token "
            "(xoxb-...) from your Slack app's 'OAuth & Permissions' page"
        )
    if now_text is None:
        clock: FixedClock | SystemClock = SystemClock()
    else:
        try:
            clock = FixedClock(parse_instant(now_text))
        except ValueError:
            raise Stop(
                f"--now must be an ISO-8601 instant such as 2026-12-07T09:30:00+01:00 "
                f"(got '{now_text}')",
                EXIT_CONFIG,
            ) from None
    services = _ready_database(settings, build_services(settings, clock=clock))
    report = run_tick(services.sessions, services.sender(), services.clock)
    print(report.summary())
    return 1 if report.failures else 0


def serve_command(settings: Settings) -> int:
    settings.require_slack()
    services = _ready_database(settings)
    from bot.slack.app import build_app  # Bolt is only needed to serve

    try:
        app = build_app(services)
    except BoltError as error:
        raise Stop(
            f"Slack did not accept SLACK_BOT_TOKEN ({error}); copy the bot token again from "
            "your Slack app's 'OAuth & Permissions' page"
        ) from None
    sender = services.sender()

    def tick() -> None:
        report = run_tick(services.sessions, sender, services.clock)
        if report.planned or report.send.sent or report.send.failed or report.failures:
            log.info(report.summary())

    scheduler = start_scheduler(tick, settings.tick_seconds)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("serving Slack in Socket Mode")
            SocketModeHandler(app, settings.slack_app_token).start()
        else:
            from bot.slack.http import SlackWsgiApp, make_server

            server = make_server(
                SlackWsgiApp(app, services.engine, settings.slack_signing_secret or ""),
                "0.0.0.0",
                settings.port,
            )
            log.info("serving Slack over HTTP on port %s at /slack/events", settings.port)
            server.run()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        scheduler.shutdown(wait=False)
    return 0


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
