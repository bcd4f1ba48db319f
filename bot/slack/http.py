"""HTTP mode: one WSGI app for Slack's requests and the health check, served by waitress.

Requests are checked here before Bolt sees them, so a forged or stale request is a 401 and a
malformed one a 400, never a 500; Bolt checks the signature again on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from sqlalchemy.engine import Engine
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from bot.db import DatabaseUnavailable, check_connection
from bot.slack.request import SlackRequest

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024 * 1024
MAX_REQUEST_AGE = 5 * 60  # seconds; Slack's own replay window
SERVER_THREADS = 16

StartResponse = Callable[..., Any]


class SlackWsgiApp:
    def __init__(self, app: App, engine: Engine, signing_secret: str) -> None:
        self._app = app
        self._engine = engine
        self._secret = signing_secret.encode()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return self._health(start_response)
        if path == EVENTS_PATH and method == "POST":
            return self._slack(environ, start_response)
        if path in (HEALTH_PATH, EVENTS_PATH):
            return _reply(start_response, 405, "method not allowed")
        return _reply(start_response, 404, "not found")

    def _health(self, start_response: StartResponse) -> Iterable[bytes]:
        try:
            check_connection(self._engine)
        except DatabaseUnavailable as error:
            log.warning("health check: %s", error)
            return _reply(start_response, 503, {"ok": False, "database": "unreachable"})
        return _reply(start_response, 200, {"ok": True, "database": "ok"})

    def _is_signed(self, body: bytes, headers: dict[str, Any]) -> bool:
        """Slack signs the raw bytes, so the check comes before any decoding."""
        timestamp = str(headers.get("x-slack-request-timestamp", ""))
        signature = str(headers.get("x-slack-signature", ""))
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_REQUEST_AGE:
            return False
        base = b"v0:" + timestamp.encode() + b":" + body
        digest = hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(f"v0={digest}", signature)

    def _slack(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _reply(start_response, 400, "bad content length")
        if length > MAX_BODY_BYTES:
            return _reply(start_response, 413, "request too large")
        request = WsgiHttpRequest(environ)
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = request.get_headers()
        if not self._is_signed(raw, headers):
            return _reply(start_response, 401, "invalid signature")
        try:
            body = raw.decode("utf-8")
            bolt_request = SlackRequest(body=body, query=request.query_string, headers=headers)
        except (ValueError, TypeError, KeyError, AttributeError):  # JSON and UTF-8 errors too
            log.warning("malformed Slack request body (%d bytes)", len(raw))
            return _reply(start_response, 400, "malformed request")
        response = self._app.dispatch(bolt_request)
        start_response(
            f"{response.status} {_REASONS.get(response.status, 'OK')}",
            [(k, v) for k, values in response.headers.items() for v in values],
        )
        return [response.body.encode("utf-8")]


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 500: "Error"}


def _reply(start_response: StartResponse, status: int, body: object) -> list[bytes]:
    is_json = not isinstance(body, str)
    data = (json.dumps(body) if is_json else str(body)).encode("utf-8")
    content_type = "application/json" if is_json else "text/plain; charset=utf-8"
    reason = {405: "Method Not Allowed", 413: "Payload Too Large", 503: "Service Unavailable"}
    start_response(
        f"{status} {_REASONS.get(status) or reason.get(status, 'Error')}",
        [("Content-Type", content_type), ("Content-Length", str(len(data)))],
    )
    return [data]


def make_server(
    wsgi_app: SlackWsgiApp, host: str, port: int, *, loop_timeout: float = 1.0
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server (multi-threaded, production-grade); port 0 picks a free port."""
    return create_server(
        wsgi_app,
        host=host,
        port=port,
        threads=SERVER_THREADS,
        ident="mentoring-bot",
        clear_untrusted_proxy_headers=True,
        asyncore_loop_timeout=loop_timeout,
    )
