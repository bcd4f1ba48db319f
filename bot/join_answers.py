"""The answers a person gives when joining, and the rules they must follow.

Errors come back by field name (the join modal's block ids), all at once, so the person can fix
them in one go and nothing is stored until every answer is right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import CareerStage, ParticipantRole
from bot.programs import SKILL_LENGTH, parse_skills

MAX_FREE_SKILLS = 10
DEPARTMENT_LENGTH = 120
GOALS_LENGTH = 1000
MEETING_FORMATS = ("coffee", "lunch", "walk", "video")

# Field names, which are also the join modal's block ids.
ROLE = "role"
SKILLS_OFFERED = "skills_offered"
SKILLS_OFFERED_OTHER = "skills_offered_other"
SKILLS_WANTED = "skills_wanted"
SKILLS_WANTED_OTHER = "skills_wanted_other"
DEPARTMENT = "department"
CAREER_STAGE = "career_stage"
GOALS = "goals"
MEETING_FORMATS_FIELD = "meeting_formats"
CONSENT = "consent"


@dataclass
class JoinAnswers:
    """What a person fills in, as Slack hands it over: catalogue picks and free text apart.

    An empty `meeting_formats` means any format suits them.
    """

    role: str | None = None
    skills_offered: Sequence[str] = ()  # picked from the program's catalogue
    skills_offered_other: str = ""  # typed, one per line or comma-separated
    skills_wanted: Sequence[str] = ()
    skills_wanted_other: str = ""
    department: str = ""
    career_stage: str | None = None
    goals: str = ""
    meeting_formats: Sequence[str] = ()
    consent: bool = False


@dataclass(frozen=True)
class ValidAnswers:
    role: ParticipantRole
    skills_offered: list[str]
    skills_wanted: list[str]
    department: str
    career_stage: CareerStage | None
    goals: str
    meeting_formats: list[str]
    consent: bool


class AnswersInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def validate(answers: JoinAnswers, catalogue: Sequence[str]) -> ValidAnswers:
    """Check every answer against the program's catalogue; raise `AnswersInvalid` with all
    the problems at once, so the person fixes them in one go."""
    return _checked(answers, catalogue, has_select=bool(catalogue))


def form_errors(answers: JoinAnswers, *, has_select: bool) -> dict[str, str]:
    """The problems `validate` finds whatever the program's catalogue holds, by field.

    Checked in a form's acknowledgement, where the program is not looked up: the picks are
    taken as the catalogue's. A pick that is not (only a tampered form, or a catalogue edited
    while the form was open, has one) is for `validate` when the answers are saved.
    `has_select`: the form has the catalogue's select, so a missing skill is asked for there.
    """
    picks = [*answers.skills_offered, *answers.skills_wanted]
    try:
        _checked(answers, picks, has_select=has_select)
    except AnswersInvalid as invalid:
        return invalid.errors
    return {}


def _checked(answers: JoinAnswers, catalogue: Sequence[str], *, has_select: bool) -> ValidAnswers:
    errors: dict[str, str] = {}
    try:
        role = ParticipantRole(answers.role or "")
    except ValueError:
        errors[ROLE] = "Choose how you'd like to take part."
        role = ParticipantRole.MENTEE

    offered = _skills(
        answers.skills_offered, answers.skills_offered_other, catalogue, SKILLS_OFFERED, errors
    )
    wanted = _skills(
        answers.skills_wanted, answers.skills_wanted_other, catalogue, SKILLS_WANTED, errors
    )
    if not offered and not _has_error(errors, SKILLS_OFFERED, SKILLS_OFFERED_OTHER):
        errors[_where(SKILLS_OFFERED, has_select)] = (
            "Pick or type at least one skill you can teach."
        )
    if not wanted and not _has_error(errors, SKILLS_WANTED, SKILLS_WANTED_OTHER):
        errors[_where(SKILLS_WANTED, has_select)] = "Pick or type at least one skill to learn."

    department = " ".join(answers.department.split())
    if len(department) > DEPARTMENT_LENGTH:
        errors[DEPARTMENT] = (
            f"Keep the department to {DEPARTMENT_LENGTH} characters (it has {len(department)})."
        )

    stage: CareerStage | None = None
    if answers.career_stage:
        try:
            stage = CareerStage(answers.career_stage)
        except ValueError:
            errors[CAREER_STAGE] = "Choose a career stage from the list."

    goals = answers.goals.strip()
    if len(goals) > GOALS_LENGTH:
        errors[GOALS] = f"Keep this to {GOALS_LENGTH:,} characters (it has {len(goals):,})."

    formats = [f for f in MEETING_FORMATS if f in set(answers.meeting_formats)]
    if set(answers.meeting_formats) - set(MEETING_FORMATS):
        errors[MEETING_FORMATS_FIELD] = "Choose from coffee, lunch, walk or video."

    if not answers.consent:
        errors[CONSENT] = "You can join only if you agree to how the program uses your answers."

    if errors:
        raise AnswersInvalid(errors)
    return ValidAnswers(
        role=role,
        skills_offered=offered,
        skills_wanted=wanted,
        department=department,
        career_stage=stage,
        goals=goals,
        meeting_formats=formats,
        consent=True,
    )


def _where(picks_field: str, has_select: bool) -> str:
    """Without a catalogue the modal has no select, so the message goes under the text box."""
    return picks_field if has_select else f"{picks_field}_other"


def _has_error(errors: dict[str, str], *fields: str) -> bool:
    return any(name in errors for name in fields)


def _skills(
    picks: Sequence[str],
    other: str,
    catalogue: Sequence[str],
    picks_field: str,
    errors: dict[str, str],
) -> list[str]:
    """Catalogue picks (in the catalogue's spelling), then typed skills, without repeats.

    A pick no longer in the catalogue (an organizer edited it meanwhile) is kept like a typed
    skill; the value of a select option is never trusted beyond that.
    """
    known = {skill.casefold(): skill for skill in catalogue}
    chosen = [" ".join(str(pick).split()) for pick in picks]
    strays = [pick for pick in chosen if pick and pick.casefold() not in known]
    if len(strays) > MAX_FREE_SKILLS or any(len(pick) > SKILL_LENGTH for pick in strays):
        errors[picks_field] = "The list of skills changed since you opened this form; pick again."
    typed = parse_skills(other or "")
    if len(typed) > MAX_FREE_SKILLS:
        errors[f"{picks_field}_other"] = (
            f"Add at most {MAX_FREE_SKILLS} skills of your own (you have {len(typed)})."
        )
    elif too_long := [skill for skill in typed if len(skill) > SKILL_LENGTH]:
        errors[f"{picks_field}_other"] = (
            f"Keep each skill to {SKILL_LENGTH} characters (“{too_long[0][:30]}…” is longer)."
        )
    seen: dict[str, str] = {}
    for skill in [known.get(pick.casefold(), pick) for pick in chosen if pick] + typed:
        seen.setdefault(skill.casefold(), skill)
    return list(seen.values())


def split_skills(skills: Sequence[str], catalogue: Sequence[str]) -> tuple[list[str], list[str]]:
    """Stored skills as (catalogue entries in the catalogue's spelling, the others), to fill in
    the modal's select and its text box again."""
    known = {skill.casefold(): skill for skill in catalogue}
    picked = [known[s.casefold()] for s in skills if s.casefold() in known]
    return picked, [s for s in skills if s.casefold() not in known]
