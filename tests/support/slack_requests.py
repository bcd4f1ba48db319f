"""Signed requests to the bot's HTTP endpoint, shaped like the ones Slack sends.

End-to-end tests go through the bot's real request verification and Bolt's real payload
parsing, so every payload carries the fields Bolt reads (team, user, channel, response_url,
trigger_id) in the places Slack puts them.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

UNCONFIGURED_RESPONSE_URL = "https://127.0.0.1:9/commands/response-url-not-configured"
_serial = itertools.count(1)


@dataclass
class Response:
    """What the bot answered; 4xx and 5xx are answers too, never exceptions."""

    status: int
    headers: dict
    body: bytes
    response_url: str = ""  # the one the request carried, where a late answer goes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """Slack's v0 request signature over ``v0:<timestamp>:<body>``."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_serial):06d}{int(time.time())}"


class SignedClient:
    """Sends Slack-shaped, correctly signed requests to one URL (the bot's /slack/events)."""

    def __init__(
        self,
        url: str,
        signing_secret: str,
        *,
        team_id: str = "T0TEAM",
        response_url_factory: Callable[[], str] | None = None,
        answer_shown: Callable[[str, dict], None] | None = None,
        bot_user_id: str = "UBOT",
        api_app_id: str = "A0APP",
    ) -> None:
        self.url, self.signing_secret, self.team_id = url, signing_secret, team_id
        self.response_url_factory = response_url_factory
        self.answer_shown = answer_shown  # Slack showing a form's answer (FakeSlack.answer_shown)
        self.bot_user_id, self.api_app_id = bot_user_id, api_app_id
        self.last: tuple[bytes, str] | None = None  # the last body sent, for redelivery

    # -- transport -------------------------------------------------------------------------

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        signature: str | None = None,
        headers: dict | None = None,
    ) -> Response:
        """POST ``body`` signed with ``secret`` (default: the real one) at ``timestamp``.

        ``signature`` replaces the computed one, for forgery tests.
        """
        self.last = (body, content_type)
        timestamp = int(time.time()) if timestamp is None else timestamp
        signature = signature or sign(secret or self.signing_secret, timestamp, body)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        parts = urlsplit(self.url)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.netloc, timeout=10)
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", path or "/", body=body, headers=sent)
            answer = connection.getresponse()
            return Response(answer.status, dict(answer.getheaders()), answer.read())
        finally:
            connection.close()

    def redeliver(self, retry_num: int = 1, retry_reason: str = "http_timeout") -> Response:
        """Send the last request's exact body again, signed afresh, as Slack's retries are."""
        if self.last is None:
            raise RuntimeError("nothing was sent yet")
        body, content_type = self.last
        return self.post(body, content_type, headers=_retry_headers(retry_num, retry_reason))

    def _post_form(self, fields: dict, retry_num: int | None) -> Response:
        body = urlencode(fields).encode()
        return self.post(
            body, "application/x-www-form-urlencoded", headers=_retry_headers(retry_num)
        )

    def _post_payload(self, payload: dict, retry_num: int | None) -> Response:
        """Interactivity payloads arrive as a form with one ``payload`` field holding JSON."""
        return self._post_form({"payload": json.dumps(payload)}, retry_num)

    # -- slash commands and interactivity --------------------------------------------------

    def command(
        self,
        text: str = "",
        *,
        user_id: str,
        command: str = "/mentoring",
        channel_id: str = "C0GENERAL",
        team_id: str | None = None,
        retry_num: int | None = None,
        **extra: Any,
    ) -> Response:
        """A slash command; ``extra`` adds or overrides form fields."""
        fields = {
            "token": "verification-token",
            "team_id": team_id or self.team_id,
            "team_domain": "fake-team",
            "channel_id": channel_id,
            "channel_name": "general" if channel_id == "C0GENERAL" else channel_id.lower(),
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(),
            "trigger_id": _unique("trigger."),
            **extra,
        }
        response = self._post_form(fields, retry_num)
        response.response_url = str(fields["response_url"])
        return response

    def block_action(
        self,
        action_id: str,
        *,
        user_id: str,
        value: str | None = None,
        block_id: str = "b",
        action_type: str = "button",
        selected_option: dict | None = None,
        selected_users: list | None = None,
        channel_id: str | None = None,
        message: dict | None = None,
        view: dict | None = None,
        team_id: str | None = None,
        retry_num: int | None = None,
        trigger_id: str | None = None,
    ) -> Response:
        """A click (or selection) in a message, or in a view when ``view`` is given."""
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": action_type,
            "action_ts": f"{time.time():.6f}",
        }
        for key, given in (
            ("value", value),
            ("selected_option", selected_option),
            ("selected_users", selected_users),
        ):
            if given is not None:
                action[key] = given
        payload = self._interaction("block_actions", user_id, team_id)
        payload["trigger_id"] = trigger_id or payload["trigger_id"]
        payload["actions"] = [action]
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "V0VIEW")}
            payload["view"] = view
        else:
            channel_id = channel_id or "C0GENERAL"
            message = message or {"type": "message", "ts": f"{time.time():.6f}", "text": ""}
            payload["container"] = {
                "type": "message",
                "channel_id": channel_id,
                "message_ts": message.get("ts"),
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id, "name": channel_id.lower()}
            payload["message"] = message
            payload["response_url"] = self._response_url()
        return self._post_payload(payload, retry_num)

    def view_submission(
        self,
        callback_id: str,
        values: dict,
        *,
        user_id: str,
        private_metadata: str = "",
        view_id: str = "V0VIEW",
        team_id: str | None = None,
        retry_num: int | None = None,
    ) -> Response:
        """A modal submitted; ``values`` is Slack's ``{block_id: {action_id: {...}}}``."""
        payload = self._interaction("view_submission", user_id, team_id)
        payload["view"] = self._view(callback_id, values, private_metadata, view_id, team_id)
        payload["response_urls"] = []
        response = self._post_payload(payload, retry_num)
        if self.answer_shown is not None and response.status == 200 and response.body:
            try:
                answer = response.json()
            except ValueError:
                answer = None
            if isinstance(answer, dict):
                self.answer_shown(view_id, answer)
        return response

    def view_closed(
        self,
        callback_id: str,
        *,
        user_id: str,
        private_metadata: str = "",
        view_id: str = "V0VIEW",
        team_id: str | None = None,
    ) -> Response:
        """A modal dismissed (sent only when the view had ``notify_on_close``)."""
        payload = self._interaction("view_closed", user_id, team_id)
        payload["view"] = self._view(callback_id, {}, private_metadata, view_id, team_id)
        payload["is_cleared"] = False
        return self._post_payload(payload, None)

    def _interaction(self, kind: str, user_id: str, team_id: str | None) -> dict:
        team = team_id or self.team_id
        return {
            "type": kind,
            "token": "verification-token",
            "api_app_id": self.api_app_id,
            "team": {"id": team, "domain": "fake-team"},
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "name": user_id.lower(),
                "team_id": team,
            },
            "enterprise": None,
            "is_enterprise_install": False,
            "trigger_id": _unique("trigger."),
        }

    def _view(
        self,
        callback_id: str,
        values: dict,
        private_metadata: str,
        view_id: str,
        team_id: str | None,
    ) -> dict:
        team = team_id or self.team_id
        return {
            "id": view_id,
            "team_id": team,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
            "hash": _unique("hash."),
            "title": {"type": "plain_text", "text": "Modal"},
            "blocks": [],
            "root_view_id": view_id,
            "previous_view_id": None,
            "external_id": "",
            "app_id": self.api_app_id,
            "app_installed_team_id": team,
            "bot_id": "B0BOT",
        }

    def _response_url(self) -> str:
        return (
            self.response_url_factory() if self.response_url_factory else UNCONFIGURED_RESPONSE_URL
        )

    # -- Events API ------------------------------------------------------------------------

    def event(
        self,
        event: dict,
        *,
        event_id: str | None = None,
        team_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> Response:
        """An Events API callback; ``event_ts`` is filled in when the event lacks it."""
        team = team_id or self.team_id
        envelope = {
            "token": "verification-token",
            "team_id": team,
            "context_team_id": team,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": f"{time.time():.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or _unique("Ev"),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "authed_users": [self.bot_user_id],
            "is_ext_shared_channel": False,
        }
        headers = _retry_headers(retry_num, retry_reason)
        return self.post(json.dumps(envelope).encode(), "application/json", headers=headers)

    def url_verification(self, challenge: str) -> Response:
        body = {"token": "verification-token", "challenge": challenge, "type": "url_verification"}
        return self.post(json.dumps(body).encode(), "application/json")


def _retry_headers(retry_num: int | None, retry_reason: str | None = None) -> dict:
    """Slack marks redelivery of a request it saw no timely answer to."""
    if retry_num is None:
        return {}
    return {
        "X-Slack-Retry-Num": str(retry_num),
        "X-Slack-Retry-Reason": retry_reason or "http_timeout",
    }
