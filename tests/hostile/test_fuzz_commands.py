"""`/mentoring` with whatever people (or scripts) type: unicode, control characters, huge
strings, mentions, links, quotes. Against the real bot over signed HTTP, every answer is a
clear ephemeral reply (or the modal the subcommand opens), never a 500, never an error in the
logs, never a live mention or link made of the input; and what a participant types changes
nothing in the database.

Budget: a fixed number of examples per test, derandomized, so CI runs the same inputs every
time (see SETTINGS).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.slack.commands import SUBCOMMANDS
from tests.conftest import RunningBot
from tests.hostile.conftest import (
    World,
    calls_since,
    changed_tables,
    log_problems,
    mark,
    mrkdwn_texts,
    settle,
    snapshot,
)
from tests.support.block_kit import block_kit_problems

SETTINGS = settings(
    max_examples=75,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Typed text may mention real people and channels (Slack turns a real @mention into <@U…>,
# and the bot may name who it acted on), but never reach everyone or carry a link.
FORBIDDEN = ("<!channel", "<!here", "<!everyone", "<https://evil", "<mailto:evil")

PIECES = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0EVIL>",
    "<@UANA>",
    "<@UANA|ana>",
    "<@U0EVIL|boss>",
    "<@>",
    "<@",
    "<#C0EVIL|news>",
    "<#>",
    "<https://evil.example|click here>",
    "<mailto:evil@example.com|mail>",
    "&amp;",
    "&lt;!channel&gt;",
    '"',
    "'",
    "\u201c",
    "\u201d",
    "\u2018",
    "`",
    "```",
    "*bold*",
    "_",
    "~",
    ">",
    "\\",
    "%00",
    "%",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "\u200b",
    "\U0001f389",
    "\U0001f469\U0001f3fd\u200d\U0001f4bb",
    "\u0130",
    "Digital Pilot",
    '"Digital Pilot"',
    "\u201cDigital Pilot\u201d",
    "digital pilot",
    "0",
    "-1",
    "30",
    "99999999999999999999999",
    "1e308",
    "NaN",
    "new",
    "edit",
    "add",
    "remove",
    "list",
    "\n",
    "\r\n",
    "\t",
    " ",
]
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=24)
WORDS = st.lists(st.one_of(st.sampled_from(PIECES), TEXT), max_size=8).map(" ".join)
HUGE = st.builds(
    lambda piece, times: piece * times,
    st.one_of(st.sampled_from(PIECES), TEXT.filter(bool)),
    st.integers(min_value=300, max_value=4000),
)
ARGS = st.one_of(WORDS, WORDS, HUGE)
NAMES = [*sorted(SUBCOMMANDS), "", "HELP", "Join", "WINS", "Status", "mentoring", "/mentoring"]
COMMAND_TEXT = st.one_of(
    st.builds(lambda name, rest: f"{name} {rest}", st.sampled_from(NAMES), ARGS), ARGS
)
# Inputs worth trying on every run, whatever the generator picks: NUL (which PostgreSQL
# cannot store), names in quotes, huge and empty arguments, and live mentions and links.
ALWAYS = [
    "join a\x00b",
    "wins \x00",
    "status Digital\x00Pilot",
    "log 30 met in the caf\x00",
    "report \x00",
    "program edit \x00",
    "invite \x00",
    "match \x00",
    "announce <#C0NEWS|news> \x00",
    'join "Digital Pilot',
    "join \u201cDigital Pilot\u201d",
    "leave " + "x" * 5000,
    "log 99999999999999999999999 <!channel>",
    "log -5 <https://evil.example|click>",
    "win <!here> <https://evil.example|prize>",
    "repair <@U0EVIL|boss> <!channel>",
    "organizers add <!channel>",
    "<!channel>" * 400,
]
# Subcommands whose arguments may rightly change something for an organizer.
WRITERS = {"organizers", "repair", "match"}


def always(test):
    """Run the ALWAYS inputs first, then the generated ones."""
    for text in reversed(ALWAYS):
        test = example(text=text)(test)
    return test


def check_answer(bot: RunningBot, response, since: int, caplog: pytest.LogCaptureFixture) -> None:
    """A clear ephemeral reply, at once or through response_url (or a modal), within Slack's
    limits, nothing live in it, and nothing logged as an error."""
    assert response.status == 200, (response.status, response.text[:300])
    settle(bot)
    calls = calls_since(bot.fake, since)
    if response.body:
        reply = response.json()
    else:  # a silent acknowledgement: the reply follows through the command's response_url
        path = urlsplit(response.response_url).path
        late = [c.params for c in calls if c.method == "response_url" and c.path == path]
        reply = late[0] if late else None
    if reply is not None:
        assert reply.get("response_type") == "ephemeral"
        assert reply.get("text", "").strip()
        assert block_kit_problems(reply, "message") == []
        said = list(mrkdwn_texts(reply))
    else:
        assert [c for c in calls if c.method == "views.open"], "no reply and no modal"
        said = []
    for call in calls:
        said += list(mrkdwn_texts(call.params))
    assert not [t for t in said if any(f in t for f in FORBIDDEN)], said
    assert log_problems(caplog) == []


@SETTINGS
@given(text=COMMAND_TEXT)
@always
def test_a_participant_typing_anything_gets_a_clear_reply_and_changes_nothing(
    hbot: RunningBot, world: World, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    caplog.clear()
    before, since = snapshot(hbot), mark(hbot.fake)

    response = hbot.slack.command(text, user_id="UEVE")

    check_answer(hbot, response, since, caplog)
    assert changed_tables(before, snapshot(hbot)) == []


@SETTINGS
@given(text=COMMAND_TEXT)
@always
def test_an_organizer_typing_anything_gets_a_clear_reply(
    hbot: RunningBot, world: World, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    caplog.clear()
    before, since = snapshot(hbot), mark(hbot.fake)

    response = hbot.slack.command(text, user_id="UORGANIZER")

    check_answer(hbot, response, since, caplog)
    name = text.strip().partition(" ")[0].lower()
    if name not in WRITERS:
        assert changed_tables(before, snapshot(hbot)) == []


@SETTINGS
@given(text=COMMAND_TEXT)
@always
def test_a_paired_participant_typing_anything_is_answered_and_only_log_writes(
    hbot: RunningBot, world: World, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    """Ana is in a pairing: only `/mentoring log <minutes> [note]` may store something."""
    caplog.clear()
    before, since = snapshot(hbot), mark(hbot.fake)

    response = hbot.slack.command(text, user_id="UANA")

    check_answer(hbot, response, since, caplog)
    changed = changed_tables(before, snapshot(hbot))
    if text.strip().partition(" ")[0].lower() == "log":
        assert set(changed) <= {"meetings"}
    else:
        assert changed == []
