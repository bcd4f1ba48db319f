"""The check-in message (five moods, "did you meet?", Add a comment), its thank-you, and the
comment modal. Pure functions of domain values.

Buttons in one block need distinct action ids, so each carries a suffix (`checkin_mood:4`);
the value always says which check-in and which answer (`<checkin id>:4`).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from bot.checkins import COMMENT_LENGTH, MOODS, Period, visible_comment
from bot.models import Checkin
from bot.slack import ids
from bot.slack.blocks.common import Block, button, context, escape, section, truncate
from bot.slack.blocks.talk import talk_button_for_checkin

MOOD_EMOJI = {1: "😣", 2: "😕", 3: "😐", 4: "🙂", 5: "😄"}
COMMENT_BLOCK = "comment"
PRIVATE_BLOCK = "private"
PRIVATE_VALUE = "private"
QUOTED_COMMENT = 500  # how much of a shared comment the thank-you repeats


def _day(day: date) -> str:
    return f"{day.day} {day:%b}"


def period_words(period: Period) -> str:
    """ "the week of 7 Dec" or "the two weeks from 30 Nov to 11 Dec"."""
    last = period.end - timedelta(days=1)
    while last.weekday() >= 5 and last > period.start:
        last -= timedelta(days=1)
    if (period.end - period.start).days <= 7:
        return f"the week of {_day(period.start)}"
    return f"the two weeks from {_day(period.start)} to {_day(last)}"


def mood_words(mood: int) -> str:
    return f"{MOOD_EMOJI[mood]} {MOODS[mood]}"


def checkin_message(
    checkin_id: int,
    program_name: str,
    period: Period,
    *,
    mood: int | None = None,
    met: bool | None = None,
    reminder: bool = False,
) -> tuple[str, list[Block]]:
    """The question, with what was already answered highlighted."""
    name = escape(program_name)
    text = "How is your mentoring going?"
    intro = f"A quick temperature check for *{name}*, {period_words(period)}."
    if reminder:
        text = "A gentle reminder: how is your mentoring going?"
        intro = f"A gentle reminder: your check-in for *{name}* is still open. {intro}"
    moods = [
        {
            **button(mood_words(n), f"{ids.CHECKIN_MOOD}:{n}", f"{checkin_id}:{n}"),
            **({"style": "primary"} if mood == n else {}),
        }
        for n in sorted(MOODS)
    ]
    answers = [
        button("Yes, we met", f"{ids.CHECKIN_MET}:yes", f"{checkin_id}:yes", primary=met is True),
        button("Not yet", f"{ids.CHECKIN_MET}:no", f"{checkin_id}:no", primary=met is False),
        button("Add a comment", ids.CHECKIN_COMMENT, str(checkin_id)),
    ]
    blocks: list[Block] = [
        section(f"*How is your mentoring going?*\n{intro}"),
        {"type": "actions", "block_id": "checkin_mood", "elements": moods},
        section("*Did you meet since the last check-in?*"),
        {"type": "actions", "block_id": "checkin_met", "elements": answers},
    ]
    got = []
    if mood is not None:
        got.append(f"mood {mood_words(mood)}")
    if met is not None:
        got.append("you met" if met else "you haven't met yet")
    if got:
        blocks.append(context(f"Saved: {', '.join(got)}. One more answer and you're done."))
    else:
        blocks.append(
            context("Your answers go to the program organizers; comments stay private to them.")
        )
    blocks.append(_support(checkin_id))
    return text, blocks


def _support(checkin_id: int) -> Block:
    """Talk to an organizer: on every check-in and its thank-you, in case something is up."""
    return {
        "type": "actions",
        "block_id": "checkin_support",
        "elements": [talk_button_for_checkin(checkin_id)],
    }


def thanks_message(checkin: Checkin, program_name: str, period: Period) -> tuple[str, list[Block]]:
    """The check-in replaced by a thank-you that repeats the answers, never a private comment."""
    lines = []
    if checkin.mood is not None:
        lines.append(f"• How it's going: {mood_words(checkin.mood)}")
    if checkin.met is not None:
        lines.append(
            "• You met since the last check-in"
            if checkin.met
            else "• You haven't met since the last check-in"
        )
    shared = visible_comment(checkin, organizer=False)
    if shared:
        lines.append(f"• Your comment: {escape(truncate(shared, QUOTED_COMMENT))}")
    elif checkin.comment:
        lines.append("• Your comment is saved, private to the organizers")
    summary = "\n".join(lines)
    text = f"Thanks for checking in on {escape(program_name)}!"
    blocks: list[Block] = [
        section(
            f"*Thanks for checking in!* :raised_hands:\n"
            f"Your check-in for *{escape(program_name)}*, {period_words(period)}:\n{summary}"
        )
    ]
    if not checkin.comment:
        blocks.append(
            {
                "type": "actions",
                "block_id": "checkin_more",
                "elements": [button("Add a comment", ids.CHECKIN_COMMENT, str(checkin.id))],
            }
        )
    blocks.append(_support(checkin.id))
    return text, blocks


def comment_modal(checkin_id: int, comment: str = "", private: bool = True) -> dict[str, Any]:
    """Add a comment: up to 2,000 characters, private to the organizers unless unticked."""
    private_option = {
        "text": {"type": "plain_text", "text": "Keep this private to the organizers"},
        "description": {
            "type": "plain_text",
            "text": "Your partner never sees your check-in comments.",
        },
        "value": PRIVATE_VALUE,
    }
    checkbox: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": PRIVATE_BLOCK,
        "options": [private_option],
    }
    if private:
        checkbox["initial_options"] = [private_option]
    text_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": COMMENT_BLOCK,
        "multiline": True,
        "max_length": COMMENT_LENGTH,
        "placeholder": {"type": "plain_text", "text": "What's going well, what's hard?"},
    }
    if comment:
        text_input["initial_value"] = comment[:COMMENT_LENGTH]
    return {
        "type": "modal",
        "callback_id": ids.CHECKIN_COMMENT_MODAL,
        "private_metadata": json.dumps({"checkin_id": checkin_id}),
        "title": {"type": "plain_text", "text": "Add a comment"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "label": {"type": "plain_text", "text": "Your comment"},
                "element": text_input,
            },
            {
                "type": "input",
                "block_id": PRIVATE_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Who may read it"},
                "element": checkbox,
            },
        ],
    }
