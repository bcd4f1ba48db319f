"""Surveys and the end of a program, without Slack."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from bot import surveys
from bot.models import (
    Delivery,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingStatus,
    Participant,
    Program,
    ProgramStatus,
    SurveyKind,
    SurveyResponse,
)
from bot.outbox import store
from bot.surveys import SurveyError, SurveyInvalid
from tests.conftest import TEAM
from tests.factories import make_program
from tests.test_checkins import BERLIN, MONDAY, NEW_YORK, pair_up, utc

START, MIDDLE, END = SurveyKind.START, SurveyKind.MIDDLE, SurveyKind.END


def test_answers_are_validated_by_field() -> None:
    assert surveys.validate(START, {"learn": " TikTok ", "teach": "Budgets"}) == (
        {"learn": "TikTok", "teach": "Budgets"},
        None,
    )
    with pytest.raises(SurveyInvalid) as invalid:
        surveys.validate(START, {"learn": "x" * 2001, "teach": ""})
    assert invalid.value.errors == {
        "learn": "Keep it to 2,000 characters (it has 2,001).",
        "teach": "Please answer this one.",
    }
    assert surveys.validate(MIDDLE, {"going": "Well"}) == ({"going": "Well", "help": ""}, None)
    answers = {"learned": "Reels", "taught": "Forecasts"}
    assert surveys.validate(END, answers, "0")[1] == 0
    assert surveys.validate(END, answers, 10)[1] == 10
    for bad in (None, "11", "-1", "ten"):
        with pytest.raises(SurveyInvalid) as invalid:
            surveys.validate(END, answers, bad)
        assert list(invalid.value.errors) == ["recommend"]


@pytest.fixture
def pair(sessions):
    program = make_program(sessions, "Digital Pilot", start_date=MONDAY, length_weeks=4)
    return pair_up(sessions, program.id, [("UANA", BERLIN), ("UBEN", NEW_YORK)])


def test_a_second_submission_updates_the_first(sessions, pair) -> None:
    _, (ana, _) = pair
    with sessions() as session:
        with pytest.raises(SurveyError, match="someone else"):
            surveys.own_participant(session, TEAM, "UBEN", ana)
        person = surveys.own_participant(session, TEAM, "UANA", ana)
        surveys.submit(session, person, END, {"learned": "a"}, 7, utc(2026, 12, 28, 9, 0))
        session.commit()
        surveys.submit(session, person, END, {"learned": "b"}, 9, utc(2026, 12, 28, 10, 0))
        session.commit()
        [row] = session.scalars(sa.select(SurveyResponse)).all()
        assert (row.answers, row.recommend_score, row.kind) == ({"learned": "b"}, 9, END)
        assert row.submitted_at == utc(2026, 12, 28, 10, 0)


def due(sessions, now) -> list[tuple[str, SurveyKind]]:
    """What is due, then planned (as the planner would), so it is not due again."""
    with sessions() as session:
        found = surveys.due_surveys(session, now)
        for item in found:
            store.enqueue(
                session,
                team_id=item.team_id,
                key=surveys.survey_key(item.participant_id, item.kind),
                message=store.Message(item.user_id, "survey"),
                not_before=item.at,
            )
        session.commit()
        return sorted((item.user_id, item.kind) for item in found)


def test_start_and_middle_surveys_in_each_members_morning(sessions, pair) -> None:
    assert due(sessions, utc(2026, 11, 30, 8, 29)) == []
    assert due(sessions, utc(2026, 11, 30, 8, 30)) == [("UANA", START)]  # 09:30 in Berlin
    assert due(sessions, utc(2026, 11, 30, 14, 30)) == [("UBEN", START)]  # 09:30 in New York
    assert due(sessions, utc(2026, 12, 7, 15, 0)) == []
    assert surveys.middle_day(make_program(sessions, "X", start_date=MONDAY, length_weeks=4)) == (
        date(2026, 12, 14)
    )
    assert due(sessions, utc(2026, 12, 14, 14, 30)) == [("UANA", MIDDLE), ("UBEN", MIDDLE)]
    assert due(sessions, utc(2026, 12, 15, 14, 30)) == []


def test_a_pair_introduced_later_gets_the_start_survey_then(sessions) -> None:
    program = make_program(sessions, "Digital Pilot", start_date=MONDAY, length_weeks=4)
    pair_up(sessions, program.id, [("UANA", BERLIN), ("UBEN", BERLIN)])
    late = utc(2026, 12, 16, 13, 0)  # introduced after the middle survey went out
    pair_up(sessions, program.id, [("UCHO", BERLIN), ("UDAN", BERLIN)], introduced_at=late)
    assert due(sessions, utc(2026, 11, 30, 12, 0)) == [("UANA", START), ("UBEN", START)]
    assert due(sessions, utc(2026, 12, 14, 12, 0)) == [("UANA", MIDDLE), ("UBEN", MIDDLE)]
    assert due(sessions, utc(2026, 12, 16, 12, 59)) == []
    assert due(sessions, late) == [("UCHO", START), ("UDAN", START)]
    assert due(sessions, late + timedelta(days=1)) == []


def test_a_start_survey_a_week_late_is_not_sent(sessions, pair) -> None:
    assert due(sessions, utc(2026, 12, 8, 15, 0)) == []


def hold(sessions, pairing_id: int, *minutes: int) -> None:
    with sessions() as session:
        for n, length in enumerate(minutes):
            session.add(
                Meeting(
                    team_id=TEAM,
                    pairing_id=pairing_id,
                    proposed_by="UANA",
                    starts_at=utc(2026, 12, 1 + n, 12, 0),
                    duration_minutes=60,
                    status=MeetingStatus.HELD,
                    minutes_held=length,
                )
            )
        session.add(  # a cancelled meeting never counts
            Meeting(
                team_id=TEAM,
                pairing_id=pairing_id,
                proposed_by="UANA",
                starts_at=utc(2026, 12, 20, 12, 0),
                status=MeetingStatus.CANCELLED,
                minutes_held=500,
            )
        )
        session.commit()


def test_the_program_ends_pair_by_pair_in_each_morning_then_for_good(sessions) -> None:
    program = make_program(sessions, "Digital Pilot", start_date=MONDAY, length_weeks=4)
    berlin, (ana, ben) = pair_up(sessions, program.id, [("UANA", BERLIN), ("UBEN", NEW_YORK)])
    york, _ = pair_up(sessions, program.id, [("UCHO", NEW_YORK), ("UDAN", BERLIN)])
    paused, _ = pair_up(sessions, program.id, [("UEVE", BERLIN), ("UFAY", BERLIN)])
    hold(sessions, berlin, 45, 60)
    with sessions() as session:
        session.get(Pairing, paused).status = PairingStatus.PAUSED
        session.commit()

    def end(now):
        with sessions() as session:
            endings = surveys.end_programs(session, now)
            session.commit()
            return endings

    with sessions() as session:  # planned while the program ran, for after its end
        for key, not_before in (("later", utc(2026, 12, 28, 16, 0)), ("due", utc(2026, 12, 28))):
            store.enqueue(
                session,
                team_id=TEAM,
                key=key,
                message=store.Message("UANA", key),
                not_before=not_before,
                program_id=program.id,
            )
        session.commit()
    assert end(utc(2026, 12, 28, 8, 29)) == []
    [first] = end(utc(2026, 12, 28, 8, 30))  # 09:30 in Berlin, the first member's zone
    assert (first.pairing_id, first.meetings, first.minutes) == (berlin, 2, 105)
    assert first.target_minutes == 4 * 60
    assert [(m.participant_id, m.user_id, m.active) for m in first.members] == [
        (ana, "UANA", True),
        (ben, "UBEN", True),
    ]
    assert end(utc(2026, 12, 28, 9, 0)) == []
    with sessions() as session:
        assert session.get(Program, program.id).status is ProgramStatus.RUNNING
        assert session.get(Pairing, berlin).status is PairingStatus.ENDED
    [second] = end(utc(2026, 12, 28, 14, 30))  # 09:30 in New York
    assert (second.pairing_id, second.meetings, second.minutes) == (york, 0, 0)
    with sessions() as session:
        ended = session.get(Program, program.id)
        assert (ended.status, ended.ended_at) == (ProgramStatus.ENDED, utc(2026, 12, 28, 14, 30))
        statuses = session.scalars(sa.select(Pairing.status).order_by(Pairing.id)).all()
        assert statuses == [PairingStatus.ENDED] * 3  # the paused pair ends quietly
        assert session.get(Pairing, york).end_reason == surveys.END_REASON
        keys = session.scalars(sa.select(Delivery.key)).all()
        assert "due" in keys and "later" not in keys  # nothing goes out after the end
    assert end(utc(2026, 12, 29, 9, 0)) == []


def test_a_program_without_pairs_ends_only_if_it_was_running(sessions) -> None:
    running = make_program(sessions, "Ran Dry", start_date=MONDAY, length_weeks=1)
    never = make_program(sessions, "Never Matched", start_date=MONDAY, length_weeks=1)
    with sessions() as session:
        session.get(Program, running.id).status = ProgramStatus.RUNNING
        session.commit()
        assert surveys.end_programs(session, utc(2026, 12, 7, 9, 29)) == []
        session.commit()
        assert session.get(Program, running.id).status is ProgramStatus.RUNNING
        surveys.end_programs(session, utc(2026, 12, 7, 9, 30))
        session.commit()
        assert session.get(Program, running.id).status is ProgramStatus.ENDED
        assert session.get(Program, never.id).status is ProgramStatus.ENROLLING
        assert session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0
