"""Talk to an organizer (a button on the welcome DM, the check-ins and the Home tab), its modal,
and "I'll reach out" on the organizers' DMs.

A request goes to every organizer of the workspace (but the asker) as a DM through the outbox,
in the same transaction that stores it; its text reaches nobody else. The first organizer to
click "I'll reach out" takes it (one conditional UPDATE); the participant is told once, through
the outbox, and every organizer's DM is edited to say who took it. A later click is told who
took it and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import talk
from bot.bootstrap import Services
from bot.db import starts_with, unit_of_work
from bot.models import Delivery, DeliveryStatus, TalkRequest
from bot.organizers import list_organizers
from bot.outbox import store
from bot.slack import ids
from bot.slack.blocks import talk as blocks
from bot.slack.interaction import (
    ORGANIZERS_ONLY,
    TRY_AGAIN,
    Actor,
    acting_organizer,
    actor,
    clicked_id,
    field_errors,
    int_or_none,
    open_modal,
    tell_where_clicked,
    text_value,
    view_metadata,
    view_values,
)
from bot.slack.listeners.flags import Edit, after_commit, apply_edits
from bot.slack.listeners.home import publish_home

log = logging.getLogger(__name__)

OUT_OF_DATE = "That button is out of date."
FORM_OUT_OF_DATE = "This form is out of date; click Talk to an organizer again."
COULD_NOT_OPEN = "Sorry, I couldn't open the form just now. Please try again."
NO_ORGANIZER = (
    "There is no organizer I can pass this to yet. Please message whoever invited you to the "
    "program."
)


def register(app: App, services: Services) -> None:
    """Register Talk to an organizer, its modal, and I'll reach out."""

    @app.action(ids.TALK_OPEN)
    def talk_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        who = actor(body)
        value = str((body.get("actions") or [{}])[0].get("value") or "")
        try:
            with unit_of_work(services.sessions) as session:
                asker = _asker(session, who, value)
        except talk.TalkError as refused:
            tell_where_clicked(body, client, respond, str(refused))
            return
        except SQLAlchemyError:
            log.exception("database error opening the talk modal")
            tell_where_clicked(body, client, respond, TRY_AGAIN)
            return
        if not open_modal(client, body["trigger_id"], blocks.talk_modal(asker)):
            tell_where_clicked(body, client, respond, COULD_NOT_OPEN)

    @app.view(ids.TALK_MODAL)
    def talk_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        who = actor(body)
        values = view_values(view)
        program_id = int_or_none(view_metadata(view).get("program_id"))
        if program_id is None:
            ack(**field_errors({talk.TOPIC: FORM_OUT_OF_DATE}))
            return
        try:
            with unit_of_work(services.sessions) as session:
                name = _ask(session, services, who, program_id, values)
        except talk.TalkInvalid as invalid:
            ack(**field_errors(invalid.errors))
            return
        except talk.TalkError as refused:
            ack(**field_errors({refused.field or talk.TOPIC: str(refused)}))
            return
        except SQLAlchemyError:
            log.exception("database error saving a talk request")
            ack(**field_errors({talk.TOPIC: TRY_AGAIN}))
            return
        ack(response_action="update", view=blocks.requested_view(name))
        services.send_soon()

    @app.action(ids.TALK_TAKE)
    def take_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        who = actor(body)
        request_id = clicked_id(body)
        try:
            if not acting_organizer(services, who):
                tell_where_clicked(body, client, respond, ORGANIZERS_ONLY)
                return
            if request_id is None:
                tell_where_clicked(body, client, respond, OUT_OF_DATE)
                return
            with unit_of_work(services.sessions) as session:
                taken = talk.take(
                    session,
                    team_id=who.team_id,
                    request_id=request_id,
                    organizer=who.user_id,
                    now=services.clock.now(),
                )
                request = taken.request
                if taken.won:
                    text, message = blocks.taken_message(request, taken.program_name)
                    store.enqueue(
                        session,
                        team_id=who.team_id,
                        key=talk.taken_key(request.id),
                        message=store.Message(request.user_id, text, message),
                        not_before=services.clock.now(),
                        program_id=request.program_id,
                    )
                    edits = _refresh_organizer_messages(session, request, taken.program_name)
                    after_commit(session, lambda: apply_edits(client, edits))
        except talk.TalkError as refused:
            tell_where_clicked(body, client, respond, str(refused))
            return
        except SQLAlchemyError:
            log.exception("database error taking a talk request")
            tell_where_clicked(body, client, respond, TRY_AGAIN)
            return
        if not taken.won:
            assert request.taken_by is not None
            text = blocks.already_taken_text(request.taken_by, request.taken_at, who.user_id)
            tell_where_clicked(body, client, respond, text)
            return
        services.send_soon()
        tell_where_clicked(body, client, respond, blocks.took_it_text(request.user_id))
        if (body.get("view") or {}).get("type") == "home":  # taken from the Home tab: redraw it
            publish_home(services, client, who.team_id, who.user_id)


def _asker(session: Session, who: Actor, value: str) -> talk.Asker:
    """The program behind a Talk button: a program id, or a check-in of the clicker's own."""
    if value.startswith(blocks.CHECKIN_VALUE):
        checkin_id = int_or_none(value.removeprefix(blocks.CHECKIN_VALUE))
        if checkin_id is None:
            raise talk.TalkError(OUT_OF_DATE)
        return talk.asker_for_checkin(session, who.team_id, who.user_id, checkin_id)
    program_id = int_or_none(value)
    if program_id is None:
        raise talk.TalkError(OUT_OF_DATE)
    return talk.asker(session, who.team_id, who.user_id, program_id)


def _ask(
    session: Session, services: Services, who: Actor, program_id: int, values: dict[str, Any]
) -> str:
    """Store the request and plan a DM to each organizer, in one transaction; the program's
    name. With nobody to tell, nothing is stored."""
    request = talk.create_request(
        session,
        team_id=who.team_id,
        user_id=who.user_id,
        program_id=program_id,
        topic=values.get(talk.TOPIC),
        text=text_value(values, talk.TEXT),
        now=services.clock.now(),
    )
    organizers = [
        user
        for user, _ in list_organizers(session, who.team_id, services.settings.organizers)
        if user != who.user_id
    ]
    if not organizers:
        raise talk.TalkError(NO_ORGANIZER, talk.TEXT)
    asker = talk.asker(session, who.team_id, who.user_id, program_id)
    text, message = blocks.organizer_message(request, asker.program_name, asker.role)
    store.enqueue_many(
        session,
        team_id=who.team_id,
        planned=[
            (talk.organizer_key(request.id, user), store.Message(user, text, message))
            for user in organizers
        ],
        not_before=services.clock.now(),
        program_id=program_id,
    )
    return asker.program_name


def _refresh_organizer_messages(
    session: Session, request: TalkRequest, program_name: str
) -> list[Edit]:
    """Every organizer's DM about the request now says who took it: rows not sent yet are
    rewritten here; sent ones are returned to edit once the transaction has committed."""
    text, message = blocks.organizer_message(request, program_name, talk.role_of(session, request))
    rows = session.scalars(
        sa.select(Delivery).where(
            Delivery.team_id == request.team_id,
            starts_with(Delivery.key, talk.organizer_keys_prefix(request.id)),
        )
    )
    edits = []
    for row in rows:
        if row.status is DeliveryStatus.PENDING:
            row.text, row.blocks = text, message
        elif row.status is DeliveryStatus.SENT and row.message_channel and row.message_ts:
            edits.append(Edit(row.message_channel, row.message_ts, text, message))
    return edits
