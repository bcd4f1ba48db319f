"""Block Kit for wins: the share modal, the thank-you, the organizers' weekly digest, the
ready-to-paste list, the publish modal and the post itself. Pure functions of domain values.

Every story and every credit is escaped, so nothing a person typed (or put in their Slack
name) can mention, link or `<!channel>`. Credits come from `bot.wins.credit_line` only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.models import WinSharing
from bot.slack import ids
from bot.slack.blocks.common import Block, button, context, escape, plural, section, truncate
from bot.wins import TEXT_LENGTH, Credited, Digest, Place

TEXT_BLOCK = "text"
SHARING_BLOCK = "sharing"
PROGRAM_BLOCK = "program"
CHANNEL_BLOCK = "channel"
MAX_SHOWN = 20  # wins per digest or list: well inside 50 blocks and Slack's message size
COMMAND = "/mentoring"  # as in bot.slack.commands.router (not imported: blocks stay pure)
QUOTE_LIMIT = 2600  # an escaped story can grow (& becomes &amp;); a section holds 3000

SHARING_CHOICES = {
    WinSharing.NAMED: (
        "Share it with my name",
        "It may appear in a newsletter or a channel with our names.",
    ),
    WinSharing.ANONYMOUS: (
        "Share it without names",
        "It may appear as coming from “a pair” in the program, no names.",
    ),
    WinSharing.ORGANIZERS: (
        "Only for the organizers",
        "The organizers read it (with your name); it is never shared.",
    ),
}
TAGS = {
    WinSharing.NAMED: "_Shared with names_",
    WinSharing.ANONYMOUS: "_Shared without names_",
    WinSharing.ORGANIZERS: "🔒 _Only for the organizers: not to be shared or published_",
}


def quote(win: Credited) -> str:
    """One paragraph, ready to paste: “story” — credit."""
    return f"“{truncate(escape(win.text), QUOTE_LIMIT)}” — {escape(win.credit)}"


def story(text: str) -> Block:
    """A section holding what people typed: verbatim, so Slack links or mentions nothing in it
    by itself (a typed @channel stays text); escaping already made any <...> inert."""
    block = section(text)
    block["text"]["verbatim"] = True
    return block


# -- sharing -----------------------------------------------------------------------------------


def _option(sharing: WinSharing) -> dict[str, Any]:
    label, description = SHARING_CHOICES[sharing]
    return {
        "text": {"type": "plain_text", "text": label},
        "description": {"type": "plain_text", "text": description},
        "value": sharing.value,
    }


def win_modal(places: Sequence[Place], text: str = "") -> dict[str, Any]:
    """What happened, how it may be shared (no default: the person chooses), and the program
    when they take part in several."""
    text_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": TEXT_BLOCK,
        "multiline": True,
        "max_length": TEXT_LENGTH,
        "placeholder": {"type": "plain_text", "text": "Something you learned, taught or changed"},
    }
    if text.strip():
        text_input["initial_value"] = text.strip()[:TEXT_LENGTH]
    blocks: list[Block] = [
        context(
            "A win is anything worth telling: a tool you now use, a decision you understood, "
            "a habit that changed. You choose who may read it."
        ),
        {
            "type": "input",
            "block_id": TEXT_BLOCK,
            "label": {"type": "plain_text", "text": "What happened?"},
            "element": text_input,
        },
        {
            "type": "input",
            "block_id": SHARING_BLOCK,
            "label": {"type": "plain_text", "text": "How may it be shared?"},
            "element": {
                "type": "radio_buttons",
                "action_id": SHARING_BLOCK,
                "options": [_option(s) for s in SHARING_CHOICES],
            },
        },
    ]
    metadata: dict[str, Any] = {}
    if len(places) == 1:
        metadata = {"program_id": places[0].program_id, "pairing_id": places[0].pairing_id}
    else:
        blocks.append(
            {
                "type": "input",
                "block_id": PROGRAM_BLOCK,
                "label": {"type": "plain_text", "text": "Which program is it from?"},
                "element": {
                    "type": "static_select",
                    "action_id": PROGRAM_BLOCK,
                    "options": [
                        {
                            "text": {"type": "plain_text", "text": truncate(p.program_name, 75)},
                            "value": str(p.program_id),
                        }
                        for p in places[:100]
                    ],
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": ids.WIN_MODAL,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": "Share a win"},
        "submit": {"type": "plain_text", "text": "Share"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def thanks_message(
    sharing: WinSharing, program_name: str, *, paired: bool = True
) -> tuple[str, list[Block]]:
    """The thank-you to the person who shared, saying exactly how it will be shared."""
    names = "your name and your partner's" if paired else "your name"
    how = {
        WinSharing.NAMED: f"The organizers may share it, with {names}, in a newsletter or a "
        "channel.",
        WinSharing.ANONYMOUS: "The organizers may share it without any names, as a win from "
        f"“a pair in {escape(program_name)}”.",
        WinSharing.ORGANIZERS: "Only the organizers will read it; it won't be shared.",
    }[sharing]
    text = f"Thank you for sharing your win! {how}"
    return text, [section(f"*Thank you for sharing your win!* 🎉\n{how}")]


# -- for organizers ----------------------------------------------------------------------------


def _digest_entry(win: Credited) -> Block:
    tag = TAGS[win.sharing]
    if win.published:
        tag += f" · published in <#{win.published_channel}>"
    block = story(f"{tag}\n{quote(win)}")
    if win.publishable and not win.published:
        block["accessory"] = button("Publish", ids.WIN_PUBLISH, str(win.id))
    return block


def digest_message(digest: Digest) -> tuple[str, list[Block]]:
    """The weekly DM: every win of the past 7 days (organizers-only ones marked, without a
    Publish button), at most MAX_SHOWN of them."""
    name = escape(digest.program_name)
    count = plural(len(digest.wins), "new win")
    since = f"{digest.since.day} {digest.since:%b}"
    blocks: list[Block] = [section(f"*{count} in {name}* since Monday {since} 🎉")]
    blocks += [_digest_entry(win) for win in digest.wins[:MAX_SHOWN]]
    more = len(digest.wins) - MAX_SHOWN
    hint = (
        "*Publish* posts a win in a channel you choose, credited as its author agreed. "
        f"`{COMMAND} wins {name}` lists the shareable ones, ready to paste."
    )
    if more > 0:
        hint = f"And {plural(more, 'more win')}. {hint}"
    blocks.append(context(hint))
    return f"{count} in {name}", blocks


def wins_list(wins: Sequence[Credited], total: int, program_name: str | None) -> dict[str, Any]:
    """The ephemeral reply to `/mentoring wins`: a heading and one paragraph per win."""
    where = escape(program_name) if program_name else "our reverse mentoring programs"
    if not wins:
        return {"text": f"No wins to share yet from {where}."}
    heading = f"Wins from {where}"
    blocks: list[Block] = [section(f"*{heading}*")]
    blocks += [story(quote(win)) for win in wins[:MAX_SHOWN]]
    shown = min(len(wins), MAX_SHOWN)
    note = "Wins shared only with the organizers are never listed here."
    if total > shown:
        note = f"The {shown} newest of {total}. {note}"
    blocks.append(context(note))
    return {"text": heading, "blocks": blocks}


def publish_modal(win: Credited) -> dict[str, Any]:
    """Pick a channel; the preview is exactly what will be posted."""
    return {
        "type": "modal",
        "callback_id": ids.WIN_PUBLISH_MODAL,
        "private_metadata": json.dumps({"win_id": win.id}),
        "title": {"type": "plain_text", "text": "Publish a win"},
        "submit": {"type": "plain_text", "text": "Publish"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            story(quote(win)),
            {
                "type": "input",
                "block_id": CHANNEL_BLOCK,
                "label": {"type": "plain_text", "text": "Post it in"},
                "hint": {
                    "type": "plain_text",
                    "text": "I need to be in the channel: /invite me there first.",
                },
                "element": {
                    "type": "conversations_select",
                    "action_id": CHANNEL_BLOCK,
                    "placeholder": {"type": "plain_text", "text": "Pick a channel"},
                    "filter": {
                        "include": ["public", "private"],
                        "exclude_bot_users": True,
                        "exclude_external_shared_channels": True,
                    },
                },
            },
        ],
    }


def published_post(win: Credited) -> tuple[str, list[Block]]:
    """The post in the channel: the story and its credit, nothing else about anyone."""
    name = escape(win.program_name)
    return f"A win from {name}", [section(f"🎉 *A win from {name}*"), story(quote(win))]


def published_view(channel: str) -> dict[str, Any]:
    """The modal, once the post is out."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Published"},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": [section(f"Published in <#{channel}>. Thank you for telling the story!")],
    }
