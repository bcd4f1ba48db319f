"""Health rules: which pairings are at risk or stalled, and what to do about it.

Each rule looks at the state at an instant and records flags (and plans nudges through the
outbox). Later features add their rules to `RULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

Rule = Callable[[Session, datetime], int]

RULES: list[Rule] = []


def evaluate(session: Session, now: datetime, rules: list[Rule] | None = None) -> int:
    """Apply every rule; returns how many flags changed."""
    return sum(rule(session, now) for rule in (RULES if rules is None else rules))
