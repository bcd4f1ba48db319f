"""SignedClient's requests pass a real Bolt app's signature check and parse as Slack's do."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SignedClient, sign

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
# Required keys of Slack's event envelope (shared/slack/event_wrapper.schema.json).
ENVELOPE_KEYS = {
    "token",
    "team_id",
    "api_app_id",
    "event",
    "type",
    "event_id",
    "event_time",
    "authed_users",
}


@dataclass
class Seen:
    """What one listener received, as Bolt parsed it."""

    kind: str
    context: BoltContext
    body: dict
    headers: dict


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log in test output."""


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(bot_token=TOKEN) as server:
        yield server


@pytest.fixture
def seen() -> queue.Queue[Seen]:
    return queue.Queue()


@pytest.fixture
def slack(fake: FakeSlack, seen: queue.Queue[Seen]) -> Iterator[SignedClient]:
    """A real Bolt app (auth.test answered by the fake) served over WSGI on 127.0.0.1."""
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=TOKEN, base_url=fake.base_url),
        token_verification_enabled=False,
    )

    def record(kind: str):
        def listener(ack, context: BoltContext, body: dict, request: BoltRequest) -> None:
            ack()
            seen.put(Seen(kind, context, body, dict(request.headers)))

        return listener

    def on_command(ack, context: BoltContext, body: dict, request: BoltRequest, respond) -> None:
        record("command")(ack, context, body, request)
        respond("On it")

    app.command("/mentoring")(on_command)
    app.action("pick")(record("action"))
    app.view("enrol")(record("view_submission"))
    app.view_closed("enrol")(record("view_closed"))
    app.event("app_mention")(record("event"))

    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/slack/events"
    yield SignedClient(url, SECRET, response_url_factory=fake.new_response_url)
    server.shutdown()
    server.server_close()


def next_seen(seen: queue.Queue[Seen], kind: str) -> Seen:
    """Bolt runs listeners on its own threads, after the ack went out."""
    got = seen.get(timeout=5)
    assert got.kind == kind
    return got


def test_command_reaches_the_listener_and_respond_hits_the_fake(
    slack: SignedClient, seen: queue.Queue[Seen], fake: FakeSlack
) -> None:
    answer = slack.command("enrol mentee", user_id="U1")
    assert answer.status == 200

    got = next_seen(seen, "command")
    assert (got.context.team_id, got.context.user_id, got.context.channel_id) == (
        "T0TEAM",
        "U1",
        "C0GENERAL",
    )
    assert (got.body["command"], got.body["text"]) == ("/mentoring", "enrol mentee")
    [reply] = fake.wait_for("response_url")
    assert reply.params["text"] == "On it"
    assert reply.path.startswith("/response/")


def test_trigger_ids_are_unique(slack: SignedClient, seen: queue.Queue[Seen]) -> None:
    slack.command(user_id="U1")
    slack.command(user_id="U1")
    first, second = next_seen(seen, "command"), next_seen(seen, "command")
    assert first.body["trigger_id"] != second.body["trigger_id"]


def test_block_action_in_a_message(
    slack: SignedClient, seen: queue.Queue[Seen], fake: FakeSlack
) -> None:
    message = {"type": "message", "ts": "1700000000.000100", "text": "Pick one"}
    answer = slack.block_action("pick", user_id="U2", value="42", channel_id="D1", message=message)
    assert answer.status == 200

    got = next_seen(seen, "action")
    assert (got.context.team_id, got.context.user_id, got.context.channel_id) == (
        "T0TEAM",
        "U2",
        "D1",
    )
    assert got.body["actions"][0]["value"] == "42"
    assert got.body["container"] == {
        "type": "message",
        "channel_id": "D1",
        "message_ts": "1700000000.000100",
        "is_ephemeral": False,
    }
    assert got.context.response_url.startswith(fake.root_url)


def test_block_action_in_a_view(slack: SignedClient, seen: queue.Queue[Seen]) -> None:
    option = {"text": {"type": "plain_text", "text": "Mentee"}, "value": "mentee"}
    slack.block_action(
        "pick",
        user_id="U2",
        action_type="static_select",
        selected_option=option,
        view={"id": "V9", "type": "home"},
    )
    got = next_seen(seen, "action")
    assert got.body["container"] == {"type": "view", "view_id": "V9"}
    assert got.body["actions"][0]["selected_option"] == option
    assert got.context.response_url is None


def test_view_submission(slack: SignedClient, seen: queue.Queue[Seen]) -> None:
    values = {"goal": {"goal_input": {"type": "plain_text_input", "value": "Learn SQL"}}}
    answer = slack.view_submission("enrol", values, user_id="U3", private_metadata='{"program": 7}')
    assert answer.status == 200

    got = next_seen(seen, "view_submission")
    assert (got.context.team_id, got.context.user_id) == ("T0TEAM", "U3")
    assert got.body["view"]["state"]["values"] == values
    assert json.loads(got.body["view"]["private_metadata"]) == {"program": 7}


def test_view_closed(slack: SignedClient, seen: queue.Queue[Seen]) -> None:
    assert slack.view_closed("enrol", user_id="U3").status == 200
    assert next_seen(seen, "view_closed").body["is_cleared"] is False


def test_event_envelope_and_retry_headers(slack: SignedClient, seen: queue.Queue[Seen]) -> None:
    event = {
        "type": "app_mention",
        "user": "U4",
        "text": "<@UBOT> hi",
        "channel": "C2",
        "ts": "1.2",
    }
    answer = slack.event(event, event_id="Ev123", retry_num=1, retry_reason="http_timeout")
    assert answer.status == 200

    got = next_seen(seen, "event")
    assert got.body.keys() >= ENVELOPE_KEYS
    assert {"type", "event_ts"} <= got.body["event"].keys()
    assert (got.body["event_id"], got.body["authed_users"]) == ("Ev123", ["UBOT"])
    assert (got.context.team_id, got.context.user_id, got.context.channel_id) == (
        "T0TEAM",
        "U4",
        "C2",
    )
    assert got.headers["x-slack-retry-num"] == ["1"]
    assert got.headers["x-slack-retry-reason"] == ["http_timeout"]


def test_url_verification_echoes_the_challenge(slack: SignedClient) -> None:
    answer = slack.url_verification("c-123")
    assert answer.status == 200 and answer.json() == {"challenge": "c-123"}


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"signature": "v0=" + "0" * 64}, id="forged signature"),
        pytest.param({"secret": "another-secret"}, id="other secret"),
        pytest.param({"timestamp": int(time.time()) - 6 * 60}, id="six minutes old"),
    ],
)
def test_badly_signed_requests_are_refused(slack: SignedClient, tamper: dict) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
    assert slack.post(body, "application/json").status == 200  # the untampered control
    assert slack.post(body, "application/json", **tamper).status == 401


def test_sign_matches_slack_sdk_verifier() -> None:
    from slack_sdk.signature import SignatureVerifier

    now = int(time.time())
    signature = sign(SECRET, now, b"a=1")
    assert SignatureVerifier(SECRET).is_valid(b"a=1", str(now), signature)
