"""The buttons on a flag DM: Nudge again, Suggest re-pairing, Pause pairing, Dismiss (a modal
for a note).

Only organizers of the flag's workspace may act, whoever clicks. Each action is recorded on the
flag once, in the same transaction as its effect; a second click is told who handled it and
changes nothing. Every organizer's DM about the flag is then edited to show what was done.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import flags, meetings
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.matching import proposals
from bot.models import Flag, Pairing, ParticipantStatus, Program
from bot.slack import ids
from bot.slack.blocks.flags import dismiss_modal, handled_note
from bot.slack.commands.matching import tell_repaired
from bot.slack.interaction import (
    ORGANIZERS_ONLY,
    TRY_AGAIN,
    Actor,
    acting_organizer,
    actor,
    field_errors,
    text_value,
    view_values,
)
from bot.slack.planners.health import Edit, apply_edits, enqueue_nudge, refresh_flag_messages

log = logging.getLogger(__name__)

Effect = Callable[[Session, Flag, Actor], None]
REPAIR_WHY = "re-pairing suggested by an organizer after a flag"


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

            if not acting_organizer(services, who):
                tell(ORGANIZERS_ONLY)
                return
            flag_id = _int(body["actions"][0].get("value"))
            try:
                if flag_id is None:
                    raise flags.FlagError("That button is out of date.")
                handler(body, client, who, flag_id)
            except flags.AlreadyHandled as handled:
                tell(handled_note(handled.flag))
            except (flags.FlagError, proposals.MatchingError) as error:
                tell(str(error))
            except SQLAlchemyError:
                log.exception("flag action failed")
                tell(TRY_AGAIN)

        return listener

    def simple(action: flags.Action, effect: Effect) -> Callable[..., None]:
        def handler(body: dict[str, Any], client: WebClient, who: Actor, flag_id: int) -> None:
            apply_edits(services.client, act(services, who, flag_id, action, effect))

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
            ack(field_errors({"note": handled_note(handled.flag)}))
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


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
