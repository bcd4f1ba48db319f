"""Talking to an organizer end to end: a participant asks from the Home tab, the welcome DM or a
check-in; every organizer gets a private DM; the first "I'll reach out" takes it and the
participant is told once; a second organizer is told who took it; nothing reaches the partner
or a channel."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.checkins import Period
from bot.models import (
    Checkin,
    Delivery,
    DeliveryStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    TalkRequest,
    TalkTopic,
)
from bot.organizers import add_organizer, remove_organizer
from bot.slack import ids
from bot.slack.blocks.checkins import checkin_message, thanks_message
from tests.conftest import START, TEAM, RunningBot
from tests.factories import make_program
from tests.slack.test_home import buttons, open_home
from tests.support.block_kit import block_kit_problems
from tests.support.waiting import eventually

PAIR_CHANNEL = "G0PAIR"
SECRET = "Thinking about leaving the company <!channel>"
SHOWN = (
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "response_url",
    "views.open",
    "views.update",
    "views.publish",
)


@pytest.fixture
def pilot(bot: RunningBot) -> dict[str, int]:
    """Ana (reverse mentor) and Ben (mentee) paired in Digital Pilot; Gil left it. Olivia
    (configured) and Otto (added in Slack) are the organizers."""
    for user, name in (("UANA", "ana"), ("UBEN", "ben"), ("UGIL", "gil"), ("UOTTO", "otto")):
        bot.fake.add_user(user, name=name)
    program = make_program(bot.services.sessions, "Digital Pilot")
    with bot.services.sessions() as session:
        add_organizer(session, TEAM, "UOTTO", added_by="UORGANIZER")
        people = [
            Participant(team_id=TEAM, program_id=program.id, user_id=user, role=role, status=status)
            for user, role, status in (
                ("UANA", ParticipantRole.MENTOR, ParticipantStatus.ACTIVE),
                ("UBEN", ParticipantRole.MENTEE, ParticipantStatus.ACTIVE),
                ("UGIL", ParticipantRole.MENTEE, ParticipantStatus.LEFT),
            )
        ]
        session.add_all(people)
        session.flush()
        pairing = Pairing(
            team_id=TEAM,
            program_id=program.id,
            status=PairingStatus.ACTIVE,
            channel_id=PAIR_CHANNEL,
        )
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people[:2]]
        session.add(pairing)
        checkin = Checkin(team_id=TEAM, participant_id=people[0].id, period_start=START.date())
        session.add(checkin)
        session.commit()
    return {"program": program.id, "checkin": checkin.id}


def open_talk(bot: RunningBot, value: str, user: str = "UANA", **where: Any) -> dict:
    before = len(bot.fake.calls_to("views.open"))
    assert bot.slack.block_action(ids.TALK_OPEN, user_id=user, value=value, **where).status == 200
    view = bot.fake.wait_for("views.open", before + 1)[-1].params["view"]
    assert block_kit_problems(view, "modal") == []
    return view


def send(
    bot: RunningBot, view: dict, topic: str | None, text: str | None, user: str = "UANA"
) -> dict:
    values = {
        "topic": {
            "topic": {
                "type": "radio_buttons",
                "selected_option": {"value": topic} if topic else None,
            }
        },
        "text": {"text": {"type": "plain_text_input", "value": text}},
    }
    response = bot.slack.view_submission(
        ids.TALK_MODAL, values, user_id=user, private_metadata=view["private_metadata"]
    )
    assert response.status == 200
    return response.json() if response.body else {}


def dms_to(bot: RunningBot, user: str) -> list:
    return [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == user]


def requests(bot: RunningBot) -> list[TalkRequest]:
    with bot.services.sessions() as session:
        return list(session.scalars(sa.select(TalkRequest).order_by(TalkRequest.id)))


def talk_keys(bot: RunningBot) -> list[str]:
    """What the outbox holds about talk requests."""
    with bot.services.sessions() as session:
        query = sa.select(Delivery.key).where(Delivery.key.like("talk%")).order_by(Delivery.key)
        return list(session.scalars(query))


def take(bot: RunningBot, dm, user: str) -> str:
    """Click I'll reach out on an organizer's DM; the ephemeral answer."""
    before = len(bot.fake.calls_to("response_url"))
    [value] = [v for a, v in buttons({"blocks": dm.params["blocks"]}) if a == ids.TALK_TAKE]
    message = {"type": "message", "ts": dm.response["ts"], "text": dm.params["text"]}
    response = bot.slack.block_action(
        ids.TALK_TAKE,
        user_id=user,
        value=value,
        channel_id=dm.response["channel"],
        message=message,
    )
    assert response.status == 200
    return bot.fake.wait_for("response_url", before + 1)[-1].params["text"]


def shown(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def asked(bot: RunningBot, pilot: dict[str, int]) -> list:
    """Ana asks about her career goals from the Home tab; the organizers' DMs."""
    home = open_home(bot, "UANA")
    assert (ids.TALK_OPEN, str(pilot["program"])) in buttons(home)
    view = open_talk(bot, str(pilot["program"]), view={"id": "V0HOME", "type": "home"})
    answer = send(bot, view, "career_goals", SECRET)
    assert answer["response_action"] == "update"
    assert "One of them will reach out to you" in json.dumps(answer["view"])
    bot.fake.wait_for("chat.postMessage", 2)
    eventually(lambda: all_sent(bot, "talk:"), what="the organizers' DMs recorded as sent")
    return [*dms_to(bot, "UORGANIZER"), *dms_to(bot, "UOTTO")]


def all_sent(bot: RunningBot, prefix: str) -> bool:
    """The outbox recorded these messages as sent (with their ts, so they can be edited)."""
    with bot.services.sessions() as session:
        rows = session.scalars(sa.select(Delivery).where(Delivery.key.startswith(prefix))).all()
        return bool(rows) and all(r.status is DeliveryStatus.SENT for r in rows)


def test_the_first_organizer_takes_it_a_second_is_told_and_the_participant_hears_once(
    bot: RunningBot, pilot
) -> None:
    olivia, otto = asked(bot, pilot)
    for dm in (olivia, otto):
        assert "<@UANA> would like to talk to an organizer" in dm.params["text"]
        text = shown(dm)
        assert "their career goals" in text and "Digital Pilot, reverse mentor" in text
        assert "Thinking about leaving the company &lt;!channel&gt;" in text  # escaped
        assert "<!channel>" not in text
    [request] = requests(bot)
    assert (request.topic, request.text, request.taken_by) == (
        TalkTopic.CAREER_GOALS,
        SECRET,
        None,
    )

    told = take(bot, otto, "UOTTO")

    assert "<@UANA> will be told that you'll reach out" in told
    [note] = eventually(lambda: dms_to(bot, "UANA"), what="the participant's note")
    assert "<@UOTTO> will reach out to you about your career goals" in note.params["text"]
    assert SECRET not in shown(note)
    updates = bot.fake.wait_for("chat.update", 2)
    assert {u.params["ts"] for u in updates} == {olivia.response["ts"], otto.response["ts"]}
    for update in updates:
        assert "<@UOTTO> is reaching out" in shown(update)
        assert ids.TALK_TAKE not in shown(update)

    second = take(bot, olivia, "UORGANIZER")

    assert "<@UOTTO> already took this one" in second and "nothing changed" in second
    assert "You already took this one" in take(bot, otto, "UOTTO")
    [request] = requests(bot)
    assert request.taken_by == "UOTTO"
    bot.services.tick()  # the outbox has nothing more about this to say to Ana
    assert len([c for c in dms_to(bot, "UANA") if "will reach out" in c.params["text"]]) == 1
    with bot.services.sessions() as session:
        keys = session.scalars(
            sa.select(Delivery.key).where(Delivery.channel == "UANA", Delivery.key.like("talk%"))
        ).all()
    assert keys == [f"talk-taken:{request.id}"]


def test_the_request_never_reaches_the_partner_or_a_channel(bot: RunningBot, pilot) -> None:
    olivia, otto = asked(bot, pilot)
    take(bot, otto, "UOTTO")
    eventually(lambda: dms_to(bot, "UANA"), what="the participant's note")
    bot.services.tick()

    organizer_dms = {olivia.response["channel"], otto.response["channel"]}
    showing = [
        c for m in SHOWN for c in bot.fake.calls_to(m) if "Thinking about leaving" in shown(c)
    ]
    assert showing
    for call in showing:
        where = call.params.get("channel")
        assert call.method in ("chat.postMessage", "chat.update"), call.method
        assert where in {"UORGANIZER", "UOTTO"} | organizer_dms, where
    to_partner = [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if c.params["channel"] in ("UBEN", PAIR_CHANNEL)
    ]
    assert not [c for c in to_partner if "organizer" in shown(c) and "UANA" in shown(c)]


def test_only_organizers_can_take_a_request(bot: RunningBot, pilot) -> None:
    olivia, _ = asked(bot, pilot)

    refused = take(bot, olivia, "UBEN")

    assert "Only program organizers" in refused
    [request] = requests(bot)
    assert request.taken_by is None
    assert talk_keys(bot) == [f"talk:{request.id}:UORGANIZER", f"talk:{request.id}:UOTTO"]
    bot.services.tick()
    assert [c for c in dms_to(bot, "UANA") if "will reach out" in c.params["text"]] == []


def test_a_checkin_and_its_thank_you_lead_to_the_checkins_program(bot: RunningBot, pilot) -> None:
    period = Period(START.date(), START.date() + timedelta(days=7), START.date())
    _, question = checkin_message(pilot["checkin"], "Digital Pilot", period)
    with bot.services.sessions() as session:
        checkin = session.get(Checkin, pilot["checkin"])
        _, thanks = thanks_message(checkin, "Digital Pilot", period)
    values = {v for a, v in buttons({"blocks": question + thanks}) if a == ids.TALK_OPEN}
    assert values == {f"checkin:{pilot['checkin']}"}

    view = open_talk(bot, values.pop(), channel_id="D0ANA")

    assert json.loads(view["private_metadata"]) == {"program_id": pilot["program"]}
    assert "Digital Pilot" in json.dumps(view)
    before = len(bot.fake.calls_to("response_url"))
    bot.slack.block_action(ids.TALK_OPEN, user_id="UBEN", value=f"checkin:{pilot['checkin']}")
    said = bot.fake.wait_for("response_url", before + 1)[-1].params["text"]
    assert "someone else's check-in" in said


def test_bad_answers_are_field_errors_and_nothing_is_sent(bot: RunningBot, pilot) -> None:
    view = open_talk(bot, str(pilot["program"]), channel_id="D0ANA")
    topics = [o["value"] for o in view["blocks"][1]["element"]["options"]]
    assert topics == ["career_goals", "my_pairing", "something_else"]

    no_topic = send(bot, view, None, "hello")
    vague = send(bot, view, "something_else", "  ")
    too_long = send(bot, view, "my_pairing", "x" * 1001)

    assert no_topic["response_action"] == "errors" and "topic" in no_topic["errors"]
    assert "Say a few words" in vague["errors"]["text"]
    assert "1,000 characters" in too_long["errors"]["text"]
    assert requests(bot) == []
    assert talk_keys(bot) == []  # no DM planned for anyone


def test_someone_no_longer_in_the_program_is_told_and_nothing_is_stored(
    bot: RunningBot, pilot
) -> None:
    before = len(bot.fake.calls_to("response_url"))
    bot.slack.block_action(ids.TALK_OPEN, user_id="UGIL", value=str(pilot["program"]))
    said = bot.fake.wait_for("response_url", before + 1)[-1].params["text"]
    forged = bot.slack.view_submission(
        ids.TALK_MODAL,
        {"topic": {"topic": {"type": "radio_buttons", "selected_option": {"value": "my_pairing"}}}},
        user_id="UGIL",
        private_metadata=json.dumps({"program_id": pilot["program"]}),
    ).json()

    assert "not taking part in that program" in said
    assert forged["response_action"] == "errors"
    assert "not taking part" in forged["errors"]["topic"]
    assert requests(bot) == []
    assert talk_keys(bot) == []


def test_with_no_other_organizer_to_tell_nothing_is_stored(bot: RunningBot, pilot) -> None:
    with bot.services.sessions() as session:
        remove_organizer(session, TEAM, "UOTTO", bot.services.settings.organizers)
        session.add(
            Participant(
                team_id=TEAM,
                program_id=pilot["program"],
                user_id="UORGANIZER",
                role=ParticipantRole.MENTEE,
            )
        )
        session.commit()
    view = open_talk(bot, str(pilot["program"]), user="UORGANIZER", channel_id="D0OLI")

    answer = send(bot, view, "my_pairing", "", user="UORGANIZER")

    assert answer["response_action"] == "errors"
    assert "no organizer I can pass this to" in answer["errors"]["text"]
    assert requests(bot) == []
    assert talk_keys(bot) == []


def test_an_organizers_home_tab_lists_who_is_waiting_and_takes_it_there(bot, pilot) -> None:
    asked(bot, pilot)
    home = open_home(bot, "UOTTO")
    text = json.dumps(home, ensure_ascii=False)
    assert "Waiting to talk to an organizer" in text
    assert "<@UANA> would like to talk about their career goals (Digital Pilot)" in text
    assert SECRET not in text  # what she wrote stays in the organizers' DMs
    [request] = requests(bot)
    assert (ids.TALK_TAKE, str(request.id)) in buttons(home)
    assert "Waiting to talk" not in json.dumps(open_home(bot, "UANA"))  # organizers only

    publishes = len(bot.fake.calls_to("views.publish"))
    bot.slack.block_action(
        ids.TALK_TAKE, user_id="UOTTO", value=str(request.id), view={**home, "id": "V0HOME"}
    )
    redrawn = bot.fake.wait_for("views.publish", publishes + 1)[-1]
    assert redrawn.params["user_id"] == "UOTTO"
    assert "Waiting to talk to an organizer" not in json.dumps(redrawn.params["view"])
    assert requests(bot)[0].taken_by == "UOTTO"
    [note] = eventually(lambda: dms_to(bot, "UANA"), what="the participant's note")
    assert "<@UOTTO> will reach out" in note.params["text"]
