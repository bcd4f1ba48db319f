"""The planners and health rules the tick runs, in order: each plans its messages (rendered with
Block Kit) into the outbox under unique keys."""

from __future__ import annotations

from bot.health import Rule
from bot.planner import Planner
from bot.slack.planners import checkins, health, meetings, prompts, surveys

PLANNERS: list[Planner] = [meetings.plan, prompts.plan, checkins.plan, surveys.plan]
RULES: list[Rule] = [health.plan]
