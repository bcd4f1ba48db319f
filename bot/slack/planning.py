"""The planners and health rules the tick runs, in order: each plans its messages (rendered with
Block Kit) into the outbox under unique keys."""

from __future__ import annotations

from bot.health import Rule
from bot.planner import Planner

PLANNERS: list[Planner] = []
RULES: list[Rule] = []
