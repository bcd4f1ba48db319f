"""A `/mentoring` command that is not done in time is acknowledged at once; its answer follows.

Slack shows the person an error when a command is not acknowledged within 3 seconds. These
tests hold the work back (instead of waiting for a really slow database) and shrink the budget,
so the acknowledgement comes from the budget, never from the work finishing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from bot import status
from bot.models import (
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    Program,
)
from bot.slack import commands as subcommands
from bot.slack import deferral
from bot.slack.commands import enrolment as enrolment_command
from bot.slack.interaction import TRY_AGAIN
from bot.slack.listeners import commands
from tests.conftest import START, TEAM, RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems


def large_program(bot: RunningBot, pairs: int) -> Program:
    """A running program of `pairs` pairs (two people each) who met once, in bulk."""
    program = make_program(bot.services.sessions, "Company Wide", start_date=START.date())
    with bot.services.sessions() as session:
        session.get(Program, program.id).start_date = date(2026, 11, 9)  # three weeks in
        people = [
            {
                "team_id": TEAM,
                "program_id": program.id,
                "user_id": f"UL{n:05d}",
                "role": ParticipantRole.MENTOR if n % 2 == 0 else ParticipantRole.MENTEE,
                "consent": True,
            }
            for n in range(2 * pairs)
        ]
        session.execute(sa.insert(Participant), people)
        session.execute(
            sa.insert(Pairing),
            [
                {"team_id": TEAM, "program_id": program.id, "status": PairingStatus.ACTIVE}
                for _ in range(pairs)
            ],
        )
        participant_ids = session.scalars(sa.select(Participant.id).order_by(Participant.id))
        pairing_ids = list(session.scalars(sa.select(Pairing.id).order_by(Pairing.id)))
        members = list(participant_ids)
        session.execute(
            sa.insert(PairingMember),
            [
                {"team_id": TEAM, "pairing_id": pid, "participant_id": members[2 * i + k]}
                for i, pid in enumerate(pairing_ids)
                for k in (0, 1)
            ],
        )
        session.execute(
            sa.insert(Meeting),
            [
                {
                    "team_id": TEAM,
                    "pairing_id": pid,
                    "proposed_by": "UL00000",
                    "starts_at": START - timedelta(days=7),
                    "status": MeetingStatus.HELD,
                    "minutes_held": 60,
                }
                for pid in pairing_ids
            ],
        )
        session.commit()
    return program


def held_back(work: Callable[..., Any]) -> tuple[Callable[..., Any], threading.Event]:
    """`work`, made to wait until the test lets it go: slow for as long as the test likes."""
    go = threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        assert go.wait(timeout=10), "the test never let the work go"
        return work(*args, **kwargs)

    return slow, go


@pytest.fixture
def tight_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "ACK_BUDGET_SECONDS", 0.05)


def test_a_large_programs_status_is_acknowledged_at_once_and_follows(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    large_program(bot, 1000)  # 2,000 participants
    slow, go = held_back(status.program_health)
    monkeypatch.setattr(status, "program_health", slow)

    ack = bot.slack.command("status Company Wide", user_id="UORGANIZER")

    assert (ack.status, ack.body) == (200, b"")  # nothing to read but the answer itself
    assert bot.fake.calls_to("response_url") == []  # nothing yet: the work is still held
    go.set()
    late = bot.answer(ack)
    assert late["response_type"] == "ephemeral"
    assert late["text"] == "Company Wide: 1000 on track, 0 at risk, 0 stalled"
    assert "Status: Company Wide" in json.dumps(late["blocks"])
    assert "1000 meetings, 1000 h" in json.dumps(late["blocks"], ensure_ascii=False)
    assert block_kit_problems(late, "message") == []


def test_a_late_database_error_is_still_explained(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    large_program(bot, 3)

    def fails(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("SELECT 1", {}, Exception("the database went away"))

    slow, go = held_back(fails)
    monkeypatch.setattr(status, "program_health", slow)

    ack = bot.slack.command("status Company Wide", user_id="UORGANIZER")
    assert ack.body == b""
    go.set()
    assert bot.answer(ack)["text"] == TRY_AGAIN


@pytest.mark.usefixtures("tight_budget")
def test_an_answer_not_ready_in_time_follows_a_working_on_it(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow, go = held_back(subcommands.help_reply)
    monkeypatch.setattr(subcommands, "help_reply", slow)

    ack = bot.slack.command("help", user_id="UANA")

    assert ack.json() == {"response_type": "ephemeral", "text": commands.WORKING}
    assert bot.fake.calls_to("response_url") == []
    go.set()
    [late] = bot.fake.wait_for("response_url")
    assert late.params["response_type"] == "ephemeral"
    assert "/mentoring join" in late.params["text"]


def test_a_form_slow_to_build_opens_after_a_silent_acknowledgement(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_program(bot.services.sessions, "Digital Pilot")
    slow, go = held_back(enrolment_command.join_view)
    monkeypatch.setattr(enrolment_command, "join_view", slow)

    ack = bot.slack.command("join", user_id="UANA")
    assert (ack.status, ack.body) == (200, b"")
    assert bot.fake.calls_to("views.open") == []
    go.set()
    [opened] = bot.fake.wait_for("views.open")
    assert "Digital Pilot" in json.dumps(opened.params["view"])


def test_an_answer_ready_in_time_is_the_acknowledgement_itself(bot: RunningBot) -> None:
    ack = bot.slack.command("help", user_id="UANA")

    assert "/mentoring join" in ack.json()["text"]
    assert bot.fake.calls_to("response_url") == []


def test_work_held_after_many_acknowledgements_does_not_hold_the_next_one(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More people asking for a status at once than the work app has room for (the rest are
    served in the front): each is still acknowledged at once, and so is the next request."""
    large_program(bot, 3)
    slow, go = held_back(status.program_health)
    monkeypatch.setattr(status, "program_health", slow)
    asking = deferral.WORK_QUEUE_LIMIT + 4

    acks = [bot.slack.command("status Company Wide", user_id="UORGANIZER") for _ in range(asking)]
    help_ack = bot.slack.command("help", user_id="UANA")

    assert [ack.status for ack in acks] == [200] * asking
    assert "/mentoring join" in help_ack.json()["text"]
    assert bot.fake.calls_to("response_url") == []  # every status is still held
    go.set()
    answers = [bot.answer(ack)["text"] for ack in acks]
    assert answers == ["Company Wide: 3 on track, 0 at risk, 0 stalled"] * asking
