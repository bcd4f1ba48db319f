"""Flags: a pairing (or a message) needs an organizer, and what the organizer did about it.

One flag per episode of one reason for one pairing: it opens as NUDGED (the pair got a gentle
nudge), becomes OPEN when organizers are told, ACTED or DISMISSED when one of them acts, and
closes (`closed_at`, RESOLVED) when the condition clears. While a flag is not closed, the same
episode never opens another one. No Slack here: the health planner and the flag buttons render.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db import starts_with
from bot.health_rules import Finding
from bot.models import (
    Delivery,
    DeliveryStatus,
    Flag,
    FlagReason,
    FlagSeverity,
    FlagStatus,
    Pairing,
    PairingStatus,
)

LOCK_NAME = "mentoring-health:"  # one health pass at a time per schema (PostgreSQL)
FAILURES_PER_PASS = 200
NOTE_LENGTH = 1000
OWN_KEYS = ("flag:", "undelivered:")  # failures of these are never flagged again (no loops)
UNHANDLED = (FlagStatus.NUDGED, FlagStatus.OPEN)


class FlagError(Exception):
    """Something an organizer should be told in plain words."""


@dataclass(frozen=True)
class Handled:
    """Who handled a flag, copied out of the row (it outlives a rolled-back transaction)."""

    status: FlagStatus
    action: str | None
    action_by: str | None
    closed_at: datetime | None


class AlreadyHandled(FlagError):
    def __init__(self, flag: Flag) -> None:
        super().__init__(f"flag {flag.id} is {flag.status}")
        self.handled = Handled(flag.status, flag.action, flag.action_by, flag.closed_at)


class Action(enum.StrEnum):
    NUDGE = "nudged_again"
    REPAIR = "suggested_repairing"
    PAUSE = "paused"
    DISMISS = "dismissed"


def organizer_key(flag_id: int, user_id: str) -> str:
    return f"flag:{flag_id}:{user_id}"


def nudge_key(flag_id: int, suffix: str = "") -> str:
    return f"nudge:{flag_id}" + (f":{suffix}" if suffix else "")


# -- one pass at a time -----------------------------------------------------------------------


def take_turn(session: Session) -> bool:
    """On PostgreSQL, only one replica evaluates health at a time (the lock ends with the
    transaction); the others skip this tick rather than open the same flag twice. Advisory
    locks span the whole database, so the key names the schema the flags live in."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = sa.func.hashtext(sa.literal(LOCK_NAME) + sa.func.current_schema())
    return bool(session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(key))))


# -- the life cycle of an episode --------------------------------------------------------------


def open_episode(
    session: Session,
    team_id: str,
    program_id: int,
    pairing_id: int,
    finding: Finding,
    now: datetime,
) -> Flag:
    """First detection: NUDGED (the pair is nudged first), or straight to OPEN when the pair
    can't fix it (a member left)."""
    flag = Flag(
        team_id=team_id,
        program_id=program_id,
        pairing_id=pairing_id,
        reason=finding.reason,
        severity=finding.severity,
        status=FlagStatus.NUDGED if finding.nudge_first else FlagStatus.OPEN,
        detail=finding.words,
        started_at=finding.since,
        raised_at=None if finding.nudge_first else now,
        action_note="",
        created_at=now,
    )
    session.add(flag)
    return flag


def follow(flag: Flag, finding: Finding) -> bool:
    """Keep the words and severity current while the episode lasts; True if they changed."""
    if (flag.severity, flag.detail) == (finding.severity, finding.words):
        return False
    flag.severity, flag.detail = finding.severity, finding.words
    return True


def due_for_organizers(flag: Flag, cadence_weeks: int, now: datetime) -> bool:
    """A nudge had one check-in period to work."""
    return flag.status is FlagStatus.NUDGED and now >= flag.created_at + timedelta(
        weeks=cadence_weeks
    )


def nudged_lately(live: Iterable[Flag], cadence_weeks: int, now: datetime) -> bool:
    """The pair was nudged within the last check-in period, or organizers are already on it
    (`live`: the pair's flags not closed yet): a new episode then waits without a nudge."""
    since = now - timedelta(weeks=cadence_weeks)
    return any(
        f.closed_at is None and (f.status is not FlagStatus.NUDGED or f.created_at >= since)
        for f in live
    )


def escalate(flag: Flag, now: datetime) -> None:
    flag.status = FlagStatus.OPEN
    flag.raised_at = now


def close(session: Session, flag: Flag, now: datetime) -> None:
    """The pair recovered: the episode ends (a dismissal stays on record as such), and a nudge
    not sent yet is no longer needed."""
    flag.closed_at = now
    if flag.status is not FlagStatus.DISMISSED:
        flag.status = FlagStatus.RESOLVED
    session.execute(
        sa.delete(Delivery).where(
            Delivery.team_id == flag.team_id,
            _nudges_of(flag.id),
            Delivery.status == DeliveryStatus.PENDING,
        )
    )


def _nudges_of(flag_id: int) -> sa.ColumnElement[bool]:
    return sa.or_(
        Delivery.key == nudge_key(flag_id), starts_with(Delivery.key, nudge_key(flag_id) + ":")
    )


# -- organizers act ----------------------------------------------------------------------------


def get(session: Session, team_id: str, flag_id: int) -> Flag | None:
    """A flag of this workspace only: ids from buttons can be tampered with."""
    return session.scalar(sa.select(Flag).where(Flag.team_id == team_id, Flag.id == flag_id))


def require_unhandled(session: Session, team_id: str, flag_id: int) -> Flag:
    flag = get(session, team_id, flag_id)
    if flag is None:
        raise FlagError("That flag no longer exists.")
    if flag.status not in UNHANDLED or flag.closed_at is not None:
        raise AlreadyHandled(flag)
    return flag


def act(
    session: Session,
    team_id: str,
    flag_id: int,
    action: Action,
    by: str,
    now: datetime,
    note: str = "",
) -> Flag:
    """Record what an organizer did, once: a second click (or a second organizer) finds the
    flag handled and changes nothing. The update is conditional, so two at once act once."""
    flag = require_unhandled(session, team_id, flag_id)
    values: dict[str, object] = {
        "status": FlagStatus.DISMISSED if action is Action.DISMISS else FlagStatus.ACTED,
        "action": action.value,
        "action_by": by,
        "action_note": note.strip()[:NOTE_LENGTH],
    }
    if action is Action.REPAIR:
        values["closed_at"] = now  # the pairing is over, and with it the episode
    result = session.execute(
        sa.update(Flag)
        .where(Flag.id == flag.id, Flag.status.in_(UNHANDLED), Flag.closed_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(flag)
    if not result.rowcount:
        raise AlreadyHandled(flag)
    return flag


def pause(session: Session, flag: Flag) -> Pairing:
    pairing = session.get(Pairing, flag.pairing_id) if flag.pairing_id else None
    if pairing is None or pairing.status is not PairingStatus.ACTIVE:
        raise FlagError("This pairing is not active any more, so there is nothing to pause.")
    pairing.status = PairingStatus.PAUSED
    return pairing


def organizer_messages(session: Session, flags: Iterable[Flag]) -> dict[int, list[Delivery]]:
    """The DMs that told organizers about these flags (sent or not yet), to edit in place."""
    found: dict[int, list[Delivery]] = defaultdict(list)
    chosen = list(flags)
    for start in range(0, len(chosen), 200):
        owned = [
            sa.and_(
                Delivery.team_id == f.team_id, starts_with(Delivery.key, organizer_key(f.id, ""))
            )
            for f in chosen[start : start + 200]
        ]
        for row in session.scalars(sa.select(Delivery).where(sa.or_(*owned)).order_by(Delivery.id)):
            found[int(row.key.split(":")[1])].append(row)  # flag:<flag id>:<organizer>
    return found


def next_nudge_key(session: Session, flag: Flag) -> str:
    """`nudge:<flag>:1` for the first "Nudge again", `:2` for the next: each is a message of
    its own (a DM to each member adds `:<user>`)."""
    keys = session.scalars(
        sa.select(Delivery.key).where(
            Delivery.team_id == flag.team_id, starts_with(Delivery.key, nudge_key(flag.id) + ":")
        )
    )
    numbers = [int(n) for key in keys if (n := key.split(":")[2]).isdigit()]
    return nudge_key(flag.id, str(max(numbers, default=0) + 1))


# -- messages that could not be delivered ------------------------------------------------------


def unflagged_failures(session: Session, limit: int = FAILURES_PER_PASS) -> list[Delivery]:
    """Messages that failed for good (a deactivated member, say) and no flag names yet."""
    return list(
        session.scalars(
            sa.select(Delivery)
            .outerjoin(Flag, Flag.delivery_id == Delivery.id)
            .where(
                Delivery.status == DeliveryStatus.FAILED,
                Delivery.program_id.is_not(None),
                Flag.id.is_(None),
                *[Delivery.key.not_like(f"{prefix}%") for prefix in OWN_KEYS],
            )
            .order_by(Delivery.id)
            .limit(limit)
        )
    )


def flag_failures(session: Session, rows: Sequence[Delivery], now: datetime) -> list[Flag]:
    flags = [
        Flag(
            team_id=row.team_id,
            program_id=row.program_id,
            delivery_id=row.id,
            reason=FlagReason.DELIVERY_FAILED,
            severity=FlagSeverity.AT_RISK,
            status=FlagStatus.OPEN,
            detail=f"A message could not be delivered to {row.channel}: {row.last_error or '?'}",
            started_at=row.not_before,
            raised_at=now,
            action_note="",
            created_at=now,
        )
        for row in rows
    ]
    session.add_all(flags)
    session.flush()
    return flags


def close_for_ended_pairings(session: Session, now: datetime) -> int:
    """A pairing that ended (someone left, or it was re-paired) needs nobody any more: its
    unhandled flags close, so status views do not keep showing them."""
    ended = sa.select(Pairing.id).where(
        Pairing.status.in_((PairingStatus.ENDED, PairingStatus.REPAIRED))
    )
    result = session.execute(
        sa.update(Flag)
        .where(Flag.pairing_id.in_(ended), Flag.status.in_(UNHANDLED), Flag.closed_at.is_(None))
        .values(status=FlagStatus.RESOLVED, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
