"""Slack requests already handled: a retried event, command or click has one effect.

Slack redelivers an event it saw no timely answer to (with `X-Slack-Retry-Num`), and a replica
may see a redelivery another replica is still handling. Each request's own id (the event id, or
the trigger id of a command or interaction) is recorded once in the database, so whichever
delivery records it first is the one that acts, on any replica.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.db import insert_many_or_ignore, insert_or_ignore, unit_of_work
from bot.models import SeenRequest

log = logging.getLogger(__name__)

# Slack gives up retrying within minutes; a day is ample and keeps the table small.
KEEP_FOR = timedelta(days=1)
PRUNE_EVERY = timedelta(hours=1)
# First deliveries noted within this long are written together. Slack retries only what it saw
# no acknowledgement for within 3 s, so the ids are in the database long before any retry.
FLUSH_SECONDS = 0.2
KEY_LENGTH = 200


def first_delivery(session: Session, team_id: str, key: str, now: datetime) -> bool:
    """True when this is the first time the request is seen (and records it)."""
    return insert_or_ignore(session, SeenRequest, _row(team_id, key, now), ["team_id", "key"])


def forget_old(session: Session, now: datetime) -> int:
    """Drop ids older than any retry could be; returns how many went."""
    result = session.execute(sa.delete(SeenRequest).where(SeenRequest.seen_at < now - KEEP_FOR))
    return int(getattr(result, "rowcount", 0) or 0)


def _row(team_id: str, key: str, now: datetime) -> dict[str, Any]:
    return {"team_id": team_id, "key": key[:KEY_LENGTH], "seen_at": now}


class Recorder:
    """Records request ids for every replica (per process), and forgets the old ones once an
    hour or so.

    A retry's id is written at once: whether it acts depends on it. A first delivery's id is
    only noted, and a thread writes the ids noted in the same fifth of a second in one
    statement, so a busy replica spends one transaction on many requests instead of one each.
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._lock = threading.Lock()
        self._last_prune: datetime | None = None
        self._noted: dict[tuple[str, str], dict[str, Any]] = {}
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._writer: threading.Thread | None = None

    def record(self, team_id: str, key: str, now: datetime) -> bool:
        """True for the first delivery."""
        with unit_of_work(self._sessions) as session:
            first = first_delivery(session, team_id, key, now)
            self._prune_if_due(session, now)
        return first

    def note(self, team_id: str, key: str, now: datetime) -> None:
        """A first delivery: written within `FLUSH_SECONDS`, off the request's path."""
        row = _row(team_id, key, now)
        with self._lock:
            self._noted.setdefault((row["team_id"], row["key"]), row)
            if self._writer is None:
                self._writer = threading.Thread(target=self._write, name="seen", daemon=True)
                self._writer.start()
        self._wake.set()

    def flush(self) -> int:
        """Write what was noted now; returns how many ids were new. An outage only costs the
        protection against those requests' retries."""
        with self._lock:
            rows, self._noted = list(self._noted.values()), {}
        if not rows:
            return 0
        try:
            with unit_of_work(self._sessions) as session:
                written = insert_many_or_ignore(session, SeenRequest, rows, ["team_id", "key"])
                self._prune_if_due(session, max(row["seen_at"] for row in rows))
        except sa.exc.DBAPIError as error:
            log.warning("could not record %d request ids: %s", len(rows), type(error).__name__)
            return 0
        return written

    def close(self) -> None:
        """Write what was noted and stop the writing thread (the bot is stopping)."""
        self._closing.set()
        self._wake.set()
        if self._writer is not None:
            self._writer.join(timeout=10)
        self.flush()

    def _write(self) -> None:
        while not self._closing.is_set():
            self._wake.wait()
            self._closing.wait(FLUSH_SECONDS)  # let the ids of a burst gather
            self._wake.clear()
            self.flush()

    def _prune_if_due(self, session: Session, now: datetime) -> None:
        """Forget old ids in the transaction that writes new ones, once an hour or so."""
        with self._lock:
            if self._last_prune is not None and now - self._last_prune < PRUNE_EVERY:
                return
            self._last_prune = now
        forget_old(session, now)
