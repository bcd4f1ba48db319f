"""Privacy, end to end over signed HTTP: a private check-in comment reaches organizers only;
an anonymous win never carries a name or a user id wherever it appears; and leaving with
erasure removes everything the person typed, from every table."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from bot.models import Base, Win
from bot.slack import ids
from bot.slack.blocks.reports import REPORT_PROGRAM
from tests.conftest import RunningBot
from tests.hostile.conftest import (
    PAIR_AB,
    World,
    calls_since,
    join_values,
    mark,
    selected,
    settle,
    state,
    text_input,
    ticked,
)
from tests.support.fake_slack import Call, _conversation_id
from tests.support.slack_requests import Response

ORGANIZER = "UORGANIZER"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def organizer_only(call: Call) -> bool:
    """A call whose content only organizers read: their DM, or a file posted there."""
    dm = {ORGANIZER, _conversation_id("D", [ORGANIZER])}
    if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
        return call.params.get("channel") in dm
    if call.method == "files.completeUploadExternal":
        return (call.params.get("channel_id") or call.params.get("channels")) in dm
    if call.method == "views.publish":
        return call.params.get("user_id") == ORGANIZER
    return False


def files_posted(bot: RunningBot) -> dict[str, dict]:
    with bot.fake._lock:
        return dict(bot.fake.files)


def everything_said(calls: list[Call], responses: list[Response]) -> list[tuple[str, str]]:
    """(where, what) for every call and every HTTP answer."""
    said = [
        (
            f"{c.method} {c.params.get('channel') or c.params.get('user_id') or ''}",
            json.dumps(c.params, ensure_ascii=False, default=repr),
        )
        for c in calls
    ]
    said += [("an HTTP answer", r.text) for r in responses if r.body]
    return said


# -- private comments ------------------------------------------------------------------------

PRIVATE = "PRIVATE-NOTE: my partner keeps cancelling"


def test_a_private_comment_reaches_organizers_only(hbot: RunningBot, world: World) -> None:
    bot = hbot
    answer = bot.slack.view_submission(
        ids.CHECKIN_COMMENT_MODAL,
        state(comment=text_input(PRIVATE), private=ticked("private")),
        user_id="UANA",
        private_metadata=json.dumps({"checkin_id": world.checkin_ana}),
    )
    assert answer.status == 200 and not answer.body, answer.text
    settle(bot)
    since = mark(bot.fake)
    responses: list[Response] = []

    # Ben (her partner), Cara (another pair) and the organizer look at everything they can.
    for user in ("UBEN", "UCARA", ORGANIZER):
        for text in ("status", "status Digital Pilot", "profile", "wins"):
            responses.append(bot.slack.command(text, user_id=user))
        bot.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
    responses.append(bot.slack.command("report Digital Pilot", user_id=ORGANIZER))
    bot.slack.block_action(f"{REPORT_PROGRAM}:1", user_id=ORGANIZER, value=str(world.program_id))
    settle(bot)
    # Weeks go by: check-ins, reminders, nudges and flags about the pair, digests.
    for day in (4, 7, 11, 14, 18):
        for hour in (9, 15):
            bot.services.clock.set(at(2026, 12, day, hour))
            bot.services.tick()
    settle(bot)

    calls = calls_since(bot.fake, since)
    # File contents are checked where they were posted (the upload itself goes nowhere yet).
    shown = [c for c in calls if not organizer_only(c) and c.method != "upload"]
    leaked = [where for where, what in everything_said(shown, []) if "PRIVATE-NOTE" in what]
    assert leaked == []
    dm = _conversation_id("D", [ORGANIZER])
    files = files_posted(bot).values()
    assert [
        f["filename"] for f in files if PRIVATE.encode() in f["content"] and f["channel_id"] != dm
    ] == []
    shown_to = [r for r in responses[:8] if "PRIVATE-NOTE" in r.text]  # Ben's and Cara's
    assert shown_to == []
    # The organizer does get it, in the report's CSV in their DM (so the check can fail).
    csvs = [f for f in files_posted(bot).values() if f["filename"].endswith(".csv")]
    assert any(PRIVATE.encode() in f["content"] for f in csvs)
    assert all(f["channel_id"] == _conversation_id("D", [ORGANIZER]) for f in csvs)
    pair_posts = [c for c in calls if c.params.get("channel") == PAIR_AB]
    assert pair_posts, "the pair's conversation got nothing: the check above proved nothing"


# -- anonymous wins --------------------------------------------------------------------------

STORY = "We rebuilt the onboarding deck together and it is used by everyone now"
NAMES = ("UANA", "UBEN", "Ana", "Ben", "Lima", "Berg", "<@U")


def units(call_or_text: Any) -> list[str]:
    """The pieces a reader sees together: each block of a message or view, each line of a
    file, or the whole text."""
    if isinstance(call_or_text, Call):
        params = call_or_text.params
        blocks = params.get("blocks") or (params.get("view") or {}).get("blocks")
        pieces = [json.dumps(b, ensure_ascii=False) for b in blocks or []]
        return [*pieces, str(params.get("text") or ""), str(params.get("initial_comment") or "")]
    if isinstance(call_or_text, dict):  # an HTTP answer: a message, or a modal to show
        view = call_or_text.get("view") or call_or_text
        blocks = [json.dumps(b, ensure_ascii=False) for b in view.get("blocks") or []]
        return [*blocks, str(call_or_text.get("text") or "")]
    if isinstance(call_or_text, bytes):
        return call_or_text.decode("utf-8", "replace").splitlines()
    return [call_or_text]


def test_an_anonymous_win_never_carries_a_name(hbot: RunningBot, world: World) -> None:
    bot = hbot
    bot.fake.add_user("UANA", name="ana", real_name="Ana Lima")
    bot.fake.add_user("UBEN", name="ben", real_name="Ben Berg")
    bot.services.clock.set(at(2026, 12, 1, 10))
    since = mark(bot.fake)
    shared = bot.slack.view_submission(
        ids.WIN_MODAL,
        state(text=text_input(STORY), sharing=selected("radio_buttons", "anonymous")),
        user_id="UANA",
        private_metadata=json.dumps(
            {"program_id": world.program_id, "pairing_id": world.pairing_ab}
        ),
    )
    assert shared.status == 200 and not shared.body, shared.text
    settle(bot)
    responses = [
        bot.slack.command("wins", user_id=ORGANIZER),
        bot.slack.command("wins Digital Pilot", user_id=ORGANIZER),
        bot.slack.command("report Digital Pilot", user_id=ORGANIZER),
    ]
    bot.services.clock.set(at(2026, 12, 7, 9, 30))  # Monday: the weekly digest
    bot.services.tick()
    settle(bot)
    with bot.services.sessions() as session:
        win_id = session.scalar(sa.select(Win.id).where(Win.text == STORY))
    bot.slack.block_action(ids.WIN_PUBLISH, user_id=ORGANIZER, value=str(win_id))
    settle(bot)
    published = bot.slack.view_submission(
        ids.WIN_PUBLISH_MODAL,
        state(channel={"type": "conversations_select", "selected_conversation": "C0NEWS"}),
        user_id=ORGANIZER,
        private_metadata=json.dumps({"win_id": win_id}),
    )
    responses.append(published)
    settle(bot)

    calls = calls_since(bot.fake, since)
    pieces = [u for c in calls for u in units(c)]
    pieces += [u for r in responses if r.body for u in units(r.json())]
    pieces += [u for f in files_posted(bot).values() for u in units(f["content"])]
    with_story = [p for p in pieces if "onboarding deck" in p]
    named = [p for p in with_story if any(name in p for name in NAMES)]
    assert named == []
    where = {c.method for c in calls if any("onboarding deck" in u for u in units(c))}
    # It was shown in the digest, the publish modal, the post and the report's CSV.
    assert {"chat.postMessage", "views.open"} <= where
    assert any(
        c.params.get("channel") == "C0NEWS" and "onboarding deck" in json.dumps(c.params)
        for c in calls
    )
    assert any("onboarding deck" in r.text for r in responses[:2])
    report = [
        c for c in calls if c.params.get("channel") == ORGANIZER and "*Wins*" in str(c.params)
    ]
    assert any("onboarding deck" in json.dumps(c.params) for c in report)


# -- erasure ---------------------------------------------------------------------------------

MARK = "ERASE-ME"


def every_row_text(bot: RunningBot) -> dict[str, list[str]]:
    """Every row of every table as text, by table."""
    out: dict[str, list[str]] = {}
    with bot.services.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(sa.select(table)).mappings()
            out[table.name] = [json.dumps(dict(r), default=str, ensure_ascii=False) for r in rows]
    return out


def found(bot: RunningBot, needle: str) -> dict[str, int]:
    return {
        table: hits
        for table, rows in every_row_text(bot).items()
        if (hits := sum(needle in row for row in rows))
    }


def test_leaving_with_erasure_removes_everything_the_person_typed(
    hbot: RunningBot, world: World
) -> None:
    bot = hbot
    ana = world.people["UANA"]
    replies: list[Response] = [
        bot.slack.view_submission(
            ids.JOIN_MODAL,
            join_values(
                goals=f"{MARK}-goals",
                department=f"{MARK}-dept",
                skills_offered_other=f"{MARK}-offered",
                skills_wanted_other=f"{MARK}-wanted",
            ),
            user_id="UANA",
            private_metadata=json.dumps({"participant_id": ana}),
        ),
        bot.slack.view_submission(
            ids.CHECKIN_COMMENT_MODAL,
            state(comment=text_input(f"{MARK}-comment"), private=ticked()),
            user_id="UANA",
            private_metadata=json.dumps({"checkin_id": world.checkin_ana}),
        ),
        bot.slack.view_submission(
            ids.SURVEY_MODAL,
            state(learn=text_input(f"{MARK}-learn"), teach=text_input(f"{MARK}-teach")),
            user_id="UANA",
            private_metadata=json.dumps({"participant_id": ana, "kind": "start"}),
        ),
        bot.slack.view_submission(
            ids.WIN_MODAL,
            state(text=text_input(f"{MARK}-win"), sharing=selected("radio_buttons", "named")),
            user_id="UANA",
            private_metadata=json.dumps(
                {"program_id": world.program_id, "pairing_id": world.pairing_ab}
            ),
        ),
        bot.slack.view_submission(
            ids.MEETING_MODAL,
            state(
                date={"type": "datepicker", "selected_date": "2026-12-03"},
                time={"type": "timepicker", "selected_time": "10:00"},
                duration=selected("static_select", "60"),
                format=selected("static_select", "coffee"),
                location=text_input(f"{MARK}-place"),
                topic=text_input(f"{MARK}-topic"),
            ),
            user_id="UANA",
            private_metadata=json.dumps({"pairing_id": world.pairing_ab, "tz": "Europe/Berlin"}),
        ),
        bot.slack.command(f"log 30 {MARK}-note of the corridor chat", user_id="UANA"),
        bot.slack.view_submission(
            ids.TALK_MODAL,
            state(topic=selected("radio_buttons", "career_goals"), text=text_input(f"{MARK}-talk")),
            user_id="UANA",
            private_metadata=json.dumps({"program_id": world.program_id}),
        ),
    ]
    settle(bot)
    assert [r.status for r in replies] == [200] * len(replies)
    refused = [r.text for r in replies if '"errors"' in r.text]
    assert refused == []
    # The week goes on: her texts travel into reminders and digests.
    for day, hour in ((2, 17), (3, 7), (7, 9)):
        bot.services.clock.set(at(2026, 12, day, hour))
        bot.services.tick()
    settle(bot)
    typed = ("goals dept offered wanted comment learn teach win place topic note talk").split()
    before = found(bot, MARK)
    missing = [w for w in typed if not found(bot, f"{MARK}-{w}")]
    assert missing == [], f"these were never stored, so erasing them proves nothing: {missing}"

    erased = bot.slack.block_action(ids.LEAVE_AND_ERASE, user_id="UANA", value=str(ana))
    settle(bot)

    assert erased.status == 200
    left = {
        table: [json.loads(row).get("key") or row[:200] for row in rows if MARK in row]
        for table, rows in every_row_text(bot).items()
        if any(MARK in row for row in rows)
    }
    assert left == {}, f"still there after erasure (before: {before})"
