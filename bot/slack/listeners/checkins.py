"""Check-in buttons and the comment modal; survey buttons and their modals.

Only the participant a check-in or survey belongs to may answer it; anyone else is told
politely and nothing changes. Each answer is stored at once; the messages (the check-in and
its reminder, found by their outbox keys) are then updated in place: the chosen answer
highlighted, or a thank-you once the check-in is answered. A private comment is never shown.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import checkins, surveys
from bot.bootstrap import Services
from bot.checkins import CheckinError, Owned
from bot.db import unit_of_work
from bot.models import SurveyKind
from bot.slack import ids
from bot.slack.blocks import checkins as checkin_blocks
from bot.slack.blocks import surveys as survey_blocks
from bot.slack.interaction import (
    TRY_AGAIN,
    actor,
    field_errors,
    open_modal,
    text_value,
    view_metadata,
    view_values,
)
from bot.surveys import SurveyError, SurveyInvalid

log = logging.getLogger(__name__)

OUT_OF_DATE = "That button is out of date."
COULD_NOT_OPEN = "Sorry, I couldn't open the form just now. Please try again."
# (channel, ts, text, blocks): a message to update once the answer is committed
Update = tuple[str, str, str, list[dict[str, Any]]]


def register(app: App, services: Services) -> None:
    """Register the check-in and survey buttons and modals."""

    def tell(respond: Respond, text: str) -> None:
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
        except Exception:  # the answer (if any) is saved; telling is best effort
            log.warning("could not answer a check-in or survey click: %s", text)

    def answer_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, parse: Parser
    ) -> None:
        ack()
        who = actor(body)
        try:
            checkin_id, record = parse(_clicked_value(body))
        except ValueError:
            tell(respond, OUT_OF_DATE)
            return
        try:
            with unit_of_work(services.sessions) as session:
                owned = checkins.own(session, who.team_id, who.user_id, checkin_id)
                record(owned, services.clock.now())
                updates = _checkin_updates(session, owned)
        except CheckinError as refused:
            tell(respond, str(refused))
            return
        except SQLAlchemyError:
            log.exception("database error answering a check-in")
            tell(respond, TRY_AGAIN)
            return
        _apply(client, updates)

    @app.action(re.compile(f"^{ids.CHECKIN_MOOD}(:\\d)?$"))
    def mood_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        answer_clicked(ack, body, client, respond, _parse_mood)

    @app.action(re.compile(f"^{ids.CHECKIN_MET}(:(yes|no))?$"))
    def met_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        answer_clicked(ack, body, client, respond, _parse_met)

    @app.action(ids.CHECKIN_COMMENT)
    def comment_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        who = actor(body)
        try:
            checkin_id = int(_clicked_value(body))
        except ValueError:
            tell(respond, OUT_OF_DATE)
            return
        try:
            with unit_of_work(services.sessions) as session:
                owned = checkins.own(session, who.team_id, who.user_id, checkin_id)
                checkin = owned.checkin
                closed = checkins.is_closed(owned, services.clock.now())
                if closed and (checkin.comment or checkin.answered_at is not None):
                    raise CheckinError(checkins.ALREADY)
                view = checkin_blocks.comment_modal(
                    checkin.id, checkin.comment, checkin.comment_private
                )
        except CheckinError as refused:
            tell(respond, str(refused))
            return
        except SQLAlchemyError:
            log.exception("database error opening a check-in comment")
            tell(respond, TRY_AGAIN)
            return
        if not open_modal(client, body.get("trigger_id", ""), view):
            tell(respond, COULD_NOT_OPEN)

    @app.view(ids.CHECKIN_COMMENT_MODAL)
    def comment_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        who = actor(body)
        values = view_values(view)
        text = text_value(values, checkin_blocks.COMMENT_BLOCK)
        chosen = values.get(checkin_blocks.PRIVATE_BLOCK) or []
        private = checkin_blocks.PRIVATE_VALUE in chosen
        checkin_id = view_metadata(view).get("checkin_id")
        try:
            if not isinstance(checkin_id, int):
                raise CheckinError(checkins.GONE)
            with unit_of_work(services.sessions) as session:
                owned = checkins.own(session, who.team_id, who.user_id, checkin_id)
                checkins.save_comment(owned, text, private, services.clock.now())
                updates = _checkin_updates(session, owned)
        except CheckinError as refused:
            ack(**field_errors({checkin_blocks.COMMENT_BLOCK: str(refused)}))
            return
        except SQLAlchemyError:
            log.exception("database error saving a check-in comment")
            ack(**field_errors({checkin_blocks.COMMENT_BLOCK: TRY_AGAIN}))
            return
        ack()
        _apply(client, updates)

    @app.action(ids.SURVEY_OPEN)
    def survey_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        who = actor(body)
        try:
            participant_id, kind = _parse_survey(_clicked_value(body))
        except ValueError:
            tell(respond, OUT_OF_DATE)
            return
        try:
            with unit_of_work(services.sessions) as session:
                person = surveys.own_participant(session, who.team_id, who.user_id, participant_id)
                earlier = surveys.response_of(session, person.id, kind)
                view = survey_blocks.survey_modal(
                    person.id,
                    kind,
                    person.program.name,
                    earlier.answers if earlier else None,
                    earlier.recommend_score if earlier else None,
                )
        except SurveyError as refused:
            tell(respond, str(refused))
            return
        except SQLAlchemyError:
            log.exception("database error opening a survey")
            tell(respond, TRY_AGAIN)
            return
        if not open_modal(client, body.get("trigger_id", ""), view):
            tell(respond, COULD_NOT_OPEN)

    @app.view(ids.SURVEY_MODAL)
    def survey_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        who = actor(body)
        metadata = view_metadata(view)
        try:
            kind = SurveyKind(metadata.get("kind"))
            participant_id = metadata["participant_id"]
            if not isinstance(participant_id, int):
                raise ValueError("no participant")
        except (KeyError, ValueError):
            ack(**_notice("This form has expired. Please open the survey again."))
            return
        first = surveys.QUESTIONS[kind][0].key
        values = view_values(view)
        texts = {q.key: text_value(values, q.key) for q in surveys.QUESTIONS[kind]}
        try:
            answers, score = surveys.validate(kind, texts, values.get(surveys.RECOMMEND))
            with unit_of_work(services.sessions) as session:
                person = surveys.own_participant(session, who.team_id, who.user_id, participant_id)
                surveys.submit(session, person, kind, answers, score, services.clock.now())
                row = surveys.message_row(session, person, kind)
                text, message_blocks = survey_blocks.survey_thanks(
                    person.id, kind, person.program.name
                )
                updates = (
                    [(row.message_channel, row.message_ts, text, message_blocks)]
                    if row is not None and row.message_channel and row.message_ts
                    else []
                )
        except SurveyInvalid as invalid:
            ack(**field_errors(invalid.errors))
            return
        except SurveyError as refused:
            ack(**field_errors({first: str(refused)}))
            return
        except SQLAlchemyError:
            log.exception("database error saving a survey")
            ack(**field_errors({first: TRY_AGAIN}))
            return
        ack()
        _apply(client, updates)


Record = Callable[[Owned, datetime], object]
Parser = Callable[[str], tuple[int, Record]]


def _parse_mood(value: str) -> tuple[int, Record]:
    checkin_id, mood = (int(part) for part in value.split(":"))
    return checkin_id, lambda owned, now: checkins.answer(owned, now, mood=mood)


def _parse_met(value: str) -> tuple[int, Record]:
    raw_id, answer = value.split(":")
    if answer not in ("yes", "no"):
        raise ValueError(answer)
    met = answer == "yes"
    return int(raw_id), lambda owned, now: checkins.answer(owned, now, met=met)


def _parse_survey(value: str) -> tuple[int, SurveyKind]:
    raw_id, kind = value.split(":")
    return int(raw_id), SurveyKind(kind)


def _checkin_updates(session: Session, owned: Owned) -> list[Update]:
    """The check-in's messages as they should read now: partly answered, or a thank-you."""
    checkin, period = owned.checkin, owned.period
    name = owned.program.name
    updates = []
    for row in checkins.message_rows(session, checkin):
        if checkins.is_complete(checkin):
            text, blocks = checkin_blocks.thanks_message(checkin, name, period)
        else:
            text, blocks = checkin_blocks.checkin_message(
                checkin.id,
                name,
                period,
                mood=checkin.mood,
                met=checkin.met,
                reminder=row.key.startswith("checkin-reminder:"),
            )
        assert row.message_channel and row.message_ts
        updates.append((row.message_channel, row.message_ts, text, blocks))
    return updates


def _apply(client: WebClient, updates: list[Update]) -> None:
    for channel, ts, text, blocks in updates:
        try:
            client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except (SlackApiError, OSError):  # the answer is saved; the message catches up later
            log.warning("could not update message %s in %s", ts, channel, exc_info=True)


def _clicked_value(body: dict[str, Any]) -> str:
    try:
        return str(body["actions"][0]["value"])
    except (KeyError, IndexError, TypeError) as missing:
        raise ValueError("no value") from missing


def _notice(text: str) -> dict[str, Any]:
    return {
        "response_action": "update",
        "view": {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Mentoring"},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        },
    }
