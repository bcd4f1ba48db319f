"""The executive sponsor in the domain: who may be named, the credited message, exactly when
the monthly summary is due, what it holds, and that an executive can still join as a mentee."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot import enrolment, sponsor, wins
from bot.enrolment import JoinAnswers
from bot.models import (
    CareerStage,
    Delivery,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    Program,
    ProgramStatus,
)
from bot.slack.planners import sponsor as planner
from bot.sponsor import SlackUser, SponsorInvalid
from tests.conftest import START, TEAM
from tests.factories import make_program

BERLIN = "Europe/Berlin"


def person(**facts) -> SlackUser:
    return SlackUser(facts.pop("user_id", "UCEO"), facts.pop("found", True), **facts)


# -- who may be named ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "message", "field", "words"),
    [
        (person(found=False), "", sponsor.SPONSOR, "can't find that person"),
        (person(user_id="not-an-id"), "", sponsor.SPONSOR, "can't find that person"),
        (person(deleted=True), "", sponsor.SPONSOR, "deactivated"),
        (person(is_bot=True), "", sponsor.SPONSOR, "bot"),
        (None, "Proud of this!", sponsor.SPONSOR, "Pick the sponsor"),
        (person(), "x" * 1001, sponsor.MESSAGE, "1,000 characters"),
    ],
)
def test_a_sponsor_must_be_an_active_person(who, message, field, words) -> None:
    with pytest.raises(SponsorInvalid) as refused:
        sponsor.validate(who, message)
    assert words in refused.value.errors[field]


def test_a_valid_sponsor_is_stored_with_their_zone_and_credited(sessions) -> None:
    made = make_program(sessions)
    with sessions() as session:
        program = session.get(Program, made.id)
        valid = sponsor.validate(person(timezone=BERLIN), "  We <3 this. <!channel>  ")
        sponsor.apply(program, valid)
        session.commit()
    with sessions() as session:
        program = session.get(Program, made.id)
        assert program.sponsor_user_id == "UCEO"
        assert sponsor.timezone_of(program) == BERLIN
        assert sponsor.quote(program) == ("UCEO", "We <3 this. <!channel>")  # escaped when shown
        sponsor.apply(program, sponsor.validate(None, ""))  # cleared
        assert (program.sponsor_user_id, sponsor.quote(program)) == (None, None)
        assert sponsor.timezone_of(program) == "UTC"


def test_an_executive_sponsor_can_also_join_as_a_mentee(sessions) -> None:
    made = make_program(sessions)
    with sessions() as session:
        program = session.get(Program, made.id)
        sponsor.apply(program, sponsor.validate(person(), "Learning from you all."))
        joined = enrolment.join(
            session,
            program,
            "UCEO",
            JoinAnswers(
                role="mentee",
                skills_offered=["Strategy"],
                skills_wanted=["AI tools"],
                career_stage="executive",
                consent=True,
            ),
            team_id=TEAM,
            display_name="Cleo CEO",
            timezone=BERLIN,
            now=START,
        )
        session.commit()
        assert joined.role is ParticipantRole.MENTEE
        assert joined.career_stage is CareerStage.EXECUTIVE


# -- when the monthly summary is due -------------------------------------------------------------


@pytest.fixture
def running(sessions: sessionmaker[Session]) -> int:
    """A program running since 2 November with a sponsor in Berlin."""
    made = make_program(sessions, length_weeks=20)
    with sessions() as session:
        program = session.get(Program, made.id)
        program.start_date = date(2026, 11, 2)
        program.status = ProgramStatus.RUNNING
        sponsor.apply(program, sponsor.validate(person(timezone=BERLIN), "Go!"))
        session.commit()
        return made.id


def month_at(sessions, program_id: int, at: datetime) -> str | None:
    with sessions() as session:
        return sponsor.summary_month(session.get(Program, program_id), at)


def test_the_summary_is_due_from_nine_on_the_first_in_the_sponsors_zone(sessions, running):
    nine_berlin = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert month_at(sessions, running, START) is None  # 30 November: November is over
    assert month_at(sessions, running, nine_berlin - timedelta(minutes=1)) is None
    assert month_at(sessions, running, nine_berlin) == "2026-12"
    assert month_at(sessions, running, datetime(2026, 12, 31, 22, 59, tzinfo=UTC)) == "2026-12"
    # 23:00 UTC on the 31st is already January in Berlin, but before 09:00 there.
    assert month_at(sessions, running, datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) is None
    assert month_at(sessions, running, datetime(2027, 1, 1, 8, 0, tzinfo=UTC)) == "2027-01"


def test_no_summary_before_the_program_runs(sessions, running) -> None:
    first = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    with sessions() as session:
        program = session.get(Program, running)
        program.start_date = date(2026, 12, 1)  # starts this month: nothing to tell yet
        assert sponsor.summary_month(program, first) is None
        assert sponsor.summary_month(program, datetime(2027, 1, 1, 8, tzinfo=UTC)) == "2027-01"
        program.start_date = date(2026, 11, 2)
        for status in (ProgramStatus.ENROLLING, ProgramStatus.MATCHING, ProgramStatus.ENDED):
            program.status = status
            assert sponsor.summary_month(program, first) is None
        program.status = ProgramStatus.RUNNING
        program.sponsor_user_id = None
        assert sponsor.summary_month(program, first) is None


def summaries(sessions) -> list[Delivery]:
    with sessions() as session:
        return list(
            session.scalars(
                sa.select(Delivery)
                .where(Delivery.key.startswith("sponsor-summary"))
                .order_by(Delivery.id)
            )
        )


def test_the_planner_plans_each_month_once(sessions, running) -> None:
    def tick(at: datetime) -> int:
        with sessions() as session:
            planned = planner.plan(session, at)
            session.commit()
            return planned

    first = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert tick(first - timedelta(minutes=1)) == 0
    assert tick(first) == 1
    assert tick(first + timedelta(minutes=1)) == 0
    assert tick(first + timedelta(days=20)) == 0
    assert tick(datetime(2027, 1, 2, 12, 0, tzinfo=UTC)) == 1  # a bot down on the 1st catches up
    assert [row.key for row in summaries(sessions)] == [
        f"sponsor-summary:{running}:2026-12",
        f"sponsor-summary:{running}:2027-01",
    ]
    assert {row.channel for row in summaries(sessions)} == {"UCEO"}


# -- what the summary holds ----------------------------------------------------------------------


def test_the_summary_has_the_status_figures_and_the_newest_shareable_win(sessions, running):
    first = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    with sessions() as session:
        people = [
            Participant(
                team_id=TEAM,
                program_id=running,
                user_id=user,
                display_name=name,
                role=role,
                consent=True,
            )
            for user, name, role in (
                ("UANA", "Ana", ParticipantRole.MENTOR),
                ("UBEN", "Ben", ParticipantRole.MENTEE),
            )
        ]
        session.add_all(people)
        session.flush()
        pairing = Pairing(team_id=TEAM, program_id=running, status=PairingStatus.ACTIVE)
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
        session.add(pairing)
        session.flush()
        for text, sharing, at in (
            ("Ben posted his first reel", "named", START - timedelta(days=3)),
            ("Ana pitched to the board", "anonymous", START - timedelta(days=1)),
            ("Private: we argued", "organizers", START),
        ):
            wins.record(
                session,
                team_id=TEAM,
                user_id="UANA",
                program_id=running,
                pairing_id=pairing.id,
                text=text,
                sharing=sharing,
                now=at,
            )
        session.commit()
    with sessions() as session:
        summary = sponsor.summary_for(session, session.get(Program, running), first)
    assert summary is not None
    assert (summary.month, summary.week, summary.sponsor_user_id) == ("2026-12", 5, "UCEO")
    assert summary.health.on_track == 1
    assert summary.win is not None and summary.win.text == "Ana pitched to the board"
    assert summary.win.credit == "a pair in Digital Pilot"
