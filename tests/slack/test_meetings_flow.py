"""Coffee meetings through buttons, end to end: propose, counter, accept, remind, follow up."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bot import meetings
from bot.models import (
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
)
from bot.slack import ids
from tests.conftest import TEAM, RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems
from tests.support.waiting import eventually

PAIR_CHANNEL = "G0PAIR"


@pytest.fixture
def pair(bot: RunningBot) -> int:
    """Ana in New York (the reverse mentor) and Ben in Berlin, introduced in G0PAIR."""
    bot.fake.add_user("UANA", name="ana", tz="America/New_York", tz_offset=-18000)
    bot.fake.add_user("UBEN", name="ben", tz="Europe/Berlin", tz_offset=3600)
    bot.fake.add_user("UEVE", name="eve")
    program = make_program(bot.services.sessions, "Digital Pilot")
    with bot.services.sessions() as session:
        people = [
            Participant(
                team_id=TEAM, program_id=program.id, user_id=u, role=r, timezone=tz, consent=True
            )
            for u, r, tz in (
                ("UANA", ParticipantRole.MENTOR, "America/New_York"),
                ("UBEN", ParticipantRole.MENTEE, "Europe/Berlin"),
            )
        ]
        session.add_all(people)
        session.flush()
        pairing = Pairing(
            team_id=TEAM,
            program_id=program.id,
            status=PairingStatus.ACTIVE,
            channel_id=PAIR_CHANNEL,
            introduced_at=bot.services.clock.now(),
        )
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
        session.add(pairing)
        session.commit()
        return pairing.id


def modal_values(day: str, at: str, *, duration="60", fmt="coffee", location="", topic=""):
    return {
        "date": {"date": {"type": "datepicker", "selected_date": day}},
        "time": {"time": {"type": "timepicker", "selected_time": at}},
        "duration": {"duration": {"type": "static_select", "selected_option": {"value": duration}}},
        "format": {"format": {"type": "static_select", "selected_option": {"value": fmt}}},
        "location": {"location": {"type": "plain_text_input", "value": location or None}},
        "topic": {"topic": {"type": "plain_text_input", "value": topic or None}},
    }


def propose(bot, pair, user, day, at, replaces=None, tz=None, **kw):
    zone_name = tz or {"UANA": "America/New_York", "UBEN": "Europe/Berlin"}.get(user, "UTC")
    return bot.slack.view_submission(
        ids.MEETING_MODAL,
        modal_values(day, at, **kw),
        user_id=user,
        private_metadata=json.dumps({"pairing_id": pair, "tz": zone_name, "replaces": replaces}),
    )


def posts_to_pair(bot) -> list:
    return [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == PAIR_CHANNEL]


def meeting_rows(bot) -> list[Meeting]:
    with bot.services.sessions() as session:
        return list(session.scalars(sa.select(Meeting).order_by(Meeting.id)))


def posted(bot, index: int) -> Meeting:
    """A proposed meeting, once the bot recorded its message (so buttons can edit it)."""
    return eventually(
        lambda: len(rows := meeting_rows(bot)) > index and rows[index].message_ts and rows[index],
        what=f"meeting {index} to be posted",
    )


def epoch_in(text: str) -> int:
    return int(re.search(r"<!date\^(\d+)\^", text).group(1))


def test_propose_counter_accept_remind_and_log_once(bot: RunningBot, pair: int) -> None:
    clock = bot.services.clock
    bot.slack.block_action(ids.SCHEDULE_COFFEE, user_id="UANA", value=str(pair))
    [opened] = bot.fake.wait_for("views.open")
    modal = opened.params["view"]
    assert block_kit_problems(modal, "modal") == []
    assert "America/New_York" in json.dumps(modal)  # entered in the proposer's zone

    # Ana proposes Wednesday 10:00 in New York, which is 15:00 UTC and 16:00 in Berlin.
    assert propose(bot, pair, "UANA", "2026-12-02", "10:00", topic="TikTok basics").status == 200
    [first_post] = bot.fake.wait_for("chat.postMessage")
    assert first_post.params["channel"] == PAIR_CHANNEL
    assert epoch_in(first_post.params["blocks"][0]["text"]["text"]) == int(
        datetime(2026, 12, 2, 15, 0, tzinfo=UTC).timestamp()
    )
    first = posted(bot, 0)

    # Ben counters: 17:00 in Berlin (16:00 UTC, 11:00 in New York).
    bot.slack.block_action(ids.MEETING_COUNTER, user_id="UBEN", value=str(first.id))
    counter_modal = bot.fake.wait_for("views.open", 2)[-1].params["view"]
    assert "Europe/Berlin" in json.dumps(counter_modal)
    time_block = next(b for b in counter_modal["blocks"] if b["block_id"] == "time")
    assert time_block["element"]["initial_time"] == "16:00"  # Ana's 10:00 NY, in Berlin
    propose(bot, pair, "UBEN", "2026-12-02", "17:00", replaces=first.id)
    second = posted(bot, 1)
    bot.fake.wait_for("chat.update")
    first_row = meeting_rows(bot)[0]
    assert first_row.status is MeetingStatus.COUNTERED
    assert second.starts_at == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)

    # A stale click on the first proposal, and a click from outside the pair, do nothing.
    bot.slack.block_action(ids.MEETING_ACCEPT, user_id="UANA", value=str(first.id))
    bot.slack.block_action(ids.MEETING_ACCEPT, user_id="UEVE", value=str(second.id))
    told = [c.params["text"] for c in bot.fake.wait_for("response_url", 2)]
    assert any("Another time was suggested" in t for t in told)
    assert any("Only the people in this pairing" in t for t in told)

    bot.slack.block_action(ids.MEETING_ACCEPT, user_id="UANA", value=str(second.id))
    bot.fake.wait_for("files.completeUploadExternal")
    assert meeting_rows(bot)[1].status is MeetingStatus.CONFIRMED
    [ics] = bot.fake.files.values()
    assert b"DTSTART:20261202T160000Z" in ics["content"]
    assert b"DTEND:20261202T170000Z" in ics["content"]
    confirmed = [c for c in bot.fake.calls_to("chat.update") if "Confirmed" in json.dumps(c.params)]
    assert confirmed and epoch_in(json.dumps(confirmed[-1].params["blocks"])) == int(
        second.starts_at.timestamp()
    )

    # The reminder: 08:00 in Berlin (07:00 UTC) is the earliest morning of the two.
    def reminders() -> list:
        return [c for c in posts_to_pair(bot) if "Reminder" in c.params["text"]]

    clock.set(datetime(2026, 12, 2, 6, 59, tzinfo=UTC))
    bot.services.tick()
    assert reminders() == []
    clock.set(datetime(2026, 12, 2, 7, 0, tzinfo=UTC))
    bot.services.tick()
    bot.services.tick()
    assert len(reminders()) == 1

    # "Did you meet?" ten minutes after the slot ends (17:10 UTC).
    clock.set(datetime(2026, 12, 2, 17, 9, tzinfo=UTC))
    bot.services.tick()
    assert not [c for c in posts_to_pair(bot) if "did you meet" in c.params["text"]]
    clock.set(datetime(2026, 12, 2, 17, 10, tzinfo=UTC))
    bot.services.tick()
    bot.services.tick()
    [follow_up] = [c for c in posts_to_pair(bot) if "did you meet" in c.params["text"]]
    assert ids.MEETING_MET in json.dumps(follow_up.params["blocks"])

    # Ben says yes, 50 minutes; Ana confirms; it counts once.
    bot.slack.block_action(ids.MEETING_MET, user_id="UBEN", value=str(second.id))
    minutes_modal = bot.fake.wait_for("views.open", 3)[-1].params["view"]
    assert minutes_modal["callback_id"] == ids.MEETING_MINUTES_MODAL
    bot.slack.view_submission(
        ids.MEETING_MINUTES_MODAL,
        {"minutes": {"minutes": {"type": "number_input", "value": "50"}}},
        user_id="UBEN",
        private_metadata=minutes_modal["private_metadata"],
    )
    bot.slack.block_action(ids.MEETING_MET, user_id="UANA", value=str(second.id))
    updates = bot.fake.wait_for("chat.update", 4)
    assert "confirmed by both" in updates[-1].params["text"]
    held = meeting_rows(bot)[1]
    assert (held.status, held.minutes_held) == (MeetingStatus.HELD, 50)
    assert held.held_confirmed_by == ["UBEN", "UANA"]
    with bot.services.sessions() as session:
        assert meetings.minutes_held(session, pair) == 50


def test_bad_proposals_get_errors_on_their_fields_and_store_nothing(bot, pair) -> None:
    past = propose(bot, pair, "UANA", "2026-11-29", "10:00").json()
    assert past["response_action"] == "errors" and "has passed" in past["errors"]["time"]
    zero = propose(bot, pair, "UANA", "2026-12-02", "10:00", duration="0").json()
    assert "30, 45, 60 or 90" in zero["errors"]["duration"]
    outsider = propose(bot, pair, "UEVE", "2026-12-02", "10:00").json()
    assert "Only the people in this pairing" in outsider["errors"]["date"]
    assert meeting_rows(bot) == []

    propose(bot, pair, "UANA", "2026-12-02", "10:00")
    bot.slack.block_action(ids.MEETING_ACCEPT, user_id="UBEN", value=str(posted(bot, 0).id))
    bot.fake.wait_for("chat.update")
    overlap = propose(bot, pair, "UBEN", "2026-12-02", "16:30", duration="30").json()
    assert "already have a meeting booked" in overlap["errors"]["time"]

    with bot.services.sessions() as session:
        session.get(Pairing, pair).status = PairingStatus.ENDED
        session.commit()
    ended = propose(bot, pair, "UANA", "2026-12-09", "10:00").json()
    assert "pairing has ended" in ended["errors"]["date"]
    assert len(meeting_rows(bot)) == 1


def test_decline_and_cancel_offer_to_reschedule(bot, pair) -> None:
    propose(bot, pair, "UANA", "2026-12-02", "10:00")
    bot.slack.block_action(ids.MEETING_DECLINE, user_id="UBEN", value=str(posted(bot, 0).id))
    declined = bot.fake.wait_for("chat.update")[-1]
    assert "can't make" in declined.params["text"]
    assert ids.SCHEDULE_COFFEE in json.dumps(declined.params["blocks"])
    assert meeting_rows(bot)[0].status is MeetingStatus.DECLINED

    propose(bot, pair, "UBEN", "2026-12-03", "12:00")
    booked = posted(bot, 1)
    bot.slack.block_action(ids.MEETING_ACCEPT, user_id="UANA", value=str(booked.id))
    bot.fake.wait_for("files.completeUploadExternal")
    bot.slack.block_action(ids.MEETING_CANCEL, user_id="UANA", value=str(booked.id))
    told = [
        c for c in bot.fake.wait_for("chat.postMessage", 3) if "had to cancel" in c.params["text"]
    ]
    assert told and "<@UBEN>" in told[-1].params["text"]
    assert ids.SCHEDULE_COFFEE in json.dumps(told[-1].params["blocks"])
    assert meeting_rows(bot)[1].status is MeetingStatus.CANCELLED
    bot.services.clock.set(datetime(2026, 12, 3, 14, 0, tzinfo=UTC))
    bot.services.tick()
    assert not [c for c in posts_to_pair(bot) if "did you meet" in c.params["text"]]


def test_a_meeting_logged_in_the_corridor_counts(bot, pair) -> None:
    reply = bot.slack.command("log 25 coffee by the lifts <!channel>", user_id="UBEN").json()
    assert "Logged 25 minutes with <@UANA>" in reply["text"]
    assert "25 of 720 minutes" in reply["text"]  # 60 minutes a week for 12 weeks
    assert "<!channel>" not in reply["text"]
    bad = bot.slack.command("log soon", user_id="UBEN").json()
    assert "how long you met" in bad["text"]
    nobody = bot.slack.command("log 30", user_id="UEVE").json()
    assert "don't have a partner yet" in nobody["text"]
    with bot.services.sessions() as session:
        assert meetings.minutes_held(session, pair) == 25


def test_meet_opens_the_modal_for_your_pairing(bot, pair) -> None:
    bot.slack.command("meet", user_id="UBEN")
    [opened] = bot.fake.wait_for("views.open")
    assert json.loads(opened.params["view"]["private_metadata"])["pairing_id"] == pair


def test_a_confirmed_meeting_shows_on_both_home_tabs(bot, pair) -> None:
    propose(bot, pair, "UANA", "2026-12-02", "10:00")
    bot.slack.block_action(ids.MEETING_ACCEPT, user_id="UBEN", value=str(posted(bot, 0).id))
    publishes = bot.fake.wait_for("views.publish", 2)
    homes = {c.params["user_id"]: json.dumps(c.params["view"]) for c in publishes}
    instant = int(datetime(2026, 12, 2, 15, 0, tzinfo=UTC).timestamp())
    for user in ("UANA", "UBEN"):
        assert f"Next meeting: <!date^{instant}^" in homes[user]
        assert ids.SCHEDULE_COFFEE in homes[user]


def book(bot, pair, day: str, at: str, index: int) -> Meeting:
    propose(bot, pair, "UANA", day, at)
    meeting = posted(bot, index)
    bot.slack.block_action(ids.MEETING_ACCEPT, user_id="UBEN", value=str(meeting.id))
    return eventually(
        lambda: (
            meeting_rows(bot)[index].status is MeetingStatus.CONFIRMED and meeting_rows(bot)[index]
        ),
        what="the meeting to be confirmed",
    )


def test_no_and_we_moved_it(bot, pair) -> None:
    first = book(bot, pair, "2026-12-02", "10:00", 0)  # 15:00-16:00 UTC
    second = book(bot, pair, "2026-12-03", "10:00", 1)
    bot.services.clock.set(datetime(2026, 12, 3, 16, 30, tzinfo=UTC))
    bot.services.tick()  # both follow-ups are due now
    follow_ups = [c for c in posts_to_pair(bot) if "did you meet" in c.params["text"]]
    assert len(follow_ups) == 2

    bot.slack.block_action(ids.MEETING_NOT_MET, user_id="UANA", value=str(first.id))
    eventually(lambda: meeting_rows(bot)[0].status is MeetingStatus.MISSED, what="missed")
    bot.slack.block_action(ids.MEETING_MOVED, user_id="UBEN", value=str(second.id))
    reopened = bot.fake.wait_for("views.open")[-1].params["view"]
    assert reopened["callback_id"] == ids.MEETING_MODAL  # straight back to scheduling
    assert meeting_rows(bot)[1].status is MeetingStatus.CANCELLED
    texts = [c.params["text"] for c in bot.fake.calls_to("chat.update")]
    assert any("didn't manage to meet" in t for t in texts)
    assert any("moved it" in t for t in texts)
    with bot.services.sessions() as session:
        assert meetings.minutes_held(session, pair) == 0
