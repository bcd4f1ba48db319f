"""`/mentoring profile` shows and edits one's answers; `/mentoring leave` leaves, kindly."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from bot.models import (
    Checkin,
    Delivery,
    Pairing,
    PairingStatus,
    Participant,
    ParticipantStatus,
    SurveyResponse,
    Win,
)
from bot.slack import ids
from bot.slack.commands.enrolment import edit_view
from tests.conftest import RunningBot
from tests.factories import make_program
from tests.slack.test_join import fill
from tests.support.block_kit import block_kit_problems
from tests.test_enrolment import add_typed_rows, join, pair


def enrol_pair(bot: RunningBot, channel_id: str | None = "G123") -> tuple[Any, int, int, int]:
    """Ana (sharing new tools) and Bea (learning) in an active pairing of one program."""
    program = make_program(bot.services.sessions, "Digital Pilot")
    ana = join(bot.services.sessions, program, "UANA")
    bea = join(bot.services.sessions, program, "UBEA", role="mentee")
    pairing = pair(bot.services.sessions, program, [ana, bea], channel_id=channel_id)
    return program, ana, bea, pairing


def load(bot: RunningBot, model: type, row_id: int) -> Any:
    with bot.services.sessions() as session:
        return session.get(model, row_id)


def buttons(reply: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for block in reply.get("blocks", []):
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found[element["action_id"]] = element
    return found


def click(bot: RunningBot, action_id: str, value: str, user: str, **kwargs: Any) -> dict:
    """Click a button in an ephemeral message and return what the bot posted back to it."""
    before = len(bot.fake.calls_to("response_url"))
    assert bot.slack.block_action(action_id, user_id=user, value=value, **kwargs).status == 200
    return bot.fake.wait_for("response_url", before + 1)[-1].params


def keys(bot: RunningBot) -> list[str]:
    with bot.services.sessions() as session:
        return list(session.scalars(sa.select(Delivery.key).order_by(Delivery.id)))


# -- profile -----------------------------------------------------------------------------------


def test_the_profile_shows_the_answers_safely_and_edits_them(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions, "Digital Pilot")
    ana = join(
        bot.services.sessions,
        program,
        "UANA",
        department="<!channel> & <@UBOSS>",
        skills_offered_other="Prompting",
    )

    reply = bot.slack.command("profile", user_id="UANA").json()

    assert reply["response_type"] == "ephemeral"
    assert block_kit_problems(reply, "message") == []
    shown = json.dumps(reply)
    assert "<!channel>" not in shown and "<@UBOSS>" not in shown
    assert "&lt;!channel&gt; &amp; &lt;@UBOSS&gt;" in shown
    assert "AI tools, Prompting" in shown
    assert "Understand how budgets are made" in shown
    edit = buttons(reply)[ids.PROFILE_EDIT]
    assert edit["value"] == str(ana)

    assert (
        bot.slack.block_action(ids.PROFILE_EDIT, user_id="UANA", value=edit["value"]).status == 200
    )
    view = bot.fake.wait_for("views.open")[-1].params["view"]
    assert block_kit_problems(view, "modal") == []
    assert view["submit"]["text"] == "Save"
    by_id = {block.get("block_id"): block for block in view["blocks"]}
    assert by_id["role"]["element"]["initial_option"]["value"] == "mentor"
    assert [o["value"] for o in by_id["skills_offered"]["element"]["initial_options"]] == [
        "AI tools"
    ]
    assert by_id["skills_offered_other"]["element"]["initial_value"] == "Prompting"
    assert by_id["consent"]["element"]["initial_options"][0]["value"] == "yes"

    bot.fake.add_user("UANA", name="ana", tz="Asia/Tokyo")
    answer = bot.form_answer(
        bot.slack.view_submission(
            ids.JOIN_MODAL,
            fill(view, department="Research", meeting_formats=["video"]),
            user_id="UANA",
            private_metadata=view["private_metadata"],
        )
    )

    assert "Saved" in json.dumps(answer["view"])
    saved = load(bot, Participant, ana)
    assert (saved.department, saved.meeting_formats) == ("Research", ["video"])
    assert (saved.timezone, saved.display_name) == ("Asia/Tokyo", "ana")
    assert keys(bot) == []  # editing is not joining: no second welcome
    bot.fake.wait_for("views.publish")


def test_the_profile_of_someone_not_enrolled_says_how_to_join(bot: RunningBot) -> None:
    make_program(bot.services.sessions, "Digital Pilot")
    anywhere = bot.slack.command("profile", user_id="UANA").json()
    named = bot.slack.command("profile Digital Pilot", user_id="UANA").json()
    assert "You're not in a program right now" in anywhere["text"]
    assert "You're not in *Digital Pilot*" in named["text"]
    assert "/mentoring join" in named["text"]


def test_nobody_can_open_or_save_someone_elses_profile(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions)
    ana = join(bot.services.sessions, program, "UANA")

    mine_not = click(bot, ids.PROFILE_EDIT, str(ana), "UEVE")
    foreign = bot.slack.block_action(
        ids.PROFILE_EDIT, user_id="UANA", value=str(ana), team_id="T0OTHER"
    )
    with bot.services.sessions() as session:
        form = edit_view(session.get(Participant, ana))  # Ana's own form, filled in by Eve
    saved = bot.form_answer(
        bot.slack.view_submission(
            ids.JOIN_MODAL,
            fill(form, department="Eve's"),
            user_id="UEVE",
            private_metadata=json.dumps({"participant_id": ana}),
        )
    )

    assert "someone else's" in mine_not["text"]
    assert (foreign.status, foreign.body) == (200, b"")  # another workspace: refused outright
    assert "someone else's" in json.dumps(saved["view"])
    assert bot.fake.calls_to("views.open") == []
    assert load(bot, Participant, ana).department == "Sales"


def test_a_profile_form_saved_after_leaving_or_while_slack_is_away_changes_nothing(
    bot: RunningBot,
) -> None:
    program = make_program(bot.services.sessions, "Digital Pilot")
    ana = join(bot.services.sessions, program, "UANA")
    with bot.services.sessions() as session:
        form = edit_view(session.get(Participant, ana))

    def saved(**changes: Any) -> dict:
        response = bot.slack.view_submission(
            ids.JOIN_MODAL,
            fill(form, **changes),
            user_id="UANA",
            private_metadata=form["private_metadata"],
        )
        return bot.form_answer(response)["view"]

    bot.fake.fail("users.info", "fatal_error")
    again = saved(department="Research")
    assert again["callback_id"] == ids.JOIN_MODAL and again["submit"]["text"] == "Save"
    assert "couldn't reach Slack" in json.dumps(again)
    assert json.loads(again["private_metadata"]) == {"participant_id": ana}
    assert load(bot, Participant, ana).department == "Sales"

    bot.slack.block_action(ids.LEAVE_CONFIRM, user_id="UANA", value=str(ana))
    bot.fake.wait_for("response_url")
    after_leaving = saved(department="Research")
    assert "You're not in *Digital Pilot* right now" in json.dumps(after_leaving)
    assert load(bot, Participant, ana).department == "Sales"


# -- leaving -----------------------------------------------------------------------------------


def test_leaving_asks_first_then_ends_the_pairing_and_tells_partner_and_organizer(
    bot: RunningBot,
) -> None:
    _, ana, bea, pairing = enrol_pair(bot)

    confirm = bot.slack.command("leave", user_id="UANA").json()

    assert block_kit_problems(confirm, "message") == []
    assert "Your pairing with <@UBEA> will end" in json.dumps(confirm["blocks"])
    choices = buttons(confirm)
    assert set(choices) == {ids.LEAVE_CONFIRM, ids.LEAVE_AND_ERASE, ids.LEAVE_CANCEL}
    assert load(bot, Participant, ana).status is ParticipantStatus.ACTIVE  # only asked so far

    answer = click(bot, ids.LEAVE_CONFIRM, choices[ids.LEAVE_CONFIRM]["value"], "UANA")

    assert answer["replace_original"] is True
    assert "You've left *Digital Pilot*" in answer["text"]
    posted = {
        call.params["channel"]: call.params for call in bot.fake.wait_for("chat.postMessage", 2)
    }
    assert set(posted) == {"G123", "UORGANIZER"}
    to_pair = posted["G123"]["text"]
    assert "<@UANA> has left *Digital Pilot*" in to_pair
    assert "<@UBEA>" in to_pair and "nobody's fault" in to_pair and "organizers" in to_pair
    to_organizer = posted["UORGANIZER"]["text"]
    assert "<@UANA>" in to_organizer and "<@UBEA>" in to_organizer
    ended = load(bot, Pairing, pairing)
    assert (ended.status, ended.end_reason) == (PairingStatus.ENDED, "a member left")
    assert ended.ended_at == bot.services.clock.now()
    gone = load(bot, Participant, ana)
    assert (gone.status, gone.goals) == (ParticipantStatus.LEFT, "Understand how budgets are made")
    assert load(bot, Participant, bea).status is ParticipantStatus.ACTIVE
    assert sorted(keys(bot)) == [
        f"left:{ana}:0:organizer:UORGANIZER",
        f"left:{ana}:0:pair:{pairing}",
    ]
    bot.fake.wait_for("views.publish")


def test_a_partner_without_a_pair_conversation_is_told_by_dm(bot: RunningBot) -> None:
    _, ana, _, _ = enrol_pair(bot, channel_id=None)
    click(bot, ids.LEAVE_CONFIRM, str(ana), "UANA")
    posted = {
        call.params["channel"]: call.params for call in bot.fake.wait_for("chat.postMessage", 2)
    }
    assert "Your partner <@UANA> has left *Digital Pilot*" in posted["UBEA"]["text"]
    assert "UORGANIZER" in posted
    bot.fake.wait_for("views.publish")


def test_leave_and_erase_blanks_everything_they_typed(bot: RunningBot) -> None:
    program, ana, bea, _ = enrol_pair(bot)
    add_typed_rows(bot.services.sessions, program, ana, "Ana's private words")
    add_typed_rows(bot.services.sessions, program, bea, "Bea's words")
    confirm = bot.slack.command("leave digital pilot", user_id="UANA").json()

    answer = click(bot, ids.LEAVE_AND_ERASE, buttons(confirm)[ids.LEAVE_AND_ERASE]["value"], "UANA")

    assert "erased" in answer["text"]
    gone = load(bot, Participant, ana)
    assert (gone.goals, gone.department, gone.skills_offered, gone.skills_wanted) == (
        "",
        "",
        [],
        [],
    )
    assert gone.meeting_formats == []
    with bot.services.sessions() as session:
        assert session.scalar(sa.select(Checkin.comment).where(Checkin.participant_id == ana)) == ""
        assert (
            session.scalar(
                sa.select(SurveyResponse.answers).where(SurveyResponse.participant_id == ana)
            )
            == {}
        )
        assert session.scalar(sa.select(Win.text).where(Win.participant_id == ana)) == ""
        assert session.scalar(sa.select(Win.text).where(Win.participant_id == bea)) == "Bea's words"
    organizer = next(
        call
        for call in bot.fake.wait_for("chat.postMessage", 2)
        if call.params["channel"] == "UORGANIZER"
    )
    assert "erased everything they typed" in organizer.params["text"]
    bot.fake.wait_for("views.publish")


def test_a_stale_leave_button_says_they_already_left_and_tells_nobody_again(
    bot: RunningBot,
) -> None:
    _, ana, _, _ = enrol_pair(bot)
    click(bot, ids.LEAVE_CONFIRM, str(ana), "UANA")
    planned = keys(bot)

    again = click(bot, ids.LEAVE_CONFIRM, str(ana), "UANA")

    assert "You already left *Digital Pilot*" in again["text"]
    assert keys(bot) == planned
    assert load(bot, Participant, ana).goals  # nothing erased by a stale click
    bot.fake.wait_for("views.publish", 2)


def test_nobody_can_leave_for_someone_else(bot: RunningBot) -> None:
    _, ana, _, pairing = enrol_pair(bot)

    eve = click(bot, ids.LEAVE_AND_ERASE, str(ana), "UEVE")
    foreign = bot.slack.block_action(
        ids.LEAVE_CONFIRM, user_id="UANA", value=str(ana), team_id="T0OTHER"
    )

    assert "someone else's" in eve["text"]
    assert eve["replace_original"] is False
    assert (foreign.status, foreign.body) == (200, b"")  # another workspace: refused outright
    assert len(bot.fake.calls_to("response_url")) == 1
    still = load(bot, Participant, ana)
    assert (still.status, still.goals) == (
        ParticipantStatus.ACTIVE,
        "Understand how budgets are made",
    )
    assert load(bot, Pairing, pairing).status is PairingStatus.ACTIVE
    assert keys(bot) == []


def test_staying_changes_nothing(bot: RunningBot) -> None:
    _, ana, _, _ = enrol_pair(bot)
    answer = click(bot, ids.LEAVE_CANCEL, str(ana), "UANA")
    assert answer["replace_original"] is True
    assert "Glad you're staying" in answer["text"]
    assert load(bot, Participant, ana).status is ParticipantStatus.ACTIVE


def test_leave_without_an_enrolment_or_with_several(bot: RunningBot) -> None:
    first = make_program(bot.services.sessions, "First")
    second = make_program(bot.services.sessions, "Second")

    nothing = bot.slack.command("leave", user_id="UANA").json()
    join(bot.services.sessions, first, "UANA")
    join(bot.services.sessions, second, "UANA")
    several = bot.slack.command("leave", user_id="UANA").json()
    named = bot.slack.command("leave second", user_id="UANA").json()

    assert "You're not in a program" in nothing["text"]
    assert "*First*" in several["text"] and "*Second*" in several["text"]
    assert "/mentoring leave <program name>" in several["text"]
    assert "Leave *Second*?" in json.dumps(named["blocks"])


def test_someone_who_left_can_still_ask_to_erase_their_answers(bot: RunningBot) -> None:
    _, ana, _, _ = enrol_pair(bot)
    click(bot, ids.LEAVE_CONFIRM, str(ana), "UANA")

    offer = bot.slack.command("leave", user_id="UANA").json()
    erase = buttons(offer)[ids.LEAVE_AND_ERASE]
    answer = click(bot, ids.LEAVE_AND_ERASE, erase["value"], "UANA")
    afterwards = bot.slack.command("leave", user_id="UANA").json()

    assert "You already left *Digital Pilot*" in json.dumps(offer["blocks"])
    assert "erased everything you typed" in answer["text"]
    assert load(bot, Participant, ana).goals == ""
    assert "You're not in a program" in afterwards["text"]
    bot.fake.wait_for("views.publish", 2)


def test_help_lists_join_profile_and_leave_for_everyone(bot: RunningBot) -> None:
    text = bot.slack.command("help", user_id="UANA").json()["text"]
    for usage in ("/mentoring join [program]", "/mentoring profile [program]", "/mentoring leave"):
        assert usage in text
