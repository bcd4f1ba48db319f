"""Guides end to end: each role reads its own guide from the command, the welcome DM and the Home
tab; organizers read both and replace a program's texts, which only that program's participants
then read; bad input is refused with nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import guides
from bot.models import Participant, ParticipantRole, Program
from bot.slack import ids
from tests.conftest import TEAM, RunningBot
from tests.factories import make_program
from tests.slack.test_home import buttons, open_home
from tests.slack.test_join import open_join_modal, submit
from tests.support.block_kit import block_kit_problems

MENTOR_LINE = "ask your mentee to teach you how the business really works"
MENTEE_LINE = "Your title makes honesty harder for them"
OURS = "*Welcome to the Pilot!* Meet in the 4th floor café; bring one tool to show."


@pytest.fixture
def pilot(bot: RunningBot) -> dict[str, int]:
    """Digital Pilot with Ana (reverse mentor) and Ben (mentee), who joined through Slack;
    Sustainability Circle with Cy, a reverse mentor too."""
    for user, name in (("UANA", "ana"), ("UBEN", "ben"), ("UCY", "cy"), ("UDAN", "dan")):
        bot.fake.add_user(user, name=name)
    program = make_program(bot.services.sessions, "Digital Pilot")
    circle = make_program(bot.services.sessions, "Sustainability Circle")
    submit(bot, open_join_modal(bot, program.id, "UANA"), "UANA")
    submit(
        bot, open_join_modal(bot, program.id, "UBEN"), "UBEN", role="mentee", career_stage="senior"
    )
    with bot.services.sessions() as session:
        session.add(
            Participant(
                team_id=TEAM, program_id=circle.id, user_id="UCY", role=ParticipantRole.MENTOR
            )
        )
        session.commit()
    bot.fake.wait_for("chat.postMessage", 2)  # the two welcome DMs
    return {"program": program.id, "circle": circle.id}


def command(bot: RunningBot, text: str, user: str) -> dict[str, Any]:
    response = bot.slack.command(text, user_id=user)
    assert response.status == 200
    reply = response.json() if response.body else {}
    if reply:
        assert block_kit_problems(reply, "message") == []
    return reply


def shown(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)


def welcome_of(bot: RunningBot, user: str) -> dict:
    [welcome] = [
        c.params for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == user
    ]
    return welcome


def button_value(blocks: list[dict], action_id: str) -> str:
    return next(v for a, v in buttons({"blocks": blocks}) if a == action_id)


def opened_view(bot: RunningBot, before: int) -> dict:
    view = bot.fake.wait_for("views.open", before + 1)[-1].params["view"]
    assert block_kit_problems(view, "modal") == []
    return view


def click_in_dm(bot: RunningBot, action_id: str, value: str, user: str) -> dict:
    """A click on a DM's button; returns the modal it opened."""
    before = len(bot.fake.calls_to("views.open"))
    assert (
        bot.slack.block_action(action_id, user_id=user, value=value, channel_id="D0DM").status
        == 200
    )
    return opened_view(bot, before)


def click_on_home(bot: RunningBot, action_id: str, value: str, user: str) -> dict:
    before = len(bot.fake.calls_to("views.open"))
    home = {"id": "V0HOME", "type": "home"}
    response = bot.slack.block_action(action_id, user_id=user, value=value, view=home)
    assert response.status == 200
    return opened_view(bot, before)


def ephemeral_after(bot: RunningBot, before: int) -> str:
    return bot.fake.wait_for("response_url", before + 1)[-1].params["text"]


def edit(bot: RunningBot, program_id: int, user: str = "UORGANIZER", **texts: str | None) -> dict:
    values = {
        role: {role: {"type": "plain_text_input", "value": text}} for role, text in texts.items()
    }
    response = bot.slack.view_submission(
        ids.GUIDE_EDIT_MODAL,
        values,
        user_id=user,
        private_metadata=json.dumps({"program_id": program_id}),
    )
    assert response.status == 200
    return response.json() if response.body else {}


def overrides(bot: RunningBot, program_id: int) -> dict:
    with bot.services.sessions() as session:
        program = session.get(Program, program_id)
        assert program is not None
        return dict(program.guide_overrides)


def test_each_role_reads_its_own_guide_from_the_command(bot: RunningBot, pilot) -> None:
    ana = shown(command(bot, "guide", "UANA"))
    ben = shown(command(bot, "guide", "UBEN"))

    assert "Guide for reverse mentors" in ana and MENTOR_LINE in ana
    assert MENTEE_LINE not in ana
    assert "Guide for mentees" in ben and MENTEE_LINE in ben
    assert MENTOR_LINE not in ben
    assert "/mentoring guide mentee" in ana  # how to read the other side


def test_each_role_reads_its_own_guide_from_the_welcome_dm(bot: RunningBot, pilot) -> None:
    for user, line, other in (
        ("UANA", MENTOR_LINE, MENTEE_LINE),
        ("UBEN", MENTEE_LINE, MENTOR_LINE),
    ):
        welcome = welcome_of(bot, user)
        assert block_kit_problems(welcome, "message") == []
        value = button_value(welcome["blocks"], ids.GUIDE_OPEN)
        assert value == str(pilot["program"])
        assert button_value(welcome["blocks"], ids.TALK_OPEN) == value

        view = click_in_dm(bot, ids.GUIDE_OPEN, value, user)

        assert line in shown(view) and other not in shown(view)


def test_each_role_reads_its_own_guide_from_the_home_tab(bot: RunningBot, pilot) -> None:
    for user, title in (("UANA", "Guide for reverse mentors"), ("UBEN", "Guide for mentees")):
        home = open_home(bot, user)
        assert (ids.GUIDE_OPEN, str(pilot["program"])) in buttons(home)
        assert (ids.TALK_OPEN, str(pilot["program"])) in buttons(home)
        assert (ids.GUIDE_EDIT, str(pilot["program"])) not in buttons(home)  # not organizers

        view = click_on_home(bot, ids.GUIDE_OPEN, str(pilot["program"]), user)

        assert view["blocks"][0]["text"]["text"] == title


def test_an_organizers_text_reaches_that_programs_participants_only(bot: RunningBot, pilot) -> None:
    home = open_home(bot, "UORGANIZER")
    assert (ids.GUIDE_EDIT, str(pilot["program"])) in buttons(home)
    editor = click_on_home(bot, ids.GUIDE_EDIT, str(pilot["program"]), "UORGANIZER")
    fields = {b["block_id"]: b for b in editor["blocks"] if b["type"] == "input"}
    # The editor holds what participants read now, and says what an empty field means.
    assert (
        fields["mentor"]["element"]["initial_value"]
        == guides.DEFAULT_GUIDES[ParticipantRole.MENTOR]
    )
    assert "Leave it empty" in fields["mentor"]["hint"]["text"]

    answer = edit(
        bot,
        pilot["program"],
        mentor=OURS + " <!channel>",
        mentee=guides.DEFAULT_GUIDES[ParticipantRole.MENTEE],  # left as it was
    )

    assert answer["response_action"] == "update"
    assert "reverse mentors: your text" in shown(answer["view"])
    assert "mentees: the project's default" in shown(answer["view"])
    assert overrides(bot, pilot["program"]) == {"mentor": OURS + " <!channel>"}
    ana = command(bot, "guide", "UANA")
    assert OURS in shown(ana) and MENTOR_LINE not in shown(ana)
    assert "&lt;!channel&gt;" in shown(ana) and "<!channel>" not in shown(ana)  # escaped
    assert "Written for *Digital Pilot* by its organizers" in shown(ana)
    button = click_in_dm(bot, ids.GUIDE_OPEN, str(pilot["program"]), "UANA")
    assert OURS in shown(button)
    # Another role of the same program, and the same role in another program: the default.
    assert MENTEE_LINE in shown(command(bot, "guide", "UBEN"))
    cy = shown(command(bot, "guide", "UCY"))
    assert MENTOR_LINE in cy and OURS not in cy
    refused = command(bot, "guide mentor Digital Pilot", "UCY")
    assert "not taking part in *Digital Pilot*" in refused["text"]
    assert OURS not in shown(refused)


def test_an_empty_field_goes_back_to_the_default(bot: RunningBot, pilot) -> None:
    edit(bot, pilot["program"], mentor=OURS, mentee="Mentees: say yes to the walk.")
    answer = edit(bot, pilot["program"], mentor="", mentee=None)

    assert answer["response_action"] == "update"
    assert overrides(bot, pilot["program"]) == {}
    assert MENTOR_LINE in shown(command(bot, "guide", "UANA"))


def test_a_text_over_the_limit_is_a_field_error_and_nothing_is_stored(
    bot: RunningBot, pilot
) -> None:
    answer = edit(bot, pilot["program"], mentor=OURS, mentee="x" * 3001)

    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"mentee"}
    assert "3,000 characters (this one has 3,001)" in answer["errors"]["mentee"]
    assert overrides(bot, pilot["program"]) == {}  # not even the mentor's, which was fine


def test_organizers_read_both_roles_guides(bot: RunningBot, pilot) -> None:
    edit(bot, pilot["program"], mentor=OURS, mentee="")

    asked = command(bot, "guide", "UORGANIZER")
    mentee = shown(command(bot, "guide mentee", "UORGANIZER"))
    mentor = shown(command(bot, "guide mentor", "UORGANIZER"))
    pilots = shown(command(bot, "guide reverse mentor digital pilot", "UORGANIZER"))

    assert "/mentoring guide mentor" in asked["text"] and "/mentoring guide mentee" in asked["text"]
    assert MENTEE_LINE in mentee
    assert MENTOR_LINE in mentor and OURS not in mentor  # the default, with a pointer:
    assert "*Digital Pilot* show their own text instead" in mentor
    assert OURS in pilots and "This is what each reverse mentor reads" in pilots


def test_people_outside_any_program_and_unknown_programs_are_told(bot: RunningBot, pilot) -> None:
    nobody = command(bot, "guide", "UDAN")
    unknown = command(bot, "guide mentor Nowhere <@UANA>", "UORGANIZER")

    assert "you're not taking part in one yet" in nobody["text"]
    assert "/mentoring join" in nobody["text"]
    assert "I can't find a program called “Nowhere &lt;@UANA&gt;”" in unknown["text"]


def test_only_organizers_open_or_save_the_editor(bot: RunningBot, pilot) -> None:
    opened = len(bot.fake.calls_to("views.open"))
    refused = command(bot, "guide edit", "UANA")
    said = len(bot.fake.calls_to("response_url"))
    bot.slack.block_action(ids.GUIDE_EDIT, user_id="UANA", value=str(pilot["program"]))
    clicked = ephemeral_after(bot, said)
    saved = edit(bot, pilot["program"], user="UANA", mentor="Mine now", mentee="")

    assert "Only program organizers" in refused["text"]
    assert "Only program organizers" in clicked
    assert saved["response_action"] == "errors"
    assert "Only program organizers" in saved["errors"]["mentor"]
    assert len(bot.fake.calls_to("views.open")) == opened  # no editor for Ana
    assert overrides(bot, pilot["program"]) == {}


def test_guide_edit_asks_which_program_or_opens_the_one_named(bot: RunningBot, pilot) -> None:
    choose = command(bot, "guide edit", "UORGANIZER")
    assert (ids.GUIDE_EDIT, str(pilot["program"])) in buttons(choose)
    assert (ids.GUIDE_EDIT, str(pilot["circle"])) in buttons(choose)

    before = len(bot.fake.calls_to("views.open"))
    assert command(bot, "guide edit sustainability circle", "UORGANIZER") == {}
    editor = opened_view(bot, before)
    assert editor["callback_id"] == ids.GUIDE_EDIT_MODAL
    assert json.loads(editor["private_metadata"]) == {"program_id": pilot["circle"]}
    assert "I can't find" in command(bot, "guide edit Nowhere", "UORGANIZER")["text"]


def test_a_guide_button_of_a_program_one_left_says_so(bot: RunningBot, pilot) -> None:
    said = len(bot.fake.calls_to("response_url"))
    bot.slack.block_action(ids.GUIDE_OPEN, user_id="UCY", value=str(pilot["program"]))
    assert "not taking part in *Digital Pilot*" in ephemeral_after(bot, said)


def test_the_help_lists_the_guide_for_everyone_and_the_editor_for_organizers(
    bot: RunningBot,
) -> None:
    everyone = command(bot, "help", "UDAN")["text"]
    organizers = command(bot, "help", "UORGANIZER")["text"]

    assert "/mentoring guide [mentor|mentee] [program]" in everyone
    assert "/mentoring guide edit" not in everyone
    assert "/mentoring guide edit [program]" in organizers
