"""Enrolment rules, without Slack: joining, answers, leaving and erasing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot import enrolment
from bot.enrolment import JoinAnswers, Refusal
from bot.models import (
    CareerStage,
    Checkin,
    Invitation,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramStatus,
    SurveyKind,
    SurveyResponse,
    Win,
)
from tests.conftest import START, TEAM
from tests.factories import make_program


def answers(**changes: Any) -> JoinAnswers:
    given = JoinAnswers(
        role="mentor",
        skills_offered=["AI tools"],
        skills_wanted=["Strategy"],
        department="Sales",
        career_stage="early",
        goals="Understand how budgets are made",
        meeting_formats=["coffee", "walk"],
        consent=True,
    )
    for key, value in changes.items():
        setattr(given, key, value)
    return given


def join(
    sessions: sessionmaker[Session], program: Program, user: str = "UANA", **changes: Any
) -> int:
    with sessions() as session:
        participant = enrolment.join(
            session,
            session.get(Program, program.id),
            user,
            answers(**changes),
            team_id=program.team_id,
            display_name=user.title(),
            timezone="Europe/Berlin",
            now=START,
        )
        session.commit()
        return participant.id


def pair(
    sessions: sessionmaker[Session],
    program: Program,
    participant_ids: list[int],
    *,
    status: PairingStatus = PairingStatus.ACTIVE,
    channel_id: str | None = "G123",
) -> int:
    """A pairing of these participants, made directly (matching is another feature)."""
    with sessions() as session:
        pairing = Pairing(
            team_id=program.team_id, program_id=program.id, status=status, channel_id=channel_id
        )
        session.add(pairing)
        session.flush()
        for participant_id in participant_ids:
            session.add(
                PairingMember(
                    team_id=program.team_id, pairing_id=pairing.id, participant_id=participant_id
                )
            )
        session.commit()
        return pairing.id


def add_typed_rows(
    sessions: sessionmaker[Session], program: Program, participant_id: int, words: str
) -> None:
    """A check-in comment, a survey answer and a win story, as a participant would type them."""
    with sessions() as session:
        session.add_all(
            [
                Checkin(
                    team_id=program.team_id,
                    participant_id=participant_id,
                    period_start=START.date(),
                    met=True,
                    minutes=45,
                    mood=4,
                    comment=words,
                ),
                SurveyResponse(
                    team_id=program.team_id,
                    program_id=program.id,
                    participant_id=participant_id,
                    kind=SurveyKind.START,
                    answers={"expectations": words},
                    recommend_score=9,
                ),
                Win(
                    team_id=program.team_id,
                    program_id=program.id,
                    participant_id=participant_id,
                    text=words,
                ),
            ]
        )
        session.commit()


def load(sessions: sessionmaker[Session], participant_id: int) -> Participant:
    with sessions() as session:
        return session.get(Participant, participant_id)


def participant_rows(sessions: sessionmaker[Session]) -> list[tuple]:
    with sessions() as session:
        return [
            tuple(row)
            for row in session.execute(
                sa.select(Participant.__table__).order_by(Participant.id)
            ).all()
        ]


# -- joining -----------------------------------------------------------------------------------


def test_joining_stores_the_answers_in_the_catalogues_spelling(sessions) -> None:
    program = make_program(sessions)
    participant_id = join(
        sessions,
        program,
        skills_offered=["ai TOOLS"],
        skills_offered_other="TikTok\nCanva, ai tools\n\n",
        skills_wanted=["Strategy", "Negotiation"],
        department="  Customer   care ",
        career_stage="executive",
        role="mentee",
    )

    participant = load(sessions, participant_id)
    assert participant.role is ParticipantRole.MENTEE  # executives can be mentees
    assert participant.career_stage is CareerStage.EXECUTIVE
    assert participant.skills_offered == ["AI tools", "TikTok", "Canva"]
    assert participant.skills_wanted == ["Strategy", "Negotiation"]
    assert participant.department == "Customer care"
    assert participant.meeting_formats == ["coffee", "walk"]
    assert participant.consent is True
    assert participant.status is ParticipantStatus.ACTIVE
    assert (participant.display_name, participant.timezone) == ("Uana", "Europe/Berlin")
    assert participant.created_at == START


BAD_ANSWERS = [
    ({"role": None}, "role", "how you'd like to take part"),
    ({"role": "boss"}, "role", "how you'd like to take part"),
    ({"consent": False}, "consent", "agree"),
    ({"skills_offered": []}, "skills_offered", "at least one skill you can teach"),
    ({"skills_wanted": []}, "skills_wanted", "at least one skill to learn"),
    ({"skills_offered_other": "x" * 61}, "skills_offered_other", "60 characters"),
    (
        {"skills_wanted_other": "\n".join(f"skill {n}" for n in range(11))},
        "skills_wanted_other",
        "at most 10",
    ),
    ({"skills_offered": ["y" * 61]}, "skills_offered", "pick again"),
    ({"department": "d" * 121}, "department", "120 characters (it has 121)"),
    ({"goals": "g" * 1001}, "goals", "1,000 characters (it has 1,001)"),
    ({"meeting_formats": ["coffee", "dinner"]}, "meeting_formats", "coffee, lunch, walk"),
    ({"career_stage": "intern"}, "career_stage", "career stage"),
]


@pytest.mark.parametrize(("changes", "field", "words"), BAD_ANSWERS)
def test_each_bad_answer_gets_its_own_message_and_nothing_is_stored(
    sessions, changes, field, words
) -> None:
    program = make_program(sessions)
    with pytest.raises(enrolment.AnswersInvalid) as raised:
        join(sessions, program, **changes)
    assert words in raised.value.errors[field]
    assert list(raised.value.errors) == [field]
    assert participant_rows(sessions) == []


@pytest.mark.parametrize(("changes", "field", "words"), BAD_ANSWERS)
def test_a_form_is_checked_without_its_catalogue_as_when_saved(changes, field, words) -> None:
    """What a form's answer can say before the program is looked up: the same message on the
    same field, except for a pick the catalogue lacks, which only saving can tell."""
    found = enrolment.form_errors(answers(**changes), has_select=True)
    if field == "skills_offered" and changes["skills_offered"]:  # a pick, not an empty list
        assert found == {}
        return
    assert words in found[field]
    assert list(found) == [field]


def test_a_form_without_the_catalogues_select_asks_for_skills_in_its_text_boxes() -> None:
    empty = answers(skills_offered=[], skills_wanted=[])
    assert set(enrolment.form_errors(empty, has_select=False)) == {
        "skills_offered_other",
        "skills_wanted_other",
    }
    assert set(enrolment.form_errors(empty, has_select=True)) == {
        "skills_offered",
        "skills_wanted",
    }
    assert enrolment.form_errors(answers(), has_select=True) == {}


def test_typed_skills_alone_are_enough_and_without_a_catalogue_errors_go_to_the_text_box() -> None:
    with pytest.raises(enrolment.AnswersInvalid) as raised:
        enrolment.validate(answers(skills_offered=[], skills_wanted=[]), [])
    assert set(raised.value.errors) == {"skills_offered_other", "skills_wanted_other"}
    typed = enrolment.validate(
        answers(
            skills_offered=[],
            skills_offered_other="Figma",
            skills_wanted=[],
            skills_wanted_other="Budgets",
        ),
        [],
    )
    assert (typed.skills_offered, typed.skills_wanted) == (["Figma"], ["Budgets"])


def test_a_skill_dropped_from_the_catalogue_meanwhile_is_kept() -> None:
    valid = enrolment.validate(answers(skills_offered=["Retro gaming"]), ["AI tools"])
    assert valid.skills_offered == ["Retro gaming"]


@pytest.mark.parametrize(
    ("setup", "refusal"),
    [
        ({"enrolment_open": False}, Refusal.CLOSED),
        ({"status": ProgramStatus.ENDED}, Refusal.ENDED),
        ({"team_id": "T0OTHER"}, Refusal.UNKNOWN_PROGRAM),
    ],
)
def test_closed_ended_and_foreign_programs_refuse(sessions, setup, refusal) -> None:
    setup = dict(setup)  # the same dict serves each backend
    program = make_program(sessions, team_id=setup.pop("team_id", TEAM))
    with sessions() as session:
        stored = session.get(Program, program.id)
        for key, value in setup.items():
            setattr(stored, key, value)
        session.commit()
    with sessions() as session, pytest.raises(enrolment.JoinRefused) as raised:
        enrolment.join(
            session,
            session.get(Program, program.id),
            "UANA",
            answers(),
            team_id=TEAM,
            display_name="Ana",
            timezone="UTC",
            now=START,
        )
    assert raised.value.refusal is refusal
    assert participant_rows(sessions) == []


def test_an_unknown_program_refuses(sessions) -> None:
    with sessions() as session:
        assert enrolment.join_refusal(session, TEAM, None, "UANA") is Refusal.UNKNOWN_PROGRAM


def test_joining_twice_is_refused_and_changes_nothing(sessions) -> None:
    program = make_program(sessions)
    join(sessions, program)
    before = participant_rows(sessions)
    with pytest.raises(enrolment.JoinRefused) as raised:
        join(sessions, program, role="mentee", goals="Something else")
    assert raised.value.refusal is Refusal.ALREADY_JOINED
    assert participant_rows(sessions) == before


def test_someone_who_left_may_join_again_in_the_same_row(sessions) -> None:
    program = make_program(sessions)
    first = join(sessions, program)
    with sessions() as session:
        enrolment.leave(session, session.get(Participant, first), erase=False, now=START)
        session.commit()
    again = join(sessions, program, goals="Second time round")

    participant = load(sessions, again)
    assert again == first
    assert participant.status is ParticipantStatus.ACTIVE
    assert participant.left_at is None
    assert participant.goals == "Second time round"


def test_the_form_starts_from_the_invitation_or_the_earlier_answers(sessions) -> None:
    program = make_program(sessions)
    with sessions() as session:
        session.add(
            Invitation(
                team_id=TEAM,
                program_id=program.id,
                user_id="UBEA",
                role_hint="mentee",
                department_hint="Finance",
                invited_by="UORGANIZER",
            )
        )
        session.commit()
        stored = session.get(Program, program.id)
        invited = enrolment.prefill(session, stored, "UBEA")
        stranger = enrolment.prefill(session, stored, "UCAL")
    assert (invited.role, invited.department) == ("mentee", "Finance")
    assert stranger == JoinAnswers()

    joined = join(sessions, program, skills_offered_other="TikTok")
    with sessions() as session:
        enrolment.leave(session, session.get(Participant, joined), erase=False, now=START)
        session.commit()
        back = enrolment.prefill(session, session.get(Program, program.id), "UANA")
    assert back.skills_offered == ["AI tools"]
    assert back.skills_offered_other == "TikTok"
    assert back.goals == "Understand how budgets are made"


# -- editing -----------------------------------------------------------------------------------


def test_answers_can_be_changed_while_active_only(sessions) -> None:
    program = make_program(sessions)
    participant_id = join(sessions, program)
    with sessions() as session:
        participant = session.get(Participant, participant_id)
        with pytest.raises(enrolment.AnswersInvalid):
            enrolment.update_answers(session, participant, answers(goals="g" * 1001))
        enrolment.update_answers(
            session, participant, answers(meeting_formats=["video"]), timezone="Asia/Tokyo"
        )
        session.commit()
    changed = load(sessions, participant_id)
    assert (changed.meeting_formats, changed.timezone) == (["video"], "Asia/Tokyo")
    assert changed.display_name == "Uana"  # not given: kept

    with sessions() as session:
        participant = session.get(Participant, participant_id)
        enrolment.leave(session, participant, erase=False, now=START)
        with pytest.raises(enrolment.NotActive):
            enrolment.update_answers(session, participant, answers())


# -- leaving -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [PairingStatus.ACTIVE, PairingStatus.PAUSED])
def test_leaving_ends_the_live_pairing_and_names_the_partner(sessions, status) -> None:
    program = make_program(sessions)
    ana, bea = join(sessions, program, "UANA"), join(sessions, program, "UBEA", role="mentee")
    old = pair(sessions, program, [ana, bea], status=PairingStatus.ENDED, channel_id="GOLD")
    live = pair(sessions, program, [ana, bea], status=status)
    later = START + timedelta(days=3)

    with sessions() as session:
        outcome = enrolment.leave(session, session.get(Participant, ana), erase=False, now=later)
        session.commit()

    assert outcome == enrolment.LeaveOutcome(
        already_left=False,
        erased=False,
        pairing_id=live,
        partner_user_ids=("UBEA",),
        channel_id="G123",
    )
    with sessions() as session:
        ended = session.get(Pairing, live)
        assert ended.status is PairingStatus.ENDED
        assert ended.ended_at == later
        assert ended.end_reason == "a member left"
        assert session.get(Pairing, old).ended_at is None  # history untouched
        assert session.get(Participant, bea).status is ParticipantStatus.ACTIVE
    gone = load(sessions, ana)
    assert (gone.status, gone.left_at) == (ParticipantStatus.LEFT, later)
    assert gone.goals  # not erased unless asked


def test_leaving_unpaired_and_leaving_twice(sessions) -> None:
    program = make_program(sessions)
    ana = join(sessions, program)
    with sessions() as session:
        first = enrolment.leave(session, session.get(Participant, ana), erase=False, now=START)
        second = enrolment.leave(session, session.get(Participant, ana), erase=False, now=START)
        session.commit()
    assert first == enrolment.LeaveOutcome(already_left=False, erased=False)
    assert second.already_left
    assert load(sessions, ana).goals  # a stale click erased nothing


def test_erasing_blanks_everything_they_typed_and_nothing_of_others(sessions) -> None:
    program = make_program(sessions)
    ana, bea = join(sessions, program, "UANA"), join(sessions, program, "UBEA", role="mentee")
    add_typed_rows(sessions, program, ana, "Ana's private words")
    add_typed_rows(sessions, program, bea, "Bea's words")

    with sessions() as session:
        outcome = enrolment.leave(session, session.get(Participant, ana), erase=True, now=START)
        session.commit()

    assert outcome.erased
    gone = load(sessions, ana)
    assert (gone.goals, gone.department) == ("", "")
    assert (gone.skills_offered, gone.skills_wanted, gone.meeting_formats) == ([], [], [])
    with sessions() as session:
        checkins = {c.participant_id: c for c in session.scalars(sa.select(Checkin))}
        surveys = {s.participant_id: s for s in session.scalars(sa.select(SurveyResponse))}
        wins = {w.participant_id: w for w in session.scalars(sa.select(Win))}
    assert (checkins[ana].comment, surveys[ana].answers, wins[ana].text) == ("", {}, "")
    assert (checkins[ana].mood, checkins[ana].minutes, surveys[ana].recommend_score) == (4, 45, 9)
    assert checkins[bea].comment == "Bea's words"
    assert surveys[bea].answers == {"expectations": "Bea's words"}
    assert wins[bea].text == "Bea's words"
    assert load(sessions, bea).goals


def test_someone_who_left_can_still_ask_to_erase(sessions) -> None:
    program = make_program(sessions)
    ana = join(sessions, program)
    add_typed_rows(sessions, program, ana, "words")
    with sessions() as session:
        enrolment.leave(session, session.get(Participant, ana), erase=False, now=START)
        later = enrolment.leave(session, session.get(Participant, ana), erase=True, now=START)
        session.commit()
        comment = session.scalar(sa.select(Checkin.comment))
    assert (later.already_left, later.erased) == (True, True)
    assert load(sessions, ana).goals == ""
    assert comment == ""


# -- lookups -----------------------------------------------------------------------------------


def test_enrolments_and_partners_are_found_per_workspace(sessions) -> None:
    first = make_program(sessions, "First")
    second = make_program(sessions, "Second")
    foreign = make_program(sessions, "Elsewhere", team_id="T0OTHER")
    ana_first = join(sessions, first, "UANA")
    ana_second = join(sessions, second, "UANA")
    join(sessions, foreign, "UANA")
    bea = join(sessions, first, "UBEA", role="mentee")
    pair(sessions, first, [ana_first, bea])
    with sessions() as session:
        enrolment.leave(session, session.get(Participant, ana_second), erase=False, now=START)
        session.commit()

        active = enrolment.enrolments_for_user(session, TEAM, "UANA")
        everything = enrolment.enrolments_for_user(session, TEAM, "UANA", include_left=True)
        partners = enrolment.partners_of(session, session.get(Participant, ana_first))
        alone = enrolment.partners_of(session, session.get(Participant, ana_second))
        assert enrolment.get_participant(session, "T0OTHER", ana_first) is None

    assert [p.program.name for p in active] == ["First"]
    assert [p.program.name for p in everything] == ["First", "Second"]
    assert [p.user_id for p in partners] == ["UBEA"]
    assert alone == []


def test_erasing_also_blanks_the_meetings_they_proposed_but_not_their_partners(sessions) -> None:
    from datetime import timedelta

    from bot.models import Meeting, MeetingStatus, Pairing, PairingMember, PairingStatus

    program = make_program(sessions)
    ana, bea = join(sessions, program, "UANA"), join(sessions, program, "UBEA", role="mentee")
    with sessions() as session:
        pairing = Pairing(team_id=TEAM, program_id=program.id, status=PairingStatus.ACTIVE)
        pairing.members = [
            PairingMember(team_id=TEAM, participant_id=ana),
            PairingMember(team_id=TEAM, participant_id=bea),
        ]
        session.add(pairing)
        session.flush()
        for who in ("UANA", "UBEA"):
            session.add(
                Meeting(
                    team_id=TEAM,
                    pairing_id=pairing.id,
                    proposed_by=who,
                    starts_at=START + timedelta(days=1),
                    duration_minutes=30,
                    status=MeetingStatus.HELD,
                    minutes_held=30,
                    location=f"{who}'s favourite cafe",
                    topic=f"{who}'s topic",
                    note=f"{who}'s note",
                )
            )
        session.commit()

    with sessions() as session:
        enrolment.leave(session, session.get(Participant, ana), erase=True, now=START)
        session.commit()

    with sessions() as session:
        meetings = {m.proposed_by: m for m in session.scalars(sa.select(Meeting))}
    assert (meetings["UANA"].location, meetings["UANA"].topic, meetings["UANA"].note) == (
        "",
        "",
        "",
    )
    assert meetings["UANA"].minutes_held == 30  # the numbers stay for the report
    assert meetings["UBEA"].topic == "UBEA's topic"
