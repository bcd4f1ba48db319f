"""Block Kit for guides: the guide itself (a reply or a modal), the buttons that open it, and
the organizers' editor. Pure functions of domain values.

A guide is mrkdwn, but whatever an organizer typed is escaped first (no mentions, `<!channel>`
or hidden links reach participants; *bold*, _italics_, bullets and plain web addresses still
work). Escaping can make a text longer than one section allows, so it is split on blank lines
into several sections, each within Slack's 3,000 characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from bot.guides import MAX_LENGTH, ROLE_NAMES, Guide, GuideAnswer
from bot.models import ParticipantRole, Program
from bot.slack import ids
from bot.slack.blocks.common import (
    SECTION_TEXT_LIMIT,
    Block,
    button,
    context,
    escape,
    header,
    section,
    truncate,
)

MAX_SECTIONS = 12  # one per paragraph up to here; past it, paragraphs share sections
MAX_PROGRAM_BUTTONS = 40  # a message holds 50 blocks
TITLES = {
    ParticipantRole.MENTOR: "Guide for reverse mentors",
    ParticipantRole.MENTEE: "Guide for mentees",
}
LABELS = {
    ParticipantRole.MENTOR: "Guide for reverse mentors (early career, sharing new skills)",
    ParticipantRole.MENTEE: "Guide for mentees (senior colleagues, learning)",
}
EDIT_HINT = (
    f"Slack formatting: *bold*, _italics_, • bullets, links as plain web addresses. Up to "
    f"{MAX_LENGTH:,} characters. Leave it empty, or as the default, to show the project's "
    "default guide (it keeps any later improvements)."
)
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")


def guide_button(program_id: int) -> dict[str, Any]:
    """Read the guide of one's own role in this program (welcome DM, Home tab)."""
    return button("Read the guide", ids.GUIDE_OPEN, str(program_id))


def edit_guides_button(program_id: int) -> dict[str, Any]:
    return button("Edit guides", ids.GUIDE_EDIT, str(program_id))


# -- showing a guide ---------------------------------------------------------------------------


def guide_sections(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """The text escaped and cut into section texts of at most `limit` characters: a section per
    paragraph, paragraphs sharing sections when there are many, long ones cut at lines."""
    pieces: list[str] = []
    for paragraph in _PARAGRAPHS.split(text.strip()):
        if paragraph.strip():
            pieces += _fit(paragraph.strip("\n"), limit)
    if len(pieces) > MAX_SECTIONS:
        pieces = _pack(pieces, "\n\n", limit)
    return pieces


def _fit(raw: str, limit: int) -> list[str]:
    """One paragraph, escaped, in pieces that each fit."""
    if len(escape(raw)) <= limit:
        return [escape(raw)]
    lines: list[str] = []
    for line in raw.split("\n"):
        lines += [line] if len(escape(line)) <= limit else _hard_split(line, limit)
    return _pack([escape(line) for line in lines], "\n", limit)


def _hard_split(raw: str, limit: int) -> list[str]:
    """A line too long for a section, cut between characters (never inside an `&amp;`)."""
    chunks: list[str] = []
    current, size = "", 0
    for char in raw:
        width = len(escape(char))
        if size + width > limit:
            chunks.append(current)
            current, size = "", 0
        current += char
        size += width
    return [*chunks, current] if current else chunks


def _pack(pieces: Sequence[str], separator: str, limit: int) -> list[str]:
    """Join neighbouring (escaped) pieces while they fit."""
    packed: list[str] = []
    for piece in pieces:
        if packed and len(packed[-1]) + len(separator) + len(piece) <= limit:
            packed[-1] += separator + piece
        else:
            packed.append(piece)
    return packed


def guide_blocks(guide: Guide, *, reader_is_organizer: bool = False) -> list[Block]:
    blocks: list[Block] = [header(TITLES[guide.role])]
    blocks += [section(text) for text in guide_sections(guide.text)]
    program = escape(guide.program_name) if guide.program_name else None
    if program and guide.custom:
        note = f"Written for *{program}* by its organizers."
    elif program:
        note = f"For *{program}*."
    else:
        note = "The project's default guide."
    if not guide.own_role and reader_is_organizer:
        note += f" This is what each {ROLE_NAMES[guide.role]} reads."
    elif not guide.own_role:
        note += f" You're reading the guide for the {ROLE_NAMES[guide.role]} side."
    blocks.append(context(note))
    return blocks


def guide_reply(answer: GuideAnswer, *, reader_is_organizer: bool) -> dict[str, Any]:
    """The `/mentoring guide` answer."""
    guide = answer.guide
    blocks = guide_blocks(guide, reader_is_organizer=reader_is_organizer)
    hints = []
    if answer.other_programs:
        names = ", ".join(f"*{escape(name)}*" for name in answer.other_programs[:5])
        hints.append(f"You're also in {names}: `/mentoring guide <program>` shows its guide.")
    if answer.customised:
        names = ", ".join(f"*{escape(name)}*" for name in answer.customised[:5])
        more = f" and {len(answer.customised) - 5} more" if len(answer.customised) > 5 else ""
        hints.append(
            f"{names}{more} show their own text instead: "
            f"`/mentoring guide {guide.role.value} <program>` reads it."
        )
    other = (
        ParticipantRole.MENTEE if guide.role is ParticipantRole.MENTOR else ParticipantRole.MENTOR
    )
    hints.append(f"`/mentoring guide {other.value}` shows the {ROLE_NAMES[other]}'s side.")
    blocks.append(context(" ".join(hints)))
    return {"text": TITLES[guide.role], "blocks": blocks}


def guide_modal(guide: Guide) -> dict[str, Any]:
    """The guide opened from a button (works from a message and from the Home tab)."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Your guide"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": guide_blocks(guide),
    }


# -- organizers: choosing a role, a program, editing -------------------------------------------


def which_role(program_name: str | None) -> str:
    name = f" {escape(program_name)}" if program_name else ""
    return (
        "Which guide would you like to read? "
        f"`/mentoring guide mentor{name}` (the reverse mentors', early in their careers) or "
        f"`/mentoring guide mentee{name}` (the senior colleagues')."
    )


def choose_program(programs: Sequence[Program]) -> dict[str, Any]:
    """`/mentoring guide edit` with several programs: a button per program."""
    blocks: list[Block] = [section("Whose guides would you like to edit?")]
    for program in programs[:MAX_PROGRAM_BUTTONS]:
        block = section(f"*{escape(program.name)}*")
        block["accessory"] = edit_guides_button(program.id)
        blocks.append(block)
    if len(programs) > MAX_PROGRAM_BUTTONS:
        blocks.append(
            context(
                f"…and {len(programs) - MAX_PROGRAM_BUTTONS} more: "
                "`/mentoring guide edit <program>` opens any of them."
            )
        )
    return {"text": "Whose guides would you like to edit?", "blocks": blocks}


def edit_modal(program: Program, texts: dict[ParticipantRole, str]) -> dict[str, Any]:
    """One field per role, holding the text participants read now."""
    blocks: list[Block] = [
        section(
            f"What participants of *{escape(program.name)}* read when they click *Read the "
            "guide* or type `/mentoring guide`. Only this program's participants see your text."
        )
    ]
    for role in (ParticipantRole.MENTOR, ParticipantRole.MENTEE):
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": role.value,
            "multiline": True,
            "max_length": MAX_LENGTH,
        }
        if texts.get(role):
            element["initial_value"] = texts[role][:MAX_LENGTH]
        blocks.append(
            {
                "type": "input",
                "block_id": role.value,
                "optional": True,
                "label": {"type": "plain_text", "text": LABELS[role]},
                "hint": {"type": "plain_text", "text": EDIT_HINT},
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": ids.GUIDE_EDIT_MODAL,
        "private_metadata": json.dumps({"program_id": program.id}),
        "title": {"type": "plain_text", "text": "Edit guides"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def saved_view(program_name: str, custom: set[ParticipantRole]) -> dict[str, Any]:
    lines = [
        f"• {TITLES[role]}: " + ("your text" if role in custom else "the project's default")
        for role in (ParticipantRole.MENTOR, ParticipantRole.MENTEE)
    ]
    return notice(
        "Edit guides",
        f"Saved. Participants of *{escape(program_name)}* now read:\n" + "\n".join(lines),
    )


def notice(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": truncate(title, 24)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(text)],
    }
