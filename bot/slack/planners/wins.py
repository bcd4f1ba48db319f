"""The weekly wins digest: every Monday from 09:00 UTC, one DM per organizer per program that
had new wins in the past 7 days, each shareable win with a Publish button.

Keys (`wins-digest:<program>:<organizer>:<ISO week>`) make it once a week per organizer, on any
number of replicas; digests already planned this week are not rendered again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from bot import wins
from bot.organizers import list_organizers
from bot.outbox import store
from bot.planner import Planner
from bot.slack.blocks.wins import digest_message


def make_planner(configured: frozenset[str] = frozenset()) -> Planner:
    """The planner with the organizers from MENTORING_ORGANIZERS (they have no rows)."""

    def planner(session: Session, now: datetime) -> int:
        return plan_digests(session, now, configured)

    return planner


def plan(session: Session, now: datetime) -> int:
    """Digests for organizers added in Slack only; `make_planner` is the full one."""
    return plan_digests(session, now, frozenset())


def plan_digests(session: Session, now: datetime, configured: frozenset[str]) -> int:
    """Plan this week's digests that are not planned yet; returns how many are new."""
    week = wins.digest_week(now)
    if week is None:
        return 0
    organizers_of = _organizers(session, configured)
    planned = 0
    for team_id, program_id in wins.digest_programs(session, now):
        keys = {
            wins.digest_key(program_id, organizer, week): organizer
            for organizer in organizers_of(team_id)
        }
        fresh = set(keys) - store.planned_keys(session, team_id, list(keys))
        digest = wins.digest_for(session, program_id, now) if fresh else None
        if digest is None:
            continue
        text, blocks = digest_message(digest)
        planned += store.enqueue_many(
            session,
            team_id=team_id,
            planned=[(key, store.Message(keys[key], text, blocks)) for key in sorted(fresh)],
            not_before=now,
            program_id=program_id,
        )
    return planned


def _organizers(session: Session, configured: frozenset[str]) -> Callable[[str], list[str]]:
    cache: dict[str, list[str]] = {}

    def organizers(team_id: str) -> list[str]:
        if team_id not in cache:
            cache[team_id] = [user for user, _ in list_organizers(session, team_id, configured)]
        return cache[team_id]

    return organizers
