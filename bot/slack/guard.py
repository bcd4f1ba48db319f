"""What every request passes before any listener: the right workspace, and once only.

- A request from a workspace the bot is not installed in is refused. Rows are scoped by team,
  so such a request would only ever see an empty world, but answering it at all would tell a
  stranger the bot exists and let them write rows of their own.
- A redelivered request (Slack's retries carry `X-Slack-Retry-Num`; a replayed trigger is the
  same request) is acknowledged and dropped, so it has one effect. Each request's id is kept in
  memory and, within a fraction of a second, in the database (bot.seen); a retry, which may
  reach another replica, is checked against the database before anything runs.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError

from bot.bootstrap import Services

log = logging.getLogger(__name__)

OTHER_WORKSPACE = (
    "Sorry, this mentoring bot belongs to another Slack workspace, so it can't help here. "
    "Ask your workspace admin about installing it for yours."
)


class InstalledTeam:
    """The workspace the bot token belongs to, asked of Slack once (auth.test)."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._team_id: str | None = None
        self._lock = threading.Lock()

    def team_id(self) -> str | None:
        """None while Slack cannot say; the guard then lets requests through (rows stay
        scoped by team either way)."""
        if self._team_id is None:
            with self._lock:
                if self._team_id is None:
                    try:
                        self._team_id = self._services.client.auth_test().get("team_id")
                    except SlackApiError as error:
                        log.warning("auth.test failed, cannot check workspaces yet: %s", error)
        return self._team_id


def request_team(body: dict[str, Any]) -> str | None:
    """Where Slack puts the acting workspace in each kind of request."""
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    if body.get("team_id"):
        return str(body["team_id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return None


def request_key(body: dict[str, Any]) -> str | None:
    """Slack's own id for this request: the same on every redelivery, different otherwise."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    return None


def _acknowledge(body: dict[str, Any], text: str | None = None) -> BoltResponse:
    if text and body.get("command"):
        reply = {"response_type": "ephemeral", "text": text}
        return BoltResponse(
            status=200, body=json.dumps(reply), headers={"content-type": "application/json"}
        )
    return BoltResponse(status=200, body="")


def install_guard(app: App, services: Services) -> None:
    installed = InstalledTeam(services)
    recent = RecentKeys()

    @app.middleware
    def guard(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        body = req.body if isinstance(req.body, dict) else {}
        team = request_team(body)
        expected = installed.team_id()
        if team and expected and team != expected:
            log.warning("refused a request from workspace %s (installed in %s)", team, expected)
            return _acknowledge(body, OTHER_WORKSPACE)
        key = request_key(body)
        if not (key and team):
            return next()
        now = services.clock.now()
        retry = req.headers.get("x-slack-retry-num", [None])[0]
        if not recent.add(f"{team}:{key}"):
            log.info("dropped a repeated request %s (retry %s)", key, retry or "-")
            return _acknowledge(body)
        if retry is None:
            # A first delivery: written for the other replicas with the others of the moment,
            # long before Slack could retry it.
            services.seen.note(team, key, now)
            return next()
        try:
            first = services.seen.record(team, key, now)
        except sa.exc.DBAPIError as error:
            # The listener meets the same outage and answers "try again" in its own way.
            log.warning("could not record request %s: %s", key, error.__class__.__name__)
            return next()
        if not first:
            log.info("dropped a redelivered request %s (retry %s)", key, retry)
            return _acknowledge(body)
        return next()


class RecentKeys:
    """The request ids this process saw lately: a repeat to the same replica costs no round
    trip to the database. Bounded, oldest forgotten first."""

    def __init__(self, size: int = 20_000) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def add(self, key: str) -> bool:
        """True when the key is new here."""
        with self._lock:
            if key in self._keys:
                return False
            self._keys[key] = None
            if len(self._keys) > self._size:
                self._keys.popitem(last=False)
            return True
