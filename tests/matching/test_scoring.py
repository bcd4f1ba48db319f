"""Scoring and its explanation: what makes a good reverse mentoring pair."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from bot.matching.explain import reason
from bot.matching.matrix import score_matrix
from bot.matching.scoring import (
    Candidate,
    Context,
    Weights,
    context_for,
    score_pair,
    shared_working_hours,
)

ANA = Candidate(
    id=1,
    user_id="UANA",
    name="Ana",
    role="mentor",
    career_stage="early",
    department="Marketing",
    skills_offered=("TikTok campaigns", "AI tools"),
    skills_wanted=("Budgeting",),
    goals="Understand how budget decisions get made",
    meeting_formats=("coffee", "walk"),
    utc_offset_minutes=60,
)
BEN = Candidate(
    id=2,
    user_id="UBEN",
    name="Ben",
    role="mentee",
    career_stage="executive",
    department="Finance",
    skills_offered=("budgeting", "Negotiation"),
    skills_wanted=("tiktok campaigns",),
    goals="Budget decisions and reaching younger customers",
    meeting_formats=("video", "coffee"),
    utc_offset_minutes=-240,
)


def test_a_two_way_pair_scores_every_part_and_reads_well() -> None:
    score = score_pair(ANA, BEN, Weights())
    assert score.taught == ("TikTok campaigns",)
    assert score.taught_back == ("budgeting",)
    assert score.two_way
    assert score.reverse_direction and score.different_departments
    assert score.shared_hours == 3.0  # Berlin and New York share 3 h of 9-to-5
    assert score.shared_formats == ("coffee",)
    assert score.shared_hopes == ("budget", "decisions")
    assert score.total == pytest.approx(3 + 3 + 2 * 2 / 3 + 2 + 1 + 2 * 3 / 8 + 1)
    assert reason(ANA, BEN, score) == (
        "Ana can teach TikTok campaigns, which Ben wants; Ben can teach budgeting, which Ana "
        "wants; both hope for budget and decisions; Ana is earlier in their career; different "
        "departments; 3 h of shared working hours; both like coffee"
    )


def test_the_organizers_weights_change_the_score() -> None:
    heavy = Weights.from_settings({"teach_back": 10, "formats": 0, "unknown": 5, "hopes": "x"})
    assert heavy.teach_back == 10 and heavy.formats == 0 and heavy.hopes == Weights().hopes
    assert score_pair(ANA, BEN, heavy).total > score_pair(ANA, BEN, Weights()).total


@pytest.mark.parametrize(
    ("mentor_changes", "mentee_changes", "context", "why"),
    [
        ({"user_id": "UBEN"}, {}, Context(), "the same person"),
        ({"not_with": frozenset({"UBEN"})}, {}, Context(), "asked not to be paired"),
        ({}, {"not_with": frozenset({"UANA"})}, Context(), "asked not to be paired"),
        ({"previous_partners": frozenset({"UBEN"})}, {}, Context(), "paired before"),
        ({}, {}, Context(managers={"UANA": "UCAT", "UCAT": "UBEN"}), "in the same manager chain"),
    ],
)
def test_hard_rules_exclude_a_pair(mentor_changes, mentee_changes, context, why) -> None:
    mentor, mentee = replace(ANA, **mentor_changes), replace(BEN, **mentee_changes)
    score = score_pair(mentor, mentee, Weights(), context)
    assert score.excluded == why
    assert score.total == 0
    assert reason(mentor, mentee, score).startswith("Not allowed")


def test_repeats_can_be_allowed_by_the_organizer() -> None:
    again = replace(ANA, previous_partners=frozenset({"UBEN"}))
    assert score_pair(again, BEN, Weights(), Context(allow_repeats=True)).excluded is None


def test_working_hours_wrap_around_the_date_line() -> None:
    assert shared_working_hours(12 * 60, -11 * 60) == 7.0
    assert shared_working_hours(0, 0) == 8.0
    assert shared_working_hours(0, 9 * 60) == 0.0


def random_pool(seed: int, size: int) -> tuple[list[Candidate], list[Candidate]]:
    rng = random.Random(seed)
    skills = ["TikTok", "AI tools", "Budgeting", "Strategy", "Podcasts", "Negotiation", "Gen Z"]
    depts = ["Sales", "Finance", "IT", "", "HR"]
    stages = ["early", "mid", "senior", "executive", None]
    words = "budget customers tiktok strategy decisions leadership podcasts growth".split()
    people = []
    for n in range(size * 2):
        people.append(
            Candidate(
                id=n,
                user_id=f"U{n}",
                name=f"P{n}",
                role="mentor" if n < size else "mentee",
                career_stage=rng.choice(stages),
                department=rng.choice(depts),
                manager_user_id=f"U{rng.randrange(size * 2)}" if rng.random() < 0.2 else None,
                skills_offered=tuple(rng.sample(skills, rng.randint(0, 3))),
                skills_wanted=tuple(rng.sample(skills, rng.randint(0, 3))),
                goals=" ".join(rng.sample(words, rng.randint(0, 4))),
                meeting_formats=tuple(rng.sample(["coffee", "lunch", "walk", "video"], 2)),
                utc_offset_minutes=rng.choice([-480, -300, 0, 60, 330, 540, 720]),
                not_with=frozenset({f"U{rng.randrange(size * 2)}"})
                if rng.random() < 0.2
                else frozenset(),
                previous_partners=frozenset({f"U{rng.randrange(size * 2)}"})
                if rng.random() < 0.2
                else frozenset(),
            )
        )
    return people[:size], people[size:]


@pytest.mark.parametrize("seed", range(5))
def test_the_whole_matrix_agrees_with_pair_by_pair_scoring(seed: int) -> None:
    mentors, mentees = random_pool(seed, 15)
    context = context_for([*mentors, *mentees])
    scores, allowed = score_matrix(mentors, mentees, Weights(), context)
    for i, mentor in enumerate(mentors):
        for j, mentee in enumerate(mentees):
            pair = score_pair(mentor, mentee, Weights(), context)
            assert allowed[i, j] == (pair.excluded is None)
            assert scores[i, j] == pytest.approx(pair.total if allowed[i, j] else 0.0)
    assert np.all(scores >= 0)
