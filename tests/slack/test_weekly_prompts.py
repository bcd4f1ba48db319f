"""The weekly meeting prompt: once a week, at the right local time, with progress and a topic."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import meetings
from bot.models import (
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
)
from bot.slack import ids
from bot.slack.planners.prompts import progress_bar
from tests.conftest import TEAM, RunningBot
from tests.factories import make_program


def make_pair(
    bot: RunningBot, program, channel: str, zones: tuple[str, str], users=("UANA", "UBEN")
):
    with bot.services.sessions() as session:
        people = [
            Participant(
                team_id=TEAM,
                program_id=program.id,
                user_id=user,
                role=role,
                timezone=zone,
                consent=True,
                skills_offered=offers,
                skills_wanted=wants,
            )
            for user, role, zone, offers, wants in (
                (users[0], ParticipantRole.MENTOR, zones[0], ["TikTok"], ["Budgeting"]),
                (users[1], ParticipantRole.MENTEE, zones[1], ["Budgeting"], ["TikTok"]),
            )
        ]
        session.add_all(people)
        session.flush()
        pairing = Pairing(
            team_id=TEAM,
            program_id=program.id,
            status=PairingStatus.ACTIVE,
            channel_id=channel,
            introduced_at=datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
        )
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
        session.add(pairing)
        session.commit()
        return pairing.id


def prompts_in(bot: RunningBot, channel: str) -> list:
    return [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if c.params["channel"] == channel and c.params["text"].startswith("Week ")
    ]


@pytest.fixture
def program(bot: RunningBot):
    return make_program(
        bot.services.sessions, "Digital Pilot", start_date=date(2026, 11, 30), length_weeks=3
    )


def test_prompts_arrive_once_a_week_at_the_pairs_local_morning(bot, program) -> None:
    across = make_pair(bot, program, "G0ACROSS", ("America/New_York", "Europe/Berlin"))
    berlin = make_pair(
        bot, program, "G0BERLIN", ("Europe/Berlin", "Europe/Berlin"), ("UCAT", "UDAN")
    )
    clock = bot.services.clock
    monday = datetime(2026, 11, 30, tzinfo=UTC)

    def tick_at(hour: int, minute: int = 0, days: int = 0) -> None:
        clock.set(monday + timedelta(days=days, hours=hour, minutes=minute))
        bot.services.tick()

    tick_at(8, 29)
    assert prompts_in(bot, "G0BERLIN") == []
    tick_at(8, 30)  # 09:30 in Berlin
    tick_at(8, 30)
    assert len(prompts_in(bot, "G0BERLIN")) == 1
    assert prompts_in(bot, "G0ACROSS") == []
    tick_at(14, 29)
    assert prompts_in(bot, "G0ACROSS") == []
    tick_at(14, 30)  # 09:30 in New York, 15:30 in Berlin: inside both working days
    for hour in (15, 20):
        tick_at(hour)
    for day in range(1, 7):
        tick_at(10, days=day)
    assert len(prompts_in(bot, "G0ACROSS")) == 1
    assert len(prompts_in(bot, "G0BERLIN")) == 1

    with bot.services.sessions() as session:
        meetings.log_meeting(session, session.get(Pairing, across), "UANA", 45, "", clock.now())
        session.commit()
    tick_at(14, 30, days=7)
    week_two = prompts_in(bot, "G0ACROSS")[-1]
    shown = json.dumps(week_two.params["blocks"], ensure_ascii=False)
    assert "Week 2 of Digital Pilot" in week_two.params["text"]
    assert "1 meeting, 45 minutes of the 60 minutes planned" in shown
    assert "▓▓▓▓▓▓▓▓░░ 75%" in shown
    assert ids.SCHEDULE_COFFEE in shown and str(across) in shown

    topics = [
        json.dumps(c.params["blocks"][2], ensure_ascii=False) for c in prompts_in(bot, "G0ACROSS")
    ]
    assert topics[0] != topics[1]
    assert "reverse mentor" in topics[0] and "mentee" in topics[1]  # both ways, in turn
    assert "tiktok" in topics[0].lower()

    tick_at(15, days=14)  # week 3
    assert len(prompts_in(bot, "G0ACROSS")) == 3
    tick_at(9, days=21)  # the program has ended (3 weeks)
    tick_at(15, days=21)
    assert len(prompts_in(bot, "G0ACROSS")) == 3
    assert berlin


def test_a_pair_introduced_this_week_waits_for_next_week(bot, program) -> None:
    pairing = make_pair(bot, program, "G0NEW", ("Europe/Berlin", "Europe/Berlin"))
    with bot.services.sessions() as session:
        session.get(Pairing, pairing).introduced_at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
        session.commit()
    bot.services.clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    bot.services.tick()
    assert prompts_in(bot, "G0NEW") == []


def test_the_progress_bar() -> None:
    assert progress_bar(0, 60) == "░░░░░░░░░░ 0%"
    assert progress_bar(90, 60) == "▓▓▓▓▓▓▓▓▓▓ 100%"
    assert progress_bar(5, 0) == ""
