"""The program modal (create and edit) and the messages about a program organizers receive."""

from __future__ import annotations

import json
from typing import Any

from bot import kickoff, programs
from bot.models import Program, ProgramFormat
from bot.slack import ids
from bot.slack.blocks.common import Block, context, escape, join_button, section
from bot.slack.blocks.invitations import program_pitch
from bot.slack.blocks.kickoff import kickoff_inputs
from bot.slack.blocks.sponsor import sponsor_inputs

OTHER_NEED = "other"
FORMAT_LABELS = {
    ProgramFormat.ONE_TO_ONE.value: "One-to-one pairs",
    ProgramFormat.GROUP.value: "Small mixed groups",
}
CADENCE_LABELS = {"1": "Every week", "2": "Every two weeks"}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": _plain(text[:75]), "value": value}


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {"action_id": block_id, **element},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _text_input(
    initial: str | None, *, multiline: bool = False, max_length: int = 3000
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial
    return element


def _number(initial: int, low: int, high: int) -> dict[str, Any]:
    return {
        "type": "number_input",
        "is_decimal_allowed": False,
        "initial_value": str(initial),
        "min_value": str(low),
        "max_value": str(high),
    }


def _choice(kind: str, options: list[dict[str, Any]], selected: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": kind, "options": options}
    chosen = [option for option in options if option["value"] == selected]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def _checkbox(label: str, checked: bool) -> dict[str, Any]:
    option = _option("yes", label)
    element: dict[str, Any] = {"type": "checkboxes", "options": [option]}
    if checked:
        element["initial_options"] = [option]
    return element


def program_modal(program: Program | None = None, *, timezone: str | None = None) -> dict[str, Any]:
    """Create (no program) or edit a program; block ids are the domain's field names.

    `timezone` is the organizer's, for the kickoff's day and time (default: the zone the
    kickoff was entered in, else UTC); the form says which zone it uses.
    """
    kickoff_zone = timezone or kickoff.timezone_of(program, default="")
    metadata: dict[str, Any] = {"program_id": program.id if program else None}
    if kickoff_zone:  # none known: the form shows and reads the kickoff in UTC
        metadata["tz"] = kickoff_zone
    need = program.business_need if program else None
    known_need = need if need in programs.BUSINESS_NEEDS else (OTHER_NEED if need else None)
    needs = [_option(n, n) for n in programs.BUSINESS_NEEDS]
    needs.append(_option(OTHER_NEED, "Something else (describe below)"))
    skills = program.skills_catalogue if program else list(programs.DEFAULT_SKILLS)
    blocks: list[Block] = [
        _input(
            "name",
            "Program name",
            _text_input(program.name if program else None, max_length=programs.NAME_LENGTH),
            hint="Unique in this workspace, e.g. “Digital Pilot 2027”.",
        ),
        _input(
            "business_need",
            "Business need it serves",
            _choice("static_select", needs, known_need),
            optional=True,
            hint="Reverse mentoring works best tied to one goal the business cares about.",
        ),
        _input(
            "business_need_other",
            "Or describe the business need",
            _text_input(
                need if known_need == OTHER_NEED else None,
                max_length=programs.BUSINESS_NEED_LENGTH,
            ),
            optional=True,
        ),
        _input(
            "format",
            "Format",
            _choice(
                "radio_buttons",
                [_option(value, text) for value, text in FORMAT_LABELS.items()],
                program.format.value if program else ProgramFormat.ONE_TO_ONE.value,
            ),
        ),
        _input(
            "group_size",
            "Largest group (small groups only)",
            _number(max(program.group_size if program else 3, 3), 3, programs.MAX_GROUP_SIZE),
            optional=True,
        ),
        _input(
            "start_date",
            "Start date",
            {"type": "datepicker", **_initial_date(program)},
            optional=True,
        ),
        _input(
            "length_weeks",
            "Length in weeks",
            _number(program.length_weeks if program else 12, 1, programs.MAX_WEEKS),
        ),
        _input(
            "is_pilot",
            "Pilot",
            _checkbox(
                "This is a pilot (a short, small first run)", bool(program and program.is_pilot)
            ),
            optional=True,
        ),
        _input(
            "meeting_target_minutes",
            "Meeting target (minutes per week)",
            _number(
                program.meeting_target_minutes if program else 60, 0, programs.MAX_WEEKLY_MINUTES
            ),
            hint="About an hour a week keeps pairs going.",
        ),
        _input(
            "checkin_cadence_weeks",
            "Check-ins",
            _choice(
                "radio_buttons",
                [_option(value, text) for value, text in CADENCE_LABELS.items()],
                str(program.checkin_cadence_weeks if program else 1),
            ),
        ),
        _input(
            "skills_catalogue",
            "Skills people can teach and learn",
            _text_input("\n".join(skills), multiline=True),
            hint="One per line. Include both directions: new tools and trends, and strategy, "
            "company history, leading people.",
        ),
        _input(
            "enrolment_open",
            "Enrolment",
            _checkbox("Open: people can join now", bool(program and program.enrolment_open)),
            optional=True,
        ),
        *sponsor_inputs(program),
        *kickoff_inputs(program, kickoff_zone or "UTC"),
    ]
    return {
        "type": "modal",
        "callback_id": ids.PROGRAM_MODAL,
        "private_metadata": json.dumps(metadata),
        "title": _plain("Edit program" if program else "New program"),
        "submit": _plain("Save" if program else "Create"),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def _initial_date(program: Program | None) -> dict[str, str]:
    if program and program.start_date:
        return {"initial_date": program.start_date.isoformat()}
    return {}


def program_saved(program: Program, *, created: bool) -> tuple[str, list[Block]]:
    """What the organizer is told after saving: and what to do next."""
    name = escape(program.name)
    verb = "created" if created else "updated"
    lines = [f"*{name}* is {verb}."]
    if program.enrolment_open:
        lines.append(
            f"Enrolment is open. Next: `/mentoring invite {name}` to invite people, or "
            f"`/mentoring announce #channel {name}` to post it in a channel."
        )
    else:
        lines.append(
            "Enrolment is closed for now: edit the program and tick “Open” when you are ready "
            "for people to join."
        )
    text = " ".join(lines)
    return text, [section("\n".join(lines))]


def announcement(program: Program) -> list[Block]:
    """A program posted in a channel: what it is, and a Join button for anyone reading."""
    return [
        *program_pitch(program),
        {
            "type": "actions",
            "block_id": "announcement",
            "elements": [join_button(program.id)],
        },
        context("Joining takes two minutes. Questions? Ask the organizers."),
    ]
