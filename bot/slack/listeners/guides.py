"""Read the guide (a button on the welcome DM and the Home tab) and Edit guides (organizers:
the Home tab button, `/mentoring guide edit`, and the editor's submission).

The guide button shows the clicker's own role in that program, looked up again on every click.
The editor re-checks the organizer when it opens and when it is saved, and stores both texts or
neither.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot import guides, programs
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.models import ParticipantRole, Program
from bot.slack import ids
from bot.slack.blocks import guides as blocks
from bot.slack.blocks.common import escape
from bot.slack.interaction import (
    ORGANIZERS_ONLY,
    TRY_AGAIN,
    acting_organizer,
    actor,
    clicked_id,
    field_errors,
    int_or_none,
    open_modal,
    tell_where_clicked,
    view_metadata,
    view_values,
)

log = logging.getLogger(__name__)

OUT_OF_DATE = "That button is out of date."
GONE = "That program no longer exists."
COULD_NOT_OPEN = (
    "Sorry, I couldn't open that just now. Please try again, or type `/mentoring guide`."
)
FORM_OUT_OF_DATE = "This form is out of date; open it again from the Home tab."
FIRST_FIELD = ParticipantRole.MENTOR.value  # where errors about the whole form go


def not_taking_part(program_name: str) -> str:
    return (
        f"You're not taking part in *{escape(program_name)}* any more, so there's no guide for "
        "you there. `/mentoring guide` shows the guide of the programs you're in."
    )


def editor_for(program: Program) -> dict[str, Any]:
    """The editor holds what participants read now: the program's own text or the default."""
    texts = {
        role: guides.guide_for(program, role).text
        for role in (ParticipantRole.MENTOR, ParticipantRole.MENTEE)
    }
    return blocks.edit_modal(program, texts)


def register(app: App, services: Services) -> None:
    """Register Read the guide, Edit guides and the editor's submission."""

    @app.action(ids.GUIDE_OPEN)
    def guide_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        who, program_id = actor(body), clicked_id(body)
        if program_id is None:
            tell_where_clicked(body, client, respond, OUT_OF_DATE)
            return
        try:
            with unit_of_work(services.sessions) as session:
                guide = guides.own_guide(session, who.team_id, who.user_id, program_id)
        except guides.NotInThatProgram as refused:
            tell_where_clicked(body, client, respond, not_taking_part(refused.program_name))
            return
        except guides.UnknownProgram:
            tell_where_clicked(body, client, respond, GONE)
            return
        except SQLAlchemyError:
            log.exception("database error opening a guide")
            tell_where_clicked(body, client, respond, TRY_AGAIN)
            return
        if not open_modal(client, body["trigger_id"], blocks.guide_modal(guide)):
            tell_where_clicked(body, client, respond, COULD_NOT_OPEN)

    @app.action(ids.GUIDE_EDIT)
    def edit_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        who, program_id = actor(body), clicked_id(body)
        try:
            if not acting_organizer(services, who):
                tell_where_clicked(body, client, respond, ORGANIZERS_ONLY)
                return
            if program_id is None:
                tell_where_clicked(body, client, respond, OUT_OF_DATE)
                return
            with unit_of_work(services.sessions) as session:
                program = programs.get(session, who.team_id, program_id)
                view = editor_for(program) if program is not None else None
        except SQLAlchemyError:
            log.exception("database error opening the guide editor")
            tell_where_clicked(body, client, respond, TRY_AGAIN)
            return
        if view is None:
            tell_where_clicked(body, client, respond, GONE)
        elif not open_modal(client, body["trigger_id"], view):
            tell_where_clicked(body, client, respond, COULD_NOT_OPEN)

    @app.view(ids.GUIDE_EDIT_MODAL)
    def edit_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        who = actor(body)
        program_id = int_or_none(view_metadata(view).get("program_id"))
        values = view_values(view)
        texts: dict[ParticipantRole, str | None] = {}
        for role in ParticipantRole:
            value = values.get(role.value, ...)
            if value is None or isinstance(value, str):  # None: Slack's empty field
                texts[role] = value  # a field Slack did not send is left as it is
        try:
            if not acting_organizer(services, who):
                ack(**field_errors({FIRST_FIELD: ORGANIZERS_ONLY}))
                return
            if program_id is None or not texts:
                ack(**field_errors({FIRST_FIELD: FORM_OUT_OF_DATE}))
                return
            with unit_of_work(services.sessions) as session:
                program = programs.get(session, who.team_id, program_id)
                if program is None:
                    ack(**field_errors({FIRST_FIELD: GONE}))
                    return
                custom = guides.set_overrides(program, texts)
                name = program.name
        except guides.GuidesInvalid as invalid:
            ack(**field_errors({role.value: error for role, error in invalid.errors.items()}))
            return
        except SQLAlchemyError:
            log.exception("database error saving guides")
            ack(**field_errors({FIRST_FIELD: TRY_AGAIN}))
            return
        ack(response_action="update", view=blocks.saved_view(name, set(custom)))
