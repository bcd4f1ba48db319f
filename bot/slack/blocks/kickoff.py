"""Block Kit for the kickoff meet-and-greet: its form fields, the invitation and the reminder
(with I'll be there / Can't make it), the note to pairs introduced after it, and the replies
organizers see.

Times are `<!date^…>`, so everyone reads them in their own zone; what organizers typed (place,
agenda, recording or notes) is escaped.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot import kickoff
from bot.ics import meeting_ics
from bot.kickoff import KickoffReplies
from bot.models import KickoffAnswer, Program
from bot.rhythm import zone
from bot.slack import ids
from bot.slack.blocks.common import (
    Block,
    button,
    context,
    escape,
    header,
    plural,
    section,
    truncate,
    when,
)

INVITATION_BLOCK = "kickoff_invitation"  # the actions block ids say which message was clicked
REMINDER_BLOCK = "kickoff_reminder"
SHOWN_NAMES = 40  # mentions per list in the organizer's view


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _input(block_id: str, label: str, element: dict[str, Any], hint: str | None = None) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": _plain(label),
        "element": {"action_id": block_id, **element},
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _text(initial: str, limit: int, *, multiline: bool) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": limit,
    }
    if initial:
        element["initial_value"] = initial[:limit]
    return element


def kickoff_inputs(program: Program | None, timezone: str) -> list[Block]:
    """Day, time (in `timezone`), place, agenda, and the recording or notes afterwards."""
    local = (
        program.kickoff_at.astimezone(zone(timezone))
        if program is not None and program.kickoff_at
        else None
    )
    day: dict[str, Any] = {"type": "datepicker"}
    at: dict[str, Any] = {"type": "timepicker"}
    if local is not None:
        day["initial_date"] = local.date().isoformat()
        at["initial_time"] = local.strftime("%H:%M")
    return [
        header("Kickoff meet-and-greet"),
        context(
            f"Times are in {escape(timezone)}; everyone sees them in their own zone. Everyone "
            "enrolled gets an invitation with a calendar file, and a reminder the working day "
            "before."
        ),
        _input(kickoff.DATE, "Kickoff day", day),
        _input(kickoff.TIME, "Kickoff time", at),
        _input(
            kickoff.PLACE,
            "Where (a room or a video link)",
            _text(program.kickoff_place if program else "", kickoff.PLACE_LENGTH, multiline=False),
        ),
        _input(
            kickoff.AGENDA,
            "Agenda",
            _text(program.kickoff_agenda if program else "", kickoff.AGENDA_LENGTH, multiline=True),
            hint="What happens, e.g. welcome from the sponsor, how pairs meet, Q&A.",
        ),
        _input(
            kickoff.FOLLOWUP,
            "Recording or notes (after the kickoff)",
            _text(
                program.kickoff_followup if program else "",
                kickoff.FOLLOWUP_LENGTH,
                multiline=True,
            ),
            hint="A link or a few lines; pairs introduced after the kickoff get it.",
        ),
    ]


def kickoff_modal(
    program: Program, timezone: str, replies: KickoffReplies | None
) -> dict[str, Any]:
    """`/mentoring kickoff`: the kickoff of one program, and the replies so far."""
    blocks: list[Block] = [section(f"*{escape(program.name)}*")]
    if replies is not None:
        blocks.append(context(f"Replies so far: {replies_line(replies)}"))
    blocks += kickoff_inputs(program, timezone)
    return {
        "type": "modal",
        "callback_id": ids.KICKOFF_MODAL,
        "private_metadata": json.dumps({"program_id": program.id, "tz": timezone}),
        "title": _plain("Kickoff"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def saved(program: Program, *, moved: bool, invited: int) -> str:
    """What the organizer is told after setting the kickoff."""
    name = escape(program.name)
    if program.kickoff_at is None:
        return f"*{name}* has no kickoff planned now."
    text = f"The kickoff of *{name}* is {when(program.kickoff_at)}."
    if invited:
        text += f" I'm inviting {plural(invited, 'participant')} now"
        text += "; the earlier replies were cleared." if moved else "."
    else:
        text += " Everyone who is or becomes enrolled gets an invitation."
    return text + " Replies show on your Home tab and in `/mentoring status`."


# -- the invitation and the reminder -------------------------------------------------------------


def _details(program: Program) -> str:
    assert program.kickoff_at is not None
    lines = [f"*When:* {when(program.kickoff_at)}"]
    if program.kickoff_place:
        lines.append(f"*Where:* {escape(program.kickoff_place)}")
    return "\n".join(lines)


def _answer_line(answer: KickoffAnswer | None) -> str:
    if answer is KickoffAnswer.GOING:
        return "✅ You said you'll be there. Plans changed? Click *Can't make it*."
    if answer is KickoffAnswer.NOT_GOING:
        return "You said you can't make it. Changed your mind? Click *I'll be there*."
    return "Click *I'll be there* and I'll send you a calendar (.ics) file."


def _buttons(program: Program, block_id: str) -> Block:
    value = kickoff.token(program)
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [
            button("I'll be there", ids.KICKOFF_GOING, value, primary=True),
            button("Can't make it", ids.KICKOFF_NOT_GOING, value),
        ],
    }


def invitation(program: Program, answer: KickoffAnswer | None = None) -> tuple[str, list[Block]]:
    """The kickoff invitation DM; clicking a button redraws it with the answer."""
    name = escape(program.name)
    blocks: list[Block] = [
        header(f"Kickoff: {program.name}"),
        section(
            f"You're invited to the kickoff meet-and-greet of *{name}*: meet the other "
            f"participants and the organizers, and hear how the program works.\n{_details(program)}"
        ),
    ]
    if program.kickoff_agenda:
        blocks.append(section(f"*Agenda*\n{escape(truncate(program.kickoff_agenda, 2500))}"))
    blocks += [_buttons(program, INVITATION_BLOCK), context(_answer_line(answer))]
    assert program.kickoff_at is not None
    text = f"You're invited to the {name} kickoff, {when(program.kickoff_at)}."
    return text, blocks


def reminder(program: Program, answer: KickoffAnswer | None = None) -> tuple[str, list[Block]]:
    """The working day before: when and where, and the buttons for whoever has not answered
    yet. Slack writes the day ("tomorrow", or "Monday, …" from a Friday) in each reader's zone."""
    name = escape(program.name)
    assert program.kickoff_at is not None
    blocks: list[Block] = [
        section(f"*Coming up: the {name} kickoff.*\n{_details(program)}"),
        _buttons(program, REMINDER_BLOCK),
        context(
            _answer_line(answer)
            if answer is not None
            else "Not sure yet? Let the organizers know with a click."
        ),
    ]
    return f"Reminder: the {name} kickoff is {when(program.kickoff_at)}.", blocks


def redraw(
    program: Program, block_id: str | None, answer: KickoffAnswer
) -> tuple[str, list[Block]]:
    """The clicked message again, with the new answer (invitation or reminder)."""
    if block_id == REMINDER_BLOCK:
        return reminder(program, answer)
    return invitation(program, answer)


def calendar_file(program: Program, created: datetime) -> tuple[str, str]:
    """(file name, .ics content) for the kickoff."""
    assert program.kickoff_at is not None
    content = meeting_ics(
        uid=f"kickoff-{program.id}-{kickoff.epoch(program.kickoff_at)}@mentoring-bot",
        starts_at=program.kickoff_at,
        minutes=kickoff.KICKOFF_MINUTES,
        summary=f"Kickoff: {program.name}",
        location=program.kickoff_place,
        description=program.kickoff_agenda
        or "Reverse mentoring kickoff: meet the other participants and the organizers.",
        created=created,
    )
    return f"kickoff-{program.id}.ics", content


# -- after the kickoff ---------------------------------------------------------------------------


def followup(program: Program, *, with_notes: bool, told_before: bool) -> tuple[str, list[Block]]:
    """To a pair introduced after the kickoff: it happened, and where its recording or notes
    are (or, later, the notes alone for pairs told before they were added)."""
    name = escape(program.name)
    assert program.kickoff_at is not None
    notes = escape(truncate(program.kickoff_followup, 2500))
    if with_notes and told_before:
        text = f"The recording or notes of the {name} kickoff are here now:\n{notes}"
    elif with_notes:
        text = (
            f"Before you were introduced, *{name}* held its kickoff meet-and-greet "
            f"({when(program.kickoff_at)}). Catch up with the recording or notes:\n{notes}"
        )
    else:
        text = (
            f"Before you were introduced, *{name}* held its kickoff meet-and-greet "
            f"({when(program.kickoff_at)}). If the organizers share a recording or notes, "
            "I'll post them here."
        )
    summary = (
        f"The recording or notes of the {name} kickoff are here."
        if with_notes and told_before
        else f"{name} held its kickoff before you were introduced."
    )
    return summary, [section(text)]


# -- what organizers see -------------------------------------------------------------------------


def replies_line(replies: KickoffReplies) -> str:
    return (
        f"{len(replies.going)} going · {len(replies.not_going)} can't make it · "
        f"{len(replies.waiting)} no answer yet"
    )


def replies_field(replies: KickoffReplies) -> tuple[str, str]:
    """A status field: when, and the replies by answer."""
    return "Kickoff", f"{when(replies.starts_at)}\n{replies_line(replies)}"


def _names(users: list[str]) -> str:
    shown = ", ".join(f"<@{user}>" for user in users[:SHOWN_NAMES])
    more = len(users) - SHOWN_NAMES
    return shown + (f" and {more} more" if more > 0 else "") if users else "nobody yet"


def replies_block(replies: KickoffReplies) -> Block:
    """Who said what, for one program's status."""
    return section(
        f"*Kickoff replies* ({when(replies.starts_at)})\n"
        f"Going: {_names(replies.going)}\n"
        f"Can't make it: {_names(replies.not_going)}\n"
        f"No answer yet: {plural(len(replies.waiting), 'person', 'people')}"
    )
