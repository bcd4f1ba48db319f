"""The kickoff's buttons and form, and the sponsor and kickoff fields of the program modal.

- **I'll be there / Can't make it** (on the invitation and the reminder): record the answer and
  redraw the clicked message in place. The calendar file came with the invitation.
- **The kickoff modal** (`/mentoring kickoff`): organizers only; a kickoff in the past is
  refused on its field and nothing is stored; invitations are planned in the same transaction
  and sent at once.
- `sponsor_person`, `leadership_fields` and `apply_leadership` serve the program modal's
  submission, so it checks and stores the sponsor and the kickoff with the rest of the program.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import kickoff, programs, sponsor
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.kickoff import KickoffError, KickoffInput, KickoffInvalid, ValidKickoff
from bot.models import KickoffAnswer, Program, ProgramStatus
from bot.slack import ids
from bot.slack.blocks import kickoff as blocks
from bot.slack.interaction import (
    ORGANIZERS_ONLY,
    TRY_AGAIN,
    acting_organizer,
    actor,
    fetch_profile,
    field_errors,
    int_or_none,
    tell_where_clicked,
    text_value,
    view_metadata,
    view_values,
)
from bot.slack.planners.kickoff import invite, remind
from bot.sponsor import SlackUser, SponsorInvalid, ValidSponsor

log = logging.getLogger(__name__)

CANNOT_CHECK = "I couldn't check that person with Slack just now; please try again."


def sponsor_person(client: WebClient, user_id: Any) -> SlackUser | None:
    """What Slack says of the person picked as sponsor (None: nobody picked). An unknown user
    comes back as not found; other Slack errors are raised for the caller to report."""
    if not isinstance(user_id, str) or not user_id:
        return None
    if not sponsor.USER_ID.fullmatch(user_id):
        return SlackUser(user_id, found=False)
    profile = fetch_profile(client, user_id)
    if profile is None:
        return SlackUser(user_id, found=False)
    return SlackUser(
        user_id,
        found=True,
        deleted=profile.deleted,
        is_bot=profile.is_bot or user_id == "USLACKBOT",
        timezone=profile.timezone,
    )


def kickoff_input(values: dict[str, Any], timezone: str) -> KickoffInput:
    return KickoffInput(
        day=values.get(kickoff.DATE),
        at=values.get(kickoff.TIME),
        timezone=timezone,
        place=text_value(values, kickoff.PLACE),
        agenda=text_value(values, kickoff.AGENDA),
        followup=text_value(values, kickoff.FOLLOWUP),
    )


def leadership_fields(
    values: dict[str, Any],
    person: SlackUser | None,
    timezone: str,
    *,
    now: datetime,
    editing: Program | None,
) -> tuple[ValidSponsor, ValidKickoff] | dict[str, str]:
    """The program modal's sponsor and kickoff fields, checked: valid values, or every error
    by field."""
    errors: dict[str, str] = {}
    valid_sponsor = valid_kickoff = None
    try:
        valid_sponsor = sponsor.validate(person, text_value(values, sponsor.MESSAGE))
    except SponsorInvalid as invalid:
        errors.update(invalid.errors)
    try:
        valid_kickoff = kickoff.validate(kickoff_input(values, timezone), now=now, current=editing)
    except KickoffInvalid as invalid:
        errors.update(invalid.errors)
    if errors or valid_sponsor is None or valid_kickoff is None:
        return errors
    return valid_sponsor, valid_kickoff


def apply_leadership(
    session: Session,
    program: Program,
    valid: tuple[ValidSponsor, ValidKickoff],
    now: datetime,
) -> int:
    """Store the sponsor and the kickoff; plan the invitations now due (how many)."""
    sponsor.apply(program, valid[0])
    kickoff.apply(session, program, valid[1])
    session.flush()
    invited = invite(session, program, now)
    remind(session, program, now)
    return invited


def register(app: App, services: Services) -> None:
    def answer(choice: KickoffAnswer) -> Callable[..., None]:
        def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            ack()
            who = actor(body)
            clicked = (body.get("actions") or [{}])[0]
            parsed = kickoff.parse_token(clicked.get("value"))
            now = services.clock.now()
            try:
                with unit_of_work(services.sessions) as session:
                    if parsed is None:
                        raise KickoffError("That button is out of date.")
                    program = programs.get(session, who.team_id, parsed[0])
                    kickoff.record_reply(
                        session, program, who.user_id, choice, stamp=parsed[1], now=now
                    )
                    assert program is not None
                    text, message_blocks = blocks.redraw(program, clicked.get("block_id"), choice)
            except KickoffError as error:
                tell_where_clicked(body, client, respond, str(error))
                return
            except SQLAlchemyError:
                log.exception("recording a kickoff reply failed")
                tell_where_clicked(body, client, respond, TRY_AGAIN)
                return
            container = body.get("container") or {}
            channel = container.get("channel_id")
            if channel and container.get("message_ts"):
                try:
                    client.chat_update(
                        channel=channel,
                        ts=container["message_ts"],
                        text=text,
                        blocks=message_blocks,
                    )
                except SlackApiError:
                    log.warning("could not redraw the kickoff message of %s", who.user_id)

        return listener

    app.action(ids.KICKOFF_GOING)(answer(KickoffAnswer.GOING))
    app.action(ids.KICKOFF_NOT_GOING)(answer(KickoffAnswer.NOT_GOING))

    @app.view(ids.KICKOFF_MODAL)
    def submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        who = actor(body)
        view = body["view"]
        metadata = view_metadata(view)
        program_id = int_or_none(metadata.get("program_id"))
        timezone = str(metadata.get("tz") or "UTC")
        data = kickoff_input(view_values(view), timezone)
        now = services.clock.now()
        try:
            if not acting_organizer(services, who):
                ack(field_errors({kickoff.DATE: ORGANIZERS_ONLY}))
                return
            with unit_of_work(services.sessions) as session:
                program = programs.get(session, who.team_id, program_id) if program_id else None
                if program is None or program.status is ProgramStatus.ENDED:
                    raise KickoffInvalid(
                        {kickoff.DATE: "That program has ended or no longer exists."}
                    )
                valid = kickoff.validate(data, now=now, current=program)
                moved = kickoff.apply(session, program, valid)
                session.flush()
                invited = invite(session, program, now)
                remind(session, program, now)
                text = blocks.saved(program, moved=moved, invited=invited)
        except KickoffInvalid as invalid:
            ack(field_errors(invalid.errors))
            return
        except SQLAlchemyError:
            log.exception("saving a kickoff failed")
            ack(field_errors({kickoff.DATE: TRY_AGAIN}))
            return
        ack()
        if invited:
            services.send_soon()
        client.chat_postMessage(channel=who.user_id, text=text)
