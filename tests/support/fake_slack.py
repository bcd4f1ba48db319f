"""A fake Slack Web API on 127.0.0.1, for tests that drive the bot through real HTTP.

It answers like Slack (``{"ok": true, ...}`` / ``{"ok": false, "error": ...}``), records every
call, refuses payloads over Block Kit limits, and fails, rate-limits or stalls on demand, so
tests exercise the bot's real ``slack_sdk`` client, retries and error handling.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from .block_kit import MAX_MESSAGE_TEXT, block_kit_problems
from .waiting import eventually

JSON_PARAMS = ("blocks", "view", "attachments", "files", "metadata")
SERVER_ERROR_BODY = (
    "<html><head><title>{status}</title></head><body>upstream request failed</body></html>"
)


@dataclass
class Call:
    """One request the fake received, and what it answered."""

    method: str  # "chat.postMessage"; "response_url" or "upload" for those URLs
    params: dict  # query + body params; JSON strings in JSON_PARAMS decoded
    headers: dict  # names lower-cased
    at: float  # time.monotonic() on arrival
    status: int
    response: dict  # the JSON answered; {"body": text} when the answer was not JSON
    path: str = ""


@dataclass
class _Injected:
    """A failure or delay queued by a test for the next ``times`` calls of one method."""

    times: int
    status: int = 200
    body: dict | str = ""
    headers: dict = field(default_factory=dict)
    seconds: float = 0.0


class _Refusal(Exception):
    """Raised by a method handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error, self.status, self.extra = error, status, extra


def _invalid_arguments(*problems: str) -> _Refusal:
    return _Refusal(
        "invalid_arguments", response_metadata={"messages": [f"[ERROR] {p}" for p in problems]}
    )


class FakeSlack:
    """The fake server and its state; every public attribute may be read by tests."""

    def __init__(
        self,
        bot_token: str = "xoxb-test-token",
        team_id: str = "T0TEAM",
        bot_user_id: str = "UBOT",
        app_token: str = "xapp-test",
    ) -> None:
        self.bot_token, self.team_id, self.bot_user_id, self.app_token = (
            bot_token,
            team_id,
            bot_user_id,
            app_token,
        )
        self.bot_id, self.app_id = "B0BOT", "A0APP"
        self.calls: list[Call] = []
        self.users: dict[str, dict] = {}
        self.messages: dict[str, list[dict]] = {}
        self.files: dict[str, dict] = {}
        self.views: dict[str, dict] = {}
        self.home_views: dict[str, dict] = {}
        self.violations: list[str] = []
        # Where the requests' senders do not pass a form's answer on (`answer_shown`), as the
        # load bench's do not, a view named by an unknown external id is taken as Slack's.
        self.answers_shown_elsewhere = False
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._faults: dict[str, list[_Injected]] = {}
        self._delays: dict[str, list[_Injected]] = {}
        self._limits: dict[str, tuple[float, float]] = {}  # method -> (per minute, per channel)
        self._last_in_channel: dict[str, float] = {}
        self._window: list[float] = []  # times of accepted limited calls, last minute
        self.refused_by_limits = 0
        self._pending_uploads: dict[str, dict] = {}
        self._response_urls: set[str] = set()
        # Requests by method as they arrive, before any injected delay: a test can tell that a
        # call is in flight (to kill the bot while Slack is still answering it).
        self.arrived: Counter[str] = Counter()
        # Slack's clock for message ts (epoch seconds); None keeps the fixed synthetic stamps.
        self.clock: Callable[[], float] | None = None
        self._last_ts_micros = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._methods: dict[str, Callable[[dict], dict | str]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "views.open": self._views_open,
            "views.push": lambda params: self._views_open(params, "views.push"),
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "apps.connections.open": self._apps_connections_open,
        }
        self.add_user(bot_user_id, name="mentoring-bot", is_bot=True)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-slack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError(
                "FakeSlack is not started; call start() or use it as a context manager"
            )
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def base_url(self) -> str:
        """What ``WebClient(base_url=...)`` takes."""
        return self.root_url + "api/"

    # -- test controls ---------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait for calls the bot makes from another thread (after its ack), then return them."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls_to(method)
            if len(calls) >= count:
                return calls
            if time.monotonic() >= deadline:
                with self._lock:
                    seen = [call.method for call in self.calls]
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s, "
                    f"got {len(calls)}; calls so far: {seen}"
                )
            time.sleep(0.01)

    def reset(self) -> None:
        """Forget calls, injected failures and posted content; users and response URLs stay."""
        with self._lock:
            for collection in (self.calls, self.violations):
                collection.clear()
            for mapping in (
                self.messages,
                self.files,
                self.views,
                self.home_views,
                self._faults,
                self._delays,
                self.arrived,
            ):
                mapping.clear()
            self._pending_uploads.clear()

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        tz: str = "Europe/Berlin",
        tz_offset: int = 3600,
        email: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
        tz_label: str | None = None,
    ) -> dict:
        real_name = real_name if real_name is not None else name
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": real_name,
            "deleted": deleted,
            "is_bot": is_bot,
            "tz": tz,
            "tz_label": tz_label or tz,
            "tz_offset": tz_offset,
            "profile": {"real_name": real_name, "display_name": name, "email": email},
        }
        with self._lock:
            self.users[user_id] = user
        return user

    def fail(self, method: str, error: str, *, times: int = 1, status: int = 200) -> None:
        body = {"ok": False, "error": error}
        self._inject(self._faults, method, _Injected(times, status, body))

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        body = {"ok": False, "error": "ratelimited"}
        headers = {"Retry-After": str(retry_after)}
        self._inject(self._faults, method, _Injected(times, 429, body, headers))

    def http_error(self, method: str, status: int = 503, *, times: int = 1) -> None:
        body = SERVER_ERROR_BODY.format(status=status)
        self._inject(self._faults, method, _Injected(times, status, body))

    def delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        self._inject(self._delays, method, _Injected(times, seconds=seconds))

    def limit(self, method: str, *, per_minute: float, per_channel_seconds: float = 1.0) -> None:
        """Refuse like Slack beyond these rates: HTTP 429 with a Retry-After. The workspace rate
        is enforced over a sliding second (per_minute / 60 calls), so it is smooth, not bursty."""
        with self._lock:
            self._limits[method] = (per_minute, per_channel_seconds)

    def _over_limit(self, method: str, params: dict) -> int | None:
        """Seconds to retry after, when this call breaks a limit set with `limit`."""
        if method not in self._limits:
            return None
        per_minute, gap = self._limits[method]
        now = time.monotonic()
        channel = str(params.get("channel", ""))
        with self._lock:
            self._window = [t for t in self._window if t > now - 1]
            last = self._last_in_channel.get(channel)
            if last is not None and now - last < gap:
                self.refused_by_limits += 1
                return max(1, int(gap - (now - last) + 0.999))
            if len(self._window) >= max(per_minute / 60, 1):
                self.refused_by_limits += 1
                return 1
            self._window.append(now)
            self._last_in_channel[channel] = now
        return None

    def answer_shown(self, view_id: str, answer: dict) -> None:
        """What Slack does with a form's answer: a `response_action` of "update" replaces the
        submitted view (its id stays) before anyone can update it by id or external id."""
        if answer.get("response_action") != "update":
            return
        # A view Slack refuses shows Slack's own error; the violation is recorded.
        with self._lock, contextlib.suppress(_Refusal):
            self._store_view("view_submission", answer.get("view"), "modal", view_id)

    def shown_in_place_of(self, answer: dict, timeout: float = 5.0) -> dict:
        """The view a "Saving…" answer (one with an external id) turned into, once the bot
        has put the outcome in its place with views.update."""
        external_id = answer["view"]["external_id"]
        [update] = eventually(
            lambda: [
                call
                for call in self.calls_to("views.update")
                if call.params.get("external_id") == external_id and call.response.get("ok")
            ],
            timeout,
            what=f"the outcome in place of {external_id}",
        )
        return update.params["view"]

    def new_response_url(self) -> str:
        url = f"{self.root_url}response/{next(self._ids)}"
        with self._lock:
            self._response_urls.add(url)
        return url

    def _inject(self, queue: dict[str, list[_Injected]], method: str, what: _Injected) -> None:
        with self._lock:
            queue.setdefault(method, []).append(what)

    def _take(self, queue: dict[str, list[_Injected]], method: str) -> _Injected | None:
        """Use up one time of the first failure or delay queued for ``method``."""
        with self._lock:
            pending = queue.get(method)
            if not pending:
                return None
            first = pending[0]
            first.times -= 1
            if first.times <= 0:
                pending.pop(0)
            return first

    # -- request handling ------------------------------------------------------------------

    def _handle(self, path: str, query: str, headers: dict, raw: bytes) -> tuple[int, dict, bytes]:
        at = time.monotonic()
        method, params, run = self._route(path, query, headers, raw)
        with self._lock:
            self.arrived[method] += 1
        delay = self._take(self._delays, method)
        if delay is not None:
            time.sleep(delay.seconds)
        extra_headers: dict = {}
        fault = self._take(self._faults, method)
        retry_after = None if fault is not None else self._over_limit(method, params)
        if retry_after is not None:
            status, body = 429, {"ok": False, "error": "ratelimited"}
            extra_headers = {"Retry-After": str(retry_after)}
        elif fault is not None:
            status, body, extra_headers = fault.status, fault.body, fault.headers
        else:
            try:
                with self._lock:
                    answer = run(params)
                status, body = 200, answer if isinstance(answer, str) else {"ok": True, **answer}
            except _Refusal as refusal:
                status, body = (
                    refusal.status,
                    {"ok": False, "error": refusal.error, **refusal.extra},
                )
            except Exception as bug:  # a request the fake cannot digest: say so, keep serving
                status, body = 500, {"ok": False, "error": "internal_error", "fake": repr(bug)}
        call = Call(
            method,
            params,
            headers,
            at,
            status,
            body if isinstance(body, dict) else {"body": body},
            path,
        )
        with self._lock:
            self.calls.append(call)
        if isinstance(body, dict):
            return (
                status,
                {"Content-Type": "application/json; charset=utf-8", **extra_headers},
                json.dumps(body).encode(),
            )
        return status, {"Content-Type": "text/html; charset=utf-8", **extra_headers}, body.encode()

    def _route(
        self, path: str, query: str, headers: dict, raw: bytes
    ) -> tuple[str, dict, Callable[[dict], Any]]:
        """Which method a request is for, its params, and what answers it."""
        if path.startswith("/upload/"):
            return (
                "upload",
                {"file_id": path.removeprefix("/upload/"), "content": raw},
                self._upload,
            )
        method = "response_url" if path.startswith("/response/") else path.removeprefix("/api/")
        try:
            params = _parse_params(query, headers.get("content-type", ""), raw)
        except ValueError:
            return method, {"raw": raw}, _refuse("invalid_json")
        if method == "response_url":
            return method, params, lambda p: self._response_url(self.root_url + path.lstrip("/"), p)
        handler = self._methods.get(method)
        if handler is None:
            return method, params, _refuse("unknown_method")
        return method, params, lambda p: self._authenticated(method, p, headers, handler)

    def _authenticated(
        self, method: str, params: dict, headers: dict, handler: Callable[[dict], dict]
    ) -> dict:
        authorization = headers.get("authorization", "")
        token = (
            authorization.removeprefix("Bearer ").strip() if authorization else params.get("token")
        )
        if not token:
            raise _Refusal("not_authed")
        if token not in (self.bot_token, self.app_token):
            raise _Refusal("invalid_auth")
        if (token == self.app_token) != (method == "apps.connections.open"):
            raise _Refusal("not_allowed_token_type")
        return handler(params)

    def _next_ts(self) -> str:
        """Unique, increasing stamps; from `clock` when a test set one (so `oldest` in
        conversations.history compares with the bot's own clock)."""
        micros = 1_700_000_000_000_000 + next(self._ids) * 100
        if self.clock is not None:
            micros = int(self.clock() * 1_000_000)
        with self._lock:
            micros = max(micros, self._last_ts_micros + 100)
            self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _checked(self, method: str, payload: Any, surface: str, error: str) -> None:
        problems = block_kit_problems(payload, surface)
        if problems:
            self.violations.extend(f"{method}: {problem}" for problem in problems)
            messages = [f"[ERROR] {problem}" for problem in problems]
            raise _Refusal(error, errors=problems, response_metadata={"messages": messages})

    def _checked_message(self, method: str, params: dict) -> None:
        if not any(params.get(key) for key in ("text", "blocks", "attachments")):
            raise _Refusal("no_text")
        too_long = len(str(params.get("text") or "")) > MAX_MESSAGE_TEXT
        self._checked(method, params, "message", "msg_too_long" if too_long else "invalid_blocks")

    # -- users and conversations -----------------------------------------------------------

    def _auth_test(self, params: dict) -> dict:
        return {
            "url": "https://fake-team.slack.com/",
            "team": "Fake Team",
            "user": self.users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _user(self, user_id: Any, error: str = "user_not_found") -> dict:
        user = self.users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            raise _Refusal(error)
        return user

    def _users_info(self, params: dict) -> dict:
        return {"user": copy.deepcopy(self._user(params.get("user")))}

    def _users_lookup_by_email(self, params: dict) -> dict:
        email = params.get("email")
        for user in self.users.values():
            if email and user["profile"]["email"] == email:
                return {"user": copy.deepcopy(user)}
        raise _Refusal("users_not_found")

    def _conversations_open(self, params: dict) -> dict:
        if params.get("channel"):
            return {"channel": {"id": params["channel"]}}
        users = [u.strip() for u in str(params.get("users") or "").split(",") if u.strip()]
        if not users:
            raise _Refusal("users_list_not_supplied")
        if len(users) > 8:
            raise _Refusal("too_many_users")
        for user_id in users:
            if self._user(user_id)["deleted"]:
                raise _Refusal("user_disabled")
        if len(users) == 1:
            return {
                "channel": {"id": _conversation_id("D", users), "is_im": True, "user": users[0]}
            }
        return {"channel": {"id": _conversation_id("G", users), "is_im": False, "is_mpim": True}}

    def _conversations_history(self, params: dict) -> dict:
        """Newest first, between `oldest` and `latest` (exclusive unless `inclusive`), a page of
        `limit` with a cursor; metadata only with `include_all_metadata`, as on Slack."""
        channel = params.get("channel")
        if not channel or channel[0] in "UW":
            raise _Refusal("channel_not_found")
        inclusive = str(params.get("inclusive", "")).lower() in ("1", "true")
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")

        def within(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        found = [m for m in reversed(self.messages.get(channel, [])) if within(float(m["ts"]))]
        try:
            start = int(params.get("cursor") or 0)
            limit = min(max(int(params.get("limit") or 100), 1), 999)
        except ValueError:
            raise _Refusal("invalid_cursor") from None
        page = found[start : start + limit]
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = []
        for message in page:
            shown = copy.deepcopy(message)
            if not with_metadata:
                shown.pop("metadata", None)
            messages.append(shown)
        more = start + limit < len(found)
        return {
            "messages": messages,
            "has_more": more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _channel_for_post(self, channel: Any) -> str:
        """Slack posts to a user id in the bot's DM with that user (deactivated or not)."""
        if not channel:
            raise _Refusal("channel_not_found")
        if channel[0] in "UW":
            return _conversation_id("D", [self._user(channel, "channel_not_found")["id"]])
        return channel

    # -- messages --------------------------------------------------------------------------

    def _chat_post_message(self, params: dict) -> dict:
        channel = self._channel_for_post(params.get("channel"))
        self._checked_message("chat.postMessage", params)
        ts = self._next_ts()
        message = {
            "type": "message",
            "ts": ts,
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": "",
        }
        message.update(
            {
                k: params[k]
                for k in ("text", "blocks", "attachments", "metadata", "thread_ts")
                if k in params
            }
        )
        self.messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def _find_message(self, channel: Any, ts: Any) -> dict:
        if not channel or channel[0] in "UW":
            raise _Refusal("channel_not_found")
        for message in self.messages.get(channel, []):
            if message["ts"] == ts:
                return message
        raise _Refusal("message_not_found")

    def _chat_update(self, params: dict) -> dict:
        message = self._find_message(params.get("channel"), params.get("ts"))
        self._checked_message("chat.update", params)
        message.update(
            {k: params[k] for k in ("text", "blocks", "attachments", "metadata") if k in params}
        )
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        out = copy.deepcopy(message)
        return {
            "channel": params["channel"],
            "ts": message["ts"],
            "text": message["text"],
            "message": out,
        }

    def _chat_delete(self, params: dict) -> dict:
        message = self._find_message(params.get("channel"), params.get("ts"))
        self.messages[params["channel"]].remove(message)
        return {"channel": params["channel"], "ts": message["ts"]}

    def _chat_post_ephemeral(self, params: dict) -> dict:
        self._channel_for_post(params.get("channel"))
        self._user(params.get("user"))
        self._checked_message("chat.postEphemeral", params)
        return {"message_ts": self._next_ts()}

    def _chat_get_permalink(self, params: dict) -> dict:
        message = self._find_message(params.get("channel"), params.get("message_ts"))
        archive = f"https://fake-team.slack.com/archives/{params['channel']}"
        link = f"{archive}/p{message['ts'].replace('.', '')}"
        return {"channel": params["channel"], "permalink": link}

    def _response_url(self, url: str, params: dict) -> dict:
        if url not in self._response_urls:
            raise _Refusal("invalid_response_url", status=404)
        if "text" in params or "blocks" in params:
            self._checked("response_url", params, "message", "invalid_blocks")
        return {}

    # -- views -----------------------------------------------------------------------------

    def _store_view(self, method: str, view: Any, surface: str, view_id: str | None = None) -> dict:
        if not isinstance(view, dict):
            raise _invalid_arguments("missing required field: view")
        self._checked(method, view, surface, "invalid_arguments")
        view_id = view_id or f"V{next(self._ids):08d}"
        stored = {
            **copy.deepcopy(view),
            "id": view_id,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "hash": f"{time.time():.6f}.{next(self._ids)}",
            "state": {"values": {}},
        }
        self.views[view_id] = stored
        return {"view": copy.deepcopy(stored)}

    def _views_open(self, params: dict, method: str = "views.open") -> dict:
        if not params.get("trigger_id"):
            raise _invalid_arguments("missing required field: trigger_id")
        return self._store_view(method, params.get("view"), "modal")

    def _views_update(self, params: dict) -> dict:
        """A view id the fake never issued is accepted: Slack may have opened it (tests send
        view_submission payloads for views the bot never opened here)."""
        view_id, external_id = params.get("view_id"), params.get("external_id")
        if external_id:
            matches = [v["id"] for v in self.views.values() if v.get("external_id") == external_id]
            if matches:
                view_id = matches[0]
            elif self.answers_shown_elsewhere:
                view_id = f"V{next(self._ids):08d}"
            else:
                raise _Refusal("not_found")
        if not view_id:
            raise _invalid_arguments("view_id or external_id is required")
        known = self.views.get(view_id)
        if known is not None and params.get("hash") and params["hash"] != known["hash"]:
            raise _Refusal("hash_conflict")
        view = params.get("view")
        surface = "home" if isinstance(view, dict) and view.get("type") == "home" else "modal"
        return self._store_view("views.update", view, surface, view_id)

    def _views_publish(self, params: dict) -> dict:
        user_id = params.get("user_id")
        if not user_id:
            raise _invalid_arguments("missing required field: user_id")
        previous = self.home_views.get(user_id)
        answer = self._store_view(
            "views.publish", params.get("view"), "home", previous and previous["id"]
        )
        self.home_views[user_id] = self.views[answer["view"]["id"]]
        return answer

    # -- files and sockets -----------------------------------------------------------------

    def _files_get_upload_url(self, params: dict) -> dict:
        if not params.get("filename") or not str(params.get("length") or "").isdigit():
            raise _invalid_arguments("filename and length are required")
        file_id = f"F{next(self._ids):08d}"
        self._pending_uploads[file_id] = {
            "filename": params["filename"],
            "length": int(params["length"]),
        }
        return {"upload_url": f"{self.root_url}upload/{file_id}", "file_id": file_id}

    def _upload(self, params: dict) -> str:
        """The raw POST of file bytes; Slack answers it in plain text."""
        pending = self._pending_uploads.get(params["file_id"])
        if pending is None:
            raise _Refusal("file_not_found", status=404)
        pending["content"] = params["content"]
        return f"OK - {len(params['content'])}"

    def _files_complete_upload(self, params: dict) -> dict:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            raise _invalid_arguments("files must be a non-empty list")
        channels = str(params.get("channels") or "").split(",")
        channel_id = params.get("channel_id") or channels[0] or None
        done = []
        for entry in entries:
            pending = self._pending_uploads.get(entry.get("id"))
            if pending is None or "content" not in pending:
                raise _Refusal("file_not_found")
            self.files[entry["id"]] = {
                "filename": pending["filename"],
                "title": entry.get("title") or pending["filename"],
                "content": pending["content"],
                "channel_id": channel_id,
                "initial_comment": params.get("initial_comment"),
                "thread_ts": params.get("thread_ts"),
            }
            del self._pending_uploads[entry["id"]]
            done.append(
                {
                    "id": entry["id"],
                    "name": pending["filename"],
                    "title": self.files[entry["id"]]["title"],
                }
            )
        return {"files": done}

    def _apps_connections_open(self, params: dict) -> dict:
        return {"url": f"{self.root_url.replace('http', 'ws', 1)}link/?ticket={next(self._ids)}"}


def _refuse(error: str) -> Callable[[dict], dict]:
    def answer(params: dict) -> dict:
        raise _Refusal(error)

    return answer


def _conversation_id(prefix: str, users: list[str]) -> str:
    """The same set of users always gets the same conversation id, as on Slack."""
    digest = hashlib.sha1(",".join(sorted(set(users))).encode()).hexdigest()
    return prefix + digest[:10].upper()


def _parse_params(query: str, content_type: str, raw: bytes) -> dict:
    params: dict = dict(parse_qsl(query, keep_blank_values=True))
    if raw:
        if content_type.split(";")[0].strip().lower() == "application/json":
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            params.update(body)
        else:
            params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    for key in JSON_PARAMS:
        if isinstance(params.get(key), str):
            with contextlib.suppress(ValueError):  # left as text; the Block Kit check reports it
                params[key] = json.loads(params[key])
    return params


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    # Like Slack's own servers, never drop a connection because a burst came at once (the
    # standard library's 5 made a client wait out TCP's one-second retry under load).
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out hang up on a delayed answer; that is expected here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlack

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, answer_headers, body = self.fake._handle(path, query, headers, raw)
        self.send_response(status)
        for name, value in {**answer_headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines."""
