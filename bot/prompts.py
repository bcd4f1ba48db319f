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
from bot.clock import as_utc
from bot.models import (
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    Program,
    ProgramStatus,
)


@dataclass(frozen=True)
class Member:
    user_id: str
    role: ParticipantRole
    timezone: str
    skills_offered: list[str]
    skills_wanted: list[str]


@dataclass(frozen=True)
class PairRow:
    """The columns of a pairing the prompt needs (plain rows: cheap for 10,000 pairs)."""

    id: int
    team_id: str
    program_id: int
    channel_id: str | None
    introduced_at: datetime


@dataclass(frozen=True)
class DuePrompt:
    program: Program
    pairing: PairRow
    people: list[Member]
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
    live = sa.and_(Pairing.program_id.in_(by_program), Pairing.status == PairingStatus.ACTIVE)
    pairings = [
        PairRow(pid, team, program_id, channel, as_utc(introduced or created))
        for pid, team, program_id, channel, introduced, created in session.execute(
            sa.select(
                Pairing.id,
                Pairing.team_id,
                Pairing.program_id,
                Pairing.channel_id,
                Pairing.introduced_at,
                Pairing.created_at,
            ).where(live)
        )
    ]
    people: dict[int, list[Member]] = {}
    for pairing_id, *member in session.execute(
        sa.select(
            PairingMember.pairing_id,
            Participant.user_id,
            Participant.role,
            Participant.timezone,
            Participant.skills_offered,
            Participant.skills_wanted,
        )
        .join(Participant, Participant.id == PairingMember.participant_id)
        .join(Pairing, Pairing.id == PairingMember.pairing_id)
        .where(live)
        .order_by(PairingMember.id)
    ):
        people.setdefault(pairing_id, []).append(Member(*member))
    totals = {
        pairing_id: (count, int(minutes or 0))
        for pairing_id, count, minutes in session.execute(
            sa.select(Meeting.pairing_id, sa.func.count(), sa.func.sum(Meeting.minutes_held))
            .join(Pairing, Pairing.id == Meeting.pairing_id)
            .where(live, Meeting.status == MeetingStatus.HELD)
            .group_by(Meeting.pairing_id)
        )
    }
    due = []
    mornings: dict[tuple[date, tuple[str, ...]], datetime] = {}
    for pairing in pairings:
        members = people.get(pairing.id, [])
        zones = tuple(m.timezone for m in members)
        local_today = now.astimezone(rhythm.zone(zones[0] if zones else None)).date()
        week = rhythm.week_start(local_today)
        if (week, zones) not in mornings:
            mornings[(week, zones)] = rhythm.first_working_morning(week, zones)
        prompt_at = mornings[(week, zones)]
        if prompt_at > now or pairing.introduced_at >= prompt_at:
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
