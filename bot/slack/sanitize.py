"""What every request is cleaned of before a listener sees it.

- NUL characters are removed from every string: PostgreSQL cannot store them, so a name, a
  comment or a search that carried one failed as a database error; Slack's own clients never
  send them, and nothing anyone types needs them.
- A request whose bot-made values (button values, picked menu options, modal metadata: the bot
  only ever puts ids and choices there) hold a number no database id can be is a tampered
  one: it is answered as out of date and goes no further. Looking such a number up fails in
  the driver or the database (ids are 32-bit integers on PostgreSQL), not with "not found";
  so does a true or false in metadata (`isinstance(True, int)` holds).
  Buttons whose values carry a time after the id (the kickoff's `<program>:<epoch>`) hold
  the time to 64 bits only, so they keep working after 2038.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient

from bot.slack import ids
from bot.slack.interaction import MAX_ID, tell_where_clicked

log = logging.getLogger(__name__)

OUT_OF_DATE = "That button or form is out of date. Please start again."
MAX_NUMBER = 2**63 - 1  # what SQLite and the PostgreSQL driver can bind at all
DIGITS = re.compile(r"\d+")
# Actions whose values are "<id>:<seconds since 1970>".
TIMED = frozenset({ids.KICKOFF_GOING, ids.KICKOFF_NOT_GOING})


def without_nul(value: Any) -> Any:
    """`value` with NUL characters removed from every string in it."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def _too_big_text(text: str, limit: int = MAX_ID) -> bool:
    """Digits (of any script) forming a number beyond `limit`."""
    width = len(str(limit))
    for run in DIGITS.findall(text):
        digits = run.lstrip("0")
        if len(digits) > width or (len(digits) == width and int(digits) > limit):
            return True
    return False


def _too_big(value: Any) -> bool:
    """A number (or a string of digits) beyond any id, anywhere in decoded metadata; or true
    or false, which the bot never puts there and Python takes for the ids 1 and 0."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) > MAX_ID
    if isinstance(value, float):
        return not math.isfinite(value) or abs(value) > MAX_ID
    if isinstance(value, str):
        return _too_big_text(value)
    if isinstance(value, dict):
        return any(_too_big(item) for item in value.values())
    if isinstance(value, list):
        return any(_too_big(item) for item in value)
    return False


def _metadata_too_big(raw: Any) -> bool:
    if not isinstance(raw, str) or not raw:
        return False
    try:
        return _too_big(json.loads(raw))
    except ValueError:  # not JSON (or a number too long to read): its digits then
        return _too_big_text(raw)


def _picked(element: dict[str, Any]) -> list[Any]:
    """Values the bot offered in a menu and the person picked."""
    values = [element.get("selected_option"), *(element.get("selected_options") or [])]
    return [option.get("value") for option in values if isinstance(option, dict)]


def is_tampered(body: dict[str, Any]) -> bool:
    """Bot-made values with a number no id can be."""
    view = body.get("view") if isinstance(body.get("view"), dict) else {}
    if _metadata_too_big(view.get("private_metadata")):
        return True
    for action in body.get("actions") or []:
        if not isinstance(action, dict):
            continue
        values = [action.get("value"), *_picked(action)]
        if any(_too_big_value(value, action.get("action_id")) for value in values):
            return True
    return False


def _too_big_value(value: Any, action_id: Any) -> bool:
    if not isinstance(value, str):
        return False
    if action_id in TIMED:  # "<id>:<epoch>"
        first, _, rest = value.partition(":")
        return _too_big_text(first) or _too_big_text(rest, MAX_NUMBER)
    return _too_big_text(value)


def _notice() -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Mentoring"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": OUT_OF_DATE}}],
    }


def install_sanitizer(app: App) -> None:
    """Clean every request; install it after the workspace guard, so a request from another
    workspace is dropped before anything here answers it."""

    @app.middleware
    def sanitize(
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
        client: WebClient,
        respond: Respond | None,
    ) -> Any:
        if not isinstance(req.body, dict):
            return next()
        req.body = without_nul(req.body)
        if not is_tampered(req.body):
            return next()
        kind = req.body.get("type")
        log.warning("refused a %s request carrying an impossible id", kind)
        if kind == "view_submission":
            answer = {"response_action": "update", "view": _notice()}
            return BoltResponse(
                status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
            )
        if kind == "block_actions":
            try:
                tell_where_clicked(req.body, client, respond, OUT_OF_DATE)  # type: ignore[arg-type]
            except Exception as error:  # telling is best effort; nothing was done either way
                log.warning("could not answer a tampered click: %s", error)
        return BoltResponse(status=200, body="")
