"""The assignment is the best of all possible matchings, and nobody is silently left out."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from bot.matching.assign import match_pool
from bot.matching.matrix import score_matrix
from bot.matching.scoring import Weights, context_for
from tests.matching.test_scoring import random_pool


def brute_force_best(mentors, mentees) -> float:
    """Try every one-to-one matching (small pools only)."""
    context = context_for([*mentors, *mentees])
    scores, allowed = score_matrix(mentors, mentees, Weights(), context)
    small, large = (mentors, mentees) if len(mentors) <= len(mentees) else (mentees, mentors)
    best = 0.0
    for chosen in itertools.permutations(range(len(large)), len(small)):
        total = 0.0
        for a, b in enumerate(chosen):
            i, j = (a, b) if small is mentors else (b, a)
            if allowed[i, j]:
                total += scores[i, j]
        best = max(best, total)
    return round(best, 6)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(("n_mentors", "n_mentees"), [(5, 5), (4, 6), (6, 3)])
def test_one_to_one_is_optimal_against_brute_force(seed, n_mentors, n_mentees) -> None:
    mentors, _ = random_pool(seed, n_mentors)
    _, mentees = random_pool(seed + 100, n_mentees)
    mentees = [replace(e, id=e.id + 1000, user_id=f"V{e.id}") for e in mentees]

    result = match_pool(mentors, mentees, Weights())

    assert result.total == pytest.approx(brute_force_best(mentors, mentees))
    placed = [m.mentor for m in result.matches] + [e for m in result.matches for e in m.mentees]
    assert len(placed) == len(set(placed))  # nobody twice
    everyone = {c.id for c in [*mentors, *mentees]}
    assert set(placed) | {u.candidate for u in result.unmatched} == everyone  # nobody lost
    assert all(len(match.mentees) == 1 for match in result.matches)


def test_uneven_numbers_list_the_unmatched_with_a_reason() -> None:
    mentors, mentees = random_pool(1, 4)
    result = match_pool(mentors, mentees[:3], Weights())
    [left_out] = result.unmatched
    assert left_out.candidate in {m.id for m in mentors}
    assert "not enough mentees" in left_out.reason


def test_someone_everyone_is_ruled_out_for_says_so() -> None:
    mentors, mentees = random_pool(2, 3)
    mentors = [
        replace(m, not_with=frozenset(), previous_partners=frozenset(), manager_user_id=None)
        for m in mentors
    ]
    mentees = [
        replace(e, not_with=frozenset(), previous_partners=frozenset(), manager_user_id=None)
        for e in mentees
    ]
    loner = replace(mentees[0], not_with=frozenset(m.user_id for m in mentors))
    result = match_pool(mentors, [loner, *mentees[1:]], Weights())
    reasons = {u.candidate: u.reason for u in result.unmatched}
    assert "every possible mentor place is ruled out" in reasons[loner.id]
    assert all(loner.id not in m.mentees for m in result.matches)


def test_groups_give_every_mentor_a_group_before_anyone_gets_a_second_mentee() -> None:
    mentors, _ = random_pool(3, 3)
    _, mentees = random_pool(4, 7)
    mentees = [replace(e, id=e.id + 1000, user_id=f"V{e.id}") for e in mentees]
    mentors = [
        replace(m, not_with=frozenset(), previous_partners=frozenset(), manager_user_id=None)
        for m in mentors
    ]

    result = match_pool(mentors, mentees, Weights(), group_size=4)  # a mentor and 3 mentees

    sizes = sorted(len(match.mentees) for match in result.matches)
    assert len(result.matches) == 3
    assert sum(sizes) == 7 and max(sizes) <= 3 and min(sizes) >= 1
    assert result.unmatched == ()


def unconstrained(people):
    return [
        replace(p, not_with=frozenset(), previous_partners=frozenset(), manager_user_id=None)
        for p in people
    ]


def test_groups_are_optimal_for_the_same_number_of_groups() -> None:
    mentors = unconstrained(random_pool(5, 2)[0])
    _, mentees = random_pool(6, 4)
    mentees = unconstrained([replace(e, id=e.id + 1000, user_id=f"V{e.id}") for e in mentees])
    context = context_for([*mentors, *mentees])
    scores, allowed = score_matrix(mentors, mentees, Weights(), context)
    best = 0.0
    for owners in itertools.product(range(2), repeat=4):  # each mentee to mentor 0 or 1
        if owners.count(0) > 2 or owners.count(1) > 2 or len(set(owners)) < 2:
            continue
        assert all(allowed[o, j] for j, o in enumerate(owners))
        best = max(best, sum(scores[o, j] for j, o in enumerate(owners)))
    result = match_pool(mentors, mentees, Weights(), group_size=3)
    assert best > 0
    assert result.total == pytest.approx(best)


def test_an_empty_side_leaves_everyone_waiting_with_a_reason() -> None:
    mentors, _ = random_pool(7, 2)
    result = match_pool(mentors, [], Weights())
    assert result.matches == ()
    assert {u.reason for u in result.unmatched} == {"there are no mentees to match with yet"}
