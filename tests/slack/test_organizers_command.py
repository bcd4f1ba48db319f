"""`/mentoring organizers`: organizers choose who else may run programs; nobody else can."""

from __future__ import annotations

import sqlalchemy as sa

from bot.models import Organizer
from tests.conftest import TEAM, RunningBot


def organizer_ids(bot: RunningBot, team: str = TEAM) -> list[str]:
    with bot.services.sessions() as session:
        return list(
            session.scalars(
                sa.select(Organizer.user_id).where(Organizer.team_id == team).order_by(Organizer.id)
            )
        )


def test_an_organizer_adds_lists_and_removes_organizers(bot: RunningBot) -> None:
    added = bot.slack.command(
        "organizers add <@UBEA|bea> <@UCARL|carl>", user_id="UORGANIZER"
    ).json()
    again = bot.slack.command("organizers add <@UBEA|bea>", user_id="UORGANIZER").json()
    listed = bot.slack.command("organizers list", user_id="UBEA").json()  # Bea may now

    assert "<@UBEA> is now an organizer." in added["text"]
    assert "<@UCARL> is now an organizer." in added["text"]
    assert "<@UBEA> was already an organizer." in again["text"]
    assert organizer_ids(bot) == ["UBEA", "UCARL"]
    assert "<@UORGANIZER> (from the bot's settings)" in listed["text"]
    assert "<@UCARL>" in listed["text"]

    removed = bot.slack.command("organizers remove <@UCARL>", user_id="UBEA").json()
    configured = bot.slack.command("organizers remove <@UORGANIZER>", user_id="UBEA").json()

    assert "<@UCARL> is no longer an organizer." in removed["text"]
    assert "MENTORING_ORGANIZERS" in configured["text"]
    assert organizer_ids(bot) == ["UBEA"]


def test_a_participant_cannot_touch_organizers(bot: RunningBot) -> None:
    for text in ("organizers add <@UANA>", "organizers list", "organizers remove <@UORGANIZER>"):
        reply = bot.slack.command(text, user_id="UANA").json()
        assert reply["response_type"] == "ephemeral"
        assert "Only program organizers can use" in reply["text"]
    assert organizer_ids(bot) == []


def test_an_organizer_of_one_workspace_is_nobody_in_another(bot: RunningBot) -> None:
    bot.slack.command("organizers add <@UBEA>", user_id="UORGANIZER")
    reply = bot.slack.command("organizers add <@UEVE>", user_id="UBEA", team_id="T0OTHER")
    assert "another Slack workspace" in reply.json()["text"]
    assert organizer_ids(bot, "T0OTHER") == []


def test_unclear_requests_get_a_usage_hint_and_change_nothing(bot: RunningBot) -> None:
    no_mention = bot.slack.command("organizers add @bea", user_id="UORGANIZER").json()
    unknown = bot.slack.command("organizers promote <@UBEA>", user_id="UORGANIZER").json()
    assert "@-mention" in no_mention["text"]
    assert "I can add, remove or list organizers" in unknown["text"]
    assert organizer_ids(bot) == []
