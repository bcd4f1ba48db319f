"""Block Kit for talking to an organizer: the button, the modal, the organizers' DM with
"I'll reach out", and what the participant is told. Pure functions of domain values.

What the participant typed appears in the organizers' DMs only, escaped.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.models import ParticipantRole, TalkRequest, TalkTopic
from bot.slack import ids
from bot.slack.blocks.common import Block, button, context, escape, section, truncate, when
from bot.talk import TEXT, TEXT_LENGTH, TOPIC, Asker

CHECKIN_VALUE = "checkin:"
OPTIONS = {
    TalkTopic.CAREER_GOALS: "My career goals",
    TalkTopic.MY_PAIRING: "My pairing",
    TalkTopic.SOMETHING_ELSE: "Something else",
}
ABOUT = {  # as the organizers read it
    TalkTopic.CAREER_GOALS: "their career goals",
    TalkTopic.MY_PAIRING: "their pairing",
    TalkTopic.SOMETHING_ELSE: "something else",
}
YOUR = {  # as the participant reads it
    TalkTopic.CAREER_GOALS: "your career goals",
    TalkTopic.MY_PAIRING: "your pairing",
    TalkTopic.SOMETHING_ELSE: "what you asked about",
}
ROLE = {ParticipantRole.MENTOR: "reverse mentor", ParticipantRole.MENTEE: "mentee"}
QUOTED = 2500  # of the 1,000 characters typed, escaped: always room for the rest of the line


def talk_button(program_id: int) -> dict[str, Any]:
    return button("Talk to an organizer", ids.TALK_OPEN, str(program_id))


def talk_button_for_checkin(checkin_id: int) -> dict[str, Any]:
    """On a check-in the program is the check-in's own (looked up again on click)."""
    return button("Talk to an organizer", ids.TALK_OPEN, f"{CHECKIN_VALUE}{checkin_id}")


def talk_modal(asker: Asker) -> dict[str, Any]:
    options = [
        {"text": {"type": "plain_text", "text": label}, "value": topic.value}
        for topic, label in OPTIONS.items()
    ]
    return {
        "type": "modal",
        "callback_id": ids.TALK_MODAL,
        "private_metadata": json.dumps({"program_id": asker.program_id}),
        "title": {"type": "plain_text", "text": "Talk to an organizer"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(
                f"The organizers of *{escape(asker.program_name)}* are here to help. Tell them "
                "what's on your mind and one of them will reach out to you. "
                "*Only the organizers see this*: never your partner, never a channel."
            ),
            {
                "type": "input",
                "block_id": TOPIC,
                "label": {"type": "plain_text", "text": "What would you like to talk about?"},
                "element": {"type": "radio_buttons", "action_id": TOPIC, "options": options},
            },
            {
                "type": "input",
                "block_id": TEXT,
                "optional": True,
                "label": {"type": "plain_text", "text": "Anything they should know first?"},
                "hint": {
                    "type": "plain_text",
                    "text": "Optional, except for “something else”. A line or two is plenty.",
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": TEXT,
                    "multiline": True,
                    "max_length": TEXT_LENGTH,
                },
            },
        ],
    }


def requested_view(program_name: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Talk to an organizer"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [
            section(
                f"Thanks! I've told the organizers of *{escape(program_name)}*. One of them will "
                "reach out to you, and I'll let you know who."
            )
        ],
    }


def organizer_message(
    request: TalkRequest, program_name: str, role: ParticipantRole | None
) -> tuple[str, list[Block]]:
    """The DM each organizer gets; once taken, it says who took it instead of the button."""
    who = f"<@{request.user_id}>"
    as_role = f", {ROLE[role]}" if role else ""
    about = ABOUT[request.topic]
    text = f"{who} would like to talk to an organizer about {about}."
    lines = [
        f"*{who} would like to talk to an organizer* about *{about}* "
        f"({escape(program_name)}{as_role})."
    ]
    if request.text:
        quoted = truncate(escape(request.text), QUOTED)
        lines.append("\n".join(f"> {line}" for line in quoted.split("\n")))
    blocks: list[Block] = [section("\n".join(lines))]
    if request.taken_by:
        taken = f":white_check_mark: <@{request.taken_by}> is reaching out"
        if request.taken_at:
            taken += f" (since {when(request.taken_at)})"
        blocks.append(section(taken + "."))
    else:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"talk_{request.id}",
                "elements": [
                    button("I'll reach out", ids.TALK_TAKE, str(request.id), primary=True)
                ],
            }
        )
    blocks.append(
        context(
            f"Only organizers get this; {who}'s partner doesn't. The first organizer to click "
            f"*I'll reach out* takes it, and {who} is told who."
        )
    )
    return text, blocks


def taken_message(request: TalkRequest, program_name: str) -> tuple[str, list[Block]]:
    """To the participant, once: who will reach out."""
    organizer = f"<@{request.taken_by}>"
    text = f"{organizer} will reach out to you about {YOUR[request.topic]}."
    return text, [
        section(
            f"{organizer} will reach out to you about {YOUR[request.topic]} "
            f"({escape(program_name)}). Thanks for asking: that's what the organizers are here "
            "for. If you'd rather not wait, message them directly."
        )
    ]


def took_it_text(participant: str) -> str:
    return f"Thanks! <@{participant}> will be told that you'll reach out to them."


def already_taken_text(taken_by: str, taken_at: datetime | None, clicker: str) -> str:
    since = f" ({when(taken_at)})" if taken_at else ""
    if taken_by == clicker:
        return f"You already took this one{since}; nothing changed."
    return f"<@{taken_by}> already took this one{since}, so nothing changed."
