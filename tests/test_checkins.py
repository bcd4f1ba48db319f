"""Check-ins without Slack: the periods, who is due when, the one reminder, and the answers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot import checkins
from bot.checkins import CheckinError, Period
from bot.models import (
    Checkin,
    Delivery,
    DeliveryStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramStatus,
)
from bot.slack.planners import checkins as planner
from tests.conftest import START, TEAM
from tests.factories import make_program

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
MONDAY = date(2026, 11, 30)
FRIDAY = date(2026, 12, 4)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def pair_up(
    sessions: sessionmaker[Session],
    program_id: int,
    people: Sequence[tuple[str, str]],
    *,
    introduced_at: datetime = START,
    channel_id: str | None = None,
) -> tuple[int, list[int]]:
    """An active pairing of new participants (user id, time zone), mentor first; the program
    is running, as after an approved matching."""
    with sessions() as session:
        members = [
            Participant(
                team_id=TEAM,
                program_id=program_id,
                user_id=user,
                display_name=user[1:].title(),
                role=ParticipantRole.MENTEE if index else ParticipantRole.MENTOR,
                timezone=timezone,
                consent=True,
            )
            for index, (user, timezone) in enumerate(people)
        ]
        session.add_all(members)
        session.flush()
        pairing = Pairing(
            team_id=TEAM,
            program_id=program_id,
            status=PairingStatus.ACTIVE,
            introduced_at=introduced_at,
            created_at=introduced_at,
            channel_id=channel_id,
        )
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in members]
        session.add(pairing)
        session.get(Program, program_id).status = ProgramStatus.RUNNING
        session.commit()
        return pairing.id, [p.id for p in members]


def program_row(**fields) -> Program:
    values = {
        "start_date": MONDAY,
        "length_weeks": 4,
        "checkin_cadence_weeks": 1,
        "status": ProgramStatus.RUNNING,
    }
    values.update(fields)
    return Program(**values)


def test_periods_end_on_their_last_working_day_inside_the_program() -> None:
    weekly = checkins.periods(program_row())
    assert [p.due_day for p in weekly] == [date(2026, 12, d) for d in (4, 11, 18, 25)]
    fortnightly = checkins.periods(program_row(checkin_cadence_weeks=2))
    assert [(p.start, p.due_day) for p in fortnightly] == [
        (MONDAY, date(2026, 12, 11)),
        (date(2026, 12, 14), date(2026, 12, 25)),
    ]
    # Starting on a Wednesday for 6 weeks: the last period is cut to Monday and Tuesday.
    odd = checkins.periods(program_row(start_date=date(2026, 12, 2), length_weeks=6))
    assert odd[0] == Period(MONDAY, date(2026, 12, 7), FRIDAY)
    assert odd[-1] == Period(date(2027, 1, 11), date(2027, 1, 13), date(2027, 1, 12))
    # A program starting on a Saturday has no working day in its first week.
    assert checkins.periods(program_row(start_date=date(2026, 12, 5)))[0].due_day is None


def test_the_reminder_comes_two_days_later_on_a_working_day() -> None:
    assert Period(MONDAY, date(2026, 12, 7), FRIDAY).reminder_day == date(2026, 12, 7)
    tuesday = Period(MONDAY, date(2026, 12, 7), date(2026, 12, 1))
    assert tuesday.reminder_day == date(2026, 12, 3)
    assert Period(MONDAY, date(2026, 12, 7), None).reminder_day is None


@pytest.fixture
def pair(sessions) -> tuple[int, list[int]]:
    program = make_program(sessions, "Digital Pilot", start_date=MONDAY, length_weeks=4)
    return pair_up(sessions, program.id, [("UANA", BERLIN), ("UBEN", NEW_YORK)])


def due_users(sessions, now: datetime) -> list[str]:
    with sessions() as session:
        due = checkins.create_due(session, now)
        session.commit()
        return sorted(d.user_id for d in due)


def test_each_member_is_due_at_ten_in_their_own_zone_once(sessions, pair) -> None:
    assert due_users(sessions, utc(2026, 12, 3, 23, 0)) == []
    assert due_users(sessions, utc(2026, 12, 4, 8, 59)) == []
    assert due_users(sessions, utc(2026, 12, 4, 9, 0)) == ["UANA"]  # 10:00 in Berlin
    assert due_users(sessions, utc(2026, 12, 4, 9, 0)) == []
    assert due_users(sessions, utc(2026, 12, 4, 14, 59)) == []
    assert due_users(sessions, utc(2026, 12, 4, 15, 0)) == ["UBEN"]  # 10:00 in New York
    assert due_users(sessions, utc(2026, 12, 11, 15, 0)) == ["UANA", "UBEN"]
    with sessions() as session:
        rows = session.scalars(sa.select(Checkin).order_by(Checkin.id)).all()
        assert [(r.period_start, r.answered_at, r.comment_private) for r in rows] == [
            (MONDAY, None, True),
            (MONDAY, None, True),
            (date(2026, 12, 7), None, True),
            (date(2026, 12, 7), None, True),
        ]
        assert all(r.pairing_id == pair[0] for r in rows)


def test_a_period_that_ended_is_not_caught_up_late(sessions, pair) -> None:
    # The bot was down all of Friday and the weekend: week 1's check-in is skipped.
    assert due_users(sessions, utc(2026, 12, 7, 9, 0)) == []
    # Monday 00:30 in Berlin, still Sunday evening in New York.
    assert due_users(sessions, utc(2026, 12, 6, 23, 30)) == ["UBEN"]
    assert due_users(sessions, utc(2026, 12, 6, 12, 0)) == ["UANA"]  # late, within the period


def test_only_pairs_introduced_before_the_moment_and_still_active(sessions) -> None:
    program = make_program(sessions, "Digital Pilot", start_date=MONDAY, length_weeks=4)
    pair_up(
        sessions,
        program.id,
        [("UANA", BERLIN), ("UBEN", NEW_YORK)],
        introduced_at=utc(2026, 12, 4, 12, 0),
    )
    ended, _ = pair_up(sessions, program.id, [("UCHO", BERLIN), ("UDAN", BERLIN)])
    _, (left, _) = pair_up(sessions, program.id, [("UEVE", BERLIN), ("UFAY", BERLIN)])
    with sessions() as session:
        session.get(Pairing, ended).status = PairingStatus.ENDED
        session.get(Participant, left).status = ParticipantStatus.LEFT
        session.commit()
    assert due_users(sessions, utc(2026, 12, 4, 16, 0)) == ["UBEN", "UFAY"]  # not Ana: too early


def test_nothing_for_an_ended_program(sessions, pair) -> None:
    with sessions() as session:
        for program in session.scalars(sa.select(Program)):
            program.status = ProgramStatus.ENDED
        session.commit()
    assert due_users(sessions, utc(2026, 12, 4, 16, 0)) == []


def mark_sent(sessions, now: datetime) -> None:
    with sessions() as session:
        session.execute(
            sa.update(Delivery).values(status=DeliveryStatus.SENT, sent_at=now, message_ts="1.0")
        )
        session.commit()


def plan(sessions, now: datetime) -> list[str]:
    with sessions() as session:
        before = set(session.scalars(sa.select(Delivery.key)))
        planner.plan(session, now)
        session.commit()
        return sorted(set(session.scalars(sa.select(Delivery.key))) - before)


def test_one_reminder_on_monday_only_if_unanswered_and_sent(sessions, pair) -> None:
    _, (ana, ben) = pair
    assert plan(sessions, utc(2026, 12, 4, 15, 0)) == [
        f"checkin:{ana}:2026-11-30",
        f"checkin:{ben}:2026-11-30",
    ]
    assert plan(sessions, utc(2026, 12, 7, 9, 0)) == []  # not sent yet: no reminder
    mark_sent(sessions, utc(2026, 12, 4, 15, 0))
    assert plan(sessions, utc(2026, 12, 6, 10, 0)) == []  # two days on is a Sunday
    assert plan(sessions, utc(2026, 12, 7, 8, 59)) == []
    assert plan(sessions, utc(2026, 12, 7, 9, 0)) == [f"checkin-reminder:{ana}:2026-11-30"]
    with sessions() as session:  # Ben answers before his Monday morning
        row = session.scalar(sa.select(Checkin).where(Checkin.participant_id == ben))
        row.mood, row.met, row.answered_at = 4, True, utc(2026, 12, 7, 12, 0)
        session.commit()
    assert plan(sessions, utc(2026, 12, 7, 15, 0)) == []
    mark_sent(sessions, utc(2026, 12, 7, 15, 0))
    assert plan(sessions, utc(2026, 12, 8, 9, 0)) == []  # never a second reminder


def own(session: Session, user: str, checkin_id: int) -> checkins.Owned:
    return checkins.own(session, TEAM, user, checkin_id)


def test_answers_are_stored_and_late_clicks_only_fill_blanks(sessions, pair) -> None:
    due_users(sessions, utc(2026, 12, 4, 15, 0))
    with sessions() as session:
        ids = dict(session.execute(sa.select(Checkin.participant_id, Checkin.id)).all())
    ana, ben = (ids[p] for p in pair[1])
    friday = utc(2026, 12, 4, 16, 0)
    with sessions() as session:
        with pytest.raises(CheckinError, match="someone else"):
            own(session, "UBEN", ana)
        with pytest.raises(CheckinError, match="no longer exists"):
            own(session, "UANA", 999_999)
        with pytest.raises(CheckinError, match="1 to 5"):
            checkins.answer(own(session, "UANA", ana), friday, mood=6)
        assert checkins.answer(own(session, "UANA", ana), friday, mood=2) is False
        assert checkins.answer(own(session, "UANA", ana), friday, mood=3) is False  # changed
        assert checkins.answer(own(session, "UANA", ana), friday, met=True) is True
        session.commit()
        row = session.get(Checkin, ana)
        assert (row.mood, row.met, row.answered_at) == (3, True, friday)

    later = utc(2026, 12, 9, 12, 0)  # the period ended on Sunday
    with sessions() as session:
        with pytest.raises(CheckinError, match="already answered"):
            checkins.answer(own(session, "UANA", ana), later, mood=5)
        assert checkins.answer(own(session, "UBEN", ben), later, met=False) is False
        with pytest.raises(CheckinError, match="already answered"):
            checkins.answer(own(session, "UBEN", ben), later, met=True)
        assert checkins.answer(own(session, "UBEN", ben), later, mood=1) is True
        session.commit()
        assert session.get(Checkin, ben).answered_at == later


def test_a_comment_is_checked_and_completes_the_checkin(sessions, pair) -> None:
    due_users(sessions, utc(2026, 12, 4, 15, 0))
    friday = utc(2026, 12, 4, 16, 0)
    with sessions() as session:
        checkin_id = session.scalar(
            sa.select(Checkin.id).where(Checkin.participant_id == pair[1][0])
        )
        owned = own(session, "UANA", checkin_id)
        with pytest.raises(CheckinError, match="Write a comment") as empty:
            checkins.save_comment(owned, "   ", True, friday)
        assert empty.value.field == "comment"
        with pytest.raises(CheckinError, match="2,000 characters"):
            checkins.save_comment(owned, "x" * 2001, True, friday)
        assert checkins.save_comment(owned, " It's hard to find time ", True, friday) is True
        session.commit()
        row = session.get(Checkin, checkin_id)
        assert (row.comment, row.comment_private, row.answered_at) == (
            "It's hard to find time",
            True,
            friday,
        )
        assert checkins.visible_comment(row, organizer=False) == ""
        assert checkins.visible_comment(row, organizer=True) == "It's hard to find time"


@contextmanager
def counting(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_planning_costs_the_same_few_queries_for_3_or_60_pairs(sessions, engine) -> None:
    costs = []
    for pairs in (3, 60):
        program = make_program(sessions, f"Cohort {pairs}", start_date=MONDAY, length_weeks=4)
        for n in range(pairs):
            pair_up(sessions, program.id, [(f"UM{pairs}X{n}", BERLIN), (f"UE{pairs}X{n}", BERLIN)])
        with sessions() as session, counting(engine) as statements:
            planned = planner.plan(session, utc(2026, 12, 4, 9, 0))
            session.commit()
        assert planned == 2 * pairs
        costs.append(len(statements))
        with sessions() as session:
            session.execute(sa.update(Program).values(status=ProgramStatus.ENDED))
            session.commit()
    assert costs[0] == costs[1] <= 8
