"""Program rules, without Slack."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot import programs
from bot.models import ProgramFormat, ProgramStatus
from tests.conftest import START, TEAM
from tests.factories import make_program

TODAY = START.date()


def check(sessions, data: programs.ProgramInput, **kwargs) -> programs.ValidProgram:
    with sessions() as session:
        return programs.validate(session, TEAM, data, today=TODAY, **kwargs)


def errors_of(sessions, data: programs.ProgramInput, **kwargs) -> dict[str, str]:
    with pytest.raises(programs.ProgramInvalid) as raised:
        check(sessions, data, **kwargs)
    return raised.value.errors


def test_a_valid_program_is_created_with_sensible_defaults(sessions) -> None:
    program = make_program(sessions, "  Digital   Pilot ", is_pilot=True, length_weeks="6")
    assert program.name == "Digital Pilot"
    assert program.status is ProgramStatus.ENROLLING  # enrolment is open
    assert program.length_weeks == 6
    assert program.meeting_target_minutes == 60
    assert program.checkin_cadence_weeks == 1
    assert program.format is ProgramFormat.ONE_TO_ONE
    assert "Company history" in program.skills_catalogue
    assert program.is_pilot


def test_names_are_unique_per_workspace_whatever_the_case(sessions) -> None:
    make_program(sessions, "Digital Pilot")
    errors = errors_of(sessions, programs.ProgramInput(name="digital pilot", business_need="x"))
    assert "already a program called" in errors["name"]
    make_program(sessions, "Digital Pilot", team_id="T0OTHER")  # another workspace may


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": ""}, "name", "Give the program a name"),
        ({"name": "x" * 81}, "name", "80 characters"),
        ({"business_need": " "}, "business_need", "business need"),
        ({"length_weeks": "0"}, "length_weeks", "from 1 to 104"),
        ({"length_weeks": "six"}, "length_weeks", "whole number"),
        ({"meeting_target_minutes": "-5"}, "meeting_target_minutes", "from 0 to 600"),
        ({"checkin_cadence_weeks": "3"}, "checkin_cadence_weeks", "from 1 to 2"),
        ({"format": "trio"}, "format", "one-to-one pairs or small groups"),
        ({"format": "group", "group_size": "2"}, "group_size", "at least 3"),
        ({"format": "group", "group_size": "20"}, "group_size", "from 2 to 8"),
        ({"skills_catalogue": []}, "skills_catalogue", "at least one skill"),
        ({"skills_catalogue": ["x" * 61]}, "skills_catalogue", "60 characters"),
        ({"start_date": TODAY - timedelta(days=1)}, "start_date", "in the past"),
    ],
)
def test_each_bad_field_gets_its_own_message(sessions, changes, field, words) -> None:
    data = programs.ProgramInput(name="Pilot", business_need="Digital skills")
    for key, value in changes.items():
        setattr(data, key, value)
    errors = errors_of(sessions, data)
    assert words in errors[field]


def test_editing_keeps_a_start_date_that_has_passed(sessions) -> None:
    program = make_program(sessions, "Running", start_date=TODAY)
    later = programs.ProgramInput(name="Running", business_need="x", start_date=TODAY)
    with sessions() as session:
        valid = programs.validate(
            session, TEAM, later, today=TODAY + timedelta(days=30), editing=program
        )
    assert valid.start_date == TODAY
    assert valid.name == "Running"  # its own name is not "taken"


def test_skills_are_parsed_one_per_line_without_repeats() -> None:
    text = "Social media\nAI tools, TikTok\n\n  social   MEDIA \nNegotiation"
    assert programs.parse_skills(text) == ["Social media", "AI tools", "TikTok", "Negotiation"]


def test_programs_are_found_only_in_their_workspace(sessions) -> None:
    program = make_program(sessions, "Ours")
    with sessions() as session:
        assert programs.get(session, TEAM, program.id).name == "Ours"
        assert programs.get(session, "T0OTHER", program.id) is None
        assert programs.find_by_name(session, TEAM, " ours ").id == program.id
        assert [p.name for p in programs.open_for_enrolment(session, TEAM)] == ["Ours"]


def test_a_future_start_date_is_fine(sessions) -> None:
    valid = check(
        sessions,
        programs.ProgramInput(name="Spring", business_need="x", start_date=date(2027, 3, 1)),
    )
    assert valid.start_date == date(2027, 3, 1)
