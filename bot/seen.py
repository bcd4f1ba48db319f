"""Slack requests already handled: a retried event, command or click has one effect.

Slack redelivers an event it saw no timely answer to (with `X-Slack-Retry-Num`), and a replica
may see a redelivery another replica is still handling. Each request's own id (the event id, or
the trigger id of a command or interaction) is recorded once in the database, so whichever
delivery records it first is the one that acts, on any replica.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.db import insert_or_ignore, unit_of_work
from bot.models import SeenRequest

# Slack gives up retrying within minutes; a day is ample and keeps the table small.
KEEP_FOR = timedelta(days=1)
PRUNE_EVERY = timedelta(hours=1)


def first_delivery(session: Session, team_id: str, key: str, now: datetime) -> bool:
    """True when this is the first time the request is seen (and records it)."""
    return insert_or_ignore(
        session,
        SeenRequest,
        {"team_id": team_id, "key": key[:200], "seen_at": now},
        ["team_id", "key"],
    )


def forget_old(session: Session, now: datetime) -> int:
    """Drop ids older than any retry could be; returns how many went."""
    result = session.execute(sa.delete(SeenRequest).where(SeenRequest.seen_at < now - KEEP_FOR))
    return int(getattr(result, "rowcount", 0) or 0)


class Recorder:
    """Records request ids, each in a transaction of its own, and forgets the old ones once
    an hour or so (per process)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._lock = threading.Lock()
        self._last_prune: datetime | None = None

    def record(self, team_id: str, key: str, now: datetime) -> bool:
        """True for the first delivery."""
        with unit_of_work(self._sessions) as session:
            first = first_delivery(session, team_id, key, now)
        with self._lock:
            due = self._last_prune is None or now - self._last_prune >= PRUNE_EVERY
            if due:
                self._last_prune = now
        if due:
            with unit_of_work(self._sessions) as session:
                forget_old(session, now)
        return first
