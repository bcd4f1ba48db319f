"""The score of every mentor-mentee pair of a pool at once, with numpy and sparse products.

`scoring.score_pair` says the same for one pair (and explains it); this computes the whole
matrix fast enough for thousands of people. A test checks that the two always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from bot.matching.scoring import (
    MAX_SKILLS_COUNTED,
    STAGES,
    WORKDAY_HOURS,
    Candidate,
    Context,
    Weights,
    exclusion,
    keywords,
)


def _common(
    left: Sequence[Sequence[str] | set[str]],
    right: Sequence[Sequence[str] | set[str]],
    normalise: Callable[[str], str],
) -> np.ndarray:
    """How many distinct terms each left row shares with each right row (a sparse product)."""
    vocabulary: dict[str, int] = {}
    columns = [
        [
            sorted({vocabulary.setdefault(normalise(t), len(vocabulary)) for t in terms})
            for terms in side
        ]
        for side in (left, right)
    ]
    size = max(len(vocabulary), 1)
    a, b = (_incidence(rows, size) for rows in columns)
    return (a @ b.T).toarray().astype(np.float64)


def _incidence(rows: list[list[int]], size: int) -> Any:
    """A sparse 0/1 matrix of which terms each row has."""
    # Imported here: SciPy costs every process ~45 MiB, and only matching needs it.
    from scipy import sparse

    indptr = np.cumsum([0] + [len(row) for row in rows])
    indices = np.fromiter((c for row in rows for c in row), dtype=np.int64, count=indptr[-1])
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), size))


def _skill_key(skill: str) -> str:
    return skill.casefold().strip()


def score_matrix(
    mentors: Sequence[Candidate],
    mentees: Sequence[Candidate],
    weights: Weights,
    context: Context,
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, allowed): float scores of mentors x mentees, and where no hard rule forbids."""
    shape = (len(mentors), len(mentees))
    if 0 in shape:
        return np.zeros(shape), np.zeros(shape, dtype=bool)
    taught = _common(
        [m.skills_offered for m in mentors], [e.skills_wanted for e in mentees], _skill_key
    )
    taught_back = _common(
        [m.skills_wanted for m in mentors], [e.skills_offered for e in mentees], _skill_key
    )
    hopes = _common([keywords(m.goals) for m in mentors], [keywords(e.goals) for e in mentees], str)
    formats = _common(
        [m.meeting_formats for m in mentors], [e.meeting_formats for e in mentees], _skill_key
    )

    stage_m = np.array([_stage(m.career_stage) for m in mentors])
    stage_e = np.array([_stage(e.career_stage) for e in mentees])
    reverse = (
        (stage_e[None, :] > stage_m[:, None]) & (stage_m[:, None] >= 0) & (stage_e[None, :] >= 0)
    )

    departments: dict[str, int] = {}
    dept_m = np.array([_code(m.department, departments) for m in mentors])
    dept_e = np.array([_code(e.department, departments) for e in mentees])
    different = (
        (dept_m[:, None] != dept_e[None, :]) & (dept_m[:, None] >= 0) & (dept_e[None, :] >= 0)
    )

    offset_m = np.array([m.utc_offset_minutes for m in mentors], dtype=np.float64)
    offset_e = np.array([e.utc_offset_minutes for e in mentees], dtype=np.float64)
    gap = np.abs(offset_m[:, None] - offset_e[None, :]) / 60 % 24
    gap = np.minimum(gap, 24 - gap)
    hours = np.maximum(0.0, WORKDAY_HOURS - gap)

    scores = (
        weights.teach * np.minimum(taught, MAX_SKILLS_COUNTED)
        + weights.teach_back * np.minimum(taught_back, MAX_SKILLS_COUNTED)
        + weights.hopes * np.minimum(hopes / 3, 1.0)
        + weights.direction * reverse
        + weights.departments * different
        + weights.timezone * hours / WORKDAY_HOURS
        + weights.formats * (formats > 0)
    )
    allowed = np.ones(shape, dtype=bool)
    for i, j in _possibly_excluded(mentors, mentees, context):
        if exclusion(mentors[i], mentees[j], context):
            allowed[i, j] = False
    return np.round(scores, 6) * allowed, allowed


def _possibly_excluded(
    mentors: Sequence[Candidate], mentees: Sequence[Candidate], context: Context
) -> set[tuple[int, int]]:
    """The few pairs a hard rule could touch, found from each person's own lists."""
    mentor_at = {m.user_id: i for i, m in enumerate(mentors)}
    mentee_at = {e.user_id: j for j, e in enumerate(mentees)}
    pairs: set[tuple[int, int]] = set()
    for i, mentor in enumerate(mentors):
        named = set(mentor.not_with) | set(mentor.previous_partners) | context.chain(mentor.user_id)
        named.add(mentor.user_id)
        pairs.update((i, mentee_at[user]) for user in named if user in mentee_at)
    for j, mentee in enumerate(mentees):
        named = set(mentee.not_with) | set(mentee.previous_partners) | context.chain(mentee.user_id)
        named.add(mentee.user_id)
        pairs.update((mentor_at[user], j) for user in named if user in mentor_at)
    return pairs


def _stage(stage: str | None) -> int:
    return STAGES.index(stage) if stage in STAGES else -1


def _code(department: str, codes: dict[str, int]) -> int:
    key = department.casefold().strip()
    if not key:
        return -1
    return codes.setdefault(key, len(codes))
