"""Who may run programs: the configured organizers plus those added in Slack."""

from __future__ import annotations

import enum
from collections.abc import Set

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db import insert_or_ignore
from bot.models import Organizer
from bot.models.base import utcnow


def is_organizer(session: Session, team_id: str, user_id: str, configured: Set[str]) -> bool:
    if user_id in configured:
        return True
    return (
        session.scalar(
            sa.select(Organizer.id).where(
                Organizer.team_id == team_id, Organizer.user_id == user_id
            )
        )
        is not None
    )


class Removal(enum.Enum):
    REMOVED = "removed"
    NOT_AN_ORGANIZER = "not_an_organizer"
    CONFIGURED = "configured"  # set by MENTORING_ORGANIZERS, not removable from Slack


def add_organizer(session: Session, team_id: str, user_id: str, *, added_by: str) -> bool:
    """True when the person was not an organizer before."""
    return insert_or_ignore(
        session,
        Organizer,
        {"team_id": team_id, "user_id": user_id, "added_by": added_by, "created_at": utcnow()},
        conflict=["team_id", "user_id"],
    )


def remove_organizer(session: Session, team_id: str, user_id: str, configured: Set[str]) -> Removal:
    if user_id in configured:
        return Removal.CONFIGURED
    result = session.execute(
        sa.delete(Organizer).where(Organizer.team_id == team_id, Organizer.user_id == user_id)
    )
    return Removal.REMOVED if result.rowcount else Removal.NOT_AN_ORGANIZER


def list_organizers(session: Session, team_id: str, configured: Set[str]) -> list[tuple[str, bool]]:
    """Everyone who may organize, as (user id, set by configuration)."""
    added = session.scalars(
        sa.select(Organizer.user_id).where(Organizer.team_id == team_id).order_by(Organizer.id)
    ).all()
    return [(user, True) for user in sorted(configured)] + [
        (user, False) for user in added if user not in configured
    ]
