"""`/mentoring status [program]`: health for organizers, your own pairing for everyone else."""

from __future__ import annotations

from bot import programs, status
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.outbox import store
from bot.slack.blocks.common import escape
from bot.slack.blocks.status import (
    organizer_status,
    participant_status,
    several_programs,
    status_csv,
)
from bot.slack.commands.router import (
    COMMAND,
    CommandContext,
    Reply,
    Subcommand,
    named_programs,
)

USAGE = f"{COMMAND} status [program]"


def run(ctx: CommandContext) -> Reply:
    now = ctx.services.clock.now()
    if not ctx.is_organizer:
        with unit_of_work(ctx.services.sessions) as session:
            mine = status.my_status(session, ctx.team_id, ctx.user_id, now)
        text, blocks = participant_status(mine)
        return {"text": text, "blocks": blocks}
    name = ctx.args.strip()
    with unit_of_work(ctx.services.sessions) as session:
        chosen = named_programs(session, ctx.team_id, name)
        if not isinstance(chosen, list):
            return chosen
        healths = [status.program_health(session, p, now) for p in chosen]
    if len(healths) > 1:
        text, blocks = several_programs(healths, now.date())
        return {"text": text, "blocks": blocks}
    health = healths[0]
    text, blocks = organizer_status(health, now.date())
    if health.open_flag_count > len(health.open_flags) or health.failure_count > len(
        health.failures
    ):
        program_id = health.program.id
        ctx.services.later(
            lambda: send_full_lists(ctx.services, ctx.team_id, ctx.user_id, program_id, health)
        )
    return {"text": text, "blocks": blocks}


def send_full_lists(
    services: Services,
    team_id: str,
    user_id: str,
    program_id: int,
    health: status.ProgramHealth | None = None,
) -> None:
    """Every open flag and failure, as a CSV in the organizer's direct messages, through the
    outbox, under a key that sends the same lists once a day (bot.status.full_lists_key).

    `health` is the status just shown, when there is one: no need to compute it twice."""
    now = services.clock.now()
    with unit_of_work(services.sessions) as session:
        program = programs.get(session, team_id, program_id)
        if program is None:
            return
        content = status_csv(
            health or status.program_health(session, program, now),
            status.open_flags(session, program),
            status.failures(session, program),
        )
        fresh = store.enqueue(
            session,
            team_id=team_id,
            key=status.full_lists_key(program_id, user_id, now.date(), content),
            message=store.Message(
                user_id,
                f"Every open flag and undelivered message of {escape(program.name)}.",
                file={
                    "filename": f"status-{program_id}.csv",
                    "title": f"Open flags and undelivered messages: {program.name}",
                    "content": content,
                },
            ),
            not_before=now,
            program_id=program_id,
        )
    if fresh:
        services.send_soon()


SUBCOMMANDS = [
    Subcommand(
        "status",
        USAGE,
        "how a program is doing (or, for participants, your own pairing)",
        run,
        answers_later=True,
    ),
]
