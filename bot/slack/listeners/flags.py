"""The buttons on a flag DM (Nudge again, Suggest re-pairing, Pause pairing, Dismiss with a
note), and the Slack side of flags the health rule shares: nudges, editing organizer DMs.

Only organizers of the flag's workspace may act, whoever clicks. Each action is recorded on the
flag once, in the same transaction as its effect; a second click is told who handled it and
changes nothing. Every organizer's DM about the flag is then edited to show what was done.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import flags, meetings
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.health_rules import nudge_time
from bot.matching import proposals
from bot.matching.proposals import member_users
from bot.models import (
    DeliveryStatus,
    Flag,
    FlagReason,
    Pairing,
    PairingStatus,
    ParticipantStatus,
    Program,
)
from bot.outbox import store
from bot.slack import ids
from bot.slack.blocks.flags import dismiss_modal, flag_message, handled_note, nudge_message
from bot.slack.commands.matching import tell_repaired
from bot.slack.interaction import (
    ORGANIZERS_ONLY,
    TRY_AGAIN,
    Actor,
    acting_organizer,
    actor,
    field_errors,
    int_or_none,
    text_value,
    view_values,
)

log = logging.getLogger(__name__)

Effect = Callable[[Session, Flag, Actor], None]
REPAIR_WHY = "re-pairing suggested by an organizer after a flag"


@dataclass(frozen=True)
class Edit:
    """A sent organizer DM to rewrite in place with chat.update."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]


def enqueue_nudge(
    session: Session,
    *,
    program: Program,
    pairing_id: int,
    channel_id: str | None,
    people: Sequence[tuple[str, str]],
    reasons: Sequence[FlagReason],
    key: str,
    now: datetime,
) -> int:
    """Plan a gentle nudge in the pair's conversation, or a DM to each member if they have none,
    at a working hour for all of them. `people` are (user id, time zone)."""
    user_ids = [user for user, _ in people]
    text, blocks = nudge_message(program.name, reasons, user_ids, pairing_id)
    when = nudge_time(now, [tz for _, tz in people])
    targets = [(channel_id, key)] if channel_id else [(u, f"{key}:{u}") for u in user_ids]
    return sum(
        store.enqueue(
            session,
            team_id=program.team_id,
            key=target_key,
            message=store.Message(target, text, blocks),
            not_before=when,
            program_id=program.id,
        )
        for target, target_key in targets
    )


def refresh_flag_messages(session: Session, changed: Sequence[Flag]) -> list[Edit]:
    """Re-render the organizer DMs of these flags: rows not sent yet are rewritten here, sent
    ones are returned to edit with chat.update once the transaction has committed."""
    if not changed:
        return []
    messages = flags.organizer_messages(session, changed)
    wanted = [flag for flag in changed if messages.get(flag.id)]
    if not wanted:
        return []
    names = dict(
        session.execute(
            sa.select(Program.id, Program.name).where(
                Program.id.in_({flag.program_id for flag in wanted})
            )
        ).all()
    )
    members = member_users(session, [flag.pairing_id for flag in wanted if flag.pairing_id])
    edits = []
    for flag in wanted:
        user_ids = [p.user_id for p in members.get(flag.pairing_id or 0, [])]
        text, blocks = flag_message(
            flag, names.get(flag.program_id, ""), user_ids, program_id=flag.program_id
        )
        for row in messages[flag.id]:
            if row.status is DeliveryStatus.PENDING:
                row.text, row.blocks = text, blocks
            elif row.status is DeliveryStatus.SENT and row.message_channel and row.message_ts:
                edits.append(Edit(row.message_channel, row.message_ts, text, blocks))
    return edits


def apply_edits(client: WebClient, edits: Sequence[Edit]) -> None:
    """Edit each DM; one that Slack refuses (deleted, say) does not stop the others."""
    for edit in edits:
        try:
            client.chat_update(channel=edit.channel, ts=edit.ts, text=edit.text, blocks=edit.blocks)
        except SlackApiError as error:
            log.warning("could not update the flag message %s: %s", edit.ts, error)


def after_commit(session: Session, work: Callable[[], None]) -> None:
    """Run Slack calls only once what they announce is committed."""

    def run(_session: Session) -> None:
        try:
            work()
        except Exception:
            log.exception("updating organizer messages failed")

    sa.event.listen(session, "after_commit", run, once=True)


def act(
    services: Services,
    who: Actor,
    flag_id: int,
    action: flags.Action,
    effect: Effect,
    note: str = "",
) -> list[Edit]:
    """Record the action and do it in one transaction; returns the organizers' DMs to edit."""
    now = services.clock.now()
    with unit_of_work(services.sessions) as session:
        flag = flags.act(session, who.team_id, flag_id, action, who.user_id, now, note)
        effect(session, flag, who)
        edits = refresh_flag_messages(session, [flag])
    services.send_soon()
    return edits


def nudge_again(services: Services) -> Effect:
    def effect(session: Session, flag: Flag, who: Actor) -> None:
        pairing = session.get(Pairing, flag.pairing_id) if flag.pairing_id else None
        program = session.get(Program, flag.program_id)
        if pairing is None or program is None:
            raise flags.FlagError("This flag is not about a pairing, so there is no one to nudge.")
        if pairing.status is not PairingStatus.ACTIVE:
            raise flags.FlagError("This pairing is not active any more, so I won't nudge them.")
        people = meetings.members(session, pairing.id)
        enqueue_nudge(
            session,
            program=program,
            pairing_id=pairing.id,
            channel_id=pairing.channel_id,
            people=[
                (p.user_id, p.timezone) for p in people if p.status is ParticipantStatus.ACTIVE
            ],
            reasons=[flag.reason],
            key=flags.next_nudge_key(session, flag),
            now=services.clock.now(),
        )

    return effect


def repair(services: Services) -> Effect:
    def effect(session: Session, flag: Flag, who: Actor) -> None:
        program = session.get(Program, flag.program_id)
        people = meetings.members(session, flag.pairing_id) if flag.pairing_id else []
        if program is None or not people:
            raise flags.FlagError("This flag is not about a pairing, so there is none to end.")
        now = services.clock.now()
        pairing = proposals.end_for_repairing(
            session, who.team_id, people[0].user_id, program, why=REPAIR_WHY, now=now
        )
        if pairing.id != flag.pairing_id:
            raise flags.FlagError("This pairing has ended already.")
        tell_repaired(session, program, pairing.id, now)

    return effect


def pause(session: Session, flag: Flag, who: Actor) -> None:
    flags.pause(session, flag)


def dismiss(session: Session, flag: Flag, who: Actor) -> None:
    """Recording the dismissal is all there is to do."""


def register(app: App, services: Services) -> None:
    def organizer_action(
        handler: Callable[[dict[str, Any], WebClient, Actor, int], None],
    ) -> Callable[..., None]:
        def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            ack()
            who = actor(body)

            def tell(text: str) -> None:
                respond(text=text, response_type="ephemeral", replace_original=False)

            flag_id = int_or_none(body["actions"][0].get("value"))
            try:
                if not acting_organizer(services, who):
                    tell(ORGANIZERS_ONLY)
                    return
                if flag_id is None:
                    raise flags.FlagError("That button is out of date.")
                handler(body, client, who, flag_id)
            except flags.AlreadyHandled as handled:
                tell(handled_note(handled.handled))
            except (flags.FlagError, proposals.MatchingError) as error:
                tell(str(error))
            except SQLAlchemyError:
                log.exception("flag action failed")
                tell(TRY_AGAIN)

        return listener

    def simple(action: flags.Action, effect: Effect) -> Callable[..., None]:
        def handler(body: dict[str, Any], client: WebClient, who: Actor, flag_id: int) -> None:
            apply_edits(client, act(services, who, flag_id, action, effect))

        return organizer_action(handler)

    app.action(ids.FLAG_NUDGE)(simple(flags.Action.NUDGE, nudge_again(services)))
    app.action(ids.FLAG_REPAIR)(simple(flags.Action.REPAIR, repair(services)))
    app.action(ids.FLAG_PAUSE)(simple(flags.Action.PAUSE, pause))

    @organizer_action
    def open_dismiss(body: dict[str, Any], client: WebClient, who: Actor, flag_id: int) -> None:
        with unit_of_work(services.sessions) as session:
            flags.require_unhandled(session, who.team_id, flag_id)
        client.views_open(trigger_id=body["trigger_id"], view=dismiss_modal(flag_id))

    app.action(ids.FLAG_DISMISS)(open_dismiss)

    @app.view(ids.FLAG_DISMISS_MODAL)
    def submit_dismiss(ack: Ack, body: dict[str, Any]) -> None:
        who = actor(body)
        try:
            if not acting_organizer(services, who):
                ack(field_errors({"note": ORGANIZERS_ONLY}))
                return
            flag_id = int(json.loads(body["view"].get("private_metadata") or "{}")["flag_id"])
        except (ValueError, KeyError, TypeError):
            ack(field_errors({"note": "This form is out of date; click Dismiss again."}))
            return
        except SQLAlchemyError:
            log.exception("checking the organizer failed")
            ack(field_errors({"note": TRY_AGAIN}))
            return
        note = text_value(view_values(body["view"]), "note")
        try:
            edits = act(services, who, flag_id, flags.Action.DISMISS, dismiss, note)
        except flags.AlreadyHandled as handled:
            ack(field_errors({"note": handled_note(handled.handled)}))
            return
        except flags.FlagError as error:
            ack(field_errors({"note": str(error)}))
            return
        except SQLAlchemyError:
            log.exception("dismissing a flag failed")
            ack(field_errors({"note": TRY_AGAIN}))
            return
        ack()
        apply_edits(services.client, edits)
