"""`/mentoring status`: a program's health for organizers, a person's own pairing for everyone.

Any program size fits Slack's limits: the first open flags and failures are shown, with counts;
the full lists go out as a CSV file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from bot.models import PairingStatus
from bot.slack.blocks.common import Block, context, divider, escape, header, plural, section, when
from bot.slack.blocks.flags import REASON_TITLES, SEVERITY, flag_buttons
from bot.slack.blocks.kickoff import replies_block, replies_field
from bot.status import MyPairing, ProgramHealth


def _hours(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:.0f} h" if hours >= 10 or hours == int(hours) else f"{hours:.1f} h"


def _mood(health: ProgramHealth) -> str:
    if health.mood is None:
        return "no moods yet"
    trend = health.mood_trend
    arrow = "" if trend is None else (" ↑" if trend > 0 else " ↓" if trend < 0 else " →")
    change = "" if trend is None else f" ({trend:+.1f} over {len(health.mood_by_period)} periods)"
    return f"{health.mood:.1f} / 5{arrow}{change}"


def summary_fields(health: ProgramHealth, today: date) -> Block:
    rate = health.response_rate
    target = health.target_so_far(today)
    of_target = f" of {_hours(target)} planned" if target else ""
    fields = [
        (
            "Pairings",
            f"{health.on_track} on track · {health.at_risk} at risk · {health.stalled} stalled · "
            f"{health.paused} paused · {health.ended} ended",
        ),
        (
            "This week",
            f"{plural(health.meetings_this_week, 'meeting')}, {_hours(health.minutes_this_week)} "
            f"(target {_hours(health.weekly_target_minutes)})",
        ),
        (
            "In total",
            f"{plural(health.meetings_total, 'meeting')}, "
            f"{_hours(health.minutes_total)}{of_target}",
        ),
        (
            "Check-ins",
            f"{rate:.0%} answered ({health.checkins_answered} of {health.checkins_sent}, "
            f"last {len(health.mood_by_period)} periods)"
            if rate is not None
            else "none sent yet",
        ),
        ("Mood", _mood(health)),
    ]
    if health.kickoff is not None:
        fields.append(replies_field(health.kickoff))
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": f"*{name}*\n{value}"} for name, value in fields],
    }


def organizer_status(health: ProgramHealth, today: date) -> tuple[str, list[Block]]:
    program = health.program
    text = (
        f"{escape(program.name)}: {health.on_track} on track, {health.at_risk} at risk, "
        f"{health.stalled} stalled"
    )
    blocks: list[Block] = [
        header(f"Status: {program.name}"),
        summary_fields(health, today),
    ]
    if health.kickoff is not None:
        blocks.append(replies_block(health.kickoff))
    if health.open_flags:
        blocks += [
            divider(),
            section(f"*Needs you* ({plural(health.open_flag_count, 'open flag')})"),
        ]
    for flag, members in health.open_flags:
        who = " + ".join(f"<@{m}>" for m in members) or "A pairing"
        since = f" since {when(flag.started_at)}" if flag.started_at else ""
        detail = f"\n{escape(flag.detail)}" if flag.detail else ""
        blocks.append(
            section(
                f"{who}: *{REASON_TITLES.get(flag.reason, flag.reason)}* "
                f"({SEVERITY.get(flag.severity, '')}){since}{detail}"
            )
        )
        blocks.append(
            {
                "type": "actions",
                "block_id": f"status_flag_{flag.id}",
                "elements": flag_buttons(flag),
            }
        )
    if health.open_flag_count > len(health.open_flags):
        more = health.open_flag_count - len(health.open_flags)
        blocks.append(context(f"…and {more} more open flags: every one is in the CSV file."))
    if health.failure_count:
        lines = [
            f"• {_recipient(row.channel)}: {escape(row.last_error or 'failed')}"
            for row in health.failures
        ]
        blocks += [
            divider(),
            section(
                f"*Messages that could not be delivered* ({health.failure_count})\n"
                + "\n".join(lines)
            ),
        ]
    return text, blocks


def _recipient(channel: str) -> str:
    if channel.startswith(("U", "W")) and "," not in channel:
        return f"<@{channel}>"
    if "," in channel:
        return " + ".join(f"<@{c}>" for c in channel.split(","))
    return "a pair's conversation"


def several_programs(healths: Sequence[ProgramHealth], today: date) -> tuple[str, list[Block]]:
    """Every program, briefly; `/mentoring status NAME` shows one in full."""
    blocks: list[Block] = [header("Programs at a glance")]
    for health in healths[:12]:
        blocks += [section(f"*{escape(health.program.name)}*"), summary_fields(health, today)]
    if len(healths) > 12:
        blocks.append(context(f"…and {len(healths) - 12} more programs."))
    blocks.append(context("`/mentoring status NAME` shows a program's open flags and actions."))
    return f"{len(healths)} programs", blocks


def participant_status(mine: Sequence[MyPairing]) -> tuple[str, list[Block]]:
    if not mine:
        text = (
            "You are not in a pairing right now. If you joined a program, you'll be introduced "
            "to your partner once the organizers have run matching."
        )
        return text, [section(text)]
    blocks: list[Block] = []
    for item in mine[:10]:
        partners = ", ".join(f"<@{p}>" for p in item.partners) or "your partner"
        state = "paused for now" if item.status is PairingStatus.PAUSED else "active"
        target = (
            f" of the {item.target_so_far} minutes planned so far" if item.target_so_far else ""
        )
        upcoming = (
            f"Next meeting: {when(item.next_meeting)}."
            if item.next_meeting
            else "No meeting booked: `/mentoring meet` books one."
        )
        blocks.append(
            section(
                f"*{escape(item.program.name)}* with {partners} ({state})\n"
                f"{plural(item.meetings, 'meeting')}, {item.minutes} minutes{target}.\n{upcoming}"
            )
        )
    return "Your mentoring", blocks


def status_csv(health: ProgramHealth, flags: Sequence, failures: Sequence) -> str:
    """Every open flag and every undelivered message of a program (what the view cuts)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "who", "reason", "severity", "since", "detail"])
    for flag, members in flags:
        writer.writerow(
            [
                "flag",
                " ".join(members),
                REASON_TITLES.get(flag.reason, flag.reason),
                SEVERITY.get(flag.severity, ""),
                flag.started_at.isoformat() if flag.started_at else "",
                flag.detail,
            ]
        )
    for row in failures:
        writer.writerow(["undelivered", row.channel, row.last_error or "", "", "", row.key])
    return out.getvalue()
