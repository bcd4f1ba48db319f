"""`/mentoring announce #channel`: a program posted where people can join it in one click."""

from __future__ import annotations

import json

from bot.slack import ids
from tests.conftest import RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems


def test_an_organizer_announces_the_open_program_with_a_join_button(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions, "Digital Pilot", business_need="Social media")
    make_program(bot.services.sessions, "Closed One", enrolment_open=False)

    reply = bot.slack.command("announce <#C0NEWS|news>", user_id="UORGANIZER").json()

    assert "Posted *Digital Pilot* in <#C0NEWS>" in reply["text"]
    [post] = bot.fake.calls_to("chat.postMessage")
    assert post.params["channel"] == "C0NEWS"
    assert block_kit_problems(post.params, "message") == []
    buttons = [e for b in post.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(ids.JOIN, str(program.id))]
    assert "Social media" in json.dumps(post.params["blocks"])


def test_a_named_program_and_the_helpful_refusals(bot: RunningBot) -> None:
    make_program(bot.services.sessions, "Pilot A")
    make_program(bot.services.sessions, "Pilot B")
    draft = make_program(bot.services.sessions, "Draft", enrolment_open=False)
    assert not draft.enrolment_open

    which = bot.slack.command("announce <#C0NEWS>", user_id="UORGANIZER").json()
    assert "Which program?" in which["text"]
    closed = bot.slack.command("announce <#C0NEWS> Draft", user_id="UORGANIZER").json()
    assert "closed; open it first" in closed["text"]
    nowhere = bot.slack.command("announce Pilot A", user_id="UORGANIZER").json()
    assert "Tell me where to post it" in nowhere["text"]
    assert bot.fake.calls_to("chat.postMessage") == []

    bot.fake.fail("chat.postMessage", "not_in_channel")
    outside = bot.slack.command("announce <#C0NEWS> Pilot B", user_id="UORGANIZER").json()
    assert "I'm not in <#C0NEWS> yet" in outside["text"]
    named = bot.slack.command("announce <#C0NEWS> pilot b", user_id="UORGANIZER").json()
    assert "Posted *Pilot B*" in named["text"]


def test_only_organizers_announce(bot: RunningBot) -> None:
    make_program(bot.services.sessions, "Digital Pilot")
    reply = bot.slack.command("announce <#C0NEWS>", user_id="UANA").json()
    assert "Only program organizers" in reply["text"]
    assert bot.fake.calls_to("chat.postMessage") == []
