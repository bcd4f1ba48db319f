"""Meeting messages and the scheduling modal. Times go out as Slack date tokens, so everyone
reads them in their own time zone."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.meetings import DURATIONS, FORMATS
from bot.models import Meeting
from bot.rhythm import zone
from bot.slack import ids
from bot.slack.blocks.common import Block, button, context, escape, section, when

DEFAULT_TIME = "12:30"


def describe(meeting: Meeting) -> str:
    what = FORMATS.get(meeting.format, meeting.format).lower()
    where = f" · {escape(meeting.location)}" if meeting.location else ""
    topic = f"\n_Topic: {escape(meeting.topic)}_" if meeting.topic else ""
    length = f"{meeting.duration_minutes} minutes"
    return f"*{what}* on {when(meeting.starts_at)} for {length}{where}{topic}"


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {"action_id": block_id, **element},
        "optional": optional,
    }


def schedule_modal(
    pairing_id: int,
    timezone: str,
    *,
    today: date,
    previous: Meeting | None = None,
    replaces: int | None = None,
) -> dict[str, Any]:
    """Propose a time (or a counter-proposal, pre-filled from the one it answers)."""
    local = previous.starts_at.astimezone(zone(timezone)) if previous else None
    durations = [_option(str(d), f"{d} minutes") for d in DURATIONS]
    formats = [_option(k, v) for k, v in FORMATS.items()]
    chosen_duration = str(previous.duration_minutes if previous else 60)
    chosen_format = previous.format if previous else "coffee"
    blocks: list[Block] = [
        _input(
            "date",
            "Day",
            {"type": "datepicker", "initial_date": (local.date() if local else today).isoformat()},
        ),
        _input(
            "time",
            "Time",
            {
                "type": "timepicker",
                "initial_time": local.strftime("%H:%M") if local else DEFAULT_TIME,
            },
        ),
        _input(
            "duration",
            "How long",
            {
                "type": "static_select",
                "options": durations,
                "initial_option": next(o for o in durations if o["value"] == chosen_duration),
            },
        ),
        _input(
            "format",
            "How",
            {
                "type": "static_select",
                "options": formats,
                "initial_option": next(o for o in formats if o["value"] == chosen_format),
            },
        ),
        _input(
            "location",
            "Where (a place or a video link)",
            {"type": "plain_text_input", "max_length": 500}
            | ({"initial_value": previous.location} if previous and previous.location else {}),
            optional=True,
        ),
        _input(
            "topic",
            "Topic (optional)",
            {"type": "plain_text_input", "max_length": 500}
            | ({"initial_value": previous.topic} if previous and previous.topic else {}),
            optional=True,
        ),
        context(f"Times are in your time zone ({timezone}); your partner sees them in theirs."),
    ]
    return {
        "type": "modal",
        "callback_id": ids.MEETING_MODAL,
        "private_metadata": json.dumps(
            {"pairing_id": pairing_id, "tz": timezone, "replaces": replaces}
        ),
        "title": {
            "type": "plain_text",
            "text": "Suggest another time" if replaces else "Schedule a coffee",
        },
        "submit": {"type": "plain_text", "text": "Propose"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def proposal(meeting: Meeting) -> tuple[str, list[Block]]:
    value = str(meeting.id)
    text = f"<@{meeting.proposed_by}> proposes a meeting"
    return text, [
        section(f"<@{meeting.proposed_by}> proposes {describe(meeting)}."),
        {
            "type": "actions",
            "block_id": f"meeting_{meeting.id}",
            "elements": [
                button("Accept", ids.MEETING_ACCEPT, value, primary=True),
                button("Suggest another time", ids.MEETING_COUNTER, value),
                button("Can't make it", ids.MEETING_DECLINE, value),
            ],
        },
    ]


def confirmed(meeting: Meeting, accepted_by: str) -> tuple[str, list[Block]]:
    text = f"Confirmed by <@{accepted_by}>"
    return text, [
        section(f"✅ Confirmed: {describe(meeting)}.\n<@{accepted_by}> accepted. Enjoy!"),
        {
            "type": "actions",
            "block_id": f"meeting_{meeting.id}",
            "elements": [button("Cancel", ids.MEETING_CANCEL, str(meeting.id))],
        },
    ]


def schedule_again(pairing_id: int, text: str) -> list[Block]:
    return [
        section(text),
        {
            "type": "actions",
            "block_id": f"reschedule_{pairing_id}",
            "elements": [
                button("Schedule a coffee", ids.SCHEDULE_COFFEE, str(pairing_id), primary=True)
            ],
        },
    ]


def declined(meeting: Meeting, by: str) -> tuple[str, list[Block]]:
    text = f"<@{by}> can't make {describe(meeting)}. Pick another time?"
    return text, schedule_again(meeting.pairing_id, text)


def countered(meeting: Meeting, by: str) -> tuple[str, list[Block]]:
    text = f"↪ <@{by}> suggested another time instead of {describe(meeting)} (see below)."
    return text, [section(text)]


def cancelled(meeting: Meeting, by: str, partners: list[str]) -> tuple[str, list[Block]]:
    others = " ".join(f"<@{p}>" for p in partners)
    text = f"{others} <@{by}> had to cancel {describe(meeting)}. Shall we find another time?"
    return text, schedule_again(meeting.pairing_id, text.strip())


def reminder(meeting: Meeting, people: list[str]) -> tuple[str, list[Block]]:
    everyone = " and ".join(f"<@{p}>" for p in people)
    text = f"Reminder for {everyone}: {describe(meeting)}."
    return text, [section(f"⏰ {text}")]


def did_you_meet(meeting: Meeting, people: list[str]) -> tuple[str, list[Block]]:
    everyone = " and ".join(f"<@{p}>" for p in people)
    text = f"{everyone}: did you meet for your {FORMATS.get(meeting.format, 'meeting').lower()}?"
    value = str(meeting.id)
    return text, [
        section(f"{text}\n{describe(meeting)}"),
        {
            "type": "actions",
            "block_id": f"met_{meeting.id}",
            "elements": [
                button("Yes", ids.MEETING_MET, value, primary=True),
                button("No", ids.MEETING_NOT_MET, value),
                button("We moved it", ids.MEETING_MOVED, value),
            ],
        },
    ]


def met_answer(meeting: Meeting, people: list[str]) -> tuple[str, list[Block]]:
    confirmed_by = meeting.held_confirmed_by
    waiting = [p for p in people if p not in confirmed_by]
    text = f"✅ You met for {meeting.minutes_held} minutes"
    if waiting:
        others = " ".join(f"<@{p}>" for p in waiting)
        text += f" (<@{confirmed_by[0]}> logged it). {others}, tap Yes to confirm."
        return text, [
            section(text),
            {
                "type": "actions",
                "block_id": f"met_{meeting.id}",
                "elements": [button("Yes", ids.MEETING_MET, str(meeting.id), primary=True)],
            },
        ]
    text += ", confirmed by both. It counts toward your target."
    return text, [section(text)]


def not_met(meeting: Meeting) -> tuple[str, list[Block]]:
    text = "Noted: you didn't manage to meet this time. It happens. Find another moment?"
    return text, schedule_again(meeting.pairing_id, text)


def minutes_modal(meeting: Meeting) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": ids.MEETING_MINUTES_MODAL,
        "private_metadata": json.dumps({"meeting_id": meeting.id}),
        "title": {"type": "plain_text", "text": "How long did you meet?"},
        "submit": {"type": "plain_text", "text": "Log it"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _input(
                "minutes",
                "Minutes",
                {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "initial_value": str(meeting.duration_minutes),
                    "min_value": "1",
                    "max_value": "480",
                },
            )
        ],
    }
