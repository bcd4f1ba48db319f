"""Joining a program from Slack: the command, the Join button, the modal and the welcome DM."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from bot.enrolment import JoinAnswers
from bot.models import Delivery, Invitation, Participant, ParticipantStatus, Program, ProgramStatus
from bot.slack import ids
from bot.slack.blocks.enrolment import join_modal
from tests.conftest import TEAM, RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems

ANSWERS: dict[str, Any] = {
    "role": "mentor",
    "skills_offered": ["AI tools"],
    "skills_offered_other": "TikTok\nCanva",
    "skills_wanted": ["Strategy", "Company history"],
    "skills_wanted_other": None,
    "department": "Marketing",
    "career_stage": "early",
    "goals": "See how big decisions get made",
    "meeting_formats": ["coffee", "walk"],
    "consent": ["yes"],
}


def fill(view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The modal's state as Slack would submit it, for the blocks the view really has."""
    answers = {**ANSWERS, **changes}
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        value = answers[block["block_id"]]
        kind = element["type"]
        if kind == "plain_text_input":
            entry: dict[str, Any] = {"type": kind, "value": value}
        elif kind in ("radio_buttons", "static_select"):
            entry = {"type": kind, "selected_option": {"value": value} if value else None}
        else:
            entry = {"type": kind, "selected_options": [{"value": v} for v in value or []]}
        state[block["block_id"]] = {element["action_id"]: entry}
    return state


def open_join_modal(bot: RunningBot, program_id: int, user: str = "UANA") -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    response = bot.slack.block_action(ids.JOIN, user_id=user, value=str(program_id))
    assert response.status == 200
    view = bot.fake.wait_for("views.open", before + 1)[-1].params["view"]
    assert block_kit_problems(view, "modal") == []
    return view


def submit(bot: RunningBot, view: dict[str, Any], user: str = "UANA", **changes: Any) -> dict:
    """Send the filled-in modal; what the person sees in the end (the answer's errors, or the
    outcome in place of "Saving…"). Once it is saved, their Home tab is refreshed too."""
    homes = len(bot.fake.calls_to("views.publish"))
    response = bot.slack.view_submission(
        ids.JOIN_MODAL,
        fill(view, **changes),
        user_id=user,
        private_metadata=view["private_metadata"],
    )
    answer = bot.form_answer(response)
    if "Welcome to" in modal_text(answer.get("view", {})):
        [*_, home] = bot.fake.wait_for("views.publish", homes + 1)
        assert home.params["user_id"] == user
    return answer


def participants(bot: RunningBot) -> list[Participant]:
    with bot.services.sessions() as session:
        return list(session.scalars(sa.select(Participant).order_by(Participant.id)))


def delivery_keys(bot: RunningBot) -> list[str]:
    with bot.services.sessions() as session:
        return list(session.scalars(sa.select(Delivery.key).order_by(Delivery.id)))


def modal_text(view: dict[str, Any]) -> str:
    return json.dumps(view)


def test_an_invited_person_clicks_join_fills_the_modal_and_is_welcomed(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions, "Digital Pilot", meeting_target_minutes=90)
    with bot.services.sessions() as session:
        session.add(
            Invitation(
                team_id=TEAM,
                program_id=program.id,
                user_id="UANA",
                department_hint="Marketing & Growth",
                invited_by="UORGANIZER",
            )
        )
        session.commit()
    bot.fake.add_user("UANA", name="ana", real_name="Ana Lima", tz="America/New_York")

    view = open_join_modal(bot, program.id)
    assert view["callback_id"] == ids.JOIN_MODAL
    shown = modal_text(view)
    assert "I'll share what I know about new tools and trends" in shown
    assert "I want to learn from a colleague with a fresh perspective" in shown
    assert "Company history" in shown  # the program's catalogue
    department = next(b for b in view["blocks"] if b.get("block_id") == "department")
    assert department["element"]["initial_value"] == "Marketing & Growth"  # from the invitation

    answer = submit(bot, view)

    assert answer["response_action"] == "update"
    assert "Welcome to *Digital Pilot*" in modal_text(answer["view"])
    [joined] = participants(bot)
    assert (joined.user_id, joined.display_name, joined.timezone) == (
        "UANA",
        "ana",
        "America/New_York",
    )
    assert joined.skills_offered == ["AI tools", "TikTok", "Canva"]
    assert joined.skills_wanted == ["Strategy", "Company history"]
    assert joined.meeting_formats == ["coffee", "walk"]
    assert (joined.department, joined.goals, joined.consent) == (
        "Marketing",
        "See how big decisions get made",
        True,
    )

    [welcome] = bot.fake.wait_for("chat.postMessage")
    assert welcome.params["channel"] == "UANA"
    text = json.dumps(welcome.params["blocks"])
    assert "1 hour 30 minutes a week" in welcome.params["text"]
    assert "1 hour 30 minutes a week" in text
    assert "12 weeks" in text
    assert "both sides learn" in text
    assert "private to the organizers" in text
    assert "<@UORGANIZER>" in text
    assert delivery_keys(bot) == [f"welcome:{joined.id}:1"]


def test_joining_twice_is_refused_and_changes_nothing(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions, "Digital Pilot")
    view = open_join_modal(bot, program.id)
    submit(bot, view)
    [before] = participants(bot)

    command = bot.answer(bot.slack.command("join digital pilot", user_id="UANA"))
    again = submit(bot, view, role="mentee", goals="Different")  # the same form sent again

    assert "You're already in *Digital Pilot*" in command["text"]
    assert "/mentoring profile" in command["text"]
    assert again["response_action"] == "update"
    assert "already in" in modal_text(again["view"])
    [after] = participants(bot)
    assert (after.role, after.goals) == (before.role, before.goals)
    assert delivery_keys(bot) == [f"welcome:{before.id}:1"]
    assert len(bot.fake.calls_to("views.open")) == 1


def test_closed_unknown_and_foreign_programs_are_refused(bot: RunningBot) -> None:
    closed = make_program(bot.services.sessions, "Autumn", enrolment_open=False)
    foreign = make_program(bot.services.sessions, "Theirs", team_id="T0OTHER")

    unknown = bot.answer(bot.slack.command("join Nowhere <!channel>", user_id="UANA"))
    by_name = bot.answer(bot.slack.command("join autumn", user_id="UANA"))
    bot.slack.block_action(ids.JOIN, user_id="UANA", value=str(closed.id))
    bot.slack.block_action(ids.JOIN, user_id="UANA", value=str(foreign.id))
    bot.slack.block_action(ids.JOIN, user_id="UANA", value="not-a-number")
    replies = [call.params["text"] for call in bot.fake.wait_for("response_url", 5)]
    metadata = json.dumps({"program_id": closed.id})
    form = join_modal(closed, JoinAnswers(), private_metadata=metadata)  # opened while open
    late = bot.form_answer(
        bot.slack.view_submission(
            ids.JOIN_MODAL, fill(form), user_id="UANA", private_metadata=metadata
        )
    )
    elsewhere = bot.slack.view_submission(
        ids.JOIN_MODAL,
        {},
        user_id="UANA",
        team_id="T0OTHER",
        private_metadata=json.dumps({"program_id": closed.id}),
    )

    assert "I couldn't find a program called “Nowhere &lt;!channel&gt;”" in unknown["text"]
    assert "*Autumn* isn't open for enrolment" in by_name["text"]
    assert any("*Autumn* isn't open for enrolment" in text for text in replies)
    assert sum("couldn't find that program" in text for text in replies) == 2
    assert "isn't open for enrolment" in modal_text(late["view"])
    assert (elsewhere.status, elsewhere.body) == (200, b"")  # another workspace: refused
    assert bot.fake.calls_to("views.open") == []
    assert participants(bot) == []
    assert delivery_keys(bot) == []


def test_an_ended_program_is_refused(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions, "Past")
    with bot.services.sessions() as session:
        session.get(Program, program.id).status = ProgramStatus.ENDED
        session.commit()
    reply = bot.answer(bot.slack.command("join Past", user_id="UANA"))
    assert "*Past* has ended" in reply["text"]


def test_too_long_answers_are_shown_on_their_fields_and_nothing_is_stored(
    bot: RunningBot,
) -> None:
    program = make_program(bot.services.sessions)
    view = open_join_modal(bot, program.id)

    answer = submit(
        bot,
        view,
        goals="g" * 1001,
        department="d" * 121,
        skills_offered_other="A skill described at far too great a length to fit on a button",
    )

    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"goals", "department", "skills_offered_other"}
    assert "1,000 characters" in answer["errors"]["goals"]
    assert "120 characters" in answer["errors"]["department"]
    assert "60 characters" in answer["errors"]["skills_offered_other"]
    assert participants(bot) == []
    assert delivery_keys(bot) == []


def test_consent_and_a_role_are_required(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions)
    view = open_join_modal(bot, program.id)

    answer = submit(bot, view, consent=[], role=None, skills_wanted=[])

    assert answer["response_action"] == "errors"
    assert "agree" in answer["errors"]["consent"]
    assert "how you'd like to take part" in answer["errors"]["role"]
    assert "at least one skill to learn" in answer["errors"]["skills_wanted"]
    assert participants(bot) == []


def test_the_join_command_finds_the_open_programs(bot: RunningBot) -> None:
    none_open = bot.answer(bot.slack.command("join", user_id="UANA"))
    first = make_program(bot.services.sessions, "First")

    assert bot.slack.command("join", user_id="UANA").body == b""  # the modal opens instead
    [opened] = bot.fake.wait_for("views.open")
    assert json.loads(opened.params["view"]["private_metadata"]) == {"program_id": first.id}

    second = make_program(bot.services.sessions, "Second <!here>")
    submit(bot, opened.params["view"])  # Ana joins First
    several = bot.answer(bot.slack.command("join", user_id="UANA"))

    assert "No program is open for enrolment right now" in none_open["text"]
    assert block_kit_problems(several, "message") == []
    buttons = [
        block["accessory"]
        for block in several["blocks"]
        if block.get("accessory", {}).get("action_id") == ids.JOIN
    ]
    assert [button["value"] for button in buttons] == [str(second.id)]
    assert "You're in this one" in json.dumps(several["blocks"])
    assert "<!here>" not in json.dumps(several)


def test_someone_who_left_can_join_again_and_is_welcomed_again(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions)
    submit(bot, open_join_modal(bot, program.id))
    [joined] = participants(bot)
    bot.slack.block_action(ids.LEAVE_CONFIRM, user_id="UANA", value=str(joined.id))
    bot.fake.wait_for("response_url")

    view = open_join_modal(bot, program.id)
    assert "See how big decisions get made" in modal_text(view)  # their earlier answers
    submit(bot, view, goals="Second round")

    [again] = participants(bot)
    assert (again.id, again.status, again.goals) == (
        joined.id,
        ParticipantStatus.ACTIVE,
        "Second round",
    )
    welcomes = [key for key in delivery_keys(bot) if key.startswith("welcome:")]
    assert welcomes == [f"welcome:{joined.id}:1", f"welcome:{joined.id}:2"]
    posted = bot.fake.wait_for("chat.postMessage", 3)  # two welcomes and the organizer's note
    assert [call.params["channel"] for call in posted].count("UANA") == 2


def test_when_slack_cannot_say_who_you_are_the_form_comes_back_filled_in(
    bot: RunningBot,
) -> None:
    program = make_program(bot.services.sessions)
    view = open_join_modal(bot, program.id)
    bot.fake.fail("users.info", "fatal_error")

    answer = submit(bot, view, goals="Learn how budgets get made")

    again = answer["view"]
    assert again["callback_id"] == ids.JOIN_MODAL  # a form to submit again, not a notice
    assert "couldn't reach Slack" in modal_text(again)
    assert "submit it again" in modal_text(again)
    assert block_kit_problems(again, "modal") == []
    goals = next(b for b in again["blocks"] if b.get("block_id") == "goals")
    assert goals["element"]["initial_value"] == "Learn how budgets get made"
    assert json.loads(again["private_metadata"]) == {"program_id": program.id}
    assert participants(bot) == []
    assert delivery_keys(bot) == []
    # Submitted again as it came back, it joins.
    joined = submit(bot, again, goals="Learn how budgets get made")
    assert "Welcome to" in modal_text(joined["view"])
    assert [p.goals for p in participants(bot)] == ["Learn how budgets get made"]


def test_a_busy_slack_is_not_waited_out_while_the_form_waits(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions)
    view = open_join_modal(bot, program.id)
    # Slack rate-limits users.info for a minute, or is too slow to answer in time.
    bot.fake.rate_limit("users.info", retry_after=60)

    limited = submit(bot, view)  # shown within seconds, not a minute later

    assert "couldn't reach Slack" in modal_text(limited["view"])
    bot.fake.delay("users.info", 8.0)
    slow = submit(bot, view)
    assert "couldn't reach Slack" in modal_text(slow["view"])
    assert participants(bot) == []
    # Once Slack answers again, the same form joins.
    joined = submit(bot, view)
    assert "Welcome to *Digital Pilot*" in json.dumps(joined["view"])
    assert [p.user_id for p in participants(bot)] == ["UANA"]


def test_an_unknown_slack_user_still_joins_with_defaults(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions)
    submit(bot, open_join_modal(bot, program.id, user="UNEW"), user="UNEW")
    [joined] = participants(bot)
    assert (joined.display_name, joined.timezone) == ("UNEW", "UTC")


def test_a_join_button_on_the_home_tab_opens_the_form_or_explains_in_a_modal(
    bot: RunningBot,
) -> None:
    open_program = make_program(bot.services.sessions, "Open")
    closed = make_program(bot.services.sessions, "Shut", enrolment_open=False)
    home = {"id": "VHOME", "type": "home"}  # a click on the Home tab has no response_url

    bot.slack.block_action(ids.JOIN, user_id="UANA", value=str(closed.id), view=home)
    [notice] = bot.fake.wait_for("views.open")
    bot.slack.block_action(ids.JOIN, user_id="UANA", value=str(open_program.id), view=home)
    form = bot.fake.wait_for("views.open", 2)[-1].params["view"]

    assert "*Shut* isn't open for enrolment" in modal_text(notice.params["view"])
    assert block_kit_problems(notice.params["view"], "modal") == []
    assert json.loads(form["private_metadata"]) == {"program_id": open_program.id}
    assert bot.fake.calls_to("response_url") == []


def test_a_submission_is_answered_at_once_and_its_outcome_replaces_that_answer(
    bot: RunningBot,
) -> None:
    program = make_program(bot.services.sessions, "Digital Pilot")
    view = open_join_modal(bot, program.id)

    response = bot.slack.view_submission(
        ids.JOIN_MODAL, fill(view), user_id="UANA", private_metadata=view["private_metadata"]
    )

    answer = response.json()  # the answer saves nothing yet: it says it is saving
    assert answer["response_action"] == "update"
    assert "Saving your answers" in modal_text(answer["view"])
    assert block_kit_problems(answer["view"], "modal") == []
    outcome = bot.fake.shown_in_place_of(answer)
    assert "Welcome to *Digital Pilot*" in modal_text(outcome)
    # What Slack shows in the submitted view's place is the outcome, not "Saving…".
    assert "Welcome to *Digital Pilot*" in modal_text(bot.fake.views["V0VIEW"])
    assert [p.user_id for p in participants(bot)] == ["UANA"]


def test_an_outcome_ready_before_slack_shows_saving_still_replaces_it(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions)
    view = open_join_modal(bot, program.id)
    bot.fake.fail("views.update", "not_found", times=2)  # "Saving…" not Slack's view yet

    answer = submit(bot, view)

    assert "Welcome to" in modal_text(answer["view"])
    assert [p.user_id for p in participants(bot)] == ["UANA"]


def test_a_form_closed_while_saving_still_joins_and_welcomes(bot: RunningBot, caplog) -> None:
    program = make_program(bot.services.sessions, "Digital Pilot")
    view = open_join_modal(bot, program.id)
    bot.fake.fail("views.update", "not_found", times=100)  # closed: there is nothing to update

    response = bot.slack.view_submission(
        ids.JOIN_MODAL, fill(view), user_id="UANA", private_metadata=view["private_metadata"]
    )

    assert "Saving your answers" in response.text
    [welcome] = bot.fake.wait_for("chat.postMessage")  # told by message instead
    assert welcome.params["channel"] == "UANA" and "Digital Pilot" in welcome.params["text"]
    assert [p.user_id for p in participants(bot)] == ["UANA"]
    assert "could not show a saved form's outcome" in caplog.text
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_a_pick_the_catalogue_lacks_brings_the_form_back_and_saves_nothing(
    bot: RunningBot,
) -> None:
    program = make_program(bot.services.sessions, "Digital Pilot")
    view = open_join_modal(bot, program.id)
    forged = "A skill no catalogue holds, sent by hand and far too long for one"

    answer = submit(bot, view, skills_offered=[forged], goals="Budgets")

    again = answer["view"]
    assert again["callback_id"] == ids.JOIN_MODAL
    assert "The list of skills changed since you opened this form" in modal_text(again)
    assert forged not in modal_text(again)  # only the catalogue's options are offered
    goals = next(b for b in again["blocks"] if b.get("block_id") == "goals")
    assert goals["element"]["initial_value"] == "Budgets"
    assert block_kit_problems(again, "modal") == []
    assert participants(bot) == [] and delivery_keys(bot) == []
