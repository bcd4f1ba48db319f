"""Join, Edit and Leave buttons, and the join modal's submission.

Button values are plain ids: the program or participant is always looked up again within the
clicking user's workspace, and a participant's buttons work only for that participant.
Messages to other people go through the outbox in the same transaction as the change.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import enrolment, programs
from bot.bootstrap import Services
from bot.db import starts_with, unit_of_work
from bot.enrolment import AnswersInvalid, JoinAnswers, JoinRefused, LeaveOutcome, NotActive
from bot.models import Delivery, Participant, ParticipantStatus
from bot.organizers import list_organizers
from bot.outbox.store import Message, enqueue
from bot.slack import ids
from bot.slack.blocks import enrolment as blocks
from bot.slack.blocks import participation
from bot.slack.commands.enrolment import COULD_NOT_OPEN, edit_view, join_view
from bot.slack.follow_ups import refresh_home
from bot.slack.interaction import (
    TRY_AGAIN,
    Actor,
    SlackProfile,
    actor,
    clicked_id,
    fetch_profile,
    field_errors,
    open_modal,
    text_value,
    view_metadata,
    view_values,
)

log = logging.getLogger(__name__)

NOT_YOURS = "That button belongs to someone else's message, so I left it alone."
STAYING = "Glad you're staying! Nothing has changed."
EXPIRED = "This form has expired. Please start again with `/mentoring join`."


def register(app: App, services: Services) -> None:
    """Register the enrolment buttons and the join modal's submission."""

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
                participant = _own(session, who, participant_id)
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
                participant = _own(session, who, participant_id)
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

    @app.view(ids.JOIN_MODAL)
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        who = actor(body)
        metadata = view_metadata(view.get("private_metadata"))
        answers = answers_from_values(view_values(view))
        try:
            profile = fetch_profile(services.answering, who.user_id)
        except (SlackApiError, OSError):  # an API error, or Slack out of reach
            log.exception("users.info failed while saving the join modal")
            ack(**field_errors({enrolment.CONSENT: "I couldn't reach Slack; please try again."}))
            return
        planned = False
        try:
            with unit_of_work(services.sessions) as session:
                if "participant_id" in metadata:
                    answer = _save_edit(session, who, metadata["participant_id"], answers, profile)
                elif "program_id" in metadata:
                    answer, planned = _join(
                        session, services, who, metadata["program_id"], answers, profile
                    )
                else:
                    answer = _notice("Join the program", EXPIRED)
                if answer.get("response_action") == "errors":
                    session.rollback()
        except SQLAlchemyError:
            log.exception("database error saving the join modal")
            ack(**field_errors({enrolment.CONSENT: TRY_AGAIN}))
            return
        ack(**answer)
        # Modal submissions are answered here in the front: what follows goes to the work app.
        if planned:
            services.follow_up("send")
        if answer.get("response_action") != "errors":
            services.follow_up("home", who.team_id, who.user_id)


def answers_from_values(values: dict[str, Any]) -> JoinAnswers:
    """The join modal's values (by block id) as the domain's answers."""
    return JoinAnswers(
        role=_one(values.get(enrolment.ROLE)),
        skills_offered=_many(values.get(enrolment.SKILLS_OFFERED)),
        skills_offered_other=text_value(values, enrolment.SKILLS_OFFERED_OTHER),
        skills_wanted=_many(values.get(enrolment.SKILLS_WANTED)),
        skills_wanted_other=text_value(values, enrolment.SKILLS_WANTED_OTHER),
        department=text_value(values, enrolment.DEPARTMENT),
        career_stage=_one(values.get(enrolment.CAREER_STAGE)),
        goals=text_value(values, enrolment.GOALS),
        meeting_formats=_many(values.get(enrolment.MEETING_FORMATS_FIELD)),
        consent=blocks.CONSENT_VALUE in _many(values.get(enrolment.CONSENT)),
    )


def _one(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _many(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _join(
    session: Session,
    services: Services,
    who: Actor,
    program_id: Any,
    answers: JoinAnswers,
    profile: SlackProfile | None,
) -> tuple[dict[str, Any], bool]:
    """Enrol, and plan the welcome DM in the same transaction; (the ack, whether planned)."""
    program = (
        programs.get(session, who.team_id, program_id) if isinstance(program_id, int) else None
    )
    now = services.clock.now()
    try:
        participant = enrolment.join(
            session,
            program,
            who.user_id,
            answers,
            team_id=who.team_id,
            display_name=profile.display_name if profile else who.user_id,
            timezone=profile.timezone if profile else "UTC",
            now=now,
        )
    except JoinRefused as refused:
        text = blocks.refusal_text(refused.refusal, program.name if program else None)
        return _notice("Join the program", text), False
    except AnswersInvalid as invalid:
        return field_errors(invalid.errors), False
    assert program is not None
    organizers = [
        user
        for user, _ in list_organizers(session, who.team_id, services.settings.organizers)
        if user != who.user_id
    ]
    welcome = blocks.welcome_message(program, participant.role, organizers)
    # A rejoin is a new join (welcome again); a resubmitted form was refused above.
    number = _joins_welcomed(session, participant) + 1
    enqueue(
        session,
        team_id=who.team_id,
        key=f"welcome:{participant.id}:{number}",
        message=Message(who.user_id, welcome["text"], welcome["blocks"]),
        not_before=now,
        program_id=program.id,
    )
    return {"response_action": "update", "view": blocks.joined_view(program)}, True


def _save_edit(
    session: Session,
    who: Actor,
    participant_id: Any,
    answers: JoinAnswers,
    profile: SlackProfile | None,
) -> dict[str, Any]:
    participant = _own(session, who, participant_id if isinstance(participant_id, int) else None)
    if participant is None:
        return _notice("Your profile", NOT_YOURS)
    try:
        enrolment.update_answers(
            session,
            participant,
            answers,
            display_name=profile.display_name if profile else None,
            timezone=profile.timezone if profile else None,
        )
    except NotActive:
        return _notice("Your profile", participation.not_enrolled(participant.program.name)["text"])
    except AnswersInvalid as invalid:
        return field_errors(invalid.errors)
    return _notice("Your profile", "Saved. Your answers are up to date.")


def tell_others_of_leaving(
    session: Session, services: Services, participant: Participant, outcome: LeaveOutcome
) -> bool:
    """Plan the kind word to the partners and the note to every organizer (also used when an
    admin erases someone from the command line)."""
    team, program = participant.team_id, participant.program
    now = services.clock.now()
    prefix = f"left:{participant.id}:{_joins_welcomed(session, participant)}"
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


def _joins_welcomed(session: Session, participant: Participant) -> int:
    """How many times this person was welcomed: numbers each join, so each is told once."""
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Delivery)
            .where(
                Delivery.team_id == participant.team_id,
                starts_with(Delivery.key, f"welcome:{participant.id}:"),
            )
        )
        or 0
    )


def _own(session: Session, who: Actor, participant_id: int | None) -> Participant | None:
    """The participant behind a button, if it is the clicker's own in the clicker's workspace."""
    if participant_id is None:
        return None
    participant = enrolment.get_participant(session, who.team_id, participant_id)
    return participant if participant is not None and participant.user_id == who.user_id else None


def _notice(title: str, text: str) -> dict[str, Any]:
    return {"response_action": "update", "view": blocks.notice_view(title, text)}


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
