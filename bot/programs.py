"""Programs: creating and editing them, with every rule an organizer can break checked here.

Validation returns errors by field name, so the Slack layer can show each one on the modal
field it belongs to, and nothing is stored unless every field is right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import (
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramFormat,
    ProgramStatus,
)

NAME_LENGTH = 80
BUSINESS_NEED_LENGTH = 200
SKILL_LENGTH = 60  # a skill becomes a select option, whose text Slack caps at 75
MAX_SKILLS = 50
MAX_WEEKS = 104
MAX_GROUP_SIZE = 8
MAX_WEEKLY_MINUTES = 600

BUSINESS_NEEDS = (
    "Digital skills",
    "Social media",
    "Younger customers",
    "Inclusion and diversity",
    "Sustainability",
    "AI and new tools",
    "Retaining young talent",
)

# What juniors usually teach, then what seniors teach back.
DEFAULT_SKILLS = (
    "Social media",
    "AI tools",
    "Collaboration apps",
    "Video and podcasts",
    "Younger customers / Gen Z mindset",
    "Strategy",
    "Company history",
    "Leading people",
    "Navigating the organization",
    "Industry knowledge",
    "Negotiation",
)


@dataclass
class ProgramInput:
    """What an organizer fills in; numbers arrive as text from Slack and are checked here."""

    name: str
    business_need: str = ""
    format: str = ProgramFormat.ONE_TO_ONE.value
    group_size: str | int = 2
    start_date: date | None = None
    length_weeks: str | int = 12
    is_pilot: bool = False
    meeting_target_minutes: str | int = 60
    checkin_cadence_weeks: str | int = 1
    skills_catalogue: Sequence[str] = field(default_factory=lambda: list(DEFAULT_SKILLS))
    enrolment_open: bool = False


@dataclass(frozen=True)
class ValidProgram:
    name: str
    business_need: str
    format: ProgramFormat
    group_size: int
    start_date: date | None
    length_weeks: int
    is_pilot: bool
    meeting_target_minutes: int
    checkin_cadence_weeks: int
    skills_catalogue: list[str]
    enrolment_open: bool


class ProgramInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def parse_skills(text: str) -> list[str]:
    """One skill per line (commas also separate); blanks and repeats dropped, order kept."""
    seen: dict[str, str] = {}
    for part in text.replace(",", "\n").splitlines():
        skill = " ".join(part.split())
        if skill and skill.casefold() not in seen:
            seen[skill.casefold()] = skill
    return list(seen.values())


def validate(
    session: Session,
    team_id: str,
    data: ProgramInput,
    *,
    today: date,
    editing: Program | None = None,
) -> ValidProgram:
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = "Give the program a name."
    elif len(name) > NAME_LENGTH:
        errors["name"] = f"Keep the name to {NAME_LENGTH} characters (it has {len(name)})."
    elif name_taken(session, team_id, name, except_id=editing.id if editing else None):
        errors["name"] = f"There is already a program called “{name}”. Pick another name."

    business_need = " ".join(data.business_need.split())
    if not business_need:
        errors["business_need"] = "Say which business need the program serves."
    elif len(business_need) > BUSINESS_NEED_LENGTH:
        errors["business_need"] = f"Keep it to {BUSINESS_NEED_LENGTH} characters."

    try:
        program_format = ProgramFormat(data.format)
    except ValueError:
        errors["format"] = "Choose one-to-one pairs or small groups."
        program_format = ProgramFormat.ONE_TO_ONE
    group_size = _whole(data.group_size, "group_size", 2, MAX_GROUP_SIZE, errors)
    if program_format is ProgramFormat.ONE_TO_ONE:
        group_size = 2
        errors.pop("group_size", None)
    elif "group_size" not in errors and group_size < 3:
        errors["group_size"] = "A group has at least 3 people; choose one-to-one for pairs."

    length_weeks = _whole(data.length_weeks, "length_weeks", 1, MAX_WEEKS, errors)
    target = _whole(
        data.meeting_target_minutes, "meeting_target_minutes", 0, MAX_WEEKLY_MINUTES, errors
    )
    cadence = _whole(data.checkin_cadence_weeks, "checkin_cadence_weeks", 1, 2, errors)

    if data.start_date is not None and data.start_date < today:
        started = editing is not None and editing.start_date == data.start_date
        if not started:
            errors["start_date"] = "The start date is in the past; pick today or later."

    skills = [" ".join(skill.split()) for skill in data.skills_catalogue if skill.strip()]
    if not skills:
        errors["skills_catalogue"] = "List at least one skill people can teach or learn."
    elif len(skills) > MAX_SKILLS:
        errors["skills_catalogue"] = f"Keep the catalogue to {MAX_SKILLS} skills."
    elif too_long := [s for s in skills if len(s) > SKILL_LENGTH]:
        errors["skills_catalogue"] = (
            f"Keep each skill to {SKILL_LENGTH} characters (“{too_long[0][:30]}…” is longer)."
        )

    if errors:
        raise ProgramInvalid(errors)
    return ValidProgram(
        name=name,
        business_need=business_need,
        format=program_format,
        group_size=group_size,
        start_date=data.start_date,
        length_weeks=length_weeks,
        is_pilot=data.is_pilot,
        meeting_target_minutes=target,
        checkin_cadence_weeks=cadence,
        skills_catalogue=skills,
        enrolment_open=data.enrolment_open,
    )


_LIMIT_MESSAGES = {
    "group_size": "a group size",
    "length_weeks": "a length in weeks",
    "meeting_target_minutes": "minutes per week",
    "checkin_cadence_weeks": "a check-in cadence",
}


def _whole(value: str | int, name: str, low: int, high: int, errors: dict[str, str]) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[name] = f"Enter {_LIMIT_MESSAGES[name]} as a whole number."
        return low
    if not low <= number <= high:
        errors[name] = f"Enter {_LIMIT_MESSAGES[name]} from {low} to {high}."
    return number


def name_taken(session: Session, team_id: str, name: str, except_id: int | None = None) -> bool:
    query = sa.select(Program.id).where(
        Program.team_id == team_id, sa.func.lower(Program.name) == name.lower()
    )
    if except_id is not None:
        query = query.where(Program.id != except_id)
    return session.scalar(query) is not None


def create(session: Session, team_id: str, valid: ValidProgram, *, created_by: str) -> Program:
    program = Program(team_id=team_id, created_by=created_by, settings={})
    _apply(program, valid)
    session.add(program)
    session.flush()
    return program


def update(program: Program, valid: ValidProgram) -> Program:
    _apply(program, valid)
    return program


def _apply(program: Program, valid: ValidProgram) -> None:
    for key, value in valid.__dict__.items():
        setattr(program, key, value)
    if program.status is None:
        program.status = ProgramStatus.DRAFT
    if valid.enrolment_open and program.status is ProgramStatus.DRAFT:
        program.status = ProgramStatus.ENROLLING


def get(session: Session, team_id: str, program_id: int) -> Program | None:
    """A program of this workspace only: ids from buttons can be tampered with."""
    return session.scalar(
        sa.select(Program).where(Program.team_id == team_id, Program.id == program_id)
    )


def find_by_name(session: Session, team_id: str, name: str) -> Program | None:
    return session.scalar(
        sa.select(Program).where(
            Program.team_id == team_id,
            sa.func.lower(Program.name) == " ".join(name.split()).lower(),
        )
    )


def list_programs(session: Session, team_id: str, *, include_ended: bool = False) -> list[Program]:
    query = sa.select(Program).where(Program.team_id == team_id)
    if not include_ended:
        query = query.where(Program.status != ProgramStatus.ENDED)
    return list(session.scalars(query.order_by(Program.created_at, Program.id)))


def open_for_enrolment(session: Session, team_id: str) -> list[Program]:
    return list(
        session.scalars(
            sa.select(Program)
            .where(
                Program.team_id == team_id,
                Program.enrolment_open.is_(True),
                Program.status != ProgramStatus.ENDED,
            )
            .order_by(Program.created_at, Program.id)
        )
    )


def enrolment_counts(
    session: Session, program_ids: Sequence[int]
) -> dict[int, dict[ParticipantRole, int]]:
    """Active participants by role, for several programs in one query."""
    counts: dict[int, dict[ParticipantRole, int]] = {
        pid: dict.fromkeys(ParticipantRole, 0) for pid in program_ids
    }
    if not program_ids:
        return counts
    rows = session.execute(
        sa.select(Participant.program_id, Participant.role, sa.func.count())
        .where(
            Participant.program_id.in_(program_ids),
            Participant.status == ParticipantStatus.ACTIVE,
        )
        .group_by(Participant.program_id, Participant.role)
    )
    for program_id, role, count in rows:
        counts[program_id][role] = count
    return counts
