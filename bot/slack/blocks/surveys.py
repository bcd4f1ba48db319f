"""Survey messages and modals (start, middle, end) and the program's closing message.

Pure functions of domain values. A survey button's value names the participant and the kind
(`<participant id>:<kind>`); the listener checks the clicker is that participant.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.models import SurveyKind
from bot.slack import ids
from bot.slack.blocks.common import Block, button, context, escape, plural, section
from bot.surveys import QUESTIONS, RECOMMEND, TEXT_LENGTH

TITLES = {
    SurveyKind.START: "Starting survey",
    SurveyKind.MIDDLE: "Halfway survey",
    SurveyKind.END: "Final survey",
}
ASKS = {
    SurveyKind.START: (
        "Welcome to *{name}*! Before you start: what do you hope to learn, and what do you hope "
        "to teach? Two questions, two minutes; it helps you and your partner get going."
    ),
    SurveyKind.MIDDLE: (
        "*{name}* is halfway through. How is it going, and what would help you get more out of "
        "the second half? Two questions, two minutes."
    ),
    SurveyKind.END: (
        "Thank you for taking part in *{name}*! One last thing: what did you learn, what did "
        "you teach, and would you recommend the program? Your answers shape the next one."
    ),
}


def survey_value(participant_id: int, kind: SurveyKind) -> str:
    return f"{participant_id}:{kind.value}"


def survey_message(
    participant_id: int, kind: SurveyKind, program_name: str
) -> tuple[str, list[Block]]:
    """A short DM with one button that opens the survey's modal."""
    ask = ASKS[kind].format(name=escape(program_name))
    value = survey_value(participant_id, kind)
    return f"{TITLES[kind]}: {escape(program_name)}", [
        section(ask),
        {
            "type": "actions",
            "block_id": "survey",
            "elements": [button("Answer the survey", ids.SURVEY_OPEN, value, primary=True)],
        },
        context("Your answers go to the program organizers only."),
    ]


def survey_thanks(
    participant_id: int, kind: SurveyKind, program_name: str
) -> tuple[str, list[Block]]:
    """The survey message once answered: thanks, and a way to change the answers."""
    value = survey_value(participant_id, kind)
    text = f"Thank you! Your {TITLES[kind].lower()} for {escape(program_name)} is saved."
    return text, [
        section(
            f"*Thank you!* :raised_hands: Your {TITLES[kind].lower()} for "
            f"*{escape(program_name)}* is saved."
        ),
        {
            "type": "actions",
            "block_id": "survey",
            "elements": [button("Change my answers", ids.SURVEY_OPEN, value)],
        },
    ]


def survey_modal(
    participant_id: int,
    kind: SurveyKind,
    program_name: str,
    answers: dict[str, Any] | None = None,
    score: int | None = None,
) -> dict[str, Any]:
    """The survey's questions, filled in with earlier answers when there are some."""
    answers = answers or {}
    blocks: list[Block] = [section(f"*{escape(program_name)}*")]
    for question in QUESTIONS[kind]:
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": question.key,
            "multiline": True,
            "max_length": TEXT_LENGTH,
        }
        earlier = answers.get(question.key)
        if isinstance(earlier, str) and earlier:
            element["initial_value"] = earlier[:TEXT_LENGTH]
        blocks.append(
            {
                "type": "input",
                "block_id": question.key,
                "optional": not question.required,
                "label": {"type": "plain_text", "text": question.label},
                "element": element,
            }
        )
        if kind is SurveyKind.END and question.key == "taught":
            blocks.append(_recommend_block(score))
    return {
        "type": "modal",
        "callback_id": ids.SURVEY_MODAL,
        "private_metadata": json.dumps({"participant_id": participant_id, "kind": kind.value}),
        "title": {"type": "plain_text", "text": TITLES[kind]},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _recommend_block(score: int | None) -> Block:
    options = [{"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in range(11)]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": RECOMMEND,
        "placeholder": {"type": "plain_text", "text": "0 = not at all, 10 = absolutely"},
        "options": options,
    }
    if score is not None and 0 <= score <= 10:
        element["initial_option"] = options[score]
    return {
        "type": "input",
        "block_id": RECOMMEND,
        "label": {"type": "plain_text", "text": "Would you recommend the program to a colleague?"},
        "element": element,
    }


def duration(minutes: int) -> str:
    """ "45 min", "2 h", "4 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def closing_message(
    program_name: str,
    user_ids: Sequence[str],
    meetings: int,
    minutes: int,
    target_minutes: int,
    *,
    survey_sent: bool = True,
) -> tuple[str, list[Block]]:
    """The pair's closing message: their totals against the target, and a thank-you."""
    name = escape(program_name)
    people = " and ".join(f"<@{user}>" for user in user_ids) or "everyone"
    if meetings:
        totals = f"Together you met *{plural(meetings, 'time')}* for *{duration(minutes)}*"
        if target_minutes:
            share = round(100 * minutes / target_minutes)
            totals += f", {share}% of the program's target of {duration(target_minutes)}"
        totals += "."
    else:
        totals = "I have no meetings logged for you, and that's alright: thank you for trying."
    blocks = [
        section(f":tada: *{name} has come to an end.*\nThank you, {people}! {totals}"),
        section(
            "Reverse mentoring goes both ways: whatever each of you taught, someone now knows "
            "it. Keep in touch, and keep teaching each other."
        ),
    ]
    if survey_sent:
        blocks.append(
            context(
                "I've sent each of you a short final survey in a direct message: "
                "two minutes that shape the next program."
            )
        )
    return f"{name} has come to an end. Thank you!", blocks
