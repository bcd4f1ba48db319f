"""`/mentoring invite`: organizers invite people by picking them or pasting addresses; each gets
one direct message with a Join button, and the organizer gets a report of every row."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from bot.models import Delivery, Invitation
from bot.slack import ids
from bot.slack.interaction import ORGANIZERS_ONLY
from tests.conftest import RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems
from tests.support.fake_slack import Call


@pytest.fixture
def people(bot: RunningBot) -> RunningBot:
    bot.fake.add_user("UORGANIZER", name="olga")
    bot.fake.add_user("UANA", name="ana", email="ana@example.com")
    bot.fake.add_user("UBEA", name="bea", email="bea@example.com")
    bot.fake.add_user("UCARL", name="carl", email="carl@example.com")
    bot.fake.add_user("UGONE", name="gone", email="gone@example.com", deleted=True)
    return bot


def submission(program_id: int, users: list[str] = (), emails: str | None = None) -> dict:
    return {
        "program": {
            "program": {"type": "static_select", "selected_option": {"value": str(program_id)}}
        },
        "people": {"people": {"type": "multi_users_select", "selected_users": list(users)}},
        "emails": {"emails": {"type": "plain_text_input", "value": emails}},
    }


def submit(bot: RunningBot, program_id: int, users=(), emails=None, user_id="UORGANIZER", **kw):
    return bot.slack.view_submission(
        ids.INVITE_MODAL, submission(program_id, users, emails), user_id=user_id, **kw
    )


def invited(bot: RunningBot) -> list[tuple[str, str]]:
    with bot.services.sessions() as session:
        rows = session.execute(
            sa.select(Invitation.user_id, Invitation.invited_by).order_by(Invitation.user_id)
        )
        return [tuple(row) for row in rows]


def deliveries(bot: RunningBot) -> int:
    with bot.services.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Delivery))


def join_button(call: Call) -> dict | None:
    for block in call.params.get("blocks") or []:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element.get("action_id") == ids.JOIN:
                return element
    return None


def split(calls: list[Call]) -> tuple[dict[str, Call], list[Call]]:
    """Invitation DMs by recipient, and the organizer's reports."""
    dms = {call.params["channel"]: call for call in calls if join_button(call)}
    reports = [call for call in calls if call.params["channel"] == "UORGANIZER"]
    return dms, reports


def test_an_organizer_invites_picked_people_and_an_address(people: RunningBot) -> None:
    bot = people
    program = make_program(bot.services.sessions, "Digital Pilot", length_weeks=8)

    opened = bot.slack.command("invite", user_id="UORGANIZER")
    assert opened.status == 200 and not opened.body  # a modal instead of a reply
    [view_call] = bot.fake.calls_to("views.open")
    view = view_call.params["view"]
    assert block_kit_problems(view, "modal") == []
    assert view["callback_id"] == ids.INVITE_MODAL
    program_select = view["blocks"][0]["element"]
    assert program_select["initial_option"]["value"] == str(program.id)  # the only one open

    answer = submit(bot, program.id, ["UANA", "UBEA"], "carl@example.com")
    assert answer.status == 200 and not answer.body  # the modal closes

    dms, [report] = split(bot.fake.wait_for("chat.postMessage", 4))
    assert sorted(dms) == ["UANA", "UBEA", "UCARL"]
    for call in dms.values():
        assert join_button(call)["value"] == str(program.id)
        assert "Digital Pilot" in call.params["text"]
        assert "8 weeks" in json.dumps(call.params["blocks"])
        assert "<@UORGANIZER> would like you to join" in json.dumps(call.params["blocks"])
    assert "3 invited" in report.params["text"]
    assert "<@UCARL> (carl@example.com)" in json.dumps(report.params["blocks"])
    assert invited(bot) == [("UANA", "UORGANIZER"), ("UBEA", "UORGANIZER"), ("UCARL", "UORGANIZER")]


def test_inviting_someone_again_sends_no_second_message(people: RunningBot) -> None:
    bot = people
    program = make_program(bot.services.sessions, "Digital Pilot")
    submit(bot, program.id, ["UANA"])
    bot.fake.wait_for("chat.postMessage", 2)

    submit(bot, program.id, ["UANA", "UBEA"], "ana@example.com")

    dms, reports = split(bot.fake.wait_for("chat.postMessage", 4))
    assert "1 invited, 1 already invited, 1 listed twice" in reports[-1].params["text"]
    assert "Already invited (no second message sent) (1)*\\n<@UANA>" in json.dumps(
        reports[-1].params["blocks"]
    )
    assert sorted(dms) == ["UANA", "UBEA"]
    assert deliveries(bot) == 2  # nothing more to send, now or later
    assert [c.params["channel"] for c in bot.fake.calls_to("chat.postMessage")].count("UANA") == 1


def test_unknown_addresses_and_deactivated_people_are_reported_and_others_invited(
    people: RunningBot,
) -> None:
    bot = people
    program = make_program(bot.services.sessions, "Digital Pilot")

    submit(bot, program.id, ["UGONE", "UANA"], "nobody@example.com\nbea@example.com")

    dms, [report] = split(bot.fake.wait_for("chat.postMessage", 3))
    assert sorted(dms) == ["UANA", "UBEA"]
    assert "2 invited, 1 unknown email, 1 deactivated" in report.params["text"]
    blocks = json.dumps(report.params["blocks"])
    unknown = "Unknown email (nobody in this workspace has that address) (1)*"
    assert f"{unknown}\\nnobody@example.com" in blocks
    assert "Deactivated in Slack (skipped) (1)*\\n<@UGONE>" in blocks
    assert invited(bot) == [("UANA", "UORGANIZER"), ("UBEA", "UORGANIZER")]


def test_malformed_addresses_are_shown_on_the_field_and_nothing_happens(
    people: RunningBot,
) -> None:
    bot = people
    program = make_program(bot.services.sessions, "Digital Pilot")

    answer = submit(bot, program.id, ["UANA"], "bea@example.com, bob@, carl at example.com")

    assert answer.json()["response_action"] == "errors"
    errors = answer.json()["errors"]
    assert list(errors) == ["emails"]
    assert "“bob@”, “carl”, “at”, “example.com” are not email addresses" in errors["emails"]
    assert invited(bot) == [] and deliveries(bot) == 0
    assert bot.fake.calls_to("users.info") == bot.fake.calls_to("users.lookupByEmail") == []


def test_a_submission_without_anyone_asks_for_people(people: RunningBot) -> None:
    program = make_program(people.services.sessions, "Digital Pilot")
    answer = submit(people, program.id, [], "  \n ")
    assert answer.json() == {
        "response_action": "errors",
        "errors": {"people": "Pick at least one person, or paste email addresses below."},
    }


def test_the_ack_does_not_wait_for_slack_look_ups(people: RunningBot) -> None:
    bot = people
    program = make_program(bot.services.sessions, "Digital Pilot")
    emails = "\n".join(["ana@example.com"] + [f"person{n}@example.com" for n in range(99)])
    bot.fake.delay("users.lookupByEmail", 1.0)

    answer = submit(bot, program.id, [], emails)

    assert answer.status == 200 and not answer.body
    assert bot.fake.calls_to("users.lookupByEmail") == []  # still looking up after the ack
    calls = bot.fake.wait_for("chat.postMessage", 2, timeout=30)
    dms, [report] = split(calls)
    assert list(dms) == ["UANA"]
    assert "1 invited, 99 unknown email" in report.params["text"]


def test_participants_cannot_invite(people: RunningBot) -> None:
    bot = people
    program = make_program(bot.services.sessions, "Digital Pilot")

    reply = bot.slack.command("invite Digital Pilot", user_id="UANA").json()
    assert reply["response_type"] == "ephemeral"
    assert "Only program organizers can use `/mentoring invite [program]`" in reply["text"]
    assert bot.fake.calls_to("views.open") == []

    forged = submit(bot, program.id, ["UBEA"], "carl@example.com", user_id="UANA").json()
    assert forged["response_action"] == "update"
    assert ORGANIZERS_ONLY in json.dumps(forged["view"])
    assert block_kit_problems(forged["view"], "modal") == []
    assert invited(bot) == [] and deliveries(bot) == 0
    assert bot.fake.calls_to("users.lookupByEmail") == bot.fake.calls_to("chat.postMessage") == []


def test_a_program_of_another_workspace_cannot_be_used(people: RunningBot) -> None:
    bot = people
    theirs = make_program(bot.services.sessions, "Their Pilot", team_id="T0OTHER")

    answer = submit(bot, theirs.id, ["UANA"]).json()
    reply = bot.slack.command("invite Their Pilot", user_id="UORGANIZER").json()

    assert answer["response_action"] == "errors"
    assert "this workspace's programs" in answer["errors"]["program"]
    assert "I can't find a program called “Their Pilot”" in reply["text"]
    assert invited(bot) == [] and bot.fake.calls_to("views.open") == []


def test_a_program_closed_for_enrolment_takes_no_invitations(people: RunningBot) -> None:
    bot = people
    closed = make_program(bot.services.sessions, "Closed Pilot", enrolment_open=False)

    reply = bot.slack.command("invite closed pilot", user_id="UORGANIZER").json()
    answer = submit(bot, closed.id, ["UANA"]).json()
    none_open = bot.slack.command("invite", user_id="UORGANIZER").json()

    assert "open enrolment for it first" in reply["text"]
    assert "open enrolment for it first" in answer["errors"]["program"]
    assert "No program is open for enrolment" in none_open["text"]
    assert invited(bot) == [] and bot.fake.calls_to("views.open") == []


def test_a_name_picks_one_of_several_programs(people: RunningBot) -> None:
    bot = people
    make_program(bot.services.sessions, "Spring")
    autumn = make_program(bot.services.sessions, "Autumn <Cohort>")

    bot.slack.command("invite “autumn <cohort>”", user_id="UORGANIZER")
    bot.slack.command("invite", user_id="UORGANIZER")

    named, unnamed = (call.params["view"] for call in bot.fake.calls_to("views.open"))
    assert named["blocks"][0]["element"]["initial_option"]["value"] == str(autumn.id)
    assert [o["text"]["text"] for o in named["blocks"][0]["element"]["options"]] == [
        "Spring",
        "Autumn <Cohort>",
    ]
    assert "initial_option" not in unnamed["blocks"][0]["element"]  # the organizer chooses


def test_the_invite_button_opens_the_modal_for_organizers_only(people: RunningBot) -> None:
    bot = people
    program = make_program(bot.services.sessions, "Digital Pilot")

    bot.slack.block_action(ids.INVITE_OPEN, user_id="UORGANIZER", value=str(program.id))
    bot.slack.block_action(ids.INVITE_OPEN, user_id="UANA", value=str(program.id))
    home = {"id": "VHOME", "type": "home", "blocks": []}
    bot.slack.block_action(ids.INVITE_OPEN, user_id="UANA", value=str(program.id), view=home)

    [refusal] = bot.fake.wait_for("response_url")
    assert refusal.params["text"] == ORGANIZERS_ONLY
    assert refusal.params["response_type"] == "ephemeral"
    invite_view, notice = (c.params["view"] for c in bot.fake.wait_for("views.open", 2))
    if invite_view.get("callback_id") != ids.INVITE_MODAL:
        invite_view, notice = notice, invite_view
    assert invite_view["blocks"][0]["element"]["initial_option"]["value"] == str(program.id)
    assert ORGANIZERS_ONLY in json.dumps(notice)
