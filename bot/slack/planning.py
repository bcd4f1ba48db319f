"""The planners and health rules the tick runs, in order: each plans its messages (rendered with
Block Kit) into the outbox under unique keys.

Some need what the settings say (the organizers named in MENTORING_ORGANIZERS have no rows) or
a client (to edit an organizer's flag message in place), so they are built here at start.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.health import Rule
from bot.planner import Planner
from bot.slack.planners import checkins, health, meetings, prompts, surveys, wins
from bot.slack.planners import kickoff as kickoff_planner
from bot.slack.planners import sponsor as sponsor_planner


def planners(configured: frozenset[str], client: WebClient) -> list[Planner]:
    return [
        meetings.plan,
        prompts.plan,
        checkins.plan,
        surveys.plan,
        wins.make_planner(configured),
        kickoff_planner.plan,
        sponsor_planner.plan,
    ]


def rules(configured: frozenset[str], client: WebClient) -> list[Rule]:
    return [health.make_rule(configured, client)]
