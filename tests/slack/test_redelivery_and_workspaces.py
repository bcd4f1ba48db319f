"""Slack's retries have one effect, and requests from another workspace are refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot import meetings, seen
from bot.models import Meeting, Participant, SeenRequest
from bot.slack import ids
from tests.conftest import TEAM, RunningBot
from tests.factories import make_program
from tests.slack.test_join import fill, open_join_modal
from tests.slack.test_meetings_flow import pair  # noqa: F401  (fixture)
from tests.support.waiting import eventually

OTHER_TEAM = "T0STRANGER"


def publishes_for(bot: RunningBot, user: str) -> int:
    return sum(1 for c in bot.fake.calls_to("views.publish") if c.params["user_id"] == user)


def home_opened(bot: RunningBot, user: str, **kw):
    return bot.slack.event(
        {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}, **kw
    )


def test_a_retried_event_refreshes_the_home_tab_once(bot: RunningBot) -> None:
    bot.fake.add_user("UANA", name="ana")
    bot.fake.add_user("UBEN", name="ben")
    assert home_opened(bot, "UANA").status == 200
    bot.fake.wait_for("views.publish", 1)
    for retry in (1, 2):
        assert bot.slack.redeliver(retry).status == 200
    # A later, distinct event is handled; by then a retry would have been too.
    home_opened(bot, "UBEN")
    bot.fake.wait_for("views.publish", 2)
    assert publishes_for(bot, "UBEN") == 1
    assert publishes_for(bot, "UANA") == 1


def test_a_retried_command_logs_the_meeting_once(bot: RunningBot, pair: int) -> None:  # noqa: F811
    first = bot.slack.command("log 25 coffee by the lifts", user_id="UBEN")
    assert "Logged 25 minutes" in first.json()["text"]
    again = bot.slack.redeliver(1)
    assert again.status == 200 and not again.body
    with bot.services.sessions() as session:
        assert meetings.minutes_held(session, pair) == 25
        assert len(session.scalars(sa.select(Meeting)).all()) == 1
    # A new command (a new trigger) is of course handled.
    bot.slack.command("log 5 quick call", user_id="UBEN")
    with bot.services.sessions() as session:
        assert meetings.minutes_held(session, pair) == 30


def test_a_retried_click_and_submission_act_once(bot: RunningBot) -> None:
    bot.fake.add_user("UANA", name="ana")
    program = make_program(bot.services.sessions, "Digital Pilot", enrolment_open=True)
    view = open_join_modal(bot, program.id)
    assert bot.slack.redeliver(1).status == 200
    submitted = bot.slack.view_submission(
        ids.JOIN_MODAL, fill(view), user_id="UANA", private_metadata=view["private_metadata"]
    )
    assert submitted.status == 200
    assert bot.slack.redeliver(1).status == 200
    welcome = bot.fake.wait_for("chat.postMessage", 1)
    bot.services.tick()
    assert len(bot.fake.calls_to("views.open")) == 1
    dms = [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "UANA"]
    assert len(dms) == len(welcome) == 1
    with bot.services.sessions() as session:
        assert len(session.scalars(sa.select(Participant)).all()) == 1


@pytest.mark.parametrize("text", ["help", "status", "log 30 coffee", "organizers add <@UX1>"])
def test_a_command_from_another_workspace_is_refused(bot: RunningBot, text: str) -> None:
    reply = bot.slack.command(text, user_id="UORGANIZER", team_id=OTHER_TEAM)
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    assert "another Slack workspace" in answer["text"]
    with bot.services.sessions() as session:
        assert session.scalar(sa.text("SELECT count(*) FROM organizers")) == 0
        assert session.scalar(sa.text("SELECT count(*) FROM meetings")) == 0


def test_clicks_and_events_from_another_workspace_do_nothing(bot: RunningBot) -> None:
    bot.fake.add_user("UANA", name="ana")
    program = make_program(bot.services.sessions, "Digital Pilot", enrolment_open=True)
    click = bot.slack.block_action(
        ids.JOIN, user_id="UANA", value=str(program.id), team_id=OTHER_TEAM
    )
    assert click.status == 200 and not click.body
    assert home_opened(bot, "UANA", team_id=OTHER_TEAM).status == 200
    # Our own workspace's requests still work, and only they had an effect.
    home_opened(bot, "UANA")
    bot.fake.wait_for("views.publish", 1)
    open_join_modal(bot, program.id)
    assert len(bot.fake.calls_to("views.open")) == 1
    assert publishes_for(bot, "UANA") == 1


def test_a_retry_reaching_another_replica_is_dropped_there_too(
    bot: RunningBot,
    pair: int,  # noqa: F811
) -> None:
    # Another replica took the first delivery and recorded its id in the shared database.
    with bot.services.sessions() as session:
        seen.first_delivery(session, TEAM, "trigger:trigger.elsewhere", bot.services.clock.now())
        session.commit()
    retried = bot.slack.command(
        "log 25 coffee", user_id="UBEN", trigger_id="trigger.elsewhere", retry_num=1
    )
    assert retried.status == 200 and not retried.body
    # A retry whose first delivery never arrived anywhere is the one delivery: it acts.
    lost_first = bot.slack.command(
        "log 20 walk", user_id="UBEN", trigger_id="trigger.lost", retry_num=1
    )
    assert "Logged 20 minutes" in lost_first.json()["text"]
    # A first delivery is recorded for the other replicas too, after its acknowledgement.
    bot.slack.command("log 5 call", user_id="UBEN", trigger_id="trigger.first")
    eventually(lambda: "trigger:trigger.first" in recorded_keys(bot), what="the id recorded")
    # So are those the front handed to the work app (bot.slack.deferral).
    home_opened(bot, "UBEN", event_id="EvHANDEDOVER")
    bot.slack.block_action(ids.LEAVE_CANCEL, user_id="UBEN", value="0", trigger_id="trigger.click")
    handed = {"event:EvHANDEDOVER", "trigger:trigger.click"}
    eventually(lambda: handed <= recorded_keys(bot), what="the handed-over ids recorded")
    with bot.services.sessions() as session:
        assert meetings.minutes_held(session, pair) == 25


def recorded_keys(bot: RunningBot) -> set[str]:
    with bot.services.sessions() as session:
        return set(session.scalars(sa.select(SeenRequest.key)))
