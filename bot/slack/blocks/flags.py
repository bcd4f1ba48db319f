"""Block Kit for stalled pairs: the gentle nudge to a pair, the flag DM an organizer acts on,
the note about undelivered messages, and the dismiss modal.

Pure functions. What a pair sees never names a reason that came from a check-in (a mood, a
comment); what organizers see may quote mood numbers, never comments. People's text is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.flags import Action, Handled
from bot.health_rules import PAIR_REASONS, day_words
from bot.models import Delivery, Flag, FlagReason, FlagSeverity, FlagStatus
from bot.slack import ids
from bot.slack.blocks.common import Block, button, context, escape, header, section, truncate

MAX_FAILURES_SHOWN = 20
NOTE_LENGTH = 1000

NUDGES = {
    FlagReason.NO_MEETING: (
        "It's been a little while since you two last met. Busy weeks happen to everyone! "
        "A short coffee this week is an easy way to pick up where you left off."
    ),
    FlagReason.DECLINED_MEETINGS: (
        "Finding a time that suits you both can be tricky. A shorter slot, a walk or a video "
        "call might be easier to fit in this week."
    ),
    FlagReason.UNANSWERED_CHECKINS: (
        "How is it going? When you have a minute, the short check-in helps the organizers "
        "support you, and a coffee together is always a good idea."
    ),
    FlagReason.LOW_MOOD: (
        "Just checking in on how your reverse mentoring is going. A relaxed coffee to talk "
        "about what you'd each like to get out of it often helps, and the organizers are glad "
        "to help if something isn't working."
    ),
}
REASON_TITLES = {
    FlagReason.NO_MEETING: "No meetings",
    FlagReason.DECLINED_MEETINGS: "Meetings keep not happening",
    FlagReason.UNANSWERED_CHECKINS: "Check-ins unanswered",
    FlagReason.LOW_MOOD: "Low mood",
    FlagReason.MEMBER_LEFT: "A member is gone",
    FlagReason.REPORTED_CLASH: "A reported clash",
    FlagReason.DELIVERY_FAILED: "A message could not be delivered",
}
SEVERITY = {FlagSeverity.AT_RISK: "at risk", FlagSeverity.STALLED: "stalled"}
RECOVERED = {
    FlagReason.NO_MEETING: "they met again",
    FlagReason.DECLINED_MEETINGS: "they met again",
    FlagReason.UNANSWERED_CHECKINS: "they answered a check-in",
    FlagReason.LOW_MOOD: "the mood is better",
    FlagReason.MEMBER_LEFT: "everyone is active again",
}
DID = {
    Action.NUDGE.value: "nudged them again",
    Action.REPAIR.value: "suggested re-pairing: the pairing ended and both were told kindly",
    Action.PAUSE.value: "paused the pairing",
    Action.DISMISS.value: "dismissed this flag",
}
KINDS = {
    "nudge": "a nudge",
    "intro": "an introduction",
    "repaired": "a re-pairing note",
    "welcome": "a welcome",
    "invite": "an invitation",
}


def when(instant: datetime | None) -> str:
    """A date each reader sees in their own time zone, with a plain fallback."""
    if instant is None:
        return "—"
    return f"<!date^{int(instant.timestamp())}^{{date_short_pretty}}|{day_words(instant)}>"


def pair_words(user_ids: Sequence[str]) -> str:
    mentions = [f"<@{user}>" for user in user_ids]
    if len(mentions) <= 1:
        return "".join(mentions) or "a pairing"
    return ", ".join(mentions[:-1]) + " and " + mentions[-1]


def nudge_message(
    program_name: str, reasons: Sequence[FlagReason], user_ids: Sequence[str], pairing_id: int
) -> tuple[str, list[Block]]:
    """Encouraging, no blame, and nothing a partner said in private."""
    reason = next((r for r in PAIR_REASONS if r in reasons and r in NUDGES), FlagReason.NO_MEETING)
    greeting = f"Hi {pair_words(user_ids)}! " if user_ids else "Hi! "
    text = greeting + NUDGES[reason]
    blocks = [
        section(text),
        {
            "type": "actions",
            "elements": [
                button("Schedule a coffee", ids.SCHEDULE_COFFEE, str(pairing_id), primary=True)
            ],
        },
        context(
            f"A friendly nudge from *{escape(program_name)}*: you both have something to "
            "teach each other."
        ),
    ]
    return text, blocks


def flag_message(
    flag: Flag, program_name: str, user_ids: Sequence[str], *, program_id: int | None = None
) -> tuple[str, list[Block]]:
    """The organizer's DM about a flag, in its current state: buttons while nobody has acted,
    then who did what (and a way to match them again after a re-pairing)."""
    title = REASON_TITLES.get(flag.reason, "A pairing needs you")
    pair = pair_words(user_ids)
    severity = SEVERITY.get(flag.severity, str(flag.severity))
    text = f"{title}: {pair} in {escape(program_name)} ({severity})"
    lines = [
        f"*{pair}* in *{escape(program_name)}* {_is(flag)} *{severity}*.",
        f"*Why:* {truncate(flag.detail, 1500)}",  # our own words: mentions, dates, numbers
        f"*Since:* {when(flag.started_at)}",
    ]
    blocks: list[Block] = [header(f"{title}: {severity}"), section("\n".join(lines))]
    if flag.raised_at and flag.created_at < flag.raised_at:
        blocks.append(
            context(f"I nudged them gently on {when(flag.created_at)}; nothing changed since.")
        )
    if flag.action:
        did = f"<@{flag.action_by}> {DID.get(flag.action, flag.action)}"
        if flag.action_note:
            did += f": “{truncate(escape(flag.action_note), NOTE_LENGTH)}”"
        blocks.append(section(f"✅ {did}."))
        text += f" · handled by <@{flag.action_by}>"
    recovered = f"{RECOVERED.get(flag.reason, 'the pair recovered')}"
    if flag.closed_at and not flag.action:
        blocks.append(section(f"✅ Resolved on {when(flag.closed_at)}: {recovered}."))
        text += " · resolved"
    elif flag.closed_at and flag.action != Action.REPAIR.value:
        blocks.append(context(f"Resolved on {when(flag.closed_at)}: {recovered}."))
    if flag.status in (FlagStatus.NUDGED, FlagStatus.OPEN) and not flag.closed_at:
        blocks.append({"type": "actions", "elements": flag_buttons(flag)})
    elif flag.action == Action.REPAIR.value and program_id is not None:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button("Match them now", ids.MATCH_RUN, str(program_id), primary=True)
                ],
            }
        )
    return text, blocks


def _is(flag: Flag) -> str:
    return "were" if flag.closed_at or flag.action else "are"


def flag_buttons(flag: Flag) -> list[dict[str, Any]]:
    value = str(flag.id)
    elements = []
    if flag.reason is not FlagReason.MEMBER_LEFT:  # the pair can't fix that themselves
        elements.append(button("Nudge again", ids.FLAG_NUDGE, value, primary=True))
    elements += [
        button("Suggest re-pairing", ids.FLAG_REPAIR, value),
        button("Pause pairing", ids.FLAG_PAUSE, value),
        button("Dismiss", ids.FLAG_DISMISS, value),
    ]
    return elements


def handled_note(flag: Handled) -> str:
    """What a second click is told: who handled it, and that nothing changed."""
    if flag.action and flag.action_by:
        return (
            f"<@{flag.action_by}> already handled this flag: they "
            f"{DID.get(flag.action, flag.action)}. Nothing changed."
        )
    if flag.closed_at:
        return (
            f"This pairing recovered by itself on {when(flag.closed_at)}; there is nothing "
            "left to do."
        )
    return "This flag was already handled. Nothing changed."


def failures_message(rows: Sequence[tuple[Delivery, str]]) -> tuple[str, list[Block]]:
    """Messages that failed for good, grouped in one DM: who could not be reached, and why."""
    count = len(rows)
    title = (
        "A message could not be delivered"
        if count == 1
        else f"{count} messages could not be delivered"
    )
    lines = [
        f"• {_recipient(row.channel)}: {_kind(row.key)} in *{escape(program)}* failed with "
        f"`{escape((row.last_error or 'an unknown error')[:100])}`"
        for row, program in rows[:MAX_FAILURES_SHOWN]
    ]
    if count > MAX_FAILURES_SHOWN:
        lines.append(f"…and {count - MAX_FAILURES_SHOWN} more.")
    blocks = [
        header(title),
        section("\n".join(lines)),
        context(
            "Slack refused these for good, so I won't retry them. `account_inactive` or "
            "`user_disabled` usually means the person was deactivated: consider re-pairing "
            "their partner."
        ),
    ]
    return f"{title}: " + "; ".join(_recipient(r.channel) for r, _ in rows[:5]), blocks


def _recipient(channel: str) -> str:
    people = [part for part in channel.split(",") if part]
    if people and all(part[:1] in ("U", "W") for part in people):
        return pair_words(people)
    return f"the conversation `{escape(channel[:40])}`"


def _kind(key: str) -> str:
    kind = key.split(":", 1)[0]
    return KINDS.get(kind, f"a message ({escape(kind[:30])})").capitalize()


def dismiss_modal(flag_id: int) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": ids.FLAG_DISMISS_MODAL,
        "private_metadata": json.dumps({"flag_id": flag_id}),
        "title": {"type": "plain_text", "text": "Dismiss this flag"},
        "submit": {"type": "plain_text", "text": "Dismiss"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(
                "Dismissing says this pairing is fine as it is. I won't flag it again for this "
                "episode, and the note stays with the flag for the other organizers."
            ),
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": {"type": "plain_text", "text": "Note for the organizers"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "note",
                    "multiline": True,
                    "max_length": NOTE_LENGTH,
                    "placeholder": {
                        "type": "plain_text",
                        "text": "e.g. They told me they meet in person every Friday.",
                    },
                },
            },
        ],
    }
