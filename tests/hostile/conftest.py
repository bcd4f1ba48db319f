"""Shared pieces for the hostile-input tests: a populated workspace, a full snapshot of the
database, waiting until the bot has finished everything a request started, the calls a
request made to Slack, and a scanner for text Slack would turn into a mention or a link.

"No effect" in these tests means: every table is exactly as before (the requests the bot
remembers to drop Slack's retries are bookkeeping, not an effect), and Slack was asked nothing
except to answer the person who made the request.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot import wins
from bot.matching import proposals
from bot.models import (
    Base,
    Checkin,
    Flag,
    FlagReason,
    FlagSeverity,
    FlagStatus,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    Program,
    ProgramStatus,
    TalkRequest,
    TalkTopic,
)
from tests.conftest import START, TEAM, RunningBot
from tests.factories import make_program
from tests.support.fake_slack import Call, FakeSlack

OTHER_TEAM = "T0OTHER"
MONDAY = date(2026, 11, 30)
PAIR_AB = "G0ANABEN"
PAIR_CD = "G0CARADAN"
# Tables whose rows record that a request was seen (to drop Slack's retries), not an effect.
BOOKKEEPING = frozenset({"seen_requests"})
# Methods that answer the person who acted, rather than change anything.
REPLIES = frozenset({"response_url", "chat.postEphemeral"})


# -- waiting for the bot ---------------------------------------------------------------------


class CountingExecutor(ThreadPoolExecutor):
    """A thread pool that knows whether any work it was given is still pending or running."""

    def __init__(self, max_workers: int, prefix: str) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=prefix)
        self._count_lock = threading.Lock()
        self._in_flight = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._count_lock:
            self._in_flight += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future) -> None:
        with self._count_lock:
            self._in_flight -= 1

    @property
    def busy(self) -> bool:
        with self._count_lock:
            return self._in_flight > 0


@pytest.fixture
def hbot(bot: RunningBot) -> Iterator[RunningBot]:
    """The running bot, with thread pools that `settle` can watch."""
    listeners = CountingExecutor(5, "bolt-listener")
    later = CountingExecutor(4, "after-ack")
    bot.app.listener_runner.listener_executor = listeners  # type: ignore[attr-defined]
    bot.services.background = later
    yield bot
    settle(bot)
    listeners.shutdown(wait=True)
    later.shutdown(wait=True)


def settle(bot: RunningBot, timeout: float = 15.0) -> None:
    """Wait until the bot has finished all the work its requests started after their ack:
    the work app, listeners, work they do later, and sending the outbox. Checked in the order
    work hands over (work app, listener, later work, sending), twice, so nothing slips
    between."""
    listeners = bot.app.listener_runner.listener_executor  # type: ignore[attr-defined]
    later = bot.services.background
    assert isinstance(listeners, CountingExecutor) and isinstance(later, CountingExecutor), (
        "use the hbot fixture"
    )
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 2:
        idle = (
            not bot.deferral.busy
            and not listeners.busy
            and not later.busy
            and not bot.services.send_soon._running
        )
        quiet = quiet + 1 if idle else 0
        if time.monotonic() > deadline:
            raise AssertionError(f"the bot was still busy after {timeout}s")
        time.sleep(0.01)


# -- what changed ----------------------------------------------------------------------------


def snapshot(bot: RunningBot) -> dict[str, list[tuple]]:
    """Every row of every table (bookkeeping aside), in primary-key order."""
    out: dict[str, list[tuple]] = {}
    with bot.services.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            query = sa.select(table).order_by(*table.primary_key.columns)
            out[table.name] = [tuple(row) for row in connection.execute(query)]
    return out


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


def calls_since(fake: FakeSlack, mark: int) -> list[Call]:
    """Calls the bot made after `mark` (a length of fake.calls), auth.test aside."""
    with fake._lock:
        return [call for call in fake.calls[mark:] if call.method != "auth.test"]


def mark(fake: FakeSlack) -> int:
    with fake._lock:
        return len(fake.calls)


def is_reply_to(call: Call, user_id: str) -> bool:
    """A call that only answers (or reads about) the person who acted: a line under the message
    they clicked, an ephemeral line, a DM to them (a Home tab click has nowhere else to be
    answered), a notice modal (one no submission comes back from), their own Home tab
    refreshed, or asking Slack who they are. Opening one of the bot's real modals is not."""
    if call.method in REPLIES or call.method == "users.info":
        return True
    if call.method == "chat.postMessage":
        return call.params.get("channel") == user_id
    if call.method == "views.publish":
        return call.params.get("user_id") == user_id
    if call.method in ("views.open", "views.push", "views.update"):
        view = call.params.get("view")
        return isinstance(view, dict) and not view.get("callback_id")
    return False


def reply_texts(calls: list[Call], response: Any = None) -> str:
    """Everything said back to the person: the HTTP answer and replies through Slack."""
    parts = [json.dumps(call.params, ensure_ascii=False) for call in calls]
    if response is not None and response.body:
        parts.append(response.text)
    return "\n".join(parts)


def log_problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Error records and tracebacks: a bad input must never produce either."""
    return [
        f"{record.levelname} {record.name}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= logging.ERROR or record.exc_info
    ]


# -- text Slack would turn into a mention or a link ------------------------------------------

POISON_MARKERS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"<!(channel|here|everyone)\b",
        r"<!subteam\^",
        r"<@U0EVIL",
        r"<#C0EVIL",
        r"<https?://evil\.example",
        r"<mailto:evil@",
    )
)


def mrkdwn_texts(node: Any, *, top_level: bool = True) -> Iterator[str]:
    """Every string of a message, view or reply that Slack renders as mrkdwn: a message's
    `text` (and an ack's), text objects of type mrkdwn, and file comments. plain_text objects,
    input values, option values and metadata are shown as typed, so they are left out."""
    if isinstance(node, list):
        for item in node:
            yield from mrkdwn_texts(item, top_level=False)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
        yield node["text"]
    if top_level:
        for key in ("text", "initial_comment"):
            if isinstance(node.get(key), str):
                yield node[key]
    for key, value in node.items():
        if key in ("blocks", "view", "fields", "elements", "accessory", "attachments"):
            yield from mrkdwn_texts(value, top_level=key in ("view", "attachments"))
        elif key == "text" and isinstance(value, dict):
            yield from mrkdwn_texts(value, top_level=False)
        elif key == "errors" and isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, str))


def injections(payload: Any) -> list[str]:
    """Pieces of mrkdwn a poisoned input turned into a live mention or link."""
    found = []
    for text in mrkdwn_texts(payload):
        for marker in POISON_MARKERS:
            for hit in marker.finditer(text):
                found.append(text[max(0, hit.start() - 40) : hit.end() + 40])
    return found


# -- a populated workspace -------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """A running program with two active pairings (Ana and Ben; Cara and Dan), three people
    waiting in an open matching proposal (Eve, Gus, Ivy and Fay, Hal: one is left over), and
    one of everything the buttons act on."""

    program_id: int
    pairing_ab: int
    pairing_cd: int
    people: dict[str, int]  # user id -> participant id
    proposal_id: int
    swap_users: tuple[str, str]  # the reverse mentors of the proposal's two pairs
    unmatched: int  # the participant the proposal leaves over
    flag_id: int
    meeting_proposed: int  # proposed by Ana, for Ben to answer
    meeting_confirmed: int  # confirmed and past, for "did you meet?"
    checkin_ana: int
    checkin_cara: int
    win_named: int
    win_anonymous: int
    win_private: int
    talk_request: int  # Ana asked to talk to an organizer
    kickoff_token: str  # "<program>:<epoch>" of the planned kickoff


PEOPLE = {
    # user: (role, pairing, offers, wants)
    "UANA": (ParticipantRole.MENTOR, "ab", ["TikTok"], ["Budgeting"]),
    "UBEN": (ParticipantRole.MENTEE, "ab", ["Budgeting"], ["TikTok"]),
    "UCARA": (ParticipantRole.MENTOR, "cd", ["AI tools"], ["Strategy"]),
    "UDAN": (ParticipantRole.MENTEE, "cd", ["Strategy"], ["AI tools"]),
    "UEVE": (ParticipantRole.MENTOR, None, ["Canva"], ["Negotiation"]),
    "UGUS": (ParticipantRole.MENTOR, None, ["Excel"], ["Golf"]),
    "UFAY": (ParticipantRole.MENTEE, None, ["Negotiation"], ["Canva"]),
    "UHAL": (ParticipantRole.MENTEE, None, ["Golf"], ["Excel"]),
    "UIVY": (ParticipantRole.MENTOR, None, ["Canva"], ["Golf"]),
}


def build_world(bot: RunningBot, team: str = TEAM) -> World:
    """The workspace `team`'s world (another workspace's rows can share a database)."""
    for user in [*PEOPLE, "UZED"]:
        bot.fake.add_user(user, name=user[1:].lower(), email=f"{user[1:].lower()}@example.com")
    sessions = bot.services.sessions
    program = make_program(
        sessions,
        "Digital Pilot",
        team_id=team,
        start_date=MONDAY,
        length_weeks=12,
        skills_catalogue=["TikTok", "Budgeting", "AI tools", "Strategy", "Canva", "Negotiation"],
    )
    now = START
    with sessions() as session:
        participants = {
            user: Participant(
                team_id=team,
                program_id=program.id,
                user_id=user,
                display_name=user[1:].title(),
                role=role,
                skills_offered=offers,
                skills_wanted=wants,
                timezone="Europe/Berlin",
                consent=True,
                created_at=now - timedelta(days=10),
            )
            for user, (role, _, offers, wants) in PEOPLE.items()
        }
        session.add_all(participants.values())
        session.flush()
        pairings = {}
        for key, channel in (("ab", PAIR_AB), ("cd", PAIR_CD)):
            pairing = Pairing(
                team_id=team,
                program_id=program.id,
                status=PairingStatus.ACTIVE,
                channel_id=channel,
                introduced_at=now - timedelta(days=3),
                created_at=now - timedelta(days=3),
            )
            pairing.members = [
                PairingMember(team_id=team, participant_id=participants[user].id)
                for user, (_, where, _, _) in PEOPLE.items()
                if where == key
            ]
            session.add(pairing)
            pairings[key] = pairing
        stored = session.get(Program, program.id)
        assert stored is not None
        stored.status = ProgramStatus.RUNNING
        session.flush()
        proposal = proposals.propose(session, stored, created_by="UORGANIZER", now=now)
        stored.status = ProgramStatus.RUNNING
        stored.kickoff_at = now + timedelta(days=5, hours=8)
        stored.kickoff_place = "Town hall"
        user_of = {p.id: user for user, p in participants.items()}
        first, second = (user_of[pair["members"][0]] for pair in proposal.pairs[:2])
        proposed = Meeting(
            team_id=team,
            pairing_id=pairings["ab"].id,
            proposed_by="UANA",
            starts_at=now + timedelta(days=2, hours=4),
            duration_minutes=60,
            location="Café on the 3rd floor",
            topic="TikTok basics",
            status=MeetingStatus.PROPOSED,
            created_at=now,
        )
        confirmed = Meeting(
            team_id=team,
            pairing_id=pairings["ab"].id,
            proposed_by="UBEN",
            starts_at=now - timedelta(days=1),
            duration_minutes=45,
            status=MeetingStatus.CONFIRMED,
            created_at=now - timedelta(days=2),
        )
        checkins = {
            user: Checkin(
                team_id=team,
                participant_id=participants[user].id,
                pairing_id=pairings[PEOPLE[user][1]].id,
                period_start=MONDAY,
                created_at=now,
            )
            for user in ("UANA", "UCARA")
        }
        flag = Flag(
            team_id=team,
            program_id=program.id,
            pairing_id=pairings["ab"].id,
            reason=FlagReason.NO_MEETING,
            severity=FlagSeverity.AT_RISK,
            status=FlagStatus.OPEN,
            detail="No meeting for 2 weeks.",
            started_at=now - timedelta(days=14),
            raised_at=now - timedelta(days=1),
            action_note="",
            created_at=now - timedelta(days=7),
        )
        talk = TalkRequest(
            team_id=team,
            program_id=program.id,
            user_id="UANA",
            topic=TalkTopic.CAREER_GOALS,
            text="Where could I go next?",
            requested_at=now,
            created_at=now,
        )
        session.add_all([proposed, confirmed, flag, talk, *checkins.values()])
        session.flush()
        recorded = {
            sharing: wins.record(
                session,
                team_id=team,
                user_id="UANA",
                program_id=program.id,
                pairing_id=pairings["ab"].id,
                text=f"Weekly TikTok posts now ({sharing})",
                sharing=sharing,
                now=now,
            ).id
            for sharing in ("named", "anonymous", "organizers")
        }
        session.commit()
        return World(
            program_id=program.id,
            pairing_ab=pairings["ab"].id,
            pairing_cd=pairings["cd"].id,
            people={user: p.id for user, p in participants.items()},
            proposal_id=proposal.id,
            swap_users=(first, second),
            unmatched=proposal.unmatched[0]["participant"],
            flag_id=flag.id,
            meeting_proposed=proposed.id,
            meeting_confirmed=confirmed.id,
            checkin_ana=checkins["UANA"].id,
            checkin_cara=checkins["UCARA"].id,
            win_named=recorded["named"],
            win_anonymous=recorded["anonymous"],
            win_private=recorded["organizers"],
            talk_request=talk.id,
            kickoff_token=f"{program.id}:{int(stored.kickoff_at.timestamp())}",
        )


@pytest.fixture
def world(hbot: RunningBot) -> World:
    return build_world(hbot)


# -- Slack-shaped modal values ---------------------------------------------------------------


def text_input(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def selected(kind: str, value: str | None) -> dict[str, Any]:
    return {"type": kind, "selected_option": {"value": value} if value is not None else None}


def ticked(*values: str, kind: str = "checkboxes") -> dict[str, Any]:
    return {"type": kind, "selected_options": [{"value": v} for v in values]}


def state(**elements: dict[str, Any]) -> dict[str, Any]:
    """`{block_id: {action_id: element}}` with the action id equal to the block id, as the bot's
    modals are built."""
    return {block_id: {block_id: element} for block_id, element in elements.items()}


def program_values(name: str = "Second Pilot", **overrides: dict[str, Any]) -> dict[str, Any]:
    """A filled-in program modal, as Slack submits it."""
    fields: dict[str, dict[str, Any]] = {
        "name": text_input(name),
        "business_need": selected("static_select", "Social media"),
        "business_need_other": text_input(None),
        "format": selected("radio_buttons", "one_to_one"),
        "group_size": {"type": "number_input", "value": "3"},
        "start_date": {"type": "datepicker", "selected_date": "2026-12-07"},
        "length_weeks": {"type": "number_input", "value": "8"},
        "is_pilot": ticked("yes"),
        "meeting_target_minutes": {"type": "number_input", "value": "60"},
        "checkin_cadence_weeks": selected("radio_buttons", "2"),
        "skills_catalogue": text_input("TikTok\nAI tools"),
        "enrolment_open": ticked("yes"),
    }
    fields.update(overrides)
    return state(**fields)


def join_values(**changes: Any) -> dict[str, Any]:
    """A filled-in join modal (catalogue picks, typed skills, department, goals...)."""
    answers: dict[str, Any] = {
        "role": "mentor",
        "skills_offered": ["TikTok"],
        "skills_offered_other": "Canva",
        "skills_wanted": ["Budgeting"],
        "skills_wanted_other": None,
        "department": "Marketing",
        "career_stage": "early",
        "goals": "See how big decisions get made",
        "meeting_formats": ["coffee"],
        "consent": ["yes"],
    }
    answers.update(changes)
    kinds = {
        "role": "radio_buttons",
        "career_stage": "static_select",
        "skills_offered": "multi_static_select",
        "skills_wanted": "multi_static_select",
        "meeting_formats": "checkboxes",
        "consent": "checkboxes",
    }
    elements: dict[str, dict[str, Any]] = {}
    for field, value in answers.items():
        kind = kinds.get(field, "plain_text_input")
        if kind == "plain_text_input":
            elements[field] = text_input(value)
        elif kind in ("radio_buttons", "static_select"):
            elements[field] = selected(kind, value)
        else:
            elements[field] = ticked(*value, kind=kind)
    return state(**elements)
