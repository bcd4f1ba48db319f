"""The best matching of a whole pool: a maximum-weight assignment, not random and not greedy.

One-to-one programs solve mentors x mentees with `scipy.optimize.linear_sum_assignment`. Small
groups give each mentor up to `group_size - 1` mentee slots; the first slot of every mentor
carries a bonus larger than any score, so as many mentors as possible get a group before any
mentor gets a second mentee, and within that the total score is the highest possible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.matching.matrix import score_matrix
from bot.matching.scoring import Candidate, Context, Weights, context_for

FORBIDDEN = -1e9


@dataclass(frozen=True)
class Match:
    mentor: int  # participant id
    mentees: tuple[int, ...]  # one, or several in the group format
    scores: tuple[float, ...]  # per mentee

    @property
    def score(self) -> float:
        return round(sum(self.scores), 6)


@dataclass(frozen=True)
class Unmatched:
    candidate: int  # participant id
    reason: str


@dataclass(frozen=True)
class Assignment:
    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]

    @property
    def total(self) -> float:
        return round(sum(match.score for match in self.matches), 6)


def match_pool(
    mentors: Sequence[Candidate],
    mentees: Sequence[Candidate],
    weights: Weights,
    *,
    group_size: int = 2,
    allow_repeats: bool = False,
) -> Assignment:
    context = context_for([*mentors, *mentees], allow_repeats=allow_repeats)
    scores, allowed = score_matrix(mentors, mentees, weights, context)
    return assign(mentors, mentees, scores, allowed, group_size=group_size)


def assign(
    mentors: Sequence[Candidate],
    mentees: Sequence[Candidate],
    scores: np.ndarray,
    allowed: np.ndarray,
    *,
    group_size: int = 2,
) -> Assignment:
    slots = max(group_size - 1, 1)
    if not mentors or not mentees:
        return Assignment((), _all_unmatched(mentors, mentees))
    # Columns are mentor slots: mentor i's slot k is column k * len(mentors) + i.
    weight = np.where(allowed, scores, FORBIDDEN)
    tiled = np.tile(weight.T, (1, slots))  # mentees x (mentors * slots)
    if slots > 1:
        first_slot_bonus = (float(np.abs(scores).sum()) + 1.0) if allowed.any() else 0.0
        tiled[:, : len(mentors)] += np.where(allowed.T, first_slot_bonus, 0.0)
    # Imported here: SciPy costs every process ~45 MiB, and only matching needs it.
    from scipy.optimize import linear_sum_assignment

    rows, columns = linear_sum_assignment(tiled, maximize=True)

    chosen: dict[int, list[tuple[int, float]]] = {}
    placed: set[int] = set()
    for j, column in zip(rows, columns, strict=True):
        i = column % len(mentors)
        if allowed[i, j]:
            chosen.setdefault(i, []).append((j, float(scores[i, j])))
            placed.add(j)
    matches = tuple(
        Match(
            mentor=mentors[i].id,
            mentees=tuple(mentees[j].id for j, _ in sorted(pairs)),
            scores=tuple(score for _, score in sorted(pairs)),
        )
        for i, pairs in sorted(chosen.items())
    )
    unmatched = [
        Unmatched(m.id, _reason(allowed[i, :], "mentee", len(mentees), len(mentors)))
        for i, m in enumerate(mentors)
        if i not in chosen
    ] + [
        Unmatched(e.id, _reason(allowed[:, j], "mentor place", len(mentors) * slots, len(mentees)))
        for j, e in enumerate(mentees)
        if j not in placed
    ]
    return Assignment(matches, tuple(unmatched))


def _reason(row: np.ndarray, other: str, others: int, mine: int) -> str:
    if not row.any():
        return f"every possible {other} is ruled out (paired before, asked not to, or manager)"
    if mine > others:
        return f"more people than places: not enough {other}s for everyone this round"
    return f"the {other}s they could meet were all better matched with someone else"


def _all_unmatched(mentors: Sequence[Candidate], mentees: Sequence[Candidate]) -> tuple:
    return tuple(
        [Unmatched(m.id, "there are no mentees to match with yet") for m in mentors]
        + [Unmatched(e.id, "there are no reverse mentors to match with yet") for e in mentees]
    )


__all__ = ["Assignment", "Context", "Match", "Unmatched", "assign", "match_pool"]
