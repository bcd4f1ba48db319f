"""Feedback surveys (start, middle, end) and the end of a program.

The start survey asks what people hope to learn and teach, when the program starts (or when
the pair is introduced, if later); the middle one how it is going, on the Monday of the
program's middle week; the end one what they learned and taught and whether they would
recommend the program, with the closing message. At the end every active pairing is told its
totals and ended, and the program becomes ended, so nothing more is planned for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import rhythm
from bot.checkins import EARLIEST_ZONE, LATEST_ZONE, chunks, live_programs, utc_instant
from bot.db import insert_or_ignore
from bot.models import (
    Delivery,
    DeliveryStatus,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantStatus,
    Program,
    ProgramStatus,
    SurveyKind,
    SurveyResponse,
)

SURVEY_TIME = rhythm.PROMPT_TIME
STALE_AFTER = timedelta(days=7)  # a survey this late (the bot was down) is no longer sent
TEXT_LENGTH = 2000
RECOMMEND = "recommend"
END_REASON = "The program ended."
NOT_YOURS = "That survey belongs to someone else, so I left it alone."
GONE = "That survey is no longer available."


@dataclass(frozen=True)
class Question:
    key: str  # the answers' key and the modal's block id
    label: str
    required: bool = True


QUESTIONS: dict[SurveyKind, tuple[Question, ...]] = {
    SurveyKind.START: (
        Question("learn", "What do you hope to learn?"),
        Question("teach", "What do you hope to teach?"),
    ),
    SurveyKind.MIDDLE: (
        Question("going", "How is it going so far?"),
        Question("help", "What would help you get more out of it?", required=False),
    ),
    SurveyKind.END: (
        Question("learned", "What did you learn?"),
        Question("taught", "What did you teach?"),
        Question("anything", "Anything else the organizers should know?", required=False),
    ),
}


class SurveyError(Exception):
    """Something to tell the person instead of opening or saving a survey."""


class SurveyInvalid(Exception):
    """Answers to fix, by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def survey_key(participant_id: int, kind: SurveyKind) -> str:
    return f"survey:{participant_id}:{kind.value}"


def validate(
    kind: SurveyKind, texts: Mapping[str, str | None], recommend: Any = None
) -> tuple[dict[str, str], int | None]:
    """Clean answers and the 0-10 score (end survey only), or `SurveyInvalid` by field."""
    errors: dict[str, str] = {}
    answers: dict[str, str] = {}
    for question in QUESTIONS[kind]:
        text = (texts.get(question.key) or "").strip()
        if len(text) > TEXT_LENGTH:
            errors[question.key] = f"Keep it to {TEXT_LENGTH:,} characters (it has {len(text):,})."
        elif question.required and not text:
            errors[question.key] = "Please answer this one."
        answers[question.key] = text
    score = None
    if kind is SurveyKind.END:
        try:
            score = int(str(recommend).strip())
        except ValueError:
            score = -1
        if not 0 <= score <= 10:
            errors[RECOMMEND] = "Pick a number from 0 to 10."
    if errors:
        raise SurveyInvalid(errors)
    return answers, score


def submit(
    session: Session,
    participant: Participant,
    kind: SurveyKind,
    answers: dict[str, str],
    score: int | None,
    now: datetime,
) -> SurveyResponse:
    """Store the answers; submitting again updates them rather than adding another response."""
    values = {"answers": answers, "recommend_score": score, "submitted_at": now}
    insert_or_ignore(
        session,
        SurveyResponse,
        {
            "team_id": participant.team_id,
            "program_id": participant.program_id,
            "participant_id": participant.id,
            "kind": kind,
            "created_at": now,
            **values,
        },
        conflict=["participant_id", "kind"],
    )
    response = response_of(session, participant.id, kind, lock=True)
    assert response is not None
    for name, value in values.items():
        setattr(response, name, value)
    session.flush()
    return response


def response_of(
    session: Session, participant_id: int, kind: SurveyKind, *, lock: bool = False
) -> SurveyResponse | None:
    query = sa.select(SurveyResponse).where(
        SurveyResponse.participant_id == participant_id, SurveyResponse.kind == kind
    )
    return session.scalar(query.with_for_update() if lock else query)


def own_participant(
    session: Session, team_id: str, user_id: str, participant_id: int
) -> Participant:
    """The participant a survey button names, if it is the clicker."""
    participant = session.scalar(
        sa.select(Participant).where(
            Participant.team_id == team_id, Participant.id == participant_id
        )
    )
    if participant is None:
        raise SurveyError(GONE)
    if participant.user_id != user_id:
        raise SurveyError(NOT_YOURS)
    return participant


def message_row(session: Session, participant: Participant, kind: SurveyKind) -> Delivery | None:
    """The sent survey message, to turn it into a thank-you in place."""
    return session.scalar(
        sa.select(Delivery).where(
            Delivery.team_id == participant.team_id,
            Delivery.key == survey_key(participant.id, kind),
            Delivery.message_ts.is_not(None),
        )
    )


# -- when to send them -------------------------------------------------------------------


def middle_day(program: Program) -> date | None:
    """The Monday of the program's middle week; none for a one-week program."""
    if program.length_weeks < 2:
        return None
    start = rhythm.week_start(rhythm.start_date(program))
    return start + timedelta(weeks=program.length_weeks // 2)


@dataclass(frozen=True)
class DueSurvey:
    participant_id: int
    team_id: str
    user_id: str
    program_id: int
    program_name: str
    kind: SurveyKind
    at: datetime


def due_surveys(session: Session, now: datetime) -> list[DueSurvey]:
    """Start and middle surveys due at `now` and not planned yet: one query per program whose
    window is open somewhere on Earth (start: also pairs introduced in the last week)."""
    due: list[DueSurvey] = []
    for program in live_programs(session):
        start = rhythm.start_date(program)
        if now >= utc_instant(start, SURVEY_TIME) - EARLIEST_ZONE:
            recent_only = now >= utc_instant(start, SURVEY_TIME) + LATEST_ZONE + STALE_AFTER
            due.extend(_due_for(session, program, SurveyKind.START, start, now, recent_only))
        middle = middle_day(program)
        if middle is not None:
            morning = utc_instant(middle, SURVEY_TIME)
            if morning - EARLIEST_ZONE <= now < morning + LATEST_ZONE + STALE_AFTER:
                due.extend(_due_for(session, program, SurveyKind.MIDDLE, middle, now, False))
    return due


def _due_for(
    session: Session,
    program: Program,
    kind: SurveyKind,
    day: date,
    now: datetime,
    recent_only: bool,
) -> list[DueSurvey]:
    introduced = sa.func.coalesce(Pairing.introduced_at, Pairing.created_at)
    key = (
        sa.literal("survey:", sa.String)
        + sa.cast(Participant.id, sa.String)
        + sa.literal(f":{kind.value}", sa.String)
    )
    query = (
        sa.select(Participant, introduced)
        .join(PairingMember, PairingMember.participant_id == Participant.id)
        .join(Pairing, Pairing.id == PairingMember.pairing_id)
        .where(
            Pairing.program_id == program.id,
            Pairing.status == PairingStatus.ACTIVE,
            Participant.status == ParticipantStatus.ACTIVE,
            ~sa.exists().where(Delivery.team_id == Participant.team_id, Delivery.key == key),
        )
        .order_by(Participant.id, introduced)
    )
    if kind is SurveyKind.MIDDLE:
        query = query.where(introduced <= utc_instant(day, SURVEY_TIME) + LATEST_ZONE)
    if recent_only:
        query = query.where(introduced > now - STALE_AFTER)
    due: dict[int, DueSurvey] = {}
    for person, introduced_at in session.execute(query):
        morning = rhythm.local_instant(day, SURVEY_TIME, person.timezone)
        if kind is SurveyKind.START:
            at = max(morning, introduced_at)
        elif introduced_at <= morning:
            at = morning
        else:
            continue
        today = now.astimezone(rhythm.zone(person.timezone)).date()
        fresh = at <= now < at + STALE_AFTER
        if person.id not in due and fresh and rhythm.is_running(program, today):
            due[person.id] = DueSurvey(
                person.id, person.team_id, person.user_id, program.id, program.name, kind, at
            )
    return list(due.values())


# -- the end of a program ----------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    participant_id: int
    user_id: str
    active: bool  # still in the program (only they get the end survey)


@dataclass(frozen=True)
class Ending:
    """A pairing ended with its program, and what its closing message says."""

    pairing_id: int
    team_id: str
    program_id: int
    program_name: str
    channel_id: str | None
    members: tuple[Member, ...]
    meetings: int  # held
    minutes: int  # held, in total
    target_minutes: int  # the program's weekly target times its weeks
    at: datetime


def end_programs(session: Session, now: datetime) -> list[Ending]:
    """End what is due at `now`: each active pairing on the morning after the program's last
    week (09:30 in its first member's zone), then the program once none is left."""
    endings: list[Ending] = []
    for program in live_programs(session):
        end = rhythm.end_date(program)
        if now >= utc_instant(end, SURVEY_TIME) - EARLIEST_ZONE:
            endings.extend(_end_program(session, program, end, now))
    return endings


def _end_program(session: Session, program: Program, end: date, now: datetime) -> list[Ending]:
    rows = session.execute(
        sa.select(
            Pairing.id,
            Pairing.team_id,
            Pairing.channel_id,
            Participant.id,
            Participant.user_id,
            Participant.timezone,
            Participant.status,
        )
        .join(PairingMember, PairingMember.pairing_id == Pairing.id)
        .join(Participant, Participant.id == PairingMember.participant_id)
        .where(Pairing.program_id == program.id, Pairing.status == PairingStatus.ACTIVE)
        .order_by(Pairing.id, PairingMember.id)
    ).all()
    pairs: dict[int, list[Any]] = {}
    for row in rows:
        pairs.setdefault(row[0], []).append(row)
    # Each pair ends at 09:30 in its first member's zone (the mentor's).
    moments = {
        key: rhythm.local_instant(end, SURVEY_TIME, members[0][5]) for key, members in pairs.items()
    }
    due = [pairing_id for pairing_id, at in moments.items() if now >= at]
    ended = _set_ended(session, due, PairingStatus.ACTIVE, now)
    totals = _held(session, ended)
    target = program.meeting_target_minutes * program.length_weeks
    endings = []
    for pairing_id in ended:
        _, team_id, channel_id, *_ = pairs[pairing_id][0]
        people = tuple(
            Member(m[3], m[4], m[6] is ParticipantStatus.ACTIVE) for m in pairs[pairing_id]
        )
        held = totals.get(pairing_id, (0, 0))
        ending = (team_id, program.id, program.name, channel_id, people, *held, target)
        endings.append(Ending(pairing_id, *ending, moments[pairing_id]))
    if len(due) == len(pairs):
        # A program that never got a pairing ends only if it was running, at 09:30 UTC.
        started = program.status is ProgramStatus.RUNNING
        if pairs or (started and now >= utc_instant(end, SURVEY_TIME)):
            _close(session, program, now)
    return endings


def _set_ended(
    session: Session, pairing_ids: list[int], status: PairingStatus, now: datetime
) -> list[int]:
    """End these pairings if still in `status`; the ids this call ended (another replica's
    are left to it)."""
    ended: list[int] = []
    for chunk in chunks(pairing_ids, 500):
        ended.extend(
            session.scalars(
                sa.update(Pairing)
                .where(Pairing.id.in_(chunk), Pairing.status == status)
                .values(status=PairingStatus.ENDED, ended_at=now, end_reason=END_REASON)
                .returning(Pairing.id)
                .execution_options(synchronize_session=False)
            )
        )
    return sorted(ended)


def _held(session: Session, pairing_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Meetings held and their minutes, per pairing, in one query per 500 pairings."""
    totals: dict[int, tuple[int, int]] = {}
    for chunk in chunks(pairing_ids, 500):
        for pairing_id, count, minutes in session.execute(
            sa.select(
                Meeting.pairing_id,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(Meeting.minutes_held), 0),
            )
            .where(Meeting.pairing_id.in_(chunk), Meeting.status == MeetingStatus.HELD)
            .group_by(Meeting.pairing_id)
        ):
            totals[pairing_id] = (int(count), int(minutes))
    return totals


def _close(session: Session, program: Program, now: datetime) -> None:
    """The program ends: paused pairings end with it, quietly; messages planned for later
    (a nudge for this afternoon, say) are dropped; nothing is planned for it any more."""
    paused = session.scalars(
        sa.select(Pairing.id).where(
            Pairing.program_id == program.id, Pairing.status == PairingStatus.PAUSED
        )
    ).all()
    _set_ended(session, list(paused), PairingStatus.PAUSED, now)
    session.execute(
        sa.delete(Delivery)
        .where(
            Delivery.program_id == program.id,
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.not_before > now,
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.update(Program)
        .where(Program.id == program.id, Program.status != ProgramStatus.ENDED)
        .values(status=ProgramStatus.ENDED, ended_at=now)
    )
