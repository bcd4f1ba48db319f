"""What is due now: each planner turns the program's state at an instant into outbox rows.

Planners are idempotent (every row has a unique key), so running them twice at one instant,
or on several replicas at once, plans each message once. Later features add their planners
to `PLANNERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

Planner = Callable[[Session, datetime], int]

PLANNERS: list[Planner] = []


def plan_due(session: Session, now: datetime, planners: list[Planner] | None = None) -> int:
    """Run every planner; returns how many deliveries were newly planned."""
    return sum(planner(session, now) for planner in (PLANNERS if planners is None else planners))
