"""Block Kit for joining, the profile and leaving: pure functions from domain values to blocks.

Whatever people or organizers typed goes through `escape` before it is shown in mrkdwn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import enrolment as e
from bot.enrolment import JoinAnswers, Refusal
from bot.models import CareerStage, ParticipantRole, Program, ProgramFormat
from bot.slack import ids
from bot.slack.blocks.common import (
    Block,
    context,
    escape,
    header,
    join_button,
    section,
    truncate,
)
from bot.slack.blocks.guides import guide_button
from bot.slack.blocks.sponsor import sponsor_quote
from bot.slack.blocks.talk import talk_button

CONSENT_VALUE = "yes"
MAX_JOIN_BUTTONS = 40  # a message holds 50 blocks
SKILLS_TEXT_LENGTH = 1000  # the text box; each skill is checked again on submit

ROLE_CHOICES = {
    ParticipantRole.MENTOR: (
        "I'll share what I know about new tools and trends",
        "And learn how the business works from a senior colleague.",
    ),
    ParticipantRole.MENTEE: (
        "I want to learn from a colleague with a fresh perspective",
        "And share what you know of the business. Executives welcome.",
    ),
}
ROLE_SHORT = {
    ParticipantRole.MENTOR: "shares what they know about new tools and trends",
    ParticipantRole.MENTEE: "learns from a colleague with a fresh perspective",
}
CAREER_STAGES = {
    CareerStage.EARLY: "Early career",
    CareerStage.MID: "Mid-career",
    CareerStage.SENIOR: "Senior",
    CareerStage.EXECUTIVE: "Executive",
}
FORMATS = {"coffee": "Coffee", "lunch": "Lunch", "walk": "Walk", "video": "Video call"}


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    """A plain_text object, cut to the limit of where it goes (75 for buttons and options)."""
    return {"type": "plain_text", "text": truncate(text, limit)}


def _option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    option: dict[str, Any] = {"text": plain(text), "value": value[:150]}
    if description:
        option["description"] = plain(description)
    return option


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool, hint: str | None = None
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": {"action_id": block_id, **element},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _text_input(value: str, *, max_length: int, multiline: bool) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": max_length,
    }
    if value:
        element["initial_value"] = value[:max_length]
    return element


def _choices(
    kind: str, options: list[dict[str, Any]], selected: Sequence[str], *, many: bool
) -> dict[str, Any]:
    """A select, radio or checkbox element; what is pre-selected must be one of its options."""
    element: dict[str, Any] = {"type": kind, "options": options}
    chosen = [option for option in options if option["value"] in set(selected)]
    if chosen and many:
        element["initial_options"] = chosen
    elif chosen:
        element["initial_option"] = chosen[0]
    return element


# -- the join (and edit) modal -----------------------------------------------------------------


def join_modal(
    program: Program,
    answers: JoinAnswers,
    *,
    private_metadata: str,
    editing: bool = False,
    note: str | None = None,
) -> dict[str, Any]:
    """One form for joining and for editing one's answers; block ids are the field names.

    `note`: why the form came back instead of being saved, shown above it (a submission is
    saved after its acknowledgement, when errors can no longer go under the fields).
    """
    catalogue = list(program.skills_catalogue or [])[:100]
    skill_options = [_option(skill, skill) for skill in catalogue]
    intro = (
        f"*{escape(program.name)}*"
        + (f"\n{escape(program.business_need)}" if program.business_need else "")
        + "\nIn reverse mentoring both sides teach and both sides learn."
    )
    roles = [
        _option(text, role.value, description) for role, (text, description) in ROLE_CHOICES.items()
    ]
    blocks: list[Block] = [
        *([section(f":warning: {escape(note)}")] if note else []),
        section(intro),
        _input(
            e.ROLE,
            "How would you like to take part?",
            _choices("radio_buttons", roles, [answers.role or ""], many=False),
            optional=False,
        ),
    ]
    for field, label, picks, other in (
        (
            e.SKILLS_OFFERED,
            "Skills you can teach",
            answers.skills_offered,
            answers.skills_offered_other,
        ),
        (
            e.SKILLS_WANTED,
            "Skills you want to learn",
            answers.skills_wanted,
            answers.skills_wanted_other,
        ),
    ):
        if skill_options:
            select = _choices("multi_static_select", skill_options, picks, many=True)
            select["placeholder"] = plain("Pick from the program's list")
            blocks.append(_input(field, label, select, optional=True))
        blocks.append(
            _input(
                f"{field}_other",
                f"{label}: others" if skill_options else label,
                _text_input(other, max_length=SKILLS_TEXT_LENGTH, multiline=True),
                optional=True,
                hint=f"One per line, up to {e.MAX_FREE_SKILLS}.",
            )
        )
    stages = [_option(label, stage.value) for stage, label in CAREER_STAGES.items()]
    formats = [_option(label, value) for value, label in FORMATS.items()]
    blocks += [
        _input(
            e.DEPARTMENT,
            "Department",
            _text_input(answers.department, max_length=e.DEPARTMENT_LENGTH, multiline=False),
            optional=True,
        ),
        _input(
            e.CAREER_STAGE,
            "Career stage",
            _choices("static_select", stages, [answers.career_stage or ""], many=False)
            | {"placeholder": plain("Choose one")},
            optional=True,
        ),
        _input(
            e.GOALS,
            "What do you hope to get out of it?",
            _text_input(answers.goals, max_length=e.GOALS_LENGTH, multiline=True),
            optional=True,
        ),
        _input(
            e.MEETING_FORMATS_FIELD,
            "How do you like to meet?",
            _choices("checkboxes", formats, answers.meeting_formats, many=True),
            optional=True,
            hint="Leave empty if any of these suits you.",
        ),
        context(
            "The organizers use your answers to match you with a partner and to run the "
            "program; your partner may see your skills and goals when I introduce you. "
            "Your name and time zone come from your Slack profile. When you leave, you can "
            "ask me to erase everything you typed."
        ),
        _input(
            e.CONSENT,
            "Consent",
            _choices(
                "checkboxes",
                [_option("I agree to how the program uses my answers", CONSENT_VALUE)],
                [CONSENT_VALUE] if answers.consent else [],
                many=True,
            ),
            optional=False,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": ids.JOIN_MODAL,
        "private_metadata": private_metadata,
        "title": plain(form_title(editing), 24),
        "submit": plain("Save" if editing else "Join", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def form_title(editing: bool) -> str:
    """The join form's title, and that of what it turns into."""
    return "Your profile" if editing else "Join the program"


def notice_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (what a submitted form turns into)."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("Close", 24),
        "blocks": [section(text)],
    }


def saving_view(*, editing: bool, external_id: str) -> dict[str, Any]:
    """What a submitted join (or profile) form shows while it is saved; `external_id` names
    it, so the outcome replaces exactly this view (bot.slack.listeners.join_form)."""
    view = notice_view(
        form_title(editing), "Saving your answers… The result will show here in a moment."
    )
    return view | {"external_id": external_id}


def joined_view(program: Program) -> dict[str, Any]:
    return notice_view(
        "You're in!",
        f"Welcome to *{escape(program.name)}*! I've sent you a message about what happens next.",
    )


def refusal_text(refusal: Refusal, program_name: str | None = None) -> str:
    """Why someone cannot join, kindly, and what they can do instead."""
    name = f"*{escape(program_name)}*" if program_name else None
    if refusal is Refusal.ALREADY_JOINED:
        return (
            f"You're already in {name or 'that program'}. "
            "Type `/mentoring profile` to see or change your answers."
        )
    if refusal is Refusal.ENDED:
        return f"{name or 'That program'} has ended, so it isn't taking new participants."
    if refusal is Refusal.CLOSED:
        return (
            f"{name or 'That program'} isn't open for enrolment right now. "
            "The organizers will announce when it opens."
        )
    missing = (
        f"I couldn't find a program called “{escape(truncate(program_name, 80))}”."
        if program_name
        else "I couldn't find that program; it may have been removed."
    )
    return f"{missing} Type `/mentoring join` to see the programs open for enrolment."


# -- choosing a program ------------------------------------------------------------------------


def no_open_programs() -> dict[str, Any]:
    return {
        "text": "No program is open for enrolment right now. The organizers will announce "
        "the next one, and you can join it then with `/mentoring join`."
    }


def choose_program(open_programs: Sequence[Program], joined: set[int]) -> dict[str, Any]:
    """One Join button per open program; the ones the person is in already say so."""
    blocks: list[Block] = [section("Which program would you like to join?")]
    for program in open_programs[:MAX_JOIN_BUTTONS]:
        text = f"*{escape(program.name)}*"
        if program.business_need:
            text += f"\n{escape(program.business_need)}"
        if program.id in joined:
            blocks.append(section(text + "\n_You're in this one._"))
            continue
        block = section(text)
        block["accessory"] = join_button(program.id)
        blocks.append(block)
    names = ", ".join(escape(program.name) for program in open_programs)
    return {"text": f"Programs open for enrolment: {names}", "blocks": blocks}


# -- welcome -----------------------------------------------------------------------------------


def minutes_in_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours > 1 else ""))
    if rest:
        parts.append(f"{rest} minute" + ("s" if rest > 1 else ""))
    return " ".join(parts)


def welcome_message(
    program: Program, role: ParticipantRole, organizer_ids: Sequence[str]
) -> dict[str, Any]:
    """The DM after joining: what it takes, how matching works, and who to ask."""
    name = escape(program.name)
    if role is ParticipantRole.MENTOR:
        you = (
            "You joined to share what you know about new tools and trends, and you'll learn "
            "how the business works from a senior colleague in return."
        )
    else:
        you = (
            "You joined to learn from a colleague with a fresh perspective, and you'll share "
            "what you know of the business in return."
        )
    weeks = f"{program.length_weeks} week" + ("s" if program.length_weeks != 1 else "")
    partner = "group" if program.format is ProgramFormat.GROUP else "partner"
    if program.meeting_target_minutes:
        time_needed = (
            f"about *{minutes_in_words(program.meeting_target_minutes)} a week* with your "
            f"{partner}, for {weeks}"
        )
    else:
        time_needed = f"as much time as you and your {partner} agree on, for {weeks}"
    if program.start_date:
        time_needed += f", from {program.start_date:%B} {program.start_date.day}"
    cadence = "week" if program.checkin_cadence_weeks == 1 else "two weeks"
    organizers = ", ".join(f"<@{user}>" for user in organizer_ids)
    ask = (
        f"The organizers are {organizers}: reach out to them anytime."
        if organizers
        else "Reach out to whoever invited you anytime."
    )
    pairs = "pair" if partner == "partner" else "group"
    blocks: list[Block] = [
        header(f"Welcome to {program.name}!"),
        section(f"{you} Both sides teach and both sides learn."),
        *sponsor_quote(program),
        section(f"*What it takes*\n{time_needed[0].upper()}{time_needed[1:]}."),
        section(
            "*How matching works*\nThe organizers match people so that what one can teach is "
            f"what the other wants to learn, and they approve every {pairs}. Then I introduce "
            f"you and your {partner} in a group message."
        ),
        section(
            f"*Check-ins*\nEvery {cadence} I'll ask how it's going: a few taps. Any comment you "
            f"add can be kept private to the organizers; your {partner} won't see it."
        ),
        section(f"*Questions?*\n{ask}"),
        {
            "type": "actions",
            "block_id": "welcome_support",
            "elements": [guide_button(program.id), talk_button(program.id)],
        },
        context("`/mentoring profile` shows or changes your answers · `/mentoring leave` leaves"),
    ]
    text = f"Welcome to {name}! Plan on {time_needed}."
    return {"text": text, "blocks": blocks}
