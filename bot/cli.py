"""`python app.py [migrate | tick | invite]` (also the `mentoring-bot` console script).

Every failure an admin can fix ends in one line on stderr and a non-zero exit, no traceback.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from types import FrameType

import sqlalchemy as sa
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError

from bot.bootstrap import Services, build_services
from bot.clock import FixedClock, SystemClock, parse_instant
from bot.config import ConfigError, Settings, load_settings
from bot.db import DatabaseUnavailable, check_connection, safe_url
from bot.migrate import head_revision, upgrade
from bot.scheduler import start_scheduler

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
    commands = parser.add_subparsers(dest="command", metavar="{migrate,tick,invite,erase}")
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
    invite = commands.add_parser(
        "invite",
        help="invite the people in an HR export (CSV) to a program",
        description="Invite everyone in a CSV file to a program: each gets a direct message "
        "explaining it, with a Join button. The file needs a header line with an 'email' "
        "column; 'role' (mentor or mentee) and 'department' columns are optional. If any row "
        "is malformed nobody is invited; unknown addresses and deactivated people are reported "
        "and skipped. Inviting someone again never sends a second message.",
    )
    invite.add_argument("--program", required=True, metavar="NAME", help="the program's name")
    invite.add_argument(
        "--csv", required=True, metavar="FILE", dest="csv_path", help="the CSV file (UTF-8)"
    )
    erase = commands.add_parser(
        "erase",
        help="erase what a person typed, in every program",
        description="For someone who cannot run '/mentoring leave' themselves: they leave "
        "every program they are in (their partner and the organizers are told, as when they "
        "leave), and everything they typed is blanked: answers, goals, check-in comments, "
        "survey answers, wins, what they asked an organizer, the meetings they proposed or "
        "logged, and the email address an HR export gave. Numbers (minutes, moods, scores) "
        "stay so reports still add up. Safe to run again.",
    )
    erase.add_argument(
        "--user", required=True, metavar="SLACK_ID", help="the person's Slack member id (U...)"
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
        if args.command == "invite":
            return invite_command(settings, args.program, args.csv_path)
        if args.command == "erase":
            return erase_command(settings, args.user)
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
    report = services.tick()
    print(report.summary())
    return 1 if report.failures else 0


def erase_command(settings: Settings, user_id: str) -> int:
    from bot import erasure
    from bot.config import USER_ID
    from bot.db import unit_of_work
    from bot.slack.listeners.enrolment import tell_others_of_leaving

    if not settings.slack_bot_token:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: erasing tells the person's partner and the organizers, "
            "so it needs the bot token (xoxb-...) from your Slack app's 'OAuth & Permissions' "
            "page"
        )
    if not USER_ID.match(user_id):
        raise Stop(f"--user must be a Slack member id such as U012AB3CD (got '{user_id}')", 2)
    services = _ready_database(settings)
    team_id = _workspace(services)
    with unit_of_work(services.sessions) as session:
        erased = erasure.erase_person(session, team_id, user_id, services.clock.now())
        for entry in erased:
            if not entry.outcome.already_left:
                tell_others_of_leaving(session, services, entry.participant, entry.outcome)
        lines = [
            f"{entry.participant.program.name}: "
            + ("erased (had already left)" if entry.outcome.already_left else "left and erased")
            for entry in erased
        ]
    for line in lines or [f"{user_id} is in no program; only invitations were checked"]:
        print(line)
    services.outbox.send_due()
    return 0


def _workspace(services: Services) -> str:
    """The workspace the token belongs to: every row is scoped by it."""
    try:
        return str(services.client.auth_test()["team_id"])
    except SlackApiError as error:
        raise Stop(
            f"Slack did not accept SLACK_BOT_TOKEN ({error.response.get('error')}); copy the "
            "bot token again from your Slack app's 'OAuth & Permissions' page"
        ) from None
    except OSError as error:
        raise Stop(f"cannot reach Slack at {services.settings.slack_api_url} ({error})") from None


def invite_command(settings: Settings, program: str, csv_path: str) -> int:
    """Invite an HR export: check the whole file first, then look people up, then invite."""
    from bot import invitations, programs
    from bot.db import unit_of_work
    from bot.models import Delivery, DeliveryStatus
    from bot.slack.blocks.invitations import invitation_message
    from bot.slack.listeners.invitations import SlackDirectory, lookup_failed_text

    if not settings.slack_bot_token:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: inviting looks people up in Slack and messages them, "
            "so it needs the bot token (xoxb-...) from your Slack app's 'OAuth & Permissions' "
            "page"
        )
    parsed = invitations.parse_csv(_read_text(csv_path))
    if parsed.problems:
        for problem in parsed.problems:
            print(f"error: {csv_path}: {problem}", file=sys.stderr)
        print("nobody was invited: fix the file and run the command again", file=sys.stderr)
        return EXIT_CONFIG
    services = _ready_database(settings)
    team_id = _workspace(services)
    with unit_of_work(services.sessions) as session:
        found = programs.find_by_name(session, team_id, program)
        known = [p.name for p in programs.list_programs(session, team_id)]
    if found is None:
        listed = f" (programs: {', '.join(known)[:300]})" if known else " (there are none yet)"
        raise Stop(f"there is no program called '{program}'{listed}", EXIT_CONFIG)
    if reason := invitations.refusal(found):
        raise Stop(reason, EXIT_CONFIG)
    try:
        resolved = invitations.resolve(parsed.rows, SlackDirectory(services.client))
    except invitations.DirectoryUnavailable as error:
        raise Stop(lookup_failed_text(error).replace("`", "")) from None
    try:
        with unit_of_work(services.sessions) as session:
            target = programs.get(session, team_id, found.id)
            if target is None:
                raise invitations.InvitationRefused(f"the program '{program}' was just deleted")
            report = invitations.invite(
                session,
                target,
                resolved,
                "cli",
                services.clock.now(),
                message=invitation_message(target, None),
            )
    except invitations.InvitationRefused as refused:
        raise Stop(str(refused), EXIT_CONFIG) from None
    print(f"Invitations to {report.program_name}:")
    for result in report.results:
        print(f"  line {result.row.line}: {result.row.email}: {result.outcome.value}")
    print(report.summary())
    if not report.invited:
        return 0
    services.outbox.send_due()
    keys = [invitations.delivery_key(report.program_id, user) for user in report.invited]
    with unit_of_work(services.sessions) as session:
        sent = session.scalar(
            sa.select(sa.func.count())
            .select_from(Delivery)
            .where(
                Delivery.team_id == team_id,
                Delivery.key.in_(keys),
                Delivery.status == DeliveryStatus.SENT,
            )
        )
    print(f"sent {sent} of {len(keys)} invitation(s)")
    if sent != len(keys):
        print(
            f"{len(keys) - sent} invitation(s) not sent yet: the running bot will retry them",
            file=sys.stderr,
        )
    return 0


def _read_text(path: str) -> str:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise Stop(f"cannot find the file {path}", EXIT_CONFIG) from None
    except OSError as error:
        raise Stop(f"cannot read {path} ({error.strerror})", EXIT_CONFIG) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise Stop(
            f"{path} is not UTF-8 text (line {line} has a character in another encoding); "
            "save it from your spreadsheet as 'CSV UTF-8' and run again",
            EXIT_CONFIG,
        ) from None


def serve_command(settings: Settings) -> int:
    settings.require_slack()
    services = _ready_database(settings)
    from bot.slack.app import build_app, work_for  # Bolt is only needed to serve
    from bot.slack.deferral import ProcessDeferral

    deferral = ProcessDeferral(partial(work_for, settings))
    try:
        app = build_app(services, deferral=deferral)
    except BoltError as error:
        deferral.close()
        raise Stop(
            f"Slack did not accept SLACK_BOT_TOKEN ({error}); copy the bot token again from "
            "your Slack app's 'OAuth & Permissions' page"
        ) from None

    def tick() -> None:
        report = services.tick()
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
        deferral.close()
        services.seen.close()
    return 0


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
