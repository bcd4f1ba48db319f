"""The program report in Slack: build it after the ack, send it to the organizer's DM with its
chart and CSV, and Run again.

The CSV goes only to the organizer's own DM, so it carries private check-in comments; a copy
meant for a channel would have to be made with `include_private=False`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot import programs
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.report_chart import render_chart
from bot.reports import build_report, csv_export, run_again
from bot.slack import ids
from bot.slack.blocks.reports import (
    REPORT_PROGRAM,
    chart_alt_text,
    cohort_created,
    report_message,
)
from bot.slack.interaction import (
    ORGANIZERS_ONLY,
    TRY_AGAIN,
    Actor,
    acting_organizer,
    actor,
    int_or_none,
)
from bot.slack.listeners.home import publish_home

log = logging.getLogger(__name__)

GONE = "That program no longer exists."


def run_report(services: Services, client: WebClient, who: Actor, program_id: int) -> None:
    """Figures, chart and CSV (seconds for a big program: called after the ack), posted to
    the organizer's DM: the summary first, then both files in the same conversation."""
    now = services.clock.now()
    try:
        with unit_of_work(services.sessions) as session:
            program = programs.get(session, who.team_id, program_id)
            if program is None:
                client.chat_postMessage(channel=who.user_id, text=GONE)
                return
            report = build_report(session, program, now)
            # The DM is the organizer's alone: private comments belong in this copy.
            csv_text = csv_export(session, program, include_private=True)
    except SQLAlchemyError:
        log.exception("building the report of program %s failed", program_id)
        client.chat_postMessage(channel=who.user_id, text=TRY_AGAIN)
        return
    text, blocks = report_message(report)
    posted = client.chat_postMessage(channel=who.user_id, text=text, blocks=blocks)
    stem = f"report-{report.program_id}-{now:%Y-%m-%d}"
    files: list[dict[str, Any]] = []
    if report.weeks:  # no chart before the program's first week
        try:
            png = render_chart(report)
        except Exception:  # a chart is worth having, not worth losing the CSV for
            log.exception("drawing the chart of program %s failed", program_id)
        else:
            files.append(
                {
                    "content": png,
                    "filename": f"{stem}.png",
                    "title": f"{report.program_name}: meetings and mood, week by week",
                    "alt_txt": chart_alt_text(report),
                }
            )
    files.append(
        {
            "content": csv_text,
            "filename": f"{stem}.csv",
            "title": f"{report.program_name}: pairings, meetings and check-ins",
        }
    )
    client.files_upload_v2(
        channel=posted["channel"],
        file_uploads=files,
        initial_comment="The CSV holds private check-in comments: organizers only, please.",
    )


def register(app: App, services: Services) -> None:
    """Register this feature's action and view listeners."""

    def tell(client: WebClient, body: dict[str, Any], respond: Respond, text: str) -> None:
        if body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        else:
            client.chat_postMessage(channel=actor(body).user_id, text=text)

    @app.action(re.compile(f"^{REPORT_PROGRAM}(:\\d+)?$"))
    def pick(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        who = actor(body)
        if not acting_organizer(services, who):
            tell(client, body, respond, ORGANIZERS_ONLY)
            return
        program_id = int_or_none(body["actions"][0].get("value")) or 0
        tell(client, body, respond, "Putting the report together… I'll send it to you shortly.")
        services.later(lambda: run_report(services, client, who, program_id))

    @app.action(ids.RUN_AGAIN)
    def again(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        who = actor(body)
        if not acting_organizer(services, who):
            tell(client, body, respond, ORGANIZERS_ONLY)
            return
        program_id = int_or_none(body["actions"][0].get("value")) or 0
        try:
            made = _run_again(services, who, program_id)
        except SQLAlchemyError:
            log.exception("Run again failed for program %s", program_id)
            tell(client, body, respond, TRY_AGAIN)
            return
        if made is None:
            tell(client, body, respond, GONE)
            return
        client.chat_postMessage(channel=who.user_id, text=made[0], blocks=made[1])
        publish_home(services, client, who.team_id, who.user_id)


def _run_again(services: Services, who: Actor, program_id: int) -> tuple[str, list[Any]] | None:
    """The next cohort's draft and what to say about it; None when the program is not one of
    the clicker's workspace (gone, or a tampered button). Two clicks at once may pick the same
    name: the loser tries once more and gets the next number."""
    for attempt in range(2):
        try:
            with unit_of_work(services.sessions) as session:
                source = programs.get(session, who.team_id, program_id)
                if source is None:
                    return None
                cohort = run_again(session, source, who.user_id, services.clock.now())
                return cohort_created(source, cohort)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")
