"""Talk requests in the domain: who may ask, what is checked, and taking a request once, even
when organizers click at the same moment."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import talk
from bot.models import (
    Checkin,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramStatus,
    TalkRequest,
    TalkTopic,
)
from tests.conftest import START, TEAM
from tests.factories import make_program


@pytest.fixture
def pilot(sessions: sessionmaker[Session]) -> int:
    program = make_program(sessions, "Digital Pilot")
    with sessions() as session:
        for user, role, status in (
            ("UANA", ParticipantRole.MENTOR, ParticipantStatus.ACTIVE),
            ("UGONE", ParticipantRole.MENTEE, ParticipantStatus.LEFT),
        ):
            session.add(
                Participant(
                    team_id=TEAM, program_id=program.id, user_id=user, role=role, status=status
                )
            )
        session.commit()
    return program.id


def ask(session: Session, program_id: int, user: str = "UANA", **fields) -> TalkRequest:
    values = {"topic": "career_goals", "text": "Where next after this role?", **fields}
    return talk.create_request(
        session, team_id=TEAM, user_id=user, program_id=program_id, now=START, **values
    )


def test_a_request_is_stored_open(sessions: sessionmaker[Session], pilot: int) -> None:
    with sessions() as session:
        request = ask(session, pilot, text="  Where next?  ")
        session.commit()
        assert (request.topic, request.text, request.taken_by) == (
            TalkTopic.CAREER_GOALS,
            "Where next?",
            None,
        )
        assert [r.id for r in talk.open_requests(session, TEAM)] == [request.id]
        assert talk.open_requests(session, "T0OTHER") == []


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"topic": None}, {"topic"}),
        ({"topic": "gossip"}, {"topic"}),
        ({"topic": {"value": "career_goals"}}, {"topic"}),  # a forged payload
        ({"topic": "something_else", "text": "   "}, {"text"}),
        ({"text": "x" * (talk.TEXT_LENGTH + 1)}, {"text"}),
        ({"topic": None, "text": "x" * (talk.TEXT_LENGTH + 1)}, {"topic", "text"}),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_stored(
    sessions: sessionmaker[Session], pilot: int, fields: dict, errors: set[str]
) -> None:
    with sessions() as session:
        with pytest.raises(talk.TalkInvalid) as refused:
            ask(session, pilot, **fields)
        assert set(refused.value.errors) == errors
        assert talk.open_requests(session, TEAM) == []


def test_the_text_is_optional_for_career_goals_and_pairing(
    sessions: sessionmaker[Session], pilot: int
) -> None:
    with sessions() as session:
        assert ask(session, pilot, topic="my_pairing", text="").text == ""


def test_only_active_participants_of_a_running_program_may_ask(
    sessions: sessionmaker[Session], pilot: int
) -> None:
    with sessions() as session:
        for user in ("UGONE", "UNOBODY"):
            with pytest.raises(talk.TalkError, match="not taking part"):
                ask(session, pilot, user=user)
        with pytest.raises(talk.TalkError):
            talk.asker(session, "T0OTHER", "UANA", pilot)  # another workspace
        session.get(Program, pilot).status = ProgramStatus.ENDED  # type: ignore[union-attr]
        with pytest.raises(talk.TalkError):
            ask(session, pilot)
        assert talk.open_requests(session, TEAM) == []


def test_a_checkin_leads_to_its_program_for_its_owner_only(
    sessions: sessionmaker[Session], pilot: int
) -> None:
    with sessions() as session:
        ana = session.query(Participant).filter_by(user_id="UANA").one()
        checkin = Checkin(team_id=TEAM, participant_id=ana.id, period_start=date(2026, 11, 30))
        session.add(checkin)
        session.flush()
        asker = talk.asker_for_checkin(session, TEAM, "UANA", checkin.id)
        assert (asker.program_id, asker.program_name, asker.role) == (
            pilot,
            "Digital Pilot",
            ParticipantRole.MENTOR,
        )
        with pytest.raises(talk.TalkError, match="someone else's"):
            talk.asker_for_checkin(session, TEAM, "UBEN", checkin.id)


def test_the_first_organizer_takes_it_and_a_second_is_told_who(
    sessions: sessionmaker[Session], pilot: int
) -> None:
    with sessions() as session:
        request_id = ask(session, pilot).id
        session.commit()
    later = START + timedelta(minutes=5)
    with sessions() as session:
        first = talk.take(session, team_id=TEAM, request_id=request_id, organizer="UOLI", now=START)
        session.commit()
    with sessions() as session:
        second = talk.take(
            session, team_id=TEAM, request_id=request_id, organizer="UOTTO", now=later
        )
        session.commit()
        assert talk.open_requests(session, TEAM) == []
    assert first.won and not second.won
    assert (second.request.taken_by, second.request.taken_at) == ("UOLI", START)
    assert second.program_name == "Digital Pilot"


def test_a_request_of_another_workspace_cannot_be_taken(
    sessions: sessionmaker[Session], pilot: int
) -> None:
    with sessions() as session:
        request_id = ask(session, pilot).id
        session.commit()
    with sessions() as session:
        with pytest.raises(talk.TalkError, match="no longer exists"):
            talk.take(session, team_id="T0OTHER", request_id=request_id, organizer="U", now=START)
        assert talk.get(session, TEAM, request_id).taken_by is None  # type: ignore[union-attr]


def test_organizers_clicking_at_once_take_it_exactly_once(
    sessions: sessionmaker[Session], pilot: int
) -> None:
    with sessions() as session:
        request_id = ask(session, pilot).id
        session.commit()
    organizers = [f"UORG{n}" for n in range(6)]
    start = threading.Barrier(len(organizers))
    won: list[str] = []
    failures: list[BaseException] = []

    def click(organizer: str) -> None:
        try:
            with sessions() as session:
                start.wait(timeout=10)
                taken = talk.take(
                    session, team_id=TEAM, request_id=request_id, organizer=organizer, now=START
                )
                session.commit()
            if taken.won:
                won.append(organizer)
        except BaseException as error:  # reported below, on the test's thread
            failures.append(error)

    threads = [threading.Thread(target=click, args=(o,)) for o in organizers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert len(won) == 1
    with sessions() as session:
        assert talk.get(session, TEAM, request_id).taken_by == won[0]  # type: ignore[union-attr]
