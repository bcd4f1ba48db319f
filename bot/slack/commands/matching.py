"""`/mentoring match [program]` and `/mentoring repair @person [why]`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import programs
from bot.db import unit_of_work
from bot.matching import proposals
from bot.models import Participant, Program
from bot.outbox import store
from bot.slack import ids
from bot.slack.blocks.common import button, escape, section
from bot.slack.blocks.matching import repaired_note
from bot.slack.commands.router import (
    COMMAND,
    CommandContext,
    Reply,
    Subcommand,
    named_programs,
    reply,
)
from bot.slack.interaction import MENTION, Actor
from bot.slack.listeners.matching import run_match


def _pick_program(ctx: CommandContext, name: str, verb: str) -> Program | Reply:
    with unit_of_work(ctx.services.sessions) as session:
        candidates = named_programs(session, ctx.team_id, name)
    if not isinstance(candidates, list):
        return candidates
    if len(candidates) == 1:
        return candidates[0]
    text = f"Which program do you want to {verb}?"
    # Action ids must differ within a block; the listener matches the prefix.
    buttons = [button(p.name, f"{ids.MATCH_RUN}:{p.id}", str(p.id)) for p in candidates[:25]]
    return {"text": text, "blocks": [section(text), {"type": "actions", "elements": buttons}]}


def tell_repaired(
    session: Session, program: Program, pairing_id: int, now: datetime
) -> list[Participant]:
    """Plan the kind, blameless note to each member of a pairing ended for re-pairing."""
    members = proposals.member_users(session, [pairing_id])[pairing_id]
    text, blocks = repaired_note(program)
    for member in members:
        store.enqueue(
            session,
            team_id=program.team_id,
            key=f"repaired:{pairing_id}:{member.user_id}",
            message=store.Message(member.user_id, text, blocks),
            not_before=now,
            program_id=program.id,
        )
    return members


def match(ctx: CommandContext) -> Reply:
    picked = _pick_program(ctx, ctx.args.strip(), "match")
    if not isinstance(picked, Program):
        return picked
    who = Actor(ctx.team_id, ctx.user_id)
    ctx.services.later(lambda: run_match(ctx.services, ctx.client, who, picked.id))
    return reply(
        f"Working out the best matching for *{escape(picked.name)}*… I'll send it to you in a "
        "direct message. Nobody is told anything until you approve."
    )


def repair(ctx: CommandContext) -> Reply:
    found = MENTION.search(ctx.args)
    if not found:
        return reply(f"Tell me whose pairing to end: `{COMMAND} repair @person [why]`")
    user_id = found.group(1)
    why = MENTION.sub("", ctx.args).strip()[:300] or "ended by an organizer for re-pairing"
    now = ctx.services.clock.now()
    with unit_of_work(ctx.services.sessions) as session:
        for program in programs.list_programs(session, ctx.team_id):
            try:
                pairing = proposals.end_for_repairing(
                    session, ctx.team_id, user_id, program, why=why, now=now
                )
            except proposals.MatchingError:
                continue
            members = tell_repaired(session, program, pairing.id, now)
            program_id, name = program.id, program.name
            break
        else:
            return reply(f"<@{user_id}> is not in an active pairing right now.")
    ctx.services.send_soon()
    text = (
        f"The pairing of {', '.join(f'<@{m.user_id}>' for m in members)} in *{escape(name)}* "
        "has ended; both were told kindly. Match them again (never with each other):"
    )
    return {
        "text": text,
        "blocks": [
            section(text),
            {
                "type": "actions",
                "elements": [
                    button("Match them now", ids.MATCH_RUN, str(program_id), primary=True)
                ],
            },
        ],
    }


SUBCOMMANDS = [
    Subcommand(
        "match", f"{COMMAND} match [program]", "propose the best pairs to approve", match, True
    ),
    Subcommand(
        "repair",
        f"{COMMAND} repair @person [why]",
        "end someone's pairing so both get a new partner",
        repair,
        True,
    ),
]
