"""Matching in Slack: compute a proposal, let the organizer edit and approve it, introduce pairs.

Only organizers may act on a proposal, whoever clicks; every button re-reads the proposal
within the clicker's workspace.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import programs
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.matching import proposals
from bot.matching.scoring import Weights, score_pair
from bot.models import MatchProposal, Participant, Program
from bot.outbox import store
from bot.slack import ids
from bot.slack.blocks.matching import (
    MAX_PAIRS_SHOWN,
    MAX_UNMATCHED_SHOWN,
    approved_message,
    introduction,
    proposal_csv,
    proposal_message,
    swap_modal,
    weights_modal,
)
from bot.slack.interaction import (
    ORGANIZERS_ONLY,
    TRY_AGAIN,
    Actor,
    acting_organizer,
    actor,
    field_errors,
    int_or_none,
    tell_where_clicked,
    view_values,
)
from bot.topics import first_topics

log = logging.getLogger(__name__)


def run_match(services: Services, client: WebClient, who: Actor, program_id: int) -> None:
    """Compute a proposal (slow for big pools: called after the ack) and send it to the
    organizer as a DM they can edit in place."""
    try:
        with unit_of_work(services.sessions) as session:
            program = programs.get(session, who.team_id, program_id)
            if program is None:
                raise proposals.MatchingError("That program no longer exists.")
            proposal = proposals.propose(
                session, program, created_by=who.user_id, now=services.clock.now()
            )
            text, blocks, csv_text = _render(session, program, proposal)
    except proposals.MatchingError as error:
        client.chat_postMessage(channel=who.user_id, text=str(error))
        return
    posted = client.chat_postMessage(channel=who.user_id, text=text, blocks=blocks)
    with unit_of_work(services.sessions) as session:
        session.execute(
            sa.update(MatchProposal)
            .where(MatchProposal.id == proposal.id)
            .values(message_channel=posted["channel"], message_ts=posted["ts"])
        )
    if csv_text is not None:
        client.files_upload_v2(
            channel=posted["channel"],
            content=csv_text,
            filename=f"matching-{program_id}-{proposal.id}.csv",
            title="Every proposed pair",
            initial_comment="The full proposal, to read in a spreadsheet.",
        )


def _render(
    session: Session, program: Program, proposal: MatchProposal
) -> tuple[str, list[dict[str, Any]], str | None]:
    ids_ = {m for pair in proposal.pairs for m in pair["members"]} | {
        u["participant"] for u in proposal.unmatched
    }
    people = {
        p.id: p for p in session.scalars(sa.select(Participant).where(Participant.id.in_(ids_)))
    }
    text, blocks = proposal_message(program, proposal, people, proposals.weights_for(program))
    large = len(proposal.pairs) > MAX_PAIRS_SHOWN or len(proposal.unmatched) > MAX_UNMATCHED_SHOWN
    return text, blocks, proposal_csv(proposal, people) if large else None


def _refresh(services: Services, client: WebClient, team_id: str, proposal_id: int) -> None:
    with unit_of_work(services.sessions) as session:
        proposal = proposals.open_proposal(session, team_id, proposal_id)
        program = session.get(Program, proposal.program_id)
        assert program is not None
        text, blocks, _ = _render(session, program, proposal)
        where = (proposal.message_channel, proposal.message_ts)
    if all(where):
        client.chat_update(channel=where[0], ts=where[1], text=text, blocks=blocks)


def approve(services: Services, who: Actor, proposal_id: int) -> tuple[Program, int, str, str]:
    """Create the pairings and plan their introductions, in one transaction."""
    now = services.clock.now()
    with unit_of_work(services.sessions) as session:
        proposal = proposals.open_proposal(session, who.team_id, proposal_id)
        pairings = proposals.approve(session, proposal, approved_by=who.user_id, now=now)
        program = session.get(Program, proposal.program_id)
        assert program is not None
        members = proposals.member_users(session, [p.id for p in pairings])
        for pairing in pairings:
            people = members[pairing.id]
            mentor, mentees = people[0], people[1:]
            score = score_pair(
                proposals.candidate(mentor, frozenset(), now),
                proposals.candidate(mentees[0], frozenset(), now),
                proposals.weights_for(program),
            )
            topics = first_topics(program.business_need, score.taught, score.taught_back)
            text, blocks = introduction(program, people, topics, pairing.id)
            store.enqueue(
                session,
                team_id=who.team_id,
                key=f"intro:{pairing.id}",
                message=store.Message(",".join(p.user_id for p in people), text, blocks),
                not_before=now,
                program_id=program.id,
            )
        where = (proposal.message_channel or "", proposal.message_ts or "")
    services.send_soon()
    return program, len(pairings), *where


def register(app: App, services: Services) -> None:
    def organizer_action(
        handler: Callable[[dict[str, Any], WebClient, Respond, Actor], None],
    ) -> Callable[..., None]:
        def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            ack()
            who = actor(body)
            respond = _replier(body, client, respond)  # a Home tab click has no message
            if not acting_organizer(services, who):
                respond(text=ORGANIZERS_ONLY, response_type="ephemeral", replace_original=False)
                return
            try:
                handler(body, client, respond, who)
            except proposals.MatchingError as error:
                respond(text=str(error), response_type="ephemeral", replace_original=False)
            except SQLAlchemyError:
                log.exception("matching action failed")
                respond(text=TRY_AGAIN, response_type="ephemeral", replace_original=False)

        return listener

    def run(body: dict[str, Any], client: WebClient, respond: Respond, who: Actor) -> None:
        program_id = int_or_none(body["actions"][0].get("value"))
        respond(
            text="Working out the best matching… I'll send it to you in a moment.",
            response_type="ephemeral",
            replace_original=False,
        )
        services.later(lambda: run_match(services, client, who, program_id or 0))

    app.action(re.compile(f"^{ids.MATCH_RUN}(:\\d+)?$"))(organizer_action(run))
    app.action(ids.MATCH_RERUN)(organizer_action(run))

    @organizer_action
    def drop(body: dict[str, Any], client: WebClient, respond: Respond, who: Actor) -> None:
        proposal_id, index = _ints(body["actions"][0].get("value"), 2)
        with unit_of_work(services.sessions) as session:
            proposal = proposals.open_proposal(session, who.team_id, proposal_id)
            proposals.drop_pair(session, proposal, index)
        _refresh(services, client, who.team_id, proposal_id)

    app.action(ids.MATCH_DROP)(drop)

    @organizer_action
    def place(body: dict[str, Any], client: WebClient, respond: Respond, who: Actor) -> None:
        value = (body["actions"][0].get("selected_option") or {}).get("value", "")
        raw_proposal, _, rest = value.partition(":")
        raw_person, _, choice = rest.partition(":")
        proposal_id, participant_id = _ints(f"{raw_proposal}:{raw_person}", 2)
        with unit_of_work(services.sessions) as session:
            proposal = proposals.open_proposal(session, who.team_id, proposal_id)
            outcome = proposals.place_unmatched(
                session, proposal, participant_id, choice, services.clock.now()
            )
            name = session.get(Participant, participant_id)
        _refresh(services, client, who.team_id, proposal_id)
        who_text = f"<@{name.user_id}>" if name else "They"
        respond(text=f"{who_text} {outcome}.", response_type="ephemeral", replace_original=False)

    app.action(ids.MATCH_UNMATCHED_MENU)(place)

    @organizer_action
    def open_swap(body: dict[str, Any], client: WebClient, respond: Respond, who: Actor) -> None:
        proposal_id = int_or_none(body["actions"][0].get("value")) or 0
        with unit_of_work(services.sessions) as session:
            proposals.open_proposal(session, who.team_id, proposal_id)
        client.views_open(trigger_id=body["trigger_id"], view=swap_modal(proposal_id))

    app.action(ids.MATCH_SWAP_OPEN)(open_swap)

    @app.view(ids.MATCH_SWAP_MODAL)
    def submit_swap(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        who = actor(body)
        if not acting_organizer(services, who):
            ack(field_errors({"first": ORGANIZERS_ONLY}))
            return
        values = view_values(body["view"])
        try:
            metadata = json.loads(body["view"].get("private_metadata") or "{}")
            proposal_id = int(metadata["proposal_id"])
        except (ValueError, KeyError, TypeError):
            ack(field_errors({"first": "This form is out of date; open it again."}))
            return
        try:
            with unit_of_work(services.sessions) as session:
                proposal = proposals.open_proposal(session, who.team_id, proposal_id)
                proposals.swap(
                    session,
                    proposal,
                    values.get("first") or "",
                    values.get("second") or "",
                    services.clock.now(),
                )
        except proposals.MatchingError as error:
            ack(field_errors({"first": str(error)}))
            return
        ack()
        _refresh(services, client, who.team_id, proposal_id)

    @organizer_action
    def open_weights(body: dict[str, Any], client: WebClient, respond: Respond, who: Actor) -> None:
        program_id = int_or_none(body["actions"][0].get("value")) or 0
        with unit_of_work(services.sessions) as session:
            program = programs.get(session, who.team_id, program_id)
            if program is None:
                raise proposals.MatchingError("That program no longer exists.")
            view = weights_modal(
                program.id, proposals.weights_for(program), proposals.allow_repeats(program)
            )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    app.action(ids.MATCH_WEIGHTS_OPEN)(open_weights)

    @app.view(ids.MATCH_WEIGHTS_MODAL)
    def save_weights(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        who = actor(body)
        if not acting_organizer(services, who):
            ack(field_errors({"teach": ORGANIZERS_ONLY}))
            return
        values = view_values(body["view"])
        chosen: dict[str, float] = {}
        errors: dict[str, str] = {}
        for name in Weights().as_dict():
            try:
                number = float(values.get(name) or "")
            except ValueError:
                number = -1
            if not 0 <= number <= 100:
                errors[name] = "Enter a number from 0 to 100."
            chosen[name] = number
        try:
            program_id = int(json.loads(body["view"].get("private_metadata") or "{}")["program_id"])
        except (ValueError, KeyError, TypeError):
            errors["teach"] = "This form is out of date; open it again."
            program_id = 0
        if errors:
            ack(field_errors(errors))
            return
        with unit_of_work(services.sessions) as session:
            program = programs.get(session, who.team_id, program_id)
            if program is None:
                ack(field_errors({"teach": "That program no longer exists."}))
                return
            program.settings = {
                **(program.settings or {}),
                "matching_weights": chosen,
                "allow_repeats": "yes" in (values.get("allow_repeats") or []),
            }
        ack()
        services.later(lambda: run_match(services, client, who, program_id))

    @organizer_action
    def approve_click(
        body: dict[str, Any], client: WebClient, respond: Respond, who: Actor
    ) -> None:
        proposal_id = int_or_none(body["actions"][0].get("value")) or 0
        program, count, channel, ts = approve(services, who, proposal_id)
        text, blocks = approved_message(program, count)
        if channel and ts:
            client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        else:
            respond(text=text, response_type="ephemeral", replace_original=False)

    app.action(ids.MATCH_APPROVE)(approve_click)


def _ints(value: Any, count: int) -> tuple[int, ...]:
    parts = str(value or "").split(":")
    numbers = tuple(int_or_none(part) for part in parts)
    if len(numbers) != count or any(n is None for n in numbers):
        raise proposals.MatchingError("That button is out of date; run the matching again.")
    return numbers  # type: ignore[return-value]


def _replier(body: dict[str, Any], client: WebClient, respond: Respond) -> Respond:
    """`respond`, or a DM when the click came from the Home tab."""
    if body.get("response_url"):
        return respond

    def direct(text: str, **_: Any) -> None:
        tell_where_clicked(body, client, respond, text)

    return direct  # type: ignore[return-value]
