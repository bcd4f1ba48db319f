"""The report's aggregate statements: each is one statement, whatever the program's size.

The database counts, sums and groups (by program week, by status, by skill); Python folds the
few hundred grouped rows, never a row per pairing, meeting or check-in. Each function returns
plain values; `bot.reports` assembles them. The few dialect differences (a UTC day, a week
number, a JSON list's items) are kept in small helpers here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from bot.models import (
    Checkin,
    Delivery,
    DeliveryStatus,
    Flag,
    FlagReason,
    FlagStatus,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    SurveyKind,
    SurveyResponse,
    Win,
    WinSharing,
)
from bot.surveys import QUESTIONS

TOP_SKILLS = 5
QUOTES_PER_SURVEY = 3
RECENT_WINS = 3

# kind -> (sent, answered, recommendation score -> how many, question key -> recent answers)
SurveyFigures = tuple[int, int, dict[int, int], dict[str, list[str]]]


def _utc_date(session: Session, column: Any) -> sa.ColumnElement[date]:
    """An instant's UTC calendar day, on SQLite (naive UTC text) and PostgreSQL alike."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.timezone("UTC", column), sa.Date)
    return sa.func.date(column, type_=sa.Date)


def _week_index(session: Session, column: Any, first: date) -> sa.ColumnElement[int]:
    """0 for an instant in the week starting `first` (a Monday), 1 the next...; for instants
    on or after it (callers filter), so integer division is floor division."""
    if session.get_bind().dialect.name == "postgresql":
        days: sa.ColumnElement[int] = _utc_date(session, column) - sa.literal(first, sa.Date)
    else:
        days = sa.cast(sa.func.julianday(column) - sa.func.julianday(first.isoformat()), sa.Integer)
    return days // 7


def enrolment(
    session: Session, program: Program
) -> tuple[dict[tuple[ParticipantRole, str], int], int]:
    """Active people by (role, department), one department however it is capitalised or
    spaced; and how many left."""
    rows = session.execute(
        sa.select(Participant.role, Participant.department, Participant.status, sa.func.count())
        .where(Participant.program_id == program.id)
        .group_by(Participant.role, Participant.department, Participant.status)
    )
    counts: Counter[tuple[ParticipantRole, str]] = Counter()
    spelled: dict[str, str] = {}
    left = 0
    for role, department, status, n in rows:
        if status is not ParticipantStatus.ACTIVE:
            left += n
            continue
        name = " ".join((department or "").split())
        counts[role, spelled.setdefault(name.casefold(), name)] += n
    return dict(counts), left


def pairing_counts(session: Session, program: Program) -> dict[PairingStatus, int]:
    """Pairings by status."""
    return {
        status: int(n)
        for status, n in session.execute(
            sa.select(Pairing.status, sa.func.count())
            .where(Pairing.program_id == program.id)
            .group_by(Pairing.status)
        )
    }


def meetings(
    session: Session, program: Program, first: date
) -> tuple[dict[MeetingStatus, int], int, dict[int, tuple[int, int]]]:
    """In one pass over the program's meetings: how many of each status and the minutes held,
    all time (held before or after the program's weeks too); and, of those held in the
    program's weeks, week number -> (meetings, minutes).

    The week is computed in an inner select and grouped on by name: PostgreSQL would not see
    two copies of an expression with bound parameters as the same expression."""
    start = datetime.combine(first, time(), tzinfo=UTC)
    in_weeks = sa.and_(
        Meeting.status == MeetingStatus.HELD,
        Meeting.starts_at >= start,
        Meeting.starts_at < start + timedelta(weeks=program.length_weeks),
    )
    rows = (
        sa.select(
            Meeting.status.label("status"),
            sa.case((in_weeks, _week_index(session, Meeting.starts_at, first))).label("week"),
            Meeting.minutes_held.label("minutes"),
        )
        .join(Pairing, Pairing.id == Meeting.pairing_id)
        .where(Pairing.program_id == program.id)
        .subquery()
    )
    by_status: Counter[MeetingStatus] = Counter()
    held = 0
    weekly: dict[int, tuple[int, int]] = {}
    for status, week, n, minutes in session.execute(
        sa.select(
            rows.c.status, rows.c.week, sa.func.count(), sa.func.sum(rows.c.minutes)
        ).group_by(rows.c.status, rows.c.week)
    ):
        by_status[status] += int(n)
        if status is MeetingStatus.HELD:
            held += int(minutes or 0)
            if week is not None:
                weekly[int(week) + 1] = (int(n), int(minutes or 0))
    return dict(by_status), held, weekly


def checkin_periods(
    session: Session, program: Program, first: date
) -> tuple[dict[int, tuple[int, int, float | None]], int, int]:
    """Week number of each period's start -> (sent, answered, average mood); and how many
    comments there are, and how many of them are private."""
    has_comment = Checkin.comment != ""
    rows = session.execute(
        sa.select(
            Checkin.period_start,
            sa.func.count(),
            sa.func.count(Checkin.answered_at),
            sa.func.avg(Checkin.mood),
            sa.func.sum(sa.case((has_comment, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(has_comment, Checkin.comment_private), 1), else_=0)),
        )
        .join(Participant, Participant.id == Checkin.participant_id)
        .where(Participant.program_id == program.id)
        .group_by(Checkin.period_start)
    ).all()
    periods: dict[int, tuple[int, int, float | None]] = {}
    for period_start, sent, answered, mood, _, _ in rows:
        number = (period_start - first).days // 7 + 1
        if 1 <= number <= program.length_weeks:
            mood_value = round(float(mood), 2) if mood is not None else None
            periods[number] = (int(sent), int(answered), mood_value)
    comments = sum(int(row[4] or 0) for row in rows)
    private = sum(int(row[5] or 0) for row in rows)
    return periods, comments, private


def live_spans(session: Session, program: Program) -> list[tuple[date, date | None, int]]:
    """(first day, last day or None, how many) of the introduced pairings, grouped by day."""
    days = (
        sa.select(
            _utc_date(session, sa.func.coalesce(Pairing.introduced_at, Pairing.created_at)).label(
                "begun"
            ),
            _utc_date(session, Pairing.ended_at).label("ended"),
        )
        .where(Pairing.program_id == program.id, Pairing.status != PairingStatus.PROPOSED)
        .subquery()
    )
    rows = session.execute(
        sa.select(days.c.begun, days.c.ended, sa.func.count()).group_by(days.c.begun, days.c.ended)
    )
    return [(_as_date(begun), _as_date(ended) if ended else None, n) for begun, ended, n in rows]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def surveys(session: Session, program: Program) -> dict[SurveyKind, SurveyFigures]:
    """Sent, answered, scores and a few recent answers per kind."""
    sent_row = session.execute(
        sa.select(*(_sent(kind) for kind in SurveyKind)).where(
            Delivery.program_id == program.id,
            Delivery.status == DeliveryStatus.SENT,
            Delivery.key.like("survey:%"),
        )
    ).one()
    submitted = sa.and_(
        SurveyResponse.program_id == program.id, SurveyResponse.submitted_at.is_not(None)
    )
    answered: Counter[SurveyKind] = Counter()
    scores: dict[SurveyKind, dict[int, int]] = defaultdict(dict)
    for kind, score, n in session.execute(
        sa.select(SurveyResponse.kind, SurveyResponse.recommend_score, sa.func.count())
        .where(submitted)
        .group_by(SurveyResponse.kind, SurveyResponse.recommend_score)
    ):
        answered[kind] += n
        if score is not None:
            scores[kind][int(score)] = int(n)
    order = (SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc())
    ranked = (
        sa.select(
            SurveyResponse.kind,
            SurveyResponse.answers,
            sa.func.row_number()
            .over(partition_by=SurveyResponse.kind, order_by=order)
            .label("rank"),
        )
        .where(submitted)
        .subquery()
    )
    quotes: dict[SurveyKind, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for kind, answers in session.execute(
        sa.select(ranked.c.kind, ranked.c.answers)
        .where(ranked.c.rank <= QUOTES_PER_SURVEY * 3)
        .order_by(ranked.c.kind, ranked.c.rank)
    ):
        for question in QUESTIONS[kind]:
            text = " ".join(str((answers or {}).get(question.key) or "").split())
            said = quotes[kind][question.key]
            if text and len(said) < QUOTES_PER_SURVEY:
                said.append(text)
    return {
        kind: (
            max(int(sent_row[index] or 0), answered[kind]),
            answered[kind],
            dict(sorted(scores[kind].items())),
            {key: list(texts) for key, texts in quotes[kind].items()},
        )
        for index, kind in enumerate(SurveyKind)
    }


def _sent(kind: SurveyKind) -> sa.ColumnElement[int]:
    """Survey messages of this kind sent (`bot.surveys.survey_key`: survey:<person>:<kind>)."""
    this_kind = Delivery.key.like(f"survey:%:{kind.value}")
    return sa.func.coalesce(sa.func.sum(sa.case((this_kind, 1), else_=0)), 0)


def skills_exchanged(
    session: Session, program: Program
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The skills one side of a pairing offers and the other wants (case and spaces aside, as
    `bot.matching.scoring.overlap` matches them), counted once per pairing: reverse mentors'
    first, then what mentees taught back. The skill lists are unnested in SQL, so no pairing
    is read into Python."""
    teaching, learning = aliased(PairingMember), aliased(PairingMember)
    teacher, learner = aliased(Participant), aliased(Participant)
    offered = _elements(session, teacher.skills_offered, "offered")
    wanted = _elements(session, learner.skills_wanted, "wanted")
    skill = sa.func.lower(sa.func.trim(offered.c.value))
    statement = (
        sa.select(
            teacher.role,
            sa.func.min(sa.func.trim(offered.c.value)),
            sa.func.count(sa.distinct(teaching.pairing_id)),
        )
        .select_from(teaching)
        .join(Pairing, Pairing.id == teaching.pairing_id)
        .join(teacher, teacher.id == teaching.participant_id)
        .join(learning, learning.pairing_id == teaching.pairing_id)
        .join(learner, sa.and_(learner.id == learning.participant_id, learner.role != teacher.role))
        .join(offered, sa.true())
        .join(wanted, sa.func.lower(sa.func.trim(wanted.c.value)) == skill)
        .where(Pairing.program_id == program.id, Pairing.status != PairingStatus.PROPOSED)
        .group_by(teacher.role, skill)
    )
    rows = _without_jit(session, statement)

    def top(role: ParticipantRole) -> list[tuple[str, int]]:
        found = [(name, int(n)) for who, name, n in rows if who is role and name]
        return sorted(found, key=lambda item: (-item[1], item[0].casefold()))[:TOP_SKILLS]

    return top(ParticipantRole.MENTOR), top(ParticipantRole.MENTEE)


def _without_jit(session: Session, statement: sa.Select[Any]) -> list[sa.Row[Any]]:
    """Run a statement with PostgreSQL's JIT compiler off, and only that statement.

    PostgreSQL guesses 100 items for every unnested JSON list, so the skills statement looks
    costly enough to compile, and compiling takes longer (~0.7 s) than running it (~0.2 s).
    `SET LOCAL` inside a savepoint that is rolled back leaves the caller's settings alone."""
    if session.get_bind().dialect.name != "postgresql":
        return list(session.execute(statement).all())
    savepoint = session.begin_nested()
    try:
        session.execute(sa.text("SET LOCAL jit = off"))
        return list(session.execute(statement).all())
    finally:
        savepoint.rollback()


def _elements(session: Session, column: Any, name: str) -> Any:
    """A JSON list's items as rows with a `value` column (SQLite `json_each`, PostgreSQL
    `json_array_elements_text`, which refuses anything but an array, hence the guard)."""
    if session.get_bind().dialect.name == "postgresql":
        array = sa.case(
            (sa.func.json_typeof(column) == sa.literal_column("'array'"), column),
            else_=sa.literal_column("'[]'::json"),
        )
        return sa.func.json_array_elements_text(array).table_valued("value").render_derived(name)
    return sa.func.json_each(column).table_valued("value").alias(name)


def wins(session: Session, program: Program) -> tuple[dict[WinSharing, int], int, list[str]]:
    """Wins by how they may be shared, how many were published, and the latest few."""
    published = Win.published_ts.is_not(None)
    counts: Counter[WinSharing] = Counter()
    shown = 0
    for sharing, is_published, n in session.execute(
        sa.select(Win.sharing, published, sa.func.count())
        .where(Win.program_id == program.id)
        .group_by(Win.sharing, published)
    ):
        counts[sharing] += n
        shown += n if is_published else 0
    recent = session.scalars(
        sa.select(Win.text)
        .where(Win.program_id == program.id)
        .order_by(Win.created_at.desc(), Win.id.desc())
        .limit(RECENT_WINS)
    )
    return dict(counts), shown, [" ".join(text.split()) for text in recent]


def flag_outcome(status: FlagStatus, action: str | None) -> str:
    """How a flag ended, in one word: open, dismissed, resolved (the pair recovered by itself),
    an organizer's action (`bot.flags.Action`), or resolved_after_action."""
    if status in (FlagStatus.NUDGED, FlagStatus.OPEN):
        return "open"
    if status is FlagStatus.RESOLVED:
        return "resolved_after_action" if action else "resolved"
    if status is FlagStatus.ACTED:
        return action or "acted"
    return status.value


def flags(session: Session, program: Program) -> tuple[dict[tuple[FlagReason, str], int], int]:
    """(reason, outcome) -> how many flags; and how many of them reached organizers."""
    raised = Flag.raised_at.is_not(None)
    counts: Counter[tuple[FlagReason, str]] = Counter()
    told = 0
    for reason, status, action, was_raised, n in session.execute(
        sa.select(Flag.reason, Flag.status, Flag.action, raised, sa.func.count())
        .where(Flag.program_id == program.id)
        .group_by(Flag.reason, Flag.status, Flag.action, raised)
    ):
        counts[reason, flag_outcome(status, action)] += n
        told += n if was_raised else 0
    return dict(counts), told
