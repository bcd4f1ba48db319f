"""A program's health at a glance, from a fixed handful of aggregate queries.

However many pairings a program has, the figures cost the same number of statements: counts
and sums are computed by the database; only the few items shown (open flags, failures) are
loaded as rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from bot import rhythm
from bot.kickoff import KickoffReplies
from bot.kickoff import replies as kickoff_replies
from bot.models import (
    Checkin,
    Delivery,
    DeliveryStatus,
    Flag,
    FlagSeverity,
    FlagStatus,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    Program,
)

SHOWN_FLAGS = 10
SHOWN_FAILURES = 5
TREND_PERIODS = 4
UNHANDLED = (FlagStatus.NUDGED, FlagStatus.OPEN)


@dataclass
class ProgramHealth:
    program: Program
    on_track: int = 0
    at_risk: int = 0
    stalled: int = 0
    paused: int = 0
    ended: int = 0
    meetings_this_week: int = 0
    minutes_this_week: int = 0
    meetings_total: int = 0
    minutes_total: int = 0
    checkins_sent: int = 0
    checkins_answered: int = 0
    mood_by_period: list[tuple[date, float | None]] = field(default_factory=list)  # oldest first
    open_flags: list[tuple[Flag, list[str]]] = field(default_factory=list)  # with members
    open_flag_count: int = 0
    failures: list[Delivery] = field(default_factory=list)
    failure_count: int = 0
    kickoff: KickoffReplies | None = None  # replies, when a kickoff is planned

    @property
    def active(self) -> int:
        return self.on_track + self.at_risk + self.stalled

    @property
    def weekly_target_minutes(self) -> int:
        """What all active pairs together aim for in a week."""
        return self.program.meeting_target_minutes * self.active

    def target_so_far(self, today: date) -> int:
        weeks = max(min(rhythm.program_week(self.program, today), self.program.length_weeks), 0)
        return self.program.meeting_target_minutes * weeks * (self.active + self.paused)

    @property
    def response_rate(self) -> float | None:
        return self.checkins_answered / self.checkins_sent if self.checkins_sent else None

    @property
    def mood(self) -> float | None:
        moods = [m for _, m in self.mood_by_period if m is not None]
        return moods[-1] if moods else None

    @property
    def mood_trend(self) -> float | None:
        """The last period's average mood minus the first one's, over the periods shown."""
        moods = [m for _, m in self.mood_by_period if m is not None]
        return round(moods[-1] - moods[0], 2) if len(moods) >= 2 else None


def program_health(session: Session, program: Program, now: datetime) -> ProgramHealth:
    health = ProgramHealth(program)
    _pairing_counts(session, program, health)
    _meetings(session, program, now, health)
    _checkins(session, program, now, health)
    _flags(session, program, health)
    _failures(session, program, health)
    health.kickoff = kickoff_replies(session, program)
    return health


def _pairing_counts(session: Session, program: Program, health: ProgramHealth) -> None:
    counts = dict(
        session.execute(
            sa.select(Pairing.status, sa.func.count())
            .where(Pairing.program_id == program.id)
            .group_by(Pairing.status)
        ).all()
    )
    # The worst unhandled flag of each active pairing decides whether it is at risk or stalled.
    worst = (
        sa.select(
            Flag.pairing_id,
            sa.func.max(sa.case((Flag.severity == FlagSeverity.STALLED, 2), else_=1)).label("w"),
        )
        .join(Pairing, Pairing.id == Flag.pairing_id)
        .where(
            Flag.program_id == program.id,
            Flag.status.in_(UNHANDLED),
            Pairing.status == PairingStatus.ACTIVE,
        )
        .group_by(Flag.pairing_id)
        .subquery()
    )
    by_worst = dict(
        session.execute(sa.select(worst.c.w, sa.func.count()).group_by(worst.c.w)).all()
    )
    health.stalled = by_worst.get(2, 0)
    health.at_risk = by_worst.get(1, 0)
    health.on_track = counts.get(PairingStatus.ACTIVE, 0) - health.stalled - health.at_risk
    health.paused = counts.get(PairingStatus.PAUSED, 0)
    health.ended = counts.get(PairingStatus.ENDED, 0) + counts.get(PairingStatus.REPAIRED, 0)


def _meetings(session: Session, program: Program, now: datetime, health: ProgramHealth) -> None:
    week_start = datetime.combine(
        rhythm.week_start(now.date()), datetime.min.time(), tzinfo=now.tzinfo
    )
    this_week = Meeting.starts_at >= week_start
    row = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Meeting.minutes_held), 0),
            sa.func.coalesce(sa.func.sum(sa.case((this_week, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((this_week, Meeting.minutes_held), else_=0)), 0),
        )
        .join(Pairing, Pairing.id == Meeting.pairing_id)
        .where(Pairing.program_id == program.id, Meeting.status == MeetingStatus.HELD)
    ).one()
    health.meetings_total, health.minutes_total = int(row[0]), int(row[1])
    health.meetings_this_week, health.minutes_this_week = int(row[2]), int(row[3])


def _checkins(session: Session, program: Program, now: datetime, health: ProgramHealth) -> None:
    """The last few check-in periods: recent enough to act on, and cheap at any size."""
    since = rhythm.week_start(now.date()) - timedelta(
        weeks=program.checkin_cadence_weeks * TREND_PERIODS
    )
    rows = session.execute(
        sa.select(
            Checkin.period_start,
            sa.func.count(),
            sa.func.count(Checkin.answered_at),
            sa.func.avg(Checkin.mood),
        )
        .join(Participant, Participant.id == Checkin.participant_id)
        .where(Participant.program_id == program.id, Checkin.period_start >= since)
        .group_by(Checkin.period_start)
        .order_by(Checkin.period_start)
    ).all()
    health.checkins_sent = sum(int(r[1]) for r in rows)
    health.checkins_answered = sum(int(r[2]) for r in rows)
    health.mood_by_period = [
        (period, round(float(mood), 2) if mood is not None else None)
        for period, _, _, mood in rows[-TREND_PERIODS:]
    ]


def full_lists_key(program_id: int, user_id: str, day: date, content: str) -> str:
    """The outbox key of a program's full lists sent to one organizer: the same lists go to
    them once a day, and again only when something in them changed."""
    digest = hashlib.sha256(content.encode()).hexdigest()[:16]
    return f"status-csv:{program_id}:{user_id}:{day.isoformat()}:{digest}"


def _flags(session: Session, program: Program, health: ProgramHealth) -> None:
    unhandled = sa.and_(Flag.program_id == program.id, Flag.status.in_(UNHANDLED))
    health.open_flag_count = session.scalar(sa.select(sa.func.count()).where(unhandled)) or 0
    health.open_flags = open_flags(session, program, limit=SHOWN_FLAGS)


def open_flags(
    session: Session, program: Program, *, limit: int | None = None
) -> list[tuple[Flag, list[str]]]:
    """Unhandled flags, stalled first then oldest, each with its pair's user ids."""
    query = (
        sa.select(Flag)
        .where(Flag.program_id == program.id, Flag.status.in_(UNHANDLED))
        .order_by(sa.case((Flag.severity == FlagSeverity.STALLED, 0), else_=1), Flag.started_at)
    )
    flags = list(session.scalars(query.limit(limit) if limit else query))
    member = aliased(Participant)
    members: dict[int, list[str]] = {}
    pairing_ids = [f.pairing_id for f in flags if f.pairing_id]
    if pairing_ids:
        for pairing_id, user_id in session.execute(
            sa.select(PairingMember.pairing_id, member.user_id)
            .join(member, member.id == PairingMember.participant_id)
            .where(PairingMember.pairing_id.in_(pairing_ids))
            .order_by(PairingMember.id)
        ):
            members.setdefault(pairing_id, []).append(user_id)
    return [(f, members.get(f.pairing_id or 0, [])) for f in flags]


def _failures(session: Session, program: Program, health: ProgramHealth) -> None:
    failed = sa.and_(Delivery.program_id == program.id, Delivery.status == DeliveryStatus.FAILED)
    health.failure_count = session.scalar(sa.select(sa.func.count()).where(failed)) or 0
    health.failures = failures(session, program, limit=SHOWN_FAILURES)


def failures(session: Session, program: Program, *, limit: int | None = None) -> list[Delivery]:
    """Messages of the program that could not be delivered, newest first."""
    query = (
        sa.select(Delivery)
        .where(Delivery.program_id == program.id, Delivery.status == DeliveryStatus.FAILED)
        .order_by(Delivery.id.desc())
    )
    return list(session.scalars(query.limit(limit) if limit else query))


@dataclass(frozen=True)
class MyPairing:
    program: Program
    status: PairingStatus | None
    partners: list[str]
    meetings: int
    minutes: int
    target_so_far: int
    next_meeting: datetime | None


def my_status(session: Session, team_id: str, user_id: str, now: datetime) -> list[MyPairing]:
    """A participant's own pairings: status, meetings against the target, the next meeting."""
    mine = aliased(PairingMember)
    theirs = aliased(PairingMember)
    me, other = aliased(Participant), aliased(Participant)
    rows = session.execute(
        sa.select(Pairing, Program, other.user_id)
        .join(mine, mine.pairing_id == Pairing.id)
        .join(me, me.id == mine.participant_id)
        .join(Program, Program.id == Pairing.program_id)
        .outerjoin(theirs, sa.and_(theirs.pairing_id == Pairing.id, theirs.id != mine.id))
        .outerjoin(other, other.id == theirs.participant_id)
        .where(
            me.team_id == team_id,
            me.user_id == user_id,
            Pairing.status.in_((PairingStatus.ACTIVE, PairingStatus.PAUSED)),
        )
        .order_by(Pairing.id)
    ).all()
    pairings: dict[int, tuple[Pairing, Program, list[str]]] = {}
    for pairing, program, partner in rows:
        entry = pairings.setdefault(pairing.id, (pairing, program, []))
        if partner:
            entry[2].append(partner)
    if not pairings:
        return []
    ids = list(pairings)
    totals = {
        pid: (int(count), int(minutes or 0))
        for pid, count, minutes in session.execute(
            sa.select(Meeting.pairing_id, sa.func.count(), sa.func.sum(Meeting.minutes_held))
            .where(Meeting.pairing_id.in_(ids), Meeting.status == MeetingStatus.HELD)
            .group_by(Meeting.pairing_id)
        )
    }
    upcoming: dict[int, datetime] = {}
    for meeting in session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.pairing_id.in_(ids),
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.starts_at > now,
        )
        .order_by(Meeting.starts_at)
    ):
        upcoming.setdefault(meeting.pairing_id, meeting.starts_at)
    result = []
    for pid, (pairing, program, partners) in pairings.items():
        count, minutes = totals.get(pid, (0, 0))
        weeks = rhythm.program_week(program, now.date()) if program.start_date else 0
        introduced = (pairing.introduced_at or pairing.created_at).date()
        weeks_paired = max((now.date() - introduced).days // 7, 0) + 1
        result.append(
            MyPairing(
                program=program,
                status=pairing.status,
                partners=partners,
                meetings=count,
                minutes=minutes,
                target_so_far=program.meeting_target_minutes
                * min(weeks_paired, weeks or weeks_paired),
                next_meeting=upcoming.get(pid),
            )
        )
    return result
