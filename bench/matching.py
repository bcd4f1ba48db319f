"""Matching benchmark: our optimal assignment against random and greedy pairing.

Generates realistic pools (skills from the default catalogue with skewed popularity,
departments, career stages, time zones) and prints, for each size: wall time and peak memory
of our matching, and the total score and the share of pairs with a two-way skill exchange for
ours, random pairing (what coffee bots do) and greedy best-first. On the small size it checks
our total against an independent solver (HiGHS linear programming through scipy.linprog).

    python bench/matching.py [--sizes 200,1000,2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.matching.assign import match_pool
from bot.matching.matrix import score_matrix
from bot.matching.scoring import Candidate, Weights, context_for, score_pair
from bot.programs import DEFAULT_SKILLS

JUNIOR_SKILLS = [*DEFAULT_SKILLS[:5], "TikTok", "Prompting", "Figma", "Notion"]
SENIOR_SKILLS = [*DEFAULT_SKILLS[5:], "Budgeting", "Public speaking", "M&A"]
DEPARTMENTS = ["Sales", "Marketing", "Finance", "IT", "HR", "Operations", "Legal", "R&D"]
OFFSETS = [-480, -300, -240, 0, 60, 120, 330, 480, 540]
GOAL_WORDS = (
    "customers tiktok strategy budget decisions leadership podcasts growth ai culture "
    "career influence negotiation data video"
).split()


def skewed(rng: random.Random, items: list[str], k: int) -> tuple[str, ...]:
    """Popular skills first: weights fall off like 1/rank."""
    weights = [1 / (rank + 1) for rank in range(len(items))]
    chosen: list[str] = []
    while len(chosen) < k:
        pick = rng.choices(items, weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    return tuple(chosen)


def pool(size: int, seed: int) -> tuple[list[Candidate], list[Candidate]]:
    rng = random.Random(seed)
    mentors, mentees = [], []
    for n in range(size):
        mentors.append(
            Candidate(
                id=n,
                user_id=f"UM{n}",
                name=f"M{n}",
                role="mentor",
                career_stage=rng.choices(["early", "mid"], [3, 1])[0],
                department=rng.choice(DEPARTMENTS),
                skills_offered=skewed(rng, JUNIOR_SKILLS, rng.randint(1, 3)),
                skills_wanted=skewed(rng, SENIOR_SKILLS, rng.randint(1, 3)),
                goals=" ".join(rng.sample(GOAL_WORDS, 3)),
                meeting_formats=tuple(rng.sample(["coffee", "lunch", "walk", "video"], 2)),
                utc_offset_minutes=rng.choice(OFFSETS),
            )
        )
        mentees.append(
            Candidate(
                id=size + n,
                user_id=f"UE{n}",
                name=f"E{n}",
                role="mentee",
                career_stage=rng.choices(["senior", "executive", "mid"], [4, 2, 1])[0],
                department=rng.choice(DEPARTMENTS),
                skills_offered=skewed(rng, SENIOR_SKILLS, rng.randint(1, 3)),
                skills_wanted=skewed(rng, JUNIOR_SKILLS, rng.randint(1, 3)),
                goals=" ".join(rng.sample(GOAL_WORDS, 3)),
                meeting_formats=tuple(rng.sample(["coffee", "lunch", "walk", "video"], 2)),
                utc_offset_minutes=rng.choice(OFFSETS),
            )
        )
    return mentors, mentees


def evaluate(pairs: list[tuple[int, int]], mentors, mentees, context) -> tuple[float, float]:
    weights = Weights()
    total, two_way = 0.0, 0
    for i, j in pairs:
        score = score_pair(mentors[i], mentees[j], weights, context)
        total += score.total
        two_way += score.two_way
    return total, two_way / max(len(pairs), 1)


def random_pairs(n: int, seed: int) -> list[tuple[int, int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return list(enumerate(order))


def greedy_pairs(scores: np.ndarray) -> list[tuple[int, int]]:
    """Best remaining pair first, the usual hand-made approach."""
    order = np.argsort(-scores, axis=None, kind="stable")
    used_i, used_j, pairs = set(), set(), []
    for flat in order:
        i, j = divmod(int(flat), scores.shape[1])
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            pairs.append((i, j))
            if len(pairs) == min(scores.shape):
                break
    return pairs


def lp_optimum(scores: np.ndarray) -> float:
    """The assignment LP solved by HiGHS: an independent check of the optimum."""
    n, m = scores.shape
    rows = sparse.kron(sparse.eye(n), np.ones((1, m)))
    columns = sparse.kron(np.ones((1, n)), sparse.eye(m))
    result = linprog(
        -scores.ravel(),
        A_ub=sparse.vstack([rows, columns]),
        b_ub=np.ones(n + m),
        bounds=(0, 1),
        method="highs",
    )
    return -result.fun


def sparse_optimum(scores: np.ndarray) -> float:
    """The same optimum by another algorithm (LAPJVsp on a sparse graph), for every size."""
    costs = (scores.max() + 1.0) - scores  # all positive, so no edge reads as missing
    rows, columns = min_weight_full_bipartite_matching(sparse.csr_matrix(costs))
    return float(scores[rows, columns].sum())


def run(size: int, seed: int) -> dict[str, object]:
    mentors, mentees = pool(size, seed)
    tracemalloc.start()
    started = time.perf_counter()
    ours = match_pool(mentors, mentees, Weights())
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    context = context_for([*mentors, *mentees])
    index = {c.id: k for k, c in enumerate(mentors)} | {c.id: k for k, c in enumerate(mentees)}
    our_pairs = [(index[m.mentor], index[m.mentees[0]]) for m in ours.matches]
    scores, _ = score_matrix(mentors, mentees, Weights(), context)
    row = {
        "size": f"{size}x{size}",
        "seconds": seconds,
        "peak_mib": peak / 2**20,
        "ours": evaluate(our_pairs, mentors, mentees, context),
        "random": evaluate(random_pairs(size, seed), mentors, mentees, context),
        "greedy": evaluate(greedy_pairs(scores), mentors, mentees, context),
        "lp": lp_optimum(scores) if size <= 200 else None,
        "sparse": sparse_optimum(scores),
    }
    return row


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6 * max(1.0, abs(b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000,2000")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(
        f"{'pool':>11} {'time s':>7} {'peak MiB':>8} | {'total ours':>10} {'greedy':>9} "
        f"{'random':>9} | {'2-way ours':>10} {'greedy':>6} {'random':>6} | independent solvers"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        r = run(size, args.seed)
        (ours, two_ours), (greedy, two_greedy), (rand, two_rand) = (
            r["ours"],
            r["greedy"],
            r["random"],
        )
        checks = [("LAPJVsp", r["sparse"]), ("HiGHS LP", r["lp"])]
        check = ", ".join(
            f"{name} {value:.1f} ({'equal' if _same(value, ours) else 'DIFFERENT'})"
            for name, value in checks
            if value is not None
        )
        print(
            f"{r['size']:>11} {r['seconds']:7.2f} {r['peak_mib']:8.1f} | {ours:10.1f} "
            f"{greedy:9.1f} {rand:9.1f} | {two_ours:10.0%} {two_greedy:6.0%} {two_rand:6.0%} | "
            f"{check}"
        )


if __name__ == "__main__":
    main()
