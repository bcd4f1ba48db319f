"""The App Home tab: a participant's programs and partner; an organizer's programs too.

However many programs and people there are, the view stays under Slack's 100 blocks: each
list shows its first items and says how many more there are.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.home import TALK_REQUESTS_SHOWN, Enrolment, HomeSummary, ProgramOverview
from bot.models import PairingStatus, ParticipantRole, Program, TalkRequest
from bot.slack import ids
from bot.slack.blocks.common import (
    Block,
    button,
    context,
    divider,
    escape,
    header,
    join_button,
    plural,
    section,
    when,
)
from bot.slack.blocks.guides import edit_guides_button, guide_button
from bot.slack.blocks.status import summary_fields
from bot.slack.blocks.talk import ABOUT, talk_button

MAX_ENROLMENTS = 10
MAX_JOINABLE = 10
MAX_ORGANIZED = 15

ROLE_WORDS = {
    ParticipantRole.MENTOR: "You share what you know about new tools and trends.",
    ParticipantRole.MENTEE: "You learn from a colleague with a fresh perspective.",
}


def home_view(summary: HomeSummary, *, is_organizer: bool) -> dict[str, Any]:
    blocks: list[Block] = [
        header("Reverse mentoring"),
        section(
            "Early-career colleagues share what they know about new tools, social media and "
            "younger customers; senior colleagues share how the business really works. "
            "*Both sides teach, both sides learn.*"
        ),
    ]
    if summary.enrolments:
        blocks += [divider(), header("Your programs")]
        blocks += _capped(summary.enrolments, MAX_ENROLMENTS, _enrolment, "programs")
    if summary.joinable:
        blocks += [divider(), header("Open for enrolment")]
        blocks += _capped(summary.joinable, MAX_JOINABLE, _joinable, "open programs")
    if not summary.enrolments and not summary.joinable:
        blocks.append(
            section(
                "You are not in a program yet. When an organizer opens one, you can join it "
                "here or with `/mentoring join`."
            )
        )
    if is_organizer:
        blocks += [
            divider(),
            header("Programs you organize"),
            {
                "type": "actions",
                "block_id": "organizer_actions",
                "elements": [button("New program", ids.PROGRAM_NEW, "new", primary=True)],
            },
        ]
        blocks += _waiting_to_talk(summary.waiting_to_talk)
        if summary.organized:
            blocks += _capped(
                summary.organized,
                MAX_ORGANIZED,
                lambda overview: _organized(overview, summary.today),
                "programs",
            )
        else:
            blocks.append(
                section("No programs yet. Create the first one: a pilot is a good start.")
            )
    blocks.append(context("Type `/mentoring help` in any channel to see everything you can do."))
    return {"type": "home", "blocks": blocks}


def welcome_home(*, is_organizer: bool) -> dict[str, Any]:
    """What someone sees before any program exists."""
    return home_view(HomeSummary(), is_organizer=is_organizer)


def _capped(items: list[Any], limit: int, render: Any, noun: str) -> list[Block]:
    blocks: list[Block] = []
    for item in items[:limit]:
        blocks += render(item)
    if len(items) > limit:
        blocks.append(context(f"…and {len(items) - limit} more {noun}."))
    return blocks


def _enrolment(enrolment: Enrolment) -> list[Block]:
    program, participant = enrolment.program, enrolment.participant
    lines = [f"*{escape(program.name)}*", ROLE_WORDS[participant.role]]
    buttons = [
        button("My answers", ids.PROFILE_EDIT, str(participant.id)),
        guide_button(program.id),
        talk_button(program.id),
    ]
    if enrolment.pairing_status is PairingStatus.ACTIVE and enrolment.partners:
        partners = ", ".join(f"<@{user}>" for user in enrolment.partners)
        lines.append(f"Your partner: {partners}. Aim for {_target(program)}.")
        if enrolment.next_meeting:
            lines.append(f"Next meeting: {when(enrolment.next_meeting)}.")
        else:
            lines.append("No meeting booked yet: schedule a coffee!")
        buttons.insert(
            0,
            button(
                "Schedule a coffee", ids.SCHEDULE_COFFEE, str(enrolment.pairing_id), primary=True
            ),
        )
    elif enrolment.pairing_status is PairingStatus.PAUSED:
        lines.append("Your pairing is paused for now; the organizers will be in touch.")
    else:
        lines.append("You'll be introduced to your partner once the organizers have run matching.")
    return [
        section("\n".join(lines)),
        {
            "type": "actions",
            "block_id": f"enrolment_{participant.id}",
            "elements": buttons,
        },
    ]


def _joinable(program: Program) -> list[Block]:
    need = f" · {escape(program.business_need)}" if program.business_need else ""
    block = section(f"*{escape(program.name)}*{need}\n{_target(program).capitalize()}.")
    block["accessory"] = join_button(program.id)
    return [block]


def _waiting_to_talk(waiting: list[tuple[TalkRequest, str]]) -> list[Block]:
    """Who asked to talk to an organizer and is still waiting (what they wrote stays in the
    organizers' DMs); the first click on I'll reach out takes it, as in the DM."""
    if not waiting:
        return []
    blocks: list[Block] = [section("*Waiting to talk to an organizer*")]
    for request, program_name in waiting[:TALK_REQUESTS_SHOWN]:
        block = section(
            f"<@{request.user_id}> would like to talk about {ABOUT[request.topic]} "
            f"({escape(program_name)}) · asked {when(request.requested_at)}"
        )
        block["accessory"] = button("I'll reach out", ids.TALK_TAKE, str(request.id))
        blocks.append(block)
    if len(waiting) > TALK_REQUESTS_SHOWN:
        blocks.append(context("…and more: the oldest are shown first; see your direct messages."))
    return blocks


def _organized(overview: ProgramOverview, today: date | None) -> list[Block]:
    program = overview.program
    mentors = overview.counts.get(ParticipantRole.MENTOR, 0)
    mentees = overview.counts.get(ParticipantRole.MENTEE, 0)
    enrolment = "open" if program.enrolment_open else "closed"
    pilot = " · pilot" if program.is_pilot else ""
    dashboard = [summary_fields(overview.health, today)] if overview.health and today else []
    return [
        section(
            f"*{escape(program.name)}* · {program.status.value}{pilot} · enrolment {enrolment}\n"
            f"{plural(mentors, 'reverse mentor')} (sharing new skills) · "
            f"{plural(mentees, 'mentee')} (learning)"
        ),
        *dashboard,
        {
            "type": "actions",
            "block_id": f"program_{program.id}",
            "elements": [
                button("Edit", ids.PROGRAM_EDIT, str(program.id)),
                button("Invite people", ids.INVITE_OPEN, str(program.id)),
                button("Match", ids.MATCH_RUN, str(program.id)),
                edit_guides_button(program.id),
            ],
        },
    ]


def _target(program: Program) -> str:
    minutes = program.meeting_target_minutes
    if minutes == 0:
        return "meeting as often as suits you both"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours > 1 else ''} together a week"
    return f"{minutes} minutes together a week"
