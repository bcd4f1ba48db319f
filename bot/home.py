"""What a person's Home tab shows, read in a handful of queries whatever the program sizes."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from bot import programs
from bot.models import (
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramStatus,
)

LIVE_PAIRINGS = (PairingStatus.ACTIVE, PairingStatus.PAUSED)


@dataclass(frozen=True)
class Enrolment:
    program: Program
    participant: Participant
    pairing_status: PairingStatus | None = None
    partners: tuple[str, ...] = ()  # Slack user ids
    channel_id: str | None = None


@dataclass(frozen=True)
class ProgramOverview:
    program: Program
    counts: dict[ParticipantRole, int]


@dataclass
class HomeSummary:
    enrolments: list[Enrolment] = field(default_factory=list)
    joinable: list[Program] = field(default_factory=list)  # open, and not joined yet
    organized: list[ProgramOverview] = field(default_factory=list)  # for organizers


def home_summary(session: Session, team_id: str, user_id: str, *, organizer: bool) -> HomeSummary:
    summary = HomeSummary()
    rows = session.execute(
        sa.select(Participant, Program)
        .join(Program, Participant.program_id == Program.id)
        .where(
            Participant.team_id == team_id,
            Participant.user_id == user_id,
            Participant.status == ParticipantStatus.ACTIVE,
            Program.status != ProgramStatus.ENDED,
        )
        .order_by(Program.created_at, Program.id)
    ).all()
    pairings = _live_pairings(session, [participant.id for participant, _ in rows])
    for participant, program in rows:
        status, partners, channel = pairings.get(participant.id, (None, (), None))
        summary.enrolments.append(Enrolment(program, participant, status, partners, channel))
    joined = {program.id for _, program in rows}
    summary.joinable = [
        program
        for program in programs.open_for_enrolment(session, team_id)
        if program.id not in joined
    ]
    if organizer:
        running = programs.list_programs(session, team_id)
        counts = programs.enrolment_counts(session, [program.id for program in running])
        summary.organized = [ProgramOverview(p, counts[p.id]) for p in running]
    return summary


def _live_pairings(
    session: Session, participant_ids: list[int]
) -> dict[int, tuple[PairingStatus, tuple[str, ...], str | None]]:
    """Each participant's live pairing, with the other members' user ids, in one query."""
    if not participant_ids:
        return {}
    mine = aliased(PairingMember)
    theirs = aliased(PairingMember)
    other = aliased(Participant)
    rows = session.execute(
        sa.select(mine.participant_id, Pairing.status, Pairing.channel_id, other.user_id)
        .join(Pairing, Pairing.id == mine.pairing_id)
        .join(theirs, sa.and_(theirs.pairing_id == Pairing.id, theirs.id != mine.id))
        .join(other, other.id == theirs.participant_id)
        .where(mine.participant_id.in_(participant_ids), Pairing.status.in_(LIVE_PAIRINGS))
        .order_by(other.user_id)
    ).all()
    found: dict[int, tuple[PairingStatus, tuple[str, ...], str | None]] = {}
    for participant_id, status, channel_id, partner in rows:
        _, partners, _ = found.get(participant_id, (status, (), channel_id))
        found[participant_id] = (status, (*partners, partner), channel_id)
    return found
