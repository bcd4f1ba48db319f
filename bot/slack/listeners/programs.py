"""The program modal: open it from buttons, and save what the organizer submits."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot import programs, sponsor
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.slack import ids
from bot.slack.blocks.programs import OTHER_NEED, program_modal, program_saved
from bot.slack.interaction import (
    ORGANIZERS_ONLY,
    TRY_AGAIN,
    acting_organizer,
    actor,
    field_errors,
    int_or_none,
    tell_where_clicked,
    text_value,
    user_timezone,
    view_metadata,
    view_values,
)
from bot.slack.listeners.home import publish_home
from bot.slack.listeners.kickoff import (
    CANNOT_CHECK,
    apply_leadership,
    leadership_fields,
    sponsor_person,
)
from bot.sponsor import SlackUser

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.action(ids.PROGRAM_NEW)
    def new_program(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        if not acting_organizer(services, actor(body)):
            _refuse(client, body, respond)
            return
        zone = user_timezone(client, actor(body).user_id)
        client.views_open(trigger_id=body["trigger_id"], view=program_modal(timezone=zone))

    @app.action(re.compile(f"^{ids.PROGRAM_EDIT}(:\\d+)?$"))
    def edit_program(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        who = actor(body)
        if not acting_organizer(services, who):
            _refuse(client, body, respond)
            return
        program_id = int_or_none(body["actions"][0].get("value"))
        with unit_of_work(services.sessions) as session:
            program = programs.get(session, who.team_id, program_id) if program_id else None
        if program is None:
            tell_where_clicked(body, client, respond, "That program no longer exists.")
            return
        zone = user_timezone(client, who.user_id)
        client.views_open(trigger_id=body["trigger_id"], view=program_modal(program, timezone=zone))

    @app.view(ids.PROGRAM_MODAL)
    def save_program(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        who = actor(body)
        view = body["view"]
        try:
            if not acting_organizer(services, who):
                ack(field_errors({"name": ORGANIZERS_ONLY}))
                return
            try:  # the sponsor must be an active person: Slack says, before anything is stored
                person = sponsor_person(services.answering, view_values(view).get(sponsor.SPONSOR))
            except (SlackApiError, OSError):
                ack(field_errors({sponsor.SPONSOR: CANNOT_CHECK}))
                return
            outcome = _save(services, who.team_id, who.user_id, view, person)
        except SQLAlchemyError:
            log.exception("saving a program failed")
            ack(field_errors({"name": TRY_AGAIN}))
            return
        if isinstance(outcome, dict):
            ack(field_errors(outcome))
            return
        ack()
        services.send_soon()  # kickoff invitations planned with the program, if any
        program, created = outcome
        text, blocks = program_saved(program, created=created)
        client.chat_postMessage(channel=who.user_id, text=text, blocks=blocks)
        publish_home(services, client, who.team_id, who.user_id)


def _save(
    services: Services,
    team_id: str,
    user_id: str,
    view: dict[str, Any],
    person: SlackUser | None = None,
) -> dict[str, str] | tuple[programs.Program, bool]:
    """The saved program and whether it is new, or errors by modal field."""
    values = view_values(view)
    try:
        program_id = json.loads(view.get("private_metadata") or "{}").get("program_id")
    except (ValueError, AttributeError):
        return {"name": "This form is out of date; close it and start again."}
    other_need = text_value(values, "business_need_other").strip()
    chosen_need = values.get("business_need")
    need = other_need or (chosen_need if chosen_need and chosen_need != OTHER_NEED else "")
    data = programs.ProgramInput(
        name=text_value(values, "name"),
        business_need=need,
        format=values.get("format") or "",
        group_size=values.get("group_size") or 3,
        start_date=values.get("start_date"),
        length_weeks=values.get("length_weeks") or "",
        is_pilot="yes" in (values.get("is_pilot") or []),
        meeting_target_minutes=values.get("meeting_target_minutes") or "",
        checkin_cadence_weeks=values.get("checkin_cadence_weeks") or "",
        skills_catalogue=programs.parse_skills(text_value(values, "skills_catalogue")),
        enrolment_open="yes" in (values.get("enrolment_open") or []),
    )
    with unit_of_work(services.sessions) as session:
        editing = None
        if program_id is not None:
            editing = programs.get(session, team_id, int_or_none(program_id) or 0)
            if editing is None:
                return {"name": "That program no longer exists."}
        errors: dict[str, str] = {}
        valid = None
        try:
            valid = programs.validate(
                session, team_id, data, today=services.clock.now().date(), editing=editing
            )
        except programs.ProgramInvalid as invalid:
            errors = dict(invalid.errors)
            if "business_need" in errors and other_need:
                errors["business_need_other"] = errors.pop("business_need")
        now = services.clock.now()
        timezone = str(view_metadata(view).get("tz") or "UTC")
        leadership = leadership_fields(values, person, timezone, now=now, editing=editing)
        if isinstance(leadership, dict) or errors or valid is None:
            return {**errors, **(leadership if isinstance(leadership, dict) else {})}
        if editing is None:
            program = programs.create(session, team_id, valid, created_by=user_id)
        else:
            program = programs.update(editing, valid)
        apply_leadership(session, program, leadership, now)
        return program, editing is None


def _refuse(client: WebClient, body: dict[str, Any], respond: Respond) -> None:
    tell_where_clicked(body, client, respond, ORGANIZERS_ONLY)
