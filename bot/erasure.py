"""Erasing a person on an admin's request, for someone who cannot run `/mentoring leave`
themselves (they left the company, say).

It does what leaving with erasure does, in every program of the workspace, and also forgets
the email address an HR export gave for them. What stays is what programs need to add up:
the Slack user id, the role, the dates, and the numbers (minutes, moods, scores).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import enrolment
from bot.models import Invitation, Participant


@dataclass(frozen=True)
class Erased:
    participant: Participant
    outcome: enrolment.LeaveOutcome


def erase_person(session: Session, team_id: str, user_id: str, now: datetime) -> list[Erased]:
    """Leave (with erasure) every program the person is in or was in; one entry each."""
    erased = [
        Erased(participant, enrolment.leave(session, participant, erase=True, now=now))
        for participant in enrolment.enrolments_for_user(
            session, team_id, user_id, include_left=True
        )
    ]
    session.execute(
        sa.update(Invitation)
        .where(Invitation.team_id == team_id, Invitation.user_id == user_id)
        .values(email=None, department_hint=None)
    )
    session.flush()
    return erased
