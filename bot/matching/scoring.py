"""How well a reverse mentor (junior) and a mentee (senior) fit, and why, in plain words.

A score adds weighted parts the organizer can see and tune per program: skills taught each way
(reverse mentoring is two-way), hopes in common, the reverse direction itself, a fresh
perspective from another department, shared working hours and meeting formats in common.
Hard rules exclude a pair outright. Everything here is plain data: no database, no Slack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace

STAGES = ("early", "mid", "senior", "executive")
WORKDAY_HOURS = 8  # 09:00-17:00 local
MAX_SKILLS_COUNTED = 3

_STOPWORDS = frozenset(
    """a an and are as at be but by for from how i in into is it its learn learning me more
    my of on or our so that the their them they this to understand use want we what with
    would you your get better about new""".split()
)


@dataclass(frozen=True)
class Weights:
    """Points per part; the organizer sees these and may change them per program."""

    teach: float = 3.0  # per skill the mentor offers that the mentee wants (up to 3)
    teach_back: float = 3.0  # per skill the mentee offers that the mentor wants (up to 3)
    hopes: float = 2.0  # for hopes in common (scaled by how much they overlap)
    direction: float = 2.0  # the mentor is earlier in their career than the mentee
    departments: float = 1.0  # different departments: a fresh perspective
    timezone: float = 2.0  # for a full shared working day (scaled by hours)
    formats: float = 1.0  # at least one meeting format in common

    @classmethod
    def from_settings(cls, settings: Mapping[str, object] | None) -> Weights:
        """Weights stored on a program (unknown keys ignored, bad values fall back)."""
        known = {f.name for f in fields(cls)}
        chosen: dict[str, float] = {}
        for key, value in (settings or {}).items():
            if key in known and isinstance(value, int | float) and 0 <= value <= 100:
                chosen[key] = float(value)
        return replace(cls(), **chosen)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Candidate:
    """One enrolled person, as matching sees them."""

    id: int  # the participant id
    user_id: str
    name: str
    role: str  # "mentor" (junior, shares new skills) or "mentee" (senior)
    career_stage: str | None = None
    department: str = ""
    manager_user_id: str | None = None
    skills_offered: tuple[str, ...] = ()
    skills_wanted: tuple[str, ...] = ()
    goals: str = ""
    meeting_formats: tuple[str, ...] = ()
    utc_offset_minutes: int = 0
    not_with: frozenset[str] = frozenset()  # user ids
    previous_partners: frozenset[str] = frozenset()  # user ids, this or earlier programs


@dataclass(frozen=True)
class PairScore:
    total: float
    excluded: str | None = None  # why the pair may not be made, in words
    taught: tuple[str, ...] = ()  # what the mentor teaches the mentee
    taught_back: tuple[str, ...] = ()
    shared_hopes: tuple[str, ...] = ()
    reverse_direction: bool = False
    different_departments: bool = False
    shared_hours: float = 0.0
    shared_formats: tuple[str, ...] = ()
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def two_way(self) -> bool:
        return bool(self.taught and self.taught_back)


@dataclass(frozen=True)
class Context:
    """What the pool knows beyond two people: the manager chains, and whether repeats are ok."""

    managers: Mapping[str, str] = field(default_factory=dict)  # user id -> manager's user id
    allow_repeats: bool = False

    def chain(self, user_id: str) -> set[str]:
        """Everyone above a person, as far as the pool knows (guarding against loops)."""
        above: set[str] = set()
        current = self.managers.get(user_id)
        while current and current not in above:
            above.add(current)
            current = self.managers.get(current)
        return above


def context_for(candidates: Iterable[Candidate], *, allow_repeats: bool = False) -> Context:
    managers = {c.user_id: c.manager_user_id for c in candidates if c.manager_user_id}
    return Context(managers=managers, allow_repeats=allow_repeats)


def exclusion(mentor: Candidate, mentee: Candidate, context: Context) -> str | None:
    """The hard rule a pair breaks, if any."""
    if mentor.user_id == mentee.user_id:
        return "the same person"
    if mentee.user_id in mentor.not_with or mentor.user_id in mentee.not_with:
        return "asked not to be paired"
    if not context.allow_repeats and (
        mentee.user_id in mentor.previous_partners or mentor.user_id in mentee.previous_partners
    ):
        return "paired before"
    if mentee.user_id in context.chain(mentor.user_id) or mentor.user_id in context.chain(
        mentee.user_id
    ):
        return "in the same manager chain"
    return None


def score_pair(
    mentor: Candidate, mentee: Candidate, weights: Weights, context: Context | None = None
) -> PairScore:
    excluded = exclusion(mentor, mentee, context or Context())
    if excluded:
        return PairScore(total=0.0, excluded=excluded)
    taught = overlap(mentor.skills_offered, mentee.skills_wanted)
    taught_back = overlap(mentee.skills_offered, mentor.skills_wanted)
    hopes = sorted(keywords(mentor.goals) & keywords(mentee.goals))
    hope_share = min(len(hopes) / 3, 1.0)
    reverse = (
        mentor.career_stage in STAGES
        and mentee.career_stage in STAGES
        and STAGES.index(mentee.career_stage) > STAGES.index(mentor.career_stage)
    )
    different = (
        bool(mentor.department and mentee.department)
        and mentor.department.casefold() != mentee.department.casefold()
    )
    hours = shared_working_hours(mentor.utc_offset_minutes, mentee.utc_offset_minutes)
    formats = overlap(mentor.meeting_formats, mentee.meeting_formats)
    parts = {
        "teach": weights.teach * min(len(taught), MAX_SKILLS_COUNTED),
        "teach_back": weights.teach_back * min(len(taught_back), MAX_SKILLS_COUNTED),
        "hopes": weights.hopes * hope_share,
        "direction": weights.direction if reverse else 0.0,
        "departments": weights.departments if different else 0.0,
        "timezone": weights.timezone * hours / WORKDAY_HOURS,
        "formats": weights.formats if formats else 0.0,
    }
    return PairScore(
        total=round(sum(parts.values()), 6),
        taught=taught,
        taught_back=taught_back,
        shared_hopes=tuple(hopes),
        reverse_direction=reverse,
        different_departments=different,
        shared_hours=hours,
        shared_formats=formats,
        parts=parts,
    )


def overlap(offered: Iterable[str], wanted: Iterable[str]) -> tuple[str, ...]:
    """What is offered that is wanted, case-insensitively, in the offering side's words."""
    wanted_keys = {skill.casefold().strip() for skill in wanted}
    seen: set[str] = set()
    found = []
    for skill in offered:
        key = skill.casefold().strip()
        if key in wanted_keys and key not in seen:
            seen.add(key)
            found.append(skill.strip())
    return tuple(found)


def keywords(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z0-9][a-z0-9+#-]{2,}", text.casefold())} - _STOPWORDS


def shared_working_hours(offset_a: int, offset_b: int) -> float:
    """Hours both are within 09:00-17:00 local on the same day."""
    gap_hours = abs(offset_a - offset_b) / 60 % 24
    gap_hours = min(gap_hours, 24 - gap_hours)  # +12 and -11 are an hour apart
    return max(0.0, WORKDAY_HOURS - gap_hours)
