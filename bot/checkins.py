"""Check-ins (temperature checks): who is due one and when, and recording the answers.

Each participant in an active pairing gets one check-in per check-in period, on the period's
last working day at 10:00 in their own zone, and one gentle reminder two days later (on a
working day) if it is still unanswered; never a second. The `Checkin` row is created when the
check-in is planned, so its buttons carry its id. A check-in is answered once the mood and
"did you meet?" are both given, or a comment is saved. Comments are private to organizers by
default and never shown back to anyone else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import rhythm
from bot.models import (
    Checkin,
    Delivery,
    DeliveryStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantStatus,
    Program,
    ProgramStatus,
)

CHECKIN_TIME = time(10, 0)
REMINDER_AFTER = timedelta(days=2)
REMINDER_GRACE = timedelta(days=2)  # a reminder later than this is no longer worth sending
COMMENT_LENGTH = 2000
MOODS = {1: "Struggling", 2: "Not great", 3: "Okay", 4: "Good", 5: "Great"}
ALREADY = "You already answered this check-in. Thank you!"
NOT_YOURS = "That check-in belongs to someone else, so I left it alone."
GONE = "That check-in no longer exists."
# Every zone lies within UTC-12..UTC+14: program-wide windows in UTC widen by these.
EARLIEST_ZONE = timedelta(hours=14)
LATEST_ZONE = timedelta(hours=12)
CHUNK = 500  # rows per bulk statement, well inside every backend's parameter limit


class CheckinError(Exception):
    """Something to tell the person instead of recording; `field` names the modal field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Period:
    start: date  # the Monday that starts it: `Checkin.period_start`
    end: date  # the day after its last day inside the program
    due_day: date | None  # its last working day inside the program (None: only a weekend)

    @property
    def reminder_day(self) -> date | None:
        """Two days after the check-in, moved to Monday if that falls on a weekend."""
        if self.due_day is None:
            return None
        day = self.due_day + REMINDER_AFTER
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day


def periods(program: Program) -> list[Period]:
    """The program's check-in periods, each cut to the days the program runs."""
    first, end = rhythm.start_date(program), rhythm.end_date(program)
    step = timedelta(weeks=program.checkin_cadence_weeks)
    found, start = [], rhythm.period_start(program, first)
    while start < end:
        low, high = max(start, first), min(start + step, end)
        working = [
            low + timedelta(days=n)
            for n in range((high - low).days)
            if (low + timedelta(days=n)).weekday() < 5
        ]
        found.append(Period(start, high, working[-1] if working else None))
        start += step
    return found


def period_for(program: Program, period_start: date) -> Period:
    for period in periods(program):
        if period.start == period_start:
            return period
    step = timedelta(weeks=program.checkin_cadence_weeks)
    return Period(period_start, period_start + step, None)  # outside the program (edited dates)


def checkin_key(participant_id: int, period_start: date) -> str:
    return f"checkin:{participant_id}:{period_start.isoformat()}"


def reminder_key(participant_id: int, period_start: date) -> str:
    return f"checkin-reminder:{participant_id}:{period_start.isoformat()}"


def utc_instant(day: date, at: time) -> datetime:
    """`at` o'clock on `day` in UTC: program-wide windows widen it by every zone's offset."""
    return datetime.combine(day, at, tzinfo=UTC)


def live_programs(session: Session) -> list[Program]:
    """Programs not ended; few per workspace, so the planners filter them in Python."""
    return list(
        session.scalars(
            sa.select(Program).where(Program.status != ProgramStatus.ENDED).order_by(Program.id)
        )
    )


@dataclass(frozen=True)
class Due:
    """A check-in (or its reminder) to send: who, for which period, and what it shows."""

    checkin_id: int
    participant_id: int
    team_id: str
    user_id: str
    program_id: int
    program_name: str
    period: Period
    at: datetime  # when it fell due in the participant's zone
    mood: int | None = None  # answered so far (a reminder shows it)
    met: bool | None = None


def create_due(session: Session, now: datetime) -> list[Due]:
    """Create the `Checkin` rows due at `now` (one per participant and period) and return them.

    One query per live program whose check-in window is open anywhere on Earth; a row another
    replica created first is left to that replica.
    """
    due: list[Due] = []
    for program in live_programs(session):
        for period in periods(program):
            if period.due_day is None:
                continue
            opens = utc_instant(period.due_day, CHECKIN_TIME) - EARLIEST_ZONE
            closes = utc_instant(period.end, time(0)) + LATEST_ZONE
            if opens <= now < closes:
                due.extend(_create_for(session, program, period, now))
    return due


def _create_for(session: Session, program: Program, period: Period, now: datetime) -> list[Due]:
    assert period.due_day is not None
    introduced = sa.func.coalesce(Pairing.introduced_at, Pairing.created_at)
    rows = session.execute(
        sa.select(
            Participant.id,
            Participant.team_id,
            Participant.user_id,
            Participant.timezone,
            Pairing.id,
            introduced,
        )
        .join(PairingMember, PairingMember.participant_id == Participant.id)
        .join(Pairing, Pairing.id == PairingMember.pairing_id)
        .where(
            Pairing.program_id == program.id,
            Pairing.status == PairingStatus.ACTIVE,
            Participant.status == ParticipantStatus.ACTIVE,
            introduced <= utc_instant(period.due_day, CHECKIN_TIME) + LATEST_ZONE,
            ~sa.exists().where(
                Checkin.participant_id == Participant.id,
                Checkin.period_start == period.start,
            ),
        )
        .order_by(Participant.id, Pairing.id)
    ).all()
    wanted: dict[int, Due] = {}
    pairings: dict[int, int] = {}
    for participant_id, team_id, user_id, timezone, pairing_id, introduced_at in rows:
        at = rhythm.local_instant(period.due_day, CHECKIN_TIME, timezone)
        expires = rhythm.local_instant(period.end, time(0), timezone)
        if participant_id not in wanted and at <= now < expires and introduced_at <= at:
            wanted[participant_id] = Due(
                0, participant_id, team_id, user_id, program.id, program.name, period, at
            )
            pairings[participant_id] = pairing_id
    values = [
        {
            "team_id": due.team_id,
            "participant_id": due.participant_id,
            "pairing_id": pairings[due.participant_id],
            "period_start": period.start,
            "comment": "",
            "comment_private": True,
            "created_at": now,
        }
        for due in wanted.values()
    ]
    created = _insert_checkins(session, values)
    return [replace(wanted[participant_id], checkin_id=id_) for id_, participant_id in created]


def due_reminders(session: Session, now: datetime) -> list[Due]:
    """Unanswered check-ins whose one reminder is due at `now` and not yet planned.

    Only check-ins whose message was sent, of people still in an active pairing of a running
    program; one query per program and period in its reminder window.
    """
    due: list[Due] = []
    for program in live_programs(session):
        for period in periods(program):
            day = period.reminder_day
            if day is None or not rhythm.is_running(program, day):
                continue
            opens = utc_instant(day, CHECKIN_TIME) - EARLIEST_ZONE
            if opens <= now < utc_instant(day, CHECKIN_TIME) + LATEST_ZONE + REMINDER_GRACE:
                due.extend(_reminders_for(session, program, period, day, now))
    return due


def _key_of(prefix: str, period_start: date) -> sa.ColumnElement[str]:
    """The outbox key of a check-in message, computed in SQL for the participant of a row."""
    return (
        sa.literal(f"{prefix}:", sa.String)
        + sa.cast(Checkin.participant_id, sa.String)
        + sa.literal(f":{period_start.isoformat()}", sa.String)
    )


def _reminders_for(
    session: Session, program: Program, period: Period, day: date, now: datetime
) -> list[Due]:
    sent = sa.exists().where(
        Delivery.team_id == Checkin.team_id,
        Delivery.key == _key_of("checkin", period.start),
        Delivery.status == DeliveryStatus.SENT,
    )
    reminded = sa.exists().where(
        Delivery.team_id == Checkin.team_id,
        Delivery.key == _key_of("checkin-reminder", period.start),
    )
    rows = session.execute(
        sa.select(Checkin, Participant)
        .join(Participant, Participant.id == Checkin.participant_id)
        .join(Pairing, Pairing.id == Checkin.pairing_id)
        .where(
            Participant.program_id == program.id,
            Participant.status == ParticipantStatus.ACTIVE,
            Pairing.status == PairingStatus.ACTIVE,
            Checkin.period_start == period.start,
            Checkin.answered_at.is_(None),
            Checkin.created_at <= now - REMINDER_AFTER,
            sent,
            ~reminded,
        )
        .order_by(Checkin.id)
    ).all()
    due = []
    for checkin, person in rows:
        at = rhythm.local_instant(day, CHECKIN_TIME, person.timezone)
        if at <= now < at + REMINDER_GRACE and checkin.created_at + REMINDER_AFTER <= now:
            who = (person.id, person.team_id, person.user_id, program.id, program.name)
            due.append(Due(checkin.id, *who, period, at, checkin.mood, checkin.met))
    return due


def _insert_checkins(session: Session, values: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Many check-ins in a few statements, skipping any another replica made first;
    (id, participant id) of those this call inserted."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = Checkin.__table__
    created: list[tuple[int, int]] = []
    for chunk in chunks(values, CHUNK):
        statement = (
            insert(table)
            .values(list(chunk))
            .on_conflict_do_nothing(index_elements=["participant_id", "period_start"])
            .returning(table.c.id, table.c.participant_id)
        )
        created.extend((row[0], row[1]) for row in session.execute(statement))
    return created


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- answering ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Owned:
    """A check-in, with the person it belongs to and their program."""

    checkin: Checkin
    participant: Participant
    program: Program

    @property
    def period(self) -> Period:
        return period_for(self.program, self.checkin.period_start)


def own(session: Session, team_id: str, user_id: str, checkin_id: int) -> Owned:
    """The check-in behind a button, if it is the clicker's own (locked while answering)."""
    row = session.execute(
        sa.select(Checkin, Participant, Program)
        .join(Participant, Participant.id == Checkin.participant_id)
        .join(Program, Program.id == Participant.program_id)
        .where(Checkin.team_id == team_id, Checkin.id == checkin_id)
        .with_for_update(of=Checkin)
    ).first()
    if row is None:
        raise CheckinError(GONE)
    checkin, participant, program = row
    if participant.user_id != user_id:
        raise CheckinError(NOT_YOURS)
    return Owned(checkin, participant, program)


def is_closed(owned: Owned, now: datetime) -> bool:
    """The check-in's period has ended, in the participant's own zone."""
    today = now.astimezone(rhythm.zone(owned.participant.timezone)).date()
    return today >= owned.period.end


def is_complete(checkin: Checkin) -> bool:
    return (checkin.mood is not None and checkin.met is not None) or bool(checkin.comment)


def answer(
    owned: Owned, now: datetime, *, mood: int | None = None, met: bool | None = None
) -> bool:
    """Store one answer; True when this answer completed the check-in.

    While the period runs an answer may change; once it ended, only a question not answered
    yet still records (a late click), anything else is "already answered".
    """
    checkin = owned.checkin
    if mood is not None and mood not in MOODS:
        raise CheckinError("Pick a mood from 1 to 5.")
    if mood is None and met is None:
        raise CheckinError("That button is out of date.")
    previous = checkin.mood if mood is not None else checkin.met
    if is_closed(owned, now) and (previous is not None or checkin.answered_at is not None):
        raise CheckinError(ALREADY)
    if mood is not None:
        checkin.mood = mood
    if met is not None:
        checkin.met = met
    return _maybe_complete(checkin, now)


def save_comment(owned: Owned, text: str, private: bool, now: datetime) -> bool:
    """Store the comment and whether only organizers may read it; True if this completed it."""
    checkin, text = owned.checkin, text.strip()
    if not text:
        raise CheckinError("Write a comment, or close this form.", "comment")
    if len(text) > COMMENT_LENGTH:
        raise CheckinError(
            f"Keep the comment to {COMMENT_LENGTH:,} characters (it has {len(text):,}).", "comment"
        )
    if is_closed(owned, now) and (checkin.comment or checkin.answered_at is not None):
        raise CheckinError(ALREADY, "comment")
    checkin.comment = text
    checkin.comment_private = private
    return _maybe_complete(checkin, now)


def _maybe_complete(checkin: Checkin, now: datetime) -> bool:
    if checkin.answered_at is None and is_complete(checkin):
        checkin.answered_at = now
        return True
    return False


def message_rows(session: Session, checkin: Checkin) -> list[Delivery]:
    """The sent check-in message and its reminder, to update them in place."""
    keys = [
        checkin_key(checkin.participant_id, checkin.period_start),
        reminder_key(checkin.participant_id, checkin.period_start),
    ]
    return list(
        session.scalars(
            sa.select(Delivery)
            .where(
                Delivery.team_id == checkin.team_id,
                Delivery.key.in_(keys),
                Delivery.message_ts.is_not(None),
            )
            .order_by(Delivery.id)
        )
    )


def visible_comment(checkin: Checkin, *, organizer: bool) -> str:
    """The comment as a reader may see it: private comments reach organizers only."""
    return checkin.comment if organizer or not checkin.comment_private else ""
