"""The meeting state machine and its rules, without Slack."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import meetings
from bot.meetings import MeetingError, Proposal
from bot.models import (
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
)
from tests.conftest import START, TEAM
from tests.factories import make_program

NOW = START
TOMORROW = NOW + timedelta(days=1)


@pytest.fixture
def pair(sessions):
    program = make_program(sessions, "Digital Pilot")
    with sessions() as session:
        people = [
            Participant(team_id=TEAM, program_id=program.id, user_id=u, role=r, consent=True)
            for u, r in (("UANA", ParticipantRole.MENTOR), ("UBEN", ParticipantRole.MENTEE))
        ]
        session.add_all(people)
        session.flush()
        pairing = Pairing(team_id=TEAM, program_id=program.id, status=PairingStatus.ACTIVE)
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
        session.add(pairing)
        session.commit()
        return pairing.id


def test_propose_accept_meet_and_count_minutes_once(sessions, pair) -> None:
    with sessions() as session:
        pairing = session.get(Pairing, pair)
        meeting = meetings.propose(session, pairing, "UANA", Proposal(TOMORROW, 60, "walk"), NOW)
        assert meeting.status is MeetingStatus.PROPOSED
        with pytest.raises(MeetingError, match="you proposed it"):
            meetings.answer_proposal(session, meeting, "UANA", True, NOW)
        meetings.answer_proposal(session, meeting, "UBEN", True, NOW)
        assert meeting.status is MeetingStatus.CONFIRMED
        with pytest.raises(MeetingError, match="already confirmed"):
            meetings.answer_proposal(session, meeting, "UBEN", False, NOW)

        later = TOMORROW + timedelta(hours=2)
        first = meetings.did_we_meet(session, meeting, "UBEN", "yes", later, minutes=50)
        second = meetings.did_we_meet(session, meeting, "UANA", "yes", later, minutes=70)
        assert (first.first, second.first) == (True, False)
        assert meeting.status is MeetingStatus.HELD
        assert meeting.held_confirmed_by == ["UBEN", "UANA"]
        assert meetings.minutes_held(session, pair) == 50  # counted once, as first told


def test_the_rules_for_a_proposal(sessions, pair) -> None:
    with sessions() as session:
        pairing = session.get(Pairing, pair)
        cases = [
            (Proposal(NOW - timedelta(minutes=1), 60), "time", "has passed"),
            (Proposal(TOMORROW, 0), "duration", "30, 45, 60 or 90"),
            (Proposal(TOMORROW, -30), "duration", "30, 45, 60 or 90"),
            (Proposal(TOMORROW, 60, "golf"), "format", "coffee, lunch"),
            (Proposal(TOMORROW, 60, location="x" * 501), "location", "500 characters"),
        ]
        for proposal, field, words in cases:
            with pytest.raises(MeetingError, match=words) as raised:
                meetings.propose(session, pairing, "UANA", proposal, NOW)
            assert raised.value.field == field
        with pytest.raises(MeetingError, match="Only the people in this pairing"):
            meetings.propose(session, pairing, "UEVE", Proposal(TOMORROW, 60), NOW)

        booked = meetings.propose(session, pairing, "UANA", Proposal(TOMORROW, 60), NOW)
        meetings.answer_proposal(session, booked, "UBEN", True, NOW)
        with pytest.raises(MeetingError, match="already have a meeting booked"):
            meetings.propose(
                session, pairing, "UBEN", Proposal(TOMORROW + timedelta(minutes=30), 30), NOW
            )
        meetings.propose(session, pairing, "UBEN", Proposal(TOMORROW + timedelta(hours=1), 30), NOW)

        pairing.status = PairingStatus.ENDED
        with pytest.raises(MeetingError, match="pairing has ended"):
            meetings.propose(
                session, pairing, "UANA", Proposal(TOMORROW + timedelta(days=2), 60), NOW
            )


def test_counter_decline_cancel_and_moved(sessions, pair) -> None:
    with sessions() as session:
        pairing = session.get(Pairing, pair)
        first = meetings.propose(session, pairing, "UANA", Proposal(TOMORROW, 60), NOW)
        counter = meetings.propose(
            session,
            pairing,
            "UBEN",
            Proposal(TOMORROW + timedelta(hours=3), 45),
            NOW,
            replaces=first,
        )
        assert first.status is MeetingStatus.COUNTERED and counter.replaces_id == first.id
        with pytest.raises(MeetingError, match="Another time was suggested"):
            meetings.answer_proposal(session, first, "UBEN", True, NOW)
        meetings.answer_proposal(session, counter, "UANA", False, NOW)
        assert counter.status is MeetingStatus.DECLINED

        booked = meetings.propose(session, pairing, "UANA", Proposal(TOMORROW, 30), NOW)
        meetings.answer_proposal(session, booked, "UBEN", True, NOW)
        meetings.cancel(session, booked, "UBEN", NOW)
        assert booked.status is MeetingStatus.CANCELLED
        with pytest.raises(MeetingError, match="was cancelled"):
            meetings.cancel(session, booked, "UANA", NOW)

        moved = meetings.propose(session, pairing, "UANA", Proposal(TOMORROW, 30), NOW)
        meetings.answer_proposal(session, moved, "UBEN", True, NOW)
        assert meetings.did_we_meet(session, moved, "UANA", "moved", TOMORROW).first
        assert moved.status is MeetingStatus.CANCELLED
        assert meetings.minutes_held(session, pair) == 0


def test_a_missed_meeting_can_still_be_logged_by_the_partner(sessions, pair) -> None:
    with sessions() as session:
        pairing = session.get(Pairing, pair)
        meeting = meetings.propose(session, pairing, "UANA", Proposal(TOMORROW, 30), NOW)
        meetings.answer_proposal(session, meeting, "UBEN", True, NOW)
        meetings.did_we_meet(session, meeting, "UANA", "no", TOMORROW + timedelta(hours=1))
        assert meeting.status is MeetingStatus.MISSED
        with pytest.raises(MeetingError, match="how long"):
            meetings.did_we_meet(session, meeting, "UBEN", "yes", TOMORROW, minutes=0)
        meetings.did_we_meet(session, meeting, "UBEN", "yes", TOMORROW, minutes=30)
        assert meeting.status is MeetingStatus.HELD


def test_a_corridor_meeting_is_logged_and_counts(sessions, pair) -> None:
    with sessions() as session:
        pairing = session.get(Pairing, pair)
        logged = meetings.log_meeting(
            session, pairing, "UBEN", 25, "chat by the coffee machine", NOW
        )
        assert logged.status is MeetingStatus.HELD and logged.logged_without_booking
        assert meetings.minutes_held(session, pair) == 25
        for minutes in (0, 481):
            with pytest.raises(MeetingError, match="between 1 and 480"):
                meetings.log_meeting(session, pairing, "UBEN", minutes, "", NOW)
        with pytest.raises(MeetingError, match="Only the people"):
            meetings.log_meeting(session, pairing, "UEVE", 30, "", NOW)


def test_reminders_come_the_morning_of_or_an_hour_before_an_early_meeting() -> None:
    from datetime import UTC, datetime

    zones = ["Europe/Berlin", "America/New_York"]
    afternoon_berlin = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 16:00 Berlin, 10:00 New York
    assert meetings.reminder_at(afternoon_berlin, zones) == datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    early_new_york = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)  # 09:00 in New York
    assert meetings.reminder_at(early_new_york, zones) == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    assert meetings.reminder_at(afternoon_berlin, ["Not/AZone"]) == datetime(
        2026, 12, 2, 8, 0, tzinfo=UTC
    )
