"""The kickoff in the domain: checking what organizers enter, replies (one per person, changed
by a second click), who is invited and reminded when, and which pairs hear about it later."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot import kickoff
from bot.kickoff import KickoffError, KickoffInput, KickoffInvalid
from bot.models import (
    Delivery,
    KickoffAnswer,
    KickoffReply,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramStatus,
)
from bot.slack.planners import kickoff as planner
from tests.conftest import START, TEAM
from tests.factories import make_program

KICKOFF = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)  # Thursday 15:00 in Berlin


def enrol(
    session: Session, program_id: int, user: str, tz: str = "Europe/Berlin", **extra
) -> Participant:
    person = Participant(
        team_id=TEAM,
        program_id=program_id,
        user_id=user,
        role=extra.pop("role", ParticipantRole.MENTOR),
        timezone=tz,
        consent=True,
        **extra,
    )
    session.add(person)
    session.flush()
    return person


@pytest.fixture
def program(sessions: sessionmaker[Session]) -> int:
    """Digital Pilot with Ana (Berlin) and Ben (New York) enrolled, and a kickoff planned."""
    made = make_program(sessions, "Digital Pilot")
    with sessions() as session:
        stored = session.get(Program, made.id)
        enrol(session, made.id, "UANA")
        enrol(session, made.id, "UBEN", "America/New_York", role=ParticipantRole.MENTEE)
        valid = kickoff.validate(
            KickoffInput(date(2026, 12, 10), "15:00", "Europe/Berlin", "Room 4 / https://meet"),
            now=START,
        )
        kickoff.apply(session, stored, valid)
        session.commit()
        return made.id


def entered(day: date | None, at: str | None, **fields) -> KickoffInput:
    return KickoffInput(day, at, fields.pop("tz", "Europe/Berlin"), **fields)


# -- what the organizer enters -------------------------------------------------------------------


def test_a_local_day_and_time_is_stored_in_utc() -> None:
    valid = kickoff.validate(entered(date(2026, 12, 10), "15:00", place="Room 4"), now=START)
    assert valid.starts_at == KICKOFF
    ny = kickoff.validate(
        entered(date(2026, 12, 10), "09:00", place="Zoom", tz="America/New_York"), now=START
    )
    assert ny.starts_at == datetime(2026, 12, 10, 14, 0, tzinfo=UTC)


def test_no_day_and_no_time_means_no_kickoff() -> None:
    valid = kickoff.validate(entered(None, None, followup="  "), now=START)
    assert valid.starts_at is None and valid.followup == ""


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"day": date(2026, 11, 29), "at": "15:00"}, kickoff.DATE, "in the past"),
        ({"day": date(2026, 11, 30), "at": "08:30"}, kickoff.DATE, "in the past"),  # 07:30 UTC
        ({"day": date(2026, 12, 10), "at": None}, kickoff.TIME, "time too"),
        ({"day": None, "at": "15:00"}, kickoff.DATE, "day too"),
        ({"day": date(2026, 12, 10), "at": "late"}, kickoff.TIME, "Pick a time"),
    ],
)
def test_bad_times_are_refused_on_their_field(fields, field, words) -> None:
    with pytest.raises(KickoffInvalid) as refused:
        kickoff.validate(entered(fields["day"], fields["at"], place="Room 4"), now=START)
    assert words in refused.value.errors[field]


def test_a_kickoff_needs_a_place_and_texts_have_limits() -> None:
    with pytest.raises(KickoffInvalid) as refused:
        kickoff.validate(
            entered(date(2026, 12, 10), "15:00", agenda="x" * 2001, followup="y" * 1001),
            now=START,
        )
    assert set(refused.value.errors) == {kickoff.PLACE, kickoff.AGENDA, kickoff.FOLLOWUP}


def test_the_stored_kickoff_may_be_in_the_past_when_a_program_is_edited(sessions, program):
    later = KICKOFF + timedelta(days=1)
    with sessions() as session:
        stored = session.get(Program, program)
        again = kickoff.validate(
            entered(date(2026, 12, 10), "15:00", place="Room 4", followup="https://rec"),
            now=later,
            current=stored,
        )
        assert again.starts_at == KICKOFF and again.followup == "https://rec"
        with pytest.raises(KickoffInvalid):  # but not moved to another past time
            kickoff.validate(
                entered(date(2026, 12, 10), "16:00", place="Room 4"), now=later, current=stored
            )


# -- replies -------------------------------------------------------------------------------------


def reply(session, program_id, user, answer, *, stamp=None, now=START):
    stored = session.get(Program, program_id)
    return kickoff.record_reply(
        session, stored, user, answer, stamp=stamp or kickoff.epoch(KICKOFF), now=now
    )


def test_one_reply_per_person_that_a_second_click_changes(sessions, program) -> None:
    with sessions() as session:
        first = reply(session, program, "UANA", KickoffAnswer.GOING)
        same = reply(session, program, "UANA", KickoffAnswer.GOING)
        changed = reply(session, program, "UANA", KickoffAnswer.NOT_GOING, now=START + timedelta(1))
        session.commit()
    assert (first.previous, first.changed) == (None, True)
    assert not same.changed
    assert (changed.previous, changed.answer) == (KickoffAnswer.GOING, KickoffAnswer.NOT_GOING)
    with sessions() as session:
        [row] = session.scalars(sa.select(KickoffReply)).all()
        assert row.answer is KickoffAnswer.NOT_GOING
        assert row.answered_at == START + timedelta(1)


def test_replies_are_refused_kindly(sessions, program) -> None:
    with sessions() as session:
        enrol(session, program, "ULEFT", status=ParticipantStatus.LEFT)
        cases = [
            ({"user": "UEVE"}, "Only people enrolled"),
            ({"user": "ULEFT"}, "Only people enrolled"),
            ({"stamp": kickoff.epoch(KICKOFF) - 3600}, "has moved"),
            ({"now": KICKOFF}, "already started"),
        ]
        for case, words in cases:
            with pytest.raises(KickoffError, match=words):
                reply(
                    session,
                    program,
                    case.get("user", "UANA"),
                    KickoffAnswer.GOING,
                    stamp=case.get("stamp"),
                    now=case.get("now", START),
                )
        assert session.scalars(sa.select(KickoffReply)).all() == []


def test_the_replies_count_only_people_still_enrolled(sessions, program) -> None:
    with sessions() as session:
        cy = enrol(session, program, "UCY")
        reply(session, program, "UANA", KickoffAnswer.GOING)
        reply(session, program, "UCY", KickoffAnswer.NOT_GOING)
        cy.status = ParticipantStatus.LEFT
        enrol(session, program, "UDAN")
        found = kickoff.replies(session, session.get(Program, program))
    assert found is not None
    assert (found.going, found.not_going, found.waiting) == (["UANA"], [], ["UBEN", "UDAN"])


def test_moving_the_kickoff_clears_the_replies_and_keeping_it_does_not(sessions, program) -> None:
    with sessions() as session:
        stored = session.get(Program, program)
        reply(session, program, "UANA", KickoffAnswer.GOING)
        same = kickoff.validate(
            entered(date(2026, 12, 10), "15:00", place="Room 5"), now=START, current=stored
        )
        assert not kickoff.apply(session, stored, same)
        assert kickoff.replies(session, stored).going == ["UANA"]
        moved = kickoff.validate(
            entered(date(2026, 12, 11), "15:00", place="Room 5"), now=START, current=stored
        )
        assert kickoff.apply(session, stored, moved)
        assert kickoff.replies(session, stored).going == []


# -- who is invited and reminded, and when -------------------------------------------------------


def test_the_reminder_is_at_ten_on_the_day_before_in_each_zone() -> None:
    assert kickoff.reminder_at(KICKOFF, "Europe/Berlin") == datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    # 09:00 in New York on the 10th: the day before is the 9th, 10:00 there is 15:00 UTC.
    assert kickoff.reminder_at(KICKOFF, "America/New_York") == datetime(
        2026, 12, 9, 15, 0, tzinfo=UTC
    )


def test_a_monday_kickoff_is_recalled_on_friday_not_on_sunday() -> None:
    monday = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    friday_ten_in_berlin = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)
    assert kickoff.reminder_at(monday, "Europe/Berlin") == friday_ten_in_berlin
    # Just past midnight into Monday in Los Angeles: recalled on their Friday too.
    assert kickoff.reminder_at(monday, "America/Los_Angeles") == datetime(
        2026, 12, 11, 18, 0, tzinfo=UTC
    )
    # A Saturday kickoff, likewise, on the Friday just before.
    saturday = datetime(2026, 12, 12, 10, 0, tzinfo=UTC)
    assert kickoff.reminder_at(saturday, "Europe/Berlin") == friday_ten_in_berlin


def keys(session: Session) -> list[str]:
    return sorted(session.scalars(sa.select(Delivery.key)))


def plan(sessions, at: datetime) -> int:
    with sessions() as session:
        count = planner.plan(session, at)
        session.commit()
        return count


def test_everyone_enrolled_is_invited_once_and_latecomers_too(sessions, program) -> None:
    stamp = kickoff.epoch(KICKOFF)
    assert plan(sessions, START) == 2
    assert plan(sessions, START + timedelta(minutes=1)) == 0
    with sessions() as session:
        enrol(session, program, "UCY")
        session.commit()
    assert plan(sessions, START + timedelta(days=2)) == 1
    with sessions() as session:
        # Each invitation, and the calendar file that follows it.
        assert keys(session) == sorted(
            f"kickoff-{kind}:{program}:{user}:{stamp}"
            for user in ("UANA", "UBEN", "UCY")
            for kind in ("invite", "ics")
        )
        rows = session.scalars(sa.select(Delivery).order_by(Delivery.id)).all()
        assert {row.channel for row in rows} == {"UANA", "UBEN", "UCY"}
        for user in ("UANA", "UBEN", "UCY"):
            invitation, calendar = [row for row in rows if row.channel == user]
            assert invitation.file is None and invitation.blocks
            assert calendar.file is not None and calendar.file["filename"].endswith(".ics")
            assert "BEGIN:VCALENDAR" in calendar.file["content"]
    with sessions() as session:  # nobody joining after the kickoff is invited to it
        enrol(session, program, "UDAN")
        session.commit()
    assert plan(sessions, KICKOFF + timedelta(minutes=1)) == 0


def reminders(session: Session) -> list[str]:
    return [key for key in keys(session) if key.startswith("kickoff-reminder")]


def test_a_reminder_the_day_before_once_and_not_to_those_who_cannot_come(sessions, program):
    plan(sessions, START)
    with sessions() as session:
        enrol(session, program, "UCY")
        reply(session, program, "UCY", KickoffAnswer.NOT_GOING)
        session.commit()
    plan(sessions, START + timedelta(minutes=1))  # Cy is invited too
    berlin = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    plan(sessions, berlin - timedelta(minutes=1))
    with sessions() as session:
        assert reminders(session) == []
    plan(sessions, berlin)
    plan(sessions, berlin + timedelta(minutes=1))
    with sessions() as session:
        assert [key.split(":")[2] for key in reminders(session)] == ["UANA"]  # Ben is in NY
    plan(sessions, datetime(2026, 12, 9, 15, 0, tzinfo=UTC))
    plan(sessions, KICKOFF - timedelta(minutes=5))
    with sessions() as session:
        assert sorted(key.split(":")[2] for key in reminders(session)) == ["UANA", "UBEN"]


def test_someone_invited_on_the_day_before_gets_no_separate_reminder(sessions, program):
    plan(sessions, START)
    day_before = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
    with sessions() as session:
        enrol(session, program, "UCY")
        session.commit()
    plan(sessions, day_before)
    plan(sessions, day_before + timedelta(hours=1))
    with sessions() as session:
        assert f"kickoff-invite:{program}:UCY:{kickoff.epoch(KICKOFF)}" in keys(session)
        assert [key.split(":")[2] for key in reminders(session)] == ["UANA"]


def test_a_moved_kickoff_invites_everyone_again(sessions, program) -> None:
    plan(sessions, START)
    with sessions() as session:
        stored = session.get(Program, program)
        moved = kickoff.validate(
            entered(date(2026, 12, 11), "10:00", place="Room 4"), now=START, current=stored
        )
        kickoff.apply(session, stored, moved)
        session.commit()
    assert plan(sessions, START + timedelta(minutes=1)) == 2


def test_nothing_is_planned_for_an_ended_program(sessions, program) -> None:
    with sessions() as session:
        session.get(Program, program).status = ProgramStatus.ENDED
        session.commit()
    assert plan(sessions, START) == 0


# -- pairs introduced after the kickoff ----------------------------------------------------------


def pair(session, program_id, users, introduced_at, channel="G0LATE") -> Pairing:
    people = session.scalars(
        sa.select(Participant).where(
            Participant.program_id == program_id, Participant.user_id.in_(users)
        )
    ).all()
    pairing = Pairing(
        team_id=TEAM,
        program_id=program_id,
        status=PairingStatus.ACTIVE,
        introduced_at=introduced_at,
        channel_id=channel,
    )
    pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
    session.add(pairing)
    session.flush()
    return pairing


def followups(session: Session) -> list[Delivery]:
    return list(
        session.scalars(
            sa.select(Delivery)
            .where(Delivery.key.startswith("kickoff-followup"))
            .order_by(Delivery.id)
        )
    )


def test_pairs_introduced_later_hear_about_the_kickoff_and_then_its_notes(sessions, program):
    after = KICKOFF + timedelta(days=3)
    with sessions() as session:
        pair(session, program, ["UANA"], KICKOFF - timedelta(days=1), channel="G0EARLY")
        late = pair(session, program, ["UBEN"], after)
        session.commit()
    plan(sessions, after)
    plan(sessions, after + timedelta(minutes=1))
    with sessions() as session:
        [told] = followups(session)
        assert told.key == f"kickoff-followup:{program}:{late.id}:told"
        assert told.channel == "G0LATE" and "held its kickoff" in str(told.blocks)
        session.get(Program, program).kickoff_followup = "https://video/rec"
        session.commit()
    plan(sessions, after + timedelta(hours=1))
    plan(sessions, after + timedelta(hours=2))
    with sessions() as session:
        [_, notes] = followups(session)
        assert notes.key.endswith(":notes")
        assert "https://video/rec" in str(notes.blocks)


def test_a_pair_introduced_after_the_notes_were_added_gets_one_message(sessions, program):
    after = KICKOFF + timedelta(days=3)
    with sessions() as session:
        session.get(Program, program).kickoff_followup = "Notes: https://wiki/kickoff"
        pair(session, program, ["UBEN"], after, channel=None)
        session.commit()
    plan(sessions, after)
    with sessions() as session:
        assert followups(session) == []  # not before the introduction opened their chat
        session.scalar(sa.select(Pairing)).channel_id = "G0LATE"
        session.commit()
    plan(sessions, after + timedelta(minutes=1))
    plan(sessions, after + timedelta(minutes=2))
    with sessions() as session:
        [notes] = followups(session)
        assert notes.key.endswith(":notes") and "https://wiki/kickoff" in str(notes.blocks)
