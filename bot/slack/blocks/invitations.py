"""Invitations in Block Kit: the program pitch, the invitation DM, the invite modal and the
organizer's report.

`program_pitch` is shared with announcements, so it says what the program is without saying
who is reading it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.invitations import InviteReport, Outcome, Result
from bot.models import Program, ProgramFormat
from bot.outbox import store
from bot.slack import ids
from bot.slack.blocks.common import (
    SECTION_TEXT_LIMIT,
    Block,
    context,
    escape,
    header,
    join_button,
    section,
    truncate,
)
from bot.slack.blocks.sponsor import sponsor_quote

MESSAGE_BLOCK_LIMIT = 50
MODAL_TITLE = "Invite people"
EMAILS_LENGTH = 3000  # a plain_text_input holds at most 3000 characters
MAX_PICKED = 100
OPTION_LIMIT = 100  # options in one static_select
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")

# How the organizer's report names each group of rows, in the order of `Outcome`.
REPORT_HEADINGS = {
    Outcome.INVITED: "Invited",
    Outcome.ALREADY_INVITED: "Already invited (no second message sent)",
    Outcome.ALREADY_ENROLLED: "Already enrolled",
    Outcome.UNKNOWN_EMAIL: "Unknown email (nobody in this workspace has that address)",
    Outcome.UNKNOWN_USER: "Not found in Slack",
    Outcome.DEACTIVATED: "Deactivated in Slack (skipped)",
    Outcome.BOT: "Bots (skipped)",
    Outcome.DUPLICATE: "Listed twice (invited once)",
}


# -- what a program is ----------------------------------------------------------------------


def program_pitch(program: Program) -> list[Block]:
    """Name, purpose, format and rhythm of a program, warm enough to make people want in."""
    name = escape(program.name)
    pilot = (
        " It is a pilot: a small first run, and your feedback shapes what comes next."
        if program.is_pilot
        else ""
    )
    blocks: list[Block] = [
        header(f"Reverse mentoring: {program.name}"),
        section(
            f"*{name}* pairs early-career colleagues, who share new tools, trends and how "
            "younger customers think, with senior colleagues, who share strategy, company "
            "history and how decisions really get made. *Both sides teach, both sides learn.*"
            + pilot
        ),
    ]
    if program.business_need:
        blocks.append(section(f"*Why we run it:* {escape(program.business_need)}"))
    blocks += sponsor_quote(program)
    if program.description:
        blocks.append(section(escape(truncate(program.description, SECTION_TEXT_LIMIT - 300))))
    blocks.append({"type": "section", "fields": _facts(program)})
    blocks.append(
        context(
            f"{_checkins(program.checkin_cadence_weeks)} Any comment you mark as private is "
            "seen only by the program's organizers."
        )
    )
    return blocks


def _facts(program: Program) -> list[dict[str, str]]:
    facts = [
        ("Format", _format(program)),
        ("Length", f"{program.length_weeks} week{'s' if program.length_weeks != 1 else ''}"),
        ("Meetings", _meetings(program.meeting_target_minutes)),
    ]
    if program.start_date is not None:
        facts.append(("Starts", _day(program.start_date)))
    return [{"type": "mrkdwn", "text": f"*{label}*\n{value}"} for label, value in facts]


def _format(program: Program) -> str:
    if program.format is ProgramFormat.GROUP:
        return f"Small groups of {program.group_size}, early-career and senior colleagues mixed"
    return "One-to-one: an early-career and a senior colleague"


def _meetings(minutes: int) -> str:
    if minutes <= 0:
        return "At your own pace"
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest:
        parts.append(f"{rest} minutes")
    return f"About {' '.join(parts)} a week"


def _checkins(cadence_weeks: int) -> str:
    every = "week" if cadence_weeks == 1 else f"{cadence_weeks} weeks"
    return f"Every {every} I'll ask a few quick questions about how it's going."


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def invitation_message(program: Program, invited_by: str | None) -> store.Message:
    """The invitation DM, with the program's pitch and a Join button.

    The channel is left empty: the same message goes to each invitee. `invited_by` is the
    organizer's user id, or None (the command line) for "the organizers".
    """
    who = f"<@{invited_by}>" if invited_by and _USER_ID.fullmatch(invited_by) else "The organizers"
    name = escape(program.name)
    blocks: list[Block] = [
        section(f"Hi! {who} would like you to join *{name}*, a reverse mentoring program."),
        *program_pitch(program),
        {
            "type": "actions",
            "block_id": "invitation",
            "elements": [join_button(program.id)],
        },
        context(
            "Joining takes two minutes: your role, what you'd like to share and what you'd "
            "like to learn. Not for you right now? No need to answer."
        ),
    ]
    text = f"You're invited to join {name}, a reverse mentoring program. Open it to join."
    return store.Message(channel="", text=text, blocks=blocks)


# -- the invite modal ------------------------------------------------------------------------


def invite_modal(choices: Sequence[tuple[int, str]], selected: int | None = None) -> dict[str, Any]:
    """Pick a program, then people, paste addresses, or both.

    Block ids are the field names the submission's errors use: program, people, emails.
    """
    options = [
        {"text": {"type": "plain_text", "text": truncate(name, 75)}, "value": str(program_id)}
        for program_id, name in choices[:OPTION_LIMIT]
    ]
    program_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": "program",
        "placeholder": {"type": "plain_text", "text": "Choose a program"},
        "options": options,
    }
    initial = next((o for o in options if o["value"] == str(selected)), None)
    if initial is not None:
        program_select["initial_option"] = initial
    return {
        "type": "modal",
        "callback_id": ids.INVITE_MODAL,
        "title": {"type": "plain_text", "text": MODAL_TITLE},
        "submit": {"type": "plain_text", "text": "Send invitations"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "program",
                "label": {"type": "plain_text", "text": "Program"},
                "element": program_select,
            },
            {
                "type": "input",
                "block_id": "people",
                "optional": True,
                "label": {"type": "plain_text", "text": "People"},
                "element": {
                    "type": "multi_users_select",
                    "action_id": "people",
                    "max_selected_items": MAX_PICKED,
                    "placeholder": {"type": "plain_text", "text": "Pick colleagues"},
                },
            },
            {
                "type": "input",
                "block_id": "emails",
                "optional": True,
                "label": {"type": "plain_text", "text": "Or paste email addresses"},
                "hint": {
                    "type": "plain_text",
                    "text": "One per line, or separated by commas or spaces: straight from a "
                    "spreadsheet column or an email's To: line.",
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": "emails",
                    "multiline": True,
                    "max_length": EMAILS_LENGTH,
                    "placeholder": {
                        "type": "plain_text",
                        "text": "ana@example.com, bo@example.com",
                    },
                },
            },
            context(
                "Each person gets a direct message about the program with a *Join* button. "
                "Nobody is invited twice, and I'll send you a report of who was invited."
            ),
        ],
    }


def notice_modal(text: str) -> dict[str, Any]:
    """A modal that only says something (a refusal, say), for where no ephemeral reply fits."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": MODAL_TITLE},
        "close": {"type": "plain_text", "text": "OK"},
        "blocks": [section(text)],
    }


# -- the organizer's report -----------------------------------------------------------------


def report_message(report: InviteReport) -> tuple[str, list[Block]]:
    """Who was invited and who was not, grouped by outcome, within Slack's message limits."""
    name = escape(report.program_name)
    summary = f"Invitations to {name}: {report.summary()}."
    blocks: list[Block] = [section(f"*Invitations to {name}*\n{report.summary()}.")]
    if report.invited:
        blocks.append(context("Each invited person got a direct message with a *Join* button."))
    for outcome in Outcome:
        labels = [_label(r) for r in report.results if r.outcome is outcome]
        if labels:
            blocks.extend(_sections(f"*{REPORT_HEADINGS[outcome]} ({len(labels)})*", labels))
    if len(blocks) > MESSAGE_BLOCK_LIMIT:
        blocks = blocks[: MESSAGE_BLOCK_LIMIT - 1]
        blocks.append(context("…and more: the counts at the top are complete."))
    return summary, blocks


def _label(result: Result) -> str:
    if result.user_id and result.outcome not in (Outcome.UNKNOWN_EMAIL, Outcome.UNKNOWN_USER):
        mention = f"<@{result.user_id}>"
        return f"{mention} ({escape(result.row.email)})" if result.row.email else mention
    return escape(result.row.email or result.row.user_id or "?")


def _sections(heading: str, labels: list[str]) -> list[Block]:
    """Comma-separated labels, split over as many sections as Slack's text limit needs."""
    blocks: list[Block] = []
    text = heading + "\n"
    separator = ""
    for label in labels:
        if len(text) + len(separator) + len(label) > SECTION_TEXT_LIMIT:
            blocks.append(section(text))
            text, separator = "", ""
        text += separator + label
        separator = ", "
    blocks.append(section(text))
    return blocks
