"""Guides in the domain: the default per role, a program's replacement (stored whole or not at
all), and who reads which guide."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import guides
from bot.models import Participant, ParticipantRole, ParticipantStatus, Program, ProgramStatus
from bot.slack.blocks.guides import guide_sections
from tests.conftest import TEAM
from tests.factories import make_program

MENTOR, MENTEE = ParticipantRole.MENTOR, ParticipantRole.MENTEE


def enrol(session: Session, program_id: int, user: str, role: ParticipantRole, **kw) -> None:
    session.add(Participant(team_id=TEAM, program_id=program_id, user_id=user, role=role, **kw))
    session.flush()


def find(session: Session, user: str, *, organizer: bool = False, args: str = ""):
    role, name = guides.split_role(args)
    return guides.find_guide(
        session, TEAM, user, is_organizer=organizer, role=role, program_name=name
    )


def test_the_defaults_cover_what_the_issue_asks_and_fit_one_slack_field() -> None:
    for role, text in guides.DEFAULT_GUIDES.items():
        assert len(text) <= guides.MAX_LENGTH  # the editor shows it in one text field
        for topic in (
            "first meeting",
            "how often to meet",
            "Candid feedback",
            "stays in the pair",
            "what to teach, each way",
            "If it's not working",
            "Talk to an organizer",
        ):
            assert topic in text, (role, topic)
    assert "ask your mentee to teach you" in guides.DEFAULT_GUIDES[MENTOR]
    assert "teach back" in guides.DEFAULT_GUIDES[MENTEE]
    assert guides.DEFAULT_GUIDES[MENTOR] != guides.DEFAULT_GUIDES[MENTEE]


@pytest.mark.parametrize(
    ("args", "role", "rest"),
    [
        ("", None, ""),
        ("mentor", MENTOR, ""),
        ("Reverse  Mentor Digital Pilot", MENTOR, "Digital Pilot"),
        ("mentees", MENTEE, ""),
        ("mentee Digital Pilot", MENTEE, "Digital Pilot"),
        ("Mentoring Circle", None, "Mentoring Circle"),  # a program whose name starts "Mentor…"
    ],
)
def test_a_role_word_may_lead_the_arguments(args: str, role, rest: str) -> None:
    assert guides.split_role(args) == (role, rest)


def test_a_participant_reads_their_own_roles_guide(sessions: sessionmaker[Session]) -> None:
    pilot = make_program(sessions, "Digital Pilot")
    with sessions() as session:
        enrol(session, pilot.id, "UANA", MENTOR)
        enrol(session, pilot.id, "UBEN", MENTEE)
        ana, ben = find(session, "UANA").guide, find(session, "UBEN").guide
        other = find(session, "UANA", args="mentee").guide

    assert (ana.role, ana.text, ana.own_role) == (MENTOR, guides.DEFAULT_GUIDES[MENTOR], True)
    assert (ben.role, ben.text) == (MENTEE, guides.DEFAULT_GUIDES[MENTEE])
    assert (other.role, other.own_role) == (MENTEE, False)


def test_a_replacement_reaches_that_programs_participants_only(
    sessions: sessionmaker[Session],
) -> None:
    pilot = make_program(sessions, "Digital Pilot")
    circle = make_program(sessions, "Sustainability Circle")
    with sessions() as session:
        enrol(session, pilot.id, "UANA", MENTOR)
        enrol(session, circle.id, "UCY", MENTOR)
        program = session.get(Program, pilot.id)
        assert program is not None
        guides.set_overrides(program, {MENTOR: "  *Our own* guide  \r\n", MENTEE: ""})
        session.commit()
    with sessions() as session:
        program = session.get(Program, pilot.id)
        assert program is not None
        assert program.guide_overrides == {"mentor": "*Our own* guide"}  # persisted
        ana, cy = find(session, "UANA").guide, find(session, "UCY").guide
        with pytest.raises(guides.NotInThatProgram):
            find(session, "UCY", args="mentor Digital Pilot")

    assert (ana.text, ana.custom, ana.program_name) == ("*Our own* guide", True, "Digital Pilot")
    assert (cy.text, cy.custom) == (guides.DEFAULT_GUIDES[MENTOR], False)


def test_empty_or_the_default_text_means_back_to_the_default(
    sessions: sessionmaker[Session],
) -> None:
    pilot = make_program(sessions, "Digital Pilot")
    with sessions() as session:
        program = session.get(Program, pilot.id)
        assert program is not None
        guides.set_overrides(program, {MENTOR: "Ours", MENTEE: "Theirs"})
        session.commit()
        guides.set_overrides(program, {MENTOR: "", MENTEE: guides.DEFAULT_GUIDES[MENTEE] + "\n"})
        session.commit()
    with sessions() as session:
        program = session.get(Program, pilot.id)
        assert program is not None
        assert program.guide_overrides == {}
        assert not guides.guide_for(program, MENTEE).custom


def test_a_role_left_out_keeps_its_text(sessions: sessionmaker[Session]) -> None:
    pilot = make_program(sessions, "Digital Pilot")
    with sessions() as session:
        program = session.get(Program, pilot.id)
        assert program is not None
        guides.set_overrides(program, {MENTOR: "Ours", MENTEE: "Theirs"})
        guides.set_overrides(program, {MENTOR: "Ours, again"})
        session.commit()
    with sessions() as session:
        program = session.get(Program, pilot.id)
        assert program is not None
        assert program.guide_overrides == {"mentor": "Ours, again", "mentee": "Theirs"}


def test_a_text_too_long_stores_nothing_for_either_role(sessions: sessionmaker[Session]) -> None:
    pilot = make_program(sessions, "Digital Pilot")
    with sessions() as session:
        program = session.get(Program, pilot.id)
        assert program is not None
        with pytest.raises(guides.GuidesInvalid) as refused:
            guides.set_overrides(program, {MENTOR: "fine", MENTEE: "x" * (guides.MAX_LENGTH + 1)})
        assert set(refused.value.errors) == {MENTEE}
        assert "3,000 characters (this one has 3,001)" in refused.value.errors[MENTEE]
        session.commit()
    with sessions() as session:
        program = session.get(Program, pilot.id)
        assert program is not None
        assert program.guide_overrides == {}


def test_organizers_who_take_no_part_choose_a_role(sessions: sessionmaker[Session]) -> None:
    pilot = make_program(sessions, "Digital Pilot")
    make_program(sessions, "Sustainability Circle")
    with sessions() as session:
        program = session.get(Program, pilot.id)
        assert program is not None
        guides.set_overrides(program, {MENTEE: "Pilot mentees: read this"})
        session.commit()
        with pytest.raises(guides.RoleNeeded):
            find(session, "UORGANIZER", organizer=True)
        default = find(session, "UORGANIZER", organizer=True, args="mentee")
        custom = find(session, "UORGANIZER", organizer=True, args="mentee digital pilot")
        with pytest.raises(guides.RoleNeeded):
            find(session, "UORGANIZER", organizer=True, args="Digital Pilot")

    assert default.guide.text == guides.DEFAULT_GUIDES[MENTEE]
    assert default.customised == ("Digital Pilot",)
    assert (custom.guide.text, custom.guide.own_role) == ("Pilot mentees: read this", False)


def test_someone_in_no_program_or_a_program_that_does_not_exist_is_told(
    sessions: sessionmaker[Session],
) -> None:
    pilot = make_program(sessions, "Digital Pilot")
    with sessions() as session:
        enrol(session, pilot.id, "UGONE", MENTOR, status=ParticipantStatus.LEFT)
        with pytest.raises(guides.NotInAProgram):
            find(session, "UNOBODY")
        with pytest.raises(guides.NotInAProgram):
            find(session, "UGONE", args="mentor")  # left: no longer a participant
        with pytest.raises(guides.UnknownProgram):
            find(session, "UORGANIZER", organizer=True, args="mentor Nowhere")
        with pytest.raises(guides.NotInThatProgram):
            guides.own_guide(session, TEAM, "UGONE", pilot.id)
        with pytest.raises(guides.UnknownProgram):
            guides.own_guide(session, "T0OTHER", "UGONE", pilot.id)  # another workspace's


def test_a_running_program_comes_before_an_ended_one(sessions: sessionmaker[Session]) -> None:
    old = make_program(sessions, "Old Pilot")
    new = make_program(sessions, "Second Cohort")
    with sessions() as session:
        session.get(Program, old.id).status = ProgramStatus.ENDED  # type: ignore[union-attr]
        enrol(session, old.id, "UANA", MENTEE)
        enrol(session, new.id, "UANA", MENTOR)
        answer = find(session, "UANA")
    assert (answer.guide.program_name, answer.guide.role) == ("Second Cohort", MENTOR)
    assert answer.other_programs == ()  # the ended one is not suggested


def test_a_long_escaped_guide_is_split_into_sections_that_fit() -> None:
    assert guide_sections("*One*\nline\n\n\n*Two*") == ["*One*\nline", "*Two*"]
    worst = "&" * guides.MAX_LENGTH  # each & shows as &amp;: 15,000 characters
    pieces = guide_sections(worst)
    assert all(len(piece) <= 3000 for piece in pieces)
    assert "".join(pieces) == "&amp;" * guides.MAX_LENGTH  # nothing lost, no entity cut
    many = "\n\n".join(f"Paragraph {n} <@U123>" for n in range(200))
    sections = guide_sections(many)
    assert len(sections) <= 12
    assert "<@" not in "".join(sections) and "&lt;@U123&gt;" in sections[0]
