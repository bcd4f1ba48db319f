"""Sharing a win (the Share a win button and the modal) and publishing one (organizers only).

The share modal is answered by the person who opened it, within their own enrolments; the
publish button and modal check the organizer on every step and refuse organizers-only wins
whatever value arrives. The post goes out before the modal closes, so a channel the bot is not
in is an error on the field, and a win is claimed in the database first, so it is posted once.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot import wins
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.slack import ids
from bot.slack.blocks import wins as blocks
from bot.slack.blocks.common import section
from bot.slack.interaction import (
    ORGANIZERS_ONLY,
    TRY_AGAIN,
    Actor,
    acting_organizer,
    actor,
    clicked_id,
    field_errors,
    int_or_none,
    text_value,
    view_metadata,
    view_values,
)
from bot.wins import AlreadyPublished, WinError, WinInvalid

log = logging.getLogger(__name__)

OUT_OF_DATE = "That button is out of date."
FORM_OUT_OF_DATE = "This form is out of date; open it again."
COULD_NOT_OPEN = "Sorry, I couldn't open the form just now. Please try again."
NOT_POSTABLE = {
    "not_in_channel": "I'm not in that channel yet: add me there (type /invite @Reverse "
    "Mentoring in it), then publish again.",
    "channel_not_found": "I can't see that channel. If it is private, add me to it first.",
    "is_archived": "That channel is archived; pick another one.",
    "restricted_action": "Posting there is restricted; pick another channel.",
}


def open_share_modal(
    client: WebClient, trigger_id: str, places: list[wins.Place], text: str = ""
) -> None:
    """The one way the share modal opens (the command and the button)."""
    client.views_open(trigger_id=trigger_id, view=blocks.win_modal(places, text))


def already_published_text(error: AlreadyPublished) -> str:
    by = f" by <@{error.by}>" if error.by else ""
    return f"This win was already published in <#{error.channel}>{by}."


def register(app: App, services: Services) -> None:
    """Register the Share a win button, the share modal, and Publish with its modal."""

    def tell(respond: Respond, text: str) -> None:
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
        except Exception:  # telling is best effort
            log.warning("could not answer a wins click: %s", text)

    @app.action(ids.SHARE_WIN)
    def share_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        who = actor(body)
        pairing_id = clicked_id(body)
        if pairing_id is None:
            tell(respond, OUT_OF_DATE)
            return
        try:
            with unit_of_work(services.sessions) as session:
                place = wins.place_for_pairing(session, who.team_id, who.user_id, pairing_id)
        except WinError as refused:
            tell(respond, str(refused))
            return
        except SQLAlchemyError:
            log.exception("database error opening the share modal")
            tell(respond, TRY_AGAIN)
            return
        try:
            open_share_modal(client, body["trigger_id"], [place])
        except SlackApiError as error:  # an expired trigger, say: the person can click again
            log.warning("could not open the share modal: %s", error)
            tell(respond, COULD_NOT_OPEN)

    @app.view(ids.WIN_MODAL)
    def share_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        who = actor(body)
        values = view_values(view)
        metadata = view_metadata(view)
        program_id = int_or_none(metadata.get("program_id") or values.get(blocks.PROGRAM_BLOCK))
        pairing_id = int_or_none(metadata.get("pairing_id")) if "program_id" in metadata else None
        try:
            with unit_of_work(services.sessions) as session:
                win = wins.record(
                    session,
                    team_id=who.team_id,
                    user_id=who.user_id,
                    program_id=program_id,
                    pairing_id=pairing_id,
                    text=text_value(values, blocks.TEXT_BLOCK),
                    sharing=values.get(blocks.SHARING_BLOCK),
                    now=services.clock.now(),
                )
                program_name = wins.program_name(session, win.program_id)
                thanks = blocks.thanks_message(
                    win.sharing, program_name, paired=win.pairing_id is not None
                )
        except WinInvalid as invalid:
            ack(**field_errors(_on_fields(invalid.errors, values)))
            return
        except WinError as refused:
            ack(**field_errors(_on_fields({refused.field or "": str(refused)}, values)))
            return
        except SQLAlchemyError:
            log.exception("database error saving a win")
            ack(**field_errors({blocks.TEXT_BLOCK: TRY_AGAIN}))
            return
        ack()
        text, message_blocks = thanks
        try:
            client.chat_postMessage(channel=who.user_id, text=text, blocks=message_blocks)
        except SlackApiError as error:  # the win is saved; the thank-you is a courtesy
            log.warning("could not thank %s for a win: %s", who.user_id, error)

    @app.action(ids.WIN_PUBLISH)
    def publish_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        who = actor(body)
        if not acting_organizer(services, who):
            tell(respond, ORGANIZERS_ONLY)
            return
        win_id = clicked_id(body)
        if win_id is None:
            tell(respond, OUT_OF_DATE)
            return
        try:
            with unit_of_work(services.sessions) as session:
                win = wins.check_publishable(wins.get(session, who.team_id, win_id))
        except AlreadyPublished as done:
            tell(respond, already_published_text(done))
            return
        except WinError as refused:
            tell(respond, str(refused))
            return
        except SQLAlchemyError:
            log.exception("database error opening the publish modal")
            tell(respond, TRY_AGAIN)
            return
        try:
            client.views_open(trigger_id=body["trigger_id"], view=blocks.publish_modal(win))
        except SlackApiError as error:
            log.warning("could not open the publish modal: %s", error)
            tell(respond, COULD_NOT_OPEN)

    @app.view(ids.WIN_PUBLISH_MODAL)
    def publish_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        who = actor(body)
        field = blocks.CHANNEL_BLOCK
        if not acting_organizer(services, who):
            ack(**field_errors({field: ORGANIZERS_ONLY}))
            return
        channel = view_values(view).get(field)
        win_id = view_metadata(view).get("win_id")
        if not isinstance(win_id, int):
            ack(**field_errors({field: FORM_OUT_OF_DATE}))
            return
        if not isinstance(channel, str) or not channel:
            ack(**field_errors({field: "Pick a channel."}))
            return
        try:
            win = _claim(services, who, win_id, channel)
        except AlreadyPublished as done:
            ack(response_action="update", view=_notice(already_published_text(done)))
            return
        except WinError as refused:
            ack(**field_errors({field: str(refused)}))
            return
        except SQLAlchemyError:
            log.exception("database error publishing a win")
            ack(**field_errors({field: TRY_AGAIN}))
            return
        text, post = blocks.published_post(win)
        try:
            posted = client.chat_postMessage(
                channel=channel, text=text, blocks=post, unfurl_links=False, unfurl_media=False
            )
        except SlackApiError as error:
            code = str(error.response.get("error", ""))
            with unit_of_work(services.sessions) as session:
                wins.finish_publication(session, win_id, who.user_id, None)
            ack(
                **field_errors({field: NOT_POSTABLE.get(code, f"Slack refused the post ({code}).")})
            )
            return
        with unit_of_work(services.sessions) as session:
            wins.finish_publication(session, win_id, who.user_id, str(posted["ts"]))
        ack(response_action="update", view=blocks.published_view(str(posted["channel"])))


def _claim(services: Services, who: Actor, win_id: int, channel: str) -> wins.Credited:
    with unit_of_work(services.sessions) as session:
        win = wins.check_publishable(wins.get(session, who.team_id, win_id))
        wins.claim_publication(session, win, channel, who.user_id)
        return win


def _notice(text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Publish a win"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(text)],
    }


def _on_fields(errors: dict[str, str], values: dict[str, Any]) -> dict[str, str]:
    """Errors for fields the modal does not show (the program, when there is one) go on the
    story's field, where the person sees them."""
    shown: dict[str, str] = {}
    for field, message in errors.items():
        where = field if field in values else blocks.TEXT_BLOCK
        if where != field and field == blocks.PROGRAM_BLOCK and message.startswith("Choose"):
            message = FORM_OUT_OF_DATE
        shown.setdefault(where, message)
    return shown
