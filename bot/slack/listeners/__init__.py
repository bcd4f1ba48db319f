"""Listeners; `register_listeners` is the one place they are wired.

`commands` routes `/mentoring`, `events` handles the Events API, and each feature module
registers its own buttons and modal submissions.
"""

from __future__ import annotations

from slack_bolt import App

from bot.bootstrap import Services


def register_listeners(app: App, services: Services) -> None:
    # Imported here, not above: subcommands import some listener modules, and the listeners'
    # `commands` imports the subcommands, so either package can be imported first.
    from bot.slack.listeners import (
        checkins,
        commands,
        enrolment,
        events,
        flags,
        guides,
        invitations,
        join_form,
        kickoff,
        matching,
        meetings,
        programs,
        reports,
        talk,
        wins,
    )

    commands.register(app, services)
    events.register(app, services)
    for feature in (
        programs,
        invitations,
        enrolment,
        join_form,
        matching,
        meetings,
        checkins,
        flags,
        wins,
        reports,
        guides,
        talk,
        kickoff,
    ):
        feature.register(app, services)
