"""The join (and profile) form's submission: answered at once, saved just after.

Slack shows nothing until a submission is answered, and gives up after 3 s. Saving needs Slack
(the person's name and time zone) and the database, and under load either can be slow; so the
answer carries only what the form alone can say:

- answers that break a rule whatever the program (no role, no consent, too long) come back
  under their fields, as errors, with nothing saved;
- otherwise the form turns into a "Saving…" view, and the work app (bot.slack.deferral) saves
  the answers and puts the outcome in its place: the welcome, a refusal (the program closed
  meanwhile, or they had joined already), or the form again, filled in as they left it, with
  what went wrong above it (Slack out of reach, a catalogue changed meanwhile).

Messages to other people go through the outbox in the same transaction as the change.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import enrolment, programs
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.enrolment import AnswersInvalid, JoinAnswers, JoinRefused, NotActive
from bot.models import Program
from bot.organizers import list_organizers
from bot.outbox.store import Message, enqueue
from bot.slack import ids
from bot.slack.blocks import enrolment as blocks
from bot.slack.blocks import participation
from bot.slack.follow_ups import refresh_home
from bot.slack.interaction import (
    SlackProfile,
    actor,
    fetch_profile,
    field_errors,
    text_value,
    view_metadata,
    view_values,
)
from bot.slack.listeners.enrolment import NOT_YOURS

log = logging.getLogger(__name__)

EXPIRED = "This form has expired. Please start again with `/mentoring join`."
SAVED = "Saved. Your answers are up to date."
SLACK_AWAY = "I couldn't reach Slack to save this just now. Please submit it again."
NOT_SAVED = (
    "Sorry, I couldn't save your answers just now: my database is not answering. "
    "Please try again in a minute."
)
# The "Saving…" view is Slack's once it has the answer; the outcome may be ready a moment
# before Slack is, so an update that finds no such view yet is tried again, briefly.
SHOW_ATTEMPTS = 5
SHOW_RETRY_SECONDS = 0.2
SAVING = "mentoring-saving-"  # the start of a "Saving…" view's external id


@dataclass(frozen=True)
class SubmittedForm:
    """A submission that passed the form's own checks, on its way to being saved (it crosses
    to the work process, so it is plain data)."""

    team_id: str
    user_id: str
    external_id: str  # of the "Saving…" view the outcome replaces
    editing: bool
    record_id: int | None  # the program to join, or the participant whose answers these are
    answers: JoinAnswers


@dataclass
class Outcome:
    view: dict[str, Any]
    saved: bool = False
    welcomed: bool = False  # a welcome is in the outbox


def register(app: App, services: Services) -> None:
    """Register the join modal's submission."""

    @app.view(ids.JOIN_MODAL)
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        who = actor(body)
        metadata = view_metadata(view.get("private_metadata"))
        editing = "participant_id" in metadata
        if not editing and "program_id" not in metadata:
            ack(
                response_action="update", view=blocks.notice_view(blocks.form_title(False), EXPIRED)
            )
            return
        values = view_values(view)
        answers = answers_from_values(values)
        has_select = enrolment.SKILLS_OFFERED in values or enrolment.SKILLS_WANTED in values
        errors = enrolment.form_errors(answers, has_select=has_select)
        if errors:
            ack(**field_errors(errors))
            return
        external_id = f"{SAVING}{uuid.uuid4().hex}"
        ack(
            response_action="update",
            view=blocks.saving_view(editing=editing, external_id=external_id),
        )
        record = metadata.get("participant_id" if editing else "program_id")
        form = SubmittedForm(
            team_id=who.team_id,
            user_id=who.user_id,
            external_id=external_id,
            editing=editing,
            record_id=record if isinstance(record, int) else None,
            answers=answers,
        )
        services.follow_up("join-form", form)


def save_form(services: Services, form: SubmittedForm) -> None:
    """Save a submitted form and show the outcome in place of its "Saving…" view."""
    outcome = saved_outcome(services, form)
    show(services.client, form.external_id, outcome.view)
    if outcome.welcomed:
        services.send_soon()
    if outcome.saved:
        refresh_home(services, form.team_id, form.user_id)


def saved_outcome(services: Services, form: SubmittedForm) -> Outcome:
    """Save the answers (all or nothing) and say what became of them."""
    try:
        # A rate limit is not waited out: the person is watching "Saving…".
        profile = fetch_profile(services.answering, form.user_id)
        slack_away = False
    except (SlackApiError, OSError):  # an API error, or Slack out of reach
        log.warning("users.info failed while saving the join form", exc_info=True)
        profile, slack_away = None, True
    try:
        with unit_of_work(services.sessions) as session:
            if slack_away:
                outcome = _back_to_fix(session, form, [SLACK_AWAY])
            elif form.editing:
                outcome = _save_edit(session, form, profile)
            else:
                outcome = _join(session, services, form, profile)
            if not outcome.saved:
                session.rollback()
    except SQLAlchemyError:
        log.exception("database error saving the join form")
        return Outcome(blocks.notice_view(blocks.form_title(form.editing), NOT_SAVED))
    return outcome


def show(client: WebClient, external_id: str, view: dict[str, Any]) -> None:
    """Put `view` in place of the one named `external_id`, unless it was closed meanwhile
    (the outcome is also in the Home tab, and a welcome comes by message)."""
    for attempt in range(1, SHOW_ATTEMPTS + 1):
        try:
            client.views_update(external_id=external_id, view=view)
            return
        except SlackApiError as error:
            if error.response.get("error") != "not_found" or attempt == SHOW_ATTEMPTS:
                log.warning("could not show a saved form's outcome: %s", error)
                return
        except OSError:
            log.warning("could not show a saved form's outcome", exc_info=True)
            return
        time.sleep(SHOW_RETRY_SECONDS)


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
    session: Session, services: Services, form: SubmittedForm, profile: SlackProfile | None
) -> Outcome:
    """Enrol, and plan the welcome DM in the same transaction."""
    program = _program(session, form)
    now = services.clock.now()
    try:
        participant = enrolment.join(
            session,
            program,
            form.user_id,
            form.answers,
            team_id=form.team_id,
            display_name=profile.display_name if profile else form.user_id,
            timezone=profile.timezone if profile else "UTC",
            now=now,
        )
    except JoinRefused as refused:
        text = blocks.refusal_text(refused.refusal, program.name if program else None)
        return Outcome(blocks.notice_view(blocks.form_title(False), text))
    except AnswersInvalid as invalid:
        assert program is not None  # refused above otherwise
        return _form_again(form, program, list(invalid.errors.values()))
    assert program is not None
    organizers = [
        user
        for user, _ in list_organizers(session, form.team_id, services.settings.organizers)
        if user != form.user_id
    ]
    welcome = blocks.welcome_message(program, participant.role, organizers)
    # A rejoin is a new join (welcome again); a resubmitted form was refused above.
    number = enrolment.joins_welcomed(session, participant) + 1
    enqueue(
        session,
        team_id=form.team_id,
        key=enrolment.welcome_key(participant, number),
        message=Message(form.user_id, welcome["text"], welcome["blocks"]),
        not_before=now,
        program_id=program.id,
    )
    return Outcome(blocks.joined_view(program), saved=True, welcomed=True)


def _save_edit(session: Session, form: SubmittedForm, profile: SlackProfile | None) -> Outcome:
    participant = enrolment.own_participant(session, form.team_id, form.user_id, form.record_id)
    if participant is None:
        return Outcome(blocks.notice_view(blocks.form_title(True), NOT_YOURS))
    try:
        enrolment.update_answers(
            session,
            participant,
            form.answers,
            display_name=profile.display_name if profile else None,
            timezone=profile.timezone if profile else None,
        )
    except NotActive:
        text = participation.not_enrolled(participant.program.name)["text"]
        return Outcome(blocks.notice_view(blocks.form_title(True), text))
    except AnswersInvalid as invalid:
        return _form_again(form, participant.program, list(invalid.errors.values()))
    return Outcome(blocks.notice_view(blocks.form_title(True), SAVED), saved=True)


def _back_to_fix(session: Session, form: SubmittedForm, problems: list[str]) -> Outcome:
    """The form again, for a program or profile that is the person's to fill in; or why it
    is not."""
    if form.editing:
        participant = enrolment.own_participant(session, form.team_id, form.user_id, form.record_id)
        if participant is None:
            return Outcome(blocks.notice_view(blocks.form_title(True), NOT_YOURS))
        return _form_again(form, participant.program, problems)
    program = _program(session, form)
    if program is None:
        text = blocks.refusal_text(enrolment.Refusal.UNKNOWN_PROGRAM)
        return Outcome(blocks.notice_view(blocks.form_title(False), text))
    return _form_again(form, program, problems)


def _form_again(form: SubmittedForm, program: Program, problems: list[str]) -> Outcome:
    """The form as they submitted it, with what went wrong above it, to submit again."""
    # An edited form's record is the participant: found to be theirs before this is built.
    metadata = {"participant_id": form.record_id} if form.editing else {"program_id": program.id}
    view = blocks.join_modal(
        program,
        form.answers,
        private_metadata=json.dumps(metadata),
        editing=form.editing,
        note=" ".join(problems),
    )
    return Outcome(view)


def _program(session: Session, form: SubmittedForm) -> Program | None:
    if form.record_id is None:
        return None
    return programs.get(session, form.team_id, form.record_id)
