"""What a person sees when their request fails: "try again in a minute" when the database is
not answering, "something went wrong" otherwise; never a stack trace, and always where they
acted (the command's reply, the clicked message, the open modal, or a DM).

Bolt's global error handler calls `answer`. Before the request was acknowledged the reply can
be the HTTP answer itself; after it (Bolt runs listeners once they have acked) the reply goes
through the request's response_url, or a DM when there is none.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa
from slack_bolt import Ack, BoltResponse, Respond
from slack_sdk import WebClient

from bot.db import DatabaseUnavailable
from bot.slack.interaction import SOMETHING_WRONG, TRY_AGAIN

log = logging.getLogger(__name__)

JSON = {"content-type": "application/json"}


def is_database_error(error: BaseException) -> bool:
    """The database did not answer (down, restarting, unreachable, or a connection dropped)."""
    if isinstance(error, (DatabaseUnavailable, sa.exc.OperationalError, sa.exc.InterfaceError)):
        return True
    return isinstance(error, sa.exc.DBAPIError) and bool(error.connection_invalidated)


def kind_of(body: dict[str, Any]) -> str:
    if body.get("command"):
        return "command"
    return str(body.get("type") or "request")


def answer(
    error: BaseException,
    body: dict[str, Any],
    *,
    acknowledged: bool,
    respond: Respond | None,
    client: WebClient | None,
) -> BoltResponse | None:
    """Log the failure and tell the person; the HTTP answer when not yet acknowledged."""
    kind = kind_of(body)
    database = is_database_error(error)
    text = TRY_AGAIN if database else SOMETHING_WRONG
    if database:
        log.warning("the database did not answer a %s request: %s", kind, _first_line(error))
    else:
        log.error("unhandled error for a %s request", kind, exc_info=error)
    if kind == "command":
        if not acknowledged:
            return _json({"response_type": "ephemeral", "text": text})
        _tell(body, respond, client, text)
        return None
    if kind == "view_submission":
        if not acknowledged:
            block_id = _first_input(body.get("view") or {})
            if block_id is not None:
                return _json({"response_action": "errors", "errors": {block_id: text}})
        _tell(body, respond, client, text)
        return None if acknowledged else BoltResponse(status=200, body="")
    if kind == "block_actions":
        _tell(body, respond, client, text)
        return None if acknowledged else BoltResponse(status=200, body="")
    if acknowledged:
        return None
    if kind == "block_suggestion":
        return _json({"options": []})
    if kind == "event_callback" and database:
        # Nothing was done: Slack redelivers an event it got no 2xx for (in 1 and 5 minutes).
        return BoltResponse(status=503, body="")
    return BoltResponse(status=200, body="")


class _GivenAck(Ack):
    """An acknowledgement that, once given, stays given.

    When a listener that already acked raises, Bolt's thread runner sets `ack.response` back
    to None after the error handler; if the listener failed within Bolt's 10 ms polling, the
    HTTP answer then waits out the 3 s and turns into a 404, and Slack shows the person an
    error on top of our friendly reply.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "response" and value is None and self.__dict__.get("response") is not None:
            return
        super().__setattr__(name, value)


def keep_acknowledgement(ack: Ack | None) -> None:
    """Make an ack already given survive Bolt's error path (see `_GivenAck`)."""
    if type(ack) is Ack and ack.response is not None:
        ack.__class__ = _GivenAck


def _json(reply: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(reply), headers=JSON)


def _first_input(view: dict[str, Any]) -> str | None:
    """An input block of the submitted modal, to show the message under."""
    values = (view.get("state") or {}).get("values") or {}
    for block_id in values:
        return str(block_id)
    for block in view.get("blocks") or []:
        if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def _tell(
    body: dict[str, Any], respond: Respond | None, client: WebClient | None, text: str
) -> None:
    """Ephemeral through the response_url; a DM when the request has none (a modal, the Home
    tab). Best effort: the person can always try again."""
    try:
        if respond is not None and (body.get("response_url") or _response_urls(body)):
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        user = body.get("user")
        user_id = user.get("id") if isinstance(user, dict) else body.get("user_id")
        if client is not None and user_id:
            client.chat_postMessage(channel=str(user_id), text=text)
    except Exception as failed:
        log.warning("could not tell the person their request failed: %s", failed)


def _response_urls(body: dict[str, Any]) -> bool:
    urls = body.get("response_urls")
    return isinstance(urls, list) and bool(urls)


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0]}" if lines else type(original).__name__
