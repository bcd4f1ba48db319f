"""Join, Edit and Leave buttons (the join form's submission is bot.slack.listeners.join_form).

Button values are plain ids: the program or participant is always looked up again within the
clicking user's workspace, and a participant's buttons work only for that participant.
Messages to other people go through the outbox in the same transaction as the change.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import enrolment, programs
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.enrolment import LeaveOutcome
from bot.models import Participant, ParticipantStatus
from bot.organizers import list_organizers
from bot.outbox.store import Message, enqueue
from bot.slack import ids
from bot.slack.blocks import enrolment as blocks
from bot.slack.blocks import participation
from bot.slack.commands.enrolment import COULD_NOT_OPEN, edit_view, join_view
from bot.slack.follow_ups import refresh_home
from bot.slack.interaction import (
    TRY_AGAIN,
    actor,
    clicked_id,
    open_modal,
)

log = logging.getLogger(__name__)

NOT_YOURS = "That button belongs to someone else's message, so I left it alone."
STAYING = "Glad you're staying! Nothing has changed."


def register(app: App, services: Services) -> None:
    """Register the Join, Edit and Leave buttons."""

    @app.action(ids.JOIN)
    def join_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        who, program_id = actor(body), clicked_id(body)
        try:
            with unit_of_work(services.sessions) as session:
                program = programs.get(session, who.team_id, program_id) if program_id else None
                refusal = enrolment.join_refusal(session, who.team_id, program, who.user_id)
                if refusal is not None:
                    text = blocks.refusal_text(refusal, program.name if program else None)
                else:
                    assert program is not None
                    view = join_view(session, program, who.user_id)
        except SQLAlchemyError:
            log.exception("database error on the Join button")
            _tell(body, client, respond, TRY_AGAIN)
            return
        if refusal is not None:
            _tell(body, client, respond, text)
        elif not open_modal(client, body["trigger_id"], view):
            _tell(body, client, respond, COULD_NOT_OPEN)

    @app.action(ids.PROFILE_EDIT)
    def edit_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        who, participant_id = actor(body), clicked_id(body)
        view = None
        try:
            with unit_of_work(services.sessions) as session:
                participant = enrolment.own_participant(
                    session, who.team_id, who.user_id, participant_id
                )
                if participant is None:
                    text = NOT_YOURS
                elif participant.status is not ParticipantStatus.ACTIVE:
                    text = participation.not_enrolled(participant.program.name)["text"]
                else:
                    view = edit_view(participant)
        except SQLAlchemyError:
            log.exception("database error on the Edit button")
            _tell(body, client, respond, TRY_AGAIN)
            return
        if view is None:
            _tell(body, client, respond, text)
        elif not open_modal(client, body["trigger_id"], view):
            _tell(body, client, respond, COULD_NOT_OPEN)

    def leave_clicked(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
    ) -> None:
        ack()
        who, participant_id = actor(body), clicked_id(body)
        erase = action.get("action_id") == ids.LEAVE_AND_ERASE
        planned = False
        try:
            with unit_of_work(services.sessions) as session:
                participant = enrolment.own_participant(
                    session, who.team_id, who.user_id, participant_id
                )
                if participant is not None:
                    outcome = enrolment.leave(
                        session, participant, erase=erase, now=services.clock.now()
                    )
                    if not outcome.already_left:
                        planned = tell_others_of_leaving(session, services, participant, outcome)
                    name = participant.program.name
        except SQLAlchemyError:
            log.exception("database error on a Leave button")
            respond(text=TRY_AGAIN, response_type="ephemeral", replace_original=False)
            return
        if planned:
            services.send_soon()
        if participant is None:
            respond(text=NOT_YOURS, response_type="ephemeral", replace_original=False)
            return
        text = participation.left_reply(
            name, erased=outcome.erased, already_left=outcome.already_left
        )
        respond(text=text, replace_original=True)
        refresh_home(services, who.team_id, who.user_id)

    app.action(ids.LEAVE_CONFIRM)(leave_clicked)
    app.action(ids.LEAVE_AND_ERASE)(leave_clicked)

    @app.action(ids.LEAVE_CANCEL)
    def stay_clicked(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text=STAYING, replace_original=True)


def tell_others_of_leaving(
    session: Session, services: Services, participant: Participant, outcome: LeaveOutcome
) -> bool:
    """Plan the kind word to the partners and the note to every organizer (also used when an
    admin erases someone from the command line)."""
    team, program = participant.team_id, participant.program
    now = services.clock.now()
    prefix = f"left:{participant.id}:{enrolment.joins_welcomed(session, participant)}"
    planned: list[tuple[str, Message]] = []
    partners = outcome.partner_user_ids
    if partners and outcome.channel_id:
        told = participation.partner_left_message(
            participant.user_id, program.name, partners, in_pair_conversation=True
        )
        key = f"{prefix}:pair:{outcome.pairing_id}"
        planned.append((key, Message(outcome.channel_id, told["text"], told["blocks"])))
    else:
        for partner in partners:
            told = participation.partner_left_message(
                participant.user_id, program.name, [partner], in_pair_conversation=False
            )
            planned.append(
                (f"{prefix}:partner:{partner}", Message(partner, told["text"], told["blocks"]))
            )
    note = participation.organizer_told_message(
        participant.user_id, program.name, participant.role, partners, erased=outcome.erased
    )
    for organizer, _ in list_organizers(session, team, services.settings.organizers):
        if organizer != participant.user_id:
            message = Message(organizer, note["text"], note["blocks"])
            planned.append((f"{prefix}:organizer:{organizer}", message))
    for key, message in planned:
        enqueue(
            session, team_id=team, key=key, message=message, not_before=now, program_id=program.id
        )
    return bool(planned)


def _tell(body: dict[str, Any], client: WebClient, respond: Respond | None, text: str) -> None:
    """Answer the clicker: under the message clicked, or in a small modal from the Home tab."""
    try:
        if respond is not None and respond.response_url:
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif body.get("trigger_id"):
            client.views_open(
                trigger_id=body["trigger_id"], view=blocks.notice_view("Mentoring", text)
            )
    except SlackApiError:
        log.warning("could not tell %s: %s", body.get("user", {}).get("id"), text)
