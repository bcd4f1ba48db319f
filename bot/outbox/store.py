"""Outbox rows: idempotent planning, leased claiming and recording outcomes.

Pure database work, no Slack: the sender decides what an API answer means and calls these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from bot.db import insert_many_or_ignore, insert_or_ignore
from bot.models import Delivery, DeliveryStatus
from bot.models.base import utcnow

DEFAULT_LEASE = timedelta(minutes=5)
KEY_LENGTH = 200
# What a claim writes on a row whose earlier sender stopped mid-send (its lease ran out): that
# sender may have posted the message without recording it, so Slack is asked before posting.
INTERRUPTED = "interrupted: an earlier sender stopped mid-send"


@dataclass(frozen=True)
class Message:
    """What to send, where: a user id (a DM), a conversation id, or several user ids joined by
    commas (a group conversation the sender opens with conversations.open)."""

    channel: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    file: dict[str, str] | None = None  # {"filename", "title", "content"}: upload this instead


def enqueue(
    session: Session,
    *,
    team_id: str,
    key: str,
    message: Message,
    not_before: datetime,
    program_id: int | None = None,
) -> bool:
    """Plan a message under a unique key; planning the same key again is a no-op (False)."""
    if not 0 < len(key) <= KEY_LENGTH:
        raise ValueError(f"a delivery key must have 1 to {KEY_LENGTH} characters: {key[:40]!r}")
    return insert_or_ignore(
        session,
        Delivery,
        {
            "team_id": team_id,
            "key": key,
            "program_id": program_id,
            "channel": message.channel,
            "text": message.text,
            "blocks": message.blocks,
            "file": message.file,
            "not_before": not_before,
            "status": DeliveryStatus.PENDING,
        },
        conflict=["team_id", "key"],
    )


def enqueue_many(
    session: Session,
    *,
    team_id: str,
    planned: list[tuple[str, Message]],
    not_before: datetime,
    program_id: int | None = None,
) -> int:
    """Plan many messages at once (a weekly fan-out); keys already planned are skipped."""
    for key, _ in planned:
        if not 0 < len(key) <= KEY_LENGTH:
            raise ValueError(f"a delivery key must have 1 to {KEY_LENGTH} characters: {key[:40]!r}")
    created = utcnow()
    rows = [
        {
            "team_id": team_id,
            "key": key,
            "program_id": program_id,
            "channel": message.channel,
            "text": message.text,
            "blocks": message.blocks,
            "file": message.file,
            "not_before": not_before,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "created_at": created,
        }
        for key, message in planned
    ]
    return insert_many_or_ignore(session, Delivery, rows, conflict=["team_id", "key"])


def planned_keys(session: Session, team_id: str, keys: list[str]) -> set[str]:
    """Which of these keys are already in the outbox (so they need not be rendered again)."""
    if session.get_bind().dialect.name == "postgresql":
        # One array parameter, not thousands of placeholders: a short query either way.
        listed = sa.any_(sa.literal(keys, ARRAY(sa.String)))
        return set(
            session.scalars(
                sa.select(Delivery.key).where(Delivery.team_id == team_id, Delivery.key == listed)
            )
        )
    found: set[str] = set()
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        found.update(
            session.scalars(
                sa.select(Delivery.key).where(Delivery.team_id == team_id, Delivery.key.in_(chunk))
            )
        )
    return found


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(Delivery.status == DeliveryStatus.PENDING, Delivery.not_before <= now),
        # A sender that died mid-send left its lease behind; once it expires the row is fair game.
        sa.and_(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_until < now),
    )


def claim(
    session: Session,
    *,
    now: datetime,
    worker: str,
    limit: int,
    lease: timedelta = DEFAULT_LEASE,
    due_by: datetime | None = None,
) -> list[Delivery]:
    """Take up to `limit` rows due by `due_by` (default `now`) for this worker, committed, so
    no other sender takes them; the lease runs from `now`. A row taken over from a sender whose
    lease expired comes back with `last_error == INTERRUPTED`.

    One UPDATE with a sub-select: PostgreSQL skips rows another replica has locked
    (`FOR UPDATE SKIP LOCKED`); SQLite serialises writers, and the claimable condition is
    checked again inside the UPDATE either way.
    """
    due = (
        sa.select(Delivery.id)
        .where(_claimable(due_by or now))
        .order_by(Delivery.not_before, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        sa.update(Delivery)
        .where(Delivery.id.in_(due), _claimable(due_by or now))
        .values(
            status=DeliveryStatus.SENDING,
            lease_until=now + lease,
            claimed_by=worker,
            attempts=Delivery.attempts + 1,
            # SET sees the row as it was: still SENDING means its sender never finished.
            last_error=sa.case(
                (Delivery.status == DeliveryStatus.SENDING, INTERRUPTED),
                else_=Delivery.last_error,
            ),
        )
        .returning(Delivery)
        .execution_options(synchronize_session=False)
    )
    rows = list(session.scalars(statement))
    session.commit()
    return sorted(rows, key=lambda row: (row.not_before, row.id))


def _finish(
    session: Session,
    row: Delivery,
    worker: str,
    also: Callable[[Session], None] | None = None,
    **values: Any,
) -> bool:
    """Record an outcome only if our lease still holds; False means another sender took over.

    `also` runs in the same transaction, so what a sent message means for the domain (a pair's
    conversation, say) is recorded together with the message being sent, or not at all.
    """
    result = session.execute(
        sa.update(Delivery)
        .where(
            Delivery.id == row.id,
            Delivery.claimed_by == worker,
            Delivery.status == DeliveryStatus.SENDING,
        )
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount and also is not None:
        also(session)
    session.commit()
    return bool(result.rowcount)


def mark_sent(
    session: Session,
    row: Delivery,
    worker: str,
    *,
    now: datetime,
    channel: str,
    ts: str,
    also: Callable[[Session], None] | None = None,
) -> bool:
    return _finish(
        session,
        row,
        worker,
        also,
        status=DeliveryStatus.SENT,
        sent_at=now,
        message_channel=channel,
        message_ts=ts,
        last_error=None,
    )


def defer(session: Session, row: Delivery, worker: str, *, until: datetime, error: str) -> bool:
    return _finish(
        session,
        row,
        worker,
        status=DeliveryStatus.PENDING,
        not_before=until,
        last_error=error[:200],
    )


def release(session: Session, row: Delivery, worker: str, *, until: datetime, error: str) -> bool:
    """Give the row back without counting this try (the fault was not the message's)."""
    return _finish(
        session,
        row,
        worker,
        status=DeliveryStatus.PENDING,
        not_before=until,
        attempts=Delivery.attempts - 1,
        last_error=error[:200],
    )


def mark_failed(session: Session, row: Delivery, worker: str, *, error: str) -> bool:
    return _finish(session, row, worker, status=DeliveryStatus.FAILED, last_error=error[:200])
