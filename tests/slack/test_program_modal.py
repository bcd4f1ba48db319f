"""Organizers create and edit programs in a modal; nobody else can."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa

from bot.models import Program, ProgramFormat, ProgramStatus
from bot.slack import ids
from tests.conftest import RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems


def text(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def number(value: str | None) -> dict[str, Any]:
    return {"type": "number_input", "value": value}


def choice(kind: str, value: str | None) -> dict[str, Any]:
    return {"type": kind, "selected_option": {"value": value} if value else None}


def ticked(on: bool) -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [{"value": "yes"}] if on else []}


def program_values(**overrides: Any) -> dict[str, Any]:
    """A filled-in program modal, in the shape Slack submits it."""
    fields: dict[str, Any] = {
        "name": text("Digital Pilot"),
        "business_need": choice("static_select", "Social media"),
        "business_need_other": text(None),
        "format": choice("radio_buttons", "one_to_one"),
        "group_size": number("3"),
        "start_date": {"type": "datepicker", "selected_date": "2026-12-07"},
        "length_weeks": number("8"),
        "is_pilot": ticked(True),
        "meeting_target_minutes": number("60"),
        "checkin_cadence_weeks": choice("radio_buttons", "2"),
        "skills_catalogue": text("TikTok\nAI tools\nCompany history\nNegotiation"),
        "enrolment_open": ticked(True),
    }
    fields.update(overrides)
    return {block_id: {block_id: element} for block_id, element in fields.items()}


def submit(bot: RunningBot, user: str = "UORGANIZER", program_id: int | None = None, **fields):
    return bot.slack.view_submission(
        ids.PROGRAM_MODAL,
        program_values(**fields),
        user_id=user,
        private_metadata=json.dumps({"program_id": program_id}),
    )


def stored(bot: RunningBot) -> list[Program]:
    with bot.services.sessions() as session:
        return list(session.scalars(sa.select(Program).order_by(Program.id)))


def test_an_organizer_creates_a_program_through_the_modal(bot: RunningBot) -> None:
    opened = bot.slack.command("program new", user_id="UORGANIZER")
    assert opened.status == 200
    [call] = bot.fake.wait_for("views.open")
    modal = call.params["view"]
    assert modal["callback_id"] == ids.PROGRAM_MODAL
    assert block_kit_problems(modal, "modal") == []
    skills = next(b for b in modal["blocks"] if b["block_id"] == "skills_catalogue")
    assert "Company history" in skills["element"]["initial_value"]  # defaults suggested

    response = submit(bot)

    assert response.status == 200 and response.body in (b"", b"{}")  # the modal closes
    [program] = stored(bot)
    assert program.name == "Digital Pilot"
    assert program.business_need == "Social media"
    assert program.format is ProgramFormat.ONE_TO_ONE
    assert program.start_date == date(2026, 12, 7)
    assert (program.length_weeks, program.meeting_target_minutes) == (8, 60)
    assert program.checkin_cadence_weeks == 2
    assert program.skills_catalogue == ["TikTok", "AI tools", "Company history", "Negotiation"]
    assert program.is_pilot and program.enrolment_open
    assert program.status is ProgramStatus.ENROLLING
    assert program.created_by == "UORGANIZER"
    [dm] = bot.fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == "UORGANIZER"
    assert "/mentoring invite Digital Pilot" in dm.params["text"]
    [home] = bot.fake.wait_for("views.publish")
    assert "Digital Pilot" in json.dumps(home.params["view"])


def test_a_free_text_business_need_and_small_groups(bot: RunningBot) -> None:
    submit(
        bot,
        business_need=choice("static_select", "other"),
        business_need_other=text("Reaching students as customers"),
        format=choice("radio_buttons", "group"),
        group_size=number("4"),
    )
    [program] = stored(bot)
    assert program.business_need == "Reaching students as customers"
    assert (program.format, program.group_size) == (ProgramFormat.GROUP, 4)


def test_bad_fields_are_shown_on_the_modal_and_nothing_is_stored(bot: RunningBot) -> None:
    make_program(bot.services.sessions, "Digital Pilot")
    cases = [
        ({}, "name", "already a program called"),
        ({"name": text("x" * 200)}, "name", "80 characters"),
        ({"name": text("Other"), "length_weeks": number("0")}, "length_weeks", "from 1"),
        (
            {"name": text("Other"), "business_need": choice("static_select", None)},
            "business_need",
            "business need",
        ),
        (
            {"name": text("Other"), "skills_catalogue": text("  \n ")},
            "skills_catalogue",
            "at least one",
        ),
        (
            {
                "name": text("Other"),
                "start_date": {"type": "datepicker", "selected_date": "2026-11-01"},
            },
            "start_date",
            "in the past",
        ),
    ]
    for fields, field, words in cases:
        response = submit(bot, **fields).json()
        assert response["response_action"] == "errors", fields
        assert words in response["errors"][field], (fields, response)
    assert [p.name for p in stored(bot)] == ["Digital Pilot"]


def test_a_participant_can_neither_open_nor_submit_the_modal(bot: RunningBot) -> None:
    refused = bot.slack.command("program new", user_id="UANA").json()
    assert "Only program organizers" in refused["text"]
    assert bot.fake.calls_to("views.open") == []

    forged = submit(bot, user="UANA").json()  # a crafted submission, not from our modal
    assert forged["response_action"] == "errors"
    assert "Only program organizers" in forged["errors"]["name"]
    assert stored(bot) == []


def test_an_organizer_edits_a_program_by_name_and_by_button(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions, "Digital Pilot", length_weeks=6)

    bot.slack.command("program edit digital pilot", user_id="UORGANIZER")
    [call] = bot.fake.wait_for("views.open")
    modal = call.params["view"]
    assert block_kit_problems(modal, "modal") == []
    name = next(b for b in modal["blocks"] if b["block_id"] == "name")
    assert name["element"]["initial_value"] == "Digital Pilot"
    assert json.loads(modal["private_metadata"])["program_id"] == program.id

    submit(bot, program_id=program.id, name=text("Digital Pilot"), length_weeks=number("10"))
    [saved] = stored(bot)
    assert saved.length_weeks == 10

    bot.slack.block_action(ids.PROGRAM_EDIT, user_id="UORGANIZER", value=str(program.id))
    assert len(bot.fake.wait_for("views.open", 2)) == 2


def test_a_tampered_program_id_opens_and_saves_nothing(bot: RunningBot) -> None:
    theirs = make_program(bot.services.sessions, "Their Pilot", team_id="T0OTHER")

    bot.slack.block_action(ids.PROGRAM_EDIT, user_id="UORGANIZER", value=str(theirs.id))
    [told] = bot.fake.wait_for("response_url")
    assert "no longer exists" in told.params["text"]
    response = submit(bot, program_id=theirs.id, name=text("Hijacked")).json()
    assert response["response_action"] == "errors"
    assert bot.fake.calls_to("views.open") == []
    assert [p.name for p in stored(bot)] == ["Their Pilot"]


def test_a_participant_clicking_an_edit_button_is_refused(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions, "Digital Pilot")
    bot.slack.block_action(ids.PROGRAM_EDIT, user_id="UANA", value=str(program.id))
    [told] = bot.fake.wait_for("response_url")
    assert "Only program organizers" in told.params["text"]
    assert bot.fake.calls_to("views.open") == []


def test_edit_without_a_name_offers_each_program(bot: RunningBot) -> None:
    for name in ("Pilot A", "Pilot B"):
        make_program(bot.services.sessions, name)
    reply = bot.slack.command("program edit", user_id="UORGANIZER").json()
    assert "Which program" in reply["text"]
    buttons = reply["blocks"][1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Pilot A", "Pilot B"]
    assert block_kit_problems(reply, "message") == []
    unknown = bot.slack.command("program edit Nope <!here>", user_id="UORGANIZER").json()
    assert "can't find a program" in unknown["text"]
    assert "<!here>" not in unknown["text"]
