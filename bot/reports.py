"""The program report: what an organizer needs to judge a program, and the next cohort.

`build_report` costs the same fixed handful of aggregate statements however many pairings a
program has (`bot.report_queries`), so a 10,000-pair program reports as fast as a pilot. The
CSV export (`bot.report_csv`) keeps private check-in comments for organizers. `run_again` turns
a program that worked into the next cohort's draft in one step.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot import programs, rhythm
from bot import report_queries as queries
from bot.models import (
    FlagReason,
    MeetingStatus,
    PairingStatus,
    ParticipantRole,
    Program,
    ProgramStatus,
    SurveyKind,
    WinSharing,
)
from bot.report_csv import csv_export, write_csv
from bot.report_queries import flag_outcome

__all__ = [
    "Report",
    "Survey",
    "Week",
    "build_report",
    "csv_export",
    "flag_outcome",
    "next_cohort_name",
    "run_again",
    "write_csv",
]

NEXT_COHORT = " (next cohort)"


@dataclass(frozen=True)
class Week:
    number: int  # 1 for the program's first week (starting its Monday)
    starts: date
    meetings: int = 0  # held
    minutes: int = 0  # held
    live_pairings: int = 0
    target_minutes: int = 0  # live pairings times the weekly target
    checkins_sent: int = 0  # check-ins of periods starting this week
    checkins_answered: int = 0
    mood: float | None = None  # their average mood, 1-5


@dataclass(frozen=True)
class Survey:
    kind: SurveyKind
    sent: int  # survey messages sent to participants
    answered: int
    scores: dict[int, int] = field(default_factory=dict)  # recommendation 0-10 -> how many
    quotes: dict[str, list[str]] = field(default_factory=dict)  # question key -> recent answers

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None

    @property
    def average_score(self) -> float | None:
        total = sum(self.scores.values())
        return sum(s * n for s, n in self.scores.items()) / total if total else None

    @property
    def net_promoter(self) -> int | None:
        """Promoters (9-10) minus detractors (0-6), in percent of those who scored."""
        total = sum(self.scores.values())
        if not total:
            return None
        promoters = sum(n for s, n in self.scores.items() if s >= 9)
        detractors = sum(n for s, n in self.scores.items() if s <= 6)
        return round(100 * (promoters - detractors) / total)


@dataclass(frozen=True)
class Report:
    """Plain figures, no ORM rows: safe to render after the session closed."""

    program_id: int
    program_name: str
    status: ProgramStatus
    starts: date | None  # None: no start date yet
    length_weeks: int
    target_minutes: int  # per pairing and week
    generated_at: datetime
    enrolment: dict[tuple[ParticipantRole, str], int]  # (role, department) -> active people
    left: int
    pairings: dict[PairingStatus, int]
    meetings: dict[MeetingStatus, int]
    minutes_held: int
    weeks: list[Week]
    checkin_comments: int
    private_comments: int
    surveys: dict[SurveyKind, Survey]
    skills_taught: list[tuple[str, int]]  # reverse mentor -> mentee, most pairings first
    skills_taught_back: list[tuple[str, int]]  # mentee -> reverse mentor
    wins: dict[WinSharing, int]
    wins_published: int
    recent_wins: list[str]
    flags: dict[tuple[FlagReason, str], int]  # (reason, outcome) -> how many; see flag_outcome
    flags_raised: int  # of those, how many reached organizers

    @property
    def by_role(self) -> dict[ParticipantRole, int]:
        counts = dict.fromkeys(ParticipantRole, 0)
        for (role, _), n in self.enrolment.items():
            counts[role] += n
        return counts

    @property
    def by_department(self) -> list[tuple[str, int]]:
        counts: Counter[str] = Counter()
        for (_, department), n in self.enrolment.items():
            counts[department] += n
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    @property
    def meetings_held(self) -> int:
        return self.meetings.get(MeetingStatus.HELD, 0)

    @property
    def target_so_far(self) -> int:
        return sum(week.target_minutes for week in self.weeks)

    @property
    def checkins_sent(self) -> int:
        return sum(week.checkins_sent for week in self.weeks)

    @property
    def checkins_answered(self) -> int:
        return sum(week.checkins_answered for week in self.weeks)

    @property
    def response_rate(self) -> float | None:
        sent = self.checkins_sent
        return self.checkins_answered / sent if sent else None


def build_report(session: Session, program: Program, now: datetime) -> Report:
    """Every figure of the report, from a fixed number of aggregate statements."""
    first = rhythm.week_start(rhythm.start_date(program))
    enrolment, left = queries.enrolment(session, program)
    meetings, minutes, weekly = queries.meetings(session, program, first)
    checkins, comments, private = queries.checkin_periods(session, program, first)
    live = queries.live_spans(session, program)
    started = program.start_date is not None and now.date() >= program.start_date
    elapsed = (now.date() - first).days // 7 + 1 if started else 0
    count = min(program.length_weeks, max([elapsed, *weekly.keys(), *checkins.keys()]))
    weeks = []
    for number in range(1, count + 1):
        starts = first + timedelta(weeks=number - 1)
        alive = sum(
            n
            for begun, ended, n in live
            if begun < starts + timedelta(weeks=1) and (ended is None or ended >= starts)
        )
        met = weekly.get(number, (0, 0))
        sent, answered, mood = checkins.get(number, (0, 0, None))
        target = alive * program.meeting_target_minutes
        weeks.append(Week(number, starts, *met, alive, target, sent, answered, mood))
    taught, taught_back = queries.skills_exchanged(session, program)
    wins, published, recent = queries.wins(session, program)
    flags, raised = queries.flags(session, program)
    return Report(
        program_id=program.id,
        program_name=program.name,
        status=program.status,
        starts=program.start_date,
        length_weeks=program.length_weeks,
        target_minutes=program.meeting_target_minutes,
        generated_at=now,
        enrolment=enrolment,
        left=left,
        pairings=queries.pairing_counts(session, program),
        meetings=meetings,
        minutes_held=minutes,
        weeks=weeks,
        checkin_comments=comments,
        private_comments=private,
        surveys={
            kind: Survey(kind, *figures)
            for kind, figures in queries.surveys(session, program).items()
        },
        skills_taught=taught,
        skills_taught_back=taught_back,
        wins=wins,
        wins_published=published,
        recent_wins=recent,
        flags=flags,
        flags_raised=raised,
    )


_COHORT_SUFFIX = re.compile(r" \(next cohort\)(?: \d+)?$")


def next_cohort_name(session: Session, program: Program) -> str:
    """The first free name of "<name> (next cohort)", "… 2", "… 3"... in the workspace, cut
    to fit 80 characters; running again a cohort numbers on from its source's name."""
    base = _COHORT_SUFFIX.sub("", program.name)
    number = 1
    while True:
        suffix = NEXT_COHORT + (f" {number}" if number > 1 else "")
        name = base[: programs.NAME_LENGTH - len(suffix)].rstrip() + suffix
        if not programs.name_taken(session, program.team_id, name):
            return name
        number += 1


def run_again(session: Session, program: Program, created_by: str, now: datetime) -> Program:
    """A new draft with the program's settings, sponsor and guides (the next cohort): no start
    date, no kickoff, enrolment closed, not a pilot any more, so the organizer only picks dates
    and opens it."""
    cohort = Program(
        team_id=program.team_id,
        name=next_cohort_name(session, program),
        business_need=program.business_need,
        description=program.description,
        format=program.format,
        group_size=program.group_size,
        status=ProgramStatus.DRAFT,
        is_pilot=False,
        start_date=None,
        length_weeks=program.length_weeks,
        meeting_target_minutes=program.meeting_target_minutes,
        checkin_cadence_weeks=program.checkin_cadence_weeks,
        skills_catalogue=list(program.skills_catalogue or []),
        enrolment_open=False,
        settings=copy.deepcopy(program.settings or {}),
        # The sponsor and the guides usually carry over; the kickoff is the new cohort's own.
        sponsor_user_id=program.sponsor_user_id,
        sponsor_message=program.sponsor_message,
        guide_overrides=dict(program.guide_overrides or {}),
        created_by=created_by,
        created_at=now,
    )
    session.add(cohort)
    session.flush()
    return cohort
