"""Block Kit for the executive sponsor: the credited message in announcements, invitations and
welcomes, the sponsor fields of the program modal, and the sponsor's monthly summary.

The sponsor's message is typed by an organizer, so it is always escaped before it is shown.
"""

from __future__ import annotations

from typing import Any

from bot import sponsor
from bot.models import Program
from bot.slack.blocks.common import Block, context, escape, header, plural, section, truncate
from bot.sponsor import SponsorSummary
from bot.status import ProgramHealth


def _quoted(text: str) -> str:
    """Escaped text as a mrkdwn block quote, line by line."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in escape(text).splitlines())


def sponsor_quote(program: Program) -> list[Block]:
    """The sponsor's message, credited; nothing when the program has no sponsor message."""
    found = sponsor.quote(program)
    if found is None:
        return []
    user_id, message = found
    return [section(f"{_quoted(truncate(message, 2000))}\n— <@{user_id}>, executive sponsor")]


# -- the program modal ---------------------------------------------------------------------------


def sponsor_inputs(program: Program | None) -> list[Block]:
    """The sponsor fields of the program modal: a person and their short message."""
    person: dict[str, Any] = {
        "type": "users_select",
        "action_id": sponsor.SPONSOR,
        "placeholder": {"type": "plain_text", "text": "Pick a leader"},
    }
    if program is not None and program.sponsor_user_id:
        person["initial_user"] = program.sponsor_user_id
    message: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": sponsor.MESSAGE,
        "multiline": True,
        "max_length": sponsor.MESSAGE_LENGTH,
    }
    if program is not None and program.sponsor_message:
        message["initial_value"] = program.sponsor_message
    return [
        header("Executive sponsor"),
        {
            "type": "input",
            "block_id": sponsor.SPONSOR,
            "optional": True,
            "label": {"type": "plain_text", "text": "Sponsor"},
            "hint": {
                "type": "plain_text",
                "text": "A leader who backs the program. They get a short summary every month "
                "so they can talk it up.",
            },
            "element": person,
        },
        {
            "type": "input",
            "block_id": sponsor.MESSAGE,
            "optional": True,
            "label": {"type": "plain_text", "text": "Sponsor's message"},
            "hint": {
                "type": "plain_text",
                "text": "A few words from the sponsor, shown with their name in the "
                "announcement, the invitations and the welcome message.",
            },
            "element": message,
        },
    ]


# -- the monthly summary -------------------------------------------------------------------------


def _hours(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:.0f} h" if hours >= 10 or hours == int(hours) else f"{hours:.1f} h"


def figures(health: ProgramHealth, today: Any) -> tuple[str, str]:
    """The status figures in two lines: the pairs, then meetings, check-ins and mood."""
    pairs = (
        f"*Pairs:* {health.active} active: {health.on_track} on track, "
        f"{health.at_risk} at risk, {health.stalled} stalled"
    )
    if health.paused:
        pairs += f" ({health.paused} paused)"
    target = health.target_so_far(today)
    of_target = f" of {_hours(target)} planned" if target else ""
    rate = health.response_rate
    checkins = f"{rate:.0%} of check-ins answered" if rate is not None else "no check-ins yet"
    mood = f"mood {health.mood:.1f} / 5" if health.mood is not None else "no moods yet"
    meetings = (
        f"*Meetings:* {plural(health.meetings_total, 'meeting')}, "
        f"{_hours(health.minutes_total)}{of_target} · {checkins} · {mood}"
    )
    return pairs, meetings


def summary_message(summary: SponsorSummary) -> tuple[str, list[Block]]:
    """The sponsor's monthly DM: two lines of figures and the newest shareable win."""
    program = summary.program
    name = escape(program.name)
    pairs, meetings = figures(summary.health, summary.now.date())
    blocks: list[Block] = [
        header(f"{program.name}: your monthly summary"),
        section(
            f"Hi <@{summary.sponsor_user_id}>! As the executive sponsor of *{name}*, here is how "
            f"it is doing in week {summary.week} of {program.length_weeks}."
        ),
        section(f"{pairs}\n{meetings}"),
    ]
    if summary.win is not None:
        blocks.append(
            section(
                f"*Newest win*\n{_quoted(truncate(summary.win.text, 2000))}\n"
                f"— {escape(summary.win.credit)}"
            )
        )
    else:
        blocks.append(context("No win has been shared yet; I'll include the newest next time."))
    blocks.append(
        context(
            "Mentioning the program in your own meetings and newsletters is the best help a "
            "sponsor can give. The organizers have the details."
        )
    )
    text = f"{escape(program.name)} this month: {summary.health.active} pairs active, " + (
        f"{plural(summary.health.meetings_total, 'meeting')} held."
    )
    return text, blocks
