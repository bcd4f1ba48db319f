"""Which pairs get this week's meeting prompt now, and how they are doing against the target.

A handful of queries for all pairs at once: the active pairings of running programs, their
members, and their meeting totals; the planner renders and plans them in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import rhythm
from bot.models import (
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    Program,
    ProgramStatus,
)


@dataclass(frozen=True)
class DuePrompt:
    program: Program
    pairing: Pairing
    people: list[Participant]
    week: date  # the Monday of the prompt's week
    program_week: int
    meetings_held: int
    minutes_held: int

    @property
    def key(self) -> str:
        year, number, _ = self.week.isocalendar()
        return f"weekly-prompt:{self.pairing.id}:{year}-W{number:02d}"

    @property
    def target_so_far(self) -> int:
        """Minutes the pair could have met in the weeks before this one."""
        return self.program.meeting_target_minutes * max(self.program_week - 1, 0)


def due_prompts(session: Session, now: datetime) -> list[DuePrompt]:
    programs = [
        p
        for p in session.scalars(sa.select(Program).where(Program.status != ProgramStatus.ENDED))
        if rhythm.is_running(p, now.date())
    ]
    if not programs:
        return []
    by_program = {p.id: p for p in programs}
    pairings = list(
        session.scalars(
            sa.select(Pairing).where(
                Pairing.program_id.in_(by_program), Pairing.status == PairingStatus.ACTIVE
            )
        )
    )
    people: dict[int, list[Participant]] = {}
    for pairing_id, participant in session.execute(
        sa.select(PairingMember.pairing_id, Participant)
        .join(Participant, Participant.id == PairingMember.participant_id)
        .join(Pairing, Pairing.id == PairingMember.pairing_id)
        .where(Pairing.program_id.in_(by_program), Pairing.status == PairingStatus.ACTIVE)
        .order_by(PairingMember.id)
    ):
        people.setdefault(pairing_id, []).append(participant)
    totals = {
        pairing_id: (count, int(minutes or 0))
        for pairing_id, count, minutes in session.execute(
            sa.select(Meeting.pairing_id, sa.func.count(), sa.func.sum(Meeting.minutes_held))
            .join(Pairing, Pairing.id == Meeting.pairing_id)
            .where(
                Pairing.program_id.in_(by_program),
                Pairing.status == PairingStatus.ACTIVE,
                Meeting.status == MeetingStatus.HELD,
            )
            .group_by(Meeting.pairing_id)
        )
    }
    due = []
    for pairing in pairings:
        members = people.get(pairing.id, [])
        zones = [m.timezone for m in members]
        local_today = now.astimezone(rhythm.zone(zones[0] if zones else None)).date()
        week = rhythm.week_start(local_today)
        prompt_at = rhythm.first_working_morning(week, zones)
        introduced = pairing.introduced_at or pairing.created_at
        if prompt_at > now or introduced >= prompt_at:
            continue
        program = by_program[pairing.program_id]
        count, minutes = totals.get(pairing.id, (0, 0))
        due.append(
            DuePrompt(
                program=program,
                pairing=pairing,
                people=members,
                week=week,
                program_week=max(rhythm.program_week(program, local_today), 1),
                meetings_held=count,
                minutes_held=minutes,
            )
        )
    return due
