"""The bot's real HTTP endpoint: signed requests in, Slack-shaped answers out."""

from __future__ import annotations

import json
import time
import urllib.request

from bot.bootstrap import build_services
from bot.clock import FixedClock
from bot.models import Organizer
from tests.conftest import TEAM, RunningBot, settings_for
from tests.support.block_kit import block_kit_problems
from tests.support.fake_slack import FakeSlack


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def all_text(reply: dict) -> str:
    return json.dumps(reply)


def test_help_over_signed_http_lists_the_commands(bot: RunningBot) -> None:
    started = time.monotonic()
    response = bot.slack.command("help", user_id="UANA")
    elapsed = time.monotonic() - started

    assert response.status == 200
    reply = response.json()
    assert reply["response_type"] == "ephemeral"
    assert "/mentoring help" in reply["text"]
    assert "As an organizer" not in reply["text"]
    assert block_kit_problems(reply, "message") == []
    assert elapsed < 3  # Slack's acknowledgement window


def test_organizers_see_their_commands_too(bot: RunningBot) -> None:
    with bot.services.sessions() as session:
        session.add(Organizer(team_id=TEAM, user_id="UBEA", added_by="UORGANIZER"))
        session.commit()

    for user in ("UORGANIZER", "UBEA"):  # from MENTORING_ORGANIZERS, and added in Slack
        reply = bot.slack.command("help", user_id=user).json()
        assert "As an organizer" in reply["text"], user
    other_team = bot.slack.command("help", user_id="UBEA", team_id="T0OTHER").json()
    assert "As an organizer" not in other_team["text"]


def test_an_unknown_subcommand_gets_a_friendly_answer_and_the_list(bot: RunningBot) -> None:
    reply = bot.slack.command("frobnicate <!channel> now", user_id="UANA").json()

    assert reply["response_type"] == "ephemeral"
    assert "I don't know the command `frobnicate`" in reply["text"]
    assert "/mentoring help" in reply["text"]
    assert block_kit_problems(reply, "message") == []


def test_what_people_type_is_not_echoed_as_a_mention(bot: RunningBot) -> None:
    reply = bot.slack.command("<!channel>", user_id="UANA").json()
    assert "<!channel>" not in all_text(reply)
    assert "&lt;!channel&gt;" in reply["text"]


def test_an_empty_command_shows_the_list(bot: RunningBot) -> None:
    reply = bot.slack.command("", user_id="UANA").json()
    assert "/mentoring help" in reply["text"]


def test_forged_and_stale_requests_are_refused_with_401(bot: RunningBot) -> None:
    body = b"command=%2Fmentoring&text=help&user_id=UANA&team_id=T0TEAM"
    content_type = "application/x-www-form-urlencoded"

    forged = bot.slack.post(body, content_type, signature="v0=" + "0" * 64)
    other_secret = bot.slack.post(body, content_type, secret="f" * 32)
    stale = bot.slack.post(body, content_type, timestamp=int(time.time()) - 6 * 60)
    unsigned = bot.slack.post(
        body, content_type, headers={"X-Slack-Signature": "", "X-Slack-Request-Timestamp": ""}
    )

    assert [r.status for r in (forged, other_secret, stale, unsigned)] == [401] * 4
    assert bot.fake.calls_to("response_url") == []


def test_a_refused_request_changes_nothing(bot: RunningBot) -> None:
    event = {"type": "app_home_opened", "user": "UANA", "channel": "D1", "tab": "home"}
    body = json.dumps({"type": "event_callback", "team_id": TEAM, "event": event}).encode()

    response = bot.slack.post(body, "application/json", secret="f" * 32)

    assert response.status == 401
    time.sleep(0.2)  # nothing may arrive, so there is nothing to wait for but a moment
    assert bot.fake.calls_to("views.publish") == []


def test_a_malformed_signed_payload_is_a_4xx_not_a_500(bot: RunningBot) -> None:
    for body, content_type in [
        (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        (b"{not json", "application/json"),
        (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
        (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
    ]:
        response = bot.slack.post(body, content_type)
        assert 400 <= response.status < 500, (body, response.status, response.text)


def test_url_verification_is_answered(bot: RunningBot) -> None:
    response = bot.slack.url_verification("challenge-123")
    assert response.status == 200
    assert "challenge-123" in response.text


def test_opening_the_home_tab_publishes_a_view_within_limits(bot: RunningBot) -> None:
    response = bot.slack.event(
        {"type": "app_home_opened", "user": "UORGANIZER", "channel": "D1", "tab": "home"}
    )
    assert response.status == 200

    [call] = bot.fake.wait_for("views.publish")
    assert call.params["user_id"] == "UORGANIZER"
    view = call.params["view"]
    assert view["type"] == "home"
    assert "Both sides teach, both sides learn" in json.dumps(view)
    assert "Programs you organize" in json.dumps(view)
    assert block_kit_problems(view, "home") == []


def test_health_check_answers_when_the_database_is_reachable(bot: RunningBot) -> None:
    status, body = get(f"{bot.url}/healthz")
    assert (status, body) == (200, {"ok": True, "database": "ok"})


def test_with_the_database_down_health_fails_and_commands_say_try_again(
    fake_slack: FakeSlack, clock: FixedClock
) -> None:
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    services = build_services(settings_for(unreachable, fake_slack), clock=clock)
    down = RunningBot(services, fake_slack).start()
    try:
        status, body = get(f"{down.url}/healthz")
        reply = down.slack.command("help", user_id="UANA")
    finally:
        down.stop()

    assert (status, body) == (503, {"ok": False, "database": "unreachable"})
    assert reply.status == 200
    assert "try again" in reply.json()["text"]


def test_other_paths_are_404(bot: RunningBot) -> None:
    status = None
    request = urllib.request.Request(f"{bot.url}/nothing-here")
    try:
        urllib.request.urlopen(request, timeout=5)
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 404


def test_a_command_mentioning_payload_is_still_a_command(bot: RunningBot) -> None:
    # Bolt alone would mistake this form body for an interactivity payload and drop it.
    response = bot.slack.command("payload please", user_id="UANA")
    assert response.status == 200
    assert "I don't know the command `payload`" in response.json()["text"]
