"""Requests Slack did not sign, or signed for something else, are refused with 401 and change
nothing: no row written, nothing asked of Slack. Each kind of request (a slash command, a
click, a modal submission, two events) is first sent every wrong way, then once correctly, so
the test also proves the request itself would have had an effect."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from bot.slack import ids
from tests.conftest import SIGNING_SECRET, RunningBot
from tests.hostile.conftest import (
    World,
    calls_since,
    changed_tables,
    mark,
    program_values,
    settle,
    snapshot,
)
from tests.support.slack_requests import Response, SignedClient, sign


@dataclass
class Prepared:
    """A request as the client would send it, not sent yet."""

    body: bytes
    content_type: str


class Preparing(SignedClient):
    """Builds Slack-shaped bodies without sending them."""

    def post(self, body: bytes, content_type: str, **_: Any) -> Prepared:  # type: ignore[override]
        return Prepared(body, content_type)


def preparing(bot: RunningBot) -> Preparing:
    return Preparing(bot.slack.url, SIGNING_SECRET, response_url_factory=bot.fake.new_response_url)


def changed_field(prepared: Prepared) -> bytes:
    """The same body with one field changed: another user, or another flag."""
    if prepared.content_type == "application/json":
        envelope = json.loads(prepared.body)
        event = envelope["event"]
        if isinstance(event.get("user"), dict):
            event["user"]["id"] = "UBEN"
        else:
            event["user"] = "UORGANIZER"
        return json.dumps(envelope).encode()
    fields = dict(parse_qsl(prepared.body.decode(), keep_blank_values=True))
    if "payload" in fields:
        payload = json.loads(fields["payload"])
        payload["user"]["id"] = "UANA"
        fields["payload"] = json.dumps(payload)
    else:
        fields["text"] = fields["text"].replace("UZED", "UANA")
    return urlencode(fields).encode()


def send_raw(bot: RunningBot, body: bytes, headers: dict[str, str]) -> int:
    """A POST with exactly these headers (none added), as an attacker would send it."""
    parts = urlsplit(bot.slack.url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        connection.request("POST", parts.path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def wrong_ways(bot: RunningBot, prepared: Prepared) -> dict[str, int]:
    """Every way of sending `prepared` that Slack's signature rules refuse; name -> status."""
    body, kind = prepared.body, prepared.content_type
    now = int(time.time())
    valid = sign(SIGNING_SECRET, now, body)
    post: Callable[..., Response] = bot.slack.post
    statuses = {
        "no signature headers at all": send_raw(bot, body, {"Content-Type": kind}),
        "an empty signature": post(
            body, kind, headers={"X-Slack-Signature": "", "X-Slack-Request-Timestamp": str(now)}
        ).status,
        "no timestamp": send_raw(bot, body, {"Content-Type": kind, "X-Slack-Signature": valid}),
        "a forged signature": post(body, kind, signature="v0=" + "0" * 64).status,
        "a signature of another version": post(
            body, kind, signature=valid.replace("v0=", "v1=")
        ).status,
        "signed with another secret": post(body, kind, secret="f" * 32).status,
        "signed six minutes ago": post(body, kind, timestamp=now - 6 * 60).status,
        "signed a day ago": post(body, kind, timestamp=now - 24 * 3600).status,
        "signed six minutes in the future": post(body, kind, timestamp=now + 6 * 60).status,
        "a timestamp that is not a number": post(
            body, kind, timestamp="soon", signature=sign(SIGNING_SECRET, "soon", body)
        ).status,
        "a replayed signature over a changed body": post(
            changed_field(prepared), kind, timestamp=now, signature=valid
        ).status,
        "the signature of another timestamp": post(
            body, kind, timestamp=now - 1, signature=valid
        ).status,
        "a body with a byte appended": post(
            body + b"&x=1", kind, timestamp=now, signature=valid
        ).status,
    }
    return statuses


def requests(bot: RunningBot, world: World) -> dict[str, tuple[Prepared, Callable[..., bool]]]:
    """Each kind of request, and how to tell it had its effect when sent correctly."""
    client = preparing(bot)

    def wrote(*tables: str) -> Callable[..., bool]:
        return lambda before, after, calls: set(tables) <= set(changed_tables(before, after))

    def asked(method: str) -> Callable[..., bool]:
        return lambda before, after, calls: any(c.method == method for c in calls)

    return {
        "slash command": (
            client.command("organizers add <@UZED|zed>", user_id="UORGANIZER"),
            wrote("organizers"),
        ),
        "button click": (
            client.block_action(ids.FLAG_PAUSE, user_id="UORGANIZER", value=str(world.flag_id)),
            wrote("flags", "pairings"),
        ),
        "modal submission": (
            client.view_submission(ids.PROGRAM_MODAL, program_values(), user_id="UORGANIZER"),
            wrote("programs"),
        ),
        "Home tab opened": (
            client.event({"type": "app_home_opened", "user": "UANA", "tab": "home"}),
            asked("views.publish"),
        ),
        "member deactivated": (
            client.event({"type": "user_change", "user": {"id": "UANA", "deleted": True}}),
            wrote("participants"),
        ),
    }


KINDS = [
    "slash command",
    "button click",
    "modal submission",
    "Home tab opened",
    "member deactivated",
]


@pytest.mark.parametrize("kind", KINDS)
def test_unsigned_forged_stale_and_altered_requests_are_401_and_change_nothing(
    hbot: RunningBot, world: World, kind: str
) -> None:
    prepared, had_effect = requests(hbot, world)[kind]
    before, since = snapshot(hbot), mark(hbot.fake)

    statuses = wrong_ways(hbot, prepared)
    settle(hbot)

    assert {name: status for name, status in statuses.items() if status != 401} == {}
    assert changed_tables(before, snapshot(hbot)) == []
    assert [c.method for c in calls_since(hbot.fake, since)] == []

    # The very same request, signed as Slack signs it, does what it says.
    answer = hbot.slack.post(prepared.body, prepared.content_type)
    settle(hbot)
    assert answer.status == 200, answer.text
    assert had_effect(before, snapshot(hbot), calls_since(hbot.fake, since)), kind


def test_an_oversized_or_empty_signed_body_is_refused_without_effect(
    hbot: RunningBot, world: World
) -> None:
    before, since = snapshot(hbot), mark(hbot.fake)
    huge = b"text=" + b"a" * (1024 * 1024 + 10)
    statuses = [
        hbot.slack.post(huge, "application/x-www-form-urlencoded").status,
        hbot.slack.post(b"", "application/x-www-form-urlencoded").status,
        hbot.slack.post(b"{}", "application/json").status,
        hbot.slack.post(b"[]", "application/json").status,
        hbot.slack.post(b"null", "application/json").status,
    ]
    settle(hbot)

    assert all(status < 500 for status in statuses), statuses
    assert statuses[0] == 413
    assert changed_tables(before, snapshot(hbot)) == []
    assert calls_since(hbot.fake, since) == []
