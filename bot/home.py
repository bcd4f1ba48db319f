"""What a person's Home tab shows, read in a handful of queries whatever the program sizes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from bot import programs, talk
from bot.clock import as_utc
from bot.models import (
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramStatus,
    TalkRequest,
)
from bot.status import ProgramHealth, program_health

LIVE_PAIRINGS = (PairingStatus.ACTIVE, PairingStatus.PAUSED)
DASHBOARDS = 15  # programs whose full figures the Home tab shows
TALK_REQUESTS_SHOWN = 3


@dataclass(frozen=True)
class Enrolment:
    program: Program
    participant: Participant
    pairing_status: PairingStatus | None = None
    partners: tuple[str, ...] = ()  # Slack user ids
    channel_id: str | None = None
    pairing_id: int | None = None
    next_meeting: datetime | None = None


@dataclass(frozen=True)
class ProgramOverview:
    program: Program
    counts: dict[ParticipantRole, int]
    health: ProgramHealth | None = None  # the status dashboard, for the first programs


@dataclass
class HomeSummary:
    enrolments: list[Enrolment] = field(default_factory=list)
    joinable: list[Program] = field(default_factory=list)  # open, and not joined yet
    organized: list[ProgramOverview] = field(default_factory=list)  # for organizers
    # Requests to talk to an organizer nobody took yet, the longest waiting first, with their
    # program's name (for organizers; one more than is shown, to say there are more).
    waiting_to_talk: list[tuple[TalkRequest, str]] = field(default_factory=list)
    today: date | None = None


def home_summary(
    session: Session, team_id: str, user_id: str, *, organizer: bool, now: datetime
) -> HomeSummary:
    summary = HomeSummary(today=now.date())
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
    upcoming = _next_meetings(session, [p[3] for p in pairings.values()], now)
    for participant, program in rows:
        status, partners, channel, pairing_id = pairings.get(participant.id, (None, (), None, None))
        summary.enrolments.append(
            Enrolment(
                program,
                participant,
                status,
                partners,
                channel,
                pairing_id,
                upcoming.get(pairing_id) if pairing_id else None,
            )
        )
    joined = {program.id for _, program in rows}
    summary.joinable = [
        program
        for program in programs.open_for_enrolment(session, team_id)
        if program.id not in joined
    ]
    if organizer:
        running = programs.list_programs(session, team_id)
        counts = programs.enrolment_counts(session, [program.id for program in running])
        summary.organized = [
            ProgramOverview(
                p, counts[p.id], program_health(session, p, now) if n < DASHBOARDS else None
            )
            for n, p in enumerate(running)
        ]
        names = {p.id: p.name for p in programs.list_programs(session, team_id, include_ended=True)}
        summary.waiting_to_talk = [
            (request, names.get(request.program_id, ""))
            for request in talk.open_requests(session, team_id, limit=TALK_REQUESTS_SHOWN + 1)
        ]
    return summary


def _live_pairings_query() -> sa.Select:
    mine = aliased(PairingMember)
    theirs = aliased(PairingMember)
    other = aliased(Participant)
    return (
        sa.select(
            mine.participant_id, Pairing.status, Pairing.channel_id, other.user_id, Pairing.id
        )
        .join(Pairing, Pairing.id == mine.pairing_id)
        .join(theirs, sa.and_(theirs.pairing_id == Pairing.id, theirs.id != mine.id))
        .join(other, other.id == theirs.participant_id)
        .where(
            mine.participant_id.in_(sa.bindparam("participants", expanding=True)),
            Pairing.status.in_(LIVE_PAIRINGS),
        )
        .order_by(other.user_id)
    )


# Built once: building a statement with aliases costs more than running it (every Home tab).
LIVE_PAIRINGS_QUERY = _live_pairings_query()


def _live_pairings(
    session: Session, participant_ids: list[int]
) -> dict[int, tuple[PairingStatus, tuple[str, ...], str | None, int]]:
    """Each participant's live pairing, with the other members' user ids, in one query."""
    if not participant_ids:
        return {}
    rows = session.execute(LIVE_PAIRINGS_QUERY, {"participants": participant_ids}).all()
    found: dict[int, tuple[PairingStatus, tuple[str, ...], str | None, int]] = {}
    for participant_id, status, channel_id, partner, pairing_id in rows:
        _, partners, _, _ = found.get(participant_id, (status, (), channel_id, pairing_id))
        found[participant_id] = (status, (*partners, partner), channel_id, pairing_id)
    return found


def _next_meetings(session: Session, pairing_ids: list[int], now: datetime) -> dict[int, datetime]:
    """The next confirmed meeting of each pairing, in one query."""
    if not pairing_ids:
        return {}
    rows = session.execute(
        sa.select(Meeting.pairing_id, sa.func.min(Meeting.starts_at))
        .where(
            Meeting.pairing_id.in_(pairing_ids),
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.starts_at > now,
        )
        .group_by(Meeting.pairing_id)
    )
    return {pairing_id: _aware(starts) for pairing_id, starts in rows}


def _aware(value: datetime) -> datetime:
    """An aggregate comes back without our column type: make it UTC again (SQLite)."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
