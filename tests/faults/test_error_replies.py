"""A bug anywhere in a request gets a friendly "something went wrong" where the person acted,
never a stack trace, and never an error from Slack on top (the request is still answered)."""

from __future__ import annotations

import json

import pytest

from bot.slack import guard, ids
from bot.slack.interaction import SOMETHING_WRONG
from bot.slack.listeners import meetings, programs
from tests.conftest import RunningBot
from tests.support.waiting import eventually


def boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a bug with a secret in its message")


def replies(bot: RunningBot) -> list:
    return [call for call in bot.fake.calls_to("response_url") if call.params.get("text")]


def test_a_bug_after_a_click_was_acknowledged_is_told_in_the_clicked_message(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(programs.programs, "get", boom)

    click = bot.slack.block_action(ids.PROGRAM_EDIT, user_id="UORGANIZER", value="1")

    assert click.status == 200  # acknowledged, so Slack shows no error of its own
    [reply] = eventually(lambda: replies(bot), what="the reply to the click")
    assert reply.params["text"] == SOMETHING_WRONG
    assert reply.params["response_type"] == "ephemeral"
    assert "secret" not in json.dumps([call.params for call in bot.fake.calls])


def test_a_bug_in_a_modal_submission_is_shown_on_the_modal(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meetings.meetings, "get_meeting", boom)

    submitted = bot.slack.view_submission(
        ids.MEETING_MINUTES_MODAL,
        {"minutes": {"minutes": {"type": "number_input", "value": "30"}}},
        user_id="UANA",
        private_metadata=json.dumps({"meeting_id": 1}),
    )

    assert submitted.status == 200
    assert submitted.json() == {
        "response_action": "errors",
        "errors": {"minutes": SOMETHING_WRONG},
    }


def test_a_bug_before_any_listener_still_answers_a_command_and_a_modal(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guard, "request_team", boom)  # a global middleware fails

    command = bot.slack.command("help", user_id="UANA")
    submitted = bot.slack.view_submission(
        ids.MEETING_MINUTES_MODAL,
        {"minutes": {"minutes": {"type": "number_input", "value": "30"}}},
        user_id="UANA",
        private_metadata=json.dumps({"meeting_id": 1}),
    )

    assert command.status == 200
    assert command.json() == {"response_type": "ephemeral", "text": SOMETHING_WRONG}
    assert submitted.status == 200
    assert submitted.json()["errors"] == {"minutes": SOMETHING_WRONG}
