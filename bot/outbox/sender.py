"""Sends due outbox rows through the Slack Web API, exactly once per row.

What a failure means decides what happens to the row: a rate limit or a Slack outage puts it
back for later, a broken token halts the pass without spending tries, and an error that no
retry can fix (a deactivated user, a deleted channel) is recorded on the row for organizers.

A post whose outcome we never learnt (the sender died between Slack accepting it and the row
being recorded, or the answer timed out) may be in Slack already. Every post carries the row's
key in its metadata, so before posting such a row again the sender looks for it in the
conversation's history and, when it is there, records it instead of sending it twice.
"""

from __future__ import annotations

import http.client
import logging
import os
import socket
import urllib.error
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, as_utc
from bot.models import Delivery
from bot.outbox import store
from bot.outbox.pacing import Pacer

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
# The whole installation is broken, not this message: keep every row for when it is fixed.
HALT_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "not_allowed_token_type",
    }
)
NETWORK_ERRORS = (
    urllib.error.URLError,
    TimeoutError,
    ConnectionError,
    socket.timeout,
    http.client.HTTPException,
)
HALT_PAUSE = timedelta(minutes=1)
EVENT_TYPE = "mentoring_delivery"
NETWORK_PREFIX = "network: "
# Slack's clock and ours may differ a little; the history searched starts this much earlier.
HISTORY_MARGIN = timedelta(minutes=10)
HISTORY_PAGE = 200
HISTORY_PAGES = 10  # past this many pages the message is posted (the window is hours at most)

# Told of each sent message, inside the transaction that records it: (session, row, channel, ts).
OnSent = Callable[[Session, Delivery, str, str], None]


@dataclass
class SendReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    recovered: int = 0  # of `sent`: found already in Slack and recorded, not posted again

    def add(self, other: SendReport) -> None:
        self.sent += other.sent
        self.deferred += other.deferred
        self.failed += other.failed
        self.errors.extend(other.errors)
        self.recovered += other.recovered


class _Halt(Exception):
    def __init__(self, until: datetime, error: str) -> None:
        super().__init__(error)
        self.until = until
        self.error = error


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at an hour."""
    return min(timedelta(seconds=30) * 2 ** max(attempts - 1, 0), timedelta(hours=1))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Sender:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        client: WebClient,
        clock: Clock,
        *,
        batch_size: int = 50,
        lease: timedelta = store.DEFAULT_LEASE,
        worker: str | None = None,
        on_sent: OnSent | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self._sessions = session_factory
        self._client = client
        self._clock = clock
        self._batch_size = batch_size
        self._lease = lease
        self.worker = worker or worker_name()
        self._on_sent = on_sent
        self._pacer = pacer or Pacer.unlimited()

    def send_due(self) -> SendReport:
        """Send everything due when the pass starts, batch by batch.

        Rows put back during the pass are due later than its start, so a pass always ends.
        """
        report = SendReport()
        started = self._clock.now()
        with self._sessions() as session:
            while True:
                rows = store.claim(
                    session,
                    now=self._clock.now(),
                    due_by=started,
                    worker=self.worker,
                    limit=self._batch_size,
                    lease=self._lease,
                )
                if not rows:
                    return report
                index = 0
                try:
                    for index, row in enumerate(rows):  # noqa: B007 (used after a halt)
                        self._send_one(session, row, report)
                except _Halt as halt:
                    for row in rows[index:]:
                        store.release(session, row, self.worker, until=halt.until, error=halt.error)
                    report.deferred += len(rows) - index
                    report.errors.append(halt.error)
                    log.error("sending paused until %s: Slack answered %s", halt.until, halt.error)
                    return report

    def _send_one(self, session: Session, row: Delivery, report: SendReport) -> None:
        if row.file:
            self._attempt(session, row, report, self._upload)
            return
        if _may_be_in_slack(row):
            found = self._already_posted(row)
            if found is not None:
                log.warning(
                    "delivery %s (key %s) was already in Slack (ts %s): recorded, not posted again",
                    row.id,
                    row.key,
                    found[1],
                )
                self._record_sent(session, row, *found, report)
                report.recovered += 1
                return
        self._attempt(session, row, report, self._post)

    def _post(self, row: Delivery) -> tuple[str, str]:
        channel = self._conversation(row.channel)
        self._pacer.wait(channel)
        response = self._client.chat_postMessage(
            channel=channel,
            text=row.text,
            blocks=row.blocks,
            unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": EVENT_TYPE, "event_payload": {"key": row.key}},
        )
        return response["channel"], response["ts"]

    def _upload(self, row: Delivery) -> tuple[str, str]:
        """A file (a calendar invitation) with its comment. Uploads carry no metadata, so an
        upload cut off by a crash cannot be looked up afterwards: that one may arrive twice."""
        file = row.file or {}
        channel = self._conversation(row.channel, even_for_one_person=True)
        self._pacer.wait(channel)
        self._client.files_upload_v2(
            channel=channel,
            content=file.get("content", ""),
            filename=file.get("filename", "file.txt"),
            title=file.get("title"),
            initial_comment=row.text or None,
        )
        return channel, ""

    def _attempt(
        self,
        session: Session,
        row: Delivery,
        report: SendReport,
        send: Callable[[Delivery], tuple[str, str]],
    ) -> None:
        """One try at Slack: recorded as sent, or put back, or failed, by what Slack said."""
        try:
            channel, ts = send(row)
        except SlackApiError as error:
            self._on_api_error(session, row, error, report)
            return
        except NETWORK_ERRORS as error:
            self._retry_later(session, row, f"{NETWORK_PREFIX}{error}", report)
            return
        self._record_sent(session, row, channel, ts, report)

    def _record_sent(
        self, session: Session, row: Delivery, sent_to: str, ts: str, report: SendReport
    ) -> None:
        now = self._clock.now()
        also = None
        if self._on_sent is not None:
            hook = self._on_sent

            def also(s: Session) -> None:
                hook(s, row, sent_to, ts)

        if not store.mark_sent(
            session, row, self.worker, now=now, channel=sent_to, ts=ts, also=also
        ):
            log.warning("delivery %s was sent after its lease expired (key %s)", row.id, row.key)
        report.sent += 1

    def _conversation(self, channel: str, *, even_for_one_person: bool = False) -> str:
        """Several user ids: open (or find again) their group conversation first. One user id
        is fine for chat.postMessage, but a file or a history lives under the DM's own id."""
        is_user = channel[:1] in ("U", "W")
        if "," in channel or (even_for_one_person and is_user):
            return self._client.conversations_open(users=channel)["channel"]["id"]
        return channel

    def _already_posted(self, row: Delivery) -> tuple[str, str] | None:
        """(channel, ts) of this row's message if Slack has it already; None when it has not,
        or when we cannot tell (then posting again is better than losing the message)."""
        # The earlier try came after the row was due (or, for a timed-out post, one backoff
        # before the time it was put back to).
        oldest = as_utc(row.not_before) - backoff(row.attempts) - HISTORY_MARGIN
        try:
            channel = self._conversation(row.channel, even_for_one_person=True)
            cursor = None
            for _ in range(HISTORY_PAGES):
                page = self._client.conversations_history(
                    channel=channel,
                    oldest=f"{oldest.timestamp():.6f}",
                    inclusive=True,
                    include_all_metadata=True,
                    limit=HISTORY_PAGE,
                    cursor=cursor,
                )
                for message in page.get("messages") or []:
                    if _key_of(message) == row.key and message.get("ts"):
                        return channel, str(message["ts"])
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not page.get("has_more") or not cursor:
                    return None
        except SlackApiError as error:
            log.warning(
                "could not check whether delivery %s was already posted (%s); posting it",
                row.id,
                _error_code(error),
            )
            return None
        except NETWORK_ERRORS as error:
            log.warning(
                "could not check whether delivery %s was already posted (%s); posting it",
                row.id,
                error,
            )
            return None
        log.warning("delivery %s: too much history to search; posting it", row.id)
        return None

    def _on_api_error(
        self, session: Session, row: Delivery, error: SlackApiError, report: SendReport
    ) -> None:
        status = error.response.status_code
        code = _error_code(error)
        now = self._clock.now()
        if status == 429 or code == "ratelimited":
            # Not the message's fault: wait as long as Slack asks, without spending a try.
            retry_after = _retry_after(error)
            store.release(
                session, row, self.worker, until=now + retry_after, error=f"ratelimited ({status})"
            )
            report.deferred += 1
            return
        if code in HALT_ERRORS:
            raise _Halt(now + HALT_PAUSE, code)
        if status >= 500 or code in TRANSIENT_ERRORS:
            self._retry_later(session, row, f"{code} ({status})", report)
            return
        store.mark_failed(session, row, self.worker, error=code)
        report.failed += 1
        report.errors.append(code)
        log.warning("delivery %s to %s failed for good: %s", row.id, row.channel, code)

    def _retry_later(self, session: Session, row: Delivery, error: str, report: SendReport) -> None:
        if row.attempts >= MAX_ATTEMPTS:
            store.mark_failed(
                session, row, self.worker, error=f"gave up after {row.attempts} tries: {error}"
            )
            report.failed += 1
            report.errors.append(error)
            return
        until = self._clock.now() + backoff(row.attempts)
        store.defer(session, row, self.worker, until=until, error=error)
        report.deferred += 1


def _may_be_in_slack(row: Delivery) -> bool:
    """An earlier try of this row may have reached Slack without us learning so."""
    last = row.last_error or ""
    return last == store.INTERRUPTED or last.startswith(NETWORK_PREFIX)


def _key_of(message: dict) -> str | None:
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    return payload.get("key") if isinstance(payload, dict) else None


def _error_code(error: SlackApiError) -> str:
    data = error.response.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"http_{error.response.status_code}"


def _retry_after(error: SlackApiError) -> timedelta:
    headers = {key.lower(): value for key, value in (error.response.headers or {}).items()}
    raw = headers.get("retry-after", "1")
    if isinstance(raw, list):
        raw = raw[0] if raw else "1"
    try:
        seconds = int(float(raw))
    except ValueError:
        seconds = 1
    return timedelta(seconds=max(seconds, 1))
