"""Booking coffee meetings with buttons: propose, accept, counter, decline, cancel, and the
"did you meet?" follow-up. Only members of a pairing may answer its buttons."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

import sqlalchemy as sa
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import meetings
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.ics import meeting_ics
from bot.meetings import MeetingError, Proposal
from bot.models import Delivery, Meeting, Pairing
from bot.rhythm import zone
from bot.slack import ids
from bot.slack.blocks import meetings as blocks
from bot.slack.interaction import (
    TRY_AGAIN,
    Actor,
    actor,
    fetch_profile,
    field_errors,
    text_value,
    view_values,
)
from bot.slack.listeners.home import publish_home

log = logging.getLogger(__name__)


def pair_channel(session: Session, client: WebClient, pairing: Pairing) -> str:
    """The pair's conversation: known since the introduction, or opened again now."""
    if pairing.channel_id:
        return pairing.channel_id
    users = ",".join(p.user_id for p in meetings.members(session, pairing.id))
    pairing.channel_id = client.conversations_open(users=users)["channel"]["id"]
    return pairing.channel_id


def open_schedule_modal(
    services: Services,
    client: WebClient,
    who: Actor,
    trigger_id: str,
    pairing_id: int,
    *,
    previous: Meeting | None = None,
) -> None:
    with unit_of_work(services.sessions) as session:
        pairing = meetings.pairing_of(session, who.team_id, pairing_id)
        if pairing is None:
            raise MeetingError("That pairing no longer exists.")
        meetings.require_member(session, pairing, who.user_id)
        if pairing.status not in meetings.LIVE:
            raise MeetingError("This pairing has ended, so it can't book meetings.")
    profile = fetch_profile(client, who.user_id)
    timezone = profile.timezone if profile else "UTC"
    today = services.clock.now().astimezone(zone(timezone)).date()
    view = blocks.schedule_modal(
        pairing_id,
        timezone,
        today=today,
        previous=previous,
        replaces=previous.id if previous else None,
    )
    client.views_open(trigger_id=trigger_id, view=view)


def _update(client: WebClient, meeting: Meeting, rendered: tuple[str, list]) -> None:
    text, message_blocks = rendered
    if meeting.message_channel and meeting.message_ts:
        client.chat_update(
            channel=meeting.message_channel, ts=meeting.message_ts, text=text, blocks=message_blocks
        )


def _follow_up_message(session: Session, meeting_id: int) -> tuple[str, str] | None:
    row = session.scalar(sa.select(Delivery).where(Delivery.key == f"did-you-meet:{meeting_id}"))
    if row is None or not row.message_channel or not row.message_ts:
        return None
    return row.message_channel, row.message_ts


def register(app: App, services: Services) -> None:
    def member_action(
        handler: Callable[[dict[str, Any], WebClient, Respond, Actor, int], None],
    ) -> Callable[..., None]:
        """Ack, then run; a refusal or a stale click is an ephemeral line, never an error."""

        def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            ack()
            who = actor(body)
            try:
                value = int(body["actions"][0].get("value") or 0)
                handler(body, client, respond, who, value)
            except MeetingError as error:
                respond(text=str(error), response_type="ephemeral", replace_original=False)
            except (ValueError, TypeError):
                respond(text="That button is out of date.", replace_original=False)
            except SQLAlchemyError:
                log.exception("meeting action failed")
                respond(text=TRY_AGAIN, response_type="ephemeral", replace_original=False)

        return listener

    @member_action
    def schedule(body, client, respond, who, pairing_id) -> None:
        open_schedule_modal(services, client, who, body["trigger_id"], pairing_id)

    app.action(ids.SCHEDULE_COFFEE)(schedule)

    @app.view(ids.MEETING_MODAL)
    def submit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        who = actor(body)
        try:
            metadata = json.loads(body["view"].get("private_metadata") or "{}")
            pairing_id, timezone = int(metadata["pairing_id"]), str(metadata.get("tz") or "UTC")
            replaces_id = metadata.get("replaces")
        except (ValueError, KeyError, TypeError):
            ack(field_errors({"date": "This form is out of date; open it again."}))
            return
        values = view_values(body["view"])
        try:
            request = _proposal(values, timezone)
            with unit_of_work(services.sessions) as session:
                pairing = meetings.pairing_of(session, who.team_id, pairing_id)
                if pairing is None:
                    raise MeetingError("That pairing no longer exists.", "date")
                replaces = None
                if replaces_id is not None:
                    replaces = meetings.get_meeting(session, who.team_id, int(replaces_id))
                    if replaces.pairing_id != pairing.id:
                        raise MeetingError("That proposal belongs to another pairing.", "date")
                meeting = meetings.propose(
                    session, pairing, who.user_id, request, services.clock.now(), replaces=replaces
                )
                channel = pair_channel(session, client, pairing)
                text, message_blocks = blocks.proposal(meeting)
        except MeetingError as error:
            ack(field_errors({error.field or "date": str(error)}))
            return
        except SQLAlchemyError:
            log.exception("proposing a meeting failed")
            ack(field_errors({"date": TRY_AGAIN}))
            return
        ack()
        posted = client.chat_postMessage(channel=channel, text=text, blocks=message_blocks)
        with unit_of_work(services.sessions) as session:
            stored = session.get(Meeting, meeting.id)
            assert stored is not None
            stored.message_channel, stored.message_ts = posted["channel"], posted["ts"]
            if replaces is not None:
                _update(client, replaces, blocks.countered(replaces, who.user_id))

    def answer(accept: bool) -> Callable[..., None]:
        @member_action
        def listener(body, client, respond, who, meeting_id) -> None:
            now = services.clock.now()
            with unit_of_work(services.sessions) as session:
                meeting = meetings.get_meeting(session, who.team_id, meeting_id)
                meetings.answer_proposal(session, meeting, who.user_id, accept, now)
                people = [p.user_id for p in meetings.members(session, meeting.pairing_id)]
            if not accept:
                _update(client, meeting, blocks.declined(meeting, who.user_id))
                return
            _update(client, meeting, blocks.confirmed(meeting, who.user_id))
            _send_calendar_file(client, meeting, people, now)
            for user in people:
                publish_home(services, client, who.team_id, user)

        return listener

    app.action(ids.MEETING_ACCEPT)(answer(True))
    app.action(ids.MEETING_DECLINE)(answer(False))

    @member_action
    def counter(body, client, respond, who, meeting_id) -> None:
        with unit_of_work(services.sessions) as session:
            meeting = meetings.get_meeting(session, who.team_id, meeting_id)
            pairing = session.get(Pairing, meeting.pairing_id)
            assert pairing is not None
            meetings.require_member(session, pairing, who.user_id)
            if meeting.status is not meetings.MeetingStatus.PROPOSED:
                raise MeetingError(meetings.ALREADY[meeting.status])
        open_schedule_modal(
            services, client, who, body["trigger_id"], meeting.pairing_id, previous=meeting
        )

    app.action(ids.MEETING_COUNTER)(counter)

    @member_action
    def cancel(body, client, respond, who, meeting_id) -> None:
        with unit_of_work(services.sessions) as session:
            meeting = meetings.get_meeting(session, who.team_id, meeting_id)
            meetings.cancel(session, meeting, who.user_id, services.clock.now())
            people = [p.user_id for p in meetings.members(session, meeting.pairing_id)]
            pairing = session.get(Pairing, meeting.pairing_id)
            assert pairing is not None
            channel = pair_channel(session, client, pairing)
        _update(client, meeting, (f"Cancelled by <@{who.user_id}>", []))
        text, message_blocks = blocks.cancelled(
            meeting, who.user_id, [p for p in people if p != who.user_id]
        )
        client.chat_postMessage(channel=channel, text=text, blocks=message_blocks)

    app.action(ids.MEETING_CANCEL)(cancel)

    @member_action
    def met(body, client, respond, who, meeting_id) -> None:
        with unit_of_work(services.sessions) as session:
            meeting = meetings.get_meeting(session, who.team_id, meeting_id)
            pairing = session.get(Pairing, meeting.pairing_id)
            assert pairing is not None
            people = meetings.require_member(session, pairing, who.user_id)
            if meeting.status is meetings.MeetingStatus.HELD:
                # Confirming what the partner logged: no need to ask how long again.
                meetings.did_we_meet(
                    session, meeting, who.user_id, "yes", services.clock.now(), meeting.minutes_held
                )
                where = _follow_up_message(session, meeting_id)
                rendered = blocks.met_answer(meeting, [p.user_id for p in people])
            else:
                where = None
        if meeting.status is meetings.MeetingStatus.HELD:
            if where:
                client.chat_update(
                    channel=where[0], ts=where[1], text=rendered[0], blocks=rendered[1]
                )
            return
        client.views_open(trigger_id=body["trigger_id"], view=blocks.minutes_modal(meeting))

    app.action(ids.MEETING_MET)(met)

    def answered(answer_: str) -> Callable[..., None]:
        @member_action
        def listener(body, client, respond, who, meeting_id) -> None:
            with unit_of_work(services.sessions) as session:
                meeting = meetings.get_meeting(session, who.team_id, meeting_id)
                meetings.did_we_meet(session, meeting, who.user_id, answer_, services.clock.now())
                where = _follow_up_message(session, meeting_id)
            if answer_ == "moved":
                if where:
                    text = f"<@{who.user_id}> says you moved it: pick the new time."
                    client.chat_update(channel=where[0], ts=where[1], text=text, blocks=[])
                open_schedule_modal(services, client, who, body["trigger_id"], meeting.pairing_id)
                return
            rendered = blocks.not_met(meeting)
            if where:
                client.chat_update(
                    channel=where[0], ts=where[1], text=rendered[0], blocks=rendered[1]
                )

        return listener

    app.action(ids.MEETING_NOT_MET)(answered("no"))
    app.action(ids.MEETING_MOVED)(answered("moved"))

    @app.view(ids.MEETING_MINUTES_MODAL)
    def minutes(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        who = actor(body)
        try:
            meeting_id = int(json.loads(body["view"].get("private_metadata") or "{}")["meeting_id"])
            count = int(text_value(view_values(body["view"]), "minutes") or "0")
        except (ValueError, KeyError, TypeError):
            ack(field_errors({"minutes": "Say how long you met, in whole minutes."}))
            return
        try:
            with unit_of_work(services.sessions) as session:
                meeting = meetings.get_meeting(session, who.team_id, meeting_id)
                meetings.did_we_meet(
                    session, meeting, who.user_id, "yes", services.clock.now(), count
                )
                people = [p.user_id for p in meetings.members(session, meeting.pairing_id)]
                where = _follow_up_message(session, meeting_id)
        except MeetingError as error:
            ack(field_errors({"minutes": str(error)}))
            return
        ack()
        if where:
            text, message_blocks = blocks.met_answer(meeting, people)
            client.chat_update(channel=where[0], ts=where[1], text=text, blocks=message_blocks)


def _proposal(values: dict[str, Any], timezone: str) -> Proposal:
    day = values.get("date")
    at = values.get("time")
    if day is None:
        raise MeetingError("Pick a day.", "date")
    try:
        hour, minute = (int(part) for part in str(at).split(":"))
        local = datetime.combine(day, time(hour, minute), tzinfo=zone(timezone))
    except (ValueError, TypeError, OverflowError):
        raise MeetingError("Pick a time.", "time") from None
    try:
        duration = int(values.get("duration") or 0)
    except ValueError:
        duration = 0
    return Proposal(
        starts_at=local.astimezone(UTC),
        duration_minutes=duration,
        format=str(values.get("format") or ""),
        location=text_value(values, "location"),
        topic=text_value(values, "topic"),
    )


def _send_calendar_file(
    client: WebClient, meeting: Meeting, people: list[str], now: datetime
) -> None:
    if not meeting.message_channel:
        return
    what = meetings.FORMATS.get(meeting.format, "Meeting")
    content = meeting_ics(
        uid=f"meeting-{meeting.id}@mentoring-bot",
        starts_at=meeting.starts_at,
        minutes=meeting.duration_minutes,
        summary=f"Reverse mentoring: {what.lower()}",
        location=meeting.location,
        description=meeting.topic or "Reverse mentoring: both of you teach, both of you learn.",
        created=now,
    )
    client.files_upload_v2(
        channel=meeting.message_channel,
        content=content,
        filename=f"meeting-{meeting.id}.ics",
        title="Add it to your calendar",
        initial_comment="Add the meeting to your calendar:",
    )
