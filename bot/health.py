"""Health rules: which pairings are at risk or stalled, and what to do about it.

Each rule looks at the state at an instant, records flags and plans nudges through the outbox.
The list the bot runs is wired in `bot.bootstrap`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

Rule = Callable[[Session, datetime], int]


def evaluate(session: Session, now: datetime, rules: Sequence[Rule]) -> int:
    """Apply every rule; returns how many flags changed."""
    return sum(rule(session, now) for rule in rules)
