"""What is due now: each planner turns the programs' state at an instant into outbox rows.

Planners are idempotent (every row has a unique key), so running them twice at one instant,
or on several replicas at once, plans each message once. The list the bot runs is wired in
`bot.bootstrap`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

Planner = Callable[[Session, datetime], int]


def plan_due(session: Session, now: datetime, planners: Sequence[Planner]) -> int:
    """Run every planner; returns how many deliveries were newly planned."""
    return sum(planner(session, now) for planner in planners)
