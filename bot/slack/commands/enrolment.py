"""`/mentoring join [program]`, `/mentoring profile [program]` and `/mentoring leave [program]`.

The join modal is built here for the command and for the Join button alike (see
`bot/slack/listeners/enrolment.py`), so both apply the same refusals.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy.orm import Session

from bot import enrolment, programs
from bot.db import unit_of_work
from bot.models import Participant, ParticipantStatus, Program
from bot.slack.blocks import enrolment as blocks
from bot.slack.blocks import participation
from bot.slack.commands.router import COMMAND, CommandContext, Reply, Subcommand, reply
from bot.slack.interaction import open_modal

log = logging.getLogger(__name__)

QUOTES = "\"'\u201c\u201d\u2018\u2019"  # straight and curly quotes around a name

COULD_NOT_OPEN = (
    "Sorry, Slack didn't let me open the form just now (it may have taken too long). "
    "Please try again."
)


def program_name(args: str) -> str:
    """The program named after the subcommand, without quotes people may add around it."""
    return " ".join(args.strip().strip(QUOTES).split())


def join_view(session: Session, program: Program, user_id: str) -> dict[str, Any]:
    """The join modal for this person, pre-filled from an earlier enrolment or invitation."""
    answers = enrolment.prefill(session, program, user_id)
    metadata = json.dumps({"program_id": program.id})
    return blocks.join_modal(program, answers, private_metadata=metadata)


def edit_view(participant: Participant) -> dict[str, Any]:
    metadata = json.dumps({"participant_id": participant.id})
    return blocks.join_modal(
        participant.program,
        enrolment.answers_of(participant),
        private_metadata=metadata,
        editing=True,
    )


def run_join(ctx: CommandContext) -> Reply:
    name = program_name(ctx.args)
    with unit_of_work(ctx.services.sessions) as session:
        if name:
            program = programs.find_by_name(session, ctx.team_id, name)
        else:
            open_programs = programs.open_for_enrolment(session, ctx.team_id)
            if not open_programs:
                return blocks.no_open_programs()
            if len(open_programs) > 1:
                joined = {
                    p.program_id
                    for p in enrolment.enrolments_for_user(session, ctx.team_id, ctx.user_id)
                }
                return blocks.choose_program(open_programs, joined)
            program = open_programs[0]
        refusal = enrolment.join_refusal(session, ctx.team_id, program, ctx.user_id)
        if refusal is not None:
            return reply(blocks.refusal_text(refusal, program.name if program else name))
        assert program is not None
        view = join_view(session, program, ctx.user_id)
    return None if open_modal(ctx.client, ctx.trigger_id, view) else reply(COULD_NOT_OPEN)


def _mine(session: Session, ctx: CommandContext, name: str) -> list[Participant]:
    """The caller's active enrolments, narrowed to the named program when one is named."""
    mine = enrolment.enrolments_for_user(session, ctx.team_id, ctx.user_id)
    if name:
        mine = [p for p in mine if p.program.name.casefold() == name.casefold()]
    return mine


def run_profile(ctx: CommandContext) -> Reply:
    name = program_name(ctx.args)
    with unit_of_work(ctx.services.sessions) as session:
        mine = _mine(session, ctx, name)
        if not mine:
            return participation.not_enrolled(name or None)
        return participation.profile_blocks(mine)


def run_leave(ctx: CommandContext) -> Reply:
    name = program_name(ctx.args)
    with unit_of_work(ctx.services.sessions) as session:
        mine = _mine(session, ctx, name)
        if not mine:
            left = _left_with_answers(session, ctx, name)
            return (
                participation.erase_offer(left)
                if left
                else participation.not_enrolled(name or None)
            )
        if len(mine) > 1:
            return participation.which_program("leave", mine)
        partners = [p.user_id for p in enrolment.partners_of(session, mine[0])]
        return participation.leave_confirmation(mine[0], partners)


def _left_with_answers(session: Session, ctx: CommandContext, name: str) -> Participant | None:
    """Someone who left without erasing may still ask for it: their latest such enrolment."""
    everything = enrolment.enrolments_for_user(session, ctx.team_id, ctx.user_id, include_left=True)
    candidates = [
        p
        for p in everything
        if p.status is not ParticipantStatus.ACTIVE
        and (not name or p.program.name.casefold() == name.casefold())
        and (p.goals or p.department or p.skills_offered or p.skills_wanted)
    ]
    return candidates[-1] if candidates else None


SUBCOMMANDS: list[Subcommand] = [
    Subcommand(
        "join",
        f"{COMMAND} join [program]",
        "join a reverse mentoring program",
        run_join,
        answers_later=True,  # the form opens from the work app, well within its trigger's 3 s
    ),
    Subcommand(
        "profile", f"{COMMAND} profile [program]", "see or change your answers", run_profile
    ),
    Subcommand("leave", f"{COMMAND} leave [program]", "leave a program", run_leave),
]
