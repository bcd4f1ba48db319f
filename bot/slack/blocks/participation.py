"""Block Kit for the profile and for leaving: the confirmation, and what partners and
organizers are told. Pure functions; whatever people typed goes through `escape`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.models import Participant, ParticipantRole
from bot.slack import ids
from bot.slack.blocks.common import Block, context, escape, section, truncate
from bot.slack.blocks.enrolment import (
    CAREER_STAGES,
    FORMATS,
    MAX_JOIN_BUTTONS,
    ROLE_CHOICES,
    ROLE_SHORT,
    plain,
)

# -- profile -----------------------------------------------------------------------------------


def _list(items: Sequence[str], empty: str = "—") -> str:
    return ", ".join(escape(item) for item in items) if items else empty


def profile_blocks(participants: Sequence[Participant]) -> dict[str, Any]:
    """Each enrolment's answers, with an Edit button."""
    blocks: list[Block] = []
    for participant in participants[:MAX_JOIN_BUTTONS]:
        stage = CAREER_STAGES.get(participant.career_stage) if participant.career_stage else None
        formats = [FORMATS.get(f, f) for f in participant.meeting_formats or []]
        lines = [
            f"*{escape(participant.program.name)}*",
            f"*Role:* {ROLE_CHOICES[participant.role][0]}",
            f"*Can teach:* {_list(participant.skills_offered or [])}",
            f"*Wants to learn:* {_list(participant.skills_wanted or [])}",
            f"*Department:* {escape(participant.department) or '—'}",
            f"*Career stage:* {stage or '—'}",
            f"*Likes to meet:* {_list(formats, 'any way')}",
            f"*Time zone:* {escape(participant.timezone)} (from Slack)",
            f"*Hopes to get out of it:* {escape(truncate(participant.goals, 1000)) or '—'}",
        ]
        block = section("\n".join(lines))
        block["accessory"] = {
            "type": "button",
            "action_id": ids.PROFILE_EDIT,
            "value": str(participant.id),
            "text": plain("Edit"),
        }
        blocks.append(block)
    blocks.append(context("`/mentoring leave` if plans change."))
    names = ", ".join(escape(p.program.name) for p in participants)
    return {"text": f"Your answers for {names}", "blocks": blocks}


def not_enrolled(program_name: str | None = None) -> dict[str, Any]:
    where = f"*{escape(program_name)}*" if program_name else "a program"
    return {
        "text": f"You're not in {where} right now. Type `/mentoring join` to see the programs "
        "open for enrolment and join one."
    }


def which_program(command: str, participants: Sequence[Participant]) -> dict[str, Any]:
    names = ", ".join(f"*{escape(p.program.name)}*" for p in participants)
    return {"text": f"You're in {names}. Which one? Type `/mentoring {command} <program name>`."}


# -- leaving -----------------------------------------------------------------------------------


def leave_confirmation(participant: Participant, partner_ids: Sequence[str]) -> dict[str, Any]:
    name = escape(participant.program.name)
    text = f"Leave *{name}*?"
    if partner_ids:
        partners = ", ".join(f"<@{user}>" for user in partner_ids)
        text += (
            f" Your pairing with {partners} will end; I'll let them know kindly, and the "
            "organizers will help them carry on."
        )
    text += (
        "\nYou can also ask me to erase everything you typed: your answers, check-in "
        "comments, survey answers and wins."
    )
    value = str(participant.id)
    buttons = [
        ("Leave", ids.LEAVE_CONFIRM, "danger"),
        ("Leave and erase my answers", ids.LEAVE_AND_ERASE, "danger"),
        ("Stay", ids.LEAVE_CANCEL, None),
    ]
    elements = []
    for label, action_id, style in buttons:
        button: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "value": value,
            "text": plain(label),
        }
        if style:
            button["style"] = style
        elements.append(button)
    return {
        "text": f"Leave {name}?",
        "blocks": [section(text), {"type": "actions", "block_id": "leave", "elements": elements}],
    }


def erase_offer(participant: Participant) -> dict[str, Any]:
    """For someone who left without erasing: they may still ask."""
    name = escape(participant.program.name)
    block = section(
        f"You already left *{name}*. Would you like me to erase everything you typed there?"
    )
    block["accessory"] = {
        "type": "button",
        "action_id": ids.LEAVE_AND_ERASE,
        "value": str(participant.id),
        "text": plain("Erase my answers"),
        "style": "danger",
    }
    return {"text": f"You already left {name}.", "blocks": [block]}


def left_reply(program_name: str, *, erased: bool, already_left: bool) -> str:
    name = f"*{escape(program_name)}*"
    if already_left:
        text = f"You already left {name}."
        return text + (" I've erased everything you typed there." if erased else "")
    text = (
        f"You've left {name}. Thank you for taking part; you're welcome back anytime with "
        "`/mentoring join`."
    )
    if erased:
        text += " I've erased your answers, check-in comments, survey answers and wins."
    return text


def partner_left_message(
    leaver_id: str, program_name: str, partner_ids: Sequence[str], *, in_pair_conversation: bool
) -> dict[str, Any]:
    """For the partners of someone who left: no blame, and help is coming."""
    name = escape(program_name)
    partners = ", ".join(f"<@{user}>" for user in partner_ids)
    if in_pair_conversation:
        text = (
            f"<@{leaver_id}> has left *{name}*, so this pairing ends here. Thank you for the "
            f"time you spent together. {partners}: plans change, and that's nobody's fault. "
            "The organizers will be in touch to help you carry on, with a new partner if "
            "you'd like."
        )
    else:
        text = (
            f"Your partner <@{leaver_id}> has left *{name}*, so your pairing ends here. Plans "
            "change, and that's nobody's fault; thank you for the time you spent together. "
            "The organizers will be in touch to help you carry on, with a new partner if "
            "you'd like."
        )
    return {"text": text, "blocks": [section(text)]}


def organizer_told_message(
    leaver_id: str,
    program_name: str,
    role: ParticipantRole,
    partner_ids: Sequence[str],
    *,
    erased: bool,
) -> dict[str, Any]:
    name = escape(program_name)
    text = f"<@{leaver_id}> (who {ROLE_SHORT[role]}) has left *{name}*."
    if partner_ids:
        partners = ", ".join(f"<@{user}>" for user in partner_ids)
        text += (
            f" Their pairing with {partners} has ended. I told {partners} kindly, and that "
            "you'll help them carry on: they may need a new partner."
        )
    else:
        text += " They were not in a pairing."
    if erased:
        text += " At their request, I erased everything they typed."
    return {"text": text, "blocks": [section(text)]}
