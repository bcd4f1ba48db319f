"""Stalled pairs end to end: a nudge, then one flag DM per organizer with working buttons,
recovery editing it in place, and messages that could not be delivered."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot import flags
from bot.models import (
    Delivery,
    Flag,
    FlagReason,
    FlagStatus,
    MeetingStatus,
    Organizer,
    Pairing,
    PairingStatus,
    Participant,
    ParticipantStatus,
)
from bot.scheduler import TickReport, run_tick
from bot.slack import ids
from bot.slack.interaction import TRY_AGAIN
from bot.slack.planners.health import make_rule
from tests.conftest import START, TEAM, RunningBot
from tests.support.block_kit import block_kit_problems
from tests.support.waiting import eventually
from tests.test_flags import add_checkin, add_meeting, all_flags, make_pair, running_program

NOON = START.replace(hour=12)
WEEK = timedelta(weeks=1)
FLAG_BUTTONS = [ids.FLAG_NUDGE, ids.FLAG_REPAIR, ids.FLAG_PAUSE, ids.FLAG_DISMISS]


def tick(bot: RunningBot) -> TickReport:
    """One scheduler pass with the health rule wired as bootstrap will wire it."""
    services = bot.services
    rule = make_rule(services.settings.organizers, services.client)
    return run_tick(services.sessions, services.outbox, services.clock, [], [rule])


def stalled_pair(bot: RunningBot, **kw) -> tuple[int, list[int], int]:
    """A pair introduced 15 days ago that never met, and a second organizer added in Slack."""
    for user in ("UANA", "UBEN", "USECOND"):
        bot.fake.add_user(user, name=user.lower())
    program = running_program(bot.services.sessions)
    pairing_id, people = make_pair(bot.services.sessions, program, **kw)
    with bot.services.sessions() as session:
        session.add(Organizer(team_id=TEAM, user_id="USECOND", added_by="UORGANIZER"))
        session.commit()
    bot.services.clock.set(NOON)
    return pairing_id, people, program.id


def posts(bot: RunningBot, channel_prefix: str = "") -> list:
    return [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if c.status == 200
        and c.response.get("ok")
        and c.params["channel"].startswith(channel_prefix)
    ]


def organizer_dms(bot: RunningBot) -> list:
    return [c for c in posts(bot) if c.params["channel"] in ("UORGANIZER", "USECOND")]


def buttons(call) -> list[tuple[str, str]]:
    return [
        (element["action_id"], element["value"])
        for block in call.params["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def raised_flag(bot: RunningBot, **kw) -> tuple[int, int, int]:
    """Nudge, then a week later the flag DMs: (flag id, pairing id, program id)."""
    pairing_id, _, program_id = stalled_pair(bot, **kw)
    tick(bot)
    bot.services.clock.advance(WEEK)
    tick(bot)
    [flag] = all_flags(bot.services.sessions)
    assert flag.status is FlagStatus.OPEN
    return flag.id, pairing_id, program_id


def the_flag(bot: RunningBot, flag_id: int) -> Flag:
    with bot.services.sessions() as session:
        flag = session.get(Flag, flag_id)
        assert flag is not None
        return flag


def updates_saying(bot: RunningBot, words: str, count: int = 2) -> list:
    return eventually(
        lambda: (
            (
                found := [
                    c for c in bot.fake.calls_to("chat.update") if words in json.dumps(c.params)
                ]
            )
            and len(found) >= count
            and found
        ),
        what=f"{count} flag DMs edited to say {words!r}",
    )


def test_no_meeting_nudges_then_flags_once_then_recovery_closes_it(bot: RunningBot) -> None:
    pairing_id, _, _ = stalled_pair(bot, channel="GPAIR")

    tick(bot)
    [nudge] = posts(bot)
    assert nudge.params["channel"] == "GPAIR"
    assert "It's been a little while since you two last met" in nudge.params["text"]
    assert (ids.SCHEDULE_COFFEE, str(pairing_id)) in buttons(nudge)
    assert block_kit_problems(nudge.params, "message") == []
    tick(bot)
    assert len(posts(bot)) == 1

    bot.services.clock.advance(WEEK)
    tick(bot)
    dms = organizer_dms(bot)
    assert sorted(c.params["channel"] for c in dms) == ["UORGANIZER", "USECOND"]
    [flag] = all_flags(bot.services.sessions)
    for dm in dms:
        shown = json.dumps(dm.params["blocks"])
        assert "<@UANA> and <@UBEN>" in shown
        assert "No meeting held or logged in the 3 weeks since they were introduced" in shown
        assert "*stalled*" in shown
        assert buttons(dm) == [(action, str(flag.id)) for action in FLAG_BUTTONS]
        assert block_kit_problems(dm.params, "message") == []

    for _ in range(3):
        bot.services.clock.advance(timedelta(days=1))
        tick(bot)
    assert len(posts(bot)) == 3
    assert len(all_flags(bot.services.sessions)) == 1

    add_meeting(bot.services.sessions, pairing_id, MeetingStatus.HELD, bot.services.clock.now())
    bot.services.clock.advance(timedelta(hours=1))
    tick(bot)
    flag = the_flag(bot, flag.id)
    assert flag.status is FlagStatus.RESOLVED and flag.closed_at == bot.services.clock.now()
    edits = updates_saying(bot, "they met again")
    assert {e.params["channel"] for e in edits} == {dm.response["channel"] for dm in dms}
    assert all(buttons(e) == [] for e in edits)
    tick(bot)
    assert len(bot.fake.calls_to("chat.update")) == 2


def test_nudge_again_is_recorded_once_and_refused_for_a_participant(bot: RunningBot) -> None:
    flag_id, _, _ = raised_flag(bot)
    sent = len(posts(bot))

    bot.slack.block_action(ids.FLAG_NUDGE, user_id="UANA", value=str(flag_id))
    [refused] = bot.fake.wait_for("response_url")
    assert "Only program organizers" in refused.params["text"]
    assert the_flag(bot, flag_id).status is FlagStatus.OPEN

    bot.slack.block_action(ids.FLAG_NUDGE, user_id="USECOND", value=str(flag_id))
    updates_saying(bot, "<@USECOND> nudged them again")
    again = eventually(lambda: posts(bot)[sent:], what="the second nudge")
    assert {c.params["channel"] for c in posts(bot)[sent:]} <= {"UANA", "UBEN"}
    assert "It's been a little while" in again[0].params["text"]
    flag = the_flag(bot, flag_id)
    assert (flag.status, flag.action, flag.action_by) == (
        FlagStatus.ACTED,
        flags.Action.NUDGE.value,
        "USECOND",
    )
    with bot.services.sessions() as session:
        assert f"nudge:{flag_id}:1:UANA" in session.scalars(sa.select(Delivery.key)).all()

    bot.slack.block_action(ids.FLAG_PAUSE, user_id="UORGANIZER", value=str(flag_id))
    told = bot.fake.wait_for("response_url", 2)[-1]
    assert "<@USECOND> already handled this flag: they nudged them again" in told.params["text"]
    assert the_flag(bot, flag_id).action == flags.Action.NUDGE.value


def test_pause_pairing(bot: RunningBot) -> None:
    flag_id, pairing_id, _ = raised_flag(bot)
    bot.slack.block_action(ids.FLAG_PAUSE, user_id="UORGANIZER", value=str(flag_id))
    updates_saying(bot, "paused the pairing")
    with bot.services.sessions() as session:
        assert session.get(Pairing, pairing_id).status is PairingStatus.PAUSED
    assert the_flag(bot, flag_id).action == flags.Action.PAUSE.value


def test_suggest_repairing_ends_the_pairing_kindly_and_offers_matching(bot: RunningBot) -> None:
    flag_id, pairing_id, program_id = raised_flag(bot)
    bot.slack.block_action(ids.FLAG_REPAIR, user_id="UORGANIZER", value=str(flag_id))
    edits = updates_saying(bot, "suggested re-pairing")
    assert (ids.MATCH_RUN, str(program_id)) in buttons(edits[0])
    notes = eventually(
        lambda: (
            [c for c in posts(bot) if "says nothing about either of you" in c.params["text"]]
            if len(posts(bot)) >= 6
            else None
        ),
        what="the kind notes to both members",
    )
    assert sorted(c.params["channel"] for c in notes) == ["UANA", "UBEN"]
    with bot.services.sessions() as session:
        assert session.get(Pairing, pairing_id).status is PairingStatus.REPAIRED
    flag = the_flag(bot, flag_id)
    assert (flag.status, flag.action) == (FlagStatus.ACTED, flags.Action.REPAIR.value)
    assert flag.closed_at is not None


def test_dismiss_asks_for_a_note_and_records_it_once(bot: RunningBot) -> None:
    flag_id, _, _ = raised_flag(bot)
    bot.slack.block_action(ids.FLAG_DISMISS, user_id="UORGANIZER", value=str(flag_id))
    [opened] = bot.fake.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == ids.FLAG_DISMISS_MODAL
    assert block_kit_problems(opened.params["view"], "modal") == []

    def submit(user: str):
        return bot.slack.view_submission(
            ids.FLAG_DISMISS_MODAL,
            {"note": {"note": {"type": "plain_text_input", "value": "<!channel> Fridays"}}},
            user_id=user,
            private_metadata=opened.params["view"]["private_metadata"],
        )

    refused = submit("UBEN").json()
    assert "Only program organizers" in refused["errors"]["note"]
    assert submit("UORGANIZER").status == 200
    edits = updates_saying(bot, "dismissed this flag")
    assert "&lt;!channel&gt; Fridays" in json.dumps(edits[0].params["blocks"])
    flag = the_flag(bot, flag_id)
    assert (flag.status, flag.action_note) == (FlagStatus.DISMISSED, "<!channel> Fridays")
    second = submit("USECOND").json()
    assert "<@UORGANIZER> already handled this flag" in second["errors"]["note"]

    bot.slack.block_action(ids.FLAG_DISMISS, user_id="USECOND", value=str(flag_id))
    told = bot.fake.wait_for("response_url")[-1]
    assert "already handled" in told.params["text"]
    assert len(bot.fake.calls_to("views.open")) == 1
    bot.services.clock.advance(2 * WEEK)
    tick(bot)
    assert len(all_flags(bot.services.sessions)) == 1  # a dismissed episode is not raised again


def test_a_database_error_is_a_friendly_try_again(bot: RunningBot, monkeypatch) -> None:
    flag_id, _, _ = raised_flag(bot)

    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("UPDATE flags", {}, Exception("database is locked"))

    monkeypatch.setattr(flags, "act", broken)
    bot.slack.block_action(ids.FLAG_PAUSE, user_id="UORGANIZER", value=str(flag_id))
    [told] = bot.fake.wait_for("response_url")
    assert told.params["text"] == TRY_AGAIN


def test_low_mood_twice_nudges_without_telling_and_flags_with_numbers(bot: RunningBot) -> None:
    pairing_id, (ana, ben), _ = stalled_pair(bot)
    add_meeting(bot.services.sessions, pairing_id, MeetingStatus.HELD, NOON - timedelta(days=2))
    secret = "I feel ignored, please don't tell Ben"
    for weeks, mood in ((2, 2), (1, 1)):
        period = START.date() - timedelta(weeks=weeks)
        add_checkin(bot.services.sessions, ana, pairing_id, period, mood=mood, comment=secret)
        add_checkin(bot.services.sessions, ben, pairing_id, period, mood=4)

    tick(bot)
    nudges = posts(bot)
    assert sorted(c.params["channel"] for c in nudges) == ["UANA", "UBEN"]
    for nudge in nudges:
        shown = json.dumps(nudge.params).lower()
        assert "mood" not in shown and "ignored" not in shown

    bot.services.clock.advance(WEEK)
    add_meeting(bot.services.sessions, pairing_id, MeetingStatus.HELD, NOON + timedelta(days=5))
    tick(bot)
    dms = organizer_dms(bot)
    assert len(dms) == 2
    shown = json.dumps(dms[0].params)
    assert "<@UANA> rated their mood 2, 1 (out of 5)" in shown
    assert "ignored" not in shown


def test_two_declined_or_missed_meetings_in_a_row(bot: RunningBot) -> None:
    pairing_id, _, _ = stalled_pair(bot, introduced=NOON - timedelta(days=10))
    add_meeting(bot.services.sessions, pairing_id, MeetingStatus.MISSED, NOON - timedelta(days=6))
    add_meeting(bot.services.sessions, pairing_id, MeetingStatus.DECLINED, NOON - timedelta(days=1))
    tick(bot)
    assert "Finding a time that suits you both" in posts(bot)[0].params["text"]
    bot.services.clock.advance(WEEK)
    tick(bot)
    declined, quiet = all_flags(bot.services.sessions)  # a week later: still no meeting held
    assert (declined.reason, declined.status) == (FlagReason.DECLINED_MEETINGS, FlagStatus.OPEN)
    assert (quiet.reason, quiet.status) == (FlagReason.NO_MEETING, FlagStatus.NUDGED)
    assert "did not happen (1 declined and 1 missed)" in json.dumps(organizer_dms(bot)[0].params)
    assert len(posts(bot)) == 2 + 2  # one nudge (a DM each) a period; the flag to each organizer


def test_unanswered_checkins_nudge_then_flag(bot: RunningBot) -> None:
    pairing_id, (ana, ben), _ = stalled_pair(bot, introduced=NOON - timedelta(days=13))
    add_meeting(bot.services.sessions, pairing_id, MeetingStatus.HELD, NOON - timedelta(days=1))
    for weeks in (1, 2):
        for person in (ana, ben):
            period = START.date() - timedelta(weeks=weeks)
            add_checkin(bot.services.sessions, person, pairing_id, period, answered=False)
    tick(bot)  # Monday: last week's check-in was asked on Friday, its reminder is still due
    assert posts(bot) == []
    bot.services.clock.advance(timedelta(days=4))
    tick(bot)  # Friday: two periods in a row without an answer
    assert "the short check-in helps the organizers" in posts(bot)[0].params["text"]
    bot.services.clock.advance(WEEK)
    add_checkin(bot.services.sessions, ana, pairing_id, START.date(), answered=False)
    add_meeting(bot.services.sessions, pairing_id, MeetingStatus.HELD, bot.services.clock.now())
    tick(bot)
    assert "Neither of them answered the last 3 check-ins" in json.dumps(
        organizer_dms(bot)[0].params
    )


def test_a_member_who_left_is_flagged_straight_to_organizers(bot: RunningBot) -> None:
    _, (_, ben), _ = stalled_pair(bot, introduced=NOON - timedelta(days=3))
    with bot.services.sessions() as session:
        session.execute(
            sa.update(Participant)
            .where(Participant.id == ben)
            .values(status=ParticipantStatus.DEACTIVATED)
        )
        session.commit()
    tick(bot)
    dms = organizer_dms(bot)
    assert len(dms) == 2 and len(posts(bot)) == 2  # nothing to the pair
    assert "<@UBEN> was deactivated in Slack" in json.dumps(dms[0].params)
    assert [action for action, _ in buttons(dms[0])] == FLAG_BUTTONS[1:]


@pytest.mark.parametrize("error", ["account_inactive"])
def test_a_terminal_delivery_failure_is_flagged_once(bot: RunningBot, error: str) -> None:
    stalled_pair(bot)
    bot.fake.fail("chat.postMessage", error)
    tick(bot)  # the nudge to Ana fails for good, Ben's goes out
    with bot.services.sessions() as session:
        failed = session.scalars(sa.select(Delivery).where(Delivery.status == "failed")).all()
    assert [row.channel for row in failed] == ["UANA"]

    tick(bot)
    dms = organizer_dms(bot)
    assert sorted(c.params["channel"] for c in dms) == ["UORGANIZER", "USECOND"]
    shown = json.dumps(dms[0].params)
    assert "<@UANA>" in shown and error in shown and "A nudge" in shown
    [flag] = [f for f in all_flags(bot.services.sessions) if f.reason is FlagReason.DELIVERY_FAILED]
    assert flag.delivery_id == failed[0].id
    for _ in range(2):
        bot.services.clock.advance(timedelta(minutes=1))
        tick(bot)
    assert len(organizer_dms(bot)) == 2
