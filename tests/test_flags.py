"""Flags in the database: the scan, an episode from nudge to organizers to recovery, what
organizers do, undelivered messages, and a statement count that does not grow with the pool."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import flags
from bot.models import (
    Checkin,
    Delivery,
    DeliveryStatus,
    Flag,
    FlagReason,
    FlagSeverity,
    FlagStatus,
    Meeting,
    MeetingStatus,
    Organizer,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramStatus,
)
from bot.outbox import store
from bot.slack.planners.health import evaluate, scan
from tests.conftest import START, TEAM
from tests.factories import make_program

NOON = START.replace(hour=12)  # a Monday, inside everyone's working day
ORGANIZERS = frozenset({"UORGANIZER"})


# -- rows, as the rest of the bot would leave them ---------------------------------------------


def running_program(sessions: sessionmaker[Session], name: str = "Digital Pilot", **kw) -> Program:
    """A program that started four weeks before START."""
    settings = kw.pop("settings", {})
    program = make_program(sessions, name, start_date=START.date(), **kw)
    with sessions() as session:
        row = session.get(Program, program.id)
        assert row is not None
        row.status = ProgramStatus.RUNNING
        row.start_date = START.date() - timedelta(weeks=4)
        row.settings = settings
        session.commit()
        return row


def make_pair(
    sessions: sessionmaker[Session],
    program: Program,
    users: tuple[str, str] = ("UANA", "UBEN"),
    *,
    introduced: datetime = START - timedelta(days=15),
    channel: str | None = None,
    status: PairingStatus = PairingStatus.ACTIVE,
    timezone: str = "UTC",
) -> tuple[int, list[int]]:
    """An introduced pairing of two new participants: (pairing id, participant ids)."""
    with sessions() as session:
        people = [
            Participant(
                team_id=program.team_id,
                program_id=program.id,
                user_id=user,
                display_name=user[1:].title(),
                role=role,
                consent=True,
                timezone=timezone,
            )
            for user, role in zip(
                users, (ParticipantRole.MENTOR, ParticipantRole.MENTEE), strict=True
            )
        ]
        pairing = Pairing(
            team_id=program.team_id,
            program_id=program.id,
            status=status,
            channel_id=channel,
            introduced_at=introduced,
            created_at=introduced,
        )
        session.add_all([*people, pairing])
        session.flush()
        session.add_all(
            PairingMember(team_id=program.team_id, pairing_id=pairing.id, participant_id=p.id)
            for p in people
        )
        session.commit()
        return pairing.id, [p.id for p in people]


def add_meeting(
    sessions: sessionmaker[Session],
    pairing_id: int,
    status: MeetingStatus,
    at: datetime,
    minutes: int = 45,
) -> None:
    with sessions() as session:
        session.add(
            Meeting(
                team_id=TEAM,
                pairing_id=pairing_id,
                status=status,
                proposed_by="UANA",
                starts_at=at,
                duration_minutes=minutes,
                minutes_held=minutes if status is MeetingStatus.HELD else None,
                created_at=at - timedelta(days=2),
                updated_at=at,
            )
        )
        session.commit()


def add_checkin(
    sessions: sessionmaker[Session],
    participant_id: int,
    pairing_id: int,
    period: date,
    *,
    mood: int | None = None,
    answered: bool = True,
    comment: str = "",
) -> None:
    with sessions() as session:
        session.add(
            Checkin(
                team_id=TEAM,
                participant_id=participant_id,
                pairing_id=pairing_id,
                period_start=period,
                met=False if answered else None,
                mood=mood if answered else None,
                comment=comment,
                answered_at=datetime.combine(period, START.timetz()) if answered else None,
            )
        )
        session.commit()


def run_rule(sessions: sessionmaker[Session], now: datetime, configured=ORGANIZERS) -> int:
    with sessions() as session:
        changed = evaluate(session, now, frozenset(configured), None)
        session.commit()
        return changed


def all_flags(sessions: sessionmaker[Session]) -> list[Flag]:
    with sessions() as session:
        return list(session.scalars(sa.select(Flag).order_by(Flag.id)))


def keys(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return sorted(session.scalars(sa.select(Delivery.key)))


# -- the scan ----------------------------------------------------------------------------------


def test_only_active_pairings_of_running_programs_are_scanned(sessions) -> None:
    program = running_program(sessions)
    active, _ = make_pair(sessions, program)
    make_pair(sessions, program, ("UKIM", "UCHO"), status=PairingStatus.PAUSED)
    ended = running_program(sessions, "Old Pilot")
    make_pair(sessions, ended, ("UOLD", "UOLE"))
    with sessions() as session:
        session.execute(
            sa.update(Program).where(Program.id == ended.id).values(status=ProgramStatus.ENDED)
        )
        session.commit()
        found = scan(session, NOON)
    assert list(found.pairs) == [active]
    assert [m.user_id for m in found.pairs[active].members] == ["UANA", "UBEN"]


# -- an episode --------------------------------------------------------------------------------


def test_a_stalled_pair_is_nudged_once_then_flagged_once_then_recovers(sessions) -> None:
    program = running_program(sessions)
    pairing_id, _ = make_pair(sessions, program, channel="GPAIR")
    with sessions() as session:
        session.add(Organizer(team_id=TEAM, user_id="USECOND"))
        session.commit()

    assert run_rule(sessions, NOON) == 1
    [flag] = all_flags(sessions)
    assert (flag.reason, flag.status, flag.severity) == (
        FlagReason.NO_MEETING,
        FlagStatus.NUDGED,
        FlagSeverity.AT_RISK,
    )
    assert flag.started_at == START - timedelta(days=15)
    assert keys(sessions) == [f"nudge:{flag.id}"]  # in the pair's conversation
    assert run_rule(sessions, NOON) == 0
    assert run_rule(sessions, NOON + timedelta(days=6)) == 0  # the nudge gets a full period

    assert run_rule(sessions, NOON + timedelta(weeks=1)) == 1
    [flag] = all_flags(sessions)
    assert (flag.status, flag.severity) == (FlagStatus.OPEN, FlagSeverity.STALLED)
    assert flag.raised_at == NOON + timedelta(weeks=1)
    assert keys(sessions) == sorted(
        [f"nudge:{flag.id}", f"flag:{flag.id}:UORGANIZER", f"flag:{flag.id}:USECOND"]
    )
    assert run_rule(sessions, NOON + timedelta(weeks=2)) == 0
    assert len(all_flags(sessions)) == 1

    add_meeting(sessions, pairing_id, MeetingStatus.HELD, NOON + timedelta(weeks=2, hours=1))
    assert run_rule(sessions, NOON + timedelta(weeks=2, hours=3)) == 1
    [flag] = all_flags(sessions)
    assert flag.status is FlagStatus.RESOLVED
    assert flag.closed_at == NOON + timedelta(weeks=2, hours=3)
    with sessions() as session:  # the organizer DMs not sent yet now say so
        texts = session.scalars(sa.select(Delivery.text).where(Delivery.key.like("flag:%")))
        assert all("resolved" in text for text in texts)

    # A new episode may start once the last one closed.
    assert run_rule(sessions, NOON + timedelta(weeks=4, hours=2)) == 1
    assert [f.status for f in all_flags(sessions)] == [FlagStatus.RESOLVED, FlagStatus.NUDGED]


def test_the_nudge_waits_for_a_slow_cadence_and_a_working_hour(sessions) -> None:
    program = running_program(sessions, checkin_cadence_weeks=2)
    make_pair(sessions, program, timezone="America/New_York")

    run_rule(sessions, START)  # 08:00 UTC is 03:00 in New York
    with sessions() as session:
        due = sorted(session.scalars(sa.select(Delivery.not_before)))
    assert due == [START.replace(hour=14, minute=30)] * 2  # a DM to each, at 09:30 there
    run_rule(sessions, START + timedelta(weeks=1))
    assert all_flags(sessions)[0].status is FlagStatus.NUDGED
    run_rule(sessions, START + timedelta(weeks=2))
    assert all_flags(sessions)[0].status is FlagStatus.OPEN


def test_a_recovery_before_the_nudge_is_sent_cancels_it(sessions) -> None:
    program = running_program(sessions)
    pairing_id, _ = make_pair(sessions, program)
    run_rule(sessions, START)  # the nudge waits for 09:30
    add_meeting(sessions, pairing_id, MeetingStatus.HELD, START + timedelta(minutes=10))
    run_rule(sessions, START + timedelta(minutes=30))
    assert all_flags(sessions)[0].status is FlagStatus.RESOLVED
    assert keys(sessions) == []


def test_unanswered_checkins_and_low_mood_are_episodes_of_their_own(sessions) -> None:
    program = running_program(sessions)
    pairing_id, (ana, ben) = make_pair(sessions, program)
    add_meeting(sessions, pairing_id, MeetingStatus.HELD, NOON - timedelta(days=3))
    for weeks in (1, 2):
        period = START.date() - timedelta(weeks=weeks)
        add_checkin(sessions, ana, pairing_id, period, answered=False)
        add_checkin(sessions, ben, pairing_id, period, answered=False)

    run_rule(sessions, NOON)
    assert all_flags(sessions) == []  # last week's reminder is still on its way
    run_rule(sessions, NOON + timedelta(days=4))
    [flag] = all_flags(sessions)
    assert flag.reason is FlagReason.UNANSWERED_CHECKINS

    add_checkin(sessions, ana, pairing_id, START.date(), mood=2)
    run_rule(sessions, NOON + timedelta(days=4, hours=1))
    assert all_flags(sessions)[0].status is FlagStatus.RESOLVED
    add_checkin(sessions, ana, pairing_id, START.date() + timedelta(weeks=1), mood=1)
    run_rule(sessions, NOON + timedelta(weeks=1))
    low = all_flags(sessions)[-1]
    assert low.reason is FlagReason.LOW_MOOD
    assert "<@UANA> rated their mood 2, 1" in low.detail


def test_a_member_who_left_is_flagged_to_organizers_without_a_nudge(sessions) -> None:
    program = running_program(sessions)
    _, (_, ben) = make_pair(sessions, program, introduced=START - timedelta(days=3))
    with sessions() as session:
        session.execute(
            sa.update(Participant)
            .where(Participant.id == ben)
            .values(status=ParticipantStatus.LEFT, left_at=START - timedelta(days=1))
        )
        session.commit()
    run_rule(sessions, NOON)
    [flag] = all_flags(sessions)
    assert (flag.reason, flag.status) == (FlagReason.MEMBER_LEFT, FlagStatus.OPEN)
    assert keys(sessions) == [f"flag:{flag.id}:UORGANIZER"]


# -- what organizers do ------------------------------------------------------------------------


def test_an_action_is_recorded_once_and_only_in_its_workspace(sessions) -> None:
    program = running_program(sessions)
    pairing_id, _ = make_pair(sessions, program)
    run_rule(sessions, NOON)
    flag_id = all_flags(sessions)[0].id
    with sessions() as session:
        with pytest.raises(flags.FlagError, match="no longer exists"):
            flags.act(session, "T0OTHER", flag_id, flags.Action.PAUSE, "UORGANIZER", NOON)
        flag = flags.act(session, TEAM, flag_id, flags.Action.PAUSE, "UORGANIZER", NOON)
        flags.pause(session, flag)
        session.commit()
    with sessions() as session:
        with pytest.raises(flags.AlreadyHandled) as handled:
            flags.act(session, TEAM, flag_id, flags.Action.DISMISS, "USECOND", NOON, "fine")
        assert handled.value.handled.action_by == "UORGANIZER"
        flag = session.get(Flag, flag_id)
        assert (flag.status, flag.action, flag.action_note) == (
            FlagStatus.ACTED,
            "paused",
            "",
        )
        assert session.get(Pairing, pairing_id).status is PairingStatus.PAUSED
    assert run_rule(sessions, NOON + timedelta(weeks=3)) == 0  # paused pairs are left alone


# -- undelivered messages ----------------------------------------------------------------------


def test_a_message_that_failed_for_good_is_flagged_once(sessions) -> None:
    program = running_program(sessions)
    with sessions() as session:
        for key, channel in (("welcome:1", "UGONE"), ("flag:99:UORGANIZER", "UORGANIZER")):
            store.enqueue(
                session,
                team_id=TEAM,
                key=key,
                message=store.Message(channel, "hello"),
                not_before=START,
                program_id=program.id,
            )
        session.execute(
            sa.update(Delivery).values(status=DeliveryStatus.FAILED, last_error="account_inactive")
        )
        session.commit()

    assert run_rule(sessions, NOON) == 1
    [flag] = all_flags(sessions)
    assert (flag.reason, flag.status) == (FlagReason.DELIVERY_FAILED, FlagStatus.OPEN)
    assert "UGONE" in flag.detail and "account_inactive" in flag.detail
    assert f"undelivered:{flag.id}:UORGANIZER" in keys(sessions)
    assert run_rule(sessions, NOON + timedelta(minutes=1)) == 0
    assert len(all_flags(sessions)) == 1


# -- it scales ---------------------------------------------------------------------------------


def grow_pool(sessions: sessionmaker[Session], program: Program, start: int, count: int) -> None:
    """A mix: healthy pairs, stalled ones, unanswered and gloomy check-ins, declined meetings."""
    period = START.date() - timedelta(weeks=1)
    for i in range(start, start + count):
        pairing_id, (a, b) = make_pair(sessions, program, (f"UA{i:04d}", f"UB{i:04d}"))
        kind = i % 4
        if kind == 0:
            add_meeting(sessions, pairing_id, MeetingStatus.HELD, NOON - timedelta(days=2))
        elif kind == 1:
            add_checkin(sessions, a, pairing_id, period, mood=1)
            add_checkin(sessions, a, pairing_id, period - timedelta(weeks=1), mood=2)
        elif kind == 2:
            add_meeting(sessions, pairing_id, MeetingStatus.DECLINED, NOON - timedelta(days=2))
            add_meeting(sessions, pairing_id, MeetingStatus.MISSED, NOON - timedelta(days=5))
        add_checkin(sessions, b, pairing_id, period, answered=kind != 3)


def statements_for_a_pass(engine: Engine, sessions: sessionmaker[Session], now: datetime) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        run_rule(sessions, now)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_rule_runs_a_fixed_number_of_statements_whatever_the_pool(engine, sessions) -> None:
    program = running_program(sessions)
    grow_pool(sessions, program, 0, 5)
    run_rule(sessions, NOON)  # opens the first episodes
    small = statements_for_a_pass(engine, sessions, NOON + timedelta(minutes=1))

    grow_pool(sessions, program, 5, 45)
    run_rule(sessions, NOON + timedelta(minutes=2))
    large = statements_for_a_pass(engine, sessions, NOON + timedelta(minutes=3))

    assert len(all_flags(sessions)) > 30  # the large pool really has episodes going on
    assert small == large
    assert large <= 12


def test_flags_of_a_pairing_that_ended_close_by_themselves(sessions) -> None:
    from datetime import UTC, datetime

    from bot import flags
    from bot.models import Flag, FlagReason, FlagStatus, Pairing, PairingStatus
    from tests.conftest import TEAM
    from tests.factories import make_program

    program = make_program(sessions, "Ended Pilot")
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with sessions() as session:
        pairings = {
            status: Pairing(team_id=TEAM, program_id=program.id, status=status)
            for status in (PairingStatus.ENDED, PairingStatus.REPAIRED, PairingStatus.ACTIVE)
        }
        session.add_all(pairings.values())
        session.flush()
        for pairing in pairings.values():
            session.add(
                Flag(
                    team_id=TEAM,
                    program_id=program.id,
                    pairing_id=pairing.id,
                    reason=FlagReason.NO_MEETING,
                    status=FlagStatus.OPEN,
                    started_at=now,
                )
            )
        session.flush()
        assert flags.close_for_ended_pairings(session, now) == 2
        session.commit()
        still_open = session.scalars(
            sa.select(Flag.pairing_id).where(Flag.status == FlagStatus.OPEN)
        ).all()
    assert still_open == [pairings[PairingStatus.ACTIVE].id]
