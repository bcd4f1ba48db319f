"""The kickoff meet-and-greet end to end: an organizer sets it, everyone enrolled is invited
(latecomers too), replies redraw the invitation in place and "I'll be there" brings a calendar
file, a reminder goes the day before, organizers see the replies, and pairs introduced after the
kickoff are told where its recording is."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot import kickoff
from bot.kickoff import KickoffInput
from bot.models import (
    Delivery,
    KickoffAnswer,
    KickoffReply,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    Program,
)
from bot.slack import ids
from tests.conftest import START, TEAM, RunningBot
from tests.factories import make_program
from tests.slack.test_program_modal import program_values
from tests.slack.test_sponsor_flow import leadership
from tests.support.block_kit import block_kit_problems

KICKOFF = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)  # Thursday 15:00 in Berlin
EPOCH = int(KICKOFF.timestamp())
PEOPLE = (
    ("UANA", "Europe/Berlin", ParticipantRole.MENTOR),
    ("UBEN", "America/New_York", ParticipantRole.MENTEE),
    ("UCY", "Europe/Berlin", ParticipantRole.MENTEE),
)


def enrol(bot: RunningBot, program_id: int, user: str, tz: str, role: ParticipantRole) -> None:
    bot.fake.add_user(user, name=user.lower(), tz=tz)
    with bot.services.sessions() as session:
        session.add(
            Participant(
                team_id=TEAM,
                program_id=program_id,
                user_id=user,
                display_name=user.lower(),
                role=role,
                timezone=tz,
                consent=True,
            )
        )
        session.commit()


@pytest.fixture
def pilot(bot: RunningBot) -> int:
    program = make_program(bot.services.sessions, "Digital Pilot")
    for user, tz, role in PEOPLE:
        enrol(bot, program.id, user, tz, role)
    bot.fake.add_user("UEVE", name="eve")
    return program.id


def kickoff_values(day: str | None, at: str | None, **fields: Any) -> dict:
    values = {
        kickoff.DATE: {"type": "datepicker", "selected_date": day},
        kickoff.TIME: {"type": "timepicker", "selected_time": at},
        kickoff.PLACE: {"type": "plain_text_input", "value": fields.get("place")},
        kickoff.AGENDA: {"type": "plain_text_input", "value": fields.get("agenda")},
        kickoff.FOLLOWUP: {"type": "plain_text_input", "value": fields.get("followup")},
    }
    return {block_id: {block_id: element} for block_id, element in values.items()}


def open_kickoff_modal(bot: RunningBot, user: str = "UORGANIZER") -> dict:
    before = len(bot.fake.calls_to("views.open"))
    bot.slack.command("kickoff Digital Pilot", user_id=user)
    view = bot.fake.wait_for("views.open", before + 1)[-1].params["view"]
    assert block_kit_problems(view, "modal") == []
    return view


def save_kickoff(bot: RunningBot, view: dict, day: str, at: str, **fields: Any) -> Any:
    return bot.slack.view_submission(
        ids.KICKOFF_MODAL,
        kickoff_values(day, at, **fields),
        user_id="UORGANIZER",
        private_metadata=view["private_metadata"],
    )


def set_kickoff(bot: RunningBot, program_id: int, **fields: Any) -> None:
    """The kickoff straight through the domain, for tests about what follows."""
    with bot.services.sessions() as session:
        program = session.get(Program, program_id)
        valid = kickoff.validate(
            KickoffInput(
                date(2026, 12, 10),
                "15:00",
                "Europe/Berlin",
                fields.get("place", "Room 4 & https://meet.example/kick"),
                fields.get("agenda", "Welcome, how pairs meet, Q&A"),
            ),
            now=bot.services.clock.now(),
        )
        kickoff.apply(session, program, valid)
        session.commit()


def dms_to(bot: RunningBot, user: str, words: str) -> list:
    return [
        call
        for call in bot.fake.calls_to("chat.postMessage")
        if call.params["channel"] == user and words in json.dumps(call.params)
    ]


def invitation_of(bot: RunningBot, program_id: int, user: str) -> Delivery:
    with bot.services.sessions() as session:
        row = session.scalar(
            sa.select(Delivery).where(
                Delivery.key == kickoff.invitation_key(program_id, user, EPOCH)
            )
        )
        assert row is not None and row.message_ts, f"{user} was not invited"
        return row


def click(
    bot: RunningBot, action: str, user: str, where: Delivery | None, value: str, block: str
) -> None:
    if where is None:
        bot.slack.block_action(action, user_id=user, value=value, block_id=block)
        return
    message = next(
        m for m in bot.fake.messages[where.message_channel] if m["ts"] == where.message_ts
    )
    bot.slack.block_action(
        action,
        user_id=user,
        value=value,
        block_id=block,
        channel_id=where.message_channel,
        message=message,
    )


def shown(bot: RunningBot, where: Delivery) -> str:
    message = next(
        m for m in bot.fake.messages[where.message_channel] if m["ts"] == where.message_ts
    )
    return json.dumps(message["blocks"], ensure_ascii=False)


def test_an_organizer_sets_the_kickoff_and_everyone_enrolled_is_invited(bot, pilot) -> None:
    view = open_kickoff_modal(bot)
    assert "Europe/Berlin" in json.dumps(view)  # the organizer's zone
    assert {kickoff.DATE, kickoff.TIME, kickoff.PLACE, kickoff.AGENDA} <= {
        block.get("block_id") for block in view["blocks"]
    }

    past = save_kickoff(bot, view, "2026-11-30", "08:30", place="Room 4").json()  # 07:30 UTC
    assert "in the past" in past["errors"][kickoff.DATE]
    nowhere = save_kickoff(bot, view, "2026-12-10", "15:00").json()
    assert "Say where" in nowhere["errors"][kickoff.PLACE]
    with bot.services.sessions() as session:
        assert session.get(Program, pilot).kickoff_at is None

    saved = save_kickoff(
        bot, view, "2026-12-10", "15:00", place="Room 4 <!here>", agenda="Welcome\nQ&A"
    )
    assert saved.status == 200 and saved.body in (b"", b"{}")
    with bot.services.sessions() as session:
        program = session.get(Program, pilot)
        assert (program.kickoff_at, program.kickoff_place) == (KICKOFF, "Room 4 <!here>")

    bot.fake.wait_for("chat.postMessage", 4)  # three invitations and the organizer's note
    for user, _, _ in PEOPLE:
        [invitation] = dms_to(bot, user, "kickoff")
        blocks = invitation.params["blocks"]
        assert block_kit_problems({"blocks": blocks, "text": "x"}, "message") == []
        text = json.dumps(blocks, ensure_ascii=False)
        assert f"<!date^{EPOCH}^" in text  # everyone reads it in their own zone
        assert "Room 4 &lt;!here&gt;" in text and "<!here>" not in text
        buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
        assert [(b["action_id"], b["value"]) for b in buttons] == [
            (ids.KICKOFF_GOING, f"{pilot}:{EPOCH}"),
            (ids.KICKOFF_NOT_GOING, f"{pilot}:{EPOCH}"),
        ]
    [note] = dms_to(bot, "UORGANIZER", "kickoff")
    assert "inviting 3 participants" in note.params["text"]

    refused = bot.slack.command("kickoff Digital Pilot", user_id="UEVE").json()
    assert "Only program organizers" in refused["text"]


def test_the_kickoff_set_in_the_program_modal_invites_at_once(bot, pilot) -> None:
    response = bot.slack.view_submission(
        ids.PROGRAM_MODAL,
        program_values(
            **leadership(None, None, day="2026-12-10", at="15:00", place="Room 4"),
            start_date={"type": "datepicker", "selected_date": "2026-12-14"},
        ),
        user_id="UORGANIZER",
        private_metadata=json.dumps({"program_id": pilot, "tz": "Europe/Berlin"}),
    )
    assert response.status == 200 and response.body in (b"", b"{}")
    bot.fake.wait_for("chat.postMessage", 4)  # three invitations and "Digital Pilot is updated"
    assert all(dms_to(bot, user, "kickoff") for user, _, _ in PEOPLE)


def test_every_invitation_brings_a_calendar_file_and_replies_redraw_it(bot, pilot) -> None:
    set_kickoff(bot, pilot)
    bot.services.tick()
    ana = invitation_of(bot, pilot, "UANA")
    token = f"{pilot}:{EPOCH}"

    uploads = bot.fake.wait_for("files.completeUploadExternal", len(PEOPLE))
    assert len(bot.fake.files) == len(PEOPLE)  # one calendar file each
    [calendar] = [f for f in bot.fake.files.values() if f["channel_id"] == ana.message_channel]
    assert calendar["filename"].endswith(".ics")
    content = calendar["content"].decode()
    assert "DTSTART:20261210T140000Z" in content and "SUMMARY:Kickoff: Digital Pilot" in content
    assert "LOCATION:Room 4 & https://meet.example/kick" in content

    click(bot, ids.KICKOFF_GOING, "UANA", ana, token, "kickoff_invitation")
    bot.fake.wait_for("chat.update")
    assert "You said you'll be there" in shown(bot, ana)
    click(bot, ids.KICKOFF_GOING, "UANA", ana, token, "kickoff_invitation")  # again: same answer
    bot.fake.wait_for("chat.update", 2)
    click(bot, ids.KICKOFF_NOT_GOING, "UANA", ana, token, "kickoff_invitation")
    bot.fake.wait_for("chat.update", 3)
    assert "You said you can't make it" in shown(bot, ana)
    bot.services.tick()  # nothing more to send: every file went once
    assert len(bot.fake.files) == len(PEOPLE)
    assert len(bot.fake.calls_to("files.completeUploadExternal")) == len(uploads)
    with bot.services.sessions() as session:
        [reply] = session.scalars(sa.select(KickoffReply)).all()
        assert (reply.user_id, reply.answer) == ("UANA", KickoffAnswer.NOT_GOING)

    click(bot, ids.KICKOFF_GOING, "UEVE", None, token, "kickoff_invitation")
    click(bot, ids.KICKOFF_GOING, "UBEN", None, f"{pilot}:{EPOCH - 3600}", "kickoff_invitation")
    told = [call.params["text"] for call in bot.fake.wait_for("response_url", 2)]
    assert any("Only people enrolled" in line for line in told)
    assert any("has moved" in line for line in told)
    with bot.services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(KickoffReply)) == 1


def reminders(bot: RunningBot) -> list:
    return [
        call
        for call in bot.fake.calls_to("chat.postMessage")
        if "Coming up: the" in json.dumps(call.params)
    ]


def test_a_reminder_goes_the_day_before_once_to_everyone_not_declining(bot, pilot) -> None:
    clock = bot.services.clock
    set_kickoff(bot, pilot)
    bot.services.tick()
    cy = invitation_of(bot, pilot, "UCY")
    click(bot, ids.KICKOFF_NOT_GOING, "UCY", cy, f"{pilot}:{EPOCH}", "kickoff_invitation")
    bot.fake.wait_for("chat.update")

    ten_in_berlin = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    for at in (START + timedelta(days=1), ten_in_berlin - timedelta(minutes=1)):
        clock.set(at)
        bot.services.tick()
    assert reminders(bot) == []

    clock.set(ten_in_berlin)
    bot.services.tick()
    clock.advance(timedelta(minutes=1))
    bot.services.tick()
    [ana] = reminders(bot)
    assert ana.params["channel"] == "UANA"
    assert block_kit_problems({"blocks": ana.params["blocks"], "text": "x"}, "message") == []

    clock.set(datetime(2026, 12, 9, 15, 0, tzinfo=UTC))  # 10:00 in New York
    bot.services.tick()
    clock.set(KICKOFF - timedelta(minutes=10))
    bot.services.tick()
    assert [call.params["channel"] for call in reminders(bot)] == ["UANA", "UBEN"]

    # A reply from the reminder redraws the reminder.
    with bot.services.sessions() as session:
        ben = session.scalar(
            sa.select(Delivery).where(Delivery.key == kickoff.reminder_key(pilot, "UBEN", EPOCH))
        )
    click(bot, ids.KICKOFF_GOING, "UBEN", ben, f"{pilot}:{EPOCH}", "kickoff_reminder")
    bot.fake.wait_for("chat.update", 2)
    assert "Coming up: the" in shown(bot, ben) and "You said you'll be there" in shown(bot, ben)


def test_the_organizer_sees_the_replies_in_status_and_on_the_home_tab(bot, pilot) -> None:
    set_kickoff(bot, pilot)
    bot.services.tick()
    for user, action in (("UANA", ids.KICKOFF_GOING), ("UBEN", ids.KICKOFF_NOT_GOING)):
        click(bot, action, user, invitation_of(bot, pilot, user), f"{pilot}:{EPOCH}", "x")
    bot.fake.wait_for("chat.update", 2)
    expected = "1 going · 1 can't make it · 1 no answer yet"

    status = bot.answer(bot.slack.command("status Digital Pilot", user_id="UORGANIZER"))
    text = json.dumps(status["blocks"], ensure_ascii=False)
    assert expected in text
    assert "Going: <@UANA>" in text and "Can't make it: <@UBEN>" in text

    before = len(bot.fake.calls_to("views.publish"))
    bot.slack.event({"type": "app_home_opened", "user": "UORGANIZER", "tab": "home"})
    home = bot.fake.wait_for("views.publish", before + 1)[-1].params["view"]
    assert block_kit_problems(home, "home") == []
    assert expected in json.dumps(home, ensure_ascii=False)


def test_latecomers_are_invited_and_pairs_introduced_later_get_the_recording(bot, pilot) -> None:
    clock = bot.services.clock
    set_kickoff(bot, pilot)
    bot.services.tick()
    enrol(bot, pilot, "UDAN", "Europe/Berlin", ParticipantRole.MENTOR)
    clock.advance(timedelta(days=2))
    bot.services.tick()
    assert len(dms_to(bot, "UDAN", "kickoff")) == 1

    clock.set(KICKOFF + timedelta(days=1))
    view = open_kickoff_modal(bot)
    by_id = {block.get("block_id"): block for block in view["blocks"]}
    assert by_id[kickoff.DATE]["element"]["initial_date"] == "2026-12-10"
    assert by_id[kickoff.TIME]["element"]["initial_time"] == "15:00"
    answer = save_kickoff(
        bot, view, "2026-12-10", "15:00", place="Room 4", followup="https://video.example/rec"
    )
    assert answer.body in (b"", b"{}")  # the kickoff itself is past, and that is fine now

    with bot.services.sessions() as session:
        people = session.scalars(
            sa.select(Participant).where(Participant.user_id.in_(["UCY", "UDAN"]))
        ).all()
        pairing = Pairing(
            team_id=TEAM,
            program_id=pilot,
            status=PairingStatus.ACTIVE,
            introduced_at=clock.now(),
            channel_id="G0LATE",
        )
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
        session.add(pairing)
        session.commit()
    bot.services.tick()
    clock.advance(timedelta(minutes=1))
    bot.services.tick()
    told = [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "G0LATE"]
    assert len(told) == 1
    text = json.dumps(told[0].params["blocks"])
    assert "https://video.example/rec" in text and "held its kickoff" in text
    assert re.search(rf"<!date\^{EPOCH}\^", text)
