"""Small helpers every listener needs: who is acting, what a modal holds, what Slack says of a
user, and how to refuse politely."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.organizers import is_organizer

log = logging.getLogger(__name__)

# With "escape channels, users and links" on (see manifest.yml) Slack sends <@U123|name>.
MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>")

TRY_AGAIN = (
    "Sorry, I couldn't do that just now: my database is not answering. "
    "Please try again in a minute."
)
SOMETHING_WRONG = "Sorry, something went wrong on my side. Please try again."
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
ORGANIZERS_ONLY = (
    "Only program organizers can do that. "
    "If you think you should be one, ask an organizer to add you."
)


@dataclass(frozen=True)
class Actor:
    team_id: str
    user_id: str


def actor(body: dict[str, Any]) -> Actor:
    """The workspace and user behind an interaction or command payload."""
    team = body.get("team")
    team_id = team.get("id") if isinstance(team, dict) else body.get("team_id")
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else body.get("user_id")
    if not team_id or not user_id:
        raise ValueError("payload without a team or a user")
    return Actor(str(team_id), str(user_id))


def acting_organizer(services: Services, who: Actor) -> bool:
    with unit_of_work(services.sessions) as session:
        return is_organizer(session, who.team_id, who.user_id, services.settings.organizers)


def view_values(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted modal's values by block id, whatever the element type.

    Each input block holds one element; absent optional inputs read as None (or [] for
    multi-selects and checkboxes).
    """
    values: dict[str, Any] = {}
    for block_id, actions in (view.get("state", {}).get("values") or {}).items():
        for element in actions.values():
            values[block_id] = _element_value(element)
    return values


def _element_value(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
        return element.get("value")
    if kind in ("static_select", "radio_buttons", "external_select"):
        option = element.get("selected_option")
        return option.get("value") if option else None
    if kind in ("multi_static_select", "checkboxes", "multi_external_select"):
        return [option.get("value") for option in element.get("selected_options") or []]
    if kind == "timepicker":
        return element.get("selected_time")
    if kind == "datepicker":
        return _date_or_none(element.get("selected_date"))
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "multi_users_select":
        return list(element.get("selected_users") or [])
    if kind == "conversations_select":
        return element.get("selected_conversation")
    if kind == "channels_select":
        return element.get("selected_channel")
    return element.get("value")


def _date_or_none(selected: Any) -> date | None:
    """A picked day; a value that is no date (Slack never sends one) reads as none picked."""
    try:
        return date.fromisoformat(selected) if isinstance(selected, str) and selected else None
    except ValueError:
        return None


def text_value(values: dict[str, Any], block_id: str) -> str:
    value = values.get(block_id)
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class SlackProfile:
    user_id: str
    display_name: str
    timezone: str
    deleted: bool
    is_bot: bool
    email: str | None = None


def fetch_profile(client: WebClient, user_id: str) -> SlackProfile | None:
    """Name and time zone from Slack (users.info); None when Slack does not know the user."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "users_not_found"):
            return None
        raise
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user_id
    )
    return SlackProfile(
        user_id=user["id"],
        display_name=name,
        timezone=user.get("tz") or "UTC",
        deleted=bool(user.get("deleted")),
        is_bot=bool(user.get("is_bot")),
        email=profile.get("email"),
    )


def user_timezone(client: WebClient, user_id: str) -> str | None:
    """Someone's zone from Slack, for the day and time fields of a form; None if Slack can't
    say (the form then says which zone it uses)."""
    try:
        profile = fetch_profile(client, user_id)
    except (SlackApiError, OSError):
        log.warning("users.info failed for %s; times shown in the form's stored zone", user_id)
        return None
    return profile.timezone if profile else None


def field_errors(errors: dict[str, str]) -> dict[str, Any]:
    """The ack that shows each message under its modal field (block ids are field names)."""
    return {"response_action": "errors", "errors": {k: v[:150] for k, v in errors.items()}}


def int_or_none(value: Any) -> int | None:
    """A button value or a form field as a whole number, or None if it is not one or is
    beyond any id (the database keeps ids in 32 bits; a bigger one fails to be looked up)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if abs(number) <= MAX_ID else None


def tell_where_clicked(
    body: dict[str, Any], client: WebClient, respond: Respond, text: str
) -> None:
    """An ephemeral line where the click happened: the message, or a DM from the Home tab
    (a click there has no response URL)."""
    if body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)
    else:
        client.chat_postMessage(channel=actor(body).user_id, text=text)


def clicked_id(body: dict[str, Any]) -> int | None:
    """The id a clicked button carries, or None when the payload has none."""
    actions = body.get("actions") or [{}]
    return int_or_none(actions[0].get("value"))


def view_metadata(view_or_raw: dict[str, Any] | str | None) -> dict[str, Any]:
    """A modal's private_metadata as a dict; {} when it is missing or tampered with."""
    raw = view_or_raw.get("private_metadata") if isinstance(view_or_raw, dict) else view_or_raw
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any]) -> bool:
    """Open a modal; False when Slack refused (a trigger expires after 3 seconds)."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, OSError):
        log.warning("could not open a modal", exc_info=True)
        return False
    return True
